//! Money and rounding.
//!
//! All money is [`Decimal`]. Rounding happens only at the named [`RoundingStep`]s, each with a
//! [`Rounding`] rule that the catalogue may override; this is what makes the browser (wasm32) and the
//! server (x86-64) agree to the cent: `Decimal` arithmetic is integer arithmetic on every platform.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;
use crate::text::Text;

/// How a rounding step treats the digits it drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundMode {
    /// 四舍五入: 0.005 becomes 0.01. The default for every step.
    #[default]
    HalfUp,
    /// Banker's rounding: 0.005 becomes 0.00, 0.015 becomes 0.02.
    HalfEven,
    /// Truncate towards zero.
    Down,
    /// Away from zero: any remainder rounds up.
    Up,
}

impl RoundMode {
    pub const ALL: [RoundMode; 4] = crate::variants::every_variant!(RoundMode { HalfUp, HalfEven, Down, Up });

    pub fn name(self) -> &'static str {
        match self {
            RoundMode::HalfUp => "half_up",
            RoundMode::HalfEven => "half_even",
            RoundMode::Down => "down",
            RoundMode::Up => "up",
        }
    }

    /// The mode in words, for the worksheet a customer reads (its `name` stays in the JSON).
    pub fn label(self) -> Text {
        match self {
            RoundMode::HalfUp => Text::fixed("四舍五入", "half up"),
            RoundMode::HalfEven => Text::fixed("四舍六入五成双", "half to even"),
            RoundMode::Down => Text::fixed("舍去", "down"),
            RoundMode::Up => Text::fixed("进一", "up"),
        }
    }

    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundMode::Down => RoundingStrategy::ToZero,
            RoundMode::Up => RoundingStrategy::AwayFromZero,
        }
    }
}

/// A rounding rule: number of decimal places and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rounding {
    pub scale: u32,
    pub mode: RoundMode,
}

impl Rounding {
    /// The most decimal places a catalogue may round to: a premium rounded to it still fits a
    /// `Decimal` with room to spare (at ten places up to 7.9 × 10^18).
    pub const MAX_SCALE: u32 = 10;

    /// To the fen (0.01), half up: the rule unless the catalogue says otherwise.
    pub const FEN_HALF_UP: Rounding = Rounding { scale: 2, mode: RoundMode::HalfUp };

    /// Round `value` by this rule. The result always carries exactly `scale` decimal places, so that
    /// "1234.5" and "1234.50" never both appear for the same amount.
    pub fn apply(self, value: Decimal) -> Decimal {
        let mut rounded = value.round_dp_with_strategy(self.scale, self.mode.strategy());
        rounded.rescale(self.scale);
        rounded
    }
}

impl Default for Rounding {
    fn default() -> Self {
        Rounding::FEN_HALF_UP
    }
}

impl fmt::Display for Rounding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} dp {}", self.scale, self.mode.name())
    }
}

/// `zero` plus every value, at the widest scale among them (a sum of figures at 0 and 3 places has
/// 3). `Decimal` addition alone does not promise that: it returns the other term as it is when one
/// term is zero (248 + 0.000 is 248), so a sum's places would depend on which figures are zero.
pub fn sum(zero: Decimal, values: impl IntoIterator<Item = Decimal>) -> Decimal {
    let (mut total, mut scale) = (zero, zero.scale());
    for value in values {
        total += value;
        scale = scale.max(value.scale());
    }
    total.rescale(scale);
    total
}

/// `a − b` at the wider of their scales (see [`sum`]).
pub fn difference(a: Decimal, b: Decimal) -> Decimal {
    let mut result = a - b;
    result.rescale(a.scale().max(b.scale()));
    result
}

/// The named places where a premium is rounded. The catalogue sets a rule for each (default: fen, half up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingStep {
    /// The premium the rating method gives, before factors.
    BasePremium,
    /// The base premium after rating factors and underwriting loadings.
    RatedPremium,
    /// Each rider's premium.
    RiderPremium,
    /// One instalment: the annual premium times the modal factor.
    Instalment,
    /// Each discount amount.
    Discount,
}

impl RoundingStep {
    pub const ALL: [RoundingStep; 5] =
        crate::variants::every_variant!(RoundingStep { BasePremium, RatedPremium, RiderPremium, Instalment, Discount });

