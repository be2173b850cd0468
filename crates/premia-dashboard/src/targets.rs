//! Targets per period (经营目标): configuration the server reads (`--dashboard-targets FILE`, TOML),
//! shown on the summary as progress. A target names a figure, a grain, optionally one period, and a
//! value: a floor for figures where more is better (新单保费 ≥ 5,000,000 a month, 期缴占比 ≥ 60 %), a
//! ceiling for the others (manual underwriting p90 ≤ 1,440 minutes, coupon cost).
//!
//! ```toml
//! [[target]]
//! figure = "regular_share_by_premium"
//! grain = "quarter"
//! value = "0.60"
//!
//! [[target]]
//! figure = "new_business_premium"
//! grain = "month"
//! period = "2026-12"      # this month only; without it, every month
//! value = "5000000"
//! ```
//!
//! Values are decimal strings (no floats), in the figure's unit: yuan, a count, a fraction (0.60 is
//! 60 %), minutes.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::api::{FigureId, Progress, Unit, Value};
use crate::figures::ratio_of;
use crate::period::{Grain, Period};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    #[serde(default, rename = "target")]
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub figure: FigureId,
    pub grain: Grain,
    /// One period's key; every period of the grain when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(with = "premia_core::money::strict")]
    pub value: Decimal,
}

impl Targets {
    /// Every problem of the file, each naming its target (`target[2].value`).
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        for (i, t) in self.targets.iter().enumerate() {
            if let Some(key) = &t.period {
                if Period::parse(t.grain, key).is_none() {
                    problems.push(format!("target[{i}].period: {key:?} is not a {}", t.grain.name()));
                }
            }
            if t.value.is_sign_negative() {
                problems.push(format!("target[{i}].value: {} is negative", t.value));
            }
            match t.figure.unit() {
                Unit::Share if t.value > Decimal::ONE => {
                    problems.push(format!("target[{i}].value: {} is a share above 1 (write 0.60 for 60 %)", t.value));
                }
                Unit::Count | Unit::Minutes if !t.value.fract().is_zero() => {
                    problems.push(format!("target[{i}].value: {} is not a whole number", t.value));
                }
                _ => {}
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    /// The target of `figure` for `period`: one set for that very period wins over one for its grain.
    pub fn of(&self, figure: FigureId, period: Period) -> Option<&Target> {
        let key = period.key();
        let mine = self.targets.iter().filter(|t| t.figure == figure && t.grain == period.grain);
        let mut general = None;
        for t in mine {
            match &t.period {
                Some(k) if *k == key => return Some(t),
                None if general.is_none() => general = Some(t),
                _ => {}
            }
        }
        general
    }
}

impl Target {
    /// The target as a value of its figure's unit.
    pub fn as_value(&self) -> Value {
        let whole = || i64::try_from(self.value.trunc()).unwrap_or(i64::MAX);
        match self.figure.unit() {
            Unit::Money | Unit::Text => Value::Money(self.value),
            Unit::Share => Value::Share(self.value),
            Unit::Count => Value::Count(whole()),
            Unit::Minutes => Value::Minutes(whole()),
        }
    }

    /// How far `value` is: the figure over the target; met when at or above a floor, at or below a
    /// ceiling. No value yet: not met (and for a ceiling, nothing is over it: met).
    pub fn progress(&self, value: Option<Value>) -> Progress {
        let higher = self.figure.higher_is_better();
        let ratio = value.and_then(|v| ratio_of(v.amount(), self.value));
        let met = match value {
            Some(v) if higher => v.amount() >= self.value,
            Some(v) => v.amount() <= self.value,
            None => !higher,
        };
        Progress { target: self.as_value(), ratio, met }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(figure: FigureId, grain: Grain, period: Option<&str>, value: &str) -> Target {
        Target { figure, grain, period: period.map(str::to_owned), value: value.parse().unwrap() }
    }

    #[test]
    fn a_period_of_its_own_wins() {
        let targets = Targets {
            targets: vec![
                target(FigureId::NewBusinessPremium, Grain::Month, None, "1000000"),
                target(FigureId::NewBusinessPremium, Grain::Month, Some("2026-12"), "2000000"),
            ],
        };
        let december = Period::parse(Grain::Month, "2026-12").unwrap();
        let november = Period::parse(Grain::Month, "2026-11").unwrap();
        assert_eq!(targets.of(FigureId::NewBusinessPremium, december).unwrap().value.to_string(), "2000000");
        assert_eq!(targets.of(FigureId::NewBusinessPremium, november).unwrap().value.to_string(), "1000000");
        assert!(targets.of(FigureId::NewBusinessPremium, Period::containing(Grain::Quarter, december.start)).is_none());
    }

    #[test]
    fn floors_and_ceilings() {
        let share = target(FigureId::RegularShareByPremium, Grain::Quarter, None, "0.60");
        let p = share.progress(Some(Value::Share("0.45".parse().unwrap())));
        assert_eq!((p.met, p.ratio.unwrap().to_string()), (false, "0.7500".into()));
        assert!(share.progress(Some(Value::Share("0.60".parse().unwrap()))).met);
        let p90 = target(FigureId::ManualP90, Grain::Month, None, "1440");
        assert!(p90.progress(Some(Value::Minutes(900))).met);
        assert!(!p90.progress(Some(Value::Minutes(1500))).met);
        assert_eq!(p90.as_value(), Value::Minutes(1440));
    }

    #[test]
    fn problems_name_their_target() {
        let targets = Targets {
            targets: vec![
                target(FigureId::RegularShareByPremium, Grain::Quarter, None, "60"),
                target(FigureId::Policies, Grain::Month, Some("2026-Q4"), "10.5"),
            ],
        };
        let problems = targets.check().unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("target[0].value"));
        assert!(problems[1].starts_with("target[1].period"));
    }
}
