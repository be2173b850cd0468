//! Discounts (保费优惠): campaign codes, signed vouchers (抵用券) and referral codes (转介绍), and
//! bundle discounts — all filed rules in the catalogue, stacked in the catalogue's order and held under
//! a regulatory cap (Insurance Law art. 116/131 forbid rebates outside the contract).
//!
//! Vouchers and referral codes are **signed tokens**: `PV1.<claims>.<signature>`, both parts base64url,
//! the signature Ed25519 over `PV1.<claims>` by the insurer's key, verified against the public key in
//! the catalogue. The browser can therefore show a discount at once, and a forged or altered code is
//! refused everywhere. A token names a series defined in the catalogue (amount, minimum, products); the
//! token itself carries only identity and expiry. Single use is the server's job: a quote lists the
//! coupons it used.

use std::collections::HashMap;
use std::sync::RwLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use super::CouponKind;
use crate::error::ErrorKind;
use crate::text::Text;

/// Whether a percentage discount applies to the first year's premium or to every year's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    FirstYear,
    EveryYear,
}

impl AppliesTo {
    pub const ALL: [AppliesTo; 2] = crate::variants::every_variant!(AppliesTo { FirstYear, EveryYear });
}

/// Which payment types a discount allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentType {
    #[default]
    Any,
    /// Regular premium (期缴) only.
    Regular,
    /// Single premium (趸交) only.
    Single,
}

impl PaymentType {
    pub const ALL: [PaymentType; 3] = crate::variants::every_variant!(PaymentType { Any, Regular, Single });
}

/// When, where and for what a discount may be used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Eligibility {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Product codes; empty means every product.
    pub products: Vec<String>,
    /// Channel names (`direct`, `agent`); empty means every channel.
    pub channels: Vec<String>,
    pub payment: PaymentType,
}

/// A percentage discount: a campaign (entered by its code) or a referral series (used by a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PercentRule {
    pub id: String,
    pub name: Text,
    pub percent: Decimal,
    pub applies_to: AppliesTo,
    pub eligible: Eligibility,
    /// Referral series: how many applications one referral code may bring (each credits its referrer;
    /// the server counts them). Required for referrals, absent for campaigns.
    pub max_uses: Option<u32>,
}

/// A fixed-amount voucher series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherSeries {
    pub id: String,
    pub name: Text,
    pub amount: Decimal,
    pub min_premium: Decimal,
    pub eligible: Eligibility,
}

/// The catalogue's discount rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponRules {
    /// Tokens already verified against `public_key`.
    pub(crate) verified: TokenCache,
    pub public_key: Option<VerifyingKey>,
    /// Total discount ≤ this share of the gross premium (first year, and over the payment terms).
    pub cap: Decimal,
    /// Stacking order: discounts earlier in it are applied first, so the cap trims later ones.
    pub order: Vec<CouponKind>,
    pub campaigns: Vec<PercentRule>,
    pub referrals: Vec<PercentRule>,
    pub vouchers: Vec<VoucherSeries>,
}

impl Default for CouponRules {
    fn default() -> Self {
        CouponRules {
            verified: TokenCache::default(),
            public_key: None,
            cap: Decimal::ZERO,
            order: vec![CouponKind::Bundle, CouponKind::Campaign, CouponKind::Referral, CouponKind::Voucher],
            campaigns: Vec::new(),
            referrals: Vec::new(),
            vouchers: Vec::new(),
        }
    }
}

/// What a signed token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The catalogue id the token was issued for.
    pub catalogue: String,
    pub kind: TokenKind,
    /// The voucher or referral series in the catalogue.
    pub series: String,
    /// Unique id of this token: what the server redeems once.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    /// For referral codes: the existing customer who refers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Voucher,
    Referral,
}

impl TokenKind {
    pub const ALL: [TokenKind; 2] = crate::variants::every_variant!(TokenKind { Voucher, Referral });

    pub fn name(self) -> &'static str {
        match self {
            TokenKind::Voucher => "voucher",
            TokenKind::Referral => "referral",
        }
    }
}

const TOKEN_PREFIX: &str = "PV1.";

/// Sign `claims` with `key` into a token.
pub fn issue(claims: &Claims, key: &SigningKey) -> String {
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let signed = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(payload));
    let signature = key.sign(signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// Whether `text` is written as a signed token (rather than a campaign code).
pub fn is_token(text: &str) -> bool {
    text.starts_with(TOKEN_PREFIX)
}

/// Read and verify a token. A token is rejected as malformed if it cannot be decoded, and as forged if
/// its signature does not verify against `key`.
pub fn verify_token(token: &str, key: Option<&VerifyingKey>) -> Result<Claims, ErrorKind> {
    verify(token, key).map_err(TokenError::kind)
}

/// Why a token is refused: the two ways a token can fail, small enough to keep in the cache and copy
/// out of it (an `ErrorKind` would need its general `Clone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenError {
    Malformed,
    Forged,
}

