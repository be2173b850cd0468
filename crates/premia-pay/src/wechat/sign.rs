//! WeChat Pay API v3 signatures (签名生成, 签名验证) and the notification resource's AEAD
//! (证书和回调报文解密).
//!
//! - A request is signed by the merchant over `METHOD\nURL\ntimestamp\nnonce\nbody\n`, where URL is
//!   the path with its query string; the signature travels in
//!   `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`.
//! - A response and a notification are signed by WeChat Pay over `timestamp\nnonce\nbody\n`, with
//!   `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature` and `Wechatpay-Serial` (the
//!   platform key's id) headers. The timestamp must be within five minutes.
//! - JSAPI parameters are signed by the merchant over `appId\ntimeStamp\nnonceStr\npackage\n`.
//! - A notification's `resource` is AEAD_AES_256_GCM under the 32-byte APIv3 key, with the
//!   resource's 12-character `nonce` and its `associated_data`; the 16-byte tag follows the
//!   ciphertext, all base64.

use std::fmt;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::keys::{BadSignature, SigningKey, VerifyingKey, nonce};

/// The authentication scheme in `Authorization` and `Wechatpay-Signature-Type`.
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";
/// The notification resource's algorithm.
pub const AEAD_ALGORITHM: &str = "AEAD_AES_256_GCM";
/// How far a response's or notification's timestamp may be from now.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// Header names WeChat Pay signs its answers with.
pub mod header {
    /// Seconds since the epoch.
    pub const TIMESTAMP: &str = "wechatpay-timestamp";
    /// Random text.
    pub const NONCE: &str = "wechatpay-nonce";
    /// base64 SHA256withRSA.
    pub const SIGNATURE: &str = "wechatpay-signature";
    /// The platform key's id (`PUB_KEY_ID_…`) or certificate serial.
    pub const SERIAL: &str = "wechatpay-serial";
    /// `WECHATPAY2-SHA256-RSA2048`.
    pub const SIGNATURE_TYPE: &str = "wechatpay-signature-type";
}

/// The message a request signature covers.
pub fn request_message(method: &str, path_and_query: &str, timestamp: i64, nonce: &str, body: &str) -> String {
    format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n{body}\n")
}

/// The message a response or notification signature covers.
pub fn answer_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for part in [timestamp.as_bytes(), b"\n", nonce.as_bytes(), b"\n", body, b"\n"] {
        message.extend_from_slice(part);
    }
    message
}

/// The message a JSAPI `paySign` covers.
pub fn jsapi_message(app_id: &str, time_stamp: &str, nonce_str: &str, package: &str) -> String {
    format!("{app_id}\n{time_stamp}\n{nonce_str}\n{package}\n")
}

/// The parts of an `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    /// Merchant id.
    pub mchid: String,
    /// Random text.
    pub nonce_str: String,
    /// base64 signature.
    pub signature: String,
    /// Seconds since the epoch.
    pub timestamp: i64,
    /// The merchant certificate's serial number.
    pub serial_no: String,
}

impl Authorization {
    /// Signs a request: `method`, the URL's path and query, and the exact body sent.
    pub fn sign(
        key: &SigningKey,
        mchid: &str,
        serial_no: &str,
        method: &str,
        path_and_query: &str,
        body: &str,
        timestamp: i64,
    ) -> Authorization {
        let nonce_str = nonce(32);
        let signature =
            key.sign_base64(request_message(method, path_and_query, timestamp, &nonce_str, body).as_bytes());
        Authorization { mchid: mchid.to_owned(), nonce_str, signature, timestamp, serial_no: serial_no.to_owned() }
    }

    /// Reads the header (the parameters may come in any order).
    pub fn parse(value: &str) -> Option<Authorization> {
        let params = value.strip_prefix(SCHEME)?.strip_prefix(' ')?;
        let (mut mchid, mut nonce_str, mut signature, mut timestamp, mut serial_no) = (None, None, None, None, None);
        for param in params.split(',') {
            let (name, quoted) = param.trim().split_once('=')?;
            let value = quoted.strip_prefix('"')?.strip_suffix('"')?.to_owned();
            let slot = match name {
                "mchid" => &mut mchid,
                "nonce_str" => &mut nonce_str,
                "signature" => &mut signature,
                "timestamp" => &mut timestamp,
                "serial_no" => &mut serial_no,
                _ => return None,
            };
            if slot.replace(value).is_some() {
                return None;
            }
        }
        Some(Authorization {
            mchid: mchid?,
            nonce_str: nonce_str?,
            signature: signature?,
            timestamp: timestamp?.parse().ok()?,
            serial_no: serial_no?,
        })
    }

