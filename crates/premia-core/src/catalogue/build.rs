//! Validation: raw document → indexed `Catalogue`, collecting every problem with its place.

mod desk;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::mortality::{self, Commutation, MortalityBasis};
use super::raw::*;
use super::table::{self, AgeTable, ColumnQuery};
use super::*;
use crate::bundles::Bundle;
use crate::discounts::coupon::{CouponRules, Eligibility, PercentRule, VoucherSeries};
use crate::error::{Error, ErrorKind, Errors, Noun};
use crate::money::{Rounding, RoundingRules, RoundingStep, strict};
use crate::request::Sex;
use crate::term::{CoverageTerm, Frequency, PaymentTerm};
use crate::text::Quoted;
use crate::underwriting::{
    AgeRange, BmiBand, FollowUp, Outcome, OutcomeRule, ProductRules, Question, Rules as UnderwritingRules,
};

mod sale;

/// Parse and validate a TOML catalogue.
#[cfg(feature = "toml")]
pub(super) fn load(text: &str, resolve: &dyn Fn(&str) -> Option<String>) -> Result<Catalogue, CatalogueError> {
    load_with_files(text, resolve).map(|(catalogue, _)| catalogue)
}

/// The catalogue and the files it read, by path.
#[cfg(feature = "toml")]
fn load_with_files(
    text: &str,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Result<(Catalogue, BTreeMap<String, String>), CatalogueError> {
    let raw: RawCatalogue = toml::from_str(text).map_err(|e| syntax_error(text, &e))?;
    let (mut catalogue, files) = build(raw, resolve)?;
    catalogue.content_hash = content_hash(text, &files);
    Ok((catalogue, files))
}

fn build(
    raw: RawCatalogue,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Result<(Catalogue, BTreeMap<String, String>), CatalogueError> {
    let mut b = Builder { errors: Vec::new(), files: BTreeMap::new(), resolve };
    let catalogue = b.catalogue(raw);
    match Errors::from_vec(b.errors) {
        Some(errors) => Err(errors),
        None => Ok((catalogue.ok_or_else(|| Errors::one("catalogue", ErrorKind::Empty))?, b.files)),
    }
}

#[cfg(feature = "toml")]
fn syntax_error(text: &str, error: &toml::de::Error) -> Errors {
    let place = error.span().map_or_else(
        || "catalogue".to_owned(),
        |span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("catalogue line {line}, column {column}")
        },
    );
    Errors::one(place, ErrorKind::Syntax { message: error.message().trim().to_owned() })
}

/// SHA-256 over the document, then each referenced file (sorted by path) with its path.
#[cfg(feature = "toml")]
fn content_hash(text: &str, files: &BTreeMap<String, String>) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(text.as_bytes());
    for (path, content) in files {
        hasher.update(b"\0file\0");
        hasher.update(path.as_bytes());
        hasher.update(b"\0");
        hasher.update(content.as_bytes());
    }
    crate::wire::hex(&hasher.finalize())
}

struct Builder<'r> {
    errors: Vec<Error>,
    files: BTreeMap<String, String>,
    resolve: &'r dyn Fn(&str) -> Option<String>,
}