impl TokenError {
    fn kind(self) -> ErrorKind {
        match self {
            TokenError::Malformed => ErrorKind::CouponMalformed,
            TokenError::Forged => ErrorKind::CouponBadSignature,
        }
    }
}

fn verify(token: &str, key: Option<&VerifyingKey>) -> Result<Claims, TokenError> {
    use TokenError::{Forged, Malformed};
    let (signed, signature) = token.rsplit_once('.').ok_or(Malformed)?;
    let payload = signed.strip_prefix(TOKEN_PREFIX).ok_or(Malformed)?;
    let signature = base64url_decode(signature).ok_or(Malformed)?;
    let signature = Signature::from_slice(&signature).map_err(|_| Malformed)?;
    let key = key.ok_or(Forged)?;
    key.verify(signed.as_bytes(), &signature).map_err(|_| Forged)?;
    let payload = base64url_decode(payload).ok_or(Malformed)?;
    let payload = std::str::from_utf8(&payload).map_err(|_| Malformed)?;
    let claims = crate::wire::json::parse(payload).map_err(|_| Malformed)?;
    read_claims(&claims).ok_or(Malformed)
}

/// base64url without padding, as tokens write both parts, read as strictly as the `base64` crate's
/// `URL_SAFE_NO_PAD` that writes them (no padding, no other alphabet, no stray bits in the last
/// character; a test holds the two together). A few lines instead of that crate's general decoder,
/// which the browser build would otherwise carry only for this.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        Some(u32::from(value))
    }
    let text = text.as_bytes();
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for chunk in text.chunks(4) {
        let mut bits = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            bits |= sextet(c)? << (18 - 6 * i);
        }
        // Four characters make three bytes, three make two, two make one; the bits left over in a
        // short last chunk must be zero, as a canonical encoder writes them.
        let bytes = chunk.len() - 1;
        if bits & ((1 << (24 - 8 * bytes)) - 1) != 0 {
            return None;
        }
        out.extend((0..bytes).map(|k| (bits >> (16 - 8 * k)) as u8));
    }
    Some(out)
}

/// The claims of a token, read as strictly as their `Deserialize` (with the core's reader, which the
/// browser build carries anyway).
fn read_claims(value: &crate::wire::json::Json) -> Option<Claims> {
    use crate::wire::reader::Reader;
    const FIELDS: &[&str] = &["catalogue", "kind", "series", "id", "expires", "referrer"];
    let mut r = Reader::new();
    let claims = r.object(value, "", FIELDS).and_then(|object| {
        let catalogue = r.required(object, "", "catalogue", Reader::string);
        let kinds = TokenKind::ALL.map(|kind| (kind.name(), kind));
        let kind = r.required(object, "", "kind", |r, v, p| r.one_of(v, p, &kinds));
        let series = r.required(object, "", "series", Reader::string);
        let id = r.required(object, "", "id", Reader::string);
        let expires = r.optional(object, "", "expires", Reader::date);
        let referrer = r.optional(object, "", "referrer", Reader::string);
        Some(Claims {
            catalogue: catalogue?,
            kind: kind?,
            series: series?,
            id: id?,
            expires: expires?,
            referrer: referrer?,
        })
    });
    r.finish(claims).ok()
}

/// Remembers the outcome of verifying each token. Verification is a pure function of the token and the
/// catalogue's public key, so a remembered answer is the same answer — only faster: a quote page
/// re-prices on every keystroke with the same coupons, and an Ed25519 verification costs tens of
/// microseconds. Read-mostly, so many threads share it without waiting on each other; bounded: it
/// forgets everything when full.
#[derive(Debug, Default)]
pub(crate) struct TokenCache(RwLock<HashMap<String, Result<Claims, TokenError>>>);

const TOKEN_CACHE_LIMIT: usize = 4096;

impl TokenCache {
    pub(crate) fn verify(&self, token: &str, key: Option<&VerifyingKey>) -> Result<Claims, ErrorKind> {
        if let Some(known) = self.0.read().ok().and_then(|cache| cache.get(token).cloned()) {
            return known.map_err(TokenError::kind);
        }
        let outcome = verify(token, key);
        let Ok(mut cache) = self.0.write() else { return outcome.map_err(TokenError::kind) };
        if cache.len() >= TOKEN_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(token.to_owned(), outcome.clone());
        outcome.map_err(TokenError::kind)
    }
}

