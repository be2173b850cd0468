//! The compiled catalogue: a validated [`Catalogue`] as compact bytes, for clients that should carry
//! neither a TOML parser nor the catalogue's validation (the browser).
//!
//! `premia catalogue compile` validates a TOML catalogue and writes this form; the browser decodes it
//! straight into the indexed catalogue the engine reads. Decoding checks the shape (every length, tag,
//! date and decimal), never the business rules: those were checked when the catalogue was compiled, and
//! the server, which trusts no client, re-prices every quote from its own TOML catalogue anyway.
//!
//! What is not stored is rebuilt: commutation columns from the q_x columns (so the browser needs no
//! `exp`/`ln`), the age index of every rate table, the product index. The catalogue's own test cases
//! are left out (they are run where the catalogue is compiled). The content hash is the TOML source's,
//! so a quote names the same catalogue whichever form priced it.
//!
//! Layout: the magic `PREMIA-CATALOGUE`, a format version byte, the length of the sale section (4
//! bytes, little-endian), then the fields in declaration order, and last the sale section
//! ([`sale::SaleRules`]: the documents, application and policy rules), which only buying reads. Builds
//! without the `purchase` feature (the quote site and the widget) skip it unread, and embed the demo
//! catalogue without it ([`without_sale`]): what the widget downloads first carries no sale rules
//! (1.3 KB compressed of the demo's, and their decoder). An empty sale section is a catalogue that
//! sells nothing online.
//! Integers are LEB128 varints; a decimal is its scale byte and its zig-zag mantissa; a date is its
//! day number from the common era; a string, list or map is its length then its items; an option or
//! enum is a tag byte then its fields. Columns of decimals (rate tables, q_x) are stored column by
//! column, each cell as its difference from a prediction by the two cells above (`put_column`): 31 %
//! smaller, 37 % once compressed, than whole decimals (format version 2).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use ed25519_dalek::VerifyingKey;
use rust_decimal::Decimal;

use super::mortality::{Commutation, MortalityBasis};
use super::table::{AgeRow, AgeTable, ColumnKey};
use super::*;
use crate::bundles::{Bundle, IfDeclined};
use crate::discounts::coupon::{
    AppliesTo, CouponKind, CouponRules, Eligibility, PaymentType, PercentRule, VoucherSeries,
};
use crate::error::{ErrorKind, Errors};
use crate::money::{RoundMode, Rounding, RoundingRules, RoundingStep};
use crate::request::{Channel, CoverageRequest, RiderRequest, Sex};
use crate::underwriting::{AgeRange, BmiBand, FollowUp, Outcome, OutcomeRule, ProductRules, Question, Rules};
use sale::{
    ApplicationRules, Document, DocumentKind, PolicyRules, ProductSale, Relationship, RelationshipRule, SaleRules,
};

const MAGIC: &[u8] = b"PREMIA-CATALOGUE";
const FORMAT_VERSION: u8 = 5;
/// Where the sale section's length is written, and where the fields start.
const SALE_LEN_AT: usize = MAGIC.len() + 1;
const HEADER: usize = SALE_LEN_AT + 4;

/// Encode a validated catalogue.
pub(super) fn encode(catalogue: &Catalogue) -> Vec<u8> {
    let mut out = Writer(Vec::with_capacity(32 * 1024));
    out.0.extend_from_slice(MAGIC);
    out.0.push(FORMAT_VERSION);
    out.0.extend_from_slice(&[0; 4]);
    catalogue.put(&mut out);
    let body_end = out.0.len();
    catalogue.sale.put(&mut out);
    let sale_len =
        u32::try_from(out.0.len() - body_end).expect("a catalogue's sale rules are kilobytes, not gigabytes");
    out.0[SALE_LEN_AT..HEADER].copy_from_slice(&sale_len.to_le_bytes());
    out.0
}

/// Decode a compiled catalogue; an error says where the bytes stop making sense.
pub(super) fn decode(bytes: &[u8]) -> Result<Catalogue, CatalogueError> {
    let corrupt = |message: String| Errors::one("compiled catalogue", ErrorKind::Syntax { message });
    let body = bytes.strip_prefix(MAGIC).ok_or_else(|| corrupt("not a compiled Premia catalogue".into()))?;
    match body.first() {
        Some(&FORMAT_VERSION) => {}
        Some(other) => return Err(corrupt(format!("format version {other} (this build reads {FORMAT_VERSION})"))),
        None => return Err(corrupt("ends after its header".into())),
    }
    let body_end = bytes
        .get(SALE_LEN_AT..HEADER)
        .and_then(|len| bytes.len().checked_sub(u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize))
        .filter(|&end| end >= HEADER)
        .ok_or_else(|| corrupt("its sale section's length is longer than the catalogue".into()))?;
    let mut reader = Reader { bytes: &bytes[..body_end], at: HEADER, mortality: Vec::new() };
    #[cfg_attr(not(feature = "purchase"), expect(unused_mut))]
    let mut catalogue = Catalogue::take(&mut reader).map_err(|at| corrupt(format!("malformed at byte {at}")))?;
    if reader.at != body_end {
        return Err(corrupt(format!("{} unexpected bytes before the sale section", body_end - reader.at)));
    }
    #[cfg(feature = "purchase")]
    if body_end < bytes.len() {
        let mut reader = Reader { bytes, at: body_end, mortality: Vec::new() };
        catalogue.sale = SaleRules::take(&mut reader).map_err(|at| corrupt(format!("malformed at byte {at}")))?;
        if reader.at != bytes.len() {
            return Err(corrupt(format!("{} unexpected bytes after the catalogue", bytes.len() - reader.at)));
        }
    }
    Ok(catalogue)
}

