//! RSA keys and SHA256withRSA, the one signature all three providers use (PKCS#1 v1.5 padding,
//! which the providers mandate), plus the random nonces their messages carry.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::sha2::Sha256;
use rsa::traits::PublicKeyParts;

/// What Alipay and UnionPay sign of a parameter set: `name=value` of the given fields (a `BTreeMap`'s,
/// so in name order), joined by `&`, nothing escaped. Each provider chooses the fields.
pub fn signed_content<'a>(fields: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let mut content = String::new();
    for (name, value) in fields {
        if !content.is_empty() {
            content.push('&');
        }
        content.push_str(name);
        content.push('=');
        content.push_str(value);
    }
    content
}

/// The smallest modulus accepted: the providers issue 2048-bit keys.
pub const MIN_BITS: usize = 2048;

/// A key that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not a PEM (or bare base64) RSA key of the expected kind.
    #[error("not an RSA {kind} in PEM (PKCS#8 or PKCS#1) or bare base64 DER")]
    Unreadable {
        /// `private key` or `public key`.
        kind: &'static str,
    },
    /// Smaller than [`MIN_BITS`].
    #[error("RSA key of {bits} bits; at least {MIN_BITS} are required")]
    TooShort {
        /// The modulus size.
        bits: usize,
    },
}

/// A signature that does not verify, or is not base64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("signature does not verify")]
pub struct BadSignature;

/// The private half: the merchant's key (or, in the simulator, the provider's).
#[derive(Clone)]
pub struct SigningKey(rsa::PrivateKey);

/// The public half: the provider's platform key (or, in the simulator, the merchant's).
#[derive(Clone, PartialEq)]
pub struct VerifyingKey(rsa::PublicKey);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key material, not even in a debug log.
        write!(f, "SigningKey({} bits)", self.0.size() * 8)
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey({} bits)", self.0.size() * 8)
    }
}

fn check_size(bytes: usize) -> Result<(), KeyError> {
    if bytes * 8 < MIN_BITS {
        return Err(KeyError::TooShort { bits: bytes * 8 });
    }
    Ok(())
}

/// Bare base64 (how Alipay's console hands out keys) is read as DER.
fn bare_der(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.split_whitespace().collect();
    BASE64.decode(compact).ok()
}

impl SigningKey {
    /// Reads a private key: PEM PKCS#8 (`PRIVATE KEY`), PEM PKCS#1 (`RSA PRIVATE KEY`), or bare
    /// base64 of either DER.
    pub fn from_pem(text: &str) -> Result<SigningKey, KeyError> {
        let text = text.trim();
        let key = rsa::PrivateKey::from_pkcs8_pem(text)
            .or_else(|_| rsa::PrivateKey::from_pkcs1_pem(text))
            .ok()
            .or_else(|| {
                let der = bare_der(text)?;
                rsa::PrivateKey::from_pkcs8_der(&der).or_else(|_| rsa::PrivateKey::from_pkcs1_der(&der)).ok()
            })
            .ok_or(KeyError::Unreadable { kind: "private key" })?;
        check_size(key.size())?;
        Ok(SigningKey(key))
    }

    /// A fresh key of `bits` bits from the operating system's RNG (tests and the simulator).
    pub fn generate(bits: usize) -> SigningKey {
        let key = rsa::PrivateKey::new(&mut getrandom::SysRng, bits).expect("RSA key generation with the OS RNG");
        SigningKey(key)
    }

    /// SHA256withRSA (RSASSA-PKCS1-v1_5) over `message`, base64.
    pub fn sign_base64(&self, message: &[u8]) -> String {
        BASE64.encode(self.sign(message))
    }

    /// SHA256withRSA (RSASSA-PKCS1-v1_5) over `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.0.pkcs1v15_sign::<Sha256>(message).expect("signing a SHA-256 digest with a valid RSA key")
    }

    /// The public half.
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey(self.0.to_public_key())
    }

    /// PEM PKCS#8, for writing a configuration file.
    pub fn to_pkcs8_pem(&self) -> String {
        self.0.to_pkcs8_pem(LineEnding::LF).expect("PKCS#8 encoding of an RSA key").to_string()
    }

    /// The underlying key (for certificate building in the simulator).
    pub fn as_rsa(&self) -> &rsa::PrivateKey {
        &self.0
    }
}

impl VerifyingKey {
    /// Reads a public key: PEM SPKI (`PUBLIC KEY`), PEM PKCS#1 (`RSA PUBLIC KEY`), or bare base64
    /// of either DER.
    pub fn from_pem(text: &str) -> Result<VerifyingKey, KeyError> {
        let text = text.trim();
        let key = rsa::PublicKey::from_public_key_pem(text)
            .or_else(|_| rsa::PublicKey::from_pkcs1_pem(text))
            .ok()
            .or_else(|| {
                let der = bare_der(text)?;
                rsa::PublicKey::from_public_key_der(&der).or_else(|_| rsa::PublicKey::from_pkcs1_der(&der)).ok()
            })
            .ok_or(KeyError::Unreadable { kind: "public key" })?;
        VerifyingKey::from_rsa(key)
    }

