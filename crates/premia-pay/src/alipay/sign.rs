//! Alipay RSA2 signatures (自行实现签名, 自行实现验签, 异步通知验签).
//!
//! - A request is signed by the app over its parameters — every one with a non-empty value except
//!   `sign`, sorted by name, written `name=value` and joined with `&`, values raw (not
//!   URL-encoded) — with SHA256withRSA, base64, sent as `sign` beside `sign_type=RSA2`.
//! - A response is signed by Alipay over the exact text of its `<method>_response` member, as
//!   written in the response (spaces and `\/` escapes kept); the signature is the `sign` member.
//! - An asynchronous notification is signed by Alipay over its parameters as for a request, but
//!   without `sign_type` as well as `sign`.

use std::collections::BTreeMap;

use crate::keys::{BadSignature, SigningKey, VerifyingKey};

/// The signed content of a parameter set: sorted, empty values and `excluded` names left out.
pub fn content(params: &BTreeMap<String, String>, excluded: &[&str]) -> String {
    crate::keys::signed_content(
        params.iter().filter(|(name, value)| !value.is_empty() && !excluded.contains(&name.as_str())),
    )
}

/// Signs request parameters (all but `sign`), returning the `sign` value.
pub fn sign_request(key: &SigningKey, params: &BTreeMap<String, String>) -> String {
    key.sign_base64(content(params, &["sign"]).as_bytes())
}

/// Checks a request's `sign` (what Alipay does; the simulator uses it).
pub fn verify_request(key: &VerifyingKey, params: &BTreeMap<String, String>) -> Result<(), BadSignature> {
    let sign = params.get("sign").ok_or(BadSignature)?;
    key.verify_base64(content(params, &["sign"]).as_bytes(), sign)
}

/// Signs notification parameters (all but `sign` and `sign_type`), what Alipay does.
pub fn sign_notification(key: &SigningKey, params: &BTreeMap<String, String>) -> String {
    key.sign_base64(content(params, &["sign", "sign_type"]).as_bytes())
}

/// Checks a notification's `sign`.
pub fn verify_notification(key: &VerifyingKey, params: &BTreeMap<String, String>) -> Result<(), BadSignature> {
    let sign = params.get("sign").ok_or(BadSignature)?;
    key.verify_base64(content(params, &["sign", "sign_type"]).as_bytes(), sign)
}

/// A response split into the exact text of its response member and its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedResponse<'a> {
    /// The member's name (`alipay_trade_query_response` or `error_response`).
    pub member: String,
    /// Its exact text.
    pub content: &'a str,
    /// `sign`, if present.
    pub sign: Option<String>,
}

/// Splits a response. The member is `<method with _ for .>_response`, or `error_response` when
/// Alipay refused the call before reaching the method.
pub fn split_response<'a>(body: &'a str, method: &str) -> Option<SignedResponse<'a>> {
    let members: BTreeMap<String, &'a serde_json::value::RawValue> = serde_json::from_str(body).ok()?;
    let expected = format!("{}_response", method.replace('.', "_"));
    let (member, raw) = members.get_key_value(expected.as_str()).or_else(|| members.get_key_value("error_response"))?;
    let sign = match members.get("sign") {
        Some(raw) => Some(serde_json::from_str::<String>(raw.get()).ok()?),
        None => None,
    };
    Some(SignedResponse { member: member.clone(), content: raw.get(), sign })
}