impl Builder<'_> {
    fn error(&mut self, field: impl Into<String>, kind: ErrorKind) {
        self.errors.push(Error::new(field, kind));
    }

    fn catalogue(&mut self, mut raw: RawCatalogue) -> Option<Catalogue> {
        let sale = sale::RawSale {
            documents: std::mem::take(&mut raw.documents),
            application: raw.application.take(),
            policy: raw.policy.take(),
            products: raw
                .products
                .iter_mut()
                .filter_map(|p| Some((p.code.clone(), p.version, p.sale.take()?)))
                .collect(),
        };
        let header = raw.catalogue;
        self.code(&header.id, "catalogue.id");
        let effective_from = self.date(&header.effective_from, "catalogue.effective_from");
        if header.version.trim().is_empty() {
            self.error("catalogue.version", ErrorKind::Required);
        }
        let default_rounding = self.rounding_rules(&raw.rounding, RoundingRules::default(), "rounding");
        let regions = self.regions(raw.regions);
        let mortality = self.mortality(raw.mortality);
        let mut products = Vec::new();
        for product in raw.products {
            if let Some(p) = self.product(product, default_rounding, &regions, &mortality) {
                products.push(p);
            }
        }
        let (by_code, codes) = self.index(&products);
        let tests = self.tests(raw.tests);
        let questions = self.questions(raw.questions);
        let underwriting = self.underwriting(raw.underwriting, questions);
        self.check_product_questions(&products, &underwriting);
        let bundles = self.bundles(raw.bundles, &codes);
        let coupons = self.coupons(raw.coupons, raw.campaigns, raw.referrals, raw.vouchers, &codes);
        let desk = self.desk(raw.desk);
        if header.id_hash_salt.trim().is_empty() {
            self.error("catalogue.id_hash_salt", ErrorKind::Required);
        }
        let sale = self.sale(sale, &products, &underwriting);
        Some(Catalogue {
            id: header.id,
            version: header.version,
            effective_from: effective_from?,
            insurer: header.insurer,
            notes: header.notes,
            currency: header.currency,
            illustrative: header.illustrative,
            quote_validity_days: header.quote_validity_days,
            content_hash: String::new(),
            regions,
            mortality,
            products,
            by_code,
            codes,
            tests,
            rounding: default_rounding,
            id_hash_salt: header.id_hash_salt,
            underwriting,
            bundles,
            coupons,
            sale,
            desk,
        })
    }

    // ---- small values -----------------------------------------------------------------------

    fn dec(&mut self, raw: &RawDec, field: &str) -> Option<Decimal> {
        match raw {
            RawDec::Int(i) => Some(Decimal::from(*i)),
            RawDec::Str(s) => {
                let parsed = strict::parse(s);
                if parsed.is_none() {
                    self.error(field, ErrorKind::NotDecimal { value: s.clone() });
                }
                parsed
            }
        }
    }

    /// A decimal within [min, max].
    fn dec_in(&mut self, raw: &RawDec, field: &str, min: Decimal, max: Decimal) -> Option<Decimal> {
        let value = self.dec(raw, field)?;
        if value < min || value > max {
            self.error(
                field,
                ErrorKind::OutOfRange { value: value.to_string(), min: min.to_string(), max: max.to_string() },
            );
            return None;
        }
        Some(value)
    }

    fn positive(&mut self, raw: &RawDec, field: &str) -> Option<Decimal> {
        let value = self.dec(raw, field)?;
        if value <= Decimal::ZERO {
            self.error(
                field,
                ErrorKind::OutOfRange { value: value.to_string(), min: "0 (exclusive)".into(), max: "∞".into() },
            );
            return None;
        }
        Some(value)
    }

    fn date(&mut self, text: &str, field: &str) -> Option<NaiveDate> {
        let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        if parsed.is_none() {
            self.error(
                field,
                ErrorKind::Syntax { message: format!("{} is not a date written YYYY-MM-DD", Quoted(text)) },
            );
        }
        parsed
    }

    /// Codes and ids: 1-32 upper-case letters, digits and '-', so they read well in URLs and errors.
    fn code(&mut self, code: &str, field: &str) {
        let ok = !code.is_empty()
            && code.len() <= 32
            && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !ok {
            self.error(
                field,
                ErrorKind::Syntax {
                    message: format!("{} must be 1-32 upper-case letters, digits, '-' or '_'", Quoted(code)),
                },
            );
        }
    }

    /// A new id: well-formed, and not one already `taken` in its list.
    fn new_id(&mut self, what: Noun, id: &str, taken: bool, field: &str) {
        self.code(id, &format!("{field}.id"));
        if taken {
            self.error(field, ErrorKind::Duplicate { what, name: id.to_owned() });
        }
    }

    fn file(&mut self, path: &str, field: &str) -> Option<String> {
        if let Some(content) = self.files.get(path) {
            return Some(content.clone());
        }
        match (self.resolve)(path) {
            Some(content) => {
                self.files.insert(path.to_owned(), content.clone());
                Some(content)
            }
            None => {
                self.error(field, ErrorKind::FileMissing { path: path.to_owned() });
                None
            }
        }
    }

    fn rounding_rules(&mut self, raw: &RawRoundingRules, base: RoundingRules, field: &str) -> RoundingRules {
        let mut rules = base;
        let check = |b: &mut Self, r: &RawRounding, f: String| -> Option<Rounding> {
            if r.scale > Rounding::MAX_SCALE {
                let (value, max) = (r.scale.to_string(), Rounding::MAX_SCALE.to_string());
                b.error(f, ErrorKind::OutOfRange { value, min: "0".into(), max });
                return None;
            }
            Some(Rounding { scale: r.scale, mode: r.mode })
        };
        if let Some(default) = raw.0.get("default") {
            if let Some(rule) = check(self, default, format!("{field}.default")) {
                rules = RoundingRules::uniform(rule);
            }
        }
        for (name, r) in &raw.0 {
            if name == "default" {
                continue;
            }
            let f = format!("{field}.{name}");
            match RoundingStep::from_name(name) {
                Some(step) => {
                    if let Some(rule) = check(self, r, f) {
                        rules.set(step, rule);
                    }
                }
                None => self.error(f, ErrorKind::Unknown { what: Noun::RoundingStep, name: name.clone() }),
            }
        }
        rules
    }

    // ---- catalogue-level tables -------------------------------------------------------------

    fn regions(&mut self, raw: Vec<RawRegion>) -> BTreeMap<String, Text> {
        let mut regions = BTreeMap::new();
        for (i, region) in raw.into_iter().enumerate() {
            let field = format!("region[{i}]");
            if region.code.len() != 6 || !region.code.bytes().all(|b| b.is_ascii_digit()) {
                self.error(
                    format!("{field}.code"),
                    ErrorKind::Syntax { message: format!("{} is not a six-digit region code", Quoted(&region.code)) },
                );
            }
            if regions.insert(region.code.clone(), region.name).is_some() {
                self.error(field, ErrorKind::Duplicate { what: Noun::Region, name: region.code });
            }
        }
        regions
    }

    fn mortality(&mut self, raw: Vec<RawMortality>) -> Vec<MortalityBasis> {
        let mut bases: Vec<MortalityBasis> = Vec::new();
        for m in raw {
            let field = format!("mortality[{}]", m.id);
            if bases.iter().any(|b| b.id == m.id) {
                self.error(&field, ErrorKind::Duplicate { what: Noun::MortalityBasis, name: m.id.clone() });
                continue;
            }
            let columns = match (&m.makeham, &m.csv_file) {
                (Some(law), None) => self.makeham(law, &m, &field),
                (None, Some(path)) => self.qx_csv(path, &m, &field),
                _ => {
                    self.error(
                        &field,
                        ErrorKind::Syntax { message: "give exactly one of `makeham` or `csv_file`".into() },
                    );
                    None
                }
            };
            if let Some((min_age, male, female)) = columns {
                bases.push(MortalityBasis::new(m.id, m.name, m.source, min_age, male, female));
            }
        }
        bases
    }

    fn makeham(
        &mut self,
        law: &RawMakeham,
        m: &RawMortality,
        field: &str,
    ) -> Option<(u32, Vec<Decimal>, Vec<Decimal>)> {
        let a = self.dec_in(&law.a, &format!("{field}.makeham.a"), Decimal::ZERO, Decimal::ONE);
        let b = self.dec_in(&law.b, &format!("{field}.makeham.b"), Decimal::ZERO, Decimal::ONE);
        let c = self.dec_in(&law.c, &format!("{field}.makeham.c"), Decimal::new(1001, 3), Decimal::TWO);
        let (min_age, max_age) = (m.min_age.unwrap_or(0), m.max_age.unwrap_or(120));
        if min_age >= max_age || max_age > 150 {
            self.error(
                format!("{field}.max_age"),
                ErrorKind::MinAboveMax { min: min_age.to_string(), max: max_age.to_string() },
            );
            return None;
        }
        let column = mortality::makeham_qx(a?, b?, c?, min_age, max_age);
        if column.is_none() {
            self.error(
                format!("{field}.makeham"),
                ErrorKind::Syntax { message: "the law overflows at these ages".into() },
            );
        }
        let column = column?;
        Some((min_age, column.clone(), column))
    }

    fn qx_csv(&mut self, path: &str, m: &RawMortality, field: &str) -> Option<(u32, Vec<Decimal>, Vec<Decimal>)> {
        let text = self.file(path, &format!("{field}.csv_file"))?;
        let age_column = m.age_column.as_deref().unwrap_or("age");
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
        let (_, header) = lines.next()?;
        let headers: Vec<&str> = header.split(',').map(str::trim).collect();
        let position = |name: &str| headers.iter().position(|h| *h == name);
        let wanted: Vec<(&str, &str)> = if let Some(unisex) = m.qx_columns.get("unisex") {
            vec![("male", unisex), ("female", unisex)]
        } else {
            ["male", "female"].iter().map(|s| (*s, m.qx_columns.get(*s).map_or("", String::as_str))).collect()
        };
        let Some(age_at) = position(age_column) else {
            self.error(
                format!("{path} header"),
                ErrorKind::Unknown { what: Noun::Column, name: age_column.to_owned() },
            );
            return None;
        };
        let mut at = Vec::new();
        for (sex, name) in &wanted {
            match position(name) {
                Some(i) => at.push(i),
                None => self.error(
                    format!("{field}.qx_columns.{sex}"),
                    ErrorKind::Unknown { what: Noun::Column, name: (*name).to_owned() },
                ),
            }
        }
        if at.len() != 2 {
            return None;
        }
        let mut min_age = None;
        let mut columns: [Vec<Decimal>; 2] = [Vec::new(), Vec::new()];
        for (line_no, line) in lines {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            let place = format!("{path} line {}", line_no + 1);
            let age = cells.get(age_at).and_then(|a| a.parse::<u32>().ok());
            let Some(age) = age else {
                self.error(
                    format!("{place} column {}", Quoted(age_column)),
                    ErrorKind::NotDecimal { value: cells.get(age_at).unwrap_or(&"").to_string() },
                );
                continue;
            };
            let expected = *min_age.get_or_insert(age) + columns[0].len() as u32;
            if age != expected {
                self.error(&place, ErrorKind::AgeGap { from: expected, to: age.saturating_sub(1).max(expected) });
                return None;
            }
            for (sex, &i) in at.iter().enumerate() {
                let cell = cells.get(i).copied().unwrap_or("");
                let q = strict::parse(cell).filter(|q| *q >= Decimal::ZERO && *q <= Decimal::ONE);
                if q.is_none() {
                    self.error(
                        format!("{place} (age {age}) column {}", Quoted(headers[i])),
                        ErrorKind::OutOfRange { value: cell.to_owned(), min: "0".into(), max: "1".into() },
                    );
                }
                columns[sex].push(q.unwrap_or(Decimal::ONE));
            }
        }
        let min_age = min_age?;
        for column in &columns {
            if let Some(last) = column.last().filter(|q| **q != Decimal::ONE) {
                let age = min_age + column.len() as u32 - 1;
                self.error(format!("{field} age {age}"), ErrorKind::MortalityNotClosed { age, q: last.to_string() });
            }
        }
        let [male, female] = columns;
        Some((min_age, male, female))
    }

    // ---- products ---------------------------------------------------------------------------

    fn product(
        &mut self,
        raw: RawProduct,
        default_rounding: RoundingRules,
        regions: &BTreeMap<String, Text>,
        bases: &[MortalityBasis],
    ) -> Option<Product> {
        let field = format!("product[{} v{}]", raw.code, raw.version);
        let before = self.errors.len();
        self.code(&raw.code, &format!("{field}.code"));
        let effective_from = self.date(&raw.effective_from, &format!("{field}.effective_from"));
        let effective_to = raw.effective_to.as_deref().and_then(|d| self.date(d, &format!("{field}.effective_to")));
        if let (Some(from), Some(to)) = (effective_from, effective_to) {
            if to < from {
                self.error(
                    format!("{field}.effective_to"),
                    ErrorKind::DatesReversed { from: from.to_string(), to: to.to_string() },
                );
            }
        }
        if raw.issue_age.min > raw.issue_age.max {
            self.error(
                format!("{field}.issue_age"),
                ErrorKind::MinAboveMax { min: raw.issue_age.min.to_string(), max: raw.issue_age.max.to_string() },
            );
        }
        let issue_age = IssueAge { min: raw.issue_age.min, max: raw.issue_age.max, min_days: raw.issue_age.min_days };
        let amount = self.amount(&raw, &field);
        let coverage_terms = self.terms::<CoverageTerm>(&raw.coverage_terms, &format!("{field}.coverage_terms"));
        let payment_terms = self.terms::<PaymentTerm>(&raw.payment_terms, &format!("{field}.payment_terms"));
        let frequencies = self.frequencies(&raw.frequencies, &format!("{field}.frequencies"));
        let rounding = self.rounding_rules(&raw.rounding, default_rounding, &format!("{field}.rounding"));
        let factors = self.factors(&raw.factors, &format!("{field}.factors"));
        let context = RatingContext {
            issue_age,
            payment_terms: &payment_terms,
            coverage_terms: &coverage_terms,
            regions,
            bases,
            is_rider: false,
        };
        let rating = self.rating(&raw.rating, &context, &format!("{field}.rating"));
        if let (Some(amount), Some(Rating::Actuarial(a))) = (amount, &rating) {
            let wants = if a.benefit == Benefit::Annuity { AmountKind::AnnuityAmount } else { AmountKind::SumAssured };
            if amount.kind != wants {
                self.error(
                    format!("{field}.{}", amount.kind.field()),
                    ErrorKind::Syntax {
                        message: format!("a {:?} product is priced on `{}`", a.benefit, wants.field()),
                    },
                );
            }
        }
        let riders = self.riders(&raw.riders, &context, &field);
        let underwriting =
            self.product_underwriting(&raw.underwriting, &payment_terms, &format!("{field}.underwriting"));
        if self.errors.len() != before {
            return None;
        }
        Some(Product {
            code: raw.code,
            version: raw.version,
            effective_from: effective_from?,
            effective_to,
            name: raw.name,
            description: raw.description,
            line: raw.line,
            age_basis: raw.age_basis,
            issue_age,
            amount: amount?,
            coverage_terms,
            payment_terms,
            frequencies,
            rounding,
            factors,
            requires_social_insurance: raw.requires_social_insurance,
            rating: rating?,
            riders,
            underwriting,
        })
    }

    fn amount(&mut self, raw: &RawProduct, field: &str) -> Option<AmountRule> {
        match (&raw.sum_assured, &raw.annuity_amount) {
            (Some(range), None) => self.range(range, AmountKind::SumAssured, &format!("{field}.sum_assured")),
            (None, Some(range)) => self.range(range, AmountKind::AnnuityAmount, &format!("{field}.annuity_amount")),
            _ => {
                self.error(
                    field,
                    ErrorKind::Syntax { message: "give exactly one of `sum_assured` or `annuity_amount`".into() },
                );
                None
            }
        }
    }

    fn range(&mut self, raw: &RawRange, kind: AmountKind, field: &str) -> Option<AmountRule> {
        let min = self.positive(&raw.min, &format!("{field}.min"));
        let max = self.positive(&raw.max, &format!("{field}.max"));
        let step = self.positive(&raw.step, &format!("{field}.step"));
        let (min, max, step) = (min?, max?, step?);
        if min > max {
            self.error(field, ErrorKind::MinAboveMax { min: min.to_string(), max: max.to_string() });
            return None;
        }
        Some(AmountRule { kind, min, max, step })
    }

    fn terms<T: FromStr<Err = crate::term::TermSyntaxError>>(&mut self, raw: &[String], field: &str) -> Vec<T> {
        if raw.is_empty() {
            self.error(field, ErrorKind::Empty);
        }
        raw.iter()
            .enumerate()
            .filter_map(|(i, text)| match text.parse::<T>() {
                Ok(term) => Some(term),
                Err(e) => {
                    self.error(format!("{field}[{i}]"), ErrorKind::BadTerm { value: e.text, expected: e.expected });
                    None
                }
            })
            .collect()
    }

    fn frequencies(&mut self, raw: &BTreeMap<String, RawDec>, field: &str) -> Vec<(Frequency, Decimal)> {
        let mut out = Vec::new();
        for (name, factor) in raw {
            let f = format!("{field}.{name}");
            let Some(frequency) = Frequency::from_name(name) else {
                self.error(f, ErrorKind::Unknown { what: Noun::Frequency, name: name.clone() });
                continue;
            };
            let Some(factor) = self.dec_in(factor, &f, Decimal::new(1, 3), Decimal::ONE) else { continue };
            if frequency == Frequency::Annual && factor != Decimal::ONE {
                self.error(f, ErrorKind::AnnualFactorNotOne { value: factor.to_string() });
                continue;
            }
            out.push((frequency, factor));
        }
        if !out.iter().any(|(f, _)| *f == Frequency::Annual) {
            self.error(format!("{field}.annual"), ErrorKind::Required);
        }
        out.sort_by_key(|(f, _)| *f);
        out
    }

    fn factors(&mut self, raw: &RawFactors, field: &str) -> Factors {
        let smoker = raw.smoker.as_ref().and_then(|s| self.positive(s, &format!("{field}.smoker")));
        let occupation = raw.occupation.as_ref().map(|classes| {
            let mut factors = [None; 6];
            for (class, factor) in classes {
                let f = format!("{field}.occupation.{class}");
                match class.parse::<usize>().ok().filter(|c| (1..=6).contains(c)) {
                    Some(c) => factors[c - 1] = self.positive(factor, &f),
                    None => {
                        self.error(f, ErrorKind::OutOfRange { value: class.clone(), min: "1".into(), max: "6".into() })
                    }
                }
            }
            factors
        });
        Factors { smoker, occupation }
    }

    fn riders(&mut self, raw: &[RawRider], context: &RatingContext<'_>, field: &str) -> Vec<Rider> {
        let mut riders: Vec<Rider> = Vec::new();
        let context = RatingContext { is_rider: true, ..*context };
        for r in raw {
            let f = format!("{field}.rider[{}]", r.code);
            self.code(&r.code, &format!("{f}.code"));
            if riders.iter().any(|x| x.code == r.code) {
                self.error(&f, ErrorKind::Duplicate { what: Noun::Rider, name: r.code.clone() });
            }
            let amount =
                r.sum_assured.as_ref().and_then(|s| self.range(s, AmountKind::SumAssured, &format!("{f}.sum_assured")));
            if let Some(rating) = self.rating(&r.rating, &context, &format!("{f}.rating")) {
                riders.push(Rider { code: r.code.clone(), name: r.name.clone(), amount, rating });
            }
        }
        riders
    }

    // ---- rating methods ---------------------------------------------------------------------

    fn rating(&mut self, raw: &RawRating, cx: &RatingContext<'_>, field: &str) -> Option<Rating> {
        match raw {
            RawRating::RateTable { per, tables } => self.rate_table(per, tables, cx, field),
            RawRating::AgeBand { per, plans, table } => self.age_band(per.as_ref(), plans, table, cx, field),
            RawRating::Flat { regions } => self.flat(regions, cx, field),
            RawRating::Actuarial { benefit, mortality, interest, loadings, annuity } => {
                self.actuarial(*benefit, mortality, interest, loadings.as_ref(), annuity.as_ref(), cx, field)
            }
            RawRating::PercentOfBase { percent } => {
                if !cx.is_rider {
                    self.error(field, ErrorKind::Syntax { message: "percent_of_base is for riders only".into() });
                }
                let percent = self.dec_in(percent, &format!("{field}.percent"), Decimal::ZERO, Decimal::ONE)?;
                Some(Rating::PercentOfBase { percent })
            }
        }
    }

    fn csv_table(&mut self, raw: &RawTable, plans: &[&str], field: &str) -> Option<AgeTable> {
        let (name, text) = match (&raw.csv, &raw.csv_file) {
            (Some(text), None) => (raw.name.clone().unwrap_or_else(|| "inline".into()), text.clone()),
            (None, Some(path)) => {
                (raw.name.clone().unwrap_or_else(|| path.clone()), self.file(path, &format!("{field}.csv_file"))?)
            }
            _ => {
                self.error(field, ErrorKind::Syntax { message: "give exactly one of `csv` or `csv_file`".into() });
                return None;
            }
        };
        table::parse(&name, &text, plans, field, &mut self.errors)
    }

    fn check_ages(&mut self, table: &AgeTable, cx: &RatingContext<'_>, field: &str) {
        for (from, to) in table.gaps(cx.issue_age.min, cx.issue_age.max) {
            self.error(field, ErrorKind::AgeGap { from, to });
        }
    }

    fn rate_table(
        &mut self,
        per: &RawDec,
        raw_tables: &[RawTable],
        cx: &RatingContext<'_>,
        field: &str,
    ) -> Option<Rating> {
        let per = self.positive(per, &format!("{field}.per"));
        if raw_tables.is_empty() {
            self.error(format!("{field}.tables"), ErrorKind::Empty);
        }
        let mut tables: Vec<(Option<CoverageTerm>, AgeTable)> = Vec::new();
        for (i, raw) in raw_tables.iter().enumerate() {
            let term = raw.coverage_term.as_deref().and_then(|t| match t.parse::<CoverageTerm>() {
                Ok(term) => Some(term),
                Err(e) => {
                    self.error(
                        format!("{field}.tables[{i}].coverage_term"),
                        ErrorKind::BadTerm { value: e.text, expected: e.expected },
                    );
                    None
                }
            });
            let label = term.map_or_else(|| i.to_string(), |t| t.to_string());
            let f = format!("{field}.tables[{label}]");
            if tables.iter().any(|(t, _)| *t == term) {
                self.error(&f, ErrorKind::Duplicate { what: Noun::CoverageTerm, name: label.clone() });
                continue;
            }
            let Some(table) = self.csv_table(raw, &[], &f) else { continue };
            self.check_ages(&table, cx, &f);
            table.check_columns(cases(cx.payment_terms, &[None]), &f, &mut self.errors);
            tables.push((term, table));
        }
        if !cx.is_rider {
            for term in cx.coverage_terms {
                if !tables.iter().any(|(t, _)| t.is_none_or(|t| t == *term)) {
                    self.error(
                        format!("{field}.tables"),
                        ErrorKind::Unknown { what: Noun::CoverageTerm, name: term.to_string() },
                    );
                }
            }
        }
        Some(Rating::RateTable { per: per?, tables })
    }

    fn age_band(
        &mut self,
        per: Option<&RawDec>,
        raw_plans: &[RawPlan],
        raw: &RawTable,
        cx: &RatingContext<'_>,
        field: &str,
    ) -> Option<Rating> {
        let per = match per {
            Some(p) => Some(self.positive(p, &format!("{field}.per"))?),
            None => None,
        };
        let mut plans: Vec<Plan> = Vec::new();
        for p in raw_plans {
            let f = format!("{field}.plans[{}]", p.id);
            self.code(&p.id, &f);
            if plans.iter().any(|x| x.id == p.id) {
                self.error(&f, ErrorKind::Duplicate { what: Noun::Plan, name: p.id.clone() });
            }
            if let Some(deductible) =
                self.dec_in(&p.deductible, &format!("{f}.deductible"), Decimal::ZERO, Decimal::MAX)
            {
                plans.push(Plan { id: p.id.clone(), name: p.name.clone(), deductible });
            }
        }
        let plan_ids: Vec<&str> = plans.iter().map(|p| p.id.as_str()).collect();
        let f = format!("{field}.table");
        let table = self.csv_table(raw, &plan_ids, &f)?;
        self.check_ages(&table, cx, &f);
        let plan_cases: Vec<Option<&str>> =
            if plan_ids.is_empty() { vec![None] } else { plan_ids.iter().map(|p| Some(*p)).collect() };
        table.check_columns(cases(cx.payment_terms, &plan_cases), &f, &mut self.errors);
        Some(Rating::AgeBand { per, plans, table })
    }

    fn flat(&mut self, raw: &BTreeMap<String, RawDec>, cx: &RatingContext<'_>, field: &str) -> Option<Rating> {
        if raw.is_empty() {
            self.error(format!("{field}.regions"), ErrorKind::Empty);
        }
        let mut regions = BTreeMap::new();
        for (code, premium) in raw {
            let f = format!("{field}.regions.{code}");
            if !cx.regions.contains_key(code) {
                self.error(&f, ErrorKind::Unknown { what: Noun::Region, name: code.clone() });
            }
            if let Some(p) = self.positive(premium, &f) {
                regions.insert(code.clone(), p);
            }
        }
        Some(Rating::Flat { regions })
    }

    #[allow(clippy::too_many_arguments)]
    fn actuarial(
        &mut self,
        benefit: Benefit,
        mortality_id: &str,
        interest: &RawDec,
        loadings: Option<&RawLoadings>,
        annuity: Option<&RawAnnuity>,
        cx: &RatingContext<'_>,
        field: &str,
    ) -> Option<Rating> {
        let basis = cx.bases.iter().find(|b| b.id == mortality_id);
        if basis.is_none() {
            self.error(
                format!("{field}.mortality"),
                ErrorKind::Unknown { what: Noun::MortalityBasis, name: mortality_id.to_owned() },
            );
        }
        let interest = self.dec_in(interest, &format!("{field}.interest"), Decimal::ZERO, Decimal::new(2, 1));
        let loadings =
            loadings.map_or_else(|| Some(Loadings::default()), |l| self.loadings(l, &format!("{field}.loadings")));
        let annuity = match (benefit, annuity) {
            (Benefit::Annuity, Some(a)) => {
                if a.payout_start_ages.is_empty() {
                    self.error(format!("{field}.annuity.payout_start_ages"), ErrorKind::Empty);
                }
                if a.guaranteed_years.is_empty() {
                    self.error(format!("{field}.annuity.guaranteed_years"), ErrorKind::Empty);
                }
                Some(AnnuityOptions {
                    payout_start_ages: a.payout_start_ages.clone(),
                    guaranteed_years: a.guaranteed_years.clone(),
                })
            }
            (Benefit::Annuity, None) => {
                self.error(format!("{field}.annuity"), ErrorKind::Required);
                None
            }
            (_, Some(_)) => {
                self.error(
                    format!("{field}.annuity"),
                    ErrorKind::Syntax { message: "only annuity products take annuity options".into() },
                );
                None
            }
            (_, None) => None,
        };
        let (basis, interest, loadings) = (basis?, interest?, loadings?);
        let commutation = Sex::ALL.map(|sex| Commutation::new(basis.column(sex), basis.min_age, interest));
        Some(Rating::Actuarial(Box::new(Actuarial {
            benefit,
            mortality_id: Arc::from(basis.id.as_str()),
            mortality_source: Arc::from(basis.source.as_str()),
            interest,
            loadings,
            annuity,
            commutation,
        })))
    }

    fn loadings(&mut self, raw: &RawLoadings, field: &str) -> Option<Loadings> {
        let before = self.errors.len();
        let share = |b: &mut Self, d: &RawDec, f: String| b.dec_in(d, &f, Decimal::ZERO, Decimal::new(9, 1));
        let per_mille = raw.per_mille_sum_assured.as_ref().and_then(|d| {
            self.dec_in(d, &format!("{field}.per_mille_sum_assured"), Decimal::ZERO, Decimal::ONE_HUNDRED)
        });
        let fee = raw
            .policy_fee
            .as_ref()
            .and_then(|d| self.dec_in(d, &format!("{field}.policy_fee"), Decimal::ZERO, Decimal::MAX));
        let percents: Vec<Decimal> = raw
            .premium_percent
            .iter()
            .enumerate()
            .filter_map(|(i, d)| share(self, d, format!("{field}.premium_percent[{i}]")))
            .collect();
        let after =
            raw.premium_percent_after.as_ref().and_then(|d| share(self, d, format!("{field}.premium_percent_after")));
        (self.errors.len() == before).then(|| Loadings {
            per_mille_sum_assured: per_mille.unwrap_or_default(),
            policy_fee: fee.unwrap_or_default(),
            premium_percent: percents,
            premium_percent_after: after.unwrap_or_default(),
        })
    }

    // ---- underwriting, bundles, coupons -----------------------------------------------------

    fn age_range(&mut self, text: &str, field: &str) -> Option<AgeRange> {
        let parse = |s: &str| s.trim().parse::<u32>().ok().filter(|a| *a <= 150);
        let range = match text.split_once('-') {
            Some((from, to)) => parse(from).zip(parse(to)),
            None => parse(text).map(|a| (a, a)),
        }
        .filter(|(from, to)| from <= to);
        if range.is_none() {
            self.error(
                field,
                ErrorKind::Syntax { message: format!("{} is not an age band such as \"18-40\"", Quoted(text)) },
            );
        }
        range.map(|(from, to)| AgeRange { from, to })
    }

    /// Rows of (age band, value) that must not overlap.
    fn age_values(&mut self, raw: &[RawAgeValue], field: &str) -> Vec<(AgeRange, Decimal)> {
        let mut rows: Vec<(AgeRange, Decimal)> = Vec::new();
        for (i, row) in raw.iter().enumerate() {
            let f = format!("{field}[{i}]");
            let ages = self.age_range(&row.ages, &format!("{f}.ages"));
            let value = self.dec_in(&row.value, &format!("{f}.value"), Decimal::ZERO, Decimal::MAX);
            if let (Some(ages), Some(value)) = (ages, value) {
                if rows.iter().any(|(other, _)| other.from <= ages.to && ages.from <= other.to) {
                    self.error(&f, ErrorKind::Duplicate { what: Noun::Row, name: row.ages.clone() });
                }
                rows.push((ages, value));
            }
        }
        rows
    }

    fn outcome_rule(&mut self, raw: &RawOutcomeRule, field: &str) -> OutcomeRule {
        let loading = raw
            .loading
            .as_ref()
            .and_then(|l| self.dec_in(l, &format!("{field}.loading"), Decimal::ZERO, Decimal::new(5, 0)));
        if raw.loading.is_some() != (raw.outcome == Outcome::AcceptWithConditions && raw.exclusion.is_none())
            && raw.loading.is_some()
        {
            self.error(
                format!("{field}.loading"),
                ErrorKind::Syntax { message: "a loading belongs to outcome accept_with_conditions".into() },
            );
        }
        if raw.outcome == Outcome::AcceptWithConditions && raw.loading.is_none() && raw.exclusion.is_none() {
            self.error(
                field,
                ErrorKind::Syntax { message: "accept_with_conditions needs a loading or an exclusion".into() },
            );
        }
        OutcomeRule {
            outcome: raw.outcome,
            loading,
            exclusion: raw.exclusion.clone(),
            two_person_review: raw.two_person_review,
        }
    }

    fn questions(&mut self, raw: Vec<RawQuestion>) -> Vec<Question> {
        let mut questions: Vec<Question> = Vec::new();
        for q in raw {
            let field = format!("question[{}]", q.id);
            self.new_id(Noun::Question, &q.id, questions.iter().any(|x| x.id == q.id), &field);
            let if_yes = self.outcome_rule(&q.if_yes, &format!("{field}.if_yes"));
            let options = q
                .options
                .iter()
                .map(|o| FollowUp {
                    id: o.id.clone(),
                    text: o.text.clone(),
                    then: self.outcome_rule(&o.then, &format!("{field}.option[{}]", o.id)),
                })
                .collect();
            questions.push(Question { id: q.id, text: q.text, if_yes, follow_up: q.follow_up, options });
        }
        questions
    }

    fn underwriting(&mut self, raw: Option<RawUnderwriting>, questions: Vec<Question>) -> UnderwritingRules {
        let Some(raw) = raw else {
            return UnderwritingRules { two_person_review_age: u32::MAX, questions, ..UnderwritingRules::default() };
        };
        let mut bmi = Vec::new();
        for (i, row) in raw.bmi.iter().enumerate() {
            let f = format!("underwriting.bmi[{i}]");
            let ages = self.age_range(&row.ages, &format!("{f}.ages"));
            let limits = [&row.refer_below, &row.accept_max, &row.refer_max]
                .map(|d| self.dec_in(d, &f, Decimal::ONE, Decimal::ONE_HUNDRED));
            if let (Some(ages), [Some(refer_below), Some(accept_max), Some(refer_max)]) = (ages, limits) {
                if !(refer_below <= accept_max && accept_max <= refer_max) {
                    self.error(&f, ErrorKind::MinAboveMax { min: accept_max.to_string(), max: refer_max.to_string() });
                }
                bmi.push(BmiBand { ages, refer_below, accept_max, refer_max });
            }
        }
        UnderwritingRules {
            two_person_review_age: raw.two_person_review_age,
            income_needed_above: self
                .dec_in(&raw.income_needed_above, "underwriting.income_needed_above", Decimal::ZERO, Decimal::MAX)
                .unwrap_or_default(),
            bmi,
            income_multiples: self.age_values(&raw.income_multiples, "underwriting.income_multiples"),
            non_medical_limits: self.age_values(&raw.non_medical_limits, "underwriting.non_medical_limits"),
            minor_death_caps: self.age_values(&raw.minor_death_caps, "underwriting.minor_death_caps"),
            questions,
        }
    }

    fn product_underwriting(
        &mut self,
        raw: &RawProductUnderwriting,
        payment_terms: &[PaymentTerm],
        field: &str,
    ) -> ProductRules {
        let mut max_issue_age = Vec::new();
        for (term, age) in &raw.max_issue_age {
            match term.parse::<PaymentTerm>() {
                Ok(t) if payment_terms.contains(&t) => max_issue_age.push((t, *age)),
                Ok(t) => self.error(
                    format!("{field}.max_issue_age.{term}"),
                    ErrorKind::Unknown { what: Noun::PaymentTerm, name: t.to_string() },
                ),
                Err(e) => self.error(
                    format!("{field}.max_issue_age.{term}"),
                    ErrorKind::BadTerm { value: e.text, expected: e.expected },
                ),
            }
        }
        for class in raw.occupation_refer.iter().chain(&raw.occupation_decline) {
            if !(1..=7).contains(class) {
                self.error(format!("{field}.occupation"), ErrorKind::OccupationClass { class: *class });
            }
        }
        ProductRules {
            questions: raw.questions.clone(),
            bmi: raw.bmi,
            financial: raw.financial,
            non_medical: raw.non_medical,
            death_benefit: raw.death_benefit,
            max_issue_age,
            max_payment_end_age: raw.max_payment_end_age,
            occupation_refer: raw.occupation_refer.clone(),
            occupation_decline: raw.occupation_decline.clone(),
        }
    }

    fn check_product_questions(&mut self, products: &[Product], rules: &UnderwritingRules) {
        for p in products {
            for id in &p.underwriting.questions {
                if !rules.questions.iter().any(|q| &q.id == id) {
                    self.error(
                        format!("product[{}].underwriting.questions", p.label()),
                        ErrorKind::Unknown { what: Noun::Question, name: id.clone() },
                    );
                }
            }
        }
    }

    fn bundles(&mut self, raw: Vec<RawBundle>, codes: &[String]) -> Vec<Bundle> {
        let mut bundles: Vec<Bundle> = Vec::new();
        for b in raw {
            let field = format!("bundle[{}]", b.id);
            self.new_id(Noun::Bundle, &b.id, bundles.iter().any(|x| x.id == b.id), &field);
            let ages = self.age_range(&b.ages, &format!("{field}.ages"));
            let discount = b
                .discount
                .as_ref()
                .and_then(|d| self.dec_in(d, &format!("{field}.discount"), Decimal::ZERO, Decimal::ONE));
            let items = b.items;
            if items.len() < 2 {
                self.error(
                    format!("{field}.item"),
                    ErrorKind::Syntax { message: "a bundle has at least two products".into() },
                );
            }
            let Some(ages) = ages else { continue };
            let bundle = Bundle {
                id: b.id,
                name: b.name,
                reason: b.reason,
                ages,
                rank: b.rank,
                discount,
                if_declined: b.if_declined,
                items,
            };
            self.errors.extend(unknown_products(&bundle, codes));
            bundles.push(bundle);
        }
        bundles
    }

    fn eligibility(&mut self, raw: &RawEligibility, codes: &[String], field: &str) -> Eligibility {
        for p in &raw.products {
            if !codes.contains(p) {
                self.error(format!("{field}.products"), ErrorKind::Unknown { what: Noun::Product, name: p.clone() });
            }
        }
        for c in &raw.channels {
            if c != "direct" && c != "agent" {
                self.error(
                    format!("{field}.channels"),
                    ErrorKind::Syntax { message: format!("{} is not a channel (direct or agent)", Quoted(c)) },
                );
            }
        }
        let from = raw.from.as_deref().and_then(|d| self.date(d, &format!("{field}.from")));
        let to = raw.to.as_deref().and_then(|d| self.date(d, &format!("{field}.to")));
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                self.error(format!("{field}.to"), ErrorKind::DatesReversed { from: f.to_string(), to: t.to_string() });
            }
        }
        Eligibility { from, to, products: raw.products.clone(), channels: raw.channels.clone(), payment: raw.payment }
    }

    fn percent_rules(&mut self, raw: Vec<RawPercentRule>, codes: &[String], what: &str) -> Vec<PercentRule> {
        let mut rules: Vec<PercentRule> = Vec::new();
        for r in raw {
            let field = format!("{what}[{}]", r.id);
            self.new_id(Noun::Coupon, &r.id, rules.iter().any(|x| x.id == r.id), &field);
            let percent = self.dec_in(&r.percent, &format!("{field}.percent"), Decimal::ZERO, Decimal::ONE);
            let eligible = self.eligibility(&r.eligible, codes, &format!("{field}.eligible"));
            // A referral is a reward someone gets: its series says how many applications one code may bring.
            let max_uses = match (what, r.max_uses) {
                ("referral", None) => {
                    self.error(format!("{field}.max_uses"), ErrorKind::Required);
                    None
                }
                ("referral", Some(0)) => {
                    let kind = ErrorKind::OutOfRange { value: "0".into(), min: "1".into(), max: u32::MAX.to_string() };
                    self.error(format!("{field}.max_uses"), kind);
                    None
                }
                ("referral", uses) => uses,
                (_, Some(_)) => {
                    let kind = ErrorKind::Syntax { message: "max_uses is for referral series".into() };
                    self.error(format!("{field}.max_uses"), kind);
                    None
                }
                (_, None) => None,
            };
            if let Some(percent) = percent {
                let (id, name, applies_to) = (r.id, r.name, r.applies_to);
                rules.push(PercentRule { id, name, percent, applies_to, eligible, max_uses });
            }
        }
        rules
    }

    fn coupons(
        &mut self,
        raw: Option<RawCoupons>,
        campaigns: Vec<RawPercentRule>,
        referrals: Vec<RawPercentRule>,
        vouchers: Vec<RawVoucher>,
        codes: &[String],
    ) -> CouponRules {
        let campaigns = self.percent_rules(campaigns, codes, "campaign");
        let referrals = self.percent_rules(referrals, codes, "referral");
        let mut voucher_series: Vec<VoucherSeries> = Vec::new();
        for v in vouchers {
            let field = format!("voucher[{}]", v.id);
            self.new_id(Noun::Coupon, &v.id, voucher_series.iter().any(|x| x.id == v.id), &field);
            let amount = self.positive(&v.amount, &format!("{field}.amount"));
            let min_premium = self.dec_in(&v.min_premium, &format!("{field}.min_premium"), Decimal::ZERO, Decimal::MAX);
            let eligible = self.eligibility(&v.eligible, codes, &format!("{field}.eligible"));
            if let (Some(amount), Some(min_premium)) = (amount, min_premium) {
                voucher_series.push(VoucherSeries { id: v.id, name: v.name, amount, min_premium, eligible });
            }
        }
        let has_rules = !(campaigns.is_empty() && referrals.is_empty() && voucher_series.is_empty());
        let Some(raw) = raw else {
            if has_rules {
                self.error("coupons", ErrorKind::Required);
            }
            return CouponRules { campaigns, referrals, vouchers: voucher_series, ..CouponRules::default() };
        };
        let public_key = raw.public_key.as_deref().and_then(|hex| {
            let key =
                crate::discounts::coupon::key_bytes(hex).and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok());
            if key.is_none() {
                self.error(
                    "coupons.public_key",
                    ErrorKind::Syntax { message: "not a hex-encoded Ed25519 public key (64 hex digits)".into() },
                );
            }
            key
        });
        if (!referrals.is_empty() || !voucher_series.is_empty()) && raw.public_key.is_none() {
            self.error("coupons.public_key", ErrorKind::Required);
        }
        let cap = self.dec_in(&raw.cap, "coupons.cap", Decimal::ZERO, Decimal::ONE).unwrap_or_default();
        let mut order = Vec::new();
        for kind in raw.order {
            if order.contains(&kind) {
                self.error("coupons.order", ErrorKind::Duplicate { what: Noun::Coupon, name: kind.name().to_owned() });
            }
            order.push(kind);
        }
        CouponRules { public_key, cap, order, campaigns, referrals, vouchers: voucher_series, ..CouponRules::default() }
    }

    // ---- indexes and tests ------------------------------------------------------------------

    fn index(&mut self, products: &[Product]) -> (Vec<(String, Vec<usize>)>, Vec<String>) {
        for (i, p) in products.iter().enumerate() {
            if products[..i].iter().any(|q| q.code == p.code && q.version == p.version) {
                self.error(
                    format!("product[{}]", p.label()),
                    ErrorKind::Duplicate { what: Noun::ProductVersion, name: p.label() },
                );
            }
        }
        index_products(products)
    }

    fn tests(&mut self, raw: Vec<RawTest>) -> Vec<TestCase> {
        let mut tests = Vec::new();
        for t in raw {
            let field = format!("test[{}]", t.name);
            if t.expect.is_empty() == t.expect_error.is_none() {
                self.error(
                    &field,
                    ErrorKind::Syntax { message: "give `expect` figures or an `expect_error` code, not both".into() },
                );
            }
            if let Some(bad) = t.expect.keys().find(|k| !k.starts_with('/')) {
                self.error(
                    format!("{field}.expect"),
                    ErrorKind::Syntax {
                        message: format!("{} is not a JSON pointer such as \"/totals/annual_premium\"", Quoted(bad)),
                    },
                );
            }
            tests.push(TestCase { name: t.name, request: t.request, expect: t.expect, expect_error: t.expect_error });
        }
        tests
    }
}

