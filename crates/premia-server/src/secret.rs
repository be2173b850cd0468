//! The server secret: 256 random bits that never leave the server (generated on first start into
//! `<data-dir>/server-secret.key`, mode 0600, like the signing key; every replica is given the same file).
//!
//! Two keys are derived from it, one per use, so that neither can stand in for the other:
//! - the **identity key**: a person is stored and blacklisted as HMAC-SHA-256 of their resident ID number
//!   under it ([`ServerSecret::identity`]). Without the secret nothing stored, nor anything a client holds,
//!   finds the number again; the catalogue's public salt would (issue 10).
//! - the **stamp key**: `POST /api/quotes/verify` stamps a valid quote dated today with a compact JWS
//!   (HS256) over its digest and date ([`ServerSecret::stamp`]); an application dated before today must
//!   bring it back ([`ServerSecret::verify_stamp`]) to keep the price it was given.
//!
//! A fingerprint of the secret (an HMAC of a fixed label) is recorded in the database on first start;
//! a replica given another secret refuses to start (`Store::check_secret`).

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The stamp's `typ`: tells it from a quote token (`premia-quote+jws`).
pub const STAMP_TYPE: &str = "premia-stamp+jws";

/// The derived keys; the master secret itself is not kept.
pub struct ServerSecret {
    /// HMAC keyed with the identity key, its key schedule done once (cloned per use).
    identity: HmacSha256,
    /// The same for the stamp key.
    stamp: HmacSha256,
    fingerprint: String,
    /// The stamp's protected header, base64url-encoded once.
    stamp_header: String,
}

impl std::fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerSecret").field("fingerprint", &self.fingerprint).finish_non_exhaustive()
    }
}

fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length: new_from_slice cannot fail.
    HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    finish(keyed(key), parts)
}

fn finish(mut mac: HmacSha256, parts: &[&[u8]]) -> [u8; 32] {
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// What a valid stamp says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub digest: String,
    pub quote_date: NaiveDate,
}

impl ServerSecret {
    pub fn from_master(master: &[u8; 32]) -> ServerSecret {
        let identity = keyed(&mac(master, &[b"premia identity v1"]));
        let stamp = keyed(&mac(master, &[b"premia quote stamp v1"]));
        let fingerprint = premia_core::digest::hex(&mac(master, &[b"premia secret fingerprint v1"]))[..32].to_owned();
        let header = format!("{{\"alg\":\"HS256\",\"typ\":\"{STAMP_TYPE}\",\"kid\":\"{}\"}}", &fingerprint[..16]);
        ServerSecret { identity, stamp, fingerprint, stamp_header: URL_SAFE_NO_PAD.encode(header) }
    }

