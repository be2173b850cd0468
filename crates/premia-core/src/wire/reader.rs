//! Strict reading of JSON trees into the core's input types, collecting **every** error with the
//! path of its field (`insured.sex`, `coverages[1].frequency`) instead of stopping at the first.
//!
//! Requests are read by hand with this rather than through serde's derived `Deserialize`, for two
//! reasons: every broken field is named at once (serde stops at the first error of a struct and names
//! only the struct), and the browser build stays small (serde's derived readers, wrapped to track
//! paths, were a tenth of the WebAssembly module). The rules are serde's for the same types: unknown
//! fields are refused, optional fields may be absent or `null`, money is a decimal string or an integer
//! (never a float), dates are `YYYY-MM-DD`. `tests/request_reading.rs` checks the two agree on every
//! request they both accept.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{Error, ErrorKind, Errors};
use crate::text::Quoted;
use crate::wire::json::Json;

/// Reads one JSON tree, remembering every error.
#[derive(Debug, Default)]
pub struct Reader {
    errors: Vec<Error>,
}

/// A JSON object being read: its fields are looked up by name, and [`Reader::object`] has already
/// reported any it does not know.
pub type Object<'v> = &'v crate::wire::json::Object;

/// `path.key`, or `key` at the root.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

impl Reader {
    pub fn new() -> Self {
        Reader::default()
    }

