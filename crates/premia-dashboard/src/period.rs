//! Periods: a day, an ISO week (Monday to Sunday), a calendar month or quarter, in the insurer's time
//! zone; the period before (环比) and the same period a year before (同比); the periods of a trend.
//!
//! A period that has not ended yet ("this month") is compared *to date*: its comparisons are cut to
//! the same number of days (1-25 November against 1-25 October and 1-25 November last year), so that
//! a month under way is not set against a whole one.
//!
//! Days are also counted as whole days since 1970-01-01 ([`epoch_day`]): how the store keys them.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use premia_core::Text;

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
}

impl Grain {
    pub const ALL: [Grain; 4] = [Grain::Day, Grain::Week, Grain::Month, Grain::Quarter];

    pub fn name(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
        }
    }

    pub fn parse(name: &str) -> Option<Grain> {
        Grain::ALL.into_iter().find(|g| g.name() == name)
    }

    pub fn label(self) -> Text {
        match self {
            Grain::Day => Text::fixed("日", "day"),
            Grain::Week => Text::fixed("周", "week"),
            Grain::Month => Text::fixed("月", "month"),
            Grain::Quarter => Text::fixed("季度", "quarter"),
        }
    }

    /// How many periods a trend shows, ending with the chosen one.
    pub fn trend_length(self) -> usize {
        match self {
            Grain::Day => 30,
            Grain::Week => 13,
            Grain::Month => 12,
            Grain::Quarter => 8,
        }
    }
}

/// A span of whole days, `start` to `end` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Span {
    pub fn days(self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// The store's keys: `[epoch_day(start), epoch_day(end)]`.
    pub fn epoch_days(self) -> (i64, i64) {
        (epoch_day(self.start), epoch_day(self.end))
    }

    /// The first `days` days of this span (all of it if it is shorter).
    pub fn first_days(self, days: i64) -> Span {
        let end = self.start + chrono::Duration::days(days.max(1) - 1);
        Span { start: self.start, end: end.min(self.end) }
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// A calendar period of a grain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub grain: Grain,
    /// The first day.
    pub start: NaiveDate,
}

impl Period {
    /// The period of `grain` that contains `date`.
    pub fn containing(grain: Grain, date: NaiveDate) -> Period {
        let start = match grain {
            Grain::Day => date,
            Grain::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
            Grain::Month => date.with_day(1).unwrap_or(date),
            Grain::Quarter => NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1).unwrap_or(date),
        };
        Period { grain, start }
    }

    /// The period a key names: `2026-11-25`, `2026-W48`, `2026-11`, `2026-Q4`.
    pub fn parse(grain: Grain, key: &str) -> Option<Period> {
        let date = match grain {
            Grain::Day => NaiveDate::parse_from_str(key, "%Y-%m-%d").ok()?,
            Grain::Week => {
                let (year, week) = key.split_once("-W")?;
                NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)?
            }
            Grain::Month => NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d").ok()?,
            Grain::Quarter => {
                let (year, quarter) = key.split_once("-Q")?;
                let quarter: u32 = quarter.parse().ok().filter(|q| (1..=4).contains(q))?;
                NaiveDate::from_ymd_opt(year.parse().ok()?, quarter * 3 - 2, 1)?
            }
        };
        let period = Period::containing(grain, date);
        (period.key() == key).then_some(period)
    }

    pub fn key(self) -> String {
        match self.grain {
            Grain::Day => self.start.format("%Y-%m-%d").to_string(),
            Grain::Week => {
                let week = self.start.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Grain::Month => self.start.format("%Y-%m").to_string(),
            Grain::Quarter => format!("{}-Q{}", self.start.year(), self.start.month0() / 3 + 1),
        }
    }

    /// The last day.
    pub fn end(self) -> NaiveDate {
        let next = match self.grain {
            Grain::Day => self.start + Days::new(1),
            Grain::Week => self.start + Days::new(7),
            Grain::Month => self.start + Months::new(1),
            Grain::Quarter => self.start + Months::new(3),
        };
        next - Days::new(1)
    }

    pub fn span(self) -> Span {
        Span { start: self.start, end: self.end() }
    }

    /// The period just before (环比).
    pub fn previous(self) -> Period {
        Period::containing(self.grain, self.start - Days::new(1))
    }

    /// The period `n` before this one (`n` = 0: this one).
    pub fn back(self, n: usize) -> Period {
        (0..n).fold(self, |p, _| p.previous())
    }

    /// The same period a year before (同比): the same date, ISO week number, month or quarter.
    pub fn year_ago(self) -> Period {
        match self.grain {
            Grain::Week => {
                let week = self.start.iso_week();
                let monday = NaiveDate::from_isoywd_opt(week.year() - 1, week.week(), Weekday::Mon)
                    .or_else(|| NaiveDate::from_isoywd_opt(week.year() - 1, 52, Weekday::Mon))
                    .unwrap_or(self.start);
                Period { grain: Grain::Week, start: monday }
            }
            // 29 February a year before is 28 February.
            _ => Period::containing(self.grain, self.start - Months::new(12)),
        }
    }

    pub fn label(self) -> Text {
        let start = self.start;
        match self.grain {
            Grain::Day => Text::new(start.format("%Y年%-m月%-d日").to_string(), start.format("%-d %b %Y").to_string()),
            Grain::Week => {
                let week = start.iso_week();
                Text::new(
                    format!("{}年第{}周", week.year(), week.week()),
                    format!("week {} of {}", week.week(), week.year()),
                )
            }
            Grain::Month => Text::new(start.format("%Y年%-m月").to_string(), start.format("%B %Y").to_string()),
            Grain::Quarter => {
                let q = start.month0() / 3 + 1;
                Text::new(format!("{}年第{q}季度", start.year()), format!("Q{q} {}", start.year()))
            }
        }
    }

    /// A short label for a trend's axis: `11-25`, `W48`, `2026-11`, `2026Q4`.
    pub fn axis_label(self) -> String {
        match self.grain {
            Grain::Day => self.start.format("%m-%d").to_string(),
            Grain::Week => format!("W{:02}", self.start.iso_week().week()),
            Grain::Month => self.start.format("%Y-%m").to_string(),
            Grain::Quarter => format!("{}Q{}", self.start.year(), self.start.month0() / 3 + 1),
        }
    }
}