/// What rating validation needs to know about the product it belongs to.
#[derive(Clone, Copy)]
struct RatingContext<'a> {
    issue_age: IssueAge,
    payment_terms: &'a [PaymentTerm],
    coverage_terms: &'a [CoverageTerm],
    regions: &'a BTreeMap<String, Text>,
    bases: &'a [MortalityBasis],
    is_rider: bool,
}

/// Every lookup a product can make: each sex × payment term × social insurance × plan.
fn cases<'q>(payment_terms: &'q [PaymentTerm], plans: &'q [Option<&'q str>]) -> impl Iterator<Item = ColumnQuery<'q>> {
    Sex::ALL.into_iter().flat_map(move |sex| {
        payment_terms.iter().flat_map(move |&payment| {
            [true, false]
                .into_iter()
                .flat_map(move |social| plans.iter().map(move |&plan| ColumnQuery { sex, payment, social, plan }))
        })
    })
}

/// Bundles are checked at catalogue load: each item must name a product of the catalogue.
fn unknown_products(bundle: &Bundle, catalogue_codes: &[String]) -> Vec<crate::error::Error> {
    bundle
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| !catalogue_codes.contains(&item.product))
        .map(|(i, item)| {
            crate::error::Error::new(
                format!("bundle[{}].item[{i}].product", bundle.id),
                crate::error::ErrorKind::Unknown { what: crate::error::Noun::Product, name: item.product.clone() },
            )
        })
        .collect()
}
