//! The application (投保单) as checked: what is stored ([`Application`]: names, birth dates and sexes,
//! contacts, relationships, beneficiaries' shares, the confirmations), and apart from it the resident
//! ID numbers ([`Identities`]), which the server keys (HMAC under its secret) and drops.
//!
//! [`check`] holds a filled-in form to every rule at once — each person's name, number, mobile and
//! address; who may insure whom (catalogue data); the insured's birth date and sex against what the
//! quote priced, so the quote's underwriting (the minors' death-benefit caps among it) is the insured's;
//! the beneficiaries; the documents confirmed — and returns every error, each naming its field.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::consent;
use super::form::{AddressForm, ApplicationForm, InsuredForm, PersonForm};
use super::person::{self, Address, older_by};
use super::{Rule, beneficiary};
use crate::age::age_last_birthday;
use crate::catalogue::Catalogue;
use crate::catalogue::sale::{ApplicationRules, Relationship};
use crate::error::{Error, ErrorKind, Errors};
use crate::identity::resident_id::{self, ResidentId};
use crate::pricing::quote::Quote;
use crate::request::Sex;

pub use super::beneficiary::{Beneficiaries, Beneficiary};
pub use super::form::Confirmation;

/// Adults consent for themselves (Civil Code art. 17); below, a parent acts for them.
pub const ADULT_AGE: u32 = 18;

/// An application as stored: nothing in it is, or gives back, a resident ID number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub policyholder: Party,
    pub insured: InsuredParty,
    /// `None` when nothing in the policy pays on death.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beneficiaries: Option<Beneficiaries>,
    pub confirmations: Vec<Confirmation>,
}

impl Application {
    /// The insured person: the policyholder when they insure themselves.
    pub fn insured_person(&self) -> &Party {
        self.insured.person.as_ref().unwrap_or(&self.policyholder)
    }
}

/// A person as stored: the birth date and sex their ID number gives, not the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    /// Eleven digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsuredParty {
    /// The insured is the policyholder's …
    pub relationship: Relationship,
    /// `None` when the insured is the policyholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Party>,
    /// The adult insured consented to cover paying on their death (always false where not asked).
    pub consent_to_death_benefit: bool,
}

/// The resident ID numbers of an application, normalized: for the server to key and drop. Neither
/// serialized nor shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Identities {
    pub policyholder: String,
    /// `None` when the insured is the policyholder.
    pub insured: Option<String>,
    /// One per named beneficiary, in their order in the application.
    pub beneficiaries: Vec<String>,
}

impl fmt::Debug for Identities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = 1 + usize::from(self.insured.is_some()) + self.beneficiaries.len();
        write!(f, "Identities({count} numbers, not shown)")
    }
}

/// An application that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub application: Application,
    pub identities: Identities,
}

/// Check `form`, an application for `quote`, against `catalogue` as of `today` (the server's date:
/// ages are counted to it, no birth date may follow it). Every error is returned, each naming its
/// field; `quote` is assumed verified (its figures are the server's own).
pub fn check(
    catalogue: &Catalogue,
    quote: &Quote,
    form: &ApplicationForm,
    today: NaiveDate,
) -> Result<Checked, Errors> {
    let Some(rules) = &catalogue.sale.application else {
        return Err(Errors::one("", ErrorKind::Purchase(Rule::NotSellingOnline)));
    };
    let mut errors = Vec::new();
    if let Err(found) = consent::check(catalogue, quote, &form.confirmations) {
        errors.extend(found.into_vec());
    }
    let pays_on_death = consent::pays_on_death(catalogue, quote);
    let policyholder = person(Typed::from(&form.policyholder), "policyholder", true, today, &mut errors);
    let insured = insured(&form.insured, today, &mut errors);
    let mut parties = None;
    if let (Some(holder), Some(insured)) = (&policyholder, &insured) {
        let insured_id = insured.id.as_ref().unwrap_or(&holder.id);
        let ages = Ages::new(&holder.id, insured_id, today);
        parties = relationship(rules, &form.insured, &holder.id, insured_id, ages, pays_on_death, &mut errors);
        matches_quote(quote, insured_id, insured.id_field(), &mut errors);
        in_priced_region(catalogue, quote, &form.policyholder, &form.insured, &mut errors);
    }
    let beneficiaries = match (&policyholder, &insured) {
        (Some(holder), Some(insured)) => beneficiary::check(
            form.beneficiaries.as_ref(),
            pays_on_death,
            rules,
            beneficiary::Around {
                insured: insured.id.as_ref().unwrap_or(&holder.id),
                policyholder: &holder.id,
                relationship: form.insured.relationship,
            },
            today,
            &mut errors,
        ),
        _ => None,
    };
    if let Some(errors) = Errors::from_vec(errors) {
        return Err(errors);
    }
    // Every part is present when no error was recorded: each `None` above comes with its error.
    let (Some(holder), Some(insured), Some(consent), Some((beneficiaries, beneficiary_ids))) =
        (policyholder, insured, parties, beneficiaries)
    else {
        return Err(Errors::one("", ErrorKind::Required));
    };
    Ok(Checked {
        application: Application {
            policyholder: holder.party,
            insured: InsuredParty {
                relationship: form.insured.relationship,
                person: insured.party,
                consent_to_death_benefit: consent,
            },
            beneficiaries,
            confirmations: form.confirmations.clone(),
        },
        identities: Identities {
            policyholder: holder.id.number,
            insured: insured.id.map(|id| id.number),
            beneficiaries: beneficiary_ids,
        },
    })
}

