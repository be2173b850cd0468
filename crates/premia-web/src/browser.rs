//! The few things the app asks of the browser: events to the host element, remembered language,
//! printing, performance marks, focus, the submission POST and the status reads. Everything here is I/O; no rule lives here.

use premia_core::Lang;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement, RequestInit, Response};

use crate::i18n;

/// Where the chosen language is remembered between visits.
const LANG_KEY: &str = "premia.lang";

/// Dispatch a `CustomEvent` on the host element with `detail_json` parsed into a plain JS object.
/// Bubbles and is composed, so it crosses the widget's shadow root to listeners on the page.
pub fn emit(host: &HtmlElement, name: &str, detail_json: &str) {
    let detail = js_sys::JSON::parse(detail_json).unwrap_or(JsValue::NULL);
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        // A listener that throws must not stop the app: the browser reports it on the console.
        let _ = host.dispatch_event(&event);
    }
}

pub fn remembered_lang() -> Option<Lang> {
    let storage = web_sys::window()?.local_storage().ok()??;
    storage.get_item(LANG_KEY).ok()?.as_deref().and_then(i18n::parse_tag)
}

pub fn remember_lang(lang: Lang) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let Some(storage) = storage {
        // Private browsing may refuse storage; the switch still works for this visit.
        let _ = storage.set_item(LANG_KEY, i18n::tag(lang));
    }
}

/// The tab's `sessionStorage` (it ends with the tab); `None` where the browser refuses it.
fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

pub fn kept(key: &str) -> Option<String> {
    session()?.get_item(key).ok()?
}

/// Keep `value` under `key` for this tab, or (`None`) keep nothing there. A refusal (private browsing,
/// a full store) only means a reload starts afresh.
pub fn keep(key: &str, value: Option<&str>) {
    if let Some(storage) = session() {
        let _ = match value {
            Some(value) => storage.set_item(key, value),
            None => storage.remove_item(key),
        };
    }
}

pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}

/// A Performance API mark, so benchmarks can time input-to-price inside the page.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Focus the element matching `selector` in the app the event happened in (the page's, or a widget's
/// inside its shadow root: each app looks only inside itself, so two widgets on a page stay apart).
pub fn focus_in_app(event: &web_sys::Event, selector: &str) {
    let target = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    if let Some(app) = target.and_then(|t| t.closest(".premia").ok().flatten()) {
        focus_within(&app, selector);
    }
}

/// Focus the element matching `selector` inside `root` (an app's own element).
pub fn focus_within(root: &web_sys::Element, selector: &str) {
    if let Some(element) = root.query_selector(selector).ok().flatten().and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// What the server said to a request.
#[derive(Debug)]
pub enum PostOutcome {
    Answered {
        status: u16,
        body: String,
    },
    /// No answer at all (no server, network down, CORS refused).
    Unreachable,
}

/// POST `body` (JSON: the application) to `url` with an `Idempotency-Key`, and the agent's bearer token
/// when there is one.
pub async fn post_json(url: &str, body: &str, idempotency_key: &str, agent_token: Option<&str>) -> PostOutcome {
    outcome(fetch(url, Some((body, idempotency_key)), agent_token).await)
}

/// GET `url` (a status JSON), with the agent's bearer token when there is one. (The server answers it
/// `no-store`, so each read reaches the server.)
pub async fn get_json(url: &str, agent_token: Option<&str>) -> PostOutcome {
    outcome(fetch(url, None, agent_token).await)
}

fn outcome(answer: Result<(u16, String), JsValue>) -> PostOutcome {
    match answer {
        Ok((status, body)) => PostOutcome::Answered { status, body },
        Err(_) => PostOutcome::Unreachable,
    }
}

/// Wait `ms` milliseconds (a `setTimeout` as a promise: no timer crate in the module for one wait).
pub async fn wait(ms: u32) {
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let ms = i32::try_from(ms).unwrap_or(i32::MAX);
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(timer).await;
}

/// The page is not being looked at (another tab, minimised): reads can wait.
pub fn is_hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

async fn fetch(url: &str, post: Option<(&str, &str)>, agent_token: Option<&str>) -> Result<(u16, String), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let init = RequestInit::new();
    let headers = web_sys::Headers::new()?;
    if let Some((body, idempotency_key)) = post {
        init.set_method("POST");
        init.set_body(&JsValue::from_str(body));
        headers.set("content-type", "application/json")?;
        headers.set("idempotency-key", idempotency_key)?;
    }
    if let Some(token) = agent_token {
        headers.set("authorization", &format!("Bearer {token}"))?;
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request)).await?.dyn_into()?;
    let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    Ok((response.status(), text))
}
