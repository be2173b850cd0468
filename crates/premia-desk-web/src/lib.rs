//! # premia-desk-web
//!
//! The underwriting desk page at `/desk/` (zh-CN and English): the queue with its filters and the SLA
//! flag, a case with the insured's facts, the worksheets and every reason, the decision form, the
//! second-review inbox, and the desk's figures. A yew app over `premia_desk::api` (the server's own
//! wire types) and `premia_core`'s quotes and worksheet steps, laid out like the quote page: a pure
//! reducer ([`state`], tested natively), thin views ([`view`]), effects in [`app`], I/O in [`browser`].
//!
//! **Architecture Invariant:** it is its own WebAssembly module (`scripts/desk-build.sh` →
//! `crates/premia-desk-web/dist`): nothing of it is in the quote site's or the widget's module, and
//! nothing it shows is decided here — the server checks every role and rule.

pub mod app;
pub mod browser;
pub mod state;
pub mod view;

/// Mount the desk into the page's `#desk` element (the start of the module).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("desk"));
    if let Some(root) = root {
        yew::Renderer::<app::Desk>::with_root(root).render();
    }
}
