//! The application as a person fills it in and the page sends it (`ApplicationForm`), and its strict
//! reader: every broken field named with its path (`insured.resident_id`,
//! `beneficiaries.people[1].share`), unknown fields refused, like [`crate::request::from_json`].
//!
//! Everything is kept as typed (names, numbers, addresses): [`super::check`] writes each the one way it
//! is stored and names what is wrong with the value the person typed. The resident ID numbers are
//! here, and only here: `Debug` never prints them, and [`super::check`] hands them to the server apart
//! from what it stores (see [`super::Identities`]).

use std::fmt;

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalogue::sale::Relationship;
use crate::error::{ErrorKind, Errors};
use crate::wire::json::Json;
use crate::wire::reader::{Reader, join};

/// An application (投保单) as filled in. Serialized by serde (the page builds it), read by
/// [`from_json`]; `tests` hold the two together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationForm {
    /// The policyholder (投保人), who signs and pays.
    pub policyholder: PersonForm,
    /// The insured (被保险人) and how they are related to the policyholder.
    pub insured: InsuredForm,
    /// Who receives a benefit paid on the insured's death; absent when nothing pays on death.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiaries: Option<BeneficiariesForm>,
    /// The documents shown and confirmed, each by id and hash, with when.
    pub confirmations: Vec<Confirmation>,
}

/// A person as typed.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct PersonForm {
    pub name: String,
    /// 居民身份证号码, as typed: checked, then only its birth date and sex and the server's keyed hash
    /// are kept.
    pub resident_id: String,
    /// Required of the policyholder: where the insurer reaches them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    /// Required of the policyholder: where the insurer writes to them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressForm>,
}

/// An address as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressForm {
    /// Six-digit region code (GB/T 2260) of the county, city or province.
    pub region: String,
    /// Street, building and flat.
    pub detail: String,
}

/// The insured: the policyholder themselves (`relationship: "self"`, nothing else), or a relation with
/// their own name and ID number.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct InsuredForm {
    /// The insured is the policyholder's …
    pub relationship: Relationship,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resident_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressForm>,
    /// An adult insured's consent to cover paying on their death and its sum assured (Insurance Law
    /// art. 34): required when the policy pays on death and the insured is someone else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_to_death_benefit: Option<bool>,
}

/// Death beneficiaries: the insured's heirs by law (法定), or named people with shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BeneficiariesForm {
    Statutory,
    Named { people: Vec<BeneficiaryForm> },
}

/// A named beneficiary as typed.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct BeneficiaryForm {
    pub name: String,
    pub resident_id: String,
    /// The beneficiary is the insured's …
    pub relationship: Relationship,
    /// 受益顺序: order 2 receives only if no beneficiary of order 1 survives the insured.
    pub order: u32,
    /// 受益份额 within the order, in per cent ("50", "33.34"); each order's shares add up to 100.
    pub share: Decimal,
}

/// A document shown and confirmed: which (id), which version exactly (the SHA-256 of the text shown)
/// and when, as the person's device saw it (the server records its own time of receipt beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    pub document: String,
    pub sha256: String,
    pub confirmed_at: DateTime<FixedOffset>,
}

/// The number masked: `Debug` output ends up in logs.
struct Masked<'a>(&'a str);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} characters, not shown>", self.0.chars().count())
    }
}

impl fmt::Debug for PersonForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PersonForm")
            .field("name", &self.name)
            .field("resident_id", &Masked(&self.resident_id))
            .field("mobile", &self.mobile)
            .field("address", &self.address)
            .finish()
    }
}

impl fmt::Debug for InsuredForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InsuredForm")
            .field("relationship", &self.relationship)
            .field("name", &self.name)
            .field("resident_id", &self.resident_id.as_deref().map(Masked))
            .field("mobile", &self.mobile)
            .field("address", &self.address)
            .field("consent_to_death_benefit", &self.consent_to_death_benefit)
            .finish()
    }
}

impl fmt::Debug for BeneficiaryForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BeneficiaryForm")
            .field("name", &self.name)
            .field("resident_id", &Masked(&self.resident_id))
            .field("relationship", &self.relationship)
            .field("order", &self.order)
            .field("share", &self.share)
            .finish()
    }
}

