//! JSON text read into a tree for the core's strict readers ([`crate::wire::reader`]): requests, profiles,
//! the widget's prefill, coupon claims and the server's answers to the browser.
//!
//! Numbers keep the text they were written with. The readers accept only integers and decimal
//! *strings* for money, so nothing here ever needs a binary float; an error about a number quotes it
//! as the person wrote it. This is also why the core has its own small parser rather than
//! `serde_json::Value`: that one converts every non-integer to a binary float, and carries float parsing
//! and printing into the browser build (about 4 % of the WebAssembly module, compressed).
//!
//! The grammar is RFC 8259's, as strict as `serde_json`: no comments, no trailing commas, no leading
//! zeros, control characters escaped inside strings, surrogates only in pairs, nothing after the
//! value. A key written twice in one object is an error too (serde's derived readers refuse a repeated
//! field; `serde_json`'s `Value` would silently keep the last); fields keep the order they were
//! written in. Nesting deeper than [`MAX_DEPTH`] is an error, never a stack overflow.

use std::fmt;

/// How deeply arrays and objects may nest (`serde_json`'s limit too).
pub const MAX_DEPTH: usize = 128;

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    Object(Object),
}

/// An object's fields in the order written, each key once. Objects are few-keyed (a request's widest has 14), so a list searched in order beats a map, and
/// carries less code into the browser build.
#[derive(Debug, Clone, Default, Eq)]
pub struct Object(Vec<(String, Json)>);

impl Object {
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(name, _)| name == key).map(|(_, value)| value)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(name, _)| name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Json)> {
        self.0.iter().map(|(name, value)| (name, value))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The same fields with the same values, in any order: JSON objects are unordered.
impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(key, value)| other.get(key) == Some(value))
    }
}

/// A number as written (valid JSON number syntax): `500000`, `-3`, `0.5`, `1e3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number(String);

impl Number {
    /// The magnitude and sign of an integer written without fraction or exponent.
    fn integer(&self) -> Option<(bool, u64)> {
        let (negative, digits) = match self.0.strip_prefix('-') {
            Some(digits) => (true, digits),
            None => (false, self.0.as_str()),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().map(|magnitude| (negative, magnitude))
    }

    /// The number as a `u64`, if it is a non-negative integer in range (`serde_json`'s rule).
    pub fn as_u64(&self) -> Option<u64> {
        match self.integer()? {
            (false, n) => Some(n),
            (true, _) => None,
        }
    }

    /// The number as an `i64`, if it is an integer in range; `-0` is not (`serde_json` reads it as a
    /// float).
    pub fn as_i64(&self) -> Option<i64> {
        match self.integer()? {
            (false, n) => i64::try_from(n).ok(),
            (true, 0) => None,
            (true, n) => 0i64.checked_sub_unsigned(n),
        }
    }

    /// The text it was written with.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Json {
    /// The field `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.get(key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Written back indented by two spaces (for people to read; the same layout as
    /// `serde_json::to_string_pretty`).
    pub fn pretty(&self) -> String {
        let mut out = Vec::new();
        self.write_pretty(&mut out, 0);
        // Only whole UTF-8 strings and ASCII punctuation were written.
        String::from_utf8(out).unwrap_or_default()
    }

    /// The value as compact JSON: for a document `serde_json::to_string` wrote, exactly its text again
    /// (numbers are kept as written, fields in order, strings escaped as serde_json escapes them). The
    /// browser sends a quote the server wrote (a re-quote's fresh quote) back in these bytes.
    pub fn compact(&self) -> String {
        let mut out = Vec::new();
        self.write_compact(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    fn write_compact(&self, out: &mut Vec<u8>) {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Json::Number(n) => out.extend_from_slice(n.0.as_bytes()),
            Json::String(text) => string(out, text),
            Json::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write_compact(out);
                }
                out.push(b']');
            }
            Json::Object(fields) => {
                out.push(b'{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    string(out, key);
                    out.push(b':');
                    value.write_compact(out);
                }
                out.push(b'}');
            }
        }
    }

