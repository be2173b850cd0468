//! Age tables: the rate tables (费率表) of the rate-table and age-band methods.
//!
//! Written as CSV: the first column holds an age (`35`) or an age band (`18-20`); each other column is
//! named by space-separated tokens saying when it applies: a sex (`male`, `female`), a payment term
//! (`single`, `years:20`, `to_age:60`), social insurance (`social`, `no_social`) or a deductible plan id;
//! `any` names a column that applies in every case.
//! A column without a token for a dimension applies whatever that dimension is. An empty cell means
//! "no rate" (the combination is not sold). Lookups are O(1): a dense index maps each age to its row.

#[cfg(feature = "toml")]
use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;

#[cfg(feature = "toml")]
use crate::error::{Error, ErrorKind, Noun};
#[cfg(feature = "toml")]
use crate::money::strict;
use crate::request::Sex;
use crate::term::PaymentTerm;
#[cfg(feature = "toml")]
use crate::text::Quoted;

/// When a column applies. `None` in a dimension means "any".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnKey {
    pub sex: Option<Sex>,
    pub payment: Option<PaymentTerm>,
    pub social: Option<bool>,
    pub plan: Option<String>,
}

/// The case a lookup is for.
#[derive(Debug, Clone, Copy)]
pub struct ColumnQuery<'a> {
    pub sex: Sex,
    pub payment: PaymentTerm,
    pub social: bool,
    pub plan: Option<&'a str>,
}

impl ColumnKey {
    fn matches(&self, q: &ColumnQuery<'_>) -> bool {
        self.sex.is_none_or(|s| s == q.sex)
            && self.payment.is_none_or(|p| p == q.payment)
            && self.social.is_none_or(|s| s == q.social)
            && self.plan.as_deref().is_none_or(|p| Some(p) == q.plan)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeRow {
    pub from: u32,
    pub to: u32,
    pub cells: Vec<Option<Decimal>>,
}

impl AgeRow {
    /// "35" or "18-20", as written.
    pub fn label(&self) -> String {
        if self.from == self.to { self.from.to_string() } else { format!("{}-{}", self.from, self.to) }
    }
}

/// A validated, indexed age table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeTable {
    /// How errors and the worksheet name this table.
    pub name: Arc<str>,
    pub headers: Vec<Arc<str>>,
    pub columns: Vec<ColumnKey>,
    pub rows: Vec<AgeRow>,
    first_age: u32,
    /// Row index for each age from `first_age`; `NO_ROW` where no row covers the age.
    row_of_age: Vec<u16>,
}

const NO_ROW: u16 = u16::MAX;

/// A cell found by a lookup: the rate and where it came from, for the worksheet.
#[derive(Debug, Clone, Copy)]
pub struct Cell<'t> {
    pub rate: Decimal,
    pub row: &'t AgeRow,
    pub header: &'t Arc<str>,
}

/// Why a lookup found no rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    NoRow,
    NoColumn,
    EmptyCell { row: String, header: String },
}

impl AgeTable {
    /// A table from rows already checked once (the compiled catalogue): `None` unless every row has a
    /// cell per column, rows do not overlap and ages are plausible, so lookups cannot go out of range.
    pub fn from_rows(
        name: Arc<str>,
        headers: Vec<Arc<str>>,
        columns: Vec<ColumnKey>,
        rows: Vec<AgeRow>,
    ) -> Option<Self> {
        let well_formed = !rows.is_empty()
            && headers.len() == columns.len()
            && rows.iter().all(|r| r.cells.len() == columns.len() && r.from <= r.to && r.to <= 150)
            && rows.len() < usize::from(NO_ROW);
        if !well_formed {
            return None;
        }
        let (first_age, row_of_age, covered_twice) = age_index(&rows);
        covered_twice.is_empty().then_some(AgeTable { name, headers, columns, rows, first_age, row_of_age })
    }

