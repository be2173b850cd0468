//! The premium schedule (交费计划): every premium a policy will ask for, when it falls due and how
//! much, per coverage and in total, computed from the quote alone.
//!
//! The first premium is paid on application (`first_paid_on`); cover starts at 00:00 some days later
//! (the catalogue's `effective_days_after_payment`), and every later premium falls due on the same
//! day of the month as the cover started, counted from that day (31 January + 1 month is the last day
//! of February; the next is 31 March, not 28 March), with the catalogue's grace period after it.
//! Each coverage pays its instalment `instalments_per_year` times a year for `payment_years` years.
//!
//! Discounts: the quote gives each discount's amount off the first year and over the terms, not how
//! it falls on each premium. The schedule spreads them by one named rule, **`schedule_discount`**:
//! - a discount's first-year amount over the first policy year's premiums, and what an every-year
//!   discount takes after that over the later years and then over each year's premiums, always in
//!   proportion to the premiums of the products it discounts;
//! - each share rounded **down** to the catalogue's `discount` rounding scale (the fen), and what
//!   rounding down leaves given to the earliest premiums that can take it;
//! - no premium is discounted below zero.
//!
//! So the schedule adds up to the quote exactly, which the money path asserts (TigerBeetle style):
//! gross, discount and net over the first year and over the terms, and each coverage's instalments.
//! A quote whose figures do not follow from each other (edited, damaged) is refused with a typed
//! error before any of that.

use std::collections::BTreeMap;

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Rule;
use crate::catalogue::Catalogue;
use crate::error::{Error, ErrorKind, Errors};
use crate::money::{RoundMode, Rounding, RoundingStep, sum};
use crate::pricing::quote::Quote;
use crate::term::{Frequency, PaymentTerm};
use crate::text::Text;

/// No premium anyone pays reaches a trillion yuan; bounding figures keeps every product in the
/// spreading of discounts within a `Decimal`.
pub const MAX_FIGURE: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0); // 10^12
/// Nobody pays premiums for longer.
pub const MAX_PAYMENT_YEARS: u32 = 100;

/// Every premium of a policy, in due order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// The day the first premium is paid.
    pub first_paid_on: NaiveDate,
    /// Cover starts at 00:00 on this day; later premiums fall due counted from it.
    pub effective_from: NaiveDate,
    pub grace_period_days: u32,
    pub coverages: Vec<CoverageSchedule>,
    pub payments: Vec<Payment>,
    pub totals: ScheduleTotals,
}

/// What one coverage pays over its payment term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageSchedule {
    pub product: String,
    pub name: Text,
    pub payment_term: PaymentTerm,
    pub frequency: Frequency,
    pub instalment: Decimal,
    /// How many premiums: instalments a year × payment years.
    pub payments: u32,
    pub last_due_on: NaiveDate,
    /// The instalments added up: the coverage's total premium in the quote.
    pub total: Decimal,
}

/// One premium: what each coverage pays, the discount on it, and what is paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// 1 for the first premium.
    pub number: u32,
    pub policy_year: u32,
    pub due_on: NaiveDate,
    /// The cover stays in force unpaid until the end of this day; none for the first premium, without
    /// which there is no cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_until: Option<NaiveDate>,
    pub coverages: Vec<CoverageAmount>,
    pub gross: Decimal,
    pub discount: Decimal,
    /// What is paid: gross − discount.
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageAmount {
    pub product: String,
    pub amount: Decimal,
}

/// The schedule added up: the quote's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleTotals {
    pub first_year_gross: Decimal,
    pub first_year_discount: Decimal,
    pub first_year_net: Decimal,
    pub gross: Decimal,
    pub discount: Decimal,
    pub net: Decimal,
}