/// The length of the compiled catalogue `bytes` without its sale section.
#[cfg_attr(feature = "purchase", allow(dead_code))]
pub(crate) const fn len_without_sale(bytes: &[u8]) -> usize {
    assert!(bytes[MAGIC.len()] == FORMAT_VERSION, "a compiled catalogue of another format version");
    let len = [bytes[SALE_LEN_AT], bytes[SALE_LEN_AT + 1], bytes[SALE_LEN_AT + 2], bytes[SALE_LEN_AT + 3]];
    bytes.len() - u32::from_le_bytes(len) as usize
}

/// The compiled catalogue `bytes` without its sale section (`N` is [`len_without_sale`]): a catalogue
/// that sells nothing online, priced exactly as `bytes` is. Evaluated at compile time, so a build that
/// never buys (no `purchase` feature) does not carry the section's bytes.
#[cfg_attr(feature = "purchase", allow(dead_code))]
pub(crate) const fn without_sale<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut at = 0;
    while at < N {
        out[at] = if at >= SALE_LEN_AT && at < HEADER { 0 } else { bytes[at] };
        at += 1;
    }
    out
}

struct Writer(Vec<u8>);

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// The catalogue's mortality bases once read: actuarial ratings tabulate their commutation
    /// columns from them.
    mortality: Vec<MortalityBasis>,
}

/// The offset at which decoding failed.
type Malformed = usize;

impl Writer {
    fn varint(&mut self, mut value: u128) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }
}

impl Reader<'_> {
    fn fail<T>(&self) -> Result<T, Malformed> {
        Err(self.at)
    }

    fn byte(&mut self) -> Result<u8, Malformed> {
        let byte = *self.bytes.get(self.at).ok_or(self.at)?;
        self.at += 1;
        Ok(byte)
    }

    fn varint(&mut self) -> Result<u128, Malformed> {
        let mut value = 0u128;
        for shift in (0..128).step_by(7) {
            let byte = self.byte()?;
            value |= u128::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        self.fail()
    }

    fn bytes(&mut self, len: usize) -> Result<&[u8], Malformed> {
        let end = self.at.checked_add(len).filter(|&end| end <= self.bytes.len()).ok_or(self.at)?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    /// A length that cannot claim more items than bytes remain (each item takes at least one), so a
    /// corrupt length never makes a huge allocation.
    fn len(&mut self) -> Result<usize, Malformed> {
        let len = usize::take(self)?;
        if len > self.bytes.len() - self.at {
            return self.fail();
        }
        Ok(len)
    }
}

/// A value with a place in the compiled form.
trait Snap: Sized {
    fn put(&self, out: &mut Writer);
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed>;
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl Snap for $t {
            fn put(&self, out: &mut Writer) {
                out.varint(*self as u128);
            }
            fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
                let at = input.at;
                <$t>::try_from(input.varint()?).map_err(|_| at)
            }
        }
    )*};
}
unsigned!(u8, u16, u32, usize);

impl Snap for bool {
    fn put(&self, out: &mut Writer) {
        out.0.push(u8::from(*self));
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        match input.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(input.at - 1),
        }
    }
}

fn zigzag(value: i128) -> u128 {
    ((value << 1) ^ (value >> 127)) as u128
}

fn unzigzag(value: u128) -> i128 {
    ((value >> 1) as i128) ^ -((value & 1) as i128)
}

impl Snap for Decimal {
    fn put(&self, out: &mut Writer) {
        out.0.push(self.scale() as u8);
        out.varint(zigzag(self.mantissa()));
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        let at = input.at;
        let scale = input.byte()?;
        let mantissa = unzigzag(input.varint()?);
        Decimal::try_from_i128_with_scale(mantissa, u32::from(scale)).map_err(|_| at)
    }
}

