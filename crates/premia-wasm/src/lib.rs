//! # premia-wasm
//!
//! The one WebAssembly build of Premia (modelled on `ruff_wasm`): a thin wasm-bindgen layer that gives
//! JavaScript the core's functions, and `mount`, which renders the yew quote app (`premia-web`) into an
//! element. The quote site, the `<premia-quote>` widget and the npm package all load this one module.
//!
//! Plain JSON objects go in and out. They cross the boundary as JSON text, read and written by
//! `serde_json` exactly as the native build does, so money stays a decimal string ("9715.00") and a
//! quote made here is byte-identical to one made by the server. Errors are thrown as a JS `Error` named
//! `PremiaError` whose `errors` lists the core's `{code, field, message: {zh, en}}`.
//!
//! The functions are written in plain Rust in [`api`] (tested natively) and exported here. Without the
//! default `api` feature only `mount` and the mounted app are exported: the build the quote site and
//! the widget load, which carries none of the JS API's entry points (`scripts/web-build.sh`).

pub mod api;
pub mod summary;

use premia_core::{Channel, Lang};
use premia_web::{Action, MountOptions, Mounted, Settings};
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement};

use crate::api::ApiError;

/// Every type the API takes or returns, generated from the Rust types by `build.rs`.
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = include_str!(concat!(env!("OUT_DIR"), "/types.d.ts"));

#[wasm_bindgen(typescript_custom_section)]
const TS_API: &str = r#"
/** Thrown by every function on bad input: the core's typed errors, each naming its field. */
export interface PremiaError extends Error {
  name: "PremiaError";
  errors: FieldError[];
}
/** Options of `mount`; the widget passes its attributes here. */
export interface MountOptions {
  /** "zh-CN" (default) or "en". */
  lang?: string;
  /** "direct" (default) or "agent" (then `agentCode` is required). */
  channel?: "direct" | "agent";
  agentCode?: string;
  /** Product codes offered, e.g. ["CI", "MED"] or "CI,MED"; default: every product. */
  products?: string[] | string;
  /** The quote date, "YYYY-MM-DD"; default: today in the insurer's zone (`utcOffset`), never the browser's. */
  quoteDate?: string;
  /** The insurer's UTC offset, "+08:00" (default): what "today" is, wherever the browser is. */
  utcOffset?: string;
  /** Where "submit" POSTs the application `{quote, resident_id}`; default: none (the payload is shown). */
  endpoint?: string;
  /** The element `premia-quote-change` and `premia-submit` are dispatched on. */
  host?: HTMLElement;
  /** Remember the language switch in localStorage (the site does; a widget follows `lang`). */
  rememberLang?: boolean;
  /** Offer "buy online": emits `premia-buy` ({quote, resident_id}) for the page to load the buying module. */
  buy?: boolean;
  /** Keep the form in the tab's sessionStorage under this key across a reload or Back (never the
   * resident ID number); default: nothing is kept. */
  persistKey?: string;
}
"#;

fn throw(error: ApiError) -> JsValue {
    let js = js_sys::Error::new(&error.summary());
    js.set_name("PremiaError");
    let errors = js_sys::JSON::parse(&error.errors_json()).unwrap_or(JsValue::NULL);
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&js, &JsValue::from_str("errors"), &errors);
    js.into()
}

fn to_js(json: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(json)
}

fn to_json(value: &JsValue) -> Result<String, JsValue> {
    let text = js_sys::JSON::stringify(value).map_err(|_| throw(ApiError::not_json()))?;
    text.as_string().ok_or_else(|| throw(ApiError::not_json()))
}

/// Price a request (a plain object shaped like the core's `QuoteRequest`) with the active catalogue.
#[cfg(feature = "api")]
#[wasm_bindgen(unchecked_return_type = "Quote")]
pub fn quote(#[wasm_bindgen(unchecked_param_type = "QuoteRequest")] request: JsValue) -> Result<JsValue, JsValue> {
    to_js(&api::quote_json(&to_json(&request)?).map_err(throw)?)
}

/// `quote` on JSON text, returning JSON text: the exact bytes the native core writes.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = quoteJson)]
pub fn quote_json(request: &str) -> Result<String, JsValue> {
    api::quote_json(request).map_err(throw)
}

