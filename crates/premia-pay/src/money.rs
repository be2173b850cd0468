//! Money at the provider boundary.
//!
//! The server hands the adapters a `rust_decimal::Decimal` in yuan (its own first-premium figure).
//! WeChat Pay and UnionPay count in integer fen (分), Alipay in yuan written with at most two
//! decimals. [`Fen`] is the one conversion: exact, checked, asserted, and refusing anything that is
//! not a whole number of fen — a premium of 1.005 yuan is a bug upstream, never something to round
//! here.

use std::fmt;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

/// The largest amount any of the three providers takes in one order: UnionPay's `txnAmt` has 12
/// digits. WeChat Pay's `total` is a signed 32-bit integer, checked by its adapter
/// ([`Fen::check_limit`]).
pub const MAX_FEN: u64 = 999_999_999_999;

/// The currency of every order Premia makes. The providers write it three ways (`CNY`, `156`, and
/// implicitly for Alipay). Anything else a provider reports is kept as written, so that
/// [`crate::Payment::reconcile`] can refuse and flag it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// Renminbi.
    #[serde(rename = "CNY")]
    Cny,
    /// Another currency, as the provider wrote it.
    Other(String),
}

impl Currency {
    /// ISO 4217 alphabetic code, as WeChat Pay writes it.
    pub fn code(&self) -> &str {
        match self {
            Currency::Cny => "CNY",
            Currency::Other(code) => code,
        }
    }

    /// ISO 4217 numeric code, as UnionPay writes it.
    pub fn numeric(&self) -> &str {
        match self {
            Currency::Cny => "156",
            Currency::Other(code) => code,
        }
    }

    /// Reads `CNY` (WeChat Pay, Alipay) or `156` (UnionPay); anything else is [`Currency::Other`].
    pub fn parse(text: &str) -> Currency {
        match text {
            "CNY" | "156" => Currency::Cny,
            other => Currency::Other(other.to_owned()),
        }
    }
}

/// A positive amount of renminbi in fen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(u64);

/// An amount the providers cannot carry exactly.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Zero or negative.
    #[error("amount {amount} is not positive / 金额 {amount} 必须大于零")]
    NotPositive {
        /// The amount as given.
        amount: String,
    },
    /// More than two decimal places of yuan.
    #[error("amount {amount} is not a whole number of fen / 金额 {amount} 不是整数分")]
    NotWholeFen {
        /// The amount as given.
        amount: String,
    },
    /// Above what the provider takes in one order.
    #[error("amount {amount} is above the limit of {limit} fen / 金额 {amount} 超过单笔上限 {limit} 分")]
    AboveLimit {
        /// The amount as given.
        amount: String,
        /// The limit in fen.
        limit: u64,
    },
    /// Text from a provider that is not an amount in its documented format.
    #[error("{text:?} is not an amount as the provider writes it / {text:?} 不是有效的金额")]
    Malformed {
        /// The text received.
        text: String,
    },
}

impl Fen {
    /// The exact number of fen in `yuan`: refused if not positive, not a whole number of fen, or
    /// above [`MAX_FEN`].
    pub fn from_yuan(yuan: Decimal) -> Result<Fen, AmountError> {
        let amount = yuan.to_string();
        if yuan <= Decimal::ZERO {
            return Err(AmountError::NotPositive { amount });
        }
        let scaled = yuan
            .checked_mul(Decimal::ONE_HUNDRED)
            .ok_or_else(|| AmountError::AboveLimit { amount: amount.clone(), limit: MAX_FEN })?;
        if !scaled.fract().is_zero() {
            return Err(AmountError::NotWholeFen { amount });
        }
        let fen = scaled.to_u64().filter(|fen| *fen <= MAX_FEN);
        let fen = fen.ok_or(AmountError::AboveLimit { amount, limit: MAX_FEN })?;
        let fen = Fen(fen);
        // The conversion is exact both ways; a difference here is a bug in this function.
        assert_eq!(fen.yuan(), yuan, "fen conversion lost precision");
        Ok(fen)
    }

    /// An amount already counted in fen (a provider's integer field).
    pub fn new(fen: u64) -> Result<Fen, AmountError> {
        match fen {
            0 => Err(AmountError::NotPositive { amount: "0".into() }),
            f if f > MAX_FEN => Err(AmountError::AboveLimit { amount: format!("{f} fen"), limit: MAX_FEN }),
            f => Ok(Fen(f)),
        }
    }

    /// The number of fen.
    pub fn get(self) -> u64 {
        self.0
    }

    /// The amount in yuan, with scale 2.
    pub fn yuan(self) -> Decimal {
        let fen = i64::try_from(self.0).expect("MAX_FEN fits in i64");
        Decimal::new(fen, 2)
    }

