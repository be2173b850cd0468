//! # premia-buy-web
//!
//! Buying, in the browser: the person's side of issue 15. The quote site and the `<premia-quote>`
//! widget load this module only when a person chooses to buy (their own module stays as small as it
//! was), mount it beside the quote app and hand it the application the quote app holds
//! (`{quote, resident_id}`, in memory: the `premia-buy` event's detail, never through storage). Then:
//! the details (policyholder, insured, beneficiaries), each document shown and confirmed, the
//! submission with the application, the first premium paid through a provider (QR code, redirect or
//! form to the cashier), and the policy.
//!
//! - [`state`]: the flow as data and a pure reducer, every field checked by `premia_core::purchase`
//!   (the server's own reader and rules), tested natively;
//! - [`view`] and [`app`]: the component, its effects (fetches, following the purchase, the host's
//!   events, the state kept for a reload);
//! - [`browser`]: the DOM I/O beyond the quote app's (`premia_web::browser`).

pub mod app;
pub mod browser;
pub mod state;
pub mod view;

use std::rc::Rc;

use premia_core::Lang;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement};

use crate::app::{Bridge, BuyApp as Component, BuyProps};
use crate::state::Handoff;

/// A mounted buying app.
#[wasm_bindgen]
pub struct BuyApp {
    handle: Option<yew::AppHandle<Component>>,
    bridge: Rc<Bridge>,
}

impl std::fmt::Debug for BuyApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuyApp").field("mounted", &self.handle.is_some()).finish()
    }
}

#[wasm_bindgen]
impl BuyApp {
    /// Switch the language ("zh-CN" or "en").
    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&self, lang: &str) {
        self.bridge.set_lang(read_lang(Some(lang.to_owned())));
    }

    pub fn destroy(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
    }
}

fn read_lang(text: Option<String>) -> Lang {
    if text.as_deref().is_some_and(|t| t.starts_with("en")) { Lang::En } else { Lang::Zh }
}

/// Mount the buying app into `root`. `options`: `{ application: "{\"quote\":…,\"resident_id\":…}"
/// (the quote app's `premia-buy` detail, as JSON text or an object), endpoint: ".../api/quotes", host:
/// HTMLElement (the events' target), lang?, persistKey?, returnUrl? }`. Without an application, only a
/// purchase kept under `persistKey` (submitted before a reload or a provider's cashier) is followed.
#[wasm_bindgen]
pub fn mount(root: Element, options: JsValue) -> Result<BuyApp, JsValue> {
    let get = |key: &str| {
        js_sys::Reflect::get(&options, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
    };
    let text = |key: &str| get(key).and_then(|v| v.as_string());
    let application = get("application")
        .and_then(|v| v.as_string().or_else(|| js_sys::JSON::stringify(&v).ok().and_then(|s| s.as_string())));
    let handoff = application.as_deref().and_then(Handoff::read);
    let host = get("host").and_then(|h| h.dyn_into::<HtmlElement>().ok()).or_else(|| root.clone().dyn_into().ok());
    let host = host.ok_or_else(|| JsValue::from_str("premia-buy: no host element"))?;
    let bridge = Rc::new(Bridge::default());
    let props = BuyProps {
        catalogue: Rc::new(premia_core::demo::catalogue()),
        handoff,
        lang: read_lang(text("lang")),
        endpoint: text("endpoint").unwrap_or_else(|| "/api/quotes".to_owned()),
        host,
        persist_key: text("persistKey"),
        return_url: text("returnUrl"),
        bridge: bridge.clone(),
    };
    let handle = yew::Renderer::<Component>::with_root_and_props(root, props).render();
    Ok(BuyApp { handle: Some(handle), bridge })
}
