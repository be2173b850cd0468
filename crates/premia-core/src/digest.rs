//! The quote digest: SHA-256 over a canonical binary encoding of the request and the result.
//!
//! # Canonical encoding, `premia-digest-v1`
//!
//! The tag `premia-digest-v1\n`, then the fields below in this order, each encoded as:
//! text — u32 length (little-endian) and UTF-8 bytes; integers — u32 little-endian; booleans — one
//! byte 0/1; dates — i32 days from the common era, little-endian; decimals — the 16 bytes of
//! `rust_decimal::Decimal::serialize` (flags with sign and scale, then the 96-bit mantissa,
//! little-endian), so "1.50" and "1.5" differ; optional values — a byte 0 (absent) or 1 and the value;
//! lists — u32 count then the items; enums and terms — their JSON spelling as text.
//!
//! Fields: catalogue id, version, content hash; illustrative; the request (quote date; insured: birth
//! date, age, resident ID (never present in a quote's own request), its hash, sex, smoker, occupation
//! class, social insurance, region, height, weight, income, existing cover, health answers in question
//! order; coverages: product, sum assured, annuity amount, coverage term, payment term, frequency, plan,
//! payout start age, guaranteed years, riders (code, sum assured); channel and agent code; coupons;
//! bundle); valid-until; each coverage's figures (product, version, age, sex, smoker, sum assured,
//! annuity amount, terms, payment years, frequency, instalments a year, base premium, riders (code, sum
//! assured, premium), annual, instalment, first-year and total premium, decision); declined coverages
//! (product, version, decision); the overall decision; discounts (kind, code, every-year flag, products,
//! first-year and total amounts, capped); rejected coupons (coupon, error code); coupons used (id, kind,
//! series, single use); the totals. A decision is its outcome (as its rank, accept = 0 … decline = 5),
//! review flag and each reason's rule, outcome, product, loading and whether it has an exclusion. Names,
//! lines, messages and worksheet steps are left out: the product code, version and catalogue hash fix
//! them, and the worksheets are derived from the same inputs.
//!
//! No text formatting and no platform-dependent layout is involved, so wasm32 and x86-64 produce the
//! same bytes; `tests/engine.rs` checks that changing any request field or figure changes the digest.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::coupon::AppliesTo;
use crate::quote::{CoverageQuote, Quote};
use crate::request::{Channel, CoverageRequest, Insured, QuoteRequest, Sex};
use crate::underwriting::{Decision, Outcome};

const TAG: &[u8] = b"premia-digest-v1\n";

