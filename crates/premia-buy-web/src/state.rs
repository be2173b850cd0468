//! Buying as data and a pure reducer (yew's `function_todomvc` layout): the details as typed, the
//! documents shown and confirmed, the server's answers read. Tested natively with `cargo test`; the
//! effects (fetches, storage, events) are in `app.rs` and `browser.rs`.
//!
//! **Architecture Invariant:** every rule a field is held to is the core's (`premia_core::purchase`):
//! the page writes the application as JSON exactly as it will be sent and reads it back with the core's
//! reader and checker, the server's own code, so the page and the server name the same fields with the
//! same words. Nothing here decides a price or an amount to pay: those are the quote's and the server's.
//!
//! **Architecture Invariant:** no resident ID number is in [`Kept`], the part kept in the tab's
//! `sessionStorage` across a reload: the numbers are typed again.

use std::rc::Rc;

use premia_core::catalogue::sale::Relationship;
use premia_core::error::Error;
use premia_core::purchase::{check, consent, form};
use premia_core::{Catalogue, Lang, Quote, Text};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use yew::Reducible;

/// Where the person is in buying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Policyholder, insured, beneficiaries.
    #[default]
    Details,
    /// The documents, each shown and confirmed.
    Documents,
    /// The application is on its way to the server.
    Sending,
    /// Submitted: paying, then the policy (what the server says of the purchase).
    Purchase,
}

impl Step {
    /// The step's name, as the page's `data-step` shows it (never `Debug`: the browser build compiles it out).
    pub fn name(self) -> &'static str {
        match self {
            Step::Details => "details",
            Step::Documents => "documents",
            Step::Sending => "sending",
            Step::Purchase => "purchase",
        }
    }
}

/// A named beneficiary as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonFields {
    pub name: String,
    /// Never kept (see the module's invariant).
    #[serde(skip)]
    pub resident_id: String,
    pub relationship: String,
    pub order: String,
    pub share: String,
}

/// The details as typed: every field text as the person left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Details {
    pub holder_name: String,
    /// The policyholder's number, when the insured is someone else; never kept.
    #[serde(skip)]
    pub holder_id: String,
    pub mobile: String,
    pub region: String,
    pub address: String,
    /// The insured is the policyholder's … (a [`Relationship`] name).
    pub relationship: String,
    pub insured_name: String,
    pub insured_consent: bool,
    /// Named beneficiaries (else the heirs by law).
    pub named: bool,
    pub people: Vec<PersonFields>,
}

impl Default for Details {
    fn default() -> Self {
        Details {
            holder_name: String::new(),
            holder_id: String::new(),
            mobile: String::new(),
            address: String::new(),
            region: String::new(),
            relationship: Relationship::Oneself.name().to_owned(),
            insured_name: String::new(),
            insured_consent: false,
            named: false,
            people: Vec::new(),
        }
    }
}

/// One text field of the details, as the inputs name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    HolderName,
    HolderId,
    Mobile,
    Region,
    Address,
    Relationship,
    InsuredName,
    PersonName(usize),
    PersonId(usize),
    PersonRelationship(usize),
    PersonOrder(usize),
    PersonShare(usize),
}

impl Field {
    /// The application's field this input fills in: the path the core's errors name.
    pub fn path(&self) -> String {
        let person = |i: &usize, name: &str| format!("beneficiaries.people[{i}].{name}");
        match self {
            Field::HolderName => "policyholder.name".into(),
            Field::HolderId => "policyholder.resident_id".into(),
            Field::Mobile => "policyholder.mobile".into(),
            Field::Region => "policyholder.address.region".into(),
            Field::Address => "policyholder.address.detail".into(),
            Field::Relationship => "insured.relationship".into(),
            Field::InsuredName => "insured.name".into(),
            Field::PersonName(i) => person(i, "name"),
            Field::PersonId(i) => person(i, "resident_id"),
            Field::PersonRelationship(i) => person(i, "relationship"),
            Field::PersonOrder(i) => person(i, "order"),
            Field::PersonShare(i) => person(i, "share"),
        }
    }