    /// Read the secret at `path` (64 hex digits), generating it first if the file does not exist.
    pub fn load_or_generate(path: &Path) -> anyhow::Result<ServerSecret> {
        if !path.exists() {
            let mut master = [0u8; 32];
            getrandom::fill(&mut master).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
            if write_new_private(path, format!("{}\n", premia_core::digest::hex(&master)).as_bytes())? {
                tracing::info!("generated a new server secret at {}", path.display());
            }
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading server secret {}", path.display()))?;
        let master = premia_core::coupon::key_bytes(text.trim())
            .ok_or_else(|| anyhow::anyhow!("server secret {} is not 64 hex digits", path.display()))?;
        Ok(ServerSecret::from_master(&master))
    }

    /// Identifies the secret without revealing it (recorded in the database).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The keyed identity of a (checked, normalized) resident ID number: HMAC-SHA-256, hex.
    pub fn identity(&self, number: &str) -> String {
        premia_core::digest::hex(&finish(self.identity.clone(), &[number.to_ascii_uppercase().as_bytes()]))
    }

    /// The token that lets whoever applied follow, pay and cancel application `number` (and read its
    /// policy): `{number}.{32 hex digits of HMAC}`, unguessable without the secret, checked without a
    /// lookup. Keyed with the stamp key under its own label, so it is no stamp.
    pub fn purchase_token(&self, number: &str) -> String {
        let mac = finish(self.stamp.clone(), &[b"premia purchase v1\0", number.as_bytes()]);
        format!("{number}.{}", &premia_core::digest::hex(&mac)[..32])
    }

    /// The application number a purchase token is for, if the token is genuine.
    pub fn purchase_number<'t>(&self, token: &'t str) -> Option<&'t str> {
        let (number, _) = token.rsplit_once('.')?;
        let expected = self.purchase_token(number);
        // Constant time: the comparison does not tell how many leading digits were right.
        let same = expected.len() == token.len()
            && expected.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        same.then_some(number)
    }

    /// A compact JWS (HS256) saying the server priced the quote with this digest on `quote_date`.
    pub fn stamp(&self, digest: &str, quote_date: NaiveDate) -> String {
        let payload = format!("{{\"digest\":\"{digest}\",\"quote_date\":\"{quote_date}\"}}");
        let signing_input = format!("{}.{}", self.stamp_header, URL_SAFE_NO_PAD.encode(payload));
        let signature = finish(self.stamp.clone(), &[signing_input.as_bytes()]);
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// The digest and date a stamp vouches for, if this server's secret signed it.
    pub fn verify_stamp(&self, stamp: &str) -> Option<Stamp> {
        let (signing_input, signature) = stamp.rsplit_once('.')?;
        let (header, payload) = signing_input.split_once('.')?;
        if header != self.stamp_header {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut check = self.stamp.clone();
        check.update(signing_input.as_bytes());
        check.verify_slice(&signature).ok()?;
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Payload {
            digest: String,
            quote_date: NaiveDate,
        }
        let payload: Payload = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        Some(Stamp { digest: payload.digest, quote_date: payload.quote_date })
    }
}

/// Write `bytes` to a new file at `path` readable by its owner only (0600), creating its folder (0700).
/// `false` when the file already exists (another process or replica made it first: it is kept).
pub fn write_new_private(path: &Path, bytes: &[u8]) -> anyhow::Result<bool> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        premia_store::private_dir(folder).with_context(|| format!("creating {}", folder.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(bytes).and_then(|()| file.sync_all())?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e).with_context(|| format!("writing {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_persist_are_private_and_key_identities() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/server-secret.key");
        let secret = ServerSecret::load_or_generate(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        }
        let again = ServerSecret::load_or_generate(&path).unwrap();
        assert_eq!(secret.fingerprint(), again.fingerprint(), "an existing secret is read, not replaced");
        let id = "11010519491231002X";
        assert_eq!(secret.identity(id), again.identity(id));
        assert_eq!(secret.identity(id), secret.identity("11010519491231002x"));
        assert_ne!(secret.identity(id), premia_core::resident_id::salted_hash(id, "premia-demo-id-salt-2026"));
        let other = ServerSecret::from_master(&[9; 32]);
        assert_ne!(secret.identity(id), other.identity(id), "another secret, another identity");
        std::fs::write(&path, "not hex").unwrap();
        assert!(ServerSecret::load_or_generate(&path).is_err());
    }

    #[test]
    fn stamps_verify_only_as_signed() {
        let secret = ServerSecret::from_master(&[1; 32]);
        let date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let stamp = secret.stamp("ab12", date);
        assert_eq!(stamp.split('.').count(), 3);
        assert_eq!(secret.verify_stamp(&stamp), Some(Stamp { digest: "ab12".into(), quote_date: date }));
        // Another secret, a changed payload, a truncated signature: nothing.
        assert_eq!(ServerSecret::from_master(&[2; 32]).verify_stamp(&stamp), None);
        let (head, _) = stamp.rsplit_once('.').unwrap();
        let forged = secret.stamp("ab13", date);
        let (_, signature) = forged.rsplit_once('.').unwrap();
        assert_eq!(secret.verify_stamp(&format!("{head}.{signature}")), None);
        assert_eq!(secret.verify_stamp(&stamp[..stamp.len() - 2]), None);
        assert_eq!(secret.verify_stamp("a.b"), None);
    }
}
