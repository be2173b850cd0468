//! The quote app component: owns the reducer, wires effects (events to the host, remembered language,
//! submission) and lays out the thin view functions.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use premia_core::{Catalogue, Lang};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::browser::{self, PostOutcome};
use crate::i18n::{self, Label};
use crate::state::{Action, QuoteOutcome, Settings, State, Submission, field};
use crate::status;
use crate::view;

/// Connects a mounted app with the JS that mounted it: actions sent from outside (prefill, language)
/// and the latest outcome read from outside.
#[derive(Debug, Default)]
pub struct Bridge {
    dispatcher: RefCell<Option<UseReducerDispatcher<State>>>,
    pending: RefCell<Vec<Action>>,
    latest: RefCell<Option<Rc<QuoteOutcome>>>,
    /// The agent's bearer token, given by the host page's script (never an attribute, never in the state
    /// the app renders or emits): sent with agent-channel submissions.
    agent_token: RefCell<Option<String>>,
}

impl Bridge {
    /// Send an action to the app; actions sent before its first render are applied right after it.
    pub fn dispatch(&self, action: Action) {
        match self.dispatcher.borrow().as_ref() {
            Some(dispatcher) => dispatcher.dispatch(action),
            None => self.pending.borrow_mut().push(action),
        }
    }

    /// The outcome as last rendered.
    pub fn latest(&self) -> Option<Rc<QuoteOutcome>> {
        self.latest.borrow().clone()
    }

    /// Set (or clear) the agent's token.
    pub fn set_agent_token(&self, token: Option<String>) {
        *self.agent_token.borrow_mut() = token.filter(|t| !t.trim().is_empty());
    }
}

#[derive(Debug, Properties, Clone)]
pub struct AppProps {
    pub catalogue: Rc<Catalogue>,
    pub settings: Rc<Settings>,
    pub lang: Lang,
    /// The element events are dispatched on (the widget's `<premia-quote>`); `None` on the site.
    pub host: Option<HtmlElement>,
    /// Where "submit" POSTs the application (`{quote, resident_id}`); `None`: show the payload (and still
    /// emit `premia-submit`).
    pub endpoint: Option<String>,
    /// Remember the language switch in localStorage (the site; a widget follows its `lang` attribute).
    pub remember_lang: bool,
    /// Keep the form in the tab's sessionStorage under this key (see [`crate::saved`]).
    pub persist_key: Option<String>,
    pub bridge: Rc<Bridge>,
}

impl PartialEq for AppProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.catalogue, &other.catalogue)
            && self.settings == other.settings
            && self.lang == other.lang
            && self.host == other.host
            && self.endpoint == other.endpoint
            && self.remember_lang == other.remember_lang
            && self.persist_key == other.persist_key
            && Rc::ptr_eq(&self.bridge, &other.bridge)
    }
}

#[component(QuoteApp)]
pub fn quote_app(props: &AppProps) -> Html {
    let state = {
        let (catalogue, settings, lang) = (props.catalogue.clone(), props.settings.clone(), props.lang);
        let kept = props.persist_key.as_deref().and_then(browser::kept);
        use_reducer(move || State::restored(catalogue, settings, lang, kept.as_deref()))
    };
    use_bridge(&props.bridge, &state);
    use_quote_events(props, &state);
    use_remembered_lang(props.remember_lang, state.lang);
    use_kept_form(props.persist_key.clone(), &state);
    let root = use_node_ref();
    use_answer_focus(&root, &state);
    use_status_reads(props, &state);

    let dispatch = state.dispatcher();
    let on_submit = submit_callback(props, &state, false);
    let on_buy = submit_callback(props, &state, true);
    let on_confirm = confirm_callback(props, &state);
    let lang = state.lang;
    html! {
        <div class="premia" ref={root} lang={i18n::tag(lang)} data-revision={state.revision.to_string()}>
            { view::toolbar(&state, &dispatch) }
            <div class="premia-layout">
                <form class="premia-form" novalidate=true onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                    { view::insured_section(&state, &dispatch) }
                    { crate::offers::bundles_section(&state, &dispatch) }
                    { view::products_section(&state, &dispatch) }
                    { crate::health::questionnaire(&state, &dispatch) }
                    { crate::health::figures_section(&state, &dispatch) }
                    { crate::offers::coupons_section(&state, &dispatch) }
                    { view::price_bar(&state) }
                </form>
                { view::summary(&state, &dispatch, on_submit, on_buy, on_confirm) }
            </div>
            <p class="premia-footnote">{ Label::Illustrative.get(lang) }</p>
        </div>
    }
}

