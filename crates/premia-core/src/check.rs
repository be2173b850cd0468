//! Running the test cases a catalogue carries (like OpenL Tablets' test tables): each request must
//! produce the expected figures, or fail with the expected error code.

use crate::catalogue::{Catalogue, TestCase};
use crate::error::{Error, ErrorKind};

/// The result of one catalogue test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    pub name: String,
    /// Empty when the test passed.
    pub failures: Vec<Error>,
}

impl TestOutcome {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Run every test case in `catalogue`.
pub fn run_tests(catalogue: &Catalogue) -> Vec<TestOutcome> {
    catalogue.tests.iter().map(|t| run(catalogue, t)).collect()
}

fn run(catalogue: &Catalogue, test: &TestCase) -> TestOutcome {
    let field = format!("test[{}]", test.name);
    let failed = |expected: String, actual: String| {
        Error::new(&field, ErrorKind::TestFailed { test: test.name.clone(), expected, actual })
    };
    let failures = match (crate::pricing::engine::quote(catalogue, &test.request), &test.expect_error) {
        (Ok(_), Some(code)) => vec![failed(format!("error {code}"), "a quote".into())],
        (Err(errors), Some(code)) if errors.has(code) => Vec::new(),
        (Err(errors), _) => vec![failed(
            test.expect_error.clone().map_or_else(|| "a quote".into(), |c| format!("error {c}")),
            errors.iter().map(|e| e.code()).collect::<Vec<_>>().join(", "),
        )],
        (Ok(quote), None) => {
            let json = serde_json::to_value(&quote).unwrap_or_default();
            test.expect
                .iter()
                .filter_map(|(pointer, expected)| {
                    let actual = match json.pointer(pointer) {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                        None => "nothing".into(),
                    };
                    (&actual != expected).then(|| failed(format!("{pointer} = {expected}"), actual))
                })
                .collect()
        }
    };
    TestOutcome { name: test.name.clone(), failures }
}