    /// Checks the signature against the request as received.
    pub fn verify(
        &self,
        key: &VerifyingKey,
        method: &str,
        path_and_query: &str,
        body: &str,
    ) -> Result<(), BadSignature> {
        let message = request_message(method, path_and_query, self.timestamp, &self.nonce_str, body);
        key.verify_base64(message.as_bytes(), &self.signature)
    }
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            r#"{SCHEME} mchid="{}",nonce_str="{}",signature="{}",timestamp="{}",serial_no="{}""#,
            self.mchid, self.nonce_str, self.signature, self.timestamp, self.serial_no
        )
    }
}

/// Why a signed answer (response or notification) is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerRefused {
    /// A header is missing.
    Missing(&'static str),
    /// Signed by another key id.
    UnknownKey(String),
    /// The timestamp is not a number or too far from now.
    Stale(i64),
    /// The signature does not verify.
    BadSignature,
}

/// Checks the signature of an answer from WeChat Pay (a response or a notification) against the
/// platform key, whose id the `Wechatpay-Serial` header must name.
pub fn verify_answer(
    headers: &http::HeaderMap,
    body: &[u8],
    key: &VerifyingKey,
    key_id: &str,
    now: i64,
) -> Result<(), AnswerRefused> {
    let get = |name: &'static str| headers.get(name).and_then(|v| v.to_str().ok()).ok_or(AnswerRefused::Missing(name));
    let serial = get(header::SERIAL)?;
    if serial != key_id {
        return Err(AnswerRefused::UnknownKey(serial.to_owned()));
    }
    let timestamp = get(header::TIMESTAMP)?;
    let seconds: i64 = timestamp.parse().map_err(|_| AnswerRefused::Stale(i64::MIN))?;
    if (now - seconds).abs() > MAX_SKEW_SECONDS {
        return Err(AnswerRefused::Stale(seconds));
    }
    let nonce = get(header::NONCE)?;
    let signature = get(header::SIGNATURE)?;
    key.verify_base64(&answer_message(timestamp, nonce, body), signature).map_err(|_| AnswerRefused::BadSignature)
}

/// Signs an answer (what WeChat Pay does; the simulator uses it): the four headers.
pub fn sign_answer(key: &SigningKey, key_id: &str, body: &[u8], timestamp: i64) -> [(&'static str, String); 5] {
    let nonce = nonce(32);
    let signature = key.sign_base64(&answer_message(&timestamp.to_string(), &nonce, body));
    [
        (header::TIMESTAMP, timestamp.to_string()),
        (header::NONCE, nonce),
        (header::SIGNATURE, signature),
        (header::SERIAL, key_id.to_owned()),
        (header::SIGNATURE_TYPE, SCHEME.to_owned()),
    ]
}

/// The APIv3 key: 32 bytes the merchant sets in the merchant platform.
#[derive(Clone)]
pub struct ApiV3Key([u8; 32]);

impl fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV3Key(…)")
    }
}

/// The APIv3 key is not 32 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadApiV3Key;

/// The resource does not decrypt (altered, wrong key, wrong nonce or associated data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecryptFailed;

impl ApiV3Key {
    /// The key as the merchant platform shows it: 32 ASCII characters.
    pub fn new(text: &str) -> Result<ApiV3Key, BadApiV3Key> {
        let bytes: [u8; 32] = text.as_bytes().try_into().map_err(|_| BadApiV3Key)?;
        Ok(ApiV3Key(bytes))
    }

    /// A random key of 32 alphanumeric characters (the simulator).
    pub fn generate() -> ApiV3Key {
        ApiV3Key::new(&nonce(32)).expect("32 ASCII characters")
    }