/// Hand the dispatcher to the bridge once, replay what was sent before, and publish each outcome.
#[hook]
fn use_bridge(bridge: &Rc<Bridge>, state: &UseReducerHandle<State>) {
    {
        let (bridge, dispatcher) = (bridge.clone(), state.dispatcher());
        use_effect_with((), move |_| {
            *bridge.dispatcher.borrow_mut() = Some(dispatcher.clone());
            let pending: Vec<Action> = bridge.pending.borrow_mut().drain(..).collect();
            for action in pending {
                dispatcher.dispatch(action);
            }
        });
    }
    *bridge.latest.borrow_mut() = Some(state.outcome.clone());
}

/// After each render with a new outcome: a performance mark, and `premia-quote-change` on the host.
#[hook]
fn use_quote_events(props: &AppProps, state: &UseReducerHandle<State>) {
    let host = props.host.clone();
    let detail = host.is_some().then(|| change_detail(state));
    use_effect_with(state.revision, move |_| {
        browser::mark("premia:priced");
        if let (Some(host), Some(detail)) = (host, detail) {
            browser::emit(&host, "premia-quote-change", &detail);
        }
    });
}

/// `{ "quote": Quote | null, "errors": Error[] }`, the detail of `premia-quote-change`.
fn change_detail(state: &State) -> String {
    crate::state::outcome_json(Some(&state.outcome))
}

/// After each change, the form kept for a reload or Back; after "start over", nothing.
#[hook]
fn use_kept_form(key: Option<String>, state: &UseReducerHandle<State>) {
    let state = state.clone();
    use_effect_with(state.revision, move |_| {
        if let Some(key) = key {
            browser::keep(&key, state.keep.then(|| crate::saved::write(&state.form)).as_deref());
        }
    });
}

/// When the server has answered a submission, focus moves to the answer (shown under the buttons), so
/// it is seen and read out wherever the person is on the page.
#[hook]
fn use_answer_focus(root: &NodeRef, state: &UseReducerHandle<State>) {
    let root = root.clone();
    let answered = !matches!(
        state.submission,
        Submission::None | Submission::Sending | Submission::ResidentIdNeeded | Submission::Incomplete
    );
    use_effect_with(state.answered, move |_| {
        if let (true, Some(root)) = (answered, root.cast::<web_sys::Element>()) {
            browser::focus_within(&root, ".premia-submission");
        }
    });
}

#[hook]
fn use_remembered_lang(remember: bool, lang: Lang) {
    use_effect_with(lang, move |lang| {
        if remember {
            browser::remember_lang(*lang);
        }
    });
}

/// Submit: emit `premia-submit` with the application (`{quote, resident_id}`), then POST it to the
/// endpoint, or show the payload when there is none (or nothing answers). A quote priced without the
/// resident ID number is not sent: the page asks for the number beside its field and moves focus there.
///
/// "Buy online" (`buy`) checks the same, then emits `premia-buy` with the application from the button
/// (bubbling, composed: it reaches the site's container and the widget's element), for the page to load
/// the buying module and hand it over; nothing is sent from here.
fn submit_callback(props: &AppProps, state: &UseReducerHandle<State>, buy: bool) -> Callback<MouseEvent> {
    let application = state.application();
    let first_missing = state.missing().into_iter().next().map(|m| m.field);
    let (host, endpoint, dispatcher, bridge) =
        (props.host.clone(), props.endpoint.clone(), state.dispatcher(), props.bridge.clone());
    Callback::from(move |event: MouseEvent| {
        let application = match application.clone() {
            Ok(application) => application,
            Err(Submission::ResidentIdNeeded) => {
                dispatcher.dispatch(Action::SubmitFinished(Submission::ResidentIdNeeded));
                browser::focus_in_app(&event, &format!("#{}", view::dom_id(field::RESIDENT_ID)));
                return;
            }
            // Unanswered questions or figures underwriting needs: listed, and focus on the first.
            Err(Submission::Incomplete) => {
                dispatcher.dispatch(Action::SubmitFinished(Submission::Incomplete));
                if let Some(first) = first_missing.as_deref() {
                    browser::focus_in_app(&event, &view::missing_selector(first));
                }
                return;
            }
            Err(_) => return,
        };
        if buy {
            if let Some(button) = event.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
                browser::emit(&button, "premia-buy", &application.body);
            }
            return;
        }
        send(host.as_ref(), endpoint.clone(), &bridge, &dispatcher, application);
    })
}

/// "Confirm the new price": submit the server's fresh quote (its own bytes) with its stamp.
fn confirm_callback(props: &AppProps, state: &UseReducerHandle<State>) -> Callback<MouseEvent> {
    let requote = match &state.submission {
        Submission::Requote(requote) => Some(requote.clone()),
        _ => None,
    };
    let number = state.form.resident_id.clone();
    let (host, endpoint, dispatcher, bridge) =
        (props.host.clone(), props.endpoint.clone(), state.dispatcher(), props.bridge.clone());
    Callback::from(move |_: MouseEvent| {
        if let Some(requote) = &requote {
            let application = crate::state::Application::confirmed(requote, &number);
            send(host.as_ref(), endpoint.clone(), &bridge, &dispatcher, application);
        }
    })
}