/// The schedule of `quote` when its first premium is paid on `first_paid_on`, by `catalogue`'s policy
/// rules. Errors: the catalogue sells nothing online, or the quote's figures do not add up.
pub fn schedule(catalogue: &Catalogue, quote: &Quote, first_paid_on: NaiveDate) -> Result<Schedule, Errors> {
    let Some(rules) = catalogue.sale.policy else {
        return Err(Errors::one("", ErrorKind::Purchase(Rule::NotSellingOnline)));
    };
    consistent(quote)?;
    let scale = catalogue.rounding.get(RoundingStep::Discount).scale;
    let out_of_range = || {
        let kind = ErrorKind::OutOfRange { value: first_paid_on.to_string(), min: "-".into(), max: "-".into() };
        Errors::one("first_paid_on", kind)
    };
    let effective_from = first_paid_on
        .checked_add_days(Days::new(u64::from(rules.effective_days_after_payment)))
        .ok_or_else(out_of_range)?;
    let mut payments =
        payments(quote, first_paid_on, effective_from, rules.grace_period_days).ok_or_else(out_of_range)?;
    discounts(quote, &mut payments, scale)?;
    let coverages = quote
        .coverages
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut paying = payments.iter().filter(|p| p.coverages.iter().any(|a| a.product == c.product));
            let count = paying.clone().count() as u32;
            CoverageSchedule {
                product: c.product.clone(),
                name: c.name.clone(),
                payment_term: c.payment_term,
                frequency: c.frequency,
                instalment: c.instalment_premium,
                payments: count,
                last_due_on: paying.next_back().map_or(first_paid_on, |p| p.due_on),
                total: sum(Decimal::ZERO, payments.iter().filter_map(|p| amount_of(p, &quote.coverages[i].product))),
            }
        })
        .collect();
    let year_one = |p: &&Payment| p.policy_year == 1;
    let totals = ScheduleTotals {
        first_year_gross: sum(Decimal::ZERO, payments.iter().filter(year_one).map(|p| p.gross)),
        first_year_discount: sum(Decimal::ZERO, payments.iter().filter(year_one).map(|p| p.discount)),
        first_year_net: sum(Decimal::ZERO, payments.iter().filter(year_one).map(|p| p.amount)),
        gross: sum(Decimal::ZERO, payments.iter().map(|p| p.gross)),
        discount: sum(Decimal::ZERO, payments.iter().map(|p| p.discount)),
        net: sum(Decimal::ZERO, payments.iter().map(|p| p.amount)),
    };
    let schedule = Schedule {
        first_paid_on,
        effective_from,
        grace_period_days: rules.grace_period_days,
        coverages,
        payments,
        totals,
    };
    assert_adds_up(quote, &schedule);
    Ok(schedule)
}

fn amount_of(payment: &Payment, product: &str) -> Option<Decimal> {
    payment.coverages.iter().find(|a| a.product == product).map(|a| a.amount)
}

/// The money path's invariants: the schedule is the quote, to the fen. A failure is a bug in this
/// module (the quote's own figures were checked by [`consistent`]), never bad input.
fn assert_adds_up(quote: &Quote, schedule: &Schedule) {
    let (t, q) = (&schedule.totals, &quote.totals);
    assert_eq!(t.gross, q.total_premium, "schedule gross over the terms is the quote's total premium");
    assert_eq!(t.discount, q.discount_total, "schedule discount over the terms is the quote's");
    assert_eq!(t.net, q.net_total_premium, "schedule net over the terms is the quote's");
    assert_eq!(t.first_year_gross, q.first_year_premium, "first-year gross is the quote's first-year premium");
    assert_eq!(t.first_year_discount, q.discount_first_year, "first-year discount is the quote's");
    assert_eq!(t.first_year_net, q.net_first_year_premium, "first-year net is the quote's");
    for (c, s) in quote.coverages.iter().zip(&schedule.coverages) {
        assert_eq!(s.total, c.total_premium, "coverage {}: instalments add up to its total premium", c.product);
        assert_eq!(s.payments, c.payment_years * c.instalments_per_year, "coverage {}: premium count", c.product);
    }
    for (i, p) in schedule.payments.iter().enumerate() {
        assert_eq!(p.number as usize, i + 1, "payments are numbered in due order");
        assert!(p.discount >= Decimal::ZERO && p.discount <= p.gross, "payment {}: 0 ≤ discount ≤ gross", p.number);
        assert_eq!(p.amount, p.gross - p.discount, "payment {}: amount = gross − discount", p.number);
        assert_eq!(p.gross, sum(Decimal::ZERO, p.coverages.iter().map(|a| a.amount)), "payment {}: gross", p.number);
    }
}

