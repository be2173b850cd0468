//! The facts of an application, derived from the server's own quote: one row per priced coverage
//! (each coverage is a policy, 件, of one product), one per discount share, and one for the
//! application. The store writes them in the submitting transaction; every figure of the dashboard is
//! a sum over them (`crate::figures`).
//!
//! The definitions that decide a premium figure live here, once:
//!
//! - **payment kind** ([`PaymentKind::of`]): *short-term* (短期险) when the cover lasts one year or less;
//!   otherwise *single* (趸交) when it is paid with one premium; otherwise *regular* (期缴).
//! - **first-year premium** (首年保费): the coverage's `first_year_premium` (instalment × instalments a
//!   year), less its share of the quote's first-year discounts: what the policyholder pays in the
//!   first policy year.
//! - **annualised premium** (年化保费) of a regular or short-term coverage: its first-year premium (a
//!   year of premiums at the chosen frequency, so the modal loading is in it); of a single-premium
//!   coverage: nothing.
//! - **single premium** (趸交保费): the first-year premium of a single-premium coverage.
//! - **a discount's share** of a coverage ([`allocate`]): the quote's discounts are per quote and name
//!   the products they reduced; each is split over those coverages in proportion to their gross
//!   first-year premium, to the fen, by the largest remainder (the shares add up to the discount
//!   exactly).
//!
//! Money is kept in fen (分) as `i64`: every amount a quote carries is rounded to the fen by the
//! catalogue's rounding rules, and [`fen`] refuses one that is not.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use premia_core::catalogue::Line;
use premia_core::coupon::CouponKind;
use premia_core::{Channel, CoverageQuote, PaymentTerm, Quote};

/// How a coverage is paid, for the 期缴/趸交 split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// 期缴: long-term cover paid by more than one yearly premium.
    Regular,
    /// 趸交: long-term cover paid by one premium.
    Single,
    /// 短期险: cover of one year or less (million medical, accident, 惠民保).
    ShortTerm,
}

impl PaymentKind {
    pub const ALL: [PaymentKind; 3] = [PaymentKind::Regular, PaymentKind::Single, PaymentKind::ShortTerm];

    /// The kind of a priced coverage (see the module documentation).
    pub fn of(coverage: &CoverageQuote) -> PaymentKind {
        if coverage.coverage_term.years(coverage.age).is_some_and(|years| years <= 1) {
            PaymentKind::ShortTerm
        } else if coverage.payment_term == PaymentTerm::Single || coverage.payment_years <= 1 {
            PaymentKind::Single
        } else {
            PaymentKind::Regular
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PaymentKind::Regular => "regular",
            PaymentKind::Single => "single",
            PaymentKind::ShortTerm => "short_term",
        }
    }

    pub fn parse(name: &str) -> Option<PaymentKind> {
        PaymentKind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn label(self) -> premia_core::Text {
        match self {
            PaymentKind::Regular => premia_core::Text::fixed("期缴", "regular premium"),
            PaymentKind::Single => premia_core::Text::fixed("趸交", "single premium"),
            PaymentKind::ShortTerm => premia_core::Text::fixed("短期险", "short-term"),
        }
    }
}

/// Whether a line is high-value business in the premium plan's sense: long-term health (critical
/// illness, long-term care) and annuities. Counted only for long-term cover (not short-term kinds).
pub fn is_high_value(line: Line, kind: PaymentKind) -> bool {
    kind != PaymentKind::ShortTerm && matches!(line, Line::CriticalIllness | Line::LongTermCare | Line::Annuity)
}

/// The line's name as the API and the store spell it (`critical_illness`).
pub fn line_name(line: Line) -> &'static str {
    match line {
        Line::CriticalIllness => "critical_illness",
        Line::Medical => "medical",
        Line::TermLife => "term_life",
        Line::WholeLife => "whole_life",
        Line::Endowment => "endowment",
        Line::Annuity => "annuity",
        Line::Accident => "accident",
        Line::LongTermCare => "long_term_care",
        Line::CityHealth => "city_health",
    }
}

/// Every line, in the order the dashboard lists them.
pub const LINES: [Line; 9] = [
    Line::CriticalIllness,
    Line::LongTermCare,
    Line::Annuity,
    Line::WholeLife,
    Line::Endowment,
    Line::TermLife,
    Line::Medical,
    Line::Accident,
    Line::CityHealth,
];