/// A chosen period with what it is compared with, all cut to date when it is still under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub period: Period,
    /// The days counted: the whole period, or up to today while it is under way.
    pub current: Span,
    /// 环比: the previous period, cut to as many days.
    pub previous: Span,
    /// 同比: the same period a year before, cut to as many days.
    pub year_ago: Span,
    /// Still under way on `today`.
    pub to_date: bool,
}

impl Comparison {
    pub fn of(period: Period, today: NaiveDate) -> Comparison {
        let whole = period.span();
        let to_date = whole.contains(today) && today < whole.end;
        let current = if to_date { Span { start: whole.start, end: today } } else { whole };
        let days = current.days();
        Comparison {
            period,
            current,
            previous: period.previous().span().first_days(days),
            year_ago: period.year_ago().span().first_days(days),
            to_date,
        }
    }
}

/// Whole days since 1970-01-01.
pub fn epoch_day(date: NaiveDate) -> i64 {
    (date - NaiveDate::default()).num_days()
}

/// The date of an epoch day.
pub fn from_epoch_day(day: i64) -> NaiveDate {
    NaiveDate::default() + chrono::Duration::days(day)
}

/// The epoch day of a moment (unix milliseconds) in a time zone `offset_seconds` east of UTC.
pub fn epoch_day_at(millis: i64, offset_seconds: i32) -> i64 {
    (millis + i64::from(offset_seconds) * 1000).div_euclid(86_400_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn keys_round_trip_and_bound_their_days() {
        let day = date(2026, 11, 25);
        for grain in Grain::ALL {
            let p = Period::containing(grain, day);
            assert_eq!(Period::parse(grain, &p.key()), Some(p), "{grain:?}");
            assert!(p.span().contains(day));
        }
        assert_eq!(Period::containing(Grain::Week, day).key(), "2026-W48");
        assert_eq!(Period::containing(Grain::Week, day).start, date(2026, 11, 23));
        assert_eq!(
            Period::containing(Grain::Quarter, day).span(),
            Span { start: date(2026, 10, 1), end: date(2026, 12, 31) }
        );
        assert_eq!(Period::containing(Grain::Month, date(2028, 2, 10)).end(), date(2028, 2, 29));
        assert_eq!(Period::parse(Grain::Month, "2026-13"), None);
        assert_eq!(Period::parse(Grain::Quarter, "2026-Q5"), None);
        assert_eq!(Period::parse(Grain::Day, "2026-1-5"), None, "one spelling per period");
    }

    #[test]
    fn previous_and_a_year_ago() {
        let month = Period::parse(Grain::Month, "2026-03").unwrap();
        assert_eq!(month.previous().key(), "2026-02");
        assert_eq!(month.year_ago().key(), "2025-03");
        let q1 = Period::parse(Grain::Quarter, "2026-Q1").unwrap();
        assert_eq!((q1.previous().key(), q1.year_ago().key()), ("2025-Q4".into(), "2025-Q1".into()));
        let w53 = Period::parse(Grain::Week, "2026-W53").unwrap();
        assert_eq!(w53.year_ago().key(), "2025-W52", "no week 53 a year before");
        let leap = Period::parse(Grain::Day, "2028-02-29").unwrap();
        assert_eq!(leap.year_ago().key(), "2027-02-28");
        assert_eq!(month.back(12).key(), "2025-03");
    }

    #[test]
    fn a_period_under_way_is_compared_to_date() {
        let november = Period::parse(Grain::Month, "2026-11").unwrap();
        let c = Comparison::of(november, date(2026, 11, 25));
        assert!(c.to_date);
        assert_eq!(c.current, Span { start: date(2026, 11, 1), end: date(2026, 11, 25) });
        assert_eq!(c.previous, Span { start: date(2026, 10, 1), end: date(2026, 10, 25) });
        assert_eq!(c.year_ago, Span { start: date(2025, 11, 1), end: date(2025, 11, 25) });
        let past = Comparison::of(Period::parse(Grain::Month, "2026-03").unwrap(), date(2026, 11, 25));
        assert!(!past.to_date);
        assert_eq!(past.previous, Span { start: date(2026, 2, 1), end: date(2026, 2, 28) }, "cut to February's length");
        let last_day = Comparison::of(november, date(2026, 11, 30));
        assert!(!last_day.to_date, "on its last day a period is whole");
    }

    #[test]
    fn epoch_days_in_the_insurers_time_zone() {
        assert_eq!(epoch_day(date(1970, 1, 2)), 1);
        assert_eq!(from_epoch_day(epoch_day(date(2026, 11, 25))), date(2026, 11, 25));
        // 2026-11-24T20:00:00Z is already 25 November in +08:00.
        let millis = 1_795_550_400_000;
        assert_eq!(from_epoch_day(epoch_day_at(millis, 0)), date(2026, 11, 24));
        assert_eq!(from_epoch_day(epoch_day_at(millis, 8 * 3600)), date(2026, 11, 25));
    }
}
