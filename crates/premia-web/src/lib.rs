//! # premia-web
//!
//! The Premia quote page as a [yew](https://yew.rs) app. One app serves the direct-sales quote page and
//! the agents' `<premia-quote>` widget; `premia-wasm` builds it, together with the JS API, into the one
//! WebAssembly module the site, the widget and the npm package share.
//!
//! Layout follows yew's `function_todomvc` example:
//! - [`state`]: the form as data and a pure reducer (form → `QuoteRequest` → the core's quote or its
//!   errors by field), tested natively with `cargo test`;
//! - [`view`] and [`app`]: thin components that render a state and dispatch actions;
//! - [`status`]: where a submitted application stands (the server's status JSON read, when to read it
//!   again), pure like the reducer;
//! - [`browser`]: the DOM I/O (events, storage, printing, the submission POST, the status reads).
//!
//! Every price is computed by `premia_core::quote` in the browser as the person types: no server round
//! trip, and the same figures (byte for byte) as the server's native build.

pub mod app;
pub mod browser;
pub mod health;
pub mod i18n;
pub mod offers;
pub mod options;
pub mod saved;
pub mod state;
pub mod status;
pub mod view;

use std::rc::Rc;

use premia_core::{Catalogue, Lang};
use web_sys::{Element, HtmlElement};

pub use app::{AppProps, Bridge, QuoteApp};
pub use state::{Action, Prefill, QuoteOutcome, Settings, State};

/// How to mount one app.
#[derive(Debug, Clone)]
pub struct MountOptions {
    pub settings: Settings,
    /// The language to start in, unless `remember_lang` finds a remembered one.
    pub lang: Lang,
    pub host: Option<HtmlElement>,
    pub endpoint: Option<String>,
    pub remember_lang: bool,
    /// Keep the form in the tab's `sessionStorage` under this key, so a reload or Back restores it
    /// (never the resident ID number); `None`: nothing is kept.
    pub persist_key: Option<String>,
}

/// A mounted app: send it actions, read its outcome, unmount it.
#[derive(Debug)]
pub struct Mounted {
    handle: Option<yew::AppHandle<QuoteApp>>,
    bridge: Rc<Bridge>,
    catalogue: Rc<Catalogue>,
    settings: Rc<Settings>,
}

impl Mounted {
    pub fn dispatch(&self, action: Action) {
        self.bridge.dispatch(action);
    }

    /// Fill in what a CRM knows (a prefill's JSON), or say what in it this app cannot take.
    pub fn prefill(&self, value: &premia_core::json::Json) -> Result<(), premia_core::Errors> {
        let prefill = Prefill::read(value, &self.catalogue, &self.settings)?;
        self.dispatch(Action::Prefill(Box::new(prefill)));
        Ok(())
    }

    pub fn latest(&self) -> Option<Rc<QuoteOutcome>> {
        self.bridge.latest()
    }

    /// The agent's bearer token for submissions (`None` clears it).
    pub fn set_agent_token(&self, token: Option<String>) {
        self.bridge.set_agent_token(token);
    }

    pub fn unmount(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
    }
}

/// Render the quote app into `root`. Several apps may be mounted on one page; each has its own state.
pub fn mount(root: Element, catalogue: Rc<Catalogue>, options: MountOptions) -> Mounted {
    let lang = if options.remember_lang { browser::remembered_lang().unwrap_or(options.lang) } else { options.lang };
    let bridge = Rc::new(Bridge::default());
    let settings = Rc::new(options.settings);
    let props = AppProps {
        catalogue: catalogue.clone(),
        settings: settings.clone(),
        lang,
        host: options.host,
        endpoint: options.endpoint,
        remember_lang: options.remember_lang,
        persist_key: options.persist_key,
        bridge: bridge.clone(),
    };
    let handle = yew::Renderer::<QuoteApp>::with_root_and_props(root, props).render();
    Mounted { handle: Some(handle), bridge, catalogue, settings }
}