    pub fn lookup(&self, age: u32, query: &ColumnQuery<'_>) -> Result<Cell<'_>, Miss> {
        let row_index = age
            .checked_sub(self.first_age)
            .and_then(|i| self.row_of_age.get(i as usize))
            .filter(|&&r| r != NO_ROW)
            .ok_or(Miss::NoRow)?;
        let row = &self.rows[usize::from(*row_index)];
        let column = self.columns.iter().position(|c| c.matches(query)).ok_or(Miss::NoColumn)?;
        match row.cells[column] {
            Some(rate) => Ok(Cell { rate, row, header: &self.headers[column] }),
            None => Err(Miss::EmptyCell { row: row.label(), header: self.headers[column].to_string() }),
        }
    }

    /// Ages from `from` to `to` that no row covers, as gaps (from, to).
    pub fn gaps(&self, from: u32, to: u32) -> Vec<(u32, u32)> {
        let covered = |age: u32| {
            age.checked_sub(self.first_age).and_then(|i| self.row_of_age.get(i as usize)).is_some_and(|&r| r != NO_ROW)
        };
        let mut gaps: Vec<(u32, u32)> = Vec::new();
        for age in from..=to {
            if covered(age) {
                continue;
            }
            match gaps.last_mut() {
                Some((_, end)) if *end + 1 == age => *end = age,
                _ => gaps.push((age, age)),
            }
        }
        gaps
    }

    /// Check that each case in `cases` matches exactly one column; report the first clash or miss.
    #[cfg(feature = "toml")]
    pub fn check_columns<'q>(
        &self,
        cases: impl IntoIterator<Item = ColumnQuery<'q>>,
        field: &str,
        errors: &mut Vec<Error>,
    ) {
        for case in cases {
            let matching: Vec<usize> = (0..self.columns.len()).filter(|&i| self.columns[i].matches(&case)).collect();
            match matching.as_slice() {
                [_] => {}
                [] => {
                    errors.push(Error::new(field, ErrorKind::Unknown { what: Noun::Column, name: describe(&case) }));
                    return;
                }
                [a, b, ..] => {
                    errors.push(Error::new(
                        field,
                        ErrorKind::AmbiguousColumns {
                            first: self.headers[*a].to_string(),
                            second: self.headers[*b].to_string(),
                        },
                    ));
                    return;
                }
            }
        }
    }
}

/// Human description of a lookup case, e.g. "female years:20 social D10K".
pub fn describe(case: &ColumnQuery<'_>) -> String {
    let mut text = format!("{} {}", case.sex.name(), case.payment);
    text.push_str(if case.social { " social" } else { " no_social" });
    if let Some(plan) = case.plan {
        text.push(' ');
        text.push_str(plan);
    }
    text
}

#[cfg(feature = "toml")]
const HEADER_TOKENS: &str =
    "male/female, a payment term (single, years:N, to_age:N), social/no_social, a plan id, or any";

