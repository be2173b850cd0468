//! The page's I/O: fetching the staff API with the session cookie and CSRF token, the address's hash,
//! and going to the sign-in page.

use premia_core::Lang;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Ok(String),
    /// A typed refusal (`{errors: [...]}`), with its status.
    Refused {
        status: u16,
        body: String,
    },
    /// No session (401): the page goes to sign in.
    SignedOut,
    Unreachable,
}

pub async fn get(path: &str) -> Answer {
    send("GET", path, None, None).await
}

/// POST JSON with the session's CSRF token and an Idempotency-Key (a retry of this click is one change).
pub async fn post(path: &str, body: &str, csrf: &str) -> Answer {
    send("POST", path, Some(body), Some(csrf)).await
}

async fn send(method: &str, path: &str, body: Option<&str>, csrf: Option<&str>) -> Answer {
    match try_send(method, path, body, csrf).await {
        Ok((401, _)) => Answer::SignedOut,
        Ok((status, text)) if (200..300).contains(&status) => Answer::Ok(text),
        Ok((status, body)) => Answer::Refused { status, body },
        Err(_) => Answer::Unreachable,
    }
}

async fn try_send(method: &str, path: &str, body: Option<&str>, csrf: Option<&str>) -> Result<(u16, String), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new()?;
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
        headers.set("content-type", "application/json")?;
        headers.set("idempotency-key", &idempotency_key())?;
    }
    if let Some(csrf) = csrf {
        headers.set("x-csrf-token", csrf)?;
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(path, &init)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request)).await?.dyn_into()?;
    let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    Ok((response.status(), text))
}

/// A key per click: time and randomness are enough to keep two clicks apart.
fn idempotency_key() -> String {
    format!("desk-{}-{}", js_sys::Date::now(), js_sys::Math::random().to_bits())
}

pub fn hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

pub fn set_hash(hash: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(hash);
    }
}

/// `?lang=en` in the address: English; anything else Chinese.
pub fn lang() -> Lang {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    if search.contains("lang=en") { Lang::En } else { Lang::Zh }
}

/// To the sign-in page, coming back here afterwards.
pub fn sign_in(lang: Lang) {
    let lang = if lang == Lang::En { "&lang=en" } else { "" };
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(&format!("/staff/login?next=/desk/{lang}"));
    }
}