    pub fn name(self) -> &'static str {
        match self {
            RoundingStep::BasePremium => "base_premium",
            RoundingStep::RatedPremium => "rated_premium",
            RoundingStep::RiderPremium => "rider_premium",
            RoundingStep::Instalment => "instalment",
            RoundingStep::Discount => "discount",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.name() == name)
    }

    /// The worksheet code of this rounding, e.g. `rounding.instalment`.
    pub fn code(self) -> &'static str {
        match self {
            RoundingStep::BasePremium => "rounding.base_premium",
            RoundingStep::RatedPremium => "rounding.rated_premium",
            RoundingStep::RiderPremium => "rounding.rider_premium",
            RoundingStep::Instalment => "rounding.instalment",
            RoundingStep::Discount => "rounding.discount",
        }
    }

    pub fn label(self) -> Text {
        match self {
            RoundingStep::BasePremium => Text::fixed("基本保费舍入", "round the base premium"),
            RoundingStep::RatedPremium => Text::fixed("调整后保费舍入", "round the rated premium"),
            RoundingStep::RiderPremium => Text::fixed("附加险保费舍入", "round the rider premium"),
            RoundingStep::Instalment => Text::fixed("每期保费舍入", "round the instalment"),
            RoundingStep::Discount => Text::fixed("优惠金额舍入", "round the discount"),
        }
    }
}

/// The rounding rule for every named step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundingRules {
    rules: [Rounding; 5],
}

impl RoundingRules {
    pub fn uniform(rule: Rounding) -> Self {
        RoundingRules { rules: [rule; 5] }
    }

    pub fn get(&self, step: RoundingStep) -> Rounding {
        self.rules[step as usize]
    }

    pub fn set(&mut self, step: RoundingStep, rule: Rounding) {
        self.rules[step as usize] = rule;
    }

    pub fn round(&self, step: RoundingStep, value: Decimal) -> Decimal {
        self.get(step).apply(value)
    }

    /// Whether `value` already is what `step`'s rule makes of it: the same number at the same scale
    /// (200.000 is not what a rule of two places makes of 200.000).
    pub fn holds(&self, step: RoundingStep, value: Decimal) -> bool {
        let rounded = self.round(step, value);
        rounded == value && rounded.scale() == value.scale()
    }
}

/// An amount as a person types it into a form, read the way they mean it: digits full-width or not
/// (`５０００００`), grouped with commas or spaces (`500,000`, `50 0000`), with a yuan sign or 元
/// (`￥500000`, `500000元`), or counted in 万, 千 or 亿 (`50万`, `1.5万`, `２０万元`). The number itself
/// is then read as strictly as [`strict::parse`] reads one (no exponent, no float): what cannot be read
/// is [`ErrorKind::NotAnAmount`], and nothing typed is [`ErrorKind::Required`]. A number counted in
/// units is written without trailing zeros (`1.5万` is 15000).
pub fn read_typed(text: &str) -> Result<Decimal, ErrorKind> {
    let not_an_amount = || ErrorKind::NotAnAmount { value: text.trim().to_owned() };
    let mut plain = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '0'..='9' | '.' | '-' => plain.push(c),
            '０'..='９' => plain.push(char::from(b'0' + (u32::from(c) - u32::from('０')) as u8)),
            '．' => plain.push('.'),
            '－' => plain.push('-'),
            // Grouping people write between digits, and the currency they may add.
            ',' | '，' | '_' | '\'' | '¥' | '￥' | '元' => {}
            _ if c.is_whitespace() => {}
            unit => plain.push(unit),
        }
    }
    if plain.is_empty() {
        return Err(ErrorKind::Required);
    }
    let (number, unit) = match plain.chars().last() {
        Some('万' | '萬') => (&plain[..plain.len() - '万'.len_utf8()], 10_000),
        Some('千') => (&plain[..plain.len() - '千'.len_utf8()], 1_000),
        Some('亿' | '億') => (&plain[..plain.len() - '亿'.len_utf8()], 100_000_000),
        _ => (plain.as_str(), 1),
    };
    let value = strict::parse(number).ok_or_else(not_an_amount)?;
    if unit == 1 {
        return Ok(value);
    }
    value.checked_mul(Decimal::from(unit)).map(|v| v.normalize()).ok_or_else(not_an_amount)
}

/// Serde helpers for money fields in requests: a decimal string ("1234.50") or an integer, never a
/// floating-point number, which JSON clients cannot carry exactly.
pub mod strict {
    use std::fmt;

