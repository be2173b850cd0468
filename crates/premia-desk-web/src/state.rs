//! The desk page as data: what is shown, the decision form, and a pure reducer (tested natively, as in
//! yew's `function_todomvc`). The server decides everything; the page keeps what it said and what the
//! underwriter is typing, and turns the form into a `DecisionInput`.

use std::collections::BTreeSet;
use std::rc::Rc;

use premia_core::desk::{ExclusionChoice, Verdict};
use premia_core::{Lang, Text};
use premia_desk::api::{CaseList, CaseView, DecisionInput, Me, ResolveInput, ReviewInput, Stats};
use rust_decimal::Decimal;
use yew::Reducible;

/// Which screen: the hash of the address (`#/`, `#/inbox`, `#/stats`, `#/case/PA…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Queue,
    Inbox,
    Stats,
    Case(String),
}

impl Screen {
    pub fn from_hash(hash: &str) -> Screen {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        match path.split_once('/') {
            Some(("case", number)) if !number.is_empty() => Screen::Case(number.to_owned()),
            _ => match path {
                "inbox" => Screen::Inbox,
                "stats" => Screen::Stats,
                _ => Screen::Queue,
            },
        }
    }

    pub fn hash(&self) -> String {
        match self {
            Screen::Queue => "#/".into(),
            Screen::Inbox => "#/inbox".into(),
            Screen::Stats => "#/stats".into(),
            Screen::Case(number) => format!("#/case/{number}"),
        }
    }
}

/// The queue's filters, as the API's query parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub status: String,
    pub product: String,
    pub second_review: String,
    pub sla: String,
    pub cursor: Option<String>,
}

/// The kinds of decision, in the order the form lists them.
pub const KINDS: [&str; 6] = ["accept", "accept_with_terms", "postpone", "decline", "medical_exam", "more_information"];

/// The decision form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionForm {
    pub kind: String,
    /// A share as the catalogue lists it ("0.50"), or empty.
    pub loading: String,
    pub exclusions: BTreeSet<String>,
    pub free_text: String,
    pub months: String,
    pub reason: String,
    pub note: String,
}

/// A message beside a field, from the page's own check or the server's typed error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: String,
    pub field: String,
    pub message: Text,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub lang: Lang,
    pub me: Option<Me>,
    pub screen: Screen,
    pub filters: Filters,
    pub queue: Option<CaseList>,
    pub case: Option<CaseView>,
    pub stats: Option<Stats>,
    pub form: DecisionForm,
    pub review_note: String,
    pub busy: bool,
    /// What the server refused last (a role, a rule, a field), shown until the next success.
    pub problems: Vec<Problem>,
    /// A success to report ("recorded").
    pub notice: Option<Text>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Lang(Lang),
    SignedIn(Me),
    Show(Screen),
    Filter { field: &'static str, value: String },
    Page(Option<String>),
    Queue(CaseList),
    Case(Box<CaseView>),
    Stats(Stats),
    Form { field: &'static str, value: String },
    ToggleExclusion(String),
    ReviewNote(String),
    Busy,
    Refused(Vec<Problem>),
    Recorded(Text),
}

impl State {
    pub fn new(lang: Lang, screen: Screen) -> State {
        State {
            lang,
            me: None,
            screen,
            filters: Filters::default(),
            queue: None,
            case: None,
            stats: None,
            form: DecisionForm { kind: "accept_with_terms".into(), ..DecisionForm::default() },
            review_note: String::new(),
            busy: false,
            problems: Vec::new(),
            notice: None,
        }
    }

    /// The queue's query string for the current screen and filters.
    pub fn queue_query(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if self.screen == Screen::Inbox {
            pairs.push(("review", "awaiting"));
        } else {
            let f = &self.filters;
            for (name, value) in
                [("status", &f.status), ("product", &f.product), ("second_review", &f.second_review), ("sla", &f.sla)]
            {
                if !value.is_empty() {
                    pairs.push((name, value));
                }
            }
        }
        if let Some(cursor) = &self.filters.cursor {
            pairs.push(("cursor", cursor));
        }
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
        if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) }
    }

    fn reduce(mut self, action: Action) -> State {
        match action {
            Action::Lang(lang) => self.lang = lang,
            Action::SignedIn(me) => self.me = Some(me),
            Action::Show(screen) => {
                if screen != self.screen {
                    self.problems.clear();
                    self.notice = None;
                    self.filters.cursor = None;
                }
                self.screen = screen;
            }
            Action::Filter { field, value } => {
                let f = &mut self.filters;
                match field {
                    "status" => f.status = value,
                    "product" => f.product = value.trim().to_uppercase(),
                    "second_review" => f.second_review = value,
                    _ => f.sla = value,
                }
                f.cursor = None;
            }
            Action::Page(cursor) => self.filters.cursor = cursor,
            Action::Queue(list) => {
                self.queue = Some(list);
                self.busy = false;
            }
            Action::Case(view) => {
                // A new case starts the form again, from pre-underwriting's own loading if it had one.
                if self.case.as_ref().map(|c| &c.application) != Some(&view.application) {
                    self.form = DecisionForm::for_case(&view);
                    self.review_note.clear();
                }
                self.case = Some(*view);
                self.busy = false;
            }
            Action::Stats(stats) => {
                self.stats = Some(stats);
                self.busy = false;
            }
            Action::Form { field, value } => self.form.set(field, value),
            Action::ToggleExclusion(id) => {
                if !self.form.exclusions.remove(&id) {
                    self.form.exclusions.insert(id);
                }
            }
            Action::ReviewNote(note) => self.review_note = note,
            Action::Busy => {
                self.busy = true;
                self.problems.clear();
                self.notice = None;
            }
            Action::Refused(problems) => {
                self.problems = problems;
                self.busy = false;
            }
            Action::Recorded(text) => {
                self.notice = Some(text);
                self.problems.clear();
                self.busy = false;
            }
        }
        self
    }

    /// The problem about `field`, if any (the server names fields as `verdict.loading`).
    pub fn problem(&self, field: &str) -> Option<&Problem> {
        self.problems.iter().find(|p| p.field == field)
    }
}