    fn slot<'d>(&self, details: &'d mut Details) -> Option<&'d mut String> {
        let person = |details: &'d mut Details, i: usize| details.people.get_mut(i);
        Some(match self {
            Field::HolderName => &mut details.holder_name,
            Field::HolderId => &mut details.holder_id,
            Field::Mobile => &mut details.mobile,
            Field::Region => &mut details.region,
            Field::Address => &mut details.address,
            Field::Relationship => &mut details.relationship,
            Field::InsuredName => &mut details.insured_name,
            Field::PersonName(i) => &mut person(details, *i)?.name,
            Field::PersonId(i) => &mut person(details, *i)?.resident_id,
            Field::PersonRelationship(i) => &mut person(details, *i)?.relationship,
            Field::PersonOrder(i) => &mut person(details, *i)?.order,
            Field::PersonShare(i) => &mut person(details, *i)?.share,
        })
    }
}

/// A document to show and confirm: the catalogue's entry, its text once fetched (and its hash checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub id: String,
    pub title: Text,
    pub kind: Text,
    pub version: String,
    pub sha256: String,
    pub text: Option<Result<String, Text>>,
    /// When the person confirmed it (RFC 3339, their device's clock).
    pub confirmed_at: Option<String>,
}

/// An error the server or the core gave, by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: Text,
}

impl From<&Error> for Problem {
    fn from(error: &Error) -> Problem {
        Problem { field: error.field.clone(), message: error.message() }
    }
}

/// What the server says of the purchase (`GET /api/purchases/{token}`), and the order and policy shown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Purchase {
    pub token: String,
    /// The application's number.
    pub application: String,
    /// accepted / referred / submitted / under_review / paid / issued / cancelled / declined / postponed.
    pub status: String,
    pub payable: bool,
    pub first_premium: Option<String>,
    /// The last order the server made (`POST …/payment`), with its `action`.
    pub order: Option<Value>,
    /// The policy (`GET …/policy`: `{status, policy, signed}`) once issued.
    pub policy: Option<Value>,
    /// The status page of the application (the 201's `status_url`), when there is one.
    pub status_url: Option<String>,
}

impl Purchase {
    /// Nothing more will change by itself (cancelling is the person's act).
    pub fn is_settled(&self) -> bool {
        matches!(self.status.as_str(), "issued" | "cancelled" | "declined" | "postponed")
    }

    /// The purchase status JSON, read into this purchase.
    pub fn read(&mut self, json: &Value) {
        let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_owned);
        if let Some(status) = text("status") {
            self.status = status;
        }
        self.application = text("application").unwrap_or_else(|| self.application.clone());
        self.payable = json.get("payable").and_then(Value::as_bool).unwrap_or(false);
        self.first_premium = text("first_premium");
        // The open order (placed, not expired), if the server lists one: shown again after a reload.
        if self.order.is_none() {
            let open = json.get("orders").and_then(Value::as_array).and_then(|orders| {
                orders.iter().rev().find(|o| o.get("state").and_then(Value::as_str) == Some("open")).cloned()
            });
            self.order = open.filter(|o| o.get("action").is_some_and(|a| !a.is_null()));
        }
    }
}

/// The part of the state kept across a reload in this tab: never an ID number.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Kept {
    pub details: Details,
    pub step: Step,
    /// The documents confirmed: (id, sha256, confirmed_at).
    pub confirmed: Vec<(String, String, String)>,
    pub token: Option<String>,
    pub status_url: Option<String>,
    /// The quote's digest the details were typed for: kept details are for that quote only.
    pub quote: Option<String>,
}

/// The handoff from the quote app: the application as it would have submitted it.
#[derive(Debug, Clone, PartialEq)]
pub struct Handoff {
    /// `{"quote": …, "resident_id": …}`, the quote app's exact bytes.
    pub body: String,
    pub quote: Rc<Quote>,
    /// The insured's number (the quote was priced on it).
    pub insured_id: String,
}

