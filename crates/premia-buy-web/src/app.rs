//! The buying app: a thin component over [`State`] and its effects — the documents fetched by hash,
//! the submission, the purchase followed until the policy, the payment order, the host's events, the
//! state kept for a reload.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use premia_core::{Catalogue, Lang, Text};
use premia_web::browser::{self as io, PostOutcome};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::browser;
use crate::state::{Action, Handoff, Kept, Problem, State, Step, server_problems};
use crate::view;

/// Connects a mounted app with the JS that mounted it (the language switch).
#[derive(Debug, Default)]
pub struct Bridge {
    dispatcher: RefCell<Option<UseReducerDispatcher<State>>>,
}

impl Bridge {
    pub fn set_lang(&self, lang: Lang) {
        if let Some(dispatcher) = self.dispatcher.borrow().as_ref() {
            dispatcher.dispatch(Action::Lang(lang));
        }
    }
}

#[derive(Debug, Properties, Clone)]
pub struct BuyProps {
    pub catalogue: Rc<Catalogue>,
    pub handoff: Option<Handoff>,
    pub lang: Lang,
    /// Where the quote app posts applications (`…/api/quotes`): the server's routes are on its origin.
    pub endpoint: String,
    /// The element the events are dispatched on (the widget, or the site's container).
    pub host: HtmlElement,
    /// Keep the details (never an ID number) and the purchase in sessionStorage under this key.
    pub persist_key: Option<String>,
    /// Where a provider's cashier sends the person back to (default: this page).
    pub return_url: Option<String>,
    pub bridge: Rc<Bridge>,
}

impl PartialEq for BuyProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.bridge, &other.bridge)
    }
}

/// What the app's effects and callbacks share.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub endpoint: String,
    pub host: HtmlElement,
    pub return_url: Option<String>,
    pub dispatcher: UseReducerDispatcher<State>,
}

impl Ctx {
    /// A server path on the endpoint's origin.
    fn url(&self, path: &str) -> String {
        premia_web::status::link(path, &self.endpoint).unwrap_or_else(|| path.to_owned())
    }
}

#[component(BuyApp)]
pub fn buy_app(props: &BuyProps) -> Html {
    let state = {
        let (catalogue, handoff, lang) = (props.catalogue.clone(), props.handoff.clone(), props.lang);
        let kept = props.persist_key.as_deref().and_then(io::kept).and_then(|k| serde_json::from_str::<Kept>(&k).ok());
        let endpoint = props.endpoint.clone();
        use_reducer(move || State { endpoint, ..State::new(catalogue, handoff, lang, kept) })
    };
    {
        let (bridge, dispatcher) = (props.bridge.clone(), state.dispatcher());
        use_effect_with((), move |_| *bridge.dispatcher.borrow_mut() = Some(dispatcher));
    }
    let ctx = Ctx {
        endpoint: props.endpoint.clone(),
        host: props.host.clone(),
        return_url: props.return_url.clone(),
        dispatcher: state.dispatcher(),
    };
    use_kept(props.persist_key.clone(), &state);
    use_documents(&ctx, &state);
    use_following(&ctx, &state);
    let callbacks = view::Callbacks {
        dispatch: Callback::from({
            let dispatcher = state.dispatcher();
            move |action| dispatcher.dispatch(action)
        }),
        submit: submit_callback(&ctx, &state),
        pay: pay_callback(&ctx, &state),
        cancel: cancel_callback(&ctx, &state),
    };
    view::app(&state, &callbacks)
}

/// After each change, what a reload restores (never an ID number).
#[hook]
fn use_kept(key: Option<String>, state: &UseReducerHandle<State>) {
    let state = state.clone();
    use_effect_with(state.revision, move |_| {
        if let Some(key) = key {
            io::keep(&key, serde_json::to_string(&state.kept()).ok().as_deref());
        }
    });
}

/// On the documents step: each document's text fetched by its hash and checked against it.
#[hook]
fn use_documents(ctx: &Ctx, state: &UseReducerHandle<State>) {
    let wanted: Vec<String> = if state.step == Step::Documents {
        state.documents.iter().filter(|d| d.text.is_none()).map(|d| d.sha256.clone()).collect()
    } else {
        Vec::new()
    };
    let ctx = ctx.clone();
    use_effect_with(wanted, move |wanted| {
        for sha256 in wanted.clone() {
            let ctx = ctx.clone();
            yew::platform::spawn_local(async move {
                let text = match io::get_json(&ctx.url(&format!("/api/documents/{sha256}")), None).await {
                    PostOutcome::Answered { status, body } => browser::document_text(status, &body, &sha256),
                    PostOutcome::Unreachable => browser::document_text(0, "", &sha256),
                };
                ctx.dispatcher.dispatch(Action::Loaded { sha256, text });
            });
        }
    });
}