/// The active catalogue (the embedded demo unless `loadCatalogue` replaced it), summarised: products
/// with every option they offer, regions, and the catalogue's identity.
#[cfg(feature = "api")]
#[wasm_bindgen(unchecked_return_type = "CatalogueSummary")]
pub fn catalogue() -> Result<JsValue, JsValue> {
    to_js(&api::catalogue_json())
}

/// Load a catalogue in its compiled form (the bytes of `premia catalogue compile catalogue.toml --out
/// catalogue.bin`) and make it the active one. The browser build has no TOML parser and does not
/// validate the catalogue again (it was validated when compiled); the compiled form quotes under the
/// same content hash as its TOML source.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = loadCatalogue, unchecked_return_type = "CatalogueSummary")]
pub fn load_catalogue(compiled: &[u8]) -> Result<JsValue, JsValue> {
    to_js(&api::load_catalogue(compiled).map_err(throw)?)
}

/// The bundles recommended for a person on `date` ("YYYY-MM-DD", default today), ranked, each quoted.
#[cfg(feature = "api")]
#[wasm_bindgen(unchecked_return_type = "Recommendation[]")]
pub fn recommend(
    #[wasm_bindgen(unchecked_param_type = "Profile")] profile: JsValue,
    date: Option<String>,
) -> Result<JsValue, JsValue> {
    let date = date.unwrap_or_else(local_today);
    to_js(&api::recommend_json(&to_json(&profile)?, &date).map_err(throw)?)
}

/// Read a resident ID number (GB 11643): birth date, sex and province, or why it is not valid.
/// `today` is "YYYY-MM-DD" (a birth date after it is an error); default: today in the browser's time zone.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = parseResidentId, unchecked_return_type = "ResidentId")]
pub fn parse_resident_id(number: &str, today: Option<String>) -> Result<JsValue, JsValue> {
    let today = today.unwrap_or_else(local_today);
    to_js(&api::parse_resident_id_json(number, &today).map_err(throw)?)
}

/// Re-price a submitted quote and compare every figure (what the server does before accepting it).
/// `today` is "YYYY-MM-DD"; default: today in the browser's time zone.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = verifyQuote, unchecked_return_type = "Verdict")]
pub fn verify_quote(
    #[wasm_bindgen(unchecked_param_type = "Quote")] quote: JsValue,
    today: Option<String>,
) -> Result<JsValue, JsValue> {
    let today = today.unwrap_or_else(local_today);
    to_js(&api::verify_json(&to_json(&quote)?, &today).map_err(throw)?)
}

/// Today's date in the browser's time zone: the adapter reads the clock, the core never does.
#[cfg(feature = "api")]
fn local_today() -> String {
    let now = js_sys::Date::new_0();
    format!("{:04}-{:02}-{:02}", now.get_full_year(), now.get_month() + 1, now.get_date())
}

/// Today in the insurer's zone (`offset_minutes` east of UTC), from the browser's clock: the page quotes
/// on the insurer's date, not the date of a browser in another zone (the server's today is the same).
fn insurer_today(offset_minutes: i32) -> String {
    // Milliseconds as integers: a timestamp is whole milliseconds, and no float arithmetic is needed.
    let shifted = js_sys::Date::now() as i64 + i64::from(offset_minutes) * 60_000;
    let at = js_sys::Date::new(&JsValue::from_f64(shifted as f64));
    format!("{:04}-{:02}-{:02}", at.get_utc_full_year(), at.get_utc_month() + 1, at.get_utc_date())
}