impl Handoff {
    /// Read the quote app's `premia-buy` detail (JSON text).
    pub fn read(body: &str) -> Option<Handoff> {
        let value: Value = serde_json::from_str(body).ok()?;
        let quote: Quote = serde_json::from_value(value.get("quote")?.clone()).ok()?;
        let insured_id = value.get("resident_id")?.as_str()?.to_owned();
        Some(Handoff { body: body.trim().to_owned(), quote: Rc::new(quote), insured_id })
    }

    /// The submission: the quote app's body with the application added (the quote's bytes untouched).
    pub fn with_application(&self, application: &str) -> String {
        let open = self.body.strip_suffix('}').unwrap_or(&self.body);
        format!("{open},\"application\":{application}}}")
    }
}

#[derive(Debug, Clone)]
pub struct State {
    pub catalogue: Rc<Catalogue>,
    pub handoff: Option<Handoff>,
    pub lang: Lang,
    pub step: Step,
    pub details: Details,
    pub documents: Vec<Shown>,
    /// Show each field's errors (after the person first tries to go on).
    pub tried: bool,
    /// The server's refusal of the submission or of a payment, by field.
    pub refused: Vec<Problem>,
    pub purchase: Option<Purchase>,
    /// The payment method chosen.
    pub method: String,
    pub busy: bool,
    pub revision: u64,
    /// Where the quote app posts applications: links to the server's pages are on its origin.
    pub endpoint: String,
}

#[derive(Debug)]
pub enum Action {
    Edit(Field, String),
    SetRelationship(String),
    Consent(bool),
    Named(bool),
    AddPerson,
    RemovePerson(usize),
    Next,
    Back,
    Loaded {
        sha256: String,
        text: Result<String, Text>,
    },
    Confirm {
        sha256: String,
        at: Option<String>,
    },
    Sending,
    Refused(Vec<Problem>),
    Created {
        token: String,
        status_url: Option<String>,
        application: String,
    },
    Read(Value),
    Method(String),
    Ordering,
    Ordered(Value),
    /// A payment or a cancellation refused (or, empty, accepted: the purchase read shows what follows).
    PayRefused(Vec<Problem>),
    Policy(Value),
    Lang(Lang),
}

impl State {
    pub fn new(catalogue: Rc<Catalogue>, handoff: Option<Handoff>, lang: Lang, kept: Option<Kept>) -> State {
        let mut state = State {
            documents: Vec::new(),
            catalogue,
            handoff,
            lang,
            step: Step::Details,
            details: Details::default(),
            tried: false,
            refused: Vec::new(),
            purchase: None,
            method: "wechat_native".into(),
            busy: false,
            revision: 0,
            endpoint: String::new(),
        };
        state.documents = state.required();
        let digest = state.handoff.as_ref().map(|h| h.quote.digest.clone());
        if let Some(kept) = kept {
            // A purchase submitted in this tab is followed again after a reload (no handoff then), or when
            // the same quote is bought again; a new quote starts a new application.
            let resumed = kept.token.clone().filter(|_| state.handoff.is_none() || kept.quote == digest);
            if let Some(token) = resumed {
                state.step = Step::Purchase;
                state.purchase = Some(Purchase { token, status_url: kept.status_url, ..Purchase::default() });
                state.details = kept.details;
            } else if kept.quote.is_some() && kept.quote == digest {
                state.details = kept.details;
                state.step = if kept.step == Step::Documents { Step::Documents } else { Step::Details };
                for (id, sha256, at) in kept.confirmed {
                    if let Some(shown) = state.documents.iter_mut().find(|d| d.id == id && d.sha256 == sha256) {
                        shown.confirmed_at = Some(at);
                    }
                }
            } else {
                // Details typed for another quote: the names and contacts still hold.
                state.details = kept.details;
            }
        }
        state
    }