pub fn parse_line(name: &str) -> Option<Line> {
    LINES.into_iter().find(|l| line_name(*l) == name)
}

/// An amount the facts cannot hold: not a whole number of fen, or beyond `i64` fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFen {
    pub field: String,
    pub value: Decimal,
}

impl std::fmt::Display for NotFen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} = {} is not a whole number of fen", self.field, self.value)
    }
}

/// `value` in fen, or an error naming `field` when it is not a whole number of fen.
pub fn fen(value: Decimal, field: &str) -> Result<i64, NotFen> {
    let scaled = value * Decimal::ONE_HUNDRED;
    let not_fen = || NotFen { field: field.to_owned(), value };
    if scaled.fract() != Decimal::ZERO {
        return Err(not_fen());
    }
    i64::try_from(scaled).map_err(|_| not_fen())
}

/// Fen as yuan (exact: two decimal places).
pub fn yuan(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

/// One priced coverage as the dashboard counts it. Amounts in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageFact {
    /// Position in the quote's `coverages`.
    pub index: u32,
    pub product: String,
    pub product_version: u32,
    pub line: Line,
    /// As the quote writes it: `years:20`, `single`, `to_age:60`.
    pub payment_term: String,
    pub payment_years: u32,
    /// `annual`, `monthly`, …
    pub frequency: String,
    pub kind: PaymentKind,
    /// First-year premium before discounts.
    pub gross_first_year: i64,
    /// This coverage's share of the quote's first-year discounts.
    pub discount_first_year: i64,
    /// Its share of the discounts over the payment terms.
    pub discount_total: i64,
    /// First-year premium after discounts: 新单保费 of this policy once accepted.
    pub first_year: i64,
    /// Regular and short-term: the first-year premium; single: 0.
    pub annualised: i64,
    /// Single: the first-year premium; otherwise 0.
    pub single: i64,
}

/// A discount's share of one coverage, and the rule behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountFact {
    pub coverage_index: u32,
    pub kind: CouponKind,
    /// The campaign code, the voucher or referral series, or the bundle id.
    pub rule: String,
    pub first_year: i64,
    pub total: i64,
}

/// The facts of one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationFacts {
    /// `direct` or `agent`.
    pub channel: String,
    pub agent_code: Option<String>,
    /// The insured's region code as declared in the request (GB/T 2260), if any.
    pub region: Option<String>,
    /// Its province: the first two digits followed by `0000` (`310000`), or `""` when no region was
    /// declared.
    pub province: String,
    pub coverages: Vec<CoverageFact>,
    pub discounts: Vec<DiscountFact>,
}

/// The province-level code of a region code (`440300` → `440000`), or `""` for none or a malformed one.
pub fn province_of(region: Option<&str>) -> String {
    match region {
        Some(code) if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) => format!("{}0000", &code[..2]),
        _ => String::new(),
    }
}

/// The facts of `quote`, the server's own re-computation of an application.
pub fn of_quote(quote: &Quote) -> Result<ApplicationFacts, NotFen> {
    let (channel, agent_code) = match &quote.request.channel {
        Channel::Direct => ("direct", None),
        Channel::Agent { agent_code } => ("agent", Some(agent_code.clone())),
    };
    let gross: Vec<i64> = quote
        .coverages
        .iter()
        .enumerate()
        .map(|(i, c)| fen(c.first_year_premium, &format!("coverages[{i}].first_year_premium")))
        .collect::<Result<_, _>>()?;
    let mut discount_first_year = vec![0_i64; gross.len()];
    let mut discount_total = vec![0_i64; gross.len()];
    let mut discounts = Vec::new();
    for (d, discount) in quote.discounts.iter().enumerate() {
        let targets: Vec<usize> =
            (0..quote.coverages.len()).filter(|&i| discount.products.contains(&quote.coverages[i].product)).collect();
        let weights: Vec<i64> = targets.iter().map(|&i| gross[i]).collect();
        let first_year = allocate(fen(discount.first_year, &format!("discounts[{d}].first_year"))?, &weights);
        let total = allocate(fen(discount.total, &format!("discounts[{d}].total"))?, &weights);
        let rule = rule_of(quote, &discount.code, discount.kind);
        for ((&i, first_year), total) in targets.iter().zip(first_year).zip(total) {
            discount_first_year[i] += first_year;
            discount_total[i] += total;
            discounts.push(DiscountFact {
                coverage_index: index(i),
                kind: discount.kind,
                rule: rule.clone(),
                first_year,
                total,
            });
        }
    }
    let coverages = quote
        .coverages
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let kind = PaymentKind::of(c);
            let first_year = gross[i] - discount_first_year[i];
            CoverageFact {
                index: index(i),
                product: c.product.clone(),
                product_version: c.product_version,
                line: c.line,
                payment_term: c.payment_term.to_string(),
                payment_years: c.payment_years,
                frequency: c.frequency.name().to_owned(),
                kind,
                gross_first_year: gross[i],
                discount_first_year: discount_first_year[i],
                discount_total: discount_total[i],
                first_year,
                annualised: if kind == PaymentKind::Single { 0 } else { first_year },
                single: if kind == PaymentKind::Single { first_year } else { 0 },
            }
        })
        .collect::<Vec<_>>();
    let facts = ApplicationFacts {
        channel: channel.to_owned(),
        agent_code,
        region: quote.request.insured.region.clone(),
        province: province_of(quote.request.insured.region.as_deref()),
        coverages,
        discounts,
    };
    check(quote, &facts)?;
    Ok(facts)
}