    /// The key's text, for writing a configuration file.
    pub fn expose(&self) -> &str {
        std::str::from_utf8(&self.0).expect("made from text")
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.0.into())
    }

    /// Decrypts a resource: base64 `ciphertext` (tag appended), its `nonce` and
    /// `associated_data`.
    pub fn decrypt(&self, nonce: &str, associated_data: &str, ciphertext: &str) -> Result<Vec<u8>, DecryptFailed> {
        let nonce: [u8; 12] = nonce.as_bytes().try_into().map_err(|_| DecryptFailed)?;
        let ciphertext = BASE64.decode(ciphertext).map_err(|_| DecryptFailed)?;
        let payload = Payload { msg: &ciphertext, aad: associated_data.as_bytes() };
        self.cipher().decrypt(&nonce.into(), payload).map_err(|_| DecryptFailed)
    }

    /// Encrypts a resource (what WeChat Pay does; the simulator uses it): base64 ciphertext with
    /// the tag appended. `nonce` must be 12 bytes.
    pub fn encrypt(&self, nonce: &str, associated_data: &str, plaintext: &[u8]) -> String {
        let nonce: [u8; 12] = nonce.as_bytes().try_into().expect("a 12-byte nonce");
        let payload = Payload { msg: plaintext, aad: associated_data.as_bytes() };
        BASE64.encode(self.cipher().encrypt(&nonce.into(), payload).expect("AES-GCM encryption"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::tests::test_key;

    #[test]
    fn the_request_message_is_the_documented_five_lines() {
        // 签名生成, 第六步: the example of the document, for the certificate download.
        let message = request_message("GET", "/v3/certificates", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", "");
        assert_eq!(message, "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n");
    }

    #[test]
    fn aead_matches_wechat_pays_published_vector() {
        // wechatpay-java, core/src/test/.../cipher/AeadAesCipherTest.java and TestConfig.API_V3_KEY.
        let key = ApiV3Key::new("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").expect("32 bytes");
        let ciphertext = "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=";
        assert_eq!(key.encrypt("uluk4a9R25RW", "associatedData", b"message"), ciphertext);
        assert_eq!(key.decrypt("uluk4a9R25RW", "associatedData", ciphertext), Ok(b"message".to_vec()));
    }

    #[test]
    fn tampered_resources_do_not_decrypt() {
        let key = ApiV3Key::new("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").expect("32 bytes");
        let good = "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=";
        let mut bytes = BASE64.decode(good).expect("base64");
        bytes[0] ^= 1;
        let flipped = BASE64.encode(&bytes);
        assert_eq!(key.decrypt("uluk4a9R25RW", "associatedData", &flipped), Err(DecryptFailed));
        assert_eq!(key.decrypt("uluk4a9R25RX", "associatedData", good), Err(DecryptFailed));
        assert_eq!(key.decrypt("uluk4a9R25RW", "associatedDatb", good), Err(DecryptFailed));
        assert_eq!(key.decrypt("short", "associatedData", good), Err(DecryptFailed));
        assert_eq!(key.decrypt("uluk4a9R25RW", "associatedData", "!!"), Err(DecryptFailed));
        let other = ApiV3Key::new("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gc").expect("32 bytes");
        assert_eq!(other.decrypt("uluk4a9R25RW", "associatedData", good), Err(DecryptFailed));
        assert_eq!(ApiV3Key::new("too short").err(), Some(BadApiV3Key));
    }

    #[test]
    fn authorization_round_trips_and_covers_the_request() {
        let key = test_key();
        let auth =
            Authorization::sign(key, "1900009191", "SERIAL1", "POST", "/v3/pay/transactions/native", "{}", 1554208460);
        let header = auth.to_string();
        assert!(header.starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\""));
        let parsed = Authorization::parse(&header).expect("parses");
        assert_eq!(parsed, auth);
        let public = key.verifying_key();
        assert_eq!(parsed.verify(&public, "POST", "/v3/pay/transactions/native", "{}"), Ok(()));
        assert!(parsed.verify(&public, "POST", "/v3/pay/transactions/native", "{ }").is_err());
        assert!(parsed.verify(&public, "GET", "/v3/pay/transactions/native", "{}").is_err());
        assert!(Authorization::parse("WECHATPAY2-SHA256-RSA2048 mchid=\"1\"").is_none());
        assert!(Authorization::parse(&header.replace("mchid", "mchid=\"2\",mchid")).is_none());
    }

    #[test]
    fn answers_verify_only_unaltered_recent_and_from_the_named_key() {
        let key = test_key();
        let public = key.verifying_key();
        let body = br#"{"code_url":"weixin://wxpay/bizpayurl?pr=abc"}"#;
        let mut headers = http::HeaderMap::new();
        for (name, value) in sign_answer(key, "PUB_KEY_ID_1", body, 1_700_000_000) {
            headers.insert(name, value.parse().expect("header"));
        }
        assert_eq!(verify_answer(&headers, body, &public, "PUB_KEY_ID_1", 1_700_000_100), Ok(()));
        assert_eq!(
            verify_answer(&headers, b"{}", &public, "PUB_KEY_ID_1", 1_700_000_100),
            Err(AnswerRefused::BadSignature)
        );
        assert_eq!(
            verify_answer(&headers, body, &public, "PUB_KEY_ID_2", 1_700_000_100),
            Err(AnswerRefused::UnknownKey("PUB_KEY_ID_1".into()))
        );
        assert_eq!(
            verify_answer(&headers, body, &public, "PUB_KEY_ID_1", 1_700_000_301),
            Err(AnswerRefused::Stale(1_700_000_000))
        );
        headers.remove(header::NONCE);
        assert_eq!(
            verify_answer(&headers, body, &public, "PUB_KEY_ID_1", 1_700_000_000),
            Err(AnswerRefused::Missing(header::NONCE))
        );
    }
}