    fn write_pretty(&self, out: &mut Vec<u8>, depth: usize) {
        let indent = |out: &mut Vec<u8>, depth: usize| (0..depth).for_each(|_| out.extend_from_slice(b"  "));
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Json::Number(n) => out.extend_from_slice(n.0.as_bytes()),
            Json::String(text) => string(out, text),
            Json::Array(items) if items.is_empty() => out.extend_from_slice(b"[]"),
            Json::Object(fields) if fields.is_empty() => out.extend_from_slice(b"{}"),
            Json::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                    indent(out, depth + 1);
                    item.write_pretty(out, depth + 1);
                }
                out.push(b'\n');
                indent(out, depth);
                out.push(b']');
            }
            Json::Object(fields) => {
                out.push(b'{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                    indent(out, depth + 1);
                    string(out, key);
                    out.extend_from_slice(b": ");
                    value.write_pretty(out, depth + 1);
                }
                out.push(b'\n');
                indent(out, depth);
                out.push(b'}');
            }
        }
    }
}

/// Text that is not one JSON value, and where it stops being one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: &'static str,
    /// 1-based line of the offending character.
    pub line: usize,
    /// 1-based column (in characters) of the offending character.
    pub column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.message, self.line, self.column)
    }
}

impl std::error::Error for SyntaxError {}

/// Read `text` as exactly one JSON value (surrounded by optional whitespace).
pub fn parse(text: &str) -> Result<Json, SyntaxError> {
    let mut parser = Parser { text, at: 0 };
    let value = parser.value(0)?;
    parser.whitespace();
    if parser.at < text.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

struct Parser<'t> {
    text: &'t str,
    /// Byte offset of the next character.
    at: usize,
}

