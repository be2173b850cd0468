//! The rating worksheet: every step from request to premium, with its inputs and result, labelled in
//! zh-CN and English, so that an auditor or a customer can see why a price is what it is.

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::text::Text;

/// One step of a calculation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Stable machine code, e.g. `rate_table.lookup`, `factor.smoker`, `rounding.instalment`.
    pub code: Cow<'static, str>,
    /// The rider this step prices, if it is not the base cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rider: Option<String>,
    /// What the step does.
    pub label: Text,
    /// Its inputs: the table and cell looked up, or the formula with the numbers put in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Text>,
    /// Its result, exactly as used by the next step.
    pub value: Decimal,
}

/// Collects steps; the rider scope applies to every step pushed while it is set.
#[derive(Debug, Default)]
pub(crate) struct Worksheet {
    pub steps: Vec<Step>,
    rider: Option<String>,
}

impl Worksheet {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Worksheet { steps: Vec::with_capacity(n), rider: None }
    }

    pub(crate) fn for_rider(&mut self, rider: Option<&str>) {
        self.rider = rider.map(str::to_owned);
    }

    pub(crate) fn push(&mut self, code: &'static str, label: Text, detail: Option<Text>, value: Decimal) -> Decimal {
        self.steps.push(Step { code: Cow::Borrowed(code), rider: self.rider.clone(), label, detail, value });
        value
    }
}
