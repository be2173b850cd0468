//! The page's I/O: who is signed in, the live stream (`EventSource` on `/api/dashboard/live`), the
//! address's query, printing, going to sign in.

use premia_core::Lang;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

/// GET a same-origin path with the session cookie: status and body.
pub async fn get(path: &str) -> Result<(u16, String), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_credentials(RequestCredentials::SameOrigin);
    let request = web_sys::Request::new_with_str_and_init(path, &init)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request)).await?.dyn_into()?;
    let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    Ok((response.status(), text))
}

/// The address's query string (`?grain=month…`).
pub fn search() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// `lang=en` in the address: English; anything else Chinese.
pub fn lang() -> Lang {
    if search().contains("lang=en") { Lang::En } else { Lang::Zh }
}

/// Keep the query (and language) in the address, so that a link or a reload shows the same figures.
pub fn set_search(query: &str, lang: Lang) {
    let lang = if lang == Lang::En { "&lang=en" } else { "" };
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("?{query}{lang}")));
    }
}

pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}

/// To the sign-in page, coming back here afterwards.
pub fn sign_in(lang: Lang) {
    let lang = if lang == Lang::En { "&lang=en" } else { "" };
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(&format!("/staff/login?next=/dashboard/{lang}"));
    }
}

pub fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}
