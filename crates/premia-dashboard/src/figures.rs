//! The dashboard's figures, each defined once (docs/dashboard.md says the same in words): sums of
//! facts ([`PremiumSums`], [`ApplicationSums`]) and what is worked out from them. Rounding happens at
//! two named steps only: [`ape`] to the fen (half up), and every share or change to 0.01 % ([`ratio`],
//! four decimal places, half up).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use premia_core::catalogue::Line;
use premia_core::money::{RoundMode, Rounding};

use crate::facts::{PaymentKind, is_high_value, yuan};

/// Rounding of shares and changes: four decimal places (0.01 %), half up.
pub const SHARE_ROUNDING: Rounding = Rounding { scale: 4, mode: RoundMode::HalfUp };

/// Accepted business summed over some facts (one group of a breakdown, or all). Amounts in fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PremiumSums {
    /// Policies (coverages) by payment kind.
    pub regular_count: i64,
    pub single_count: i64,
    pub short_count: i64,
    /// First-year premium after discounts, by payment kind.
    pub regular: i64,
    pub single: i64,
    pub short: i64,
    /// First-year premium before discounts.
    pub gross: i64,
    /// Discounts in the first year, and over the payment terms.
    pub discount_first_year: i64,
    pub discount_total: i64,
    /// Of the first-year premium: what long-term health and annuity business brought.
    pub high_value: i64,
    /// Of the first-year premium: what the direct (online) channel brought.
    pub direct: i64,
}

/// One group of accepted business as the store sums it: the dimensions it is grouped by (those not
/// grouped by are `None`) and its sums by payment kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PremiumRow {
    pub day: Option<i64>,
    pub channel: Option<String>,
    pub product: Option<String>,
    pub line: Option<String>,
    pub province: Option<String>,
    pub agent_code: Option<String>,
    pub kind: Option<PaymentKind>,
    pub policies: i64,
    pub first_year: i64,
    pub gross: i64,
    pub discount_first_year: i64,
    pub discount_total: i64,
}

impl PremiumSums {
    /// Add a row that is one payment kind of one line and channel (as the store groups them when a
    /// figure needs the high-value or direct share); a row without a line or channel adds to neither.
    pub fn add(&mut self, row: &PremiumRow) {
        let kind = row.kind.unwrap_or(PaymentKind::Regular);
        match kind {
            PaymentKind::Regular => {
                (self.regular_count, self.regular) = (self.regular_count + row.policies, self.regular + row.first_year)
            }
            PaymentKind::Single => {
                (self.single_count, self.single) = (self.single_count + row.policies, self.single + row.first_year)
            }
            PaymentKind::ShortTerm => {
                (self.short_count, self.short) = (self.short_count + row.policies, self.short + row.first_year)
            }
        }
        self.gross += row.gross;
        self.discount_first_year += row.discount_first_year;
        self.discount_total += row.discount_total;
        let line = row.line.as_deref().and_then(crate::facts::parse_line);
        if line.is_some_and(|l: Line| is_high_value(l, kind)) {
            self.high_value += row.first_year;
        }
        if row.channel.as_deref() == Some("direct") {
            self.direct += row.first_year;
        }
    }

    pub fn of(rows: &[PremiumRow]) -> PremiumSums {
        let mut sums = PremiumSums::default();
        for row in rows {
            sums.add(row);
        }
        sums
    }

    /// 新单保费: first-year premium of accepted new business, after discounts.
    pub fn new_business_premium(&self) -> i64 {
        self.regular + self.single + self.short
    }

    pub fn policies(&self) -> i64 {
        self.regular_count + self.single_count + self.short_count
    }

    /// APE: annualised regular premium (short-term premium is a year's premium too) plus a tenth of
    /// single premium, rounded to the fen (half up).
    pub fn ape(&self) -> Decimal {
        ape(self.regular + self.short, self.single)
    }

    /// 期缴占比 by premium: regular over regular and single (long-term business; short-term is neither).
    pub fn regular_share_by_premium(&self) -> Option<Decimal> {
        ratio(self.regular, self.regular + self.single)
    }

    /// 期缴占比 by count (件数).
    pub fn regular_share_by_count(&self) -> Option<Decimal> {
        ratio(self.regular_count, self.regular_count + self.single_count)
    }

    /// 高价值业务占比: long-term health and annuity first-year premium over all of it.
    pub fn high_value_share(&self) -> Option<Decimal> {
        ratio(self.high_value, self.new_business_premium())
    }

    /// 线上占比: the direct channel's share of first-year premium.
    pub fn online_share(&self) -> Option<Decimal> {
        ratio(self.direct, self.new_business_premium())
    }
}

/// APE from annualised regular premium and single premium, in fen: `regular + single × 10 %`, in yuan
/// rounded to the fen, half up.
pub fn ape(annualised_fen: i64, single_fen: i64) -> Decimal {
    Rounding::FEN_HALF_UP.apply(yuan(annualised_fen) + yuan(single_fen) * Decimal::new(1, 1))
}