impl Parser<'_> {
    fn error(&self, message: &'static str) -> SyntaxError {
        let before = &self.text[..self.at.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        SyntaxError { message, line, column }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, expected: u8) -> bool {
        let found = self.peek() == Some(expected);
        if found {
            self.at += 1;
        }
        found
    }

    fn value(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        self.whitespace();
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Json::Number),
            Some(b'[') if depth >= MAX_DEPTH => Err(self.error("recursion limit exceeded")),
            Some(b'{') if depth >= MAX_DEPTH => Err(self.error("recursion limit exceeded")),
            Some(b'[') => self.array(depth + 1),
            Some(b'{') => self.object(depth + 1),
            Some(_) => Err(self.error("expected value")),
        }
    }

    fn literal(&mut self, word: &'static str, value: Json) -> Result<Json, SyntaxError> {
        for expected in word.bytes() {
            if !self.eat(expected) {
                return Err(self.error("expected ident"));
            }
        }
        Ok(value)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Number, SyntaxError> {
        let start = self.at;
        self.eat(b'-');
        if self.eat(b'0') {
            if let Some(b'0'..=b'9') = self.peek() {
                return Err(self.error("invalid number"));
            }
        } else if self.digits() == 0 {
            return Err(self.error("invalid number"));
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(self.error("invalid number"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _sign = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Number(self.text[start..self.at].to_owned()))
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.at += 1; // the opening quote
        let mut out = String::new();
        loop {
            // Copy the run of plain characters up to the next quote, backslash or control character.
            let rest = &self.text[self.at..];
            let run = rest.bytes().position(|b| b == b'"' || b == b'\\' || b < 0x20).unwrap_or(rest.len());
            out.push_str(&rest[..run]);
            self.at += run;
            match self.peek() {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                Some(_) => return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string")),
            }
        }
    }

    fn escape(&mut self) -> Result<char, SyntaxError> {
        let Some(code) = self.peek() else { return Err(self.error("EOF while parsing a string")) };
        self.at += 1;
        Ok(match code {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(),
            _ => {
                self.at -= 1;
                return Err(self.error("invalid escape"));
            }
        })
    }

    /// `\u` and four hex digits, or a surrogate pair of them (`\ud83d\ude00`).
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        let code = match first {
            0xDC00..=0xDFFF => return Err(self.error("lone leading surrogate in hex escape")),
            0xD800..=0xDBFF => {
                if !(self.eat(b'\\') && self.eat(b'u')) {
                    return Err(self.error("unexpected end of hex escape"));
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            other => other,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid unicode code point"))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| char::from(b).to_digit(16));
            let Some(digit) = digit else { return Err(self.error("invalid escape")) };
            value = value * 16 + digit;
            self.at += 1;
        }
        Ok(value)
    }

    fn array(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        self.at += 1; // [
        let mut items = Vec::new();
        self.whitespace();
        if self.eat(b']') {
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            if self.closed(b']', "EOF while parsing a list", "expected `,` or `]`")? {
                return Ok(Json::Array(items));
            }
        }
    }

    /// After an item of a list or an object: `true` past its closing bracket, `false` past a comma.
    fn closed(&mut self, close: u8, eof: &'static str, expected: &'static str) -> Result<bool, SyntaxError> {
        self.whitespace();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(b) if b == close => {
                self.at += 1;
                Ok(true)
            }
            None => Err(self.error(eof)),
            Some(_) => Err(self.error(expected)),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        self.at += 1; // {
        let mut fields = Object::default();
        self.whitespace();
        if self.eat(b'}') {
            return Ok(Json::Object(fields));
        }
        loop {
            self.whitespace();
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("key must be a string")),
            }
            let key_at = self.at;
            let key = self.string()?;
            if fields.contains_key(&key) {
                self.at = key_at;
                return Err(self.error("duplicate key"));
            }
            self.whitespace();
            if !self.eat(b':') {
                return Err(self.error(if self.peek().is_none() {
                    "EOF while parsing an object"
                } else {
                    "expected `:`"
                }));
            }
            let value = self.value(depth)?;
            fields.0.push((key, value));
            if self.closed(b'}', "EOF while parsing an object", "expected `,` or `}`")? {
                return Ok(Json::Object(fields));
            }
        }
    }
}

/// The same tree from `serde_json`'s, for callers that already hold one (quote verification).
impl From<&serde_json::Value> for Json {
    fn from(value: &serde_json::Value) -> Json {
        use serde_json::Value;
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(Number(n.to_string())),
            Value::String(text) => Json::String(text.clone()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            Value::Object(fields) => {
                Json::Object(Object(fields.iter().map(|(k, v)| (k.clone(), Json::from(v))).collect()))
            }
        }
    }
}

/// A JSON string, escaped as serde_json escapes.
pub(crate) fn string(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    escaped(out, value);
    out.push(b'"');
}

/// The bytes serde_json escapes: `"`, `\` and the control characters below 0x20. Everything else,
/// non-ASCII included, is written as it is.
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// `value`'s bytes with serde_json's escapes: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, else `\u00xx`
/// (lowercase hex).
pub(crate) fn escaped(out: &mut Vec<u8>, value: &str) {
    let bytes = value.as_bytes();
    // Almost no text needs an escape: check all of it in one pass (which the compiler vectorizes:
    // no early exit), then copy it whole.
    if !bytes.iter().fold(false, |any, &byte| any | needs_escape(byte)) {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if !needs_escape(byte) {
            continue;
        }
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        start = i + 1;
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xf)]);
            }
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_serde(text: &str) {
        let ours = parse(text);
        let theirs = serde_json::from_str::<serde_json::Value>(text);
        match (&ours, &theirs) {
            (Ok(ours), Ok(theirs)) => {
                assert_eq!(*ours, Json::from(theirs), "{text}");
                let again: serde_json::Value = serde_json::from_str(&ours.pretty()).unwrap();
                assert_eq!(again, *theirs, "{text}: pretty() writes the same value back");
            }
            (Err(_), Err(_)) => {}
            _ => panic!("{text}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }

    #[test]
    fn reads_and_refuses_what_serde_json_does() {
        for text in [
            "null",
            " true ",
            "false",
            "0",
            "12",
            "-12",
            "18446744073709551615",
            "-9223372036854775808",
            "[]",
            "{}",
            "[1, [2, [3]], {\"a\": null}]",
            "{\"b\": 1, \"a\": {\"c\": [true, false]}}",
            r#""plain""#,
            r#""\" \\ \/ \b \f \n \r \t""#,
            r#""\u00e9\u4fdd\ud83d\ude00""#,
            "\"保费 ✓\"",
            r#"{"quote_date": "2026-11-25", "coverages": [{"sum_assured": "500000"}]}"#,
            // Refused:
            "",
            "   ",
            "nul",
            "True",
            "01",
            "1.",
            ".5",
            "+1",
            "-",
            "1e",
            "1e+",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\": 1,}",
            "{a: 1}",
            "{\"a\": 1",
            "[",
            "\"unterminated",
            "\"tab\there\"",
            r#""\x""#,
            r#""\u12""#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83d\u0041""#,
            "1 2",
            "{} x",
            "// comment\n1",
        ] {
            same_as_serde(text);
        }
    }

    #[test]
    fn numbers_keep_their_text_and_read_as_serde_json_reads_them() {
        let number = |text: &str| match parse(text).unwrap() {
            Json::Number(n) => n,
            other => panic!("{other:?}"),
        };
        for text in ["0", "7", "500000", "18446744073709551615", "18446744073709551616", "-1", "-0", "1.5", "1e3"] {
            let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(number(text).as_u64(), theirs.as_u64(), "{text}");
            assert_eq!(number(text).as_i64(), theirs.as_i64(), "{text}");
        }
        assert_eq!(number("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(number("-9223372036854775809").as_i64(), None);
        assert_eq!(number("1.50").to_string(), "1.50", "as written, not as a float prints it");
        assert_eq!(number("1e3").to_string(), "1e3");
    }

    #[test]
    fn nesting_is_limited_without_overflowing_the_stack() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&deep(MAX_DEPTH)).is_ok());
        let error = parse(&deep(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!(error.message, "recursion limit exceeded");
        assert!(parse(&"[".repeat(100_000)).is_err());
        assert!(parse(&"{\"a\":".repeat(100_000)).is_err());
    }

    #[test]
    fn a_key_written_twice_is_refused() {
        let error = parse("{\"a\": 1, \"b\": {\"a\": 2}, \"a\": 3}").unwrap_err();
        assert_eq!((error.message, error.column), ("duplicate key", 25), "at the second one");
        assert!(parse("[{\"a\": 1}, {\"a\": 2}]").is_ok(), "the same key in two objects is fine");
    }

    #[test]
    fn errors_say_where() {
        let error = parse("{\n  \"a\": tru\n}").unwrap_err();
        assert_eq!((error.line, error.column), (2, 11));
        assert_eq!(error.to_string(), "expected ident at line 2 column 11");
        assert_eq!(parse("[1] x").unwrap_err().to_string(), "trailing characters at line 1 column 5");
    }

    #[test]
    fn compact_writes_serde_jsons_text_again() {
        let text: String = (0u8..0x20).map(char::from).chain("\"\\é".chars()).collect();
        let value = serde_json::json!({ "b": [1, 2.50, "x", null, true, {}], "a": { "t": text }, "n": -0.0 });
        let written = serde_json::to_string(&value).unwrap();
        assert_eq!(parse(&written).unwrap().compact(), written);
    }

    #[test]
    fn pretty_escapes_every_control_character() {
        let text: String = (0u8..0x20).map(char::from).chain("\"\\é".chars()).collect();
        let value = Json::String(text.clone());
        assert_eq!(value.pretty(), serde_json::to_string_pretty(&text).unwrap());
        assert_eq!(parse(&value.pretty()).unwrap(), value);
    }
}
