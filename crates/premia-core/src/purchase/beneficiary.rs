//! Death beneficiaries (身故受益人): the insured's heirs by law (法定), or named people, each with a
//! relationship to the insured the catalogue allows, an order (受益顺序) and a share (受益份额) of their
//! order; each order's shares add up to exactly 100 %, and nobody is the beneficiary of their own
//! death.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Rule;
use super::form::{BeneficiariesForm, BeneficiaryForm};
use super::person::older_by;
use crate::catalogue::sale::{ApplicationRules, Relationship};
use crate::error::{Error, ErrorKind};
use crate::identity::resident_id::{self, ResidentId};
use crate::request::Sex;

/// Shares are per cent with at most two decimal places (0.01 %).
pub const SHARE_SCALE: u32 = 2;

/// Death beneficiaries as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Beneficiaries {
    /// The insured's heirs by law.
    Statutory,
    /// Named people, by order then as given.
    Named { people: Vec<Beneficiary> },
}

/// A named beneficiary as stored: the birth date and sex their number gives, not the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Beneficiary {
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    /// The beneficiary is the insured's …
    pub relationship: Relationship,
    pub order: u32,
    /// Per cent of the order's benefit, with two decimal places ("50.00").
    pub share: Decimal,
}

/// The people a beneficiary is checked against.
pub(super) struct Around<'a> {
    pub insured: &'a ResidentId,
    pub policyholder: &'a ResidentId,
    /// The insured is the policyholder's …
    pub relationship: Relationship,
}

/// The beneficiaries, and the named ones' numbers in their order; `None` after recording errors.
pub(super) fn check(
    form: Option<&BeneficiariesForm>,
    pays_on_death: bool,
    rules: &ApplicationRules,
    around: Around<'_>,
    today: NaiveDate,
    errors: &mut Vec<Error>,
) -> Option<(Option<Beneficiaries>, Vec<String>)> {
    let fail = |errors: &mut Vec<Error>, field: &str, rule| errors.push(Error::new(field, ErrorKind::Purchase(rule)));
    let people = match (form, pays_on_death) {
        (None, true) => {
            errors.push(Error::new("beneficiaries", ErrorKind::Required));
            return None;
        }
        // Nothing pays on death: a statutory designation says nothing, and is not kept.
        (None | Some(BeneficiariesForm::Statutory), false) => return Some((None, Vec::new())),
        (Some(BeneficiariesForm::Statutory), true) => return Some((Some(Beneficiaries::Statutory), Vec::new())),
        (Some(BeneficiariesForm::Named { .. }), false) => {
            fail(errors, "beneficiaries", Rule::BeneficiariesNotApplicable);
            return None;
        }
        (Some(BeneficiariesForm::Named { people }), true) => people,
    };
    let before = errors.len();
    if people.is_empty() {
        errors.push(Error::new("beneficiaries.people", ErrorKind::Empty));
        return None;
    }
    let max = rules.max_beneficiaries;
    if people.len() > max as usize {
        fail(errors, "beneficiaries.people", Rule::TooManyBeneficiaries { found: people.len(), max });
    }
    let mut named: Vec<(Beneficiary, String)> = Vec::new();
    let mut numbers: Vec<Option<String>> = Vec::new();
    for (i, person) in people.iter().enumerate() {
        let path = format!("beneficiaries.people[{i}]");
        let read = one(person, &path, rules, &around, &numbers, today, errors);
        numbers.push(read.as_ref().map(|(_, number)| number.clone()));
        named.extend(read);
    }
    orders_and_shares(people, max, errors);
    if errors.len() != before {
        return None;
    }
    let (people, numbers): (Vec<Beneficiary>, Vec<String>) = named.into_iter().unzip();
    Some((Some(Beneficiaries::Named { people }), numbers))
}