/// A person read: as stored, and their checked number.
struct Person {
    party: Party,
    id: ResidentId,
}

/// The insured read: `None`s for the policyholder insuring themselves.
struct Insured {
    party: Option<Party>,
    id: Option<ResidentId>,
}

impl Insured {
    fn id_field(&self) -> &'static str {
        if self.id.is_some() { "insured.resident_id" } else { "policyholder.resident_id" }
    }
}

/// Each field of a person checked, every error kept; contacts required of the policyholder. The name
/// and number are options for the insured, whose form may lack them.
fn person(form: Typed<'_>, path: &str, contacts: bool, today: NaiveDate, errors: &mut Vec<Error>) -> Option<Person> {
    let field = |name: &str| format!("{path}.{name}");
    let before = errors.len();
    let required = |errors: &mut Vec<Error>, name: &str| errors.push(Error::new(field(name), ErrorKind::Required));
    let name = match form.name {
        Some(typed) => person::name(typed, &field("name")).map_err(|e| errors.push(e)).ok(),
        None => {
            required(errors, "name");
            None
        }
    };
    let id = match form.resident_id {
        Some(typed) => {
            resident_id::parse(typed, today, &field("resident_id")).map_err(|e| errors.extend(e.into_vec())).ok()
        }
        None => {
            required(errors, "resident_id");
            None
        }
    };
    let mobile = match form.mobile {
        Some(typed) => person::mobile(typed, &field("mobile")).map_err(|e| errors.push(e)).ok(),
        None if contacts => {
            required(errors, "mobile");
            None
        }
        None => None,
    };
    let address = match form.address {
        Some(typed) => address(typed, &field("address"), errors),
        None if contacts => {
            required(errors, "address");
            None
        }
        None => None,
    };
    if errors.len() != before {
        return None;
    }
    let (name, id) = (name?, id?);
    Some(Person { party: Party { name, sex: id.sex, birth_date: id.birth_date, mobile, address }, id })
}

/// A person's fields as typed, whichever form they come from.
#[derive(Clone, Copy)]
struct Typed<'f> {
    name: Option<&'f str>,
    resident_id: Option<&'f str>,
    mobile: Option<&'f str>,
    address: Option<&'f AddressForm>,
}

impl<'f> From<&'f PersonForm> for Typed<'f> {
    fn from(form: &'f PersonForm) -> Self {
        Typed {
            name: Some(&form.name),
            resident_id: Some(&form.resident_id),
            mobile: form.mobile.as_deref(),
            address: form.address.as_ref(),
        }
    }
}

impl<'f> From<&'f InsuredForm> for Typed<'f> {
    fn from(form: &'f InsuredForm) -> Self {
        Typed {
            name: form.name.as_deref(),
            resident_id: form.resident_id.as_deref(),
            mobile: form.mobile.as_deref(),
            address: form.address.as_ref(),
        }
    }
}

fn address(form: &AddressForm, path: &str, errors: &mut Vec<Error>) -> Option<Address> {
    let region = person::region(&form.region, &format!("{path}.region")).map_err(|e| errors.push(e)).ok();
    let detail = person::address_detail(&form.detail, &format!("{path}.detail")).map_err(|e| errors.push(e)).ok();
    Some(Address { region: region?, detail: detail? })
}