/// Each premium with its gross amount, by month counted from the start of cover (0: the first
/// premium). `None` when a due date falls beyond the calendar.
fn payments(quote: &Quote, first_paid_on: NaiveDate, effective_from: NaiveDate, grace: u32) -> Option<Vec<Payment>> {
    let mut by_month: BTreeMap<u32, Vec<CoverageAmount>> = BTreeMap::new();
    for c in &quote.coverages {
        let step = 12 / c.instalments_per_year;
        for k in 0..c.payment_years * c.instalments_per_year {
            let amount = CoverageAmount { product: c.product.clone(), amount: c.instalment_premium };
            by_month.entry(k * step).or_default().push(amount);
        }
    }
    let mut payments = Vec::with_capacity(by_month.len());
    for (i, (month, coverages)) in by_month.into_iter().enumerate() {
        let (due_on, grace_until) = if month == 0 {
            (first_paid_on, None)
        } else {
            // Counted from the start each time, so a month's end is not lost along the way.
            let due = effective_from.checked_add_months(Months::new(month))?;
            (due, Some(due.checked_add_days(Days::new(u64::from(grace)))?))
        };
        let gross = sum(Decimal::ZERO, coverages.iter().map(|a| a.amount));
        payments.push(Payment {
            number: i as u32 + 1,
            policy_year: month / 12 + 1,
            due_on,
            grace_until,
            coverages,
            gross,
            discount: Decimal::ZERO,
            amount: gross,
        });
    }
    Some(payments)
}

/// Spread every discount over the premiums by `schedule_discount` (see the module docs), then set each
/// premium's amount.
fn discounts(quote: &Quote, payments: &mut [Payment], scale: u32) -> Result<(), Errors> {
    let years = payments.last().map_or(0, |p| p.policy_year) as usize;
    let year_of: Vec<usize> = payments.iter().map(|p| p.policy_year as usize).collect();
    let in_year = |year: usize| (0..year_of.len()).filter(|&i| year_of[i] == year).collect::<Vec<usize>>();
    for (d_index, d) in quote.discounts.iter().enumerate() {
        let field = format!("quote.discounts[{d_index}].total");
        let eligible: Vec<Decimal> = payments
            .iter()
            .map(|p| {
                sum(Decimal::ZERO, p.coverages.iter().filter(|a| d.products.contains(&a.product)).map(|a| a.amount))
            })
            .collect();
        spread_over(d.first_year, &in_year(1), &eligible, payments, scale, &field)?;
        let later = d.total - d.first_year;
        if later > Decimal::ZERO {
            let year_weights: Vec<Decimal> =
                (2..=years).map(|y| sum(Decimal::ZERO, in_year(y).into_iter().map(|i| eligible[i]))).collect();
            let year_room: Vec<Decimal> =
                (2..=years).map(|y| sum(Decimal::ZERO, in_year(y).into_iter().map(|i| room(&payments[i])))).collect();
            let by_year = spread(later, &year_weights, &year_room, scale).ok_or_else(|| unspread(&field, d.total))?;
            for (y, share) in (2..=years).zip(by_year) {
                spread_over(share, &in_year(y), &eligible, payments, scale, &field)?;
            }
        }
    }
    for p in payments.iter_mut() {
        p.amount = p.gross - p.discount;
    }
    Ok(())
}