/// Submit the application: the quote app's body with the details and confirmations added.
fn submit_callback(ctx: &Ctx, state: &UseReducerHandle<State>) -> Callback<MouseEvent> {
    let ready = state.problems().is_empty();
    let body = state.handoff.as_ref().map(|h| h.with_application(&state.application_json()));
    let ctx = ctx.clone();
    Callback::from(move |_: MouseEvent| {
        let Some(body) = body.clone().filter(|_| ready) else {
            ctx.dispatcher.dispatch(Action::Next);
            return;
        };
        ctx.dispatcher.dispatch(Action::Sending);
        let ctx = ctx.clone();
        yew::platform::spawn_local(async move {
            // The same application sent again is the same submission (a double click, a retry).
            let key = format!("buy-{}", premia_core::digest::hex(&Sha256::digest(body.as_bytes())));
            let outcome = io::post_json(&ctx.endpoint, &body, &key, None).await;
            ctx.dispatcher.dispatch(submitted(&ctx, outcome));
        });
    })
}

fn submitted(ctx: &Ctx, outcome: PostOutcome) -> Action {
    match outcome {
        PostOutcome::Answered { status: 201, body } => {
            io::emit(&ctx.host, "premia-submitted", &body);
            let value: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let text = |v: &Value| v.as_str().map(str::to_owned);
            match value.pointer("/purchase/token").and_then(text) {
                Some(token) => Action::Created {
                    token,
                    status_url: value
                        .get("status_url")
                        .and_then(text)
                        .and_then(|u| premia_web::status::link(&u, &ctx.endpoint)),
                    application: value.get("application").and_then(text).unwrap_or_default(),
                },
                None => Action::Refused(vec![unreadable()]),
            }
        }
        PostOutcome::Answered { status, body } => {
            let problems = server_problems(&body);
            io::emit(&ctx.host, "premia-refused", &json!({ "status": status, "errors": serde_json::from_str::<Value>(&body).ok().and_then(|v| v.get("errors").cloned()) }).to_string());
            Action::Refused(if problems.is_empty() { vec![unreadable()] } else { problems })
        }
        PostOutcome::Unreachable => Action::Refused(vec![unreachable()]),
    }
}

fn unreadable() -> Problem {
    Problem {
        field: String::new(),
        message: Text::fixed(
            "服务器的应答无法识别，请稍后重试。",
            "The server's answer was not understood: try again shortly.",
        ),
    }
}

fn unreachable() -> Problem {
    Problem {
        field: String::new(),
        message: Text::fixed(
            "无法连接服务器，请检查网络后重试。",
            "The server could not be reached: check the connection and try again.",
        ),
    }
}

/// Pay: an order for the server's own first premium by the method chosen (never an amount of ours).
fn pay_callback(ctx: &Ctx, state: &UseReducerHandle<State>) -> Callback<MouseEvent> {
    let token = state.purchase.as_ref().map(|p| p.token.clone());
    let method = state.method.clone();
    let ctx = ctx.clone();
    Callback::from(move |_: MouseEvent| {
        let Some(token) = token.clone() else { return };
        let mut request = json!({ "method": method });
        if matches!(method.as_str(), "alipay_page" | "unionpay") {
            request["return_url"] = json!(ctx.return_url.clone().or_else(browser::here));
        }
        ctx.dispatcher.dispatch(Action::Ordering);
        let ctx = ctx.clone();
        yew::platform::spawn_local(async move {
            let url = ctx.url(&format!("/api/purchases/{token}/payment"));
            let action = match io::post_json(&url, &request.to_string(), &token, None).await {
                PostOutcome::Answered { status: 200, body } => {
                    Action::Ordered(serde_json::from_str(&body).unwrap_or(Value::Null))
                }
                PostOutcome::Answered { body, .. } => Action::PayRefused(non_empty(server_problems(&body))),
                PostOutcome::Unreachable => Action::PayRefused(vec![unreachable()]),
            };
            ctx.dispatcher.dispatch(action);
        });
    })
}

