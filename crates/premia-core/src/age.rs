//! Insurance age (投保年龄) from a birth date and the quote date.
//!
//! The quote date is always an input: the core never reads a clock.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A date written `YYYY-MM-DD` (how every date crosses an API), strictly; `None` for anything else.
/// Read by hand rather than with chrono's format-string parser, which would be a sizeable part of the
/// browser build for this one format.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    date_from_digits(&text[..4], &text[5..7], &text[8..])
}

/// A date from its year, month and day written in ASCII digits (`"1949"`, `"12"`, `"31"`).
pub fn date_from_digits(year: &str, month: &str, day: &str) -> Option<NaiveDate> {
    let number =
        |digits: &str| digits.bytes().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')));
    NaiveDate::from_ymd_opt(i32::try_from(number(year)?).ok()?, number(month)?, number(day)?)
}

/// Which birthday a product counts age from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBasis {
    /// 周岁: completed years at the last birthday. The usual basis in China.
    #[default]
    LastBirthday,
    /// Age at the nearer birthday: last birthday + 1 once six months have passed since it.
    NearestBirthday,
}

impl AgeBasis {
    pub const ALL: [AgeBasis; 2] = crate::variants::every_variant!(AgeBasis { LastBirthday, NearestBirthday });
}

/// The date a person born on `birth` has their birthday in `year`.
///
/// Someone born on 29 February reaches their birthday on 1 March in a common year: they have not
/// completed the year until 28 February has fully passed. (Chinese practice counts 周岁 this way.)
pub fn birthday_in(birth: NaiveDate, year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(birth)
}

/// Completed years between `birth` and `on`; `None` if `on` is before `birth`.
pub fn age_last_birthday(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < birth {
        return None;
    }
    let mut years = on.year() - birth.year();
    if on < birthday_in(birth, on.year()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// Age at the nearer birthday; `None` if `on` is before `birth`.
pub fn age_nearest_birthday(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    let last = age_last_birthday(birth, on)?;
    let year = birth.year().checked_add(i32::try_from(last).ok()?)?;
    let last_birthday = birthday_in(birth, year);
    let half_way = last_birthday.checked_add_months(Months::new(6))?;
    Some(if on >= half_way { last + 1 } else { last })
}

/// Age on `on` by the given basis.
pub fn age_on(basis: AgeBasis, birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    match basis {
        AgeBasis::LastBirthday => age_last_birthday(birth, on),
        AgeBasis::NearestBirthday => age_nearest_birthday(birth, on),
    }
}

/// Days lived on `on` (0 on the day of birth); used for minimum issue ages such as "28 days".
pub fn days_old(birth: NaiveDate, on: NaiveDate) -> i64 {
    (on - birth).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_strictly_as_yyyy_mm_dd() {
        assert_eq!(parse_date("2026-11-25"), NaiveDate::from_ymd_opt(2026, 11, 25));
        assert_eq!(parse_date("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        for bad in ["2026-1-25", "2026-02-30", "2026/11/25", "20261125", "2026-11-2x", " 2026-11-25", "+202-11-25", ""]
        {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
        assert_eq!(date_from_digits("1949", "12", "31"), NaiveDate::from_ymd_opt(1949, 12, 31));
        assert_eq!(date_from_digits("1949", "13", "01"), None);
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn age_increases_on_the_birthday_not_before() {
        let birth = date(1990, 6, 15);
        assert_eq!(age_last_birthday(birth, date(2026, 6, 14)), Some(35));
        assert_eq!(age_last_birthday(birth, date(2026, 6, 15)), Some(36));
        assert_eq!(age_last_birthday(birth, date(2026, 12, 31)), Some(36));
    }

    #[test]
    fn leap_day_birthday_counts_on_first_of_march_in_common_years() {
        let birth = date(2004, 2, 29);
        assert_eq!(age_last_birthday(birth, date(2026, 2, 28)), Some(21));
        assert_eq!(age_last_birthday(birth, date(2026, 3, 1)), Some(22));
        assert_eq!(age_last_birthday(birth, date(2028, 2, 28)), Some(23));
        assert_eq!(age_last_birthday(birth, date(2028, 2, 29)), Some(24));
    }

    #[test]
    fn day_of_birth_is_age_zero_and_earlier_dates_have_no_age() {
        let birth = date(2026, 11, 25);
        assert_eq!(age_last_birthday(birth, birth), Some(0));
        assert_eq!(age_last_birthday(birth, date(2026, 11, 24)), None);
        assert_eq!(days_old(birth, date(2026, 12, 23)), 28);
    }

    #[test]
    fn nearest_birthday_rounds_up_after_six_months() {
        let birth = date(1990, 6, 15);
        assert_eq!(age_nearest_birthday(birth, date(2026, 12, 14)), Some(36));
        assert_eq!(age_nearest_birthday(birth, date(2026, 12, 15)), Some(37));
        assert_eq!(age_nearest_birthday(birth, date(2027, 6, 14)), Some(37));
        assert_eq!(age_nearest_birthday(birth, date(2027, 6, 15)), Some(37));
    }

    #[test]
    fn nearest_birthday_for_a_leap_day_birth() {
        let birth = date(2000, 2, 29);
        // Last birthday 2026-03-01 (common year); six months later is 2026-09-01.
        assert_eq!(age_nearest_birthday(birth, date(2026, 8, 31)), Some(26));
        assert_eq!(age_nearest_birthday(birth, date(2026, 9, 1)), Some(27));
    }
}