impl Snap for NaiveDate {
    fn put(&self, out: &mut Writer) {
        out.varint(zigzag(i128::from(self.num_days_from_ce())));
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        let at = input.at;
        let days = i32::try_from(unzigzag(input.varint()?)).map_err(|_| at)?;
        NaiveDate::from_num_days_from_ce_opt(days).ok_or(at)
    }
}

impl Snap for String {
    fn put(&self, out: &mut Writer) {
        self.len().put(out);
        out.0.extend_from_slice(self.as_bytes());
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        let len = input.len()?;
        let at = input.at;
        let bytes = input.bytes(len)?;
        std::str::from_utf8(bytes).map(str::to_owned).map_err(|_| at)
    }
}

impl Snap for Arc<str> {
    fn put(&self, out: &mut Writer) {
        self.to_string().put(out);
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        String::take(input).map(Arc::from)
    }
}

impl Snap for Cow<'static, str> {
    fn put(&self, out: &mut Writer) {
        self.to_string().put(out);
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        String::take(input).map(Cow::Owned)
    }
}

impl<T: Snap> Snap for Option<T> {
    fn put(&self, out: &mut Writer) {
        match self {
            None => out.0.push(0),
            Some(value) => {
                out.0.push(1);
                value.put(out);
            }
        }
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        match input.byte()? {
            0 => Ok(None),
            1 => T::take(input).map(Some),
            _ => Err(input.at - 1),
        }
    }
}

impl<T: Snap> Snap for Vec<T> {
    fn put(&self, out: &mut Writer) {
        self.len().put(out);
        self.iter().for_each(|item| item.put(out));
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        // A plain loop: `collect` into a `Result` instantiates iterator adapters for every item type.
        let len = input.len()?;
        let mut items = Vec::with_capacity(len);
        for _ in 0..len {
            items.push(T::take(input)?);
        }
        Ok(items)
    }
}

impl<V: Snap> Snap for BTreeMap<String, V> {
    fn put(&self, out: &mut Writer) {
        self.len().put(out);
        for (key, value) in self {
            key.put(out);
            value.put(out);
        }
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        let len = input.len()?;
        let mut map = BTreeMap::new();
        for _ in 0..len {
            map.insert(String::take(input)?, V::take(input)?);
        }
        Ok(map)
    }
}

impl<A: Snap, B: Snap> Snap for (A, B) {
    fn put(&self, out: &mut Writer) {
        self.0.put(out);
        self.1.put(out);
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        Ok((A::take(input)?, B::take(input)?))
    }
}

impl<T: Snap, const N: usize> Snap for [T; N] {
    fn put(&self, out: &mut Writer) {
        self.iter().for_each(|item| item.put(out));
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        let at = input.at;
        let mut items = Vec::with_capacity(N);
        for _ in 0..N {
            items.push(T::take(input)?);
        }
        items.try_into().map_err(|_| at)
    }
}

/// A struct whose every field is stored, in this order.
macro_rules! fields {
    ($t:ident { $($field:ident),* $(,)? }) => {
        impl Snap for $t {
            fn put(&self, out: &mut Writer) {
                $(self.$field.put(out);)*
            }
            fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
                Ok($t { $($field: Snap::take(input)?),* })
            }
        }
    };
}

/// Enums without data, each stored as the variant's place in its list (a tag byte). Every list names
/// every variant, once: `put` is an exhaustive `match` (a variant left out does not compile) numbering
/// variants by `Tag`, which declares them in the list's order (one named twice does not compile). Never
/// reorder a list: the tags are the compiled form's (`the_tags_are_pinned`); add new variants last.
macro_rules! variants {
    ($($t:ident { $($variant:ident),+ $(,)? })+) => {
        $(impl Snap for $t {
            fn put(&self, out: &mut Writer) {
                #[allow(dead_code)]
                enum Tag {
                    $($variant),+
                }
                out.0.push(match self {
                    $($t::$variant => Tag::$variant as u8),+
                });
            }
            fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
                const ALL: &[$t] = &[$($t::$variant),+];
                let tag = input.byte()?;
                ALL.get(usize::from(tag)).copied().ok_or(input.at - 1)
            }
        })+

        /// Each enum's name with every variant (all of `Type::ALL`, listed apart from the lists above)
        /// and the tag it is stored as.
        #[cfg(test)]
        fn every_tag() -> Vec<(&'static str, Vec<(String, Vec<u8>)>)> {
            vec![$((stringify!($t), $t::ALL.iter().map(|v| (format!("{v:?}"), tag_of(v))).collect())),+]
        }

        /// One test per enum: every variant is stored in one byte of its own and read back as itself.
        #[cfg(test)]
        #[allow(non_snake_case)]
        mod every_variant_round_trips {
            use super::*;
            $(#[test]
            fn $t() {
                round_trip_every_variant(&$t::ALL);
            })+
        }
    };
}

