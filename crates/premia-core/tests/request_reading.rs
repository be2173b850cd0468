//! The hand-written request reader (`request::from_json_str`: the core's JSON parser and reader, used by
//! every adapter) and serde's derived
//! `Deserialize` for the same types (used where a whole submitted quote is read) must accept exactly
//! the same requests and read them the same way. Every example request, the demo catalogue's own test
//! requests and a profile are mutated at every field — removed, nulled, given a value of each JSON
//! type, or joined by an unknown field — and both readers judge each mutation. One difference is
//! intended: serde also takes a struct written as a JSON array of its fields in order (`["CI"]` for a
//! rider); the hand-written reader refuses that, as the API documents objects only.
#![allow(clippy::unwrap_used)]

use premia_core::QuoteRequest;
use premia_core::bundle::Profile;
use serde_json::{Value, json};

fn examples() -> Vec<Value> {
    let dir = format!("{}/../../examples/requests", env!("CARGO_MANIFEST_DIR"));
    let mut requests: Vec<Value> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap())
        .collect();
    let catalogue = premia_core::demo::catalogue();
    requests.extend(catalogue.tests.iter().map(|t| serde_json::to_value(&t.request).unwrap()));
    requests
}

/// Values of every JSON type, including the edges of the number types the request uses.
fn replacements() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(7),
        json!(-1),
        json!(300),
        json!(1.5),
        json!(5_000_000_000_u64),
        json!(""),
        json!("x"),
        json!("2026-11-25"),
        json!("1000.50"),
        json!("1e3"),
        json!("years:20"),
        json!("male"),
        json!("annual"),
        json!("direct"),
        json!([]),
        json!(["x"]),
        json!({}),
        json!({"yes": true}),
        json!({"kind": "agent", "agent_code": "A123"}),
    ]
}

/// A mutated request, and whether it writes an object as a list (which only serde accepts).
type Mutation = (Value, bool);

/// Every mutation of `value`: at each path, the field removed, replaced, or an unknown field added.
fn mutations(value: &Value) -> Vec<Mutation> {
    let mut out = Vec::new();
    mutate(value, &mut |make, list_for_object| out.push((make(), list_for_object)), &mut Vec::new(), value);
    out
}

fn mutate(node: &Value, emit: &mut dyn FnMut(&dyn Fn() -> Value, bool), path: &mut Vec<Step>, root: &Value) {
    let with = |path: &[Step], change: &dyn Fn(&mut Value)| {
        let mut copy = root.clone();
        change(at(&mut copy, path));
        copy
    };
    emit(
        &|| {
            with(path, &|v| {
                if let Value::Object(map) = v {
                    map.insert("colour".into(), json!("blue"));
                }
            })
        },
        false,
    );
    for replacement in replacements() {
        emit(&|| with(path, &|v| *v = replacement.clone()), node.is_object() && replacement.is_array());
    }
    match node {
        Value::Object(map) => {
            for (key, child) in map {
                emit(
                    &|| {
                        with(path, &|v| {
                            v.as_object_mut().unwrap().remove(key);
                        })
                    },
                    false,
                );
                path.push(Step::Key(key.clone()));
                mutate(child, emit, path, root);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(Step::Index(i));
                mutate(child, emit, path, root);
                path.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn at<'v>(mut value: &'v mut Value, path: &[Step]) -> &'v mut Value {
    for step in path {
        value = match step {
            Step::Key(key) => value.get_mut(key).unwrap(),
            Step::Index(i) => value.get_mut(*i).unwrap(),
        };
    }
    value
}

#[test]
fn the_request_reader_and_serde_accept_the_same_requests() {
    let (mut accepted, mut refused) = (0, 0);
    for example in examples() {
        for (mutated, list_for_object) in std::iter::once((example.clone(), false)).chain(mutations(&example)) {
            // As text: the core's JSON parser is held to serde_json's too.
            let by_hand = premia_core::request::from_json_str(&mutated.to_string());
            let by_serde = serde_json::from_str::<QuoteRequest>(&mutated.to_string());
            match (&by_hand, &by_serde) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{mutated}"),
                (Err(errors), Err(_)) => assert!(!errors.is_empty()),
                (Err(_), Ok(_)) if list_for_object => {}
                _ => panic!("the readers disagree on {mutated}: by hand {by_hand:?}, serde {by_serde:?}"),
            }
            if by_hand.is_ok() { accepted += 1 } else { refused += 1 }
        }
    }
    assert!(accepted > 500 && refused > 5000, "both kinds are exercised ({accepted} accepted, {refused} refused)");
}

#[test]
fn the_profile_reader_and_serde_accept_the_same_profiles() {
    let dir = format!("{}/../../examples/profiles/thirty.json", env!("CARGO_MANIFEST_DIR"));
    let profile: Value = serde_json::from_str(&std::fs::read_to_string(dir).unwrap()).unwrap();
    for (mutated, list_for_object) in std::iter::once((profile.clone(), false)).chain(mutations(&profile)) {
        let by_hand = premia_core::json::parse(&mutated.to_string())
            .map_err(|_| ())
            .and_then(|tree| premia_core::bundle::profile_from_json(&tree).map_err(|_| ()));
        let by_serde = serde_json::from_str::<Profile>(&mutated.to_string());
        if !(list_for_object && by_hand.is_err()) {
            assert_eq!(by_hand.as_ref().ok(), by_serde.as_ref().ok(), "{mutated}");
        }
    }
}

#[test]
fn a_field_written_twice_is_refused_by_both() {
    let text =
        std::fs::read_to_string(format!("{}/../../examples/requests/ci.json", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let twice = text.replacen("\"quote_date\"", "\"quote_date\": \"2026-01-01\", \"quote_date\"", 1);
    assert!(serde_json::from_str::<QuoteRequest>(&twice).is_err());
    let errors = premia_core::request::from_json_str(&twice).unwrap_err();
    assert!(errors.iter().any(|e| e.message().en.contains("duplicate key")), "{errors:?}");
    assert!(premia_core::request::from_json_str(&text).is_ok());
}