    use rust_decimal::Decimal;
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(StrictDecimal)
    }

    pub(crate) struct StrictDecimal;

    impl Visitor<'_> for StrictDecimal {
        type Value = Decimal;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal written as a string, such as \"1234.50\", or an integer")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
    }

    /// Parse a plain decimal: optional sign, digits, optional fraction. No exponent, no spaces, and no
    /// more digits than a `Decimal` holds exactly (28 after the point): such a number is refused, not
    /// rounded, as a money amount must be taken as written or not at all.
    pub fn parse(text: &str) -> Option<Decimal> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        let mut parts = digits.splitn(2, '.');
        let whole = parts.next().unwrap_or_default();
        let fraction = parts.next();
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let well_formed = all_digits(whole) && fraction.is_none_or(all_digits);
        if !well_formed {
            return None;
        }
        Decimal::from_str_exact(text).ok()
    }

    /// The same rule for optional fields; JSON `null` counts as absent.
    pub mod option {
        use rust_decimal::Decimal;
        use serde::{Deserialize, Deserializer, Serializer};

        struct Strict(Decimal);

        impl<'de> Deserialize<'de> for Strict {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                super::deserialize(deserializer).map(Strict)
            }
        }

        pub fn serialize<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => serializer.collect_str(v),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
            Ok(Option::<Strict>::deserialize(deserializer)?.map(|s| s.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn half_up_rounds_midpoint_away_from_zero_and_keeps_two_places() {
        assert_eq!(Rounding::FEN_HALF_UP.apply(d("1.005")).to_string(), "1.01");
        assert_eq!(Rounding::FEN_HALF_UP.apply(d("1.004999")).to_string(), "1.00");
        assert_eq!(Rounding::FEN_HALF_UP.apply(d("7")).to_string(), "7.00");
    }

    #[test]
    fn other_modes_follow_their_names() {
        let even = Rounding { scale: 2, mode: RoundMode::HalfEven };
        assert_eq!(even.apply(d("1.005")).to_string(), "1.00");
        assert_eq!(even.apply(d("1.015")).to_string(), "1.02");
        let down = Rounding { scale: 1, mode: RoundMode::Down };
        assert_eq!(down.apply(d("1.99")).to_string(), "1.9");
        let up = Rounding { scale: 0, mode: RoundMode::Up };
        assert_eq!(up.apply(d("1.01")).to_string(), "2");
    }

    #[test]
    fn strict_parse_rejects_exponents_and_junk() {
        assert_eq!(strict::parse("1234.50"), Some(d("1234.50")));
        assert_eq!(strict::parse("-3"), Some(d("-3")));
        for bad in ["1e5", "", ".5", "5.", "1,000", " 1", "NaN", "1.2.3"] {
            assert_eq!(strict::parse(bad), None, "{bad:?} should not parse");
        }
        let widest = format!("0.{}", "1".repeat(28));
        assert_eq!(strict::parse(&widest).map(|d| d.scale()), Some(28));
        assert_eq!(strict::parse(&format!("{widest}1")), None, "refused, not rounded");
        assert_eq!(strict::parse("79228162514264337593543950336"), None, "above Decimal::MAX");
    }

    #[test]
    fn amounts_are_read_as_people_type_them() {
        for (typed, read) in [
            ("500000", "500000"),
            ("500,000", "500000"),
            ("50 0000", "500000"),
            ("50万", "500000"),
            ("５０万", "500000"),
            ("５０００００", "500000"),
            ("￥500,000.00", "500000.00"),
            ("500000元", "500000"),
            ("1.5万", "15000"),
            ("２０ 万 元", "200000"),
            ("3千", "3000"),
            ("1亿", "100000000"),
            ("１２３４．５", "1234.5"),
            ("-1", "-1"),
        ] {
            assert_eq!(read_typed(typed).map(|d| d.to_string()), Ok(read.to_owned()), "{typed}");
        }
        assert_eq!(read_typed("  "), Err(ErrorKind::Required));
        for bad in ["abc", "1e5", "50万万", "1万5千", "万", "5.", "1,2.3.4", "1米65", "79228162514264337593543950335万"]
        {
            assert_eq!(read_typed(bad), Err(ErrorKind::NotAnAmount { value: bad.to_owned() }), "{bad}");
        }
    }

    #[test]
    fn strict_serde_rejects_json_floats() {
        #[derive(serde::Deserialize)]
        struct Amount {
            #[serde(with = "strict")]
            value: Decimal,
        }
        let ok: Amount = serde_json::from_str(r#"{"value":"0.10"}"#).unwrap();
        assert_eq!(ok.value.to_string(), "0.10");
        let int: Amount = serde_json::from_str(r#"{"value":500000}"#).unwrap();
        assert_eq!(int.value, d("500000"));
        assert!(serde_json::from_str::<Amount>(r#"{"value":0.1}"#).is_err());
    }
}
