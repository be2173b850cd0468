//! The DOM I/O the buying app needs beyond the quote app's (`premia_web::browser`: fetch, events,
//! storage, timers): the device's clock for a confirmation, and where the page is.

use premia_core::Text;
use sha2::{Digest, Sha256};

/// Now on the person's device, RFC 3339 (UTC): when they confirmed a document.
pub fn now_rfc3339() -> String {
    js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default()
}

/// The address of the page the app is on: where a provider's cashier sends the person back to.
pub fn here() -> Option<String> {
    web_sys::window()?.location().href().ok()
}

/// Go to `url` (a provider's cashier).
pub fn go(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}

/// A document's text from `GET /api/documents/{sha256}`, shown only if its hash is the one the
/// catalogue lists (the hash is what the person confirms).
pub fn document_text(status: u16, body: &str, sha256: &str) -> Result<String, Text> {
    let unavailable =
        Text::fixed("文件暂时无法加载，请稍后重试。", "The document could not be loaded: try again shortly.");
    if status != 200 {
        return Err(unavailable);
    }
    let value: serde_json::Value = serde_json::from_str(body).map_err(|_| unavailable.clone())?;
    let text = value.get("text").and_then(|t| t.as_str()).ok_or(unavailable)?;
    if premia_core::digest::hex(&Sha256::digest(text.as_bytes())) != sha256 {
        return Err(Text::fixed(
            "文件内容与目录所列版本不符，未予显示。",
            "The document is not the version listed: not shown.",
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_shown_only_with_the_hash_listed() {
        let text = "投保须知";
        let sha = premia_core::digest::hex(&Sha256::digest(text.as_bytes()));
        let body = serde_json::json!({ "text": text }).to_string();
        assert_eq!(document_text(200, &body, &sha).unwrap(), text);
        assert!(document_text(200, &body, &"0".repeat(64)).is_err());
        assert!(document_text(404, &body, &sha).is_err());
    }
}