/// What a premium can still be discounted by.
fn room(payment: &Payment) -> Decimal {
    payment.gross - payment.discount
}

/// `amount` over the premiums at `indexes`, weighted by `eligible`, within each premium's room.
fn spread_over(
    amount: Decimal,
    indexes: &[usize],
    eligible: &[Decimal],
    payments: &mut [Payment],
    scale: u32,
    field: &str,
) -> Result<(), Errors> {
    let weights: Vec<Decimal> = indexes.iter().map(|&i| eligible[i]).collect();
    let rooms: Vec<Decimal> = indexes.iter().map(|&i| room(&payments[i])).collect();
    let shares = spread(amount, &weights, &rooms, scale).ok_or_else(|| unspread(field, amount))?;
    for (&i, share) in indexes.iter().zip(shares) {
        payments[i].discount += share;
    }
    Ok(())
}

fn unspread(field: &str, amount: Decimal) -> Errors {
    let rule = Rule::QuoteInconsistent {
        figure: field.trim_start_matches("quote.").to_owned(),
        expected: "at most the premiums it discounts".to_owned(),
        found: amount.to_string(),
    };
    Errors::one(field, ErrorKind::Purchase(rule))
}

/// `amount` in shares proportional to `weights` (equal shares of the room when every weight is zero),
/// each rounded down to `scale` places and at most its `room`; what that leaves goes to the earliest
/// shares with room left. `None` if the rooms together cannot take `amount`.
pub fn spread(amount: Decimal, weights: &[Decimal], rooms: &[Decimal], scale: u32) -> Option<Vec<Decimal>> {
    debug_assert_eq!(weights.len(), rooms.len());
    let down = Rounding { scale, mode: RoundMode::Down };
    let total_weight = sum(Decimal::ZERO, weights.iter().copied());
    let (weights, total_weight) = if total_weight > Decimal::ZERO {
        (weights, total_weight)
    } else {
        (rooms, sum(Decimal::ZERO, rooms.iter().copied()))
    };
    let mut shares = Vec::with_capacity(weights.len());
    for (&weight, &room) in weights.iter().zip(rooms) {
        let exact =
            if total_weight > Decimal::ZERO { amount.checked_mul(weight)? / total_weight } else { Decimal::ZERO };
        shares.push(down.apply(exact).min(room).max(Decimal::ZERO));
    }
    let mut left = amount - sum(Decimal::ZERO, shares.iter().copied());
    for (share, &room) in shares.iter_mut().zip(rooms) {
        let take = left.min(room - *share).max(Decimal::ZERO);
        *share += take;
        left -= take;
    }
    (left <= Decimal::ZERO).then_some(shares)
}

/// The quote's figures follow from each other: each coverage's instalments, first year and total, the
/// totals, the discounts. Every one that does not is an error naming it.
pub fn consistent(quote: &Quote) -> Result<(), Errors> {
    let mut errors = Vec::new();
    for (i, c) in quote.coverages.iter().enumerate() {
        coverage_consistent(quote, i, c, &mut errors);
    }
    let e = &mut errors;
    let t = &quote.totals;
    let added = |values: Vec<Decimal>| values.into_iter().try_fold(Decimal::ZERO, Decimal::checked_add);
    let coverages = &quote.coverages;
    expect(
        e,
        "totals.first_year_premium",
        added(coverages.iter().map(|c| c.first_year_premium).collect()),
        t.first_year_premium,
    );
    expect(e, "totals.total_premium", added(coverages.iter().map(|c| c.total_premium).collect()), t.total_premium);
    for (i, d) in quote.discounts.iter().enumerate() {
        let known = d.products.iter().all(|p| coverages.iter().any(|c| &c.product == p));
        expect(e, &format!("discounts[{i}].first_year"), plausible(d.first_year).filter(|_| known), d.first_year);
        expect(e, &format!("discounts[{i}].total"), plausible(d.total).filter(|&t| t >= d.first_year), d.total);
    }
    let discounts = &quote.discounts;
    expect(
        e,
        "totals.discount_first_year",
        added(discounts.iter().map(|d| d.first_year).collect()),
        t.discount_first_year,
    );
    expect(e, "totals.discount_total", added(discounts.iter().map(|d| d.total).collect()), t.discount_total);
    let net = |gross: Decimal, discount: Decimal| gross.checked_sub(discount).filter(|n| *n >= Decimal::ZERO);
    expect(
        e,
        "totals.net_first_year_premium",
        net(t.first_year_premium, t.discount_first_year),
        t.net_first_year_premium,
    );
    expect(e, "totals.net_total_premium", net(t.total_premium, t.discount_total), t.net_total_premium);
    Errors::from_vec(errors).map_or(Ok(()), Err)
}

