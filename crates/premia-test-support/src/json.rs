//! Editing JSON in tests: a request or quote with one member changed.

use serde_json::Value;

/// `value` with the member at JSON pointer `pointer` set to `new` (added if its parent object lacks it).
pub fn set(mut value: Value, pointer: &str, new: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with at least one /");
    match value.pointer_mut(parent).unwrap_or_else(|| panic!("no {parent}")) {
        Value::Object(map) => {
            map.insert(key.to_owned(), new);
        }
        Value::Array(items) => items[key.parse::<usize>().expect("an array index")] = new,
        _ => panic!("{parent} is not an object or array"),
    }
    value
}