variants! {
    Sex { Male, Female }
    Line { CriticalIllness, Medical, TermLife, WholeLife, Endowment, Annuity, Accident, LongTermCare, CityHealth }
    AgeBasis { LastBirthday, NearestBirthday }
    AmountKind { SumAssured, AnnuityAmount }
    Frequency { Annual, SemiAnnual, Quarterly, Monthly }
    Benefit { Term, WholeLife, Endowment, Annuity }
    RoundMode { HalfUp, HalfEven, Down, Up }
    Outcome { Accept, AcceptWithConditions, MedicalExam, Refer, Pending, Decline }
    IfDeclined { DropProduct, DropBundle }
    CouponKind { Bundle, Campaign, Referral, Voucher }
    AppliesTo { FirstYear, EveryYear }
    PaymentType { Any, Regular, Single }
    DocumentKind { Notice, Terms, Exclusions, HealthDeclaration }
    Relationship { Oneself, Spouse, Child, Parent }
}

/// The bytes `value` is stored as.
#[cfg(test)]
fn tag_of<T: Snap>(value: &T) -> Vec<u8> {
    let mut out = Writer(Vec::new());
    value.put(&mut out);
    out.0
}

#[cfg(test)]
fn round_trip_every_variant<T: Snap + PartialEq + std::fmt::Debug>(all: &[T]) {
    let mut seen = std::collections::BTreeSet::new();
    for value in all {
        let bytes = tag_of(value);
        assert_eq!(bytes.len(), 1, "{value:?} is one tag byte");
        assert!(seen.insert(bytes.clone()), "{value:?} shares its tag {bytes:?}");
        let mut input = Reader { bytes: &bytes, at: 0, mortality: Vec::new() };
        assert_eq!(&T::take(&mut input).unwrap(), value);
        assert_eq!(input.at, 1);
    }
    let mut past = Reader { bytes: &[all.len() as u8], at: 0, mortality: Vec::new() };
    assert_eq!(T::take(&mut past), Err(0), "the tag after the last is malformed");
}

fields!(Text { zh, en });
fields!(IssueAge { min, max, min_days });
fields!(AmountRule { kind, min, max, step });
fields!(Factors { smoker, occupation });
fields!(Plan { id, name, deductible });
fields!(Loadings { per_mille_sum_assured, policy_fee, premium_percent, premium_percent_after });
fields!(AnnuityOptions { payout_start_ages, guaranteed_years });
fields!(Rider { code, name, amount, rating });
fields!(ColumnKey { sex, payment, social, plan });
fields!(Rounding { scale, mode });
fields!(OutcomeRule { outcome, loading, exclusion, two_person_review });
fields!(Question { id, text, if_yes, follow_up, options });
fields!(FollowUp { id, text, then });
fields!(AgeRange { from, to });
fields!(BmiBand { ages, refer_below, accept_max, refer_max });
fields!(Rules {
    two_person_review_age,
    income_needed_above,
    bmi,
    income_multiples,
    non_medical_limits,
    minor_death_caps,
    questions,
});
fields!(ProductRules {
    questions,
    bmi,
    financial,
    non_medical,
    death_benefit,
    max_issue_age,
    max_payment_end_age,
    occupation_refer,
    occupation_decline,
});
fields!(Bundle { id, name, reason, ages, rank, discount, if_declined, items });
fields!(CoverageRequest {
    product,
    sum_assured,
    annuity_amount,
    coverage_term,
    payment_term,
    frequency,
    plan,
    payout_start_age,
    guaranteed_years,
    riders,
});
fields!(RiderRequest { code, sum_assured });
fields!(Eligibility { from, to, products, channels, payment });
fields!(PercentRule { id, name, percent, applies_to, eligible, max_uses });
fields!(VoucherSeries { id, name, amount, min_premium, eligible });
fields!(SaleRules { documents, products, application, policy });
fields!(ProductSale { product, version, documents, cooling_off_days });
fields!(ApplicationRules {
    policyholder_min_age,
    parent_min_age_gap,
    relationships,
    beneficiary_relationships,
    max_beneficiaries,
});
fields!(RelationshipRule { insured_is, insured_ages });
fields!(PolicyRules { effective_days_after_payment, grace_period_days, cooling_off_fee });
fields!(Product {
    code,
    version,
    effective_from,
    effective_to,
    name,
    description,
    line,
    age_basis,
    issue_age,
    amount,
    coverage_terms,
    payment_terms,
    frequencies,
    rounding,
    factors,
    requires_social_insurance,
    rating,
    riders,
    underwriting,
});