impl Reducible for State {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().reduce(action))
    }
}

impl DecisionForm {
    pub fn for_case(case: &CaseView) -> DecisionForm {
        let options = &case.options;
        DecisionForm {
            kind: "accept_with_terms".into(),
            loading: options
                .proposed_loading
                .or_else(|| options.loadings.first().copied())
                .map(|l| l.to_string())
                .unwrap_or_default(),
            months: options.postpone_months.first().map(u32::to_string).unwrap_or_default(),
            reason: options.reasons.first().map(|r| r.id.clone()).unwrap_or_default(),
            ..DecisionForm::default()
        }
    }

    fn set(&mut self, field: &str, value: String) {
        match field {
            "kind" => self.kind = value,
            "loading" => self.loading = value,
            "free_text" => self.free_text = value,
            "months" => self.months = value,
            "reason" => self.reason = value,
            _ => self.note = value,
        }
    }

    /// The verdict the form says, or what is missing (field names as the server's: `verdict.months`).
    pub fn verdict(&self) -> Result<Verdict, Problem> {
        let missing = |field: &str, zh: &'static str, en: &'static str| Problem {
            code: "required".into(),
            field: format!("verdict.{field}"),
            message: Text::fixed(zh, en),
        };
        Ok(match self.kind.as_str() {
            "accept" => Verdict::Accept {},
            "accept_with_terms" => {
                let loading = if self.loading.is_empty() {
                    None
                } else {
                    Some(
                        self.loading
                            .parse::<Decimal>()
                            .map_err(|_| missing("loading", "请选择加费比例", "choose a loading"))?,
                    )
                };
                let mut exclusions: Vec<ExclusionChoice> =
                    self.exclusions.iter().map(|id| ExclusionChoice { id: Some(id.clone()), text: None }).collect();
                if !self.free_text.trim().is_empty() {
                    exclusions.push(ExclusionChoice { id: None, text: Some(self.free_text.trim().to_owned()) });
                }
                Verdict::AcceptWithTerms { loading, exclusions }
            }
            "postpone" => Verdict::Postpone {
                months: self.months.parse().map_err(|_| missing("months", "请选择延期期间", "choose a period"))?,
                reason: self.reason.clone(),
            },
            "decline" => Verdict::Decline { reason: self.reason.clone() },
            "medical_exam" => Verdict::MedicalExam {},
            _ => Verdict::MoreInformation {},
        })
    }

