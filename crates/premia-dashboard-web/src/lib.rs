//! # premia-dashboard-web
//!
//! The premium dashboard page at `/dashboard/` (zh-CN and English), for managers and analysts: the key
//! figures with 环比, 同比 and targets; the trend; the 期缴/趸交 split; channels, products, lines,
//! provinces ranked, agents ranked, quote conversion; every table with its CSV, the workbook, print; a
//! live stream that moves the figures within a second of a new application or a desk decision.
//!
//! A yew app like the desk's — a pure reducer ([`state`]) and the chart options ([`charts`]) tested
//! natively, thin views ([`view`]), effects ([`app`]), I/O ([`browser`], [`echarts`]) — over
//! `premia_dashboard`'s wire types. The charts are Apache ECharts (npm, `echarts.common.min.js`, served
//! beside the page): their options are JSON, so they are built here as data and tested like the rest;
//! the only JavaScript the page runs is ECharts itself.
//!
//! **Architecture Invariant:** its own WebAssembly module (`scripts/dashboard-build.sh` →
//! `crates/premia-dashboard-web/dist`); every figure is the server's (`premia_dashboard::build`): the
//! page formats, it never computes one.

pub mod app;
pub mod browser;
pub mod charts;
pub mod echarts;
pub mod format;
pub mod state;
pub mod view;

/// Mount the dashboard into the page's `#dashboard` element (the start of the module).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("dashboard"));
    if let Some(root) = root {
        yew::Renderer::<app::App>::with_root(root).render();
    }
}
