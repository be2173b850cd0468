//! Buying: the application (投保单), the consent documents it confirms (可回溯), the premium schedule
//! and the policy (保险单) — the pure part of a purchase, which the page, the widget and the server
//! share so that they agree.
//!
//! Data flows one way:
//!
//! ```text
//!   JSON ──form::from_json──▶ ApplicationForm ──check(catalogue, quote, today)──▶ Checked
//!                                                                  │  application: Application (stored)
//!                                                                  └─ identities: Identities (keyed, dropped)
//!   quote ──consent::required──▶ the documents to show and confirm
//!   quote ──schedule(first_paid_on)──▶ Schedule (due dates and amounts, adds up to the quote)
//!   Application + quote ──policy::issue(number, paid_on)──▶ Policy ──print::render──▶ Printed
//! ```
//!
//! **Architecture Invariant:** nothing here stores, prints or serializes a resident ID number but the
//! form it was typed into: a checked [`Application`] keeps the birth date and sex a number gives, and the
//! numbers leave [`check`] apart, in [`Identities`], for the server to key and drop.

pub mod application;
pub mod beneficiary;
pub mod consent;
pub mod form;
pub mod person;
pub mod policy;
pub mod print;
mod rule;
pub mod schedule;

pub use application::{Application, Checked, Identities, Party, check};
pub use form::{ApplicationForm, Confirmation};
pub use policy::{Policy, Refund, cooling_off_refund, issue};
pub use rule::Rule;
pub use schedule::{Schedule, schedule};