fn coverage_consistent(quote: &Quote, i: usize, c: &crate::pricing::quote::CoverageQuote, errors: &mut Vec<Error>) {
    let field = |name: &str| format!("coverages[{i}].{name}");
    if quote.coverages[..i].iter().any(|earlier| earlier.product == c.product) {
        let rule = Rule::QuoteInconsistent {
            figure: field("product"),
            expected: "each product once".to_owned(),
            found: c.product.clone(),
        };
        errors.push(Error::new(format!("quote.{}", field("product")), ErrorKind::Purchase(rule)));
    }
    // A single premium is paid once: yearly.
    let n = if c.payment_term.is_single() { 1 } else { c.frequency.instalments_per_year() };
    let years = c.payment_term.years(c.age).filter(|&y| y <= MAX_PAYMENT_YEARS);
    expect(errors, &field("instalments_per_year"), Some(Decimal::from(n)), Decimal::from(c.instalments_per_year));
    expect(errors, &field("payment_years"), years.map(Decimal::from), Decimal::from(c.payment_years));
    expect(errors, &field("instalment_premium"), plausible(c.instalment_premium), c.instalment_premium);
    let first_year = plausible(c.instalment_premium).and_then(|p| p.checked_mul(Decimal::from(n)));
    expect(errors, &field("first_year_premium"), first_year, c.first_year_premium);
    let total = plausible(c.first_year_premium).and_then(|p| p.checked_mul(Decimal::from(c.payment_years)));
    expect(errors, &field("total_premium"), total.filter(|_| years.is_some()), c.total_premium);
}

/// A figure no premium has is no figure to compute with.
fn plausible(value: Decimal) -> Option<Decimal> {
    (Decimal::ZERO..=MAX_FIGURE).contains(&value).then_some(value)
}