    pub fn input(&self) -> Result<DecisionInput, Problem> {
        Ok(DecisionInput { verdict: self.verdict()?, note: self.note.trim().to_owned() })
    }

    /// Disagreeing with the decision under review: this form is the reviewer's own decision.
    pub fn disagreement(&self, note: &str) -> Result<ReviewInput, Problem> {
        Ok(ReviewInput { agree: false, verdict: Some(self.verdict()?), note: note.trim().to_owned() })
    }
}

pub fn agreement(note: &str) -> ReviewInput {
    ReviewInput { agree: true, verdict: None, note: note.trim().to_owned() }
}

pub fn resolution(decision: &str, note: &str) -> ResolveInput {
    ResolveInput { decision: decision.to_owned(), note: note.trim().to_owned() }
}

/// Percent-encoding for a query value (letters, digits and `-_.~` as they are).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A loading share as a person reads it: "0.50" → "+50%".
pub fn percent(share: Decimal) -> String {
    format!("+{}%", (share * Decimal::ONE_HUNDRED).normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::new(Lang::Zh, Screen::Queue)
    }

    #[test]
    fn screens_round_trip_through_the_hash() {
        for screen in [Screen::Queue, Screen::Inbox, Screen::Stats, Screen::Case("PA20261125-X".into())] {
            assert_eq!(Screen::from_hash(&screen.hash()), screen);
        }
        assert_eq!(Screen::from_hash(""), Screen::Queue);
        assert_eq!(Screen::from_hash("#/case/"), Screen::Queue);
    }

    #[test]
    fn the_query_follows_the_filters_and_the_inbox() {
        let s = state()
            .reduce(Action::Filter { field: "product", value: " ci ".into() })
            .reduce(Action::Filter { field: "sla", value: "breached".into() })
            .reduce(Action::Page(Some("MTc~UEE=".into())));
        assert_eq!(s.queue_query(), "?product=CI&sla=breached&cursor=MTc~UEE%3D");
        let s = s.reduce(Action::Filter { field: "status", value: "decided".into() });
        assert!(s.filters.cursor.is_none(), "a new filter starts from the first page");
        let inbox = s.reduce(Action::Show(Screen::Inbox));
        assert_eq!(inbox.queue_query(), "?review=awaiting");
    }

    #[test]
    fn the_form_becomes_the_verdict_the_server_reads() {
        let mut form =
            DecisionForm { kind: "accept_with_terms".into(), loading: "0.50".into(), ..DecisionForm::default() };
        form.exclusions.insert("THYROID".into());
        form.free_text = " 左膝关节 ".into();
        form.note = " ECG normal ".into();
        let input = form.input().unwrap();
        let json = serde_json::to_value(&input).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "verdict": { "kind": "accept_with_terms", "loading": "0.50",
                "exclusions": [{ "id": "THYROID" }, { "text": "左膝关节" }] }, "note": "ECG normal" })
        );
        let postpone = DecisionForm { kind: "postpone".into(), months: String::new(), ..form.clone() };
        assert_eq!(postpone.input().unwrap_err().field, "verdict.months");
        let decline = DecisionForm { kind: "decline".into(), reason: "HEALTH".into(), ..form };
        assert_eq!(serde_json::to_value(decline.verdict().unwrap()).unwrap()["reason"], "HEALTH");
    }

    #[test]
    fn refusals_stay_until_the_next_success_and_name_their_field() {
        let problem = Problem {
            code: "desk.loading_step".into(),
            field: "verdict.loading".into(),
            message: Text::fixed("x", "x"),
        };
        let s = state().reduce(Action::Busy).reduce(Action::Refused(vec![problem]));
        assert!(!s.busy);
        assert_eq!(s.problem("verdict.loading").unwrap().code, "desk.loading_step");
        let s = s.reduce(Action::Recorded(Text::fixed("已记录", "recorded")));
        assert!(s.problems.is_empty() && s.notice.is_some());
        assert_eq!(percent("0.50".parse().unwrap()), "+50%");
    }
}