/// A document without its text (see [`Document::text`]); its SHA-256 as 32 bytes, not 64 hex digits.
impl Snap for Document {
    fn put(&self, out: &mut Writer) {
        self.id.put(out);
        self.kind.put(out);
        self.version.put(out);
        self.title.put(out);
        let mut digest = [0u8; 32];
        // The hash was computed by `build` as 64 lower-case hex digits.
        for (byte, pair) in digest.iter_mut().zip(self.sha256.as_bytes().chunks_exact(2)) {
            let nibble = |c: u8| char::from(c).to_digit(16).unwrap_or(0) as u8;
            *byte = nibble(pair[0]) << 4 | nibble(pair[1]);
        }
        out.0.extend_from_slice(&digest);
        self.bytes.put(out);
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        let (id, kind, version, title) =
            (Snap::take(input)?, Snap::take(input)?, Snap::take(input)?, Snap::take(input)?);
        let sha256 = crate::wire::hex(input.bytes(32)?);
        Ok(Document { id, kind, version, title, sha256, bytes: Snap::take(input)?, text: None })
    }
}

/// A tag byte, then the variant's value.
fn tagged(out: &mut Writer, tag: u8, value: u32) {
    out.0.push(tag);
    value.put(out);
}

impl Snap for CoverageTerm {
    fn put(&self, out: &mut Writer) {
        match *self {
            CoverageTerm::Years(n) => tagged(out, 0, n),
            CoverageTerm::ToAge(age) => tagged(out, 1, age),
            CoverageTerm::Lifelong => out.0.push(2),
        }
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        match input.byte()? {
            0 => Ok(CoverageTerm::Years(u32::take(input)?)),
            1 => Ok(CoverageTerm::ToAge(u32::take(input)?)),
            2 => Ok(CoverageTerm::Lifelong),
            _ => Err(input.at - 1),
        }
    }
}

impl Snap for PaymentTerm {
    fn put(&self, out: &mut Writer) {
        match *self {
            PaymentTerm::Single => out.0.push(0),
            PaymentTerm::Years(n) => tagged(out, 1, n),
            PaymentTerm::ToAge(age) => tagged(out, 2, age),
        }
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        match input.byte()? {
            0 => Ok(PaymentTerm::Single),
            1 => Ok(PaymentTerm::Years(u32::take(input)?)),
            2 => Ok(PaymentTerm::ToAge(u32::take(input)?)),
            _ => Err(input.at - 1),
        }
    }
}

impl Snap for RoundingRules {
    fn put(&self, out: &mut Writer) {
        RoundingStep::ALL.iter().for_each(|&step| self.get(step).put(out));
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        let mut rules = RoundingRules::default();
        for step in RoundingStep::ALL {
            let at = input.at;
            let rule = Rounding::take(input)?;
            // Only a validated catalogue is compiled: a scale beyond what validation allows is damage.
            if rule.scale > Rounding::MAX_SCALE {
                return Err(at);
            }
            rules.set(step, rule);
        }
        Ok(rules)
    }
}

impl Snap for AgeTable {
    fn put(&self, out: &mut Writer) {
        self.name.put(out);
        self.headers.put(out);
        self.columns.put(out);
        self.rows.len().put(out);
        for row in &self.rows {
            (row.from, row.to - row.from).put(out);
        }
        for column in 0..self.columns.len() {
            put_column(out, self.rows.iter().map(|row| row.cells.get(column).copied().flatten()));
        }
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        let at = input.at;
        let (name, headers, columns) = (Arc::<str>::take(input)?, Vec::take(input)?, Vec::<ColumnKey>::take(input)?);
        let count = input.len()?;
        let mut rows = Vec::with_capacity(count);
        for _ in 0..count {
            let (from, span) = <(u32, u32)>::take(input)?;
            let to = from.checked_add(span).ok_or(input.at)?;
            rows.push(AgeRow { from, to, cells: Vec::with_capacity(columns.len()) });
        }
        for _ in 0..columns.len() {
            let mut column = take_column(input, count)?.into_iter();
            rows.iter_mut().for_each(|row| row.cells.push(column.next().flatten()));
        }
        AgeTable::from_rows(name, headers, columns, rows).ok_or(at)
    }
}

/// A column of decimals (a rate table's column, a q_x column), top to bottom, each cell as its
/// difference from a prediction: the cell above plus the step between the two cells above. Rates and
/// probabilities change smoothly with age, so most cells take one byte where a whole decimal took
/// three or four, and compress far better. One varint per cell: 0 for an empty cell, else
/// `2·zigzag(mantissa − prediction) + 1`, plus 1 and then a scale byte when the scale differs from the
/// cell above (which also restarts the step at 0). Empty cells leave the prediction as it was; the
/// first cell is predicted as 0 at scale 0.
fn put_column(out: &mut Writer, cells: impl Iterator<Item = Option<Decimal>>) {
    let mut column = Column::default();
    for cell in cells {
        let Some(value) = cell else {
            out.0.push(0);
            continue;
        };
        let rescaled = value.scale() != column.scale;
        let predicted = column.predict(rescaled);
        out.varint(1 + 2 * zigzag(value.mantissa() - predicted) + u128::from(rescaled));
        if rescaled {
            out.0.push(value.scale() as u8);
        }
        column.advance(value.mantissa(), value.scale(), rescaled);
    }
}

