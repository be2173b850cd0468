//! UnionPay 全渠道 5.1.0 signatures (`signMethod` 01): the message's fields except `signature`,
//! sorted by name, written `name=value` and joined with `&`; its SHA-256 in lower-case hex; and
//! SHA256withRSA over that hex text, base64. Requests are signed with the merchant's signing key
//! (whose certificate serial goes in `certId`), answers and notifications with UnionPay's, whose
//! certificate travels in `signPubKeyCert`.

use std::collections::BTreeMap;

use rsa::sha2::{Digest, Sha256};

use crate::keys::{BadSignature, SigningKey, VerifyingKey};

/// The signed content: every field but `signature`, sorted.
pub fn content(fields: &BTreeMap<String, String>) -> String {
    crate::keys::signed_content(fields.iter().filter(|(name, _)| *name != "signature"))
}

/// SHA-256 of the content, lower-case hex: what is actually signed.
pub fn digest_hex(fields: &BTreeMap<String, String>) -> String {
    hex::encode(Sha256::digest(content(fields).as_bytes()))
}

/// The `signature` value for these fields.
pub fn sign(key: &SigningKey, fields: &BTreeMap<String, String>) -> String {
    key.sign_base64(digest_hex(fields).as_bytes())
}

/// Checks the fields' `signature` with `key`.
pub fn verify(key: &VerifyingKey, fields: &BTreeMap<String, String>) -> Result<(), BadSignature> {
    let signature = fields.get("signature").ok_or(BadSignature)?;
    key.verify_base64(digest_hex(fields).as_bytes(), signature)
}

/// Reads an answer of `backTransReq.do` or `queryTrans.do`: `name=value&…`, not URL-encoded, a
/// value in braces may hold `&` and `=` (reserved fields), `=` inside a value is kept (base64,
/// PEM). The same as UnionPay's SDK `convertResultStringToMap`.
pub fn parse_answer(text: &str) -> Option<BTreeMap<String, String>> {
    let mut fields = BTreeMap::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=')?;
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '{' | '[' => depth += 1,
                '}' | ']' => depth = depth.saturating_sub(1),
                '&' if depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        if name.is_empty() || fields.insert(name.to_owned(), after[..end].to_owned()).is_some() {
            return None;
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    Some(fields)
}

/// Writes an answer in that format (what UnionPay does; the simulator uses it).
pub fn write_answer(fields: &BTreeMap<String, String>) -> String {
    fields.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> BTreeMap<String, String> {
        parse_answer(text).expect("parses")
    }

    #[test]
    fn the_digest_matches_unionpays_sdk_log() {
        // UnionPay's PHP SDK (acp_service.php) logs the string it signs and its sha256 digest
        // ("签名key=val&...串", "摘要sha256x16"); this pair is from such a log of a 5.1.0 gateway
        // consume, empty certId and merId and all.
        let signed = "accessType=0&backUrl=http://my.com/api/pay/unionpay/callback&bizType=000201&certId=&channelType=08&currencyCode=156&encoding=utf-8&frontUrl=http://my.com/api/unionpay/return.html&merId=&orderId=1659678893&payTimeout=20220805140953&signMethod=01&txnAmt=1&txnSubType=01&txnTime=20220805135453&txnType=01&version=5.1.0";
        let parsed = fields(signed);
        assert_eq!(content(&parsed), signed);
        assert_eq!(digest_hex(&parsed), "85d517d645517935ec644e8803ec7623e045383706987017c1b92e727af2344b");
    }

    #[test]
    fn signatures_cover_every_field() {
        let key = crate::keys::tests::test_key();
        let mut message = fields("orderId=20240101000001&txnAmt=100&txnType=01&respCode=00");
        let signature = sign(key, &message);
        message.insert("signature".into(), signature);
        assert_eq!(verify(&key.verifying_key(), &message), Ok(()));
        for (field, value) in [("txnAmt", "1000"), ("respCode", "01"), ("extra", "x")] {
            let mut tampered = message.clone();
            tampered.insert(field.into(), value.into());
            assert_eq!(verify(&key.verifying_key(), &tampered), Err(BadSignature), "{field}");
        }
    }

    #[test]
    fn answers_parse_with_braces_and_equals_signs() {
        let parsed =
            fields("a=1&reserved={x=1&y=2}&cert=-----BEGIN CERTIFICATE-----\nMII+/=\n-----END CERTIFICATE-----&b=");
        assert_eq!(parsed["reserved"], "{x=1&y=2}");
        assert_eq!(parsed["cert"], "-----BEGIN CERTIFICATE-----\nMII+/=\n-----END CERTIFICATE-----");
        assert_eq!(parsed["b"], "");
        assert_eq!(parse_answer(&write_answer(&parsed)), Some(parsed));
        assert!(parse_answer("a=1&a=2").is_none());
        assert!(parse_answer("novalue").is_none());
    }
}
