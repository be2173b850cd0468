//! Staff passwords: Argon2id (RustCrypto's `argon2`) with its default parameters — 19 MiB, two passes,
//! one lane, OWASP's recommendation — and a 128-bit random salt, stored as a PHC string. Hashing takes
//! tens of milliseconds on purpose: callers run it off the async workers (`spawn_blocking`).

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 12;
/// Longest, in bytes (Argon2 takes any length; a limit keeps a request from asking for a huge hash).
pub const MAX_BYTES: usize = 256;

/// Why a new password is refused, in both languages.
pub fn policy(password: &str) -> Result<(), (String, String)> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err((
            format!("密码至少 {MIN_LENGTH} 个字符（现为 {chars} 个）"),
            format!("a password has at least {MIN_LENGTH} characters ({chars} given)"),
        ));
    }
    if password.len() > MAX_BYTES {
        return Err((format!("密码最长 {MAX_BYTES} 字节"), format!("a password has at most {MAX_BYTES} bytes")));
    }
    if password.trim() != password || password.chars().any(char::is_control) {
        return Err((
            "密码不能以空格开头或结尾，也不能含控制字符".into(),
            "a password may not start or end with spaces, nor contain control characters".into(),
        ));
    }
    Ok(())
}

/// The PHC string of `password` with a new random salt.
pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness from the OS: {e}"))?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("hashing the password: {e}"))
}

/// Whether `password` is the one `phc` was made from (parameters as stored in `phc`).
pub fn verify(password: &str, phc: &str) -> bool {
    password.len() <= MAX_BYTES && Argon2::default().verify_password(password.as_bytes(), phc).is_ok()
}

/// A hash no password matches in practice, checked for unknown usernames so that a wrong username and a
/// wrong password take the same time.
pub fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash(&generate().unwrap_or_default()).unwrap_or_default())
}

/// A new password for `staff add` / `reset-password`: 20 characters from 57 that cannot be mistaken
/// for one another (about 116 bits).
pub fn generate() -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(20);
    while out.len() < 20 {
        let mut byte = [0u8; 1];
        getrandom::fill(&mut byte).map_err(|e| format!("no randomness from the OS: {e}"))?;
        // 4 × 57 = 228: bytes above it are dropped so that every character is equally likely.
        if usize::from(byte[0]) < ALPHABET.len() * 4 {
            out.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify_only_their_password() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterY", &phc));
        assert!(!verify("correct horse battery", "not a phc string"));
        assert_ne!(hash("correct horse battery").unwrap(), phc, "a new salt each time");
        assert!(!verify("anything", decoy()));
    }

    #[test]
    fn the_policy_and_generated_passwords() {
        assert!(policy("short").is_err());
        assert!(policy(" twelve chars ok").is_err());
        assert!(policy(&"x".repeat(300)).is_err());
        let generated = generate().unwrap();
        assert_eq!(generated.len(), 20);
        assert!(policy(&generated).is_ok());
        assert_ne!(generate().unwrap(), generated);
    }
}
