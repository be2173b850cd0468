//! The server's Ed25519 key and the quote tokens it signs.
//!
//! A quote token is a JWS in compact serialization (RFC 7515) with `alg: EdDSA` (RFC 8037): any JOSE
//! library verifies it offline against the JSON Web Key Set served at `/api/keys`. Its payload names the
//! application and the quote it accepted (digest, catalogue, totals), so a CRM holding the token and the
//! quote can prove what the insurer accepted.
//!
//! The key is a PKCS#8 PEM file. When the configured file does not exist it is generated (256 bits from
//! the operating system) and written with mode 0600; an existing file is never overwritten.

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The token's `typ` header: tells a quote token from other JWS a CRM may hold.
pub const TOKEN_TYPE: &str = "premia-quote+jws";

/// The `typ` of a signed policy: its payload is the policy document (`premia-policy-v1`).
pub const POLICY_TYPE: &str = "premia-policy+jws";

/// The signing key with its public identity.
pub struct ServerKey {
    signing: SigningKey,
    /// Key id: the first 16 hex digits of SHA-256 over the public key.
    kid: String,
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl ServerKey {
    pub fn from_signing_key(signing: SigningKey) -> Self {
        let kid = premia_core::digest::hex(&Sha256::digest(signing.verifying_key().as_bytes()))[..16].to_owned();
        ServerKey { signing, kid }
    }

    /// Read the key at `path`, generating it first if the file does not exist.
    pub fn load_or_generate(path: &Path) -> anyhow::Result<ServerKey> {
        if !path.exists() {
            generate(path)?;
        }
        let pem = std::fs::read_to_string(path).with_context(|| format!("reading signing key {}", path.display()))?;
        let signing = SigningKey::from_pkcs8_pem(&pem)
            .map_err(|e| anyhow::anyhow!("signing key {} is not an Ed25519 PKCS#8 PEM key: {e}", path.display()))?;
        Ok(ServerKey::from_signing_key(signing))
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// Sign `payload` into a compact JWS.
    pub fn sign(&self, payload: &Value) -> String {
        self.sign_typed(payload, TOKEN_TYPE)
    }

    /// Sign `payload` into a compact JWS whose `typ` says what it is (e.g. [`POLICY_TYPE`]).
    pub fn sign_typed(&self, payload: &Value, typ: &str) -> String {
        let header = json!({ "alg": "EdDSA", "kid": self.kid, "typ": typ });
        let signing_input = format!("{}.{}", encode_json(&header), encode_json(payload));
        let signature = self.signing.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }

    /// The public key as a JWK's `x`: base64url of its 32 bytes.
    pub fn public_x(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.verifying_key().as_bytes())
    }

    /// The JSON Web Key Set with this key's public half alone.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [jwk(&self.kid, &self.public_x())] })
    }
}

fn jwk(kid: &str, x: &str) -> Value {
    json!({ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig" })
}

/// The JSON Web Key Set of every recorded key (the current ones and those retired by a rotation).
pub fn jwks(keys: &[premia_store::SigningKeyRecord]) -> Value {
    json!({ "keys": keys.iter().map(|k| jwk(&k.kid, &k.public_key)).collect::<Vec<_>>() })
}

/// Replace the key at `path` with a new one (written beside it, then renamed over it); the old key's id
/// is returned so that it can be marked retired. Servers sign with the new key from their next start.
pub fn rotate(path: &Path) -> anyhow::Result<(Option<String>, ServerKey)> {
    let old = path.exists().then(|| ServerKey::load_or_generate(path)).transpose()?;
    let fresh = path.with_extension("pem.new");
    let _ = std::fs::remove_file(&fresh);
    generate(&fresh)?;
    std::fs::rename(&fresh, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok((old.map(|k| k.kid), ServerKey::load_or_generate(path)?))
}

fn encode_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default())
}

fn generate(path: &Path) -> anyhow::Result<()> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
    let pem = SigningKey::from_bytes(&seed)
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding the new signing key: {e}"))?;
    // Another replica or process may have created it first: then theirs is used.
    if crate::secret::write_new_private(path, pem.as_bytes())? {
        tracing::info!("generated a new signing key at {}", path.display());
    }
    Ok(())
}

/// Verify a quote token offline against a JSON Web Key Set (as served at `/api/keys`) and return its
/// payload. This is what a CRM does; the server's tests use it to check the tokens they receive.
pub fn verify_token(token: &str, jwks: &Value) -> Result<Value, String> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a compact JWS (three dot-separated parts)".into());
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|e| format!("bad base64url: {e}"));
    let header_json: Value = serde_json::from_slice(&decode(header)?).map_err(|e| format!("bad header: {e}"))?;
    if header_json["alg"] != "EdDSA" {
        return Err(format!("unexpected alg {}", header_json["alg"]));
    }
    let kid = header_json["kid"].as_str().ok_or("header has no kid")?;
    let jwk = jwks["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == kid))
        .ok_or_else(|| format!("no key {kid} in the key set"))?;
    let x: [u8; 32] = decode(jwk["x"].as_str().ok_or("key has no x")?)?
        .try_into()
        .map_err(|_| "public key is not 32 bytes".to_owned())?;
    let key = VerifyingKey::from_bytes(&x).map_err(|e| format!("bad public key: {e}"))?;
    let signature = Signature::from_slice(&decode(signature)?).map_err(|e| format!("bad signature: {e}"))?;
    key.verify(format!("{header}.{payload}").as_bytes(), &signature)
        .map_err(|_| "signature does not verify".to_owned())?;
    serde_json::from_slice(&decode(payload)?).map_err(|e| format!("bad payload: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_persist_and_sign_verifiable_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/server-key.pem");
        let key = ServerKey::load_or_generate(&path).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().starts_with("-----BEGIN PRIVATE KEY-----"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let again = ServerKey::load_or_generate(&path).unwrap();
        assert_eq!(key.kid(), again.kid(), "an existing key is read, not replaced");

        let payload = json!({ "sub": "PA20261125ABCDEFGHJK", "digest": "00ff" });
        let token = key.sign(&payload);
        assert_eq!(verify_token(&token, &key.jwks()).unwrap(), payload);

        // Any changed byte of the payload breaks the signature.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = encode_json(&json!({ "sub": "PA20261125ABCDEFGHJK", "digest": "00fe" }));
        assert_eq!(verify_token(&parts.join("."), &key.jwks()).unwrap_err(), "signature does not verify");
        // Another server's key set does not verify it.
        let other = ServerKey::from_signing_key(SigningKey::from_bytes(&[7u8; 32]));
        assert!(verify_token(&token, &other.jwks()).is_err());
        assert!(verify_token("a.b", &key.jwks()).is_err());
    }

    #[test]
    fn a_broken_key_file_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server-key.pem");
        std::fs::write(&path, "not a key").unwrap();
        assert!(ServerKey::load_or_generate(&path).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not a key");
    }
}