/// Read an application from a JSON tree, reporting a structural error (wrong type, unknown or missing
/// field) for **every** field that has one. The rules follow in [`super::check`].
pub fn from_json(value: &Json) -> Result<ApplicationForm, Errors> {
    let mut r = Reader::new();
    let form = read_form(&mut r, value, "");
    r.finish(form)
}

/// [`from_json`] on JSON text; a syntax error names its line and column.
pub fn from_json_str(text: &str) -> Result<ApplicationForm, Errors> {
    let value = crate::wire::json::parse(text).map_err(|e| {
        Errors::one(
            format!("application line {}, column {}", e.line, e.column),
            ErrorKind::Syntax { message: e.to_string() },
        )
    })?;
    from_json(&value)
}

fn read_form(r: &mut Reader, value: &Json, path: &str) -> Option<ApplicationForm> {
    let object = r.object(value, path, &["policyholder", "insured", "beneficiaries", "confirmations"])?;
    let policyholder = r.required(object, path, "policyholder", read_person);
    let insured = r.required(object, path, "insured", read_insured);
    let beneficiaries = r.optional(object, path, "beneficiaries", read_beneficiaries);
    let confirmations = r.required(object, path, "confirmations", |r, v, p| r.list(v, p, read_confirmation));
    Some(ApplicationForm {
        policyholder: policyholder?,
        insured: insured?,
        beneficiaries: beneficiaries?,
        confirmations: confirmations?,
    })
}

fn read_person(r: &mut Reader, value: &Json, path: &str) -> Option<PersonForm> {
    let object = r.object(value, path, &["name", "resident_id", "mobile", "address"])?;
    let name = r.required(object, path, "name", Reader::string);
    let resident_id = r.required(object, path, "resident_id", Reader::string);
    let mobile = r.optional(object, path, "mobile", Reader::string);
    let address = r.optional(object, path, "address", read_address);
    Some(PersonForm { name: name?, resident_id: resident_id?, mobile: mobile?, address: address? })
}

fn read_address(r: &mut Reader, value: &Json, path: &str) -> Option<AddressForm> {
    let object = r.object(value, path, &["region", "detail"])?;
    let region = r.required(object, path, "region", Reader::string);
    let detail = r.required(object, path, "detail", Reader::string);
    Some(AddressForm { region: region?, detail: detail? })
}

const INSURED_FIELDS: &[&str] =
    &["relationship", "name", "resident_id", "mobile", "address", "consent_to_death_benefit"];

fn read_insured(r: &mut Reader, value: &Json, path: &str) -> Option<InsuredForm> {
    let object = r.object(value, path, INSURED_FIELDS)?;
    let relationship = r.required(object, path, "relationship", read_relationship);
    let name = r.optional(object, path, "name", Reader::string);
    let resident_id = r.optional(object, path, "resident_id", Reader::string);
    let mobile = r.optional(object, path, "mobile", Reader::string);
    let address = r.optional(object, path, "address", read_address);
    let consent_to_death_benefit = r.optional(object, path, "consent_to_death_benefit", Reader::bool);
    Some(InsuredForm {
        relationship: relationship?,
        name: name?,
        resident_id: resident_id?,
        mobile: mobile?,
        address: address?,
        consent_to_death_benefit: consent_to_death_benefit?,
    })
}

pub(super) fn read_relationship(r: &mut Reader, value: &Json, path: &str) -> Option<Relationship> {
    let names = Relationship::ALL.map(|x| (x.name(), x));
    r.one_of(value, path, &names)
}

fn read_beneficiaries(r: &mut Reader, value: &Json, path: &str) -> Option<BeneficiariesForm> {
    let object = r.object(value, path, &["kind", "people"])?;
    let named = r.required(object, path, "kind", |r, v, p| r.one_of(v, p, &[("statutory", false), ("named", true)]))?;
    if named {
        let people = r.required(object, path, "people", |r, v, p| r.list(v, p, read_beneficiary))?;
        Some(BeneficiariesForm::Named { people })
    } else if object.contains_key("people") {
        let message = "unknown field `people`: statutory beneficiaries are the heirs by law, not named".to_owned();
        r.error(join(path, "people"), ErrorKind::Syntax { message });
        None
    } else {
        Some(BeneficiariesForm::Statutory)
    }
}