/// Parse CSV text into an age table. Every bad cell is reported, each with its row and column.
#[cfg(feature = "toml")]
pub fn parse(name: &str, text: &str, plans: &[&str], field: &str, errors: &mut Vec<Error>) -> Option<AgeTable> {
    let before = errors.len();
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
    let Some((_, header_line)) = lines.next() else {
        errors.push(Error::new(field, ErrorKind::Empty));
        return None;
    };
    let mut header_cells = header_line.split(',').map(str::trim);
    let first = header_cells.next().unwrap_or_default();
    if first != "age" {
        errors.push(Error::new(
            format!("{field} header"),
            ErrorKind::CsvHeader { header: first.to_owned(), expected: "\"age\" as the first column".into() },
        ));
    }
    let headers: Vec<Arc<str>> = header_cells.map(Arc::from).collect();
    if headers.is_empty() {
        errors.push(Error::new(format!("{field} header"), ErrorKind::Empty));
    }
    let columns: Vec<ColumnKey> = headers
        .iter()
        .map(|h| {
            parse_column(h, plans).unwrap_or_else(|| {
                errors.push(Error::new(
                    format!("{field} column {}", Quoted(h)),
                    ErrorKind::CsvHeader { header: h.to_string(), expected: HEADER_TOKENS.into() },
                ));
                ColumnKey::default()
            })
        })
        .collect();

    let mut rows = Vec::new();
    for (line_no, line) in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let place = format!("{field} line {line_no}");
        if cells.len() != headers.len() + 1 {
            errors.push(Error::new(place, ErrorKind::CsvWidth { expected: headers.len() + 1, found: cells.len() }));
            continue;
        }
        let Some((from, to)) = parse_age_key(cells[0]) else {
            errors.push(Error::new(
                format!("{place} column \"age\""),
                ErrorKind::CsvHeader {
                    header: cells[0].to_owned(),
                    expected: "an age or band such as 35 or 18-20".into(),
                },
            ));
            continue;
        };
        let mut values = Vec::with_capacity(headers.len());
        for (text, header) in cells[1..].iter().zip(&headers) {
            if text.is_empty() {
                values.push(None);
                continue;
            }
            match strict::parse(text) {
                Some(v) if v >= Decimal::ZERO => values.push(Some(v)),
                Some(_) => {
                    errors.push(Error::new(
                        format!("{place} (age {}) column {}", cells[0], Quoted(header)),
                        ErrorKind::OutOfRange { value: (*text).to_owned(), min: "0".into(), max: "∞".into() },
                    ));
                    values.push(None);
                }
                None => {
                    errors.push(Error::new(
                        format!("{place} (age {}) column {}", cells[0], Quoted(header)),
                        ErrorKind::NotDecimal { value: (*text).to_owned() },
                    ));
                    values.push(None);
                }
            }
        }
        rows.push(AgeRow { from, to, cells: values });
    }
    if rows.is_empty() && errors.len() == before {
        errors.push(Error::new(field, ErrorKind::Empty));
    }
    let (first_age, row_of_age, covered_twice) = age_index(&rows);
    for age in covered_twice {
        errors.push(Error::new(
            format!("{field} age {age}"),
            ErrorKind::Duplicate { what: Noun::Row, name: age.to_string() },
        ));
    }
    (errors.len() == before).then(|| AgeTable { name: Arc::from(name), headers, columns, rows, first_age, row_of_age })
}

/// The first age and the row index of each age from it (`NO_ROW` where no row covers the age), and
/// every age that two rows cover.
fn age_index(rows: &[AgeRow]) -> (u32, Vec<u16>, Vec<u32>) {
    let first_age = rows.iter().map(|r| r.from).min().unwrap_or(0);
    let last_age = rows.iter().map(|r| r.to).max().unwrap_or(0);
    let mut row_of_age = vec![NO_ROW; (last_age.saturating_sub(first_age) + 1) as usize];
    let mut covered_twice = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        for age in row.from..=row.to {
            let Some(slot) = row_of_age.get_mut((age - first_age) as usize) else { continue };
            if *slot != NO_ROW {
                covered_twice.push(age);
            }
            *slot = u16::try_from(index).unwrap_or(NO_ROW);
        }
    }
    (first_age, row_of_age, covered_twice)
}

#[cfg(feature = "toml")]
fn parse_age_key(text: &str) -> Option<(u32, u32)> {
    let age = |s: &str| s.trim().parse::<u32>().ok().filter(|&a| a <= 150);
    match text.split_once('-') {
        Some((from, to)) => {
            let (from, to) = (age(from)?, age(to)?);
            (from <= to).then_some((from, to))
        }
        None => age(text).map(|a| (a, a)),
    }
}

