//! A refusal of the desk's own (the workflow's, a session's), in the shape of every Premia error:
//! `{code, field, message: {zh, en}}`.

use serde::Serialize;

use premia_core::Text;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable code, e.g. `review.own_decision`.
    pub code: &'static str,
    /// The field (or header) it is about.
    pub field: &'static str,
    pub message: Text,
    /// How an HTTP answer carries it: 403 for a role, 409 for the case's state, 422 for a body.
    #[serde(skip)]
    pub status: u16,
}

impl Problem {
    pub const fn new(status: u16, code: &'static str, field: &'static str, zh: &'static str, en: &'static str) -> Self {
        Problem { code, field, message: Text::fixed(zh, en), status }
    }
}