/// `+08:00`, `-05:30`, `Z` as minutes east of UTC.
fn utc_offset_minutes(text: &str) -> Option<i32> {
    if text == "Z" {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    ((0..=14).contains(&hours) && (0..60).contains(&minutes) && hours.to_string().len() <= 2)
        .then_some(sign * (hours * 60 + minutes))
}

/// A quote app mounted into an element.
#[wasm_bindgen]
#[derive(Debug)]
pub struct QuoteApp {
    mounted: Mounted,
}

#[wasm_bindgen]
impl QuoteApp {
    /// Fill in what is already known: `{ insured: {...}, coverages: [...] }` in the request's spelling.
    /// A product this app does not offer is refused by name (`prefill.coverages[0].product`).
    pub fn prefill(&self, #[wasm_bindgen(unchecked_param_type = "Prefill")] data: JsValue) -> Result<(), JsValue> {
        let prefill = api::parse_json(&to_json(&data)?, "prefill").map_err(throw)?;
        self.mounted.prefill(&prefill).map_err(|errors| throw(errors.into()))
    }

    /// The agent's bearer token (from `premia-server agent issue`), sent as `Authorization` with
    /// agent-channel submissions; `null` or `""` clears it. Given by the host page's script, never read
    /// from an attribute, never emitted in an event.
    #[wasm_bindgen(js_name = setAgentToken)]
    pub fn set_agent_token(&self, token: Option<String>) {
        self.mounted.set_agent_token(token);
    }

    /// Switch the language ("zh-CN" or "en").
    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&self, tag: &str) -> Result<(), JsValue> {
        let lang = premia_web::i18n::parse_tag(tag).ok_or_else(|| throw(ApiError::bad_option("lang", tag)))?;
        self.mounted.dispatch(Action::SetLang(lang));
        Ok(())
    }

    /// `{ quote, errors }` as last rendered.
    #[wasm_bindgen(unchecked_return_type = "{ quote: Quote | null; errors: FieldError[] }")]
    pub fn current(&self) -> Result<JsValue, JsValue> {
        to_js(&premia_web::state::outcome_json(self.mounted.latest().as_deref()))
    }

    /// Unmount the app and free its state.
    pub fn destroy(&mut self) {
        self.mounted.unmount();
    }
}

/// Render the quote app into `root` (an element, e.g. inside a shadow root) with the active catalogue.
#[wasm_bindgen]
pub fn mount(
    root: Element,
    #[wasm_bindgen(unchecked_param_type = "MountOptions | undefined")] options: JsValue,
) -> Result<QuoteApp, JsValue> {
    let options = mount_options(&options)?;
    Ok(QuoteApp { mounted: premia_web::mount(root, api::active_catalogue(), options) })
}

fn get(options: &JsValue, key: &str) -> Option<JsValue> {
    if options.is_undefined() || options.is_null() {
        return None;
    }
    js_sys::Reflect::get(options, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn get_string(options: &JsValue, key: &str) -> Option<String> {
    get(options, key).and_then(|v| v.as_string()).filter(|s| !s.trim().is_empty())
}

fn mount_options(options: &JsValue) -> Result<MountOptions, JsValue> {
    let lang = match get_string(options, "lang") {
        Some(tag) => premia_web::i18n::parse_tag(&tag).ok_or_else(|| throw(ApiError::bad_option("lang", &tag)))?,
        None => Lang::Zh,
    };
    let channel = match get_string(options, "channel").as_deref() {
        None | Some("direct") => Channel::Direct,
        Some("agent") => Channel::Agent { agent_code: get_string(options, "agentCode").unwrap_or_default() },
        Some(other) => return Err(throw(ApiError::bad_option("channel", other))),
    };
    let offered = match get(options, "products") {
        None => None,
        Some(value) => Some(api::product_list(&to_json(&value)?).map_err(throw)?),
    };
    let offset = match get_string(options, "utcOffset") {
        Some(text) => utc_offset_minutes(&text).ok_or_else(|| throw(ApiError::bad_option("utcOffset", &text)))?,
        None => 8 * 60,
    };
    let quote_date = get_string(options, "quoteDate").unwrap_or_else(|| insurer_today(offset));
    let quote_date = api::read_date(&quote_date, "quoteDate").map_err(throw)?;
    let host = get(options, "host").and_then(|v| v.dyn_into::<HtmlElement>().ok());
    Ok(MountOptions {
        // Mounted straight into a page (no host element): the app is the page.
        settings: Settings {
            quote_date,
            channel,
            offered,
            page_heading: host.is_none(),
            buy: get(options, "buy").is_some_and(|v| v.is_truthy()),
        },
        lang,
        host,
        endpoint: get_string(options, "endpoint"),
        remember_lang: get(options, "rememberLang").and_then(|v| v.as_bool()).unwrap_or(false),
        persist_key: get_string(options, "persistKey"),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_offsets_read_as_the_server_writes_them() {
        assert_eq!(super::utc_offset_minutes("+08:00"), Some(480));
        assert_eq!(super::utc_offset_minutes("-05:30"), Some(-330));
        assert_eq!(super::utc_offset_minutes("Z"), Some(0));
        for bad in ["08:00", "+8", "+08:60", "+15:00", "China", ""] {
            assert_eq!(super::utc_offset_minutes(bad), None, "{bad}");
        }
    }
}