/// One named beneficiary at `path`: name, number (not the insured's, not one already named, the
/// policyholder's only with the relationship the policyholder has), relationship, order, share.
fn one(
    form: &BeneficiaryForm,
    path: &str,
    rules: &ApplicationRules,
    around: &Around<'_>,
    earlier: &[Option<String>],
    today: NaiveDate,
    errors: &mut Vec<Error>,
) -> Option<(Beneficiary, String)> {
    let before = errors.len();
    let field = |name: &str| format!("{path}.{name}");
    let fail =
        |errors: &mut Vec<Error>, name: &str, rule| errors.push(Error::new(field(name), ErrorKind::Purchase(rule)));
    let name = super::person::name(&form.name, &field("name")).map_err(|e| errors.push(e)).ok();
    let id = resident_id::parse(&form.resident_id, today, &field("resident_id"))
        .map_err(|e| errors.extend(e.into_vec()))
        .ok();
    let relationship = form.relationship;
    if relationship == Relationship::Oneself {
        fail(errors, "relationship", Rule::BeneficiaryIsInsured);
    } else if !rules.beneficiary_relationships.contains(&relationship) {
        fail(errors, "relationship", Rule::BeneficiaryRelationship { relationship });
    }
    if let Some(id) = &id {
        if id.number == around.insured.number {
            // Nothing else about this person matters: they cannot be named at all.
            fail(errors, "resident_id", Rule::BeneficiaryIsInsured);
            return None;
        }
        if earlier.iter().flatten().any(|n| *n == id.number) {
            fail(errors, "resident_id", Rule::BeneficiaryTwice);
        } else if id.number == around.policyholder.number && relationship != around.relationship.inverse() {
            let rule = Rule::BeneficiaryContradictsPolicyholder {
                given: relationship,
                expected: around.relationship.inverse(),
            };
            fail(errors, "relationship", rule);
        }
        let parent_and_child = match relationship {
            Relationship::Child => Some((around.insured.birth_date, id.birth_date)),
            Relationship::Parent => Some((id.birth_date, around.insured.birth_date)),
            _ => None,
        };
        let gap = rules.parent_min_age_gap;
        if let Some((parent, child)) = parent_and_child.filter(|(p, c)| !older_by(*p, *c, gap)) {
            let rule = Rule::ParentAgeGap { parent_born: parent.to_string(), child_born: child.to_string(), gap };
            fail(errors, "resident_id", rule);
        }
    }
    let share = form.share.normalize();
    if share <= Decimal::ZERO || share > Decimal::ONE_HUNDRED {
        fail(errors, "share", Rule::ShareRange { value: share.to_string() });
    } else if share.scale() > SHARE_SCALE {
        fail(errors, "share", Rule::SharePrecision { value: share.to_string() });
    }
    if errors.len() != before {
        return None;
    }
    let (name, id) = (name?, id?);
    let mut share = share;
    share.rescale(SHARE_SCALE);
    let (sex, birth_date, order) = (id.sex, id.birth_date, form.order);
    Some((Beneficiary { name, sex, birth_date, relationship, order, share }, id.number))
}

/// Orders run 1, 2, … without a gap, up to `max`; each order's shares add up to exactly 100 %.
fn orders_and_shares(people: &[BeneficiaryForm], max: u32, errors: &mut Vec<Error>) {
    let fail = |errors: &mut Vec<Error>, field: String, rule| errors.push(Error::new(field, ErrorKind::Purchase(rule)));
    let mut by_order: BTreeMap<u32, Decimal> = BTreeMap::new();
    for (i, person) in people.iter().enumerate() {
        if person.order == 0 || person.order > max {
            fail(errors, format!("beneficiaries.people[{i}].order"), Rule::OrderRange { order: person.order, max });
            continue;
        }
        // A share out of range was named by `one`, and left out here: the sum stays meaningful (and
        // within a `Decimal`: at most 100 per person).
        let sum = by_order.entry(person.order).or_default();
        if person.share > Decimal::ZERO && person.share <= Decimal::ONE_HUNDRED {
            *sum += person.share;
        }
    }
    let highest = by_order.keys().next_back().copied().unwrap_or(0);
    for missing in (1..highest).filter(|o| !by_order.contains_key(o)) {
        fail(errors, "beneficiaries.people".to_owned(), Rule::OrderGap { missing });
    }
    for (&order, &sum) in &by_order {
        if sum != Decimal::ONE_HUNDRED {
            fail(
                errors,
                "beneficiaries.people".to_owned(),
                Rule::SharesSum { order, sum: sum.normalize().to_string() },
            );
        }
    }
}