fn insured(form: &InsuredForm, today: NaiveDate, errors: &mut Vec<Error>) -> Option<Insured> {
    if form.relationship == Relationship::Oneself {
        let given = [
            ("name", form.name.is_some()),
            ("resident_id", form.resident_id.is_some()),
            ("mobile", form.mobile.is_some()),
            ("address", form.address.is_some()),
            ("consent_to_death_benefit", form.consent_to_death_benefit.is_some()),
        ];
        let before = errors.len();
        for (name, _) in given.iter().filter(|(_, given)| *given) {
            errors.push(Error::new(format!("insured.{name}"), ErrorKind::Purchase(Rule::SelfHasDetails)));
        }
        return (errors.len() == before).then_some(Insured { party: None, id: None });
    }
    let person = person(Typed::from(form), "insured", false, today, errors)?;
    Some(Insured { party: Some(person.party), id: Some(person.id) })
}

/// The two ages the relationship rules read, on `today`.
#[derive(Clone, Copy)]
struct Ages {
    policyholder: u32,
    insured: u32,
}

impl Ages {
    fn new(policyholder: &ResidentId, insured: &ResidentId, today: NaiveDate) -> Self {
        // Both birth dates were checked not to follow today.
        let age = |id: &ResidentId| age_last_birthday(id.birth_date, today).unwrap_or(0);
        Ages { policyholder: age(policyholder), insured: age(insured) }
    }
}

/// Who may insure whom: the policyholder's age, the catalogue's relationship rules, the parent-child
/// age gap, consent to a death benefit, and a parent for a minor's. The insured's consent, if so.
fn relationship(
    rules: &ApplicationRules,
    form: &InsuredForm,
    holder: &ResidentId,
    insured: &ResidentId,
    ages: Ages,
    pays_on_death: bool,
    errors: &mut Vec<Error>,
) -> Option<bool> {
    let before = errors.len();
    let fail = |errors: &mut Vec<Error>, field: &str, rule| errors.push(Error::new(field, ErrorKind::Purchase(rule)));
    let relationship = form.relationship;
    if ages.policyholder < rules.policyholder_min_age {
        let rule = Rule::PolicyholderTooYoung { age: ages.policyholder, min: rules.policyholder_min_age };
        fail(errors, "policyholder.resident_id", rule);
    }
    match rules.relationship(relationship) {
        None => fail(errors, "insured.relationship", Rule::RelationshipNotOffered { relationship }),
        Some(rule) if !rule.insured_ages.contains(ages.insured) && errors.len() == before => {
            let (from, to) = (rule.insured_ages.from, rule.insured_ages.to);
            fail(errors, "insured.relationship", Rule::RelationshipAges { relationship, age: ages.insured, from, to });
        }
        Some(_) => {}
    }
    if relationship != Relationship::Oneself && holder.number == insured.number {
        fail(errors, "insured.resident_id", Rule::SamePerson);
    }
    let gap = rules.parent_min_age_gap;
    let parent_and_child = match relationship {
        Relationship::Child => Some((holder, insured)),
        Relationship::Parent => Some((insured, holder)),
        _ => None,
    };
    if let Some((parent, child)) = parent_and_child.filter(|(p, c)| !older_by(p.birth_date, c.birth_date, gap)) {
        let (parent_born, child_born) = (parent.birth_date.to_string(), child.birth_date.to_string());
        fail(errors, "insured.resident_id", Rule::ParentAgeGap { parent_born, child_born, gap });
    }
    let consent = form.consent_to_death_benefit == Some(true);
    if pays_on_death && relationship != Relationship::Oneself {
        if ages.insured < ADULT_AGE && relationship != Relationship::Child {
            fail(errors, "insured.relationship", Rule::MinorNeedsParent);
        }
        if ages.insured >= ADULT_AGE && !consent {
            fail(errors, "insured.consent_to_death_benefit", Rule::ConsentRequired);
        }
    }
    (errors.len() == before).then_some(consent && pays_on_death)
}