#[cfg(feature = "toml")]
fn parse_column(header: &str, plans: &[&str]) -> Option<ColumnKey> {
    let mut key = ColumnKey::default();
    for token in header.split_whitespace() {
        match token {
            "male" if key.sex.is_none() => key.sex = Some(Sex::Male),
            "female" if key.sex.is_none() => key.sex = Some(Sex::Female),
            "any" => {}
            "social" if key.social.is_none() => key.social = Some(true),
            "no_social" if key.social.is_none() => key.social = Some(false),
            _ if plans.contains(&token) && key.plan.is_none() => key.plan = Some(token.to_owned()),
            _ if key.payment.is_none() => key.payment = Some(PaymentTerm::from_str(token).ok()?),
            _ => return None,
        }
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CI: &str = "age, male single, male years:20, female single, female years:20\n\
                      # comment lines and blank lines are skipped\n\n\
                      30, 310.5, 20.1, 290, 18.4\n\
                      31, 320, 21, 300, \n";

    fn query(sex: Sex, payment: PaymentTerm) -> ColumnQuery<'static> {
        ColumnQuery { sex, payment, social: true, plan: None }
    }

    #[test]
    fn looks_up_the_cell_by_age_and_column() {
        let mut errors = Vec::new();
        let table = parse("t", CI, &[], "rates", &mut errors).unwrap();
        let cell = table.lookup(30, &query(Sex::Female, PaymentTerm::Years(20))).unwrap();
        assert_eq!(cell.rate.to_string(), "18.4");
        assert_eq!(&**cell.header, "female years:20");
        assert_eq!(cell.row.label(), "30");
        assert!(matches!(table.lookup(31, &query(Sex::Female, PaymentTerm::Years(20))), Err(Miss::EmptyCell { .. })));
        assert_eq!(table.lookup(29, &query(Sex::Male, PaymentTerm::Single)).unwrap_err(), Miss::NoRow);
        assert_eq!(table.lookup(30, &query(Sex::Male, PaymentTerm::Years(10))).unwrap_err(), Miss::NoColumn);
    }

    #[test]
    fn bands_and_wildcard_columns() {
        let text = "age, social D1, no_social D1\n0-4, 300, 700\n5-10, 200, 500\n";
        let mut errors = Vec::new();
        let table = parse("t", text, &["D1"], "bands", &mut errors).unwrap();
        let q = ColumnQuery { sex: Sex::Male, payment: PaymentTerm::Years(1), social: false, plan: Some("D1") };
        assert_eq!(table.lookup(7, &q).unwrap().rate.to_string(), "500");
        assert_eq!(table.lookup(7, &q).unwrap().row.label(), "5-10");
        assert_eq!(table.gaps(0, 12), vec![(11, 12)]);
    }

    #[test]
    fn reports_every_bad_cell_with_its_place() {
        let text = "age, male single, female single\n30, abc, 1.0\n31, 2, -1\n32, 1\nxx, 1, 1\n";
        let mut errors = Vec::new();
        assert!(parse("t", text, &[], "product[CI v1].rating.tables[lifelong]", &mut errors).is_none());
        let codes: Vec<&str> = errors.iter().map(Error::code).collect();
        assert_eq!(codes, ["decimal.invalid", "range.out", "csv.width", "csv.header"]);
        assert!(errors[0].field.contains("line 2 (age 30) column \"male single\""), "{}", errors[0].field);
        assert!(errors[0].field.starts_with("product[CI v1].rating.tables[lifelong]"));
    }

    #[test]
    fn overlapping_rows_and_unknown_headers_are_errors() {
        let mut errors = Vec::new();
        assert!(parse("t", "age, male, purple\n0-4,1,1\n4,1,1\n", &[], "t", &mut errors).is_none());
        let codes: Vec<&str> = errors.iter().map(Error::code).collect();
        assert_eq!(codes, ["csv.header", "duplicate"]);
    }

    #[test]
    fn column_check_finds_clashes_and_misses() {
        let mut errors = Vec::new();
        let table = parse("t", "age, male, male single\n30,1,1\n", &[], "t", &mut errors).unwrap();
        table.check_columns([query(Sex::Male, PaymentTerm::Single)], "t", &mut errors);
        assert_eq!(errors[0].code(), "table.ambiguous_columns");
        errors.clear();
        table.check_columns([query(Sex::Female, PaymentTerm::Single)], "t", &mut errors);
        assert_eq!(errors[0].code(), "unknown");
    }
}
