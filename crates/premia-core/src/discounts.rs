//! Discounts: coupons (campaign, referral, signed vouchers) and the bundle discount, applied in the
//! catalogue's stacking order.

//!
//! The kinds of discount are named here, below the errors that name them; the coupons' rules, tokens
//! and results are in [`coupon`], applying them to a quote in `apply`.

use serde::{Deserialize, Serialize};

pub(crate) mod apply;
pub mod coupon;

/// The kinds of discount, in the names the catalogue's stacking order uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CouponKind {
    Bundle,
    Campaign,
    Referral,
    Voucher,
}

impl CouponKind {
    pub const ALL: [CouponKind; 4] =
        crate::variants::every_variant!(CouponKind { Bundle, Campaign, Referral, Voucher });

    pub fn name(self) -> &'static str {
        match self {
            CouponKind::Bundle => "bundle",
            CouponKind::Campaign => "campaign",
            CouponKind::Referral => "referral",
            CouponKind::Voucher => "voucher",
        }
    }
}