    /// The documents the quote's products require, from the catalogue (texts fetched by hash).
    fn required(&self) -> Vec<Shown> {
        let Some(handoff) = &self.handoff else { return Vec::new() };
        consent::required(&self.catalogue, &handoff.quote)
            .map(|documents| {
                documents
                    .into_iter()
                    .map(|d| Shown {
                        id: d.id.clone(),
                        title: d.title.clone(),
                        kind: d.kind.label(),
                        version: d.version.clone(),
                        sha256: d.sha256.clone(),
                        text: d.text.as_deref().map(|t| Ok(t.to_owned())),
                        confirmed_at: None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What is kept for a reload.
    pub fn kept(&self) -> Kept {
        let confirmed = self
            .documents
            .iter()
            .filter_map(|d| Some((d.id.clone(), d.sha256.clone(), d.confirmed_at.clone()?)))
            .collect();
        Kept {
            details: self.details.clone(),
            step: self.step,
            confirmed,
            token: self.purchase.as_ref().map(|p| p.token.clone()),
            status_url: self.purchase.as_ref().and_then(|p| p.status_url.clone()),
            quote: self.handoff.as_ref().map(|h| h.quote.digest.clone()),
        }
    }

    /// Whether the policy pays on death (then beneficiaries and the insured's consent are asked).
    pub fn pays_on_death(&self) -> bool {
        self.handoff.as_ref().is_some_and(|h| consent::pays_on_death(&self.catalogue, &h.quote))
    }

    pub fn insures_self(&self) -> bool {
        self.details.relationship == Relationship::Oneself.name()
    }

    /// The application as it is sent: JSON, every field as typed.
    pub fn application_json(&self) -> String {
        let d = &self.details;
        let insured_id = self.handoff.as_ref().map(|h| h.insured_id.as_str()).unwrap_or_default();
        let holder_id = if self.insures_self() { insured_id } else { d.holder_id.as_str() };
        let mut insured = json!({ "relationship": d.relationship });
        if !self.insures_self() {
            insured["name"] = json!(d.insured_name);
            insured["resident_id"] = json!(insured_id);
            if self.pays_on_death() {
                insured["consent_to_death_benefit"] = json!(d.insured_consent);
            }
        }
        let confirmations: Vec<Value> = self
            .documents
            .iter()
            .filter_map(|s| {
                Some(json!({ "document": s.id, "sha256": s.sha256, "confirmed_at": s.confirmed_at.as_ref()? }))
            })
            .collect();
        let mut application = json!({
            "policyholder": { "name": d.holder_name, "resident_id": holder_id, "mobile": d.mobile,
                              "address": { "region": d.region, "detail": d.address } },
            "insured": insured,
            "confirmations": confirmations,
        });
        if self.pays_on_death() {
            application["beneficiaries"] = if d.named {
                let people: Vec<Value> = d.people.iter().map(person_json).collect();
                json!({ "kind": "named", "people": people })
            } else {
                json!({ "kind": "statutory" })
            };
        }
        application.to_string()
    }

    /// Every error of the application as typed, by the core's reader and checker (the server's), as of
    /// the quote's date (the server's today when it was priced).
    pub fn problems(&self) -> Vec<Problem> {
        let Some(handoff) = &self.handoff else { return Vec::new() };
        let errors = match form::from_json_str(&self.application_json()) {
            Err(errors) => errors.into_vec(),
            Ok(form) => match check(&self.catalogue, &handoff.quote, &form, handoff.quote.request.quote_date) {
                Ok(_) => Vec::new(),
                Err(errors) => errors.into_vec(),
            },
        };
        errors.iter().map(Problem::from).collect()
    }

    /// The errors of the step shown: the details' on the details, the confirmations' on the documents.
    pub fn step_problems(&self) -> Vec<Problem> {
        let documents = |p: &Problem| p.field.starts_with("confirmations");
        let mut problems: Vec<Problem> = self
            .problems()
            .into_iter()
            .filter(|p| if self.step == Step::Documents { documents(p) } else { !documents(p) })
            .collect();
        problems.extend(self.refused.iter().cloned());
        problems
    }
}

fn person_json(p: &PersonFields) -> Value {
    // A whole number as typed goes as a number; anything else as the text, for the reader to name.
    let order = p.order.trim().parse::<u32>().map_or_else(|_| json!(p.order), |n| json!(n));
    json!({ "name": p.name, "resident_id": p.resident_id, "relationship": p.relationship, "order": order,
            "share": p.share.trim() })
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.revision += 1;
        match action {
            Action::Edit(field, value) => {
                if let Some(slot) = field.slot(&mut next.details) {
                    *slot = value;
                }
                next.refused.retain(|p| p.field != field.path());
            }
            Action::SetRelationship(name) => next.details.relationship = name,
            Action::Consent(yes) => next.details.insured_consent = yes,
            Action::Named(named) => {
                next.details.named = named;
                if named && next.details.people.is_empty() {
                    next.details.people.push(PersonFields::new_first());
                }
            }
            Action::AddPerson => next.details.people.push(PersonFields::new_first()),
            Action::RemovePerson(i) => {
                if i < next.details.people.len() {
                    next.details.people.remove(i);
                }
            }
            Action::Next => {
                next.tried = true;
                if next.step == Step::Details && next.step_problems().is_empty() {
                    next.step = Step::Documents;
                    next.tried = false;
                }
            }
            Action::Back => {
                next.step = Step::Details;
                next.refused.clear();
            }
            Action::Loaded { sha256, text } => {
                for shown in next.documents.iter_mut().filter(|d| d.sha256 == sha256) {
                    shown.text = Some(text.clone());
                }
            }
            Action::Confirm { sha256, at } => {
                for shown in next.documents.iter_mut().filter(|d| d.sha256 == sha256) {
                    shown.confirmed_at = at.clone();
                }
            }
            Action::Sending => {
                next.tried = true;
                next.busy = true;
                next.step = Step::Sending;
            }
            Action::Refused(problems) => {
                next.busy = false;
                next.tried = true;
                // Back where the first refused field is typed.
                let documents = problems.iter().all(|p| p.field.starts_with("confirmations"));
                next.step = if documents && !problems.is_empty() { Step::Documents } else { Step::Details };
                next.refused = problems;
            }
            Action::Created { token, status_url, application } => {
                next.busy = false;
                next.refused.clear();
                next.step = Step::Purchase;
                next.purchase = Some(Purchase { token, status_url, application, ..Purchase::default() });
            }
            Action::Read(json) => {
                if let Some(purchase) = &mut next.purchase {
                    purchase.read(&json);
                }
            }
            Action::Method(method) => next.method = method,
            Action::Ordering => {
                next.busy = true;
                next.refused.clear();
            }
            Action::Ordered(order) => {
                next.busy = false;
                if let Some(purchase) = &mut next.purchase {
                    purchase.order = Some(order);
                }
            }
            Action::PayRefused(problems) => {
                next.busy = false;
                next.refused = problems;
            }
            Action::Policy(policy) => {
                if let Some(purchase) = &mut next.purchase {
                    purchase.policy = Some(policy);
                }
            }
            Action::Lang(lang) => next.lang = lang,
        }
        Rc::new(next)
    }
}

impl PersonFields {
    fn new_first() -> PersonFields {
        PersonFields { relationship: Relationship::Spouse.name().into(), order: "1".into(), ..PersonFields::default() }
    }
}

/// The server's errors (`{errors: [{code, field, message: {zh, en}}]}`), fields as the page names them
/// (the submission's `application.policyholder.name` is the page's `policyholder.name`).
pub fn server_problems(body: &str) -> Vec<Problem> {
    let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let errors = value.get("errors").and_then(Value::as_array).cloned().unwrap_or_default();
    errors
        .iter()
        .filter_map(|e| {
            let message = e.get("message")?;
            let field = e.get("field").and_then(Value::as_str).unwrap_or_default();
            Some(Problem {
                field: field.strip_prefix("application.").unwrap_or(field).to_owned(),
                message: Text::new(message.get("zh")?.as_str()?, message.get("en")?.as_str()?),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: &str = "2026-11-25";

    fn id(born: &str, sequence: u16) -> String {
        let first17 = format!("310104{born}{sequence:03}");
        format!("{first17}{}", premia_core::resident_id::check_char(first17.as_bytes()))
    }

    /// The quote app's handoff: term life priced on `number`.
    fn handoff(number: &str) -> Handoff {
        let request: premia_core::QuoteRequest = serde_json::from_value(json!({
            "quote_date": TODAY,
            "insured": { "resident_id": number, "smoker": false, "occupation_class": 1, "social_insurance": true },
            "coverages": [{ "product": "TERM", "sum_assured": "500000", "coverage_term": "years:20",
                            "payment_term": "years:20", "frequency": "annual" }],
            "channel": { "kind": "direct" },
        }))
        .unwrap();
        let quote = premia_core::quote(&premia_core::demo::catalogue(), &request).unwrap();
        let body = json!({ "quote": quote, "resident_id": number }).to_string();
        Handoff::read(&body).unwrap()
    }

    fn state(number: &str) -> Rc<State> {
        Rc::new(State::new(Rc::new(premia_core::demo::catalogue()), Some(handoff(number)), Lang::En, None))
    }

    fn fields(state: &State) -> Vec<String> {
        state.step_problems().into_iter().map(|p| p.field).collect()
    }

    fn fill(state: Rc<State>) -> Rc<State> {
        [
            (Field::HolderName, "王建国"),
            (Field::Mobile, "138 0013 8000"),
            (Field::Region, "310104"),
            (Field::Address, "漕溪北路 88 号"),
        ]
        .into_iter()
        .fold(state, |s, (field, value)| s.reduce(Action::Edit(field, value.into())))
    }

    #[test]
    fn every_empty_field_is_named_by_the_core_and_the_step_holds() {
        let state = state(&id("19800101", 11)).reduce(Action::Next);
        assert_eq!(state.step, Step::Details);
        let named = fields(&state);
        for field in ["policyholder.name", "policyholder.mobile", "policyholder.address.region"] {
            assert!(named.iter().any(|f| f == field), "{field} in {named:?}");
        }
        assert!(named.iter().all(|f| !f.starts_with("confirmations")), "{named:?}");
        let message = state.step_problems().into_iter().find(|p| p.field == "policyholder.mobile").unwrap().message;
        assert!(!message.zh.is_empty() && !message.en.is_empty() && message.zh != message.en);
    }

    #[test]
    fn filled_details_go_on_to_the_documents_and_then_only_confirmations_are_missing() {
        let state = fill(state(&id("19800101", 11))).reduce(Action::Next);
        assert_eq!(state.step, Step::Documents, "{:?}", state.step_problems());
        assert!(!state.documents.is_empty());
        assert!(fields(&state).iter().all(|f| f.starts_with("confirmations")), "{:?}", fields(&state));
        let state = state.documents.iter().fold(state.clone(), |s, d| {
            s.reduce(Action::Confirm { sha256: d.sha256.clone(), at: Some("2026-11-25T10:15:00+08:00".into()) })
        });
        assert_eq!(state.problems(), [], "every rule passes");
        let body = state.handoff.as_ref().unwrap().with_application(&state.application_json());
        let value: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["application"]["beneficiaries"]["kind"], "statutory");
        assert!(body.starts_with(state.handoff.as_ref().unwrap().body.trim_end_matches('}')), "the quote's bytes");
    }

    #[test]
    fn named_beneficiaries_shares_are_the_cores_rule() {
        let state = fill(state(&id("19800101", 11))).reduce(Action::Named(true));
        let state = state
            .reduce(Action::Edit(Field::PersonName(0), "李丽".into()))
            .reduce(Action::Edit(Field::PersonId(0), id("19820202", 22)))
            .reduce(Action::Edit(Field::PersonShare(0), "60".into()))
            .reduce(Action::Next);
        assert_eq!(state.step, Step::Details);
        assert!(fields(&state).iter().any(|f| f.starts_with("beneficiaries")), "{:?}", fields(&state));
        let state = state.reduce(Action::Edit(Field::PersonShare(0), "abc".into()));
        assert!(fields(&state).contains(&"beneficiaries.people[0].share".to_owned()), "{:?}", fields(&state));
        let state = state.reduce(Action::Edit(Field::PersonShare(0), "100".into())).reduce(Action::Next);
        assert_eq!(state.step, Step::Documents, "{:?}", fields(&state));
    }

    #[test]
    fn nothing_kept_carries_an_id_number() {
        let number = id("19800101", 11);
        let state = fill(state(&number))
            .reduce(Action::SetRelationship("child".into()))
            .reduce(Action::Edit(Field::HolderId, id("19500101", 13)))
            .reduce(Action::Named(true))
            .reduce(Action::Edit(Field::PersonId(0), id("19820202", 22)));
        let kept = serde_json::to_string(&state.kept()).unwrap();
        for n in [number, id("19500101", 13), id("19820202", 22)] {
            assert!(!kept.contains(&n), "{kept}");
        }
        let back: Kept = serde_json::from_str(&kept).unwrap();
        let restored = State::new(state.catalogue.clone(), state.handoff.clone(), Lang::En, Some(back));
        assert_eq!(restored.details.holder_name, "王建国");
        assert_eq!(restored.details.relationship, "child");
        assert_eq!(restored.details.people.len(), 1);
    }

    #[test]
    fn a_submitted_purchase_is_followed_after_a_reload_and_a_new_quote_starts_afresh() {
        let number = id("19800101", 11);
        let submitted = fill(state(&number)).reduce(Action::Created {
            token: "tok".into(),
            status_url: None,
            application: "PA1".into(),
        });
        let kept = submitted.kept();
        let catalogue = submitted.catalogue.clone();
        // A reload: no handoff, the purchase followed.
        let reloaded = State::new(catalogue.clone(), None, Lang::En, Some(kept.clone()));
        assert_eq!((reloaded.step, reloaded.purchase.map(|p| p.token)), (Step::Purchase, Some("tok".into())));
        // Another quote bought: a new application, the names kept.
        let other = handoff(&id("19850505", 13));
        let fresh = State::new(catalogue, Some(other), Lang::En, Some(kept));
        assert_eq!((fresh.step, fresh.purchase.is_none()), (Step::Details, true));
        assert_eq!(fresh.details.holder_name, "王建国");
    }

    #[test]
    fn the_servers_refusals_are_read_by_the_pages_field_names() {
        let body = r#"{"errors":[{"code":"purchase.mobile","field":"application.policyholder.mobile","message":{"zh":"手机","en":"mobile"}}]}"#;
        let problems = server_problems(body);
        assert_eq!(problems[0].field, "policyholder.mobile");
        let state = state(&id("19800101", 11)).reduce(Action::Refused(problems));
        assert_eq!(state.step, Step::Details);
        assert!(fields(&state).contains(&"policyholder.mobile".to_owned()));
    }

    #[test]
    fn the_purchase_is_followed_to_the_policy() {
        let state = state(&id("19800101", 11)).reduce(Action::Created {
            token: "t".into(),
            status_url: None,
            application: "PA1".into(),
        });
        let state = state.reduce(Action::Read(json!({ "status": "accepted", "payable": true, "first_premium": "1.00",
            "orders": [{ "order": "PRM1", "state": "open", "action": { "kind": "qr_code", "content": "weixin://x" } }] })));
        let purchase = state.purchase.as_ref().unwrap();
        assert!(purchase.payable && !purchase.is_settled());
        assert_eq!(purchase.order.as_ref().unwrap()["order"], "PRM1", "the open order shown again");
        let state = state.reduce(Action::Read(json!({ "status": "issued", "payable": false })));
        assert!(state.purchase.as_ref().unwrap().is_settled());
    }
}
