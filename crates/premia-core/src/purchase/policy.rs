//! The policy (保险单): what the server signs as JSON, a CRM verifies offline, and a person prints — the
//! parties, the coverages with their periods of cover, the premiums and their schedule, the dates
//! (issue, start of cover, end of the cooling-off period) and the documents confirmed with their hashes.
//! Issued from the checked application and the quote it priced, when the first premium is paid; the
//! policy number is the server's. And what a cancellation in the cooling-off period refunds.

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::application::{Application, Beneficiaries, InsuredParty, Party};
use super::schedule::{Schedule, schedule};
use super::{Rule, consent};
use crate::catalogue::sale::{Document, DocumentKind};
use crate::catalogue::{Catalogue, CatalogueRef, Line};
use crate::error::{Error, ErrorKind, Errors};
use crate::pricing::quote::{Quote, RiderQuote, Totals};
use crate::request::Channel;
use crate::term::{CoverageTerm, Frequency, PaymentTerm};
use crate::text::Text;

/// The format of the policy document, first in its JSON: a reader knows what it reads.
pub const FORMAT: &str = "premia-policy-v1";

/// An issued policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// [`FORMAT`].
    pub format: String,
    /// Assigned by the server.
    pub number: String,
    pub insurer: Text,
    pub catalogue: CatalogueRef,
    /// The rates and documents are illustrative, not filed: printed on the policy.
    pub illustrative: bool,
    /// The digest of the quote the premiums come from.
    pub quote_digest: String,
    pub channel: Channel,
    /// The day the first premium was paid and the policy issued.
    pub issued_on: NaiveDate,
    /// Cover starts at 00:00 on this day.
    pub effective_from: NaiveDate,
    pub cooling_off: CoolingOff,
    pub policyholder: Party,
    pub insured: InsuredParty,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beneficiaries: Option<Beneficiaries>,
    pub coverages: Vec<PolicyCoverage>,
    /// The quote's totals: gross, discount and net, first year and over the terms.
    pub premiums: Totals,
    pub schedule: Schedule,
    pub documents: Vec<ConfirmedDocument>,
}

/// The cooling-off period (犹豫期) and what a cancellation within it keeps back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoolingOff {
    /// The longest of the coverages' periods: a cancellation within it cancels the whole policy.
    pub days: u32,
    /// The last day a cancellation is refunded the premium (`None` without a cooling-off period).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// What the insurer keeps of the premiums refunded (工本费).
    pub fee: Decimal,
}

/// One coverage of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyCoverage {
    pub product: String,
    pub product_version: u32,
    pub name: Text,
    pub line: Line,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum_assured: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annuity_amount: Option<Decimal>,
    pub coverage_term: CoverageTerm,
    /// Cover from 00:00 on `effective_from` …
    pub cover_from: NaiveDate,
    /// … to 24:00 on this day; `None` for life.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_until: Option<NaiveDate>,
    pub payment_term: PaymentTerm,
    pub frequency: Frequency,
    pub instalment_premium: Decimal,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub riders: Vec<RiderQuote>,
    /// Conditions of acceptance (特别约定): exclusions, and the loading already in the premium.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loading: Option<Decimal>,
}

/// A document the policyholder was shown and confirmed: exactly which, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmedDocument {
    pub id: String,
    pub kind: DocumentKind,
    pub title: Text,
    pub version: String,
    pub sha256: String,
    pub confirmed_at: chrono::DateTime<chrono::FixedOffset>,
}

impl Policy {
    /// The policy as JSON: the bytes the server signs. Fields in declaration order, money and dates as
    /// strings, no floats; the same policy always writes the same bytes.
    pub fn to_json(&self) -> String {
        // Cannot fail: every map key is a string and no serializer here returns an error.
        serde_json::to_string(self).unwrap_or_else(|e| unreachable!("a policy always serializes: {e}"))
    }
}

