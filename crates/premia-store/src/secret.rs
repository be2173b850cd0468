//! Random identifiers and secrets, and their hex form.

/// `n` random bytes from the operating system.
///
/// The OS random source failing is not something a server can carry on through, but it is also not a
/// reason to panic a request: callers get the error.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// Lower-case hexadecimal (the `hex` crate's).
pub(crate) fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// A random 128-bit identifier in hex (audit-log row ids and the like).
pub(crate) fn random_id() -> String {
    // An id only needs to be unique; if the OS source fails, fall back to time and a counter.
    random_bytes::<16>().map(|b| hex(&b)).unwrap_or_else(|_| {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{:016x}{n:016x}", crate::now_millis())
    })
}

/// Compare two strings in time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_ids() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
        let (a, b) = (random_id(), random_id());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
