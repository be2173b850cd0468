//! What a quote is asked for: the insured person, the coverages and the channel.
//!
//! Every field a person fills in is explicit: there are no silent defaults. Unknown fields are refused,
//! so a misspelt field is an error instead of being ignored.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::strict;
use crate::term::{CoverageTerm, Frequency, PaymentTerm};
use crate::text::Text;

/// A request for a quote. The quote date is an input: the engine never reads a clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    pub quote_date: NaiveDate,
    pub insured: Insured,
    pub coverages: Vec<CoverageRequest>,
    pub channel: Channel,
    /// Campaign codes, signed vouchers and referral codes to apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<String>,
    /// The bundle these coverages were chosen from, for its bundle discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
}

/// The person to be insured (被保险人). `Default` leaves the occupation class at 0, which no request
/// may carry: it is a starting point for building one, not a default insured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Insured {
    /// Birth date, or else `age`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// Age at last birthday, for when the birth date is not known (e.g. a first estimate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    /// Resident ID number (居民身份证号码): fills birth date and sex. Never echoed in a quote, which keeps
    /// only `resident_id_hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_id: Option<String>,
    /// Salted SHA-256 of the resident ID number, set by the engine; for the server's blacklist check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_id_hash: Option<String>,
    /// Required unless a resident ID number gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    pub smoker: bool,
    /// Occupation class 1-6 by the Chinese occupation classification; 7 means uninsurable.
    pub occupation_class: u8,
    /// Has local basic medical insurance (有社保).
    pub social_insurance: bool,
    /// Region code (GB/T 2260, e.g. "310000" Shanghai), needed by regional products such as 惠民保.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Height in centimetres and weight in kilograms, for BMI rules.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "strict::option")]
    pub height_cm: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "strict::option")]
    pub weight_kg: Option<Decimal>,
    /// Annual income in yuan, for financial underwriting.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "strict::option")]
    pub annual_income: Option<Decimal>,
    /// Sum assured already held with other insurers.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "strict::option")]
    pub existing_cover: Option<Decimal>,
    /// Answers to the health questionnaire (健康告知), by question id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub health_answers: BTreeMap<String, HealthAnswer>,
}

/// An answer to a yes/no health question, with the follow-up option chosen when the answer is yes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthAnswer {
    pub yes: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn index(self) -> usize {
        match self {
            Sex::Male => 0,
            Sex::Female => 1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Sex::Male => Text::fixed("男", "male"),
            Sex::Female => Text::fixed("女", "female"),
        }
    }
}

/// One product asked for, with its options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageRequest {
    pub product: String,
    /// Sum assured (保额), for every product except annuities.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "strict::option")]
    pub sum_assured: Option<Decimal>,
    /// Yearly annuity amount (年领取金额), for annuities.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "strict::option")]
    pub annuity_amount: Option<Decimal>,
    pub coverage_term: CoverageTerm,
    pub payment_term: PaymentTerm,
    pub frequency: Frequency,
    /// Deductible plan, for products that offer several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Annuities: the age payouts start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout_start_age: Option<u32>,
    /// Annuities: years paid even if the annuitant dies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guaranteed_years: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub riders: Vec<RiderRequest>,
}

/// An optional rider (附加险) on a coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiderRequest {
    pub code: String,
    /// For riders with their own sum assured; others cover the base sum assured.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "strict::option")]
    pub sum_assured: Option<Decimal>,
}

/// How the quote is sold: `{"kind": "direct"}` or `{"kind": "agent", "agent_code": "A123"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Channel {
    /// The insurer's own website.
    Direct,
    /// An agent, identified by code.
    Agent { agent_code: String },
}

/// Read through a plain struct rather than serde's internally tagged enum, whose buffering of the
/// whole object (`Content`) is a sizeable share of the browser build, for the same strictness.
impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            Direct,
            Agent,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            kind: Kind,
            #[serde(default)]
            agent_code: Option<String>,
        }
        let wire = Wire::deserialize(deserializer)?;
        match (wire.kind, wire.agent_code) {
            (Kind::Direct, None) => Ok(Channel::Direct),
            (Kind::Direct, Some(_)) => Err(D::Error::custom("unknown field `agent_code`: direct sales have no agent")),
            (Kind::Agent, Some(agent_code)) => Ok(Channel::Agent { agent_code }),
            (Kind::Agent, None) => Err(D::Error::missing_field("agent_code")),
        }
    }
}

impl Channel {
    pub fn name(&self) -> &'static str {
        match self {
            Channel::Direct => "direct",
            Channel::Agent { .. } => "agent",
        }
    }
}