fn non_empty(problems: Vec<Problem>) -> Vec<Problem> {
    if problems.is_empty() { vec![unreadable()] } else { problems }
}

/// Cancel within the cooling-off period: the server computes the refund and asks the provider.
fn cancel_callback(ctx: &Ctx, state: &UseReducerHandle<State>) -> Callback<MouseEvent> {
    let token = state.purchase.as_ref().map(|p| p.token.clone());
    let ctx = ctx.clone();
    Callback::from(move |_: MouseEvent| {
        let Some(token) = token.clone() else { return };
        ctx.dispatcher.dispatch(Action::Ordering);
        let ctx = ctx.clone();
        yew::platform::spawn_local(async move {
            let url = ctx.url(&format!("/api/purchases/{token}/cancel"));
            let action = match io::post_json(&url, "{}", &format!("cancel-{token}"), None).await {
                PostOutcome::Answered { status: 200, .. } => Action::PayRefused(Vec::new()),
                PostOutcome::Answered { body, .. } => Action::PayRefused(non_empty(server_problems(&body))),
                PostOutcome::Unreachable => Action::PayRefused(vec![unreachable()]),
            };
            ctx.dispatcher.dispatch(action);
        });
    })
}

/// How often the purchase is read while a payment or a decision is awaited.
const FOLLOW_MS: u32 = 1_500;
/// … and once issued (a cancellation may come from elsewhere).
const SETTLED_MS: u32 = 3_000;

/// Once submitted: the purchase read until it is cancelled, declined or postponed (every
/// [`FOLLOW_MS`], not while the page is hidden), the policy fetched once issued, and the host told
/// (`premia-paid`, `premia-issued`, `premia-cancelled`, each once, detail: the purchase status JSON).
#[hook]
fn use_following(ctx: &Ctx, state: &UseReducerHandle<State>) {
    let token = state.purchase.as_ref().map(|p| p.token.clone());
    let ctx = ctx.clone();
    use_effect_with(token, move |token| {
        let stopped = Rc::new(Cell::new(false));
        if let Some(token) = token.clone() {
            yew::platform::spawn_local(follow(ctx, token, stopped.clone()));
        }
        move || stopped.set(true)
    });
}

async fn follow(ctx: Ctx, token: String, stopped: Rc<Cell<bool>>) {
    let mut told: Vec<&'static str> = Vec::new();
    let mut policy = false;
    let mut first = true;
    loop {
        if !first {
            io::wait(if policy { SETTLED_MS } else { FOLLOW_MS }).await;
            if io::is_hidden() {
                continue;
            }
        }
        first = false;
        if stopped.get() {
            return;
        }
        let PostOutcome::Answered { status: 200, body } =
            io::get_json(&ctx.url(&format!("/api/purchases/{token}")), None).await
        else {
            continue;
        };
        let value: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let stage = value.get("status").and_then(Value::as_str).unwrap_or_default().to_owned();
        for (reached, event) in
            [("paid", "premia-paid"), ("issued", "premia-issued"), ("cancelled", "premia-cancelled")]
        {
            if events_of(&stage).contains(&reached) && !told.contains(&reached) {
                told.push(reached);
                io::emit(&ctx.host, event, &body);
            }
        }
        if stopped.get() {
            return;
        }
        ctx.dispatcher.dispatch(Action::Read(value));
        if matches!(stage.as_str(), "issued" | "cancelled") && !policy {
            if let PostOutcome::Answered { status: 200, body } =
                io::get_json(&ctx.url(&format!("/api/purchases/{token}/policy")), None).await
            {
                policy = true;
                ctx.dispatcher.dispatch(Action::Policy(serde_json::from_str(&body).unwrap_or(Value::Null)));
            }
        }
        if matches!(stage.as_str(), "cancelled" | "declined" | "postponed") {
            return;
        }
    }
}

/// The stages a status implies were reached: an issued policy was paid, a cancelled one issued.
fn events_of(stage: &str) -> &'static [&'static str] {
    match stage {
        "paid" => &["paid"],
        "issued" => &["paid", "issued"],
        "cancelled" => &["paid", "issued", "cancelled"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::events_of;

    #[test]
    fn a_status_seen_late_still_tells_every_stage_before_it() {
        assert_eq!(events_of("cancelled"), ["paid", "issued", "cancelled"]);
        assert_eq!(events_of("accepted"), [] as [&str; 0]);
    }
}