/// The insured is the person the quote priced: the birth date and sex of their number are the quote's,
/// so its underwriting (the minors' death-benefit caps among it) and its premiums are theirs.
fn matches_quote(quote: &Quote, id: &ResidentId, field: &str, errors: &mut Vec<Error>) {
    let priced = &quote.request.insured;
    let (Some(birth_date), Some(sex)) = (priced.birth_date, priced.sex) else {
        errors.push(Error::new("quote.request.insured", ErrorKind::Purchase(Rule::QuoteLacksBirthDate)));
        return;
    };
    if birth_date != id.birth_date {
        let (given, from_id) = (birth_date.to_string(), id.birth_date.to_string());
        errors.push(Error::new(field, ErrorKind::IdContradicts { what: "birth_date", given, from_id }));
    }
    if sex != id.sex {
        let (given, from_id) = (sex.name().to_owned(), id.sex.name().to_owned());
        errors.push(Error::new(field, ErrorKind::IdContradicts { what: "sex", given, from_id }));
    }
}

/// A product priced by region (惠民保) insures residents: the insured's address, or the policyholder's
/// if the insured gives none, lies in the region the quote was priced for.
fn in_priced_region(
    catalogue: &Catalogue,
    quote: &Quote,
    holder: &PersonForm,
    insured: &InsuredForm,
    errors: &mut Vec<Error>,
) {
    let Some(region) = &quote.request.insured.region else { return };
    if !consent::priced_by_region(catalogue, quote) {
        return;
    }
    let (typed, field) = match &insured.address {
        Some(address) => (address, "insured.address.region"),
        None => match &holder.address {
            Some(address) => (address, "policyholder.address.region"),
            None => return,
        },
    };
    // A malformed code was reported with the address.
    let Ok(code) = person::region(&typed.region, field) else { return };
    if !person::within(&code, region) {
        let name = catalogue.regions.get(region).cloned().unwrap_or_else(|| crate::text::Text::new(region, region));
        errors.push(Error::new(field, ErrorKind::Purchase(Rule::AddressOutsideRegion { address: code, region: name })));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purchase::fixture::{
        self, catalogue, form_for, form_for_self, holder_id, id, quote, term_for_self, today,
    };
    use crate::purchase::form::{BeneficiariesForm, BeneficiaryForm};
    use crate::term::Frequency;
    use rust_decimal::Decimal;

    /// Every error's field and code, in order.
    fn failures(result: Result<Checked, Errors>) -> Vec<(String, &'static str)> {
        let errors = result.expect_err("the application is refused");
        for e in &errors {
            let message = e.message();
            assert!(!message.zh.is_empty() && !message.en.is_empty(), "{e}: a message in both languages");
        }
        errors.iter().map(|e| (e.field.clone(), e.code())).collect()
    }

    fn pairs(expected: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        expected.iter().map(|(f, c)| ((*f).to_owned(), *c)).collect()
    }

    #[test]
    fn the_policyholder_insuring_himself_is_stored_without_any_number() {
        let quote = term_for_self();
        let checked = check(catalogue(), &quote, &form_for_self(&quote), today()).unwrap();
        let a = &checked.application;
        assert_eq!(a.policyholder.name, "王建国");
        assert_eq!(a.policyholder.mobile.as_deref(), Some("13800138000"), "the one way a number is stored");
        assert_eq!(a.policyholder.birth_date.to_string(), "1980-01-01");
        assert_eq!(a.insured_person(), &a.policyholder);
        assert_eq!(a.beneficiaries, Some(Beneficiaries::Statutory));
        assert_eq!(checked.identities.policyholder, holder_id());
        let stored = serde_json::to_string(a).unwrap();
        assert!(!stored.contains(&holder_id()) && !stored.contains("resident_id"), "{stored}");
        assert!(!format!("{checked:?}").contains(&holder_id()), "Debug hides the numbers");
        assert_eq!(serde_json::from_str::<Application>(&stored).unwrap(), *a, "what is stored reads back");
    }

    #[test]
    fn a_parent_insures_a_minor_child_within_the_death_benefit_rules() {
        let child = id("20150307", 14);
        let quote = quote("WL", 100_000, "lifelong", "years:10", Frequency::Annual, &child);
        let mut form = form_for(&quote, Relationship::Child, "王小明", &child);
        form.insured.consent_to_death_benefit = None; // a minor is not asked
        let checked = check(catalogue(), &quote, &form, today()).unwrap();
        assert_eq!(checked.identities.insured.as_deref(), Some(child.as_str()));
        assert!(!checked.application.insured.consent_to_death_benefit);
        // A spouse may not insure a minor with cover paying on death, nor is a 10-year-old anyone's spouse.
        let form = form_for(&quote, Relationship::Spouse, "王小明", &child);
        assert_eq!(
            failures(check(catalogue(), &quote, &form, today())),
            pairs(&[
                ("insured.relationship", "relationship.ages"),
                ("insured.relationship", "insured.minor_needs_parent")
            ])
        );
    }

    #[test]
    fn who_may_insure_whom() {
        // An adult spouse must consent to cover that pays on their death.
        let wife = id("19820202", 22);
        let q = quote("TERM", 500_000, "years:20", "years:20", Frequency::Annual, &wife);
        let mut form = form_for(&q, Relationship::Spouse, "李丽", &wife);
        form.insured.consent_to_death_benefit = Some(false);
        assert_eq!(
            failures(check(catalogue(), &q, &form, today())),
            pairs(&[("insured.consent_to_death_benefit", "insured.consent")])
        );
        // A "parent" younger than the policyholder.
        let form = form_for(&q, Relationship::Parent, "李丽", &wife);
        assert_eq!(
            failures(check(catalogue(), &q, &form, today())),
            pairs(&[("insured.resident_id", "relationship.age_gap")])
        );
        // A policyholder of 17.
        let young = id("20090101", 31);
        let mut form = form_for(&q, Relationship::Spouse, "李丽", &wife);
        form.policyholder.resident_id = young;
        assert_eq!(
            failures(check(catalogue(), &q, &form, today())),
            pairs(&[("policyholder.resident_id", "policyholder.age")])
        );
        // The insured given as someone else but with the policyholder's own number.
        let own = term_for_self();
        let form = form_for(&own, Relationship::Spouse, "王建国", &holder_id());
        assert!(
            failures(check(catalogue(), &own, &form, today()))
                .contains(&("insured.resident_id".into(), "insured.same_person"))
        );
    }

    #[test]
    fn the_insured_is_the_person_the_quote_priced() {
        let quote = term_for_self();
        let other = id("19850606", 35);
        let form = form_for(&quote, Relationship::Spouse, "李丽", &other);
        let found = failures(check(catalogue(), &quote, &form, today()));
        assert_eq!(
            found,
            pairs(&[("insured.resident_id", "resident_id.contradicts")]),
            "born 1985, priced as born 1980"
        );
    }

    #[test]
    fn every_field_of_a_person_is_checked_and_named_at_once() {
        let quote = term_for_self();
        let mut form = form_for_self(&quote);
        form.policyholder.name = "Wang".into();
        form.policyholder.mobile = Some("1380013800".into());
        form.policyholder.address = Some(AddressForm { region: "999999".into(), detail: "1号".into() });
        form.insured.name = Some("王建国".into());
        let found = failures(check(catalogue(), &quote, &form, today()));
        assert_eq!(
            found,
            pairs(&[
                ("policyholder.name", "name.character"),
                ("policyholder.mobile", "mobile.length"),
                ("policyholder.address.region", "address.region"),
                ("policyholder.address.detail", "address.length"),
                ("insured.name", "insured.self_details"),
            ])
        );
        let mut form = form_for_self(&quote);
        form.policyholder.mobile = None;
        form.policyholder.address = None;
        let found = failures(check(catalogue(), &quote, &form, today()));
        assert_eq!(found, pairs(&[("policyholder.mobile", "required"), ("policyholder.address", "required")]));
    }

    #[test]
    fn an_application_without_its_confirmations_is_refused() {
        let quote = term_for_self();
        let mut form = form_for_self(&quote);
        let health = form.confirmations.pop().unwrap();
        form.confirmations[0].sha256 = "0".repeat(64);
        let found = failures(check(catalogue(), &quote, &form, today()));
        assert_eq!(
            found,
            pairs(&[("confirmations[0].sha256", "document.outdated"), ("confirmations", "document.not_confirmed")])
        );
        let mut form = form_for_self(&quote);
        form.confirmations.push(health);
        form.confirmations.push(fixture::confirmations(&quote)[0].clone());
        let found = failures(check(catalogue(), &quote, &form, today()));
        assert_eq!(
            found,
            pairs(&[
                ("confirmations[4].document", "document.duplicate"),
                ("confirmations[5].document", "document.duplicate")
            ])
        );
        let mut form = form_for_self(&quote);
        form.confirmations.clear();
        let errors = check(catalogue(), &quote, &form, today()).unwrap_err();
        assert_eq!(errors.len(), 4, "one error for each of the four documents");
        let message = errors.iter().next().unwrap().message();
        assert!(message.zh.contains("投保须知") && message.en.contains("Notice to applicants"), "{message:?}");
    }

    #[test]
    fn named_beneficiaries() {
        let quote = term_for_self();
        let person = |name: &str, number: String, relationship, order, share: i64| BeneficiaryForm {
            name: name.into(),
            resident_id: number,
            relationship,
            order,
            share: Decimal::new(share, 2),
        };
        let wife = id("19820202", 22);
        let son = id("20150307", 13);
        let mut form = form_for_self(&quote);
        form.beneficiaries = Some(BeneficiariesForm::Named {
            people: vec![
                person("李丽", wife.clone(), Relationship::Spouse, 1, 6_000),
                person("王小明", son.clone(), Relationship::Child, 1, 4_000),
            ],
        });
        let checked = check(catalogue(), &quote, &form, today()).unwrap();
        assert_eq!(checked.identities.beneficiaries, [wife.clone(), son.clone()]);
        let Some(Beneficiaries::Named { people }) = &checked.application.beneficiaries else { panic!("named") };
        assert_eq!(people[0].share.to_string(), "60.00");

        form.beneficiaries = Some(BeneficiariesForm::Named {
            people: vec![
                person("李丽", wife.clone(), Relationship::Spouse, 1, 6_000),
                person("王小明", son.clone(), Relationship::Child, 1, 3_999),
                person("王建国", holder_id(), Relationship::Parent, 3, 10_000),
                person("李丽", wife, Relationship::Spouse, 4, 100),
            ],
        });
        let found = failures(check(catalogue(), &quote, &form, today()));
        assert_eq!(
            found,
            pairs(&[
                ("beneficiaries.people[2].resident_id", "beneficiary.is_insured"),
                ("beneficiaries.people[3].resident_id", "beneficiary.duplicate"),
                ("beneficiaries.people", "beneficiaries.order_gap"),
                ("beneficiaries.people", "beneficiaries.shares_sum"),
                ("beneficiaries.people", "beneficiaries.shares_sum"),
            ])
        );
        let messages: Vec<String> = check(catalogue(), &quote, &form, today())
            .unwrap_err()
            .iter()
            .filter(|e| e.code() == "beneficiaries.shares_sum")
            .map(|e| e.message().en.into_owned())
            .collect();
        assert!(messages[0].contains("99.99"), "{messages:?}");

        // Nothing pays on death under critical illness cover: nobody to name.
        let ci = fixture::quote("CI", 500_000, "lifelong", "years:20", Frequency::Annual, &holder_id());
        let mut form = form_for_self(&ci);
        form.beneficiaries =
            Some(BeneficiariesForm::Named { people: vec![person("王小明", son, Relationship::Child, 1, 10_000)] });
        assert_eq!(
            failures(check(catalogue(), &ci, &form, today())),
            pairs(&[("beneficiaries", "beneficiaries.not_applicable")])
        );
        form.beneficiaries = None;
        assert!(check(catalogue(), &ci, &form, today()).unwrap().application.beneficiaries.is_none());
        // Cover paying on death needs a designation, statutory or named.
        let mut form = form_for_self(&quote);
        form.beneficiaries = None;
        assert_eq!(failures(check(catalogue(), &quote, &form, today())), pairs(&[("beneficiaries", "required")]));
    }

    #[test]
    fn a_regional_product_insures_residents_of_the_region_priced() {
        let quote = quote("HMB", 3_000_000, "years:1", "years:1", Frequency::Annual, &holder_id());
        let mut form = form_for_self(&quote);
        form.beneficiaries = None;
        assert!(check(catalogue(), &quote, &form, today()).is_ok());
        form.policyholder.address =
            Some(AddressForm { region: "110105".into(), detail: "朝阳门外大街 1 号".into() });
        assert_eq!(
            failures(check(catalogue(), &quote, &form, today())),
            pairs(&[("policyholder.address.region", "address.outside_region")])
        );
    }
}