/// Where a column stands while it is written or read: the last cell and the step that led to it.
#[derive(Default)]
struct Column {
    mantissa: i128,
    step: i128,
    scale: u32,
}

impl Column {
    fn predict(&self, rescaled: bool) -> i128 {
        if rescaled { self.mantissa } else { self.mantissa + self.step }
    }

    fn advance(&mut self, mantissa: i128, scale: u32, rescaled: bool) {
        self.step = if rescaled { 0 } else { mantissa - self.mantissa };
        (self.mantissa, self.scale) = (mantissa, scale);
    }
}

fn take_column(input: &mut Reader<'_>, len: usize) -> Result<Vec<Option<Decimal>>, Malformed> {
    let mut column = Column::default();
    let mut cells = Vec::with_capacity(len);
    for _ in 0..len {
        let at = input.at;
        let code = input.varint()?;
        if code == 0 {
            cells.push(None);
            continue;
        }
        let rescaled = (code - 1) % 2 == 1;
        let scale = if rescaled { u32::from(input.byte()?) } else { column.scale };
        // The prediction stays within 2^98 (a mantissa is below 2^96); a corrupt difference can
        // still overflow, and then the bytes are malformed.
        let value = column
            .predict(rescaled)
            .checked_add(unzigzag((code - 1) / 2))
            .and_then(|mantissa| Decimal::try_from_i128_with_scale(mantissa, scale).ok())
            .ok_or(at)?;
        column.advance(value.mantissa(), scale, rescaled);
        cells.push(Some(value));
    }
    Ok(cells)
}

impl Snap for MortalityBasis {
    fn put(&self, out: &mut Writer) {
        self.id.put(out);
        self.name.put(out);
        self.source.put(out);
        self.min_age.put(out);
        self.column(Sex::Male).len().put(out);
        for sex in Sex::ALL {
            put_column(out, self.column(sex).iter().copied().map(Some));
        }
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        let (id, name, source, min_age) =
            (String::take(input)?, Text::take(input)?, String::take(input)?, u32::take(input)?);
        let at = input.at;
        let len = input.len()?;
        let mut column = || take_column(input, len)?.into_iter().collect::<Option<Vec<Decimal>>>().ok_or(at);
        let (male, female) = (column()?, column()?);
        // Commutation columns are tabulated from these on load: only probabilities keep that
        // arithmetic in range.
        let probability = |q: &Decimal| (Decimal::ZERO..=Decimal::ONE).contains(q);
        if male.len() != female.len() || male.is_empty() || !male.iter().chain(&female).all(probability) {
            return Err(at);
        }
        Ok(MortalityBasis::new(id, name, source, min_age, male, female))
    }
}

/// Commutation columns are not stored: [`Catalogue::take`] tabulates them from the basis, as the
/// catalogue loader does.
fn put_actuarial(actuarial: &Actuarial, out: &mut Writer) {
    actuarial.benefit.put(out);
    actuarial.mortality_id.put(out);
    actuarial.interest.put(out);
    actuarial.loadings.put(out);
    actuarial.annuity.put(out);
}

fn take_actuarial(input: &mut Reader<'_>) -> Result<Actuarial, Malformed> {
    let benefit = Benefit::take(input)?;
    let at = input.at;
    let mortality_id = Arc::<str>::take(input)?;
    let interest = Decimal::take(input)?;
    if !(Decimal::ZERO..Decimal::ONE).contains(&interest) {
        return Err(at);
    }
    let basis = input.mortality.iter().find(|b| *b.id == *mortality_id).ok_or(at)?;
    let commutation = Sex::ALL.map(|sex| Commutation::new(basis.column(sex), basis.min_age, interest));
    let mortality_source = Arc::from(basis.source.as_str());
    Ok(Actuarial {
        benefit,
        mortality_source,
        mortality_id,
        interest,
        loadings: Loadings::take(input)?,
        annuity: Snap::take(input)?,
        commutation,
    })
}

