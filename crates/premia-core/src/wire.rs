//! What crosses the wire: the JSON parser and the strict readers built on it, the quote's fast JSON
//! writer, and the digest that pins a quote to its request and catalogue.
//!
//! The parser and readers sit at the bottom of the crate (requests and coupon claims are read with
//! them); the writer and the digest sit above the quote they write.

pub mod digest;
pub mod json;
pub mod quote_json;
pub mod reader;

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}