/// `part / whole` to 0.01 % (half up); `None` when there is nothing to divide by.
pub fn ratio(part: i64, whole: i64) -> Option<Decimal> {
    (whole != 0).then(|| SHARE_ROUNDING.apply(Decimal::from(part) / Decimal::from(whole)))
}

/// The same for amounts already in yuan.
pub fn ratio_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (!whole.is_zero()).then(|| SHARE_ROUNDING.apply(part / whole))
}

/// Applications as the desk and conversion count them (each application once, whatever its products).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSums {
    /// Stored applications (accepted at submission or referred to the desk).
    pub submitted: i64,
    /// Accepted at submission, without a person (straight through).
    pub automatic: i64,
    /// Referred to the underwriting desk.
    pub referred: i64,
}

impl ApplicationSums {
    /// 自动核保率 (straight-through share): accepted automatically over all applications.
    pub fn straight_through_share(&self) -> Option<Decimal> {
        ratio(self.automatic, self.submitted)
    }
}

/// 转化率: applications over quotes the server verified as valid, the same days.
pub fn conversion(applications: i64, verified: i64) -> Option<Decimal> {
    ratio(applications, verified)
}

/// p50 and p90 (nearest rank) of manual underwriting times, in whole minutes: the desk's definition
/// (`premia_desk::api::percentile`), over `millis` sorted ascending.
pub fn manual_minutes(millis: &[i64]) -> (Option<i64>, Option<i64>) {
    let minutes: Vec<i64> = millis.iter().map(|ms| ms / 60_000).collect();
    (premia_desk::api::percentile(&minutes, 50), premia_desk::api::percentile(&minutes, 90))
}

/// Relative change (`current / before − 1`), to 0.01 %; `None` when `before` is zero.
pub fn growth(current: Decimal, before: Decimal) -> Option<Decimal> {
    ratio_of(current - before, before)
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)] // amounts in fen, written yuan_fen
mod tests {
    use super::*;

    fn row(kind: PaymentKind, line: &str, channel: &str, policies: i64, first_year: i64) -> PremiumRow {
        PremiumRow {
            kind: Some(kind),
            line: Some(line.into()),
            channel: Some(channel.into()),
            policies,
            first_year,
            gross: first_year,
            ..PremiumRow::default()
        }
    }

    #[test]
    fn the_definitions() {
        let sums = PremiumSums::of(&[
            row(PaymentKind::Regular, "critical_illness", "agent", 3, 30_000_00),
            row(PaymentKind::Single, "annuity", "direct", 1, 100_000_00),
            row(PaymentKind::ShortTerm, "medical", "direct", 4, 1_000_00),
            row(PaymentKind::Regular, "term_life", "direct", 1, 2_000_00),
        ]);
        assert_eq!(sums.new_business_premium(), 133_000_00);
        assert_eq!(sums.policies(), 9);
        // 30,000 + 2,000 regular + 1,000 short-term + 10 % of 100,000 single.
        assert_eq!(sums.ape().to_string(), "43000.00");
        assert_eq!(sums.regular_share_by_premium().unwrap().to_string(), "0.2424");
        assert_eq!(sums.regular_share_by_count().unwrap().to_string(), "0.8000");
        // Critical illness and the single annuity are high value; medical (short-term) and term life not.
        assert_eq!(sums.high_value_share().unwrap().to_string(), "0.9774");
        assert_eq!(sums.online_share().unwrap().to_string(), "0.7744");
        assert_eq!(PremiumSums::default().regular_share_by_premium(), None);
    }

    #[test]
    fn ape_rounds_a_tenth_of_a_fen_half_up() {
        assert_eq!(ape(0, 5).to_string(), "0.01", "0.005 yuan rounds up");
        assert_eq!(ape(0, 4).to_string(), "0.00");
        assert_eq!(ape(12_345, 0).to_string(), "123.45");
    }

    #[test]
    fn shares_changes_and_percentiles() {
        assert_eq!(ratio(1, 3).unwrap().to_string(), "0.3333");
        assert_eq!(ratio(2, 3).unwrap().to_string(), "0.6667");
        assert_eq!(ratio(1, 0), None);
        assert_eq!(growth(Decimal::new(150, 0), Decimal::new(100, 0)).unwrap().to_string(), "0.5000");
        assert_eq!(growth(Decimal::ONE, Decimal::ZERO), None);
        let apps = ApplicationSums { submitted: 8, automatic: 7, referred: 1 };
        assert_eq!(apps.straight_through_share().unwrap().to_string(), "0.8750");
        assert_eq!(conversion(3, 4).unwrap().to_string(), "0.7500");
        let millis: Vec<i64> = (1..=10).map(|m| m * 60_000 + 59_999).collect();
        assert_eq!(manual_minutes(&millis), (Some(5), Some(9)));
    }
}