impl Snap for Rating {
    fn put(&self, out: &mut Writer) {
        match self {
            Rating::RateTable { per, tables } => {
                out.0.push(0);
                per.put(out);
                tables.put(out);
            }
            Rating::AgeBand { per, plans, table } => {
                out.0.push(1);
                per.put(out);
                plans.put(out);
                table.put(out);
            }
            Rating::Flat { regions } => {
                out.0.push(2);
                regions.put(out);
            }
            Rating::Actuarial(actuarial) => {
                out.0.push(3);
                put_actuarial(actuarial, out);
            }
            Rating::PercentOfBase { percent } => {
                out.0.push(4);
                percent.put(out);
            }
        }
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        match input.byte()? {
            0 => Ok(Rating::RateTable { per: Snap::take(input)?, tables: Snap::take(input)? }),
            1 => Ok(Rating::AgeBand { per: Snap::take(input)?, plans: Snap::take(input)?, table: Snap::take(input)? }),
            2 => Ok(Rating::Flat { regions: Snap::take(input)? }),
            3 => Ok(Rating::Actuarial(Box::new(take_actuarial(input)?))),
            4 => Ok(Rating::PercentOfBase { percent: Snap::take(input)? }),
            _ => Err(input.at - 1),
        }
    }
}

impl Snap for Channel {
    fn put(&self, out: &mut Writer) {
        match self {
            Channel::Direct => out.0.push(0),
            Channel::Agent { agent_code } => {
                out.0.push(1);
                agent_code.put(out);
            }
        }
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        match input.byte()? {
            0 => Ok(Channel::Direct),
            1 => Ok(Channel::Agent { agent_code: String::take(input)? }),
            _ => Err(input.at - 1),
        }
    }
}

impl Snap for CouponRules {
    fn put(&self, out: &mut Writer) {
        self.public_key.map(|key| key.to_bytes()).put(out);
        self.cap.put(out);
        self.order.put(out);
        self.campaigns.put(out);
        self.referrals.put(out);
        self.vouchers.put(out);
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        let at = input.at;
        let public_key = match <Option<[u8; 32]> as Snap>::take(input)? {
            Some(bytes) => Some(VerifyingKey::from_bytes(&bytes).map_err(|_| at)?),
            None => None,
        };
        Ok(CouponRules {
            public_key,
            cap: Snap::take(input)?,
            order: Snap::take(input)?,
            campaigns: Snap::take(input)?,
            referrals: Snap::take(input)?,
            vouchers: Snap::take(input)?,
            ..CouponRules::default()
        })
    }
}