/// The money path's assertions: the facts add up to the quote's own totals, to the fen.
fn check(quote: &Quote, facts: &ApplicationFacts) -> Result<(), NotFen> {
    let gross: i64 = facts.coverages.iter().map(|c| c.gross_first_year).sum();
    let net: i64 = facts.coverages.iter().map(|c| c.first_year).sum();
    let discounted: i64 = facts.discounts.iter().map(|d| d.first_year).sum();
    let totals = &quote.totals;
    assert_eq!(gross, fen(totals.first_year_premium, "totals.first_year_premium")?, "gross first-year premium");
    assert_eq!(discounted, fen(totals.discount_first_year, "totals.discount_first_year")?, "first-year discount");
    assert_eq!(net, fen(totals.net_first_year_premium, "totals.net_first_year_premium")?, "net first-year premium");
    for c in &facts.coverages {
        assert!(c.first_year >= 0 && c.annualised + c.single == c.first_year, "coverage {} splits", c.index);
    }
    Ok(())
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The rule behind a discount: a campaign's or bundle's own code; for a signed voucher or referral
/// code (whose `code` is the token's id), its series.
fn rule_of(quote: &Quote, code: &str, kind: CouponKind) -> String {
    match kind {
        CouponKind::Voucher | CouponKind::Referral => {
            quote.coupons_used.iter().find(|u| u.id == code).map_or_else(|| code.to_owned(), |u| u.series.clone())
        }
        CouponKind::Bundle | CouponKind::Campaign => code.to_owned(),
    }
}

/// Split `amount` fen over `weights` in proportion, each share floored to the fen and the fen left over
/// given one each to the largest remainders (the earlier coverage first on a tie). With no weight at
/// all, equal weights. The shares add up to `amount` exactly.
pub fn allocate(amount: i64, weights: &[i64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let equal = vec![1_i64; weights.len()];
    let weights = if weights.iter().all(|w| *w <= 0) { &equal[..] } else { weights };
    let sum: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
    let amount_wide = i128::from(amount);
    let mut shares: Vec<i64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let product = amount_wide * i128::from((*w).max(0));
        shares.push(i64::try_from(product.div_euclid(sum)).unwrap_or(i64::MAX));
        remainders.push((product.rem_euclid(sum), i));
    }
    let given: i64 = shares.iter().sum();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders.into_iter().take(usize::try_from(amount - given).unwrap_or(0)) {
        shares[i] += 1;
    }
    assert_eq!(shares.iter().sum::<i64>(), amount, "an allocation adds up to its amount");
    shares
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)] // amounts in fen, written yuan_fen
mod tests {
    use super::*;
    use premia_core::QuoteRequest;

    fn quote(request: serde_json::Value) -> Quote {
        let request: QuoteRequest = serde_json::from_value(request).unwrap();
        premia_core::quote(&premia_core::demo::catalogue(), &request).unwrap()
    }

    fn insured() -> serde_json::Value {
        serde_json::json!({ "birth_date": "1995-05-01", "sex": "female", "smoker": false, "occupation_class": 1,
            "social_insurance": true, "region": "440300" })
    }

