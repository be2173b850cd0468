//! Product bundles by age band (产品组合) and the recommendations made from them.

//!
//! A bundle is catalogue data (the types here, below the catalogue that holds them); [`recommend`]
//! quotes every bundle offered at a person's age and ranks them (in `recommend.rs`, above the engine).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::request::CoverageRequest;
use crate::text::Text;
use crate::underwriting::AgeRange;

mod recommend;

pub use recommend::*;

/// What to do when underwriting declines one of a bundle's products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IfDeclined {
    /// Offer the bundle without the declined product, while any product remains.
    DropProduct,
    /// Do not offer the bundle.
    DropBundle,
}

impl IfDeclined {
    pub const ALL: [IfDeclined; 2] = crate::variants::every_variant!(IfDeclined { DropProduct, DropBundle });
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub id: String,
    pub name: Text,
    /// Why this bundle suits the customer, shown beside it.
    pub reason: Text,
    pub ages: AgeRange,
    /// Order of preference: 1 first.
    pub rank: u32,
    /// Bundle discount as a share of the bundle's first-year premium.
    pub discount: Option<Decimal>,
    pub if_declined: IfDeclined,
    pub items: Vec<CoverageRequest>,
}
