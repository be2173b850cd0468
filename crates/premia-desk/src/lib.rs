//! # premia-desk
//!
//! The underwriting desk's domain (人工核保), pure and shared: the server enforces it and the desk page
//! (`premia-desk-web`) shows it, from one definition.
//!
//! - [`staff`]: roles and what each may do.
//! - [`workflow`]: a case's statuses and [`workflow::next`], who may do what when (双人复核).
//! - [`api`]: the desk's requests and answers.
//! - [`facts`]: the insured's facts and health answers as an underwriter reads them.
//! - [`status`]: where an application stands, as the applicant and the agent read it.
//!
//! What an underwriter may decide (loadings, exclusions, periods, reasons) and the repricing are the
//! core's and the catalogue's: `premia_core::desk`.
//!
//! **Architecture Invariant:** no I/O, no clock; the server passes times in.

pub mod api;
pub mod error;
pub mod facts;
pub mod staff;
pub mod status;
pub mod workflow;

pub use error::Problem;
pub use staff::{Permission, Role};
pub use workflow::CaseStatus;
