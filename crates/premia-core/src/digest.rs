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
//! date, age, sex, smoker, occupation class, social insurance, region; coverages: product, sum assured,
//! annuity amount, coverage term, payment term, frequency, plan, payout start age, guaranteed years,
//! riders (code, sum assured); channel and agent code); valid-until; each coverage's figures (product,
//! version, age, sex, smoker, sum assured, annuity amount, terms, payment years, frequency, instalments a
//! year, base premium, riders (code, sum assured, premium), annual, instalment, first-year and total
//! premium); the totals. Names, lines and worksheet steps are left out: the product code, version and
//! catalogue hash fix the names, and the worksheet is derived from the same inputs.
//!
//! No text formatting and no platform-dependent layout is involved, so wasm32 and x86-64 produce the
//! same bytes; `tests/engine.rs` checks that changing any request field or figure changes the digest.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::quote::{CoverageQuote, Quote};
use crate::request::{Channel, CoverageRequest, Insured, QuoteRequest};

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
        self.dec(q.totals.annual_premium);
        self.dec(q.totals.first_year_premium);
        self.dec(q.totals.total_premium);
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
    }

    fn insured(&mut self, i: &Insured) {
        self.opt(i.birth_date, Self::date);
        self.opt(i.age, Self::u32);
        self.text(i.sex.name());
        self.flag(i.smoker);
        self.u32(u32::from(i.occupation_class));
        self.flag(i.social_insurance);
        self.opt(i.region.as_deref(), Self::text);
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