/// The digest of `quote`, ignoring its `digest` field.
pub fn of(quote: &Quote) -> String {
    let mut canon = Canon(Vec::with_capacity(1024));
    canon.0.extend_from_slice(TAG);
    canon.quote(quote);
    hex(&Sha256::digest(&canon.0))
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

struct Canon(Vec<u8>);

impl Canon {
    fn text(&mut self, s: &str) {
        self.count(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn count(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn flag(&mut self, b: bool) {
        self.0.push(u8::from(b));
    }

    fn dec(&mut self, d: Decimal) {
        self.0.extend_from_slice(&d.serialize());
    }

    fn date(&mut self, d: NaiveDate) {
        self.0.extend_from_slice(&d.num_days_from_ce().to_le_bytes());
    }

    fn opt<T>(&mut self, value: Option<T>, write: impl FnOnce(&mut Self, T)) {
        self.flag(value.is_some());
        if let Some(v) = value {
            write(self, v);
        }
    }

    /// Enums and terms by their serialized spelling.
    fn spelled(&mut self, value: impl std::fmt::Display) {
        use std::fmt::Write;
        let mut text = String::new();
        let _ = write!(text, "{value}");
        self.text(&text);
    }

    fn quote(&mut self, q: &Quote) {
        self.text(&q.catalogue.id);
        self.text(&q.catalogue.version);
        self.text(&q.catalogue.content_hash);
        self.flag(q.illustrative);
        self.request(&q.request);
        self.date(q.valid_until);
        self.count(q.coverages.len());
        for c in &q.coverages {
            self.figures(c);
        }
        self.count(q.declined.len());
        for d in &q.declined {
            self.text(&d.product);
            self.u32(d.product_version);
            self.decision(&d.decision);
        }
        self.decision(&q.decision);
        self.count(q.discounts.len());
        for d in &q.discounts {
            self.text(d.kind.name());
            self.text(&d.code);
            self.flag(d.applies_to == AppliesTo::EveryYear);
            self.count(d.products.len());
            d.products.iter().for_each(|p| self.text(p));
            self.dec(d.first_year);
            self.dec(d.total);
            self.flag(d.capped);
        }
        self.count(q.rejected_coupons.len());
        for r in &q.rejected_coupons {
            self.text(&r.coupon);
            self.text(&r.code);
        }
        self.count(q.coupons_used.len());
        for u in &q.coupons_used {
            self.text(&u.id);
            self.text(u.kind.name());
            self.text(&u.series);
            self.flag(u.single_use);
        }
        let t = &q.totals;
        for figure in [
            t.annual_premium,
            t.first_year_premium,
            t.total_premium,
            t.discount_first_year,
            t.discount_total,
            t.net_first_year_premium,
            t.net_total_premium,
        ] {
            self.dec(figure);
        }
    }

    /// Outcome, review flag, and each reason's rule, outcome, product and loading (its text follows from
    /// those and the catalogue).
    fn decision(&mut self, d: &Decision) {
        self.spelled_outcome(d.outcome);
        self.flag(d.two_person_review);
        self.count(d.reasons.len());
        for r in &d.reasons {
            self.text(&r.rule);
            self.spelled_outcome(r.outcome);
            self.opt(r.product.as_deref(), Self::text);
            self.opt(r.loading, Self::dec);
            self.flag(r.exclusion.is_some());
        }
    }

    fn spelled_outcome(&mut self, outcome: Outcome) {
        self.u32(outcome as u32);
    }

    fn request(&mut self, r: &QuoteRequest) {
        self.date(r.quote_date);
        self.insured(&r.insured);
        self.count(r.coverages.len());
        for c in &r.coverages {
            self.coverage_request(c);
        }
        match &r.channel {
            Channel::Direct => self.text("direct"),
            Channel::Agent { agent_code } => {
                self.text("agent");
                self.text(agent_code);
            }
        }
        self.count(r.coupons.len());
        r.coupons.iter().for_each(|c| self.text(c));
        self.opt(r.bundle.as_deref(), Self::text);
    }

    fn insured(&mut self, i: &Insured) {
        self.opt(i.birth_date, Self::date);
        self.opt(i.age, Self::u32);
        self.opt(i.resident_id.as_deref(), Self::text);
        // The slot of the retired `resident_id_hash` (a salted hash a quote once carried): always absent,
        // so the encoding and every digest stay as they were for quotes without one.
        self.opt(None::<&str>, Self::text);
        self.opt(i.sex.map(Sex::name), Self::text);
        self.flag(i.smoker);
        self.u32(u32::from(i.occupation_class));
        self.flag(i.social_insurance);
        self.opt(i.region.as_deref(), Self::text);
        self.opt(i.height_cm, Self::dec);
        self.opt(i.weight_kg, Self::dec);
        self.opt(i.annual_income, Self::dec);
        self.opt(i.existing_cover, Self::dec);
        self.count(i.health_answers.len());
        for (question, answer) in &i.health_answers {
            self.text(question);
            self.flag(answer.yes);
            self.opt(answer.follow_up.as_deref(), Self::text);
        }
    }

    fn coverage_request(&mut self, c: &CoverageRequest) {
        self.text(&c.product);
        self.opt(c.sum_assured, Self::dec);
        self.opt(c.annuity_amount, Self::dec);
        self.spelled(c.coverage_term);
        self.spelled(c.payment_term);
        self.text(c.frequency.name());
        self.opt(c.plan.as_deref(), Self::text);
        self.opt(c.payout_start_age, Self::u32);
        self.opt(c.guaranteed_years, Self::u32);
        self.count(c.riders.len());
        for rider in &c.riders {
            self.text(&rider.code);
            self.opt(rider.sum_assured, Self::dec);
        }
    }

    fn figures(&mut self, c: &CoverageQuote) {
        self.text(&c.product);
        self.u32(c.product_version);
        self.u32(c.age);
        self.text(c.sex.name());
        self.flag(c.smoker);
        self.opt(c.sum_assured, Self::dec);
        self.opt(c.annuity_amount, Self::dec);
        self.spelled(c.coverage_term);
        self.spelled(c.payment_term);
        self.u32(c.payment_years);
        self.text(c.frequency.name());
        self.u32(c.instalments_per_year);
        self.dec(c.base_premium);
        self.count(c.riders.len());
        for rider in &c.riders {
            self.text(&rider.code);
            self.dec(rider.sum_assured);
            self.dec(rider.annual_premium);
        }
        self.dec(c.annual_premium);
        self.dec(c.instalment_premium);
        self.dec(c.first_year_premium);
        self.dec(c.total_premium);
        self.decision(&c.decision);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_two_digits_per_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn decimals_encode_their_scale() {
        let mut a = Canon(Vec::new());
        a.dec(Decimal::new(150, 2));
        let mut b = Canon(Vec::new());
        b.dec(Decimal::new(15, 1));
        assert_ne!(a.0, b.0);
        assert_eq!(a.0.len(), 16);
    }
}
