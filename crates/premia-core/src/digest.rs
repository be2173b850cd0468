//! The quote digest: SHA-256 over a canonical serialization of the request and the result.
//!
//! Canonical form (version `premia-digest-v1`): the UTF-8 bytes of the tag line `premia-digest-v1\n`,
//! then compact JSON (no spaces, fields in the order written below, money as decimal strings exactly as
//! in the quote) of: catalogue reference, illustrative flag, request, valid-until date, each coverage's
//! figures (every field of the coverage except its worksheet, whose values are derived from the same
//! inputs and whose labels are presentation), and the totals. The same bytes on every platform, since
//! every figure is a `Decimal` computed by integer arithmetic.

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::quote::{CoverageQuote, Quote};

const TAG: &[u8] = b"premia-digest-v1\n";

/// The digest of `quote`, ignoring its `digest` field.
pub fn of(quote: &Quote) -> String {
    let mut writer = HashWriter(Sha256::new());
    writer.0.update(TAG);
    // Serializing these types cannot fail: no maps with non-string keys, no custom errors.
    let _ = serde_json::to_writer(&mut writer, &Canonical(quote));
    hex(&writer.0.finalize())
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

struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Canonical<'a>(&'a Quote);

impl Serialize for Canonical<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let q = self.0;
        let mut s = serializer.serialize_struct("Quote", 6)?;
        s.serialize_field("catalogue", &q.catalogue)?;
        s.serialize_field("illustrative", &q.illustrative)?;
        s.serialize_field("request", &q.request)?;
        s.serialize_field("valid_until", &q.valid_until)?;
        s.serialize_field("coverages", &Coverages(&q.coverages))?;
        s.serialize_field("totals", &q.totals)?;
        s.end()
    }
}

struct Coverages<'a>(&'a [CoverageQuote]);

impl Serialize for Coverages<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for c in self.0 {
            seq.serialize_element(&Figures(c))?;
        }
        seq.end()
    }
}

/// A coverage without its worksheet.
struct Figures<'a>(&'a CoverageQuote);

impl Serialize for Figures<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut s = serializer.serialize_struct("Coverage", 21)?;
        s.serialize_field("product", &c.product)?;
        s.serialize_field("product_version", &c.product_version)?;
        s.serialize_field("name", &c.name)?;
        s.serialize_field("line", &c.line)?;
        s.serialize_field("age", &c.age)?;
        s.serialize_field("sex", &c.sex)?;
        s.serialize_field("smoker", &c.smoker)?;
        s.serialize_field("sum_assured", &c.sum_assured)?;
        s.serialize_field("annuity_amount", &c.annuity_amount)?;
        s.serialize_field("coverage_term", &c.coverage_term)?;
        s.serialize_field("payment_term", &c.payment_term)?;
        s.serialize_field("payment_years", &c.payment_years)?;
        s.serialize_field("frequency", &c.frequency)?;
        s.serialize_field("instalments_per_year", &c.instalments_per_year)?;
        s.serialize_field("base_premium", &c.base_premium)?;
        s.serialize_field("riders", &c.riders)?;
        s.serialize_field("annual_premium", &c.annual_premium)?;
        s.serialize_field("instalment_premium", &c.instalment_premium)?;
        s.serialize_field("first_year_premium", &c.first_year_premium)?;
        s.serialize_field("total_premium", &c.total_premium)?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_two_digits_per_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }
}