/// Read a request from JSON, reporting a structural error (wrong type, unknown or missing field) for
/// every section that has one — the quote date, the insured, each coverage, the channel — rather than
/// only the first. Rule checks (ages, amounts, terms) follow in [`crate::quote`] once the shape is right.
pub fn from_json(value: &serde_json::Value) -> Result<QuoteRequest, crate::Errors> {
    use crate::error::{Error, ErrorKind};
    use serde_json::Value;

    let Value::Object(object) = value else {
        return Err(crate::Errors::one("request", ErrorKind::Syntax { message: "expected a JSON object".into() }));
    };
    let mut errors = Vec::new();
    for key in object.keys() {
        if !["quote_date", "insured", "coverages", "channel", "coupons", "bundle"].contains(&key.as_str()) {
            errors.push(Error::new(key.clone(), ErrorKind::Syntax { message: format!("unknown field `{key}`") }));
        }
    }
    fn section<T: serde::de::DeserializeOwned>(
        object: &serde_json::Map<String, Value>,
        key: &str,
        errors: &mut Vec<Error>,
    ) -> Option<T> {
        let Some(value) = object.get(key) else {
            errors.push(Error::new(key, ErrorKind::Required));
            return None;
        };
        field::<T>(value, key, errors)
    }
    fn field<T: serde::de::DeserializeOwned>(value: &Value, place: &str, errors: &mut Vec<Error>) -> Option<T> {
        serde_path_to_error::deserialize::<_, T>(value)
            .map_err(|e| {
                let inner = e.path().to_string();
                let field = if inner == "." { place.to_owned() } else { format!("{place}.{inner}") };
                errors.push(Error::new(field, ErrorKind::Syntax { message: e.into_inner().to_string() }));
            })
            .ok()
    }
    let quote_date = section::<NaiveDate>(object, "quote_date", &mut errors);
    let insured = section::<Insured>(object, "insured", &mut errors);
    let channel = section::<Channel>(object, "channel", &mut errors);
    let coupons = match object.get("coupons") {
        None => Some(Vec::new()),
        Some(value) => field::<Vec<String>>(value, "coupons", &mut errors),
    };
    let bundle = match object.get("bundle") {
        None => Some(None),
        Some(value) => field::<Option<String>>(value, "bundle", &mut errors),
    };
    let coverages: Option<Vec<CoverageRequest>> = match object.get("coverages") {
        None => {
            errors.push(Error::new("coverages", ErrorKind::Required));
            None
        }
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| field::<CoverageRequest>(item, &format!("coverages[{i}]"), &mut errors))
            .collect::<Vec<_>>()
            .into_iter()
            .collect(),
        Some(_) => {
            errors.push(Error::new("coverages", ErrorKind::Syntax { message: "expected a list of coverages".into() }));
            None
        }
    };
    match (quote_date, insured, coverages, channel, coupons, bundle, crate::Errors::from_vec(errors)) {
        (Some(quote_date), Some(insured), Some(coverages), Some(channel), Some(coupons), Some(bundle), None) => {
            Ok(QuoteRequest { quote_date, insured, coverages, channel, coupons, bundle })
        }
        (.., Some(errors)) => Err(errors),
        _ => Err(crate::Errors::one("request", ErrorKind::Required)),
    }
}

/// [`from_json`] on JSON text; a syntax error names its line and column.
pub fn from_json_str(text: &str) -> Result<QuoteRequest, crate::Errors> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        crate::Errors::one(
            format!("request line {}, column {}", e.line(), e.column()),
            crate::ErrorKind::Syntax { message: e.to_string() },
        )
    })?;
    from_json(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_broken_section_is_reported() {
        let text = r#"{
            "quote_date": "2026-13-01",
            "insured": { "sex": "x", "smoker": false, "occupation_class": 1, "social_insurance": true },
            "coverages": [
                { "product": "CI", "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "weekly" },
                { "product": "MED", "coverage_term": "forever", "payment_term": "years:1", "frequency": "annual" }
            ],
            "channel": { "kind": "agent" },
            "colour": "blue"
        }"#;
        let errors = from_json_str(text).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["colour", "quote_date", "insured.sex", "channel", "coverages[0].frequency", "coverages[1].coverage_term"]
        );
    }

    #[test]
    fn a_good_request_reads_the_same_as_serde() {
        let text = r#"{"quote_date":"2026-11-25","insured":{"age":30,"sex":"male","smoker":false,
            "occupation_class":1,"social_insurance":true},"coverages":[],"channel":{"kind":"direct"}}"#;
        assert_eq!(from_json_str(text).unwrap(), serde_json::from_str::<QuoteRequest>(text).unwrap());
    }
}