    /// The value read, or every error met while reading it.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Errors> {
        match (Errors::from_vec(self.errors), value) {
            (None, Some(value)) => Ok(value),
            (Some(errors), _) => Err(errors),
            // A reader only gives `None` after recording why; this arm keeps that promise total.
            (None, None) => Err(Errors::one("", ErrorKind::Required)),
        }
    }

    pub fn error(&mut self, path: impl Into<String>, kind: ErrorKind) {
        self.errors.push(Error::new(path, kind));
    }

    fn expected<T>(&mut self, path: &str, what: &str, value: &Json) -> Option<T> {
        let found = match value {
            Json::Null => "null".to_owned(),
            Json::Bool(b) => b.to_string(),
            Json::Number(n) => n.to_string(),
            Json::String(s) => Quoted(s).to_string(),
            Json::Array(_) => "a list".to_owned(),
            Json::Object(_) => "an object".to_owned(),
        };
        self.error(path, ErrorKind::Syntax { message: format!("expected {what}, found {found}") });
        None
    }

    /// The object at `path`; each of its keys not in `known` is an error of its own.
    pub fn object<'v>(&mut self, value: &'v Json, path: &str, known: &[&str]) -> Option<Object<'v>> {
        let Json::Object(object) = value else { return self.expected(path, "an object", value) };
        for key in object.keys().filter(|key| !known.contains(&key.as_str())) {
            self.error(join(path, key), ErrorKind::Syntax { message: format!("unknown field `{key}`") });
        }
        Some(object)
    }

    /// A field that must be present (and not `null`), read by `read`.
    pub fn required<T>(
        &mut self,
        object: Object<'_>,
        path: &str,
        key: &str,
        read: impl FnOnce(&mut Self, &Json, &str) -> Option<T>,
    ) -> Option<T> {
        let path = join(path, key);
        match object.get(key) {
            None | Some(Json::Null) => {
                self.error(path, ErrorKind::Required);
                None
            }
            Some(value) => read(self, value, &path),
        }
    }

    /// A field that may be absent or `null`: `Some(None)` then, `None` if it is there but broken.
    pub fn optional<T>(
        &mut self,
        object: Object<'_>,
        path: &str,
        key: &str,
        read: impl FnOnce(&mut Self, &Json, &str) -> Option<T>,
    ) -> Option<Option<T>> {
        match object.get(key) {
            None | Some(Json::Null) => Some(None),
            Some(value) => read(self, value, &join(path, key)).map(Some),
        }
    }

    /// A list or map that may be absent (then empty); `null` is not absent here, as with serde's
    /// `#[serde(default)]` on a collection.
    pub fn defaulted<T: Default>(
        &mut self,
        object: Object<'_>,
        path: &str,
        key: &str,
        read: impl FnOnce(&mut Self, &Json, &str) -> Option<T>,
    ) -> Option<T> {
        match object.get(key) {
            None => Some(T::default()),
            Some(value) => read(self, value, &join(path, key)),
        }
    }

    pub fn string(&mut self, value: &Json, path: &str) -> Option<String> {
        match value {
            Json::String(text) => Some(text.clone()),
            _ => self.expected(path, "a string", value),
        }
    }

    pub fn bool(&mut self, value: &Json, path: &str) -> Option<bool> {
        match value {
            Json::Bool(b) => Some(*b),
            _ => self.expected(path, "true or false", value),
        }
    }

    /// A whole number that fits `T` (`u8`, `u32`).
    pub fn whole<T: TryFrom<u64>>(&mut self, value: &Json, path: &str) -> Option<T> {
        match value.as_u64().and_then(|n| T::try_from(n).ok()) {
            Some(n) => Some(n),
            None => self.expected(path, "a whole number in range", value),
        }
    }

    /// Money and measures: a decimal string ("1234.50") or an integer, never a float, which JSON
    /// clients cannot carry exactly.
    pub fn decimal(&mut self, value: &Json, path: &str) -> Option<Decimal> {
        let parsed = match value {
            Json::String(text) => crate::money::strict::parse(text),
            Json::Number(n) => n.as_i64().map(Decimal::from).or_else(|| n.as_u64().map(Decimal::from)),
            _ => None,
        };
        match parsed {
            Some(decimal) => Some(decimal),
            None => self.expected(path, "a decimal written as a string, such as \"1234.50\", or an integer", value),
        }
    }

    pub fn date(&mut self, value: &Json, path: &str) -> Option<NaiveDate> {
        match value.as_str().and_then(crate::age::parse_date) {
            Some(date) => Some(date),
            None => self.expected(path, "a date written YYYY-MM-DD", value),
        }
    }

    /// A string naming one of a type's values (`"male"`, `"years:20"`), by the type's own parser.
    pub fn parsed<T: FromStr>(&mut self, value: &Json, path: &str, what: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        let Json::String(text) = value else { return self.expected(path, what, value) };
        match text.parse() {
            Ok(parsed) => Some(parsed),
            Err(e) => {
                self.error(path, ErrorKind::Syntax { message: format!("{}: {e}", Quoted(text)) });
                None
            }
        }
    }

    /// A string that must be one of `names`.
    pub fn one_of<T: Copy>(&mut self, value: &Json, path: &str, names: &[(&str, T)]) -> Option<T> {
        let found = value.as_str().and_then(|text| names.iter().find(|(name, _)| *name == text));
        match found {
            Some((_, item)) => Some(*item),
            None => {
                let expected = names.iter().map(|(name, _)| format!("\"{name}\"")).collect::<Vec<_>>().join(", ");
                self.expected(path, &format!("one of {expected}"), value)
            }
        }
    }

    /// A list, each item read by `item` at `path[i]`; `None` if any item is broken (all are read).
    pub fn list<T>(
        &mut self,
        value: &Json,
        path: &str,
        mut item: impl FnMut(&mut Self, &Json, &str) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Json::Array(items) = value else { return self.expected(path, "a list", value) };
        let read: Vec<Option<T>> =
            items.iter().enumerate().map(|(i, value)| item(self, value, &format!("{path}[{i}]"))).collect();
        read.into_iter().collect()
    }

    /// An object used as a map from names to values, each read by `item` at `path.name`.
    pub fn map<T>(
        &mut self,
        value: &Json,
        path: &str,
        mut item: impl FnMut(&mut Self, &Json, &str) -> Option<T>,
    ) -> Option<BTreeMap<String, T>> {
        let Json::Object(entries) = value else { return self.expected(path, "an object", value) };
        let read: Vec<Option<(String, T)>> =
            entries.iter().map(|(key, value)| item(self, value, &join(path, key)).map(|v| (key.clone(), v))).collect();
        read.into_iter().collect()
    }

    /// A list of strings.
    pub fn strings(&mut self, value: &Json, path: &str) -> Option<Vec<String>> {
        self.list(value, path, Self::string)
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn every_error_is_kept_with_its_path() {
        let value = crate::wire::json::parse(r#"{"a": 1, "b": "x", "c": 0.5, "d": [1, "two"], "e": null}"#).unwrap();
        let mut r = Reader::new();
        let object = r.object(&value, "root", &["a", "b", "c", "d", "e", "f"]).unwrap();
        assert_eq!(r.required(object, "root", "a", Reader::string), None);
        assert_eq!(r.required(object, "root", "b", Reader::whole::<u8>), None);
        assert_eq!(r.required(object, "root", "c", Reader::decimal), None, "floats are refused");
        assert_eq!(r.required(object, "root", "d", Reader::strings), None);
        assert_eq!(r.required(object, "root", "e", Reader::bool), None, "null is absent");
        assert_eq!(r.optional(object, "root", "f", Reader::bool), Some(None));
        let errors = r.finish(Some(())).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["root.a", "root.b", "root.c", "root.d[0]", "root.e"]);
        assert!(errors.iter().last().unwrap().kind == ErrorKind::Required);
    }

    #[test]
    fn unknown_fields_are_named_and_values_read_strictly() {
        let value =
            crate::wire::json::parse(r#"{"amount": "1234.50", "int": 500000, "day": "2026-11-25", "colour": "blue"}"#)
                .unwrap();
        let mut r = Reader::new();
        let object = r.object(&value, "", &["amount", "int", "day"]).unwrap();
        assert_eq!(r.required(object, "", "amount", Reader::decimal), Some("1234.50".parse().unwrap()));
        assert_eq!(r.required(object, "", "int", Reader::decimal), Some(Decimal::from(500_000)));
        assert_eq!(r.required(object, "", "day", Reader::date), NaiveDate::from_ymd_opt(2026, 11, 25));
        let errors = r.finish(Some(())).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["colour"]);
    }
}
