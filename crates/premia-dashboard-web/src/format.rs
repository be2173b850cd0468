//! How figures read on the page: amounts with thousands separators, shares as percentages, changes
//! with their sign, times in hours and minutes. Display only: every figure is the server's, exactly;
//! nothing is rounded here but a share's last digits for reading (the tables and exports keep all).

use premia_core::Lang;
use premia_dashboard::api::{Cell, Change, Value};
use rust_decimal::Decimal;

/// `1234567.8` → `1,234,567.80` (the amount exactly, to the fen).
pub fn money(amount: Decimal) -> String {
    let text = format!("{:.2}", amount.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if amount.is_sign_negative() && !amount.is_zero() { "-" } else { "" };
    format!("{sign}¥{grouped}.{fraction}")
}

/// `0.6250` → `62.50%`.
pub fn percent(fraction: Decimal) -> String {
    format!("{:.2}%", fraction * Decimal::ONE_HUNDRED)
}

/// A whole number with thousands separators.
pub fn count(n: i64) -> String {
    money(Decimal::from(n)).trim_start_matches('¥').trim_end_matches(".00").replace("-¥", "-")
}

/// Minutes as hours and minutes.
pub fn minutes(m: i64, lang: Lang) -> String {
    let (h, m) = (m / 60, m % 60);
    match lang {
        Lang::Zh if h > 0 => format!("{h} 小时 {m} 分"),
        Lang::Zh => format!("{m} 分钟"),
        _ if h > 0 => format!("{h} h {m} min"),
        _ => format!("{m} min"),
    }
}

pub fn change(change: Change, lang: Lang) -> String {
    match change {
        Change::Relative(d) => format!("{}{}", if d.is_sign_negative() { "" } else { "+" }, percent(d)),
        Change::Points(d) => {
            let points = format!("{:+.2}", d * Decimal::ONE_HUNDRED);
            if lang == Lang::En { format!("{points} pp") } else { format!("{points} 个百分点") }
        }
    }
}

pub fn value(value: Option<Value>, lang: Lang) -> String {
    match value {
        Some(Value::Money(d)) => money(d),
        Some(Value::Count(n)) => count(n),
        Some(Value::Share(d)) => percent(d),
        Some(Value::Minutes(m)) => minutes(m, lang),
        None => "—".into(),
    }
}

pub fn cell(cell: &Cell, lang: Lang) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Label(text) => text.get(lang).to_owned(),
        Cell::Money(d) => money(*d),
        Cell::Count(n) => count(*n),
        Cell::Share(d) => percent(*d),
        Cell::Minutes(m) => minutes(*m, lang),
        Cell::Change(c) => change(*c, lang),
        Cell::Empty => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(money("1234567.8".parse().unwrap()), "¥1,234,567.80");
        assert_eq!(money("0".parse().unwrap()), "¥0.00");
        assert_eq!(money("-950.5".parse().unwrap()), "-¥950.50");
        assert_eq!(count(12345), "12,345");
        assert_eq!(percent("0.6250".parse().unwrap()), "62.50%");
        assert_eq!(change(Change::Relative("-0.0512".parse().unwrap()), Lang::Zh), "-5.12%");
        assert_eq!(change(Change::Points("0.0150".parse().unwrap()), Lang::En), "+1.50 pp");
        assert_eq!(minutes(1714, Lang::Zh), "28 小时 34 分");
        assert_eq!(value(None, Lang::En), "—");
    }
}