    #[test]
    fn allocations_add_up_and_follow_the_weights() {
        assert_eq!(allocate(100, &[1, 1, 1]), [34, 33, 33]);
        assert_eq!(allocate(1000, &[3000, 1000]), [750, 250]);
        assert_eq!(allocate(7, &[0, 0]), [4, 3], "no weight: equal shares");
        assert_eq!(allocate(0, &[5, 7]), [0, 0]);
        assert_eq!(allocate(5, &[]), Vec::<i64>::new());
        assert_eq!(allocate(2, &[1, 1, 1]), [1, 1, 0], "the earlier coverage first on a tie");
    }

    #[test]
    fn fen_refuses_what_is_not_a_whole_fen() {
        assert_eq!(fen(Decimal::new(123_45, 2), "x"), Ok(12345));
        assert_eq!(fen(Decimal::new(100, 0), "x"), Ok(10000));
        assert!(fen(Decimal::new(1_234, 3), "x").is_err());
        assert_eq!(yuan(12345).to_string(), "123.45");
    }

    #[test]
    fn kinds_by_term() {
        let q = quote(serde_json::json!({
            "quote_date": "2026-11-25", "insured": insured(), "channel": { "kind": "agent", "agent_code": "A1001" },
            "coverages": [
                { "product": "CI", "sum_assured": "300000", "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "monthly" },
                { "product": "WL", "sum_assured": "300000", "coverage_term": "lifelong", "payment_term": "single", "frequency": "annual" },
                { "product": "ACC", "sum_assured": "500000", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual" }
            ]
        }));
        let facts = of_quote(&q).unwrap();
        let kinds: Vec<PaymentKind> = facts.coverages.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [PaymentKind::Regular, PaymentKind::Single, PaymentKind::ShortTerm]);
        assert_eq!((facts.channel.as_str(), facts.agent_code.as_deref()), ("agent", Some("A1001")));
        assert_eq!((facts.region.as_deref(), facts.province.as_str()), (Some("440300"), "440000"));
        let ci = &facts.coverages[0];
        assert_eq!(ci.frequency, "monthly");
        assert_eq!(ci.gross_first_year, fen(q.coverages[0].first_year_premium, "").unwrap());
        assert_eq!((ci.annualised, ci.single), (ci.first_year, 0));
        let wl = &facts.coverages[1];
        assert_eq!((wl.annualised, wl.single, wl.payment_term.as_str()), (0, wl.first_year, "single"));
        assert!(is_high_value(ci.line, ci.kind) && !is_high_value(facts.coverages[2].line, PaymentKind::ShortTerm));
    }

    #[test]
    fn discounts_are_shared_by_the_coverages_they_reduced() {
        let q = quote(serde_json::json!({
            "quote_date": "2026-11-25", "insured": insured(), "channel": { "kind": "direct" },
            "coupons": ["PROMO-NOV"], "bundle": "YOUNG-PROTECT",
            "coverages": [
                { "product": "CI", "sum_assured": "300000", "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "annual" },
                { "product": "MED", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual", "plan": "D10K" },
                { "product": "TERM", "sum_assured": "1000000", "coverage_term": "years:20", "payment_term": "years:20", "frequency": "annual" },
                { "product": "ACC", "sum_assured": "500000", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual" }
            ]
        }));
        assert!(q.discounts.len() >= 2, "{:?}", q.rejected_coupons);
        let facts = of_quote(&q).unwrap();
        let acc = &facts.coverages[3];
        assert_eq!(acc.discount_first_year, 0, "neither the bundle nor the campaign reduces accident cover");
        assert!(facts.coverages[..3].iter().all(|c| c.discount_first_year > 0), "{:?}", facts.coverages);
        let on_ci: Vec<&str> =
            facts.discounts.iter().filter(|d| d.coverage_index == 0).map(|d| d.rule.as_str()).collect();
        assert_eq!(on_ci, ["YOUNG-PROTECT", "PROMO-NOV"]);
        let rules: std::collections::BTreeSet<&str> = facts.discounts.iter().map(|d| d.rule.as_str()).collect();
        assert_eq!(rules, ["PROMO-NOV", "YOUNG-PROTECT"].into_iter().collect());
        let net: i64 = facts.coverages.iter().map(|c| c.first_year).sum();
        assert_eq!(net, fen(q.totals.net_first_year_premium, "").unwrap());
    }

    #[test]
    fn provinces_of_regions() {
        assert_eq!(province_of(Some("330100")), "330000");
        assert_eq!(province_of(None), "");
        assert_eq!(province_of(Some("33")), "");
    }
}