/// Issue the policy numbered `number` for `application`, an application for `quote` checked by
/// [`super::check`], whose first premium was paid on `paid_on` (the server's date).
pub fn issue(
    catalogue: &Catalogue,
    quote: &Quote,
    application: &Application,
    number: &str,
    paid_on: NaiveDate,
) -> Result<Policy, Errors> {
    let Some(rules) = catalogue.sale.policy else {
        return Err(Errors::one("", ErrorKind::Purchase(Rule::NotSellingOnline)));
    };
    let mut errors = Vec::new();
    if !is_policy_number(number) {
        errors.push(Error::new("number", ErrorKind::Purchase(Rule::PolicyNumber { value: number.to_owned() })));
    }
    if let Err(found) = consent::check(catalogue, quote, &application.confirmations) {
        errors.extend(found.into_vec());
    }
    let schedule = schedule(catalogue, quote, paid_on).map_err(|e| errors.extend(e.into_vec())).ok();
    if let Some(errors) = Errors::from_vec(errors) {
        return Err(errors);
    }
    let Some(schedule) = schedule else { return Err(Errors::one("", ErrorKind::Required)) };
    let effective_from = schedule.effective_from;
    let days = quote
        .coverages
        .iter()
        .filter_map(|c| catalogue.sale.product(&c.product, c.product_version))
        .map(|sale| sale.cooling_off_days)
        .max()
        .unwrap_or(0);
    let until = (days > 0).then(|| paid_on.checked_add_days(Days::new(u64::from(days)))).flatten();
    let coverages = quote.coverages.iter().map(|c| coverage(c, effective_from)).collect();
    Ok(Policy {
        format: FORMAT.to_owned(),
        number: number.to_owned(),
        insurer: catalogue.insurer.clone(),
        catalogue: quote.catalogue.clone(),
        illustrative: quote.illustrative,
        quote_digest: quote.digest.clone(),
        channel: quote.request.channel.clone(),
        issued_on: paid_on,
        effective_from,
        cooling_off: CoolingOff { days, until, fee: rules.cooling_off_fee },
        policyholder: application.policyholder.clone(),
        insured: application.insured.clone(),
        beneficiaries: application.beneficiaries.clone(),
        coverages,
        premiums: quote.totals.clone(),
        schedule,
        documents: confirmed(catalogue, application),
    })
}

/// Policy numbers are the server's: 1-32 upper-case letters, digits and '-'.
fn is_policy_number(number: &str) -> bool {
    (1..=32).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

fn coverage(c: &crate::pricing::quote::CoverageQuote, effective_from: NaiveDate) -> PolicyCoverage {
    // Cover of N years ends at 24:00 on the day before the Nth anniversary.
    let cover_until = c
        .coverage_term
        .years(c.age)
        .and_then(|years| effective_from.checked_add_months(Months::new(years.saturating_mul(12))))
        .and_then(|anniversary| anniversary.pred_opt());
    let exclusions = c.decision.reasons.iter().filter_map(|r| r.exclusion.clone()).collect();
    let loading = Some(c.decision.loading()).filter(|l| *l > Decimal::ZERO);
    PolicyCoverage {
        product: c.product.clone(),
        product_version: c.product_version,
        name: c.name.clone(),
        line: c.line,
        sum_assured: c.sum_assured,
        annuity_amount: c.annuity_amount,
        coverage_term: c.coverage_term,
        cover_from: effective_from,
        cover_until,
        payment_term: c.payment_term,
        frequency: c.frequency,
        instalment_premium: c.instalment_premium,
        riders: c.riders.clone(),
        exclusions,
        loading,
    }
}

/// The confirmations, each with the document's kind, title and version (checked to be the required
/// ones, in the versions in force, before this is called).
fn confirmed(catalogue: &Catalogue, application: &Application) -> Vec<ConfirmedDocument> {
    let mut documents: Vec<(&Document, ConfirmedDocument)> = application
        .confirmations
        .iter()
        .filter_map(|c| {
            let d = catalogue.sale.document(&c.document)?;
            let confirmed = ConfirmedDocument {
                id: d.id.clone(),
                kind: d.kind,
                title: d.title.clone(),
                version: d.version.clone(),
                sha256: d.sha256.clone(),
                confirmed_at: c.confirmed_at,
            };
            Some((d, confirmed))
        })
        .collect();
    documents.sort_by_key(|(d, _)| d.kind);
    documents.into_iter().map(|(_, c)| c).collect()
}

/// What a cancellation within the cooling-off period refunds: every premium paid, less the fee (never
/// more than was paid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refund {
    pub premiums_paid: Decimal,
    pub fee: Decimal,
    pub amount: Decimal,
}