/// Writes a signed response (what Alipay does; the simulator uses it): `member` must serialize as
/// a JSON object.
pub fn sign_response(key: &SigningKey, method: &str, member: &str) -> String {
    let sign = key.sign_base64(member.as_bytes());
    let name = format!("{}_response", method.replace('.', "_"));
    format!(r#"{{"{name}":{member},"sign":{}}}"#, serde_json::Value::String(sign))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn content_is_sorted_raw_and_skips_empty_and_excluded() {
        // The shape of the example in 自行实现签名: sorted, raw values, sign_type kept for requests.
        let p = params(&[
            ("method", "alipay.trade.precreate"),
            ("app_id", "2014072300007148"),
            ("biz_content", r#"{"out_trade_no":"20150320010101001","total_amount":"88.88"}"#),
            ("charset", "utf-8"),
            ("sign_type", "RSA2"),
            ("timestamp", "2014-07-24 03:07:50"),
            ("version", "1.0"),
            ("notify_url", ""),
            ("sign", "ignored"),
        ]);
        assert_eq!(
            content(&p, &["sign"]),
            r#"app_id=2014072300007148&biz_content={"out_trade_no":"20150320010101001","total_amount":"88.88"}&charset=utf-8&method=alipay.trade.precreate&sign_type=RSA2&timestamp=2014-07-24 03:07:50&version=1.0"#
        );
    }

    /// A genuine Alipay `trade_status_sync` notification and the public key that verifies it,
    /// published in Alipay's own SDK tests (alipay-sdk-nodejs-all, `test/alipay.test.ts`,
    /// "verify sign should delete sign_type").
    fn published_notification() -> BTreeMap<String, String> {
        params(&[
            ("gmt_create", "2019-08-15 15:56:22"),
            ("charset", "utf-8"),
            ("seller_email", "z97-yuquerevenue@service.aliyun.com"),
            ("subject", "语雀空间 500人规模"),
            (
                "sign",
                "QfTb8tqE1BMhS5qAnXtvsF3/jBkEvu9q9en0pdbBUDDjvKycZhQb7h8GDs4FKfi049PynaNuatxSgLb/nLWZpXyyh0LEWdK2S6Ri7nPwrVgOs08zugLO20vOQz44y3ti2Ncm8/wZts1Fr2gZ7pShnVX3d1B50hbsXnObT1r/U8ONNQjWXd0HIul4TG+Q3fm3svmSvFEy0WnzuhcyHPX5Gm4ELNctL6Qd5YniGJFNcc7kopHYtI/XD9YCKCH6Ct02rzUs9i11C9CsadtZn+WhxF26Dqt9sGEFajkJ8cxUTLi8+VCpLHsgPE8P0y095uQcDdK0YjCh4x7wVSov+lrmOQ==",
            ),
            ("buyer_id", "2088102534368455"),
            ("invoice_amount", "0.10"),
            ("notify_id", "2019081500222155624068450559358070"),
            ("fund_bill_list", r#"[{"amount":"0.10","fundChannel":"ALIPAYACCOUNT"}]"#),
            ("notify_type", "trade_status_sync"),
            ("trade_status", "TRADE_SUCCESS"),
            ("receipt_amount", "0.10"),
            ("buyer_pay_amount", "0.10"),
            ("sign_type", "RSA2"),
            ("app_id", "2019073166072302"),
            ("seller_id", "2088531891668739"),
            ("gmt_payment", "2019-08-15 15:56:24"),
            ("notify_time", "2019-08-15 15:56:25"),
            ("version", "1.0"),
            ("out_trade_no", "20190815155618536-564-57"),
            ("total_amount", "0.10"),
            ("trade_no", "2019081522001468450512505578"),
            ("auth_app_id", "2019073166072302"),
            ("buyer_logon_id", "xud***@126.com"),
            ("point_amount", "0.00"),
        ])
    }

    pub(crate) const PUBLISHED_NOTIFY_KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqObrdC7hrgAVM98tK0nv3hSQRGGKT4lBsQjHiGjeYZjOPIPHR5knm2jnnz/YGIXIofVHkA/tAlBAd5DrY7YpvI4tP5EONLtZKC2ghBMx7McI2wRD0xiqzxOQr1FuhZGJ8/AUokBzJrzY+aGX2xcOrxFYRlFilvVLTXg4LWjR1tdPkO6+i7wQZAIVMClPkwVRZEbaERRHlKqTzv2gGv5rDU8gRoe1LeaN+6BlbTqHWkQcNCUNrA8C6l17XAXGKDsm/9TFWwO8EPHHHCaQdjtV5/FdcWIt+L8SR1ss7EXTjYDFtxcKVv9rEoY1lX8T4mX+GbXfZHraG5NCF1+XioL5JwIDAQAB";

    #[test]
    fn a_published_alipay_notification_verifies() {
        let key = VerifyingKey::from_pem(PUBLISHED_NOTIFY_KEY).expect("Alipay's published key");
        let notification = published_notification();
        assert_eq!(verify_notification(&key, &notification), Ok(()));
        // Without sign_type (it is not signed) it still verifies.
        let mut without = notification.clone();
        without.remove("sign_type");
        assert_eq!(verify_notification(&key, &without), Ok(()));
    }

    #[test]
    fn a_tampered_alipay_notification_does_not_verify() {
        let key = VerifyingKey::from_pem(PUBLISHED_NOTIFY_KEY).expect("Alipay's published key");
        for (field, value) in [("total_amount", "1000.10"), ("trade_status", "TRADE_FINISHED"), ("out_trade_no", "x")] {
            let mut tampered = published_notification();
            tampered.insert(field.to_owned(), value.to_owned());
            assert_eq!(verify_notification(&key, &tampered), Err(BadSignature), "{field}");
        }
        let mut added = published_notification();
        added.insert("refund_fee".into(), "0.10".into());
        assert_eq!(verify_notification(&key, &added), Err(BadSignature));
        let mut unsigned = published_notification();
        unsigned.remove("sign");
        assert_eq!(verify_notification(&key, &unsigned), Err(BadSignature));
    }

    #[test]
    fn the_response_member_is_taken_verbatim() {
        // Alipay's SDK test of getSignStr: the member's exact text, `\/` escapes and all, even with
        // whitespace around it and a `sign` member inside it.
        let body = "{\"alipay_offline_material_image_upload_response\"\n  :\n  {\"code\":\"10000\",\"sign\":\"xxx\",\"msg\":\"Success\",\"image_url\":\"http:\\/\\/oalipay-dl-django.alicdn.com\"},\n\n \"sign\"  :  \"P8xr==\"}";
        let split = split_response(body, "alipay.offline.material.image.upload").expect("splits");
        assert_eq!(split.member, "alipay_offline_material_image_upload_response");
        assert_eq!(
            split.content,
            "{\"code\":\"10000\",\"sign\":\"xxx\",\"msg\":\"Success\",\"image_url\":\"http:\\/\\/oalipay-dl-django.alicdn.com\"}"
        );
        assert_eq!(split.sign.as_deref(), Some("P8xr=="));
        let error = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id"}}"#;
        let split = split_response(error, "alipay.trade.query").expect("splits");
        assert_eq!((split.member.as_str(), split.sign), ("error_response", None));
        assert!(split_response("not json", "alipay.trade.query").is_none());
    }

    #[test]
    fn signed_responses_round_trip() {
        let key = crate::keys::tests::test_key();
        let body = sign_response(key, "alipay.trade.close", r#"{"code":"10000","msg":"Success"}"#);
        let split = split_response(&body, "alipay.trade.close").expect("splits");
        let sign = split.sign.expect("signed");
        assert_eq!(key.verifying_key().verify_base64(split.content.as_bytes(), &sign), Ok(()));
    }
}