impl Snap for Catalogue {
    fn put(&self, out: &mut Writer) {
        self.id.put(out);
        self.version.put(out);
        self.effective_from.put(out);
        self.insurer.put(out);
        self.notes.put(out);
        self.currency.put(out);
        self.illustrative.put(out);
        self.quote_validity_days.put(out);
        self.content_hash.put(out);
        self.regions.put(out);
        self.mortality.put(out);
        self.products.put(out);
        self.rounding.put(out);
        self.id_hash_salt.put(out);
        self.underwriting.put(out);
        self.bundles.put(out);
        self.coupons.put(out);
        // The sale rules follow as their own section (`encode`).
    }
    fn take(input: &mut Reader<'_>) -> Result<Self, Malformed> {
        let (id, version, effective_from, insurer, notes, currency, illustrative, quote_validity_days) = (
            Snap::take(input)?,
            Snap::take(input)?,
            Snap::take(input)?,
            Snap::take(input)?,
            Snap::take(input)?,
            Snap::take(input)?,
            Snap::take(input)?,
            Snap::take(input)?,
        );
        let (content_hash, regions) = (Snap::take(input)?, Snap::take(input)?);
        let mortality: Vec<MortalityBasis> = Snap::take(input)?;
        input.mortality.clone_from(&mortality);
        let products: Vec<Product> = Snap::take(input)?;
        let (by_code, codes) = index_products(&products);
        Ok(Catalogue {
            id,
            version,
            effective_from,
            insurer,
            notes,
            currency,
            illustrative,
            quote_validity_days,
            content_hash,
            regions,
            mortality,
            products,
            by_code,
            codes,
            tests: Vec::new(),
            rounding: Snap::take(input)?,
            id_hash_salt: Snap::take(input)?,
            underwriting: Snap::take(input)?,
            bundles: Snap::take(input)?,
            coupons: Snap::take(input)?,
            // Read from its own section by `decode`, in builds that buy.
            sale: SaleRules::default(),
            // The desk's rules are the server's (which loads the TOML): not part of the compiled form.
            desk: crate::desk::DeskRules::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_decimals_and_dates_round_trip() {
        let mut out = Writer(Vec::new());
        let decimals = ["0", "-0.01", "9715.00", "79228162514264337593543950335", "-1.0000000000000000000000000001"];
        for text in decimals {
            text.parse::<Decimal>().unwrap().put(&mut out);
        }
        let dates = [NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), NaiveDate::from_ymd_opt(1, 1, 1).unwrap()];
        dates.iter().for_each(|d| d.put(&mut out));
        (u32::MAX, (0usize, 300u16)).put(&mut out);
        let mut input = Reader { bytes: &out.0, at: 0, mortality: Vec::new() };
        for text in decimals {
            let back = Decimal::take(&mut input).unwrap();
            assert_eq!(back.to_string(), text, "scale and sign survive");
        }
        assert_eq!(dates.map(|_| NaiveDate::take(&mut input).unwrap()), dates);
        assert_eq!(<(u32, (usize, u16))>::take(&mut input).unwrap(), (u32::MAX, (0, 300)));
        assert_eq!(input.at, out.0.len());
    }

    /// The compiled form's tag of every variant: reordering a list would make every compiled catalogue
    /// read wrong, so a changed tag is a reviewed diff (new variants go last).
    #[test]
    fn the_tags_are_pinned() {
        let table: String = every_tag()
            .into_iter()
            .map(|(name, tags)| {
                let tags: Vec<String> = tags.iter().map(|(variant, tag)| format!("{variant}={tag:?}")).collect();
                format!("{name}: {}\n", tags.join(" "))
            })
            .collect();
        expect_test::expect![[r#"
            Sex: Male=[0] Female=[1]
            Line: CriticalIllness=[0] Medical=[1] TermLife=[2] WholeLife=[3] Endowment=[4] Annuity=[5] Accident=[6] LongTermCare=[7] CityHealth=[8]
            AgeBasis: LastBirthday=[0] NearestBirthday=[1]
            AmountKind: SumAssured=[0] AnnuityAmount=[1]
            Frequency: Annual=[0] SemiAnnual=[1] Quarterly=[2] Monthly=[3]
            Benefit: Term=[0] WholeLife=[1] Endowment=[2] Annuity=[3]
            RoundMode: HalfUp=[0] HalfEven=[1] Down=[2] Up=[3]
            Outcome: Accept=[0] AcceptWithConditions=[1] MedicalExam=[2] Refer=[3] Pending=[4] Decline=[5]
            IfDeclined: DropProduct=[0] DropBundle=[1]
            CouponKind: Bundle=[0] Campaign=[1] Referral=[2] Voucher=[3]
            AppliesTo: FirstYear=[0] EveryYear=[1]
            PaymentType: Any=[0] Regular=[1] Single=[2]
            DocumentKind: Notice=[0] Terms=[1] Exclusions=[2] HealthDeclaration=[3]
            Relationship: Oneself=[0] Spouse=[1] Child=[2] Parent=[3]
        "#]].assert_eq(&table);
    }

    /// What a build without `purchase` embeds: the same catalogue, selling nothing online, pricing
    /// every test case the same.
    #[test]
    fn the_catalogue_without_its_sale_section_quotes_the_same_and_sells_nothing() {
        let demo = crate::demo::catalogue();
        let bytes = encode(&demo);
        const LEN: usize = len_without_sale(crate::demo::COMPILED);
        let stripped: [u8; LEN] = without_sale(crate::demo::COMPILED);
        assert!(LEN < bytes.len() && bytes.starts_with(&stripped[..SALE_LEN_AT]));
        assert_eq!(stripped[SALE_LEN_AT..HEADER], [0; 4]);
        let full = decode(&bytes).unwrap();
        assert!(!full.sale.products.is_empty(), "the demo sells online");
        let quoting = decode(&stripped).unwrap();
        assert_eq!(quoting.sale, crate::catalogue::sale::SaleRules::default());
        assert_eq!(quoting.content_hash, full.content_hash);
        assert!(!demo.tests.is_empty());
        for test in &demo.tests {
            let priced = |c: &Catalogue| crate::quote(c, &test.request).map(|q| serde_json::to_string(&q).unwrap());
            assert_eq!(priced(&quoting), priced(&full));
        }
    }

    #[test]
    fn a_truncated_or_corrupt_catalogue_is_an_error_not_a_panic() {
        let demo = crate::demo::catalogue();
        let requests: Vec<_> = demo.tests.iter().map(|t| t.request.clone()).collect();
        let bytes = encode(&demo);
        for cut in (0..bytes.len()).step_by(97) {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut state = 0x9e37_79b9_u32;
        for _ in 0..3000 {
            let mut flipped = bytes.clone();
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let at = MAGIC.len() + 1 + state as usize % (bytes.len() - MAGIC.len() - 1);
            flipped[at] ^= 1 << (state >> 29);
            // A corrupt catalogue that still decodes must price (or refuse) without panicking.
            if let Ok(catalogue) = decode(&flipped) {
                for request in &requests {
                    let _ = crate::pricing::engine::quote(&catalogue, request);
                }
            }
        }
        let err = decode(b"PREMIA-CATALOGUE\x07").unwrap_err();
        assert!(err.iter().any(|e| e.field == "compiled catalogue"));
    }
}