/// Emit `premia-submit` with the application, then POST it (with the agent's token, if the host gave
/// one), or show the payload when there is no endpoint (or nothing answers). The server's answer is
/// shown, and told to the host (`premia-submitted`, `premia-refused`, `premia-requote`).
fn send(
    host: Option<&HtmlElement>,
    endpoint: Option<String>,
    bridge: &Bridge,
    dispatcher: &UseReducerDispatcher<State>,
    application: crate::state::Application,
) {
    if let Some(host) = host {
        browser::emit(host, "premia-submit", &application.body);
    }
    let pretty = application.pretty();
    let Some(url) = endpoint else {
        dispatcher.dispatch(Action::SubmitFinished(Submission::Unavailable { payload: pretty }));
        return;
    };
    dispatcher.dispatch(Action::SubmitStarted);
    let dispatcher = dispatcher.clone();
    let token = bridge.agent_token.borrow().clone();
    let host = host.cloned();
    yew::platform::spawn_local(async move {
        let submission = match browser::post_json(&url, &application.body, &application.digest, token.as_deref()).await
        {
            PostOutcome::Answered { status, body } => {
                let mut submission = Submission::from_response(status, &body, pretty);
                if let Submission::Accepted { tracking, .. } = &mut submission {
                    tracking.resolve(&url);
                }
                let event = crate::state::answer_event(&body, &submission);
                if let (Some(host), Some((name, detail))) = (&host, event) {
                    browser::emit(host, name, &detail);
                }
                submission
            }
            PostOutcome::Unreachable => Submission::Unavailable { payload: pretty },
        };
        dispatcher.dispatch(Action::SubmitFinished(submission));
    });
}

/// While an application's answer is shown: read where it stands (at once, then every
/// [`status::REFRESH_MS`] while the underwriters have it, backing off on errors, not while the page is
/// hidden), show it, and tell the host (`premia-status`, the server's JSON as read) each time it changes.
/// Stops once decided, when the server refuses to show it, when the answer goes (the form changed, "start
/// over", another submission) and when the app is unmounted.
#[hook]
fn use_status_reads(props: &AppProps, state: &UseReducerHandle<State>) {
    let followed = match &state.submission {
        Submission::Accepted { application, tracking, .. } => Some((application.clone(), tracking.receipt.clone())),
        _ => None,
    };
    let (endpoint, host, bridge, dispatcher) =
        (props.endpoint.clone(), props.host.clone(), props.bridge.clone(), state.dispatcher());
    // Keyed on the answer shown (a new one, or none since the form changed): a `u64`, like the other
    // effects' keys, so the module carries one instance of yew's effect code for them.
    let shown = u64::from(state.answered) << 1 | u64::from(followed.is_some());
    use_effect_with(shown, move |_| {
        let stopped = Rc::new(Cell::new(false));
        let token = bridge.agent_token.borrow().clone();
        let source = followed.as_ref().zip(endpoint.as_deref()).and_then(|((application, receipt), endpoint)| {
            status::source(endpoint, application, receipt.as_deref(), token.is_some())
        });
        if let (Some(url), Some((application, _))) = (source, followed.clone()) {
            let reads = Reads { url, token, host, dispatcher, application, stopped: stopped.clone() };
            yew::platform::spawn_local(reads.run());
        }
        move || stopped.set(true)
    });
}

/// One application's status reads (see [`use_status_reads`]).
struct Reads {
    url: String,
    /// The agent's token, for the agent's route (never in an event).
    token: Option<String>,
    host: Option<HtmlElement>,
    dispatcher: UseReducerDispatcher<State>,
    application: String,
    stopped: Rc<Cell<bool>>,
}

impl Reads {
    async fn run(self) {
        let mut failures = 0;
        let mut last: Option<Box<status::Standing>> = None;
        let mut wait = None;
        loop {
            if let Some(ms) = wait {
                browser::wait(ms).await;
                if browser::is_hidden() {
                    continue;
                }
            }
            if self.stopped.get() {
                return;
            }
            let (reading, body) = match browser::get_json(&self.url, self.token.as_deref()).await {
                PostOutcome::Answered { status, body } => (status::Reading::from_response(status, &body), body),
                PostOutcome::Unreachable => (status::Reading::Unreachable, String::new()),
            };
            if self.stopped.get() {
                return;
            }
            if let status::Reading::Read(standing) = &reading {
                failures = 0;
                if last.as_ref() != Some(standing) {
                    if let Some(host) = &self.host {
                        browser::emit(host, "premia-status", &body);
                    }
                    last = Some(standing.clone());
                }
            } else {
                failures += 1;
            }
            wait = reading.next_read_ms(failures);
            self.dispatcher.dispatch(Action::StatusRead { application: self.application.clone(), reading });
            if wait.is_none() {
                return;
            }
        }
    }
}