fn read_beneficiary(r: &mut Reader, value: &Json, path: &str) -> Option<BeneficiaryForm> {
    let object = r.object(value, path, &["name", "resident_id", "relationship", "order", "share"])?;
    let name = r.required(object, path, "name", Reader::string);
    let resident_id = r.required(object, path, "resident_id", Reader::string);
    let relationship = r.required(object, path, "relationship", read_relationship);
    let order = r.required(object, path, "order", Reader::whole);
    let share = r.required(object, path, "share", Reader::decimal);
    Some(BeneficiaryForm {
        name: name?,
        resident_id: resident_id?,
        relationship: relationship?,
        order: order?,
        share: share?,
    })
}

fn read_confirmation(r: &mut Reader, value: &Json, path: &str) -> Option<Confirmation> {
    let object = r.object(value, path, &["document", "sha256", "confirmed_at"])?;
    let document = r.required(object, path, "document", Reader::string);
    let sha256 = r.required(object, path, "sha256", Reader::string);
    let confirmed_at = r.required(object, path, "confirmed_at", read_time);
    Some(Confirmation { document: document?, sha256: sha256?, confirmed_at: confirmed_at? })
}

/// A moment written RFC 3339 with its offset (`2026-11-25T10:15:00+08:00`): when on whose clock.
fn read_time(r: &mut Reader, value: &Json, path: &str) -> Option<DateTime<FixedOffset>> {
    let parsed = value.as_str().and_then(|text| DateTime::parse_from_rfc3339(text).ok());
    if parsed.is_none() {
        let message = "expected a time written like 2026-11-25T10:15:00+08:00 (RFC 3339, with its offset)";
        r.error(path, ErrorKind::Syntax { message: message.to_owned() });
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = r#"{
        "policyholder": { "name": "王建国", "resident_id": "110105198001010011", "mobile": "138 0013 8000",
                          "address": { "region": "310104", "detail": "漕溪北路 88 号 3 楼" } },
        "insured": { "relationship": "child", "name": "王小明", "resident_id": "310104201503070014" },
        "beneficiaries": { "kind": "named", "people": [
            { "name": "李丽", "resident_id": "11010519820202002X", "relationship": "parent", "order": 1, "share": "100" } ] },
        "confirmations": [
            { "document": "NOTICE", "sha256": "00", "confirmed_at": "2026-11-25T10:15:00+08:00" } ]
    }"#;

    #[test]
    fn what_serde_writes_the_reader_reads() {
        let form = from_json_str(FORM).unwrap();
        let written = serde_json::to_string(&form).unwrap();
        assert_eq!(from_json_str(&written).unwrap(), form);
        let statutory = ApplicationForm { beneficiaries: Some(BeneficiariesForm::Statutory), ..form };
        assert_eq!(from_json_str(&serde_json::to_string(&statutory).unwrap()).unwrap(), statutory);
    }

    #[test]
    fn every_broken_field_is_named() {
        let text = r#"{
            "policyholder": { "name": 7, "mobile": "1", "address": { "region": "310104" }, "age": 40 },
            "insured": { "relationship": "cousin", "consent_to_death_benefit": "yes" },
            "beneficiaries": { "kind": "statutory", "people": [] },
            "confirmations": [ { "document": "NOTICE", "sha256": "00", "confirmed_at": "25/11/2026" } ]
        }"#;
        let errors = from_json_str(text).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "policyholder.age",
                "policyholder.name",
                "policyholder.resident_id",
                "policyholder.address.detail",
                "insured.relationship",
                "insured.consent_to_death_benefit",
                "beneficiaries.people",
                "confirmations[0].confirmed_at",
            ]
        );
    }

    #[test]
    fn debug_never_shows_an_id_number() {
        let form = from_json_str(FORM).unwrap();
        let shown = format!("{form:?}");
        for number in ["110105198001010011", "310104201503070014", "11010519820202002X"] {
            assert!(!shown.contains(number), "{shown}");
        }
        assert!(shown.contains("not shown"));
    }
}