    /// Wraps an RSA public key read elsewhere (a certificate's subject key).
    pub fn from_rsa(key: rsa::PublicKey) -> Result<VerifyingKey, KeyError> {
        check_size(key.size())?;
        Ok(VerifyingKey(key))
    }

    /// Checks a base64 SHA256withRSA signature over `message`.
    pub fn verify_base64(&self, message: &[u8], signature: &str) -> Result<(), BadSignature> {
        let signature = BASE64.decode(signature.trim()).map_err(|_| BadSignature)?;
        self.verify(message, &signature)
    }

    /// Checks a SHA256withRSA signature over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), BadSignature> {
        self.0.pkcs1v15_verify::<Sha256>(message, signature).map_err(|_| BadSignature)
    }

    /// PEM SPKI (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> String {
        self.0.to_public_key_pem(LineEnding::LF).expect("SPKI encoding of an RSA key")
    }

    /// The underlying key.
    pub fn as_rsa(&self) -> &rsa::PublicKey {
        &self.0
    }
}

/// `len` random characters from `[0-9A-Za-z]`: the nonces WeChat Pay wants in signatures and in
/// JSAPI parameters (at most 32), and simulator tokens.
pub fn nonce(len: usize) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("the OS RNG");
    // 256 is not a multiple of 62; the bias (at most 1 in 62) does not matter for a nonce, whose
    // only job is not to repeat.
    bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect()
}

/// Random bytes from the OS RNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the OS RNG");
    bytes
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::OnceLock;

    /// One throwaway key per test binary: generation is the slow part.
    pub(crate) fn test_key() -> &'static SigningKey {
        static KEY: OnceLock<SigningKey> = OnceLock::new();
        KEY.get_or_init(|| SigningKey::generate(2048))
    }

    /// WeChat Pay's published SHA256withRSA vector (wechatpay-go, `utils/sign_test.go`): the SDK's
    /// test key — labelled `TESTING KEY` there so that no scanner mistakes it for a credential —
    /// signs `source` to this signature. PKCS#1 v1.5 is deterministic, so ours must match byte for
    /// byte.
    const WECHATPAY_GO_TEST_KEY: &str = "-----BEGIN TESTING KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
BDa+8mDLkWu5nHEhOxy2JJZl
-----END TESTING KEY-----";
    const WECHATPAY_GO_SIGNATURE: &str = "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg==";

    #[test]
    fn sha256_with_rsa_matches_wechat_pays_published_vector() {
        let pem = WECHATPAY_GO_TEST_KEY.replace("TESTING KEY", "PRIVATE KEY");
        let key = SigningKey::from_pem(&pem).expect("the SDK's test key");
        assert_eq!(key.sign_base64(b"source"), WECHATPAY_GO_SIGNATURE);
        let public = key.verifying_key();
        assert_eq!(public.verify_base64(b"source", WECHATPAY_GO_SIGNATURE), Ok(()));
        assert_eq!(public.verify_base64(b"sourcf", WECHATPAY_GO_SIGNATURE), Err(BadSignature));
    }

    #[test]
    fn keys_round_trip_through_pem_and_bare_base64() {
        let key = test_key();
        let again = SigningKey::from_pem(&key.to_pkcs8_pem()).expect("PKCS#8 PEM");
        assert_eq!(again.verifying_key(), key.verifying_key());
        let pem = key.verifying_key().to_pem();
        assert_eq!(VerifyingKey::from_pem(&pem), Ok(key.verifying_key()));
        let bare: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
        assert_eq!(VerifyingKey::from_pem(&bare), Ok(key.verifying_key()));
    }

    #[test]
    fn tampered_messages_and_signatures_fail() {
        let key = test_key();
        let signature = key.sign(b"message");
        let public = key.verifying_key();
        assert_eq!(public.verify(b"message", &signature), Ok(()));
        assert_eq!(public.verify(b"messagf", &signature), Err(BadSignature));
        let mut flipped = signature.clone();
        flipped[10] ^= 1;
        assert_eq!(public.verify(b"message", &flipped), Err(BadSignature));
        assert_eq!(public.verify_base64(b"message", "not base64!"), Err(BadSignature));
        assert_eq!(public.verify(b"message", &[]), Err(BadSignature));
    }

    #[test]
    fn unreadable_and_short_keys_are_refused() {
        assert!(matches!(SigningKey::from_pem("nonsense"), Err(KeyError::Unreadable { .. })));
        assert!(matches!(VerifyingKey::from_pem(""), Err(KeyError::Unreadable { .. })));
        let short = SigningKey(rsa::PrivateKey::new(&mut getrandom::SysRng, 1024).expect("key"));
        assert_eq!(SigningKey::from_pem(&short.to_pkcs8_pem()).err(), Some(KeyError::TooShort { bits: 1024 }));
    }

    #[test]
    fn nonces_are_alphanumeric_and_differ() {
        let (a, b) = (nonce(32), nonce(32));
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
