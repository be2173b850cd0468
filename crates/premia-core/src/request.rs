//! What a quote is asked for: the insured person, the coverages and the channel.
//!
//! Every field a person fills in is explicit: there are no silent defaults. Unknown fields are refused,
//! so a misspelt field is an error instead of being ignored.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::wire::json::Json;

use crate::error::ErrorKind;
use crate::money::strict;
use crate::term::{CoverageTerm, Frequency, PaymentTerm};
use crate::text::Text;
use crate::wire::reader::{Reader, join};

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
    /// only the birth date and sex it gave: nothing from which the number could be found again. (The
    /// server keys people by a keyed hash of the number sent beside the quote; docs/security.md.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_id: Option<String>,
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
    pub const ALL: [Sex; 2] = crate::variants::every_variant!(Sex { Male, Female });

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

impl Channel {
    /// Whether `code` is an agent code: 2-16 upper-case letters and digits. The one rule for every
    /// place that takes one (a quote's channel, `premia-server agent issue`).
    pub fn is_agent_code(code: &str) -> bool {
        (2..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    }
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

/// Read a request from a JSON tree, reporting a structural error (wrong type, unknown or missing field)
/// for **every** field that has one, each with its path (`insured.sex`, `coverages[1].frequency`).
/// Rule checks (ages, amounts, terms) follow in [`crate::pricing::quote`] once the shape is right. Reads what
/// the derived `Deserialize` reads (see [`crate::wire::reader`]).
pub fn from_json(value: &Json) -> Result<QuoteRequest, crate::error::Errors> {
    let mut r = Reader::new();
    let request = read_request(&mut r, value, "");
    r.finish(request)
}

const REQUEST_FIELDS: &[&str] = &["quote_date", "insured", "coverages", "channel", "coupons", "bundle"];

fn read_request(r: &mut Reader, value: &Json, path: &str) -> Option<QuoteRequest> {
    let object = r.object(value, path, REQUEST_FIELDS)?;
    let quote_date = r.required(object, path, "quote_date", Reader::date);
    let insured = r.required(object, path, "insured", read_insured);
    let coverages = r.required(object, path, "coverages", |r, v, p| r.list(v, p, read_coverage));
    let channel = r.required(object, path, "channel", read_channel);
    let coupons = r.defaulted(object, path, "coupons", Reader::strings);
    let bundle = r.optional(object, path, "bundle", Reader::string);
    Some(QuoteRequest {
        quote_date: quote_date?,
        insured: insured?,
        coverages: coverages?,
        channel: channel?,
        coupons: coupons?,
        bundle: bundle?,
    })
}

const INSURED_FIELDS: &[&str] = &[
    "birth_date",
    "age",
    "resident_id",
    "sex",
    "smoker",
    "occupation_class",
    "social_insurance",
    "region",
    "height_cm",
    "weight_kg",
    "annual_income",
    "existing_cover",
    "health_answers",
];

/// The insured person at `path`.
pub fn read_insured(r: &mut Reader, value: &Json, path: &str) -> Option<Insured> {
    let object = r.object(value, path, INSURED_FIELDS)?;
    let birth_date = r.optional(object, path, "birth_date", Reader::date);
    let age = r.optional(object, path, "age", Reader::whole);
    let resident_id = r.optional(object, path, "resident_id", Reader::string);
    let sex = r.optional(object, path, "sex", read_sex);
    let smoker = r.required(object, path, "smoker", Reader::bool);
    let occupation_class = r.required(object, path, "occupation_class", Reader::whole);
    let social_insurance = r.required(object, path, "social_insurance", Reader::bool);
    let region = r.optional(object, path, "region", Reader::string);
    let height_cm = r.optional(object, path, "height_cm", Reader::decimal);
    let weight_kg = r.optional(object, path, "weight_kg", Reader::decimal);
    let annual_income = r.optional(object, path, "annual_income", Reader::decimal);
    let existing_cover = r.optional(object, path, "existing_cover", Reader::decimal);
    let health_answers = r.defaulted(object, path, "health_answers", read_health_answers);
    Some(Insured {
        birth_date: birth_date?,
        age: age?,
        resident_id: resident_id?,
        sex: sex?,
        smoker: smoker?,
        occupation_class: occupation_class?,
        social_insurance: social_insurance?,
        region: region?,
        height_cm: height_cm?,
        weight_kg: weight_kg?,
        annual_income: annual_income?,
        existing_cover: existing_cover?,
        health_answers: health_answers?,
    })
}

pub fn read_sex(r: &mut Reader, value: &Json, path: &str) -> Option<Sex> {
    r.one_of(value, path, &Sex::ALL.map(|sex| (sex.name(), sex)))
}

/// Answers to the health questionnaire: `{"HEART": {"yes": false}, ...}`.
pub fn read_health_answers(r: &mut Reader, value: &Json, path: &str) -> Option<BTreeMap<String, HealthAnswer>> {
    r.map(value, path, |r, value, path| {
        let object = r.object(value, path, &["yes", "follow_up"])?;
        let yes = r.required(object, path, "yes", Reader::bool);
        let follow_up = r.optional(object, path, "follow_up", Reader::string);
        Some(HealthAnswer { yes: yes?, follow_up: follow_up? })
    })
}

const COVERAGE_FIELDS: &[&str] = &[
    "product",
    "sum_assured",
    "annuity_amount",
    "coverage_term",
    "payment_term",
    "frequency",
    "plan",
    "payout_start_age",
    "guaranteed_years",
    "riders",
];

/// One coverage asked for, at `path` (`coverages[0]`).
pub fn read_coverage(r: &mut Reader, value: &Json, path: &str) -> Option<CoverageRequest> {
    let object = r.object(value, path, COVERAGE_FIELDS)?;
    let product = r.required(object, path, "product", Reader::string);
    let sum_assured = r.optional(object, path, "sum_assured", Reader::decimal);
    let annuity_amount = r.optional(object, path, "annuity_amount", Reader::decimal);
    let coverage_term =
        r.required(object, path, "coverage_term", |r, v, p| r.parsed(v, p, "a coverage term such as \"years:20\""));
    let payment_term =
        r.required(object, path, "payment_term", |r, v, p| r.parsed(v, p, "a payment term such as \"years:20\""));
    let frequency = r.required(object, path, "frequency", |r, v, p| {
        let names = Frequency::ALL.map(|f| (f.name(), f));
        r.one_of(v, p, &names)
    });
    let plan = r.optional(object, path, "plan", Reader::string);
    let payout_start_age = r.optional(object, path, "payout_start_age", Reader::whole);
    let guaranteed_years = r.optional(object, path, "guaranteed_years", Reader::whole);
    let riders = r.defaulted(object, path, "riders", |r, v, p| {
        r.list(v, p, |r, value, path| {
            let object = r.object(value, path, &["code", "sum_assured"])?;
            let code = r.required(object, path, "code", Reader::string);
            let sum_assured = r.optional(object, path, "sum_assured", Reader::decimal);
            Some(RiderRequest { code: code?, sum_assured: sum_assured? })
        })
    });
    Some(CoverageRequest {
        product: product?,
        sum_assured: sum_assured?,
        annuity_amount: annuity_amount?,
        coverage_term: coverage_term?,
        payment_term: payment_term?,
        frequency: frequency?,
        plan: plan?,
        payout_start_age: payout_start_age?,
        guaranteed_years: guaranteed_years?,
        riders: riders?,
    })
}

/// `{"kind": "direct"}` or `{"kind": "agent", "agent_code": "A123"}`.
pub fn read_channel(r: &mut Reader, value: &Json, path: &str) -> Option<Channel> {
    let object = r.object(value, path, &["kind", "agent_code"])?;
    let kind = r.required(object, path, "kind", |r, v, p| r.one_of(v, p, &[("direct", false), ("agent", true)]))?;
    if kind {
        r.required(object, path, "agent_code", Reader::string).map(|agent_code| Channel::Agent { agent_code })
    } else if object.contains_key("agent_code") {
        let message = "unknown field `agent_code`: direct sales have no agent".to_owned();
        r.error(join(path, "agent_code"), ErrorKind::Syntax { message });
        None
    } else {
        Some(Channel::Direct)
    }
}

/// [`from_json`] on JSON text; a syntax error names its line and column.
pub fn from_json_str(text: &str) -> Result<QuoteRequest, crate::error::Errors> {
    let value = crate::wire::json::parse(text).map_err(|e| {
        crate::error::Errors::one(
            format!("request line {}, column {}", e.line, e.column),
            crate::error::ErrorKind::Syntax { message: e.to_string() },
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
            "insured": { "sex": "x", "smoker": "no", "occupation_class": 1, "social_insurance": true },
            "coverages": [
                { "product": "CI", "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "weekly" },
                { "product": "MED", "coverage_term": "forever", "payment_term": "years:1", "frequency": "annual" }
            ],
            "channel": { "kind": "agent" },
            "colour": "blue"
        }"#;
        let errors = from_json_str(text).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let expected = [
            "colour",
            "quote_date",
            "insured.sex",
            "insured.smoker",
            "coverages[0].frequency",
            "coverages[1].coverage_term",
            "channel.agent_code",
        ];
        assert_eq!(fields, expected, "every broken field, not only the first of each section");
    }

    #[test]
    fn a_good_request_reads_the_same_as_serde() {
        let text = r#"{"quote_date":"2026-11-25","insured":{"age":30,"sex":"male","smoker":false,
            "occupation_class":1,"social_insurance":true},"coverages":[],"channel":{"kind":"direct"}}"#;
        assert_eq!(from_json_str(text).unwrap(), serde_json::from_str::<QuoteRequest>(text).unwrap());
    }
}