    /// Refused if above a provider's own limit (WeChat Pay: `i32::MAX` fen).
    pub fn check_limit(self, limit: u64) -> Result<Fen, AmountError> {
        if self.0 > limit {
            return Err(AmountError::AboveLimit { amount: self.yuan().to_string(), limit });
        }
        Ok(self)
    }

    /// Yuan with exactly two decimals (`88.88`, `0.10`), as Alipay writes `total_amount`.
    pub fn yuan_text(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }

    /// Reads Alipay's yuan text: digits, then optionally `.` and one or two digits. No sign, no
    /// exponent, no spaces.
    pub fn parse_yuan_text(text: &str) -> Result<Fen, AmountError> {
        let malformed = || AmountError::Malformed { text: text.to_owned() };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (text.contains('.') && (!digits(fraction) || fraction.len() > 2)) {
            return Err(malformed());
        }
        let whole: u64 = whole.parse().map_err(|_| malformed())?;
        let fraction: u64 = format!("{fraction:0<2}").parse().map_err(|_| malformed())?;
        let fen = whole.checked_mul(100).and_then(|f| f.checked_add(fraction)).ok_or_else(malformed)?;
        Fen::new(fen)
    }

    /// Reads an integer count of fen as WeChat Pay and UnionPay write it: ASCII digits only.
    pub fn parse_fen_text(text: &str) -> Result<Fen, AmountError> {
        if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AmountError::Malformed { text: text.to_owned() });
        }
        let fen: u64 = text.parse().map_err(|_| AmountError::Malformed { text: text.to_owned() })?;
        Fen::new(fen)
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} yuan", self.yuan_text())
    }
}

/// An amount and its currency, as a provider reported it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount.
    pub amount: Fen,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// Renminbi.
    pub fn cny(amount: Fen) -> Money {
        Money { amount, currency: Currency::Cny }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).expect("decimal")
    }

    #[test]
    fn whole_fen_convert_exactly_both_ways() {
        for (yuan, fen) in [("0.01", 1), ("1", 100), ("1.10", 110), ("88.88", 8888), ("1234.5", 123_450)] {
            let converted = Fen::from_yuan(d(yuan)).expect(yuan);
            assert_eq!(converted.get(), fen);
            assert_eq!(converted.yuan(), d(yuan));
        }
        assert_eq!(Fen::from_yuan(d("9999999999.99")).map(Fen::get), Ok(MAX_FEN));
    }

    #[test]
    fn anything_but_whole_positive_fen_is_refused() {
        assert!(matches!(Fen::from_yuan(d("1.005")), Err(AmountError::NotWholeFen { .. })));
        assert!(matches!(Fen::from_yuan(d("0.001")), Err(AmountError::NotWholeFen { .. })));
        assert!(matches!(Fen::from_yuan(d("0")), Err(AmountError::NotPositive { .. })));
        assert!(matches!(Fen::from_yuan(d("-1")), Err(AmountError::NotPositive { .. })));
        assert!(matches!(Fen::from_yuan(d("10000000000")), Err(AmountError::AboveLimit { .. })));
        assert!(matches!(Fen::from_yuan(Decimal::MAX), Err(AmountError::AboveLimit { .. })));
        assert!(Fen::new(0).is_err());
    }

    #[test]
    fn the_error_names_the_amount_in_both_languages() {
        let error = Fen::from_yuan(d("1.005")).expect_err("refused").to_string();
        assert!(error.contains("1.005") && error.contains("whole number of fen") && error.contains("整数分"));
    }

    #[test]
    fn alipay_yuan_text_round_trips_and_is_strict() {
        for (text, fen) in [("0.01", 1), ("0.10", 10), ("0.1", 10), ("88.88", 8888), ("100", 10000)] {
            assert_eq!(Fen::parse_yuan_text(text).map(Fen::get), Ok(fen), "{text}");
        }
        assert_eq!(Fen::new(10).map(Fen::yuan_text), Ok("0.10".to_owned()));
        assert_eq!(Fen::new(123_456).map(Fen::yuan_text), Ok("1234.56".to_owned()));
        for bad in ["", ".5", "1.", "1.234", "-1", "+1", "1e2", " 1", "1,00", "0.00", "１"] {
            assert!(Fen::parse_yuan_text(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn fen_text_is_digits_only() {
        assert_eq!(Fen::parse_fen_text("100").map(Fen::get), Ok(100));
        for bad in ["", "0", "-1", "1.0", "1e3", "1234567890123"] {
            assert!(Fen::parse_fen_text(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn provider_limits_are_checked() {
        let fen = Fen::new(i32::MAX as u64 + 1).expect("fen");
        assert!(fen.check_limit(i32::MAX as u64).is_err());
        assert!(Fen::new(100).expect("fen").check_limit(i32::MAX as u64).is_ok());
        assert_eq!(Currency::parse("156"), Currency::Cny);
        assert_eq!(Currency::parse("USD"), Currency::Other("USD".into()));
    }
}
