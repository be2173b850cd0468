//! Coverage terms (保障期间) and payment terms (交费期间).
//!
//! Written as short strings everywhere (catalogue, requests, quotes, CSV headers) so that one spelling
//! serves data authors and JSON clients alike: `"years:20"`, `"to_age:70"`, `"lifelong"`, `"single"`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::{Quoted, Text};

/// How long the cover lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CoverageTerm {
    /// N years from the issue date.
    Years(u32),
    /// Until the policy anniversary at the given age.
    ToAge(u32),
    /// For life (终身).
    Lifelong,
}

/// How long premiums are paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PaymentTerm {
    /// One premium at issue (趸交).
    Single,
    /// N yearly premiums.
    Years(u32),
    /// Premiums until the anniversary at the given age.
    ToAge(u32),
}

impl CoverageTerm {
    /// Years of cover for an insured of `age`; `None` for lifelong cover or a "to age" already passed.
    pub fn years(self, age: u32) -> Option<u32> {
        match self {
            CoverageTerm::Years(n) => Some(n),
            CoverageTerm::ToAge(end) => end.checked_sub(age).filter(|&n| n > 0),
            CoverageTerm::Lifelong => None,
        }
    }

    pub fn label(self) -> Text {
        match self {
            CoverageTerm::Years(1) => Text::fixed("1年", "1 year"),
            CoverageTerm::Years(n) => Text::new(format!("{n}年"), format!("{n} years")),
            CoverageTerm::ToAge(a) => Text::new(format!("至{a}岁"), format!("to age {a}")),
            CoverageTerm::Lifelong => Text::fixed("终身", "lifelong"),
        }
    }
}

impl PaymentTerm {
    /// Number of premiums paid by an insured of `age`; `None` if a "to age" term has already passed.
    pub fn years(self, age: u32) -> Option<u32> {
        match self {
            PaymentTerm::Single => Some(1),
            PaymentTerm::Years(n) => Some(n),
            PaymentTerm::ToAge(end) => end.checked_sub(age).filter(|&n| n > 0),
        }
    }

    /// The age at which the last premium falls due is `age + years - 1`; premiums end at `age + years`.
    pub fn end_age(self, age: u32) -> Option<u32> {
        self.years(age).map(|n| age + n)
    }

    pub fn is_single(self) -> bool {
        matches!(self, PaymentTerm::Single)
    }

    pub fn label(self) -> Text {
        match self {
            PaymentTerm::Single => Text::fixed("趸交", "single premium"),
            PaymentTerm::Years(n) => Text::new(format!("{n}年交"), format!("{n}-year pay")),
            PaymentTerm::ToAge(a) => Text::new(format!("交至{a}岁"), format!("pay to age {a}")),
        }
    }
}

/// A term string that is not one of the accepted spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermSyntaxError {
    pub text: String,
    pub expected: &'static str,
}

impl fmt::Display for TermSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not a term; expected {}", Quoted(&self.text), self.expected)
    }
}

const COVERAGE_SPELLINGS: &str = "\"years:N\", \"to_age:N\" or \"lifelong\"";
const PAYMENT_SPELLINGS: &str = "\"single\", \"years:N\" or \"to_age:N\"";

fn number_after(text: &str, prefix: &str) -> Option<u32> {
    let digits = text.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n > 0)
}

impl FromStr for CoverageTerm {
    type Err = TermSyntaxError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "lifelong" {
            return Ok(CoverageTerm::Lifelong);
        }
        number_after(text, "years:")
            .map(CoverageTerm::Years)
            .or_else(|| number_after(text, "to_age:").map(CoverageTerm::ToAge))
            .ok_or_else(|| TermSyntaxError { text: text.to_owned(), expected: COVERAGE_SPELLINGS })
    }
}

impl FromStr for PaymentTerm {
    type Err = TermSyntaxError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "single" {
            return Ok(PaymentTerm::Single);
        }
        number_after(text, "years:")
            .map(PaymentTerm::Years)
            .or_else(|| number_after(text, "to_age:").map(PaymentTerm::ToAge))
            .ok_or_else(|| TermSyntaxError { text: text.to_owned(), expected: PAYMENT_SPELLINGS })
    }
}

impl fmt::Display for CoverageTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoverageTerm::Years(n) => write!(f, "years:{n}"),
            CoverageTerm::ToAge(a) => write!(f, "to_age:{a}"),
            CoverageTerm::Lifelong => f.write_str("lifelong"),
        }
    }
}

impl fmt::Display for PaymentTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaymentTerm::Single => f.write_str("single"),
            PaymentTerm::Years(n) => write!(f, "years:{n}"),
            PaymentTerm::ToAge(a) => write!(f, "to_age:{a}"),
        }
    }
}

macro_rules! serde_as_string {
    ($ty:ty) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

serde_as_string!(CoverageTerm);
serde_as_string!(PaymentTerm);

/// How often premiums are paid within a year, with the number of instalments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Annual,
    SemiAnnual,
    Quarterly,
    Monthly,
}

impl Frequency {
    pub const ALL: [Frequency; 4] =
        crate::variants::every_variant!(Frequency { Annual, SemiAnnual, Quarterly, Monthly });

    pub fn instalments_per_year(self) -> u32 {
        match self {
            Frequency::Annual => 1,
            Frequency::SemiAnnual => 2,
            Frequency::Quarterly => 4,
            Frequency::Monthly => 12,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Frequency::Annual => "annual",
            Frequency::SemiAnnual => "semi_annual",
            Frequency::Quarterly => "quarterly",
            Frequency::Monthly => "monthly",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn label(self) -> Text {
        match self {
            Frequency::Annual => Text::fixed("年交", "annual"),
            Frequency::SemiAnnual => Text::fixed("半年交", "semi-annual"),
            Frequency::Quarterly => Text::fixed("季交", "quarterly"),
            Frequency::Monthly => Text::fixed("月交", "monthly"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_round_trip_through_their_spelling() {
        for text in ["years:20", "to_age:70", "lifelong"] {
            assert_eq!(text.parse::<CoverageTerm>().unwrap().to_string(), text);
        }
        for text in ["single", "years:10", "to_age:60"] {
            assert_eq!(text.parse::<PaymentTerm>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn bad_spellings_are_refused_with_the_accepted_forms() {
        for text in ["years:0", "years:", "years:-1", "20", "single", "to_age:x", "Lifelong"] {
            let err = text.parse::<CoverageTerm>().unwrap_err();
            assert!(err.to_string().contains("lifelong"), "{err}");
        }
        assert!("lifelong".parse::<PaymentTerm>().is_err());
    }

    #[test]
    fn years_depend_on_age_for_to_age_terms() {
        assert_eq!(CoverageTerm::ToAge(70).years(30), Some(40));
        assert_eq!(CoverageTerm::ToAge(70).years(70), None);
        assert_eq!(CoverageTerm::Lifelong.years(30), None);
        assert_eq!(PaymentTerm::Single.years(30), Some(1));
        assert_eq!(PaymentTerm::ToAge(60).years(40), Some(20));
        assert_eq!(PaymentTerm::ToAge(60).end_age(40), Some(60));
    }
}
