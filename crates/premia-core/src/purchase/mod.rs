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
pub(crate) mod rule;
pub mod schedule;

pub use application::{Application, Checked, Identities, Party, check};
pub use form::{ApplicationForm, Confirmation};
pub use policy::{Policy, Refund, cooling_off_refund, issue};
pub use rule::Rule;
pub use schedule::{Schedule, schedule};

/// What the unit tests of this module build applications from: the demo catalogue, quotes priced on a
/// resident ID number, and a form that passes, for each test to break one field of.
#[cfg(test)]
pub(crate) mod fixture {
    use std::sync::OnceLock;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::form::{AddressForm, ApplicationForm, BeneficiariesForm, InsuredForm, PersonForm};
    use super::{Confirmation, consent};
    use crate::catalogue::Catalogue;
    use crate::catalogue::sale::Relationship;
    use crate::pricing::quote::Quote;
    use crate::request::{Channel, CoverageRequest, Insured, QuoteRequest};
    use crate::term::Frequency;

    pub const TODAY: &str = "2026-11-25";

    pub fn today() -> NaiveDate {
        TODAY.parse().unwrap_or_default()
    }

    pub fn catalogue() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(crate::demo::catalogue)
    }

    /// A valid number for someone born on `born` (YYYYMMDD) in Shanghai's Xuhui district; `sequence`
    /// odd for a man, even for a woman.
    pub fn id(born: &str, sequence: u16) -> String {
        let first17 = format!("310104{born}{sequence:03}");
        format!("{first17}{}", crate::identity::resident_id::check_char(first17.as_bytes()))
    }

    /// The policyholder: a man born 1 January 1980.
    pub fn holder_id() -> String {
        id("19800101", 11)
    }

    /// A quote for `product` priced on the number `insured`.
    pub fn quote(product: &str, amount: i64, cover: &str, pay: &str, frequency: Frequency, insured: &str) -> Quote {
        price(&request(product, amount, cover, pay, frequency, insured))
    }

    pub fn price(request: &QuoteRequest) -> Quote {
        match crate::pricing::engine::quote(catalogue(), request) {
            Ok(quote) => quote,
            Err(errors) => panic!("the fixture's quote prices: {errors:?}"),
        }
    }

    pub fn request(
        product: &str,
        amount: i64,
        cover: &str,
        pay: &str,
        frequency: Frequency,
        insured: &str,
    ) -> QuoteRequest {
        let annuity = product == "ANN";
        QuoteRequest {
            quote_date: today(),
            insured: Insured {
                resident_id: Some(insured.to_owned()),
                occupation_class: 1,
                social_insurance: true,
                region: Some("310000".into()),
                ..Insured::default()
            },
            coverages: vec![CoverageRequest {
                product: product.into(),
                sum_assured: (!annuity).then(|| Decimal::from(amount)),
                annuity_amount: annuity.then(|| Decimal::from(amount)),
                coverage_term: cover.parse().unwrap_or(crate::term::CoverageTerm::Lifelong),
                payment_term: pay.parse().unwrap_or(crate::term::PaymentTerm::Single),
                frequency,
                plan: (product == "MED").then(|| "D10K".to_owned()),
                payout_start_age: annuity.then_some(60),
                guaranteed_years: annuity.then_some(10),
                riders: Vec::new(),
            }],
            channel: Channel::Direct,
            coupons: Vec::new(),
            bundle: None,
        }
    }

    /// Term life for the policyholder himself: 500,000 for 20 years, paid yearly.
    pub fn term_for_self() -> Quote {
        quote("TERM", 500_000, "years:20", "years:20", Frequency::Annual, &holder_id())
    }

    /// A confirmation of every document `quote` requires, in force.
    pub fn confirmations(quote: &Quote) -> Vec<Confirmation> {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-25T10:15:00+08:00").unwrap_or_default();
        consent::required(catalogue(), quote)
            .unwrap_or_default()
            .into_iter()
            .map(|d| Confirmation { document: d.id.clone(), sha256: d.sha256.clone(), confirmed_at: at })
            .collect()
    }

    pub fn holder() -> PersonForm {
        PersonForm {
            name: "王建国".into(),
            resident_id: holder_id(),
            mobile: Some("138 0013 8000".into()),
            address: Some(AddressForm { region: "310104".into(), detail: "漕溪北路 88 号 3 楼".into() }),
        }
    }

    /// The policyholder insuring himself, his heirs by law the beneficiaries.
    pub fn form_for_self(quote: &Quote) -> ApplicationForm {
        ApplicationForm {
            policyholder: holder(),
            insured: InsuredForm {
                relationship: Relationship::Oneself,
                name: None,
                resident_id: None,
                mobile: None,
                address: None,
                consent_to_death_benefit: None,
            },
            beneficiaries: Some(BeneficiariesForm::Statutory),
            confirmations: confirmations(quote),
        }
    }

    /// The policyholder insuring `relationship`, a person with number `number`.
    pub fn form_for(quote: &Quote, relationship: Relationship, name: &str, number: &str) -> ApplicationForm {
        ApplicationForm {
            insured: InsuredForm {
                relationship,
                name: Some(name.into()),
                resident_id: Some(number.into()),
                mobile: None,
                address: None,
                consent_to_death_benefit: Some(true),
            },
            ..form_for_self(quote)
        }
    }
}