/// A copy of a catalogue starts with an empty cache.
impl Clone for TokenCache {
    fn clone(&self) -> Self {
        TokenCache::default()
    }
}

/// Caches never make two rule sets differ.
impl PartialEq for TokenCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for TokenCache {}

/// Parse a hex-encoded 32-byte key.
pub fn key_bytes(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(bytes)
}

/// A discount applied to a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discount {
    pub kind: CouponKind,
    /// Campaign code, token id or bundle id.
    pub code: String,
    pub name: Text,
    pub applies_to: AppliesTo,
    /// The products it reduced.
    pub products: Vec<String>,
    /// Amount off the first year's premium.
    pub first_year: Decimal,
    /// Amount off over the payment terms (equal to `first_year` for first-year discounts).
    pub total: Decimal,
    /// Reduced by the regulatory cap.
    pub capped: bool,
}

/// A coupon that does not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedCoupon {
    /// The code as entered (a token is shortened).
    pub coupon: String,
    /// Error code, e.g. `coupon.expired`.
    pub code: String,
    pub message: Text,
}

impl RejectedCoupon {
    pub(crate) fn new(coupon: &str, kind: &ErrorKind) -> Self {
        let shown = if coupon.chars().count() > 24 {
            format!("{}…", coupon.chars().take(20).collect::<String>())
        } else {
            coupon.to_owned()
        };
        RejectedCoupon { coupon: shown, code: kind.code().to_owned(), message: kind.message() }
    }
}

/// A signed coupon the quote used, for the server to redeem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsedCoupon {
    pub id: String,
    pub kind: CouponKind,
    pub series: String,
    /// Vouchers are single use; a referral code may bring several new customers.
    pub single_use: bool,
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn base64url_reads_what_the_base64_crate_reads(text in "[A-Za-z0-9_=+/.-]{0,23}") {
            prop_assert_eq!(super::base64url_decode(&text), URL_SAFE_NO_PAD.decode(&text).ok(), "{}", text);
        }

        #[test]
        fn base64url_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..70)) {
            prop_assert_eq!(super::base64url_decode(&URL_SAFE_NO_PAD.encode(&bytes)), Some(bytes));
        }
    }

    use super::*;

    #[test]
    fn claims_are_read_as_their_serde_shape_says() {
        let claims = Claims {
            catalogue: "PREMIA-DEMO".into(),
            kind: TokenKind::Referral,
            series: "FRIENDS".into(),
            id: "R-1".into(),
            expires: NaiveDate::from_ymd_opt(2026, 12, 31),
            referrer: Some("C-9".into()),
        };
        let value = serde_json::to_value(&claims).unwrap();
        assert_eq!(read_claims(&crate::wire::json::Json::from(&value)), Some(claims));
        for broken in [
            serde_json::json!({"catalogue": "X"}),
            serde_json::json!({"catalogue": "X", "kind": "voucher",
            "series": "S", "id": "1", "colour": "blue"}),
        ] {
            assert_eq!(read_claims(&crate::wire::json::Json::from(&broken)), None);
            assert!(serde_json::from_value::<Claims>(broken).is_err());
        }
    }

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    fn claims() -> Claims {
        Claims {
            catalogue: "C".into(),
            kind: TokenKind::Voucher,
            series: "V200".into(),
            id: "V-1".into(),
            expires: NaiveDate::from_ymd_opt(2026, 12, 31),
            referrer: None,
        }
    }

    #[test]
    fn a_token_round_trips() {
        let token = issue(&claims(), &key());
        assert!(is_token(&token));
        assert_eq!(verify_token(&token, Some(&key().verifying_key())).unwrap(), claims());
    }

    #[test]
    fn an_altered_token_is_refused() {
        let token = issue(&claims(), &key());
        let mut altered = claims();
        altered.series = "V999".into();
        let forged_payload = issue(&altered, &SigningKey::from_bytes(&[8u8; 32]));
        // The payload of one with the signature of the other.
        let (payload, _) = forged_payload.rsplit_once('.').unwrap();
        let (_, signature) = token.rsplit_once('.').unwrap();
        let spliced = format!("{payload}.{signature}");
        assert_eq!(verify_token(&spliced, Some(&key().verifying_key())), Err(ErrorKind::CouponBadSignature));
        // Signed by another key.
        assert_eq!(verify_token(&forged_payload, Some(&key().verifying_key())), Err(ErrorKind::CouponBadSignature));
        assert_eq!(verify_token("PV1.abc", Some(&key().verifying_key())), Err(ErrorKind::CouponMalformed));
    }

    #[test]
    fn hex_keys_parse() {
        assert_eq!(key_bytes(&"00".repeat(32)), Some([0u8; 32]));
        assert_eq!(key_bytes("zz"), None);
    }
}