/// `found` is what the quote's other figures give (`expected`), or an error naming `figure`.
fn expect(errors: &mut Vec<Error>, figure: &str, expected: Option<Decimal>, found: Decimal) {
    if expected != Some(found) {
        let expected = expected.map_or_else(|| "a figure within range".to_owned(), |e| e.to_string());
        let rule = Rule::QuoteInconsistent { figure: figure.to_owned(), expected, found: found.to_string() };
        errors.push(Error::new(format!("quote.{figure}"), ErrorKind::Purchase(rule)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purchase::fixture::{catalogue, holder_id, quote, term_for_self};

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn yearly_premiums_fall_due_on_the_anniversaries_of_cover() {
        let q = term_for_self();
        let s = schedule(catalogue(), &q, day("2026-11-25")).unwrap();
        assert_eq!(s.effective_from, day("2026-11-26"), "00:00 the day after payment");
        assert_eq!(s.payments.len(), 20);
        let (first, second, last) = (&s.payments[0], &s.payments[1], &s.payments[19]);
        assert_eq!((first.due_on, first.grace_until, first.policy_year), (day("2026-11-25"), None, 1));
        assert_eq!(
            (second.due_on, second.grace_until, second.policy_year),
            (day("2027-11-26"), Some(day("2028-01-25")), 2)
        );
        assert_eq!(last.due_on, day("2045-11-26"));
        assert_eq!(s.totals.net, q.totals.net_total_premium);
        assert_eq!(s.coverages[0].payments, 20);
        assert_eq!(s.coverages[0].last_due_on, day("2045-11-26"));
    }

    #[test]
    fn monthly_premiums_keep_the_day_of_the_month_cover_started() {
        let q = quote("CI", 500_000, "lifelong", "years:10", crate::term::Frequency::Monthly, &holder_id());
        let s = schedule(catalogue(), &q, day("2027-01-30")).unwrap();
        assert_eq!(s.effective_from, day("2027-01-31"));
        let due: Vec<String> = s.payments[1..4].iter().map(|p| p.due_on.to_string()).collect();
        assert_eq!(due, ["2027-02-28", "2027-03-31", "2027-04-30"], "31 March, not 28 March");
        assert_eq!(s.payments.len(), 120);
        assert_eq!(s.payments.iter().filter(|p| p.policy_year == 1).count(), 12);
    }

    #[test]
    fn discounts_fall_on_the_premiums_and_add_up_to_the_quote() {
        // Bought online in 2026: 2% off every year (ONLINE-2026).
        let mut request = crate::purchase::fixture::request(
            "TERM",
            500_000,
            "years:20",
            "years:20",
            crate::term::Frequency::Annual,
            &holder_id(),
        );
        request.coupons = vec!["ONLINE-2026".into()];
        let q = crate::purchase::fixture::price(&request);
        assert!(q.discounts.iter().any(|d| d.total > d.first_year), "an every-year discount: {:?}", q.discounts);
        let s = schedule(catalogue(), &q, day("2026-11-25")).unwrap();
        assert_eq!(s.totals.first_year_discount, q.totals.discount_first_year);
        assert_eq!(s.totals.discount, q.totals.discount_total);
        assert_eq!(s.payments[0].amount, q.totals.net_first_year_premium, "one yearly premium: the first year");
        // 2% of each year's premium: the same on every premium.
        assert!(s.payments.iter().all(|p| p.discount == s.payments[0].discount && p.discount > Decimal::ZERO));
    }

    #[test]
    fn a_quote_whose_figures_do_not_follow_is_refused_naming_the_figure() {
        let mut q = term_for_self();
        q.coverages[0].instalment_premium += Decimal::ONE;
        let errors = schedule(catalogue(), &q, day("2026-11-25")).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["quote.coverages[0].first_year_premium"]);
        let message = errors.iter().next().unwrap().message();
        assert!(!message.zh.is_empty() && message.en.contains("first_year_premium"), "{message:?}");
        let mut q = term_for_self();
        q.totals.discount_total = q.totals.total_premium + Decimal::ONE;
        assert!(schedule(catalogue(), &q, day("2026-11-25")).is_err());
        let mut q = term_for_self();
        q.coverages[0].payment_years = 200;
        assert!(schedule(catalogue(), &q, day("2026-11-25")).is_err(), "no schedule of 200 years is computed");
    }

    #[test]
    fn spreading_rounds_down_and_gives_the_rest_to_the_earliest() {
        let d = |v: i64| Decimal::new(v, 2);
        let shares = spread(d(1000), &[d(100), d(100), d(100)], &[d(10_000), d(10_000), d(10_000)], 2).unwrap();
        assert_eq!(shares, [d(334), d(333), d(333)]);
        let shares = spread(d(500), &[d(100), d(100)], &[d(100), d(10_000)], 2).unwrap();
        assert_eq!(shares, [d(100), d(400)], "no share above its room");
        assert_eq!(spread(d(500), &[d(1), d(1)], &[d(100), d(100)], 2), None, "more than the rooms take");
        assert_eq!(spread(d(100), &[Decimal::ZERO; 2], &[d(300), d(100)], 2).unwrap(), [d(75), d(25)]);
    }
}