/// The refund of `policy` cancelled on `cancelled_on` (the server's date) after `premiums_paid` were
/// paid (the server's record). Errors: before issue, no cooling-off period or after it, more paid than
/// has fallen due.
pub fn cooling_off_refund(policy: &Policy, cancelled_on: NaiveDate, premiums_paid: Decimal) -> Result<Refund, Errors> {
    let fail = |field: &str, rule| Err(Errors::one(field, ErrorKind::Purchase(rule)));
    if cancelled_on < policy.issued_on {
        return fail("cancelled_on", Rule::CancelledBeforeIssue { issued: policy.issued_on.to_string() });
    }
    let Some(until) = policy.cooling_off.until else { return fail("cancelled_on", Rule::NoCoolingOff) };
    if cancelled_on > until {
        return fail("cancelled_on", Rule::CoolingOffOver { until: until.to_string() });
    }
    let due = crate::money::sum(
        Decimal::ZERO,
        policy.schedule.payments.iter().filter(|p| p.due_on <= cancelled_on).map(|p| p.amount),
    );
    if premiums_paid < Decimal::ZERO || premiums_paid > due {
        return fail("premiums_paid", Rule::PaidAboveDue { paid: premiums_paid.to_string(), due: due.to_string() });
    }
    let fee = policy.cooling_off.fee.min(premiums_paid);
    let amount = premiums_paid - fee;
    assert!(amount >= Decimal::ZERO && amount + fee == premiums_paid, "refund + fee = premiums paid, refund ≥ 0");
    Ok(Refund { premiums_paid, fee, amount })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purchase::fixture::{catalogue, form_for_self, holder_id, quote, term_for_self, today};
    use crate::term::Frequency;

    fn issued(quote: &Quote) -> Policy {
        let checked = crate::purchase::check(catalogue(), quote, &form_for_self(quote), today()).unwrap();
        issue(catalogue(), quote, &checked.application, "P2026112500000001", today()).unwrap()
    }

    #[test]
    fn a_policy_carries_its_dates_schedule_and_documents() {
        let q = term_for_self();
        let policy = issued(&q);
        assert_eq!(policy.effective_from.to_string(), "2026-11-26");
        assert_eq!(policy.cooling_off.days, 15);
        assert_eq!(policy.cooling_off.until.map(|d| d.to_string()).as_deref(), Some("2026-12-10"));
        assert_eq!(policy.coverages[0].cover_until.map(|d| d.to_string()).as_deref(), Some("2046-11-25"));
        assert_eq!(policy.premiums, q.totals);
        let kinds: Vec<DocumentKind> = policy.documents.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, DocumentKind::ALL);
        let json = policy.to_json();
        assert!(json.starts_with(r#"{"format":"premia-policy-v1","number":"P2026112500000001""#), "{json}");
        assert!(!json.contains(&holder_id()));
        assert_eq!(serde_json::from_str::<Policy>(&json).unwrap(), policy, "a CRM reads back what was signed");
        assert_eq!(policy.to_json(), json, "the same bytes every time");
    }

    #[test]
    fn only_the_servers_numbers_and_confirmed_applications_are_issued() {
        let q = term_for_self();
        let mut application = crate::purchase::check(catalogue(), &q, &form_for_self(&q), today()).unwrap().application;
        let errors = issue(catalogue(), &q, &application, "p-1 ", today()).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.code()).collect::<Vec<_>>(), ["policy.number"]);
        application.confirmations.pop();
        let errors = issue(catalogue(), &q, &application, "P1", today()).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.code()).collect::<Vec<_>>(), ["document.not_confirmed"]);
    }

    #[test]
    fn cancelling_within_the_cooling_off_period_refunds_what_was_paid() {
        let policy = issued(&term_for_self());
        let paid = policy.schedule.payments[0].amount;
        let day = |text: &str| text.parse::<NaiveDate>().unwrap();
        let refund = cooling_off_refund(&policy, day("2026-12-10"), paid).unwrap();
        assert_eq!((refund.amount, refund.fee), (paid, Decimal::ZERO));
        let code = |r: Result<Refund, Errors>| r.unwrap_err().iter().next().map(|e| e.code()).unwrap_or_default();
        assert_eq!(code(cooling_off_refund(&policy, day("2026-12-11"), paid)), "policy.cooling_off_over");
        assert_eq!(code(cooling_off_refund(&policy, day("2026-11-24"), paid)), "policy.cancelled_before_issue");
        assert_eq!(code(cooling_off_refund(&policy, day("2026-11-30"), paid + Decimal::ONE)), "policy.paid_above_due");
        let mut with_fee = policy.clone();
        with_fee.cooling_off.fee = Decimal::TEN;
        let refund = cooling_off_refund(&with_fee, day("2026-11-30"), paid).unwrap();
        assert_eq!(refund.amount + refund.fee, paid);
        // One-year medical cover has no cooling-off period in this catalogue.
        let med = quote("MED", 3_000_000, "years:1", "years:1", Frequency::Annual, &holder_id());
        let mut form = form_for_self(&med);
        form.beneficiaries = None;
        let application = crate::purchase::check(catalogue(), &med, &form, today()).unwrap().application;
        let policy = issue(catalogue(), &med, &application, "P2", today()).unwrap();
        assert_eq!(
            code(cooling_off_refund(&policy, today(), policy.schedule.payments[0].amount)),
            "policy.no_cooling_off"
        );
    }
}
