//! Who is submitting: the public (direct sales), or an agent proven by a bearer token.
//!
//! An agent-channel application names its agent code in the quote; the code alone proves nothing
//! (anyone can type it). So it must come with `Authorization: Bearer <a token issued to that agent>`
//! (`premia-server agent issue`): without one 401 `auth.required`; an unknown token 401 `auth.invalid`;
//! a revoked token 403 `auth.revoked`; another agent's token 403 `auth.wrong_agent`; a token of a
//! blacklisted agent 403 `blacklist.declined` whatever code the quote claims. The token's id is kept with
//! the application and in the audit log.

use axum::http::{HeaderMap, StatusCode};
use premia_core::{Channel, Quote};
use premia_store::NewAuditEvent;
use serde_json::json;

use crate::body::bearer;
use crate::config::BlacklistAction;
use crate::error::{ApiError, ServerError};
use crate::state::AppState;

/// The caller of a submission, as the server established it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Direct,
    Agent { code: String, token_id: String },
}

impl Caller {
    pub fn agent_code(&self) -> Option<&str> {
        match self {
            Caller::Direct => None,
            Caller::Agent { code, .. } => Some(code),
        }
    }

    pub fn token_id(&self) -> Option<&str> {
        match self {
            Caller::Direct => None,
            Caller::Agent { token_id, .. } => Some(token_id),
        }
    }

    /// Whose idempotency keys these are.
    pub fn scope(&self) -> String {
        match self {
            Caller::Direct => "direct".to_owned(),
            Caller::Agent { code, .. } => format!("agent:{code}"),
        }
    }
}

/// Establish the caller of a submission of `quote`.
pub async fn caller(state: &AppState, headers: &HeaderMap, quote: &Quote) -> Result<Caller, ApiError> {
    let Channel::Agent { agent_code } = &quote.request.channel else {
        return Ok(Caller::Direct);
    };
    let Some(token) = bearer(headers) else {
        return Err(unauthorized(
            "auth.required",
            "代理人渠道投保须提供该代理人的令牌（Authorization: Bearer …）",
            "an agent-channel application needs that agent's token (Authorization: Bearer …)",
        ));
    };
    let credential = state.store.agent_credential(token).await.map_err(|e| ApiError::unavailable(&e.to_string()))?;
    let Some(credential) = credential else {
        return Err(unauthorized("auth.invalid", "代理人令牌无效", "the agent token is not valid"));
    };
    let refusal = if credential.revoked {
        Some(("auth.revoked", "代理人令牌已吊销", "the agent token has been revoked"))
    } else if refused_as_blacklisted(state, &credential.agent_code, agent_code).await? {
        // A blacklisted agent is refused whatever code the quote claims (with `refer`, only its own code
        // gets as far as being referred).
        state.metrics.blacklist_hit();
        Some((
            "blacklist.declined",
            "无法受理此投保申请，请联系客服",
            "this application cannot be accepted; please contact us",
        ))
    } else if credential.agent_code != *agent_code {
        Some((
            "auth.wrong_agent",
            "代理人令牌不属于报价中的代理人",
            "the agent token belongs to another agent than the quote's",
        ))
    } else {
        None
    };
    if let Some((code, zh, en)) = refusal {
        let detail = json!({
            "code": code, "token_id": credential.token_id, "token_agent": credential.agent_code, "claimed": agent_code,
        });
        let name = if code == "blacklist.declined" { code } else { "auth.refused" };
        let event = NewAuditEvent::new(name, detail.to_string()).actor(credential.agent_code.clone());
        state.store.audit(&event).await.map_err(|e| ApiError::unavailable(&e.to_string()))?;
        return Err(ApiError::server(StatusCode::FORBIDDEN, ServerError::new(code, "Authorization", zh, en)));
    }
    Ok(Caller::Agent { code: credential.agent_code, token_id: credential.token_id })
}

async fn refused_as_blacklisted(state: &AppState, token_agent: &str, claimed: &str) -> Result<bool, ApiError> {
    let listed =
        state.store.blacklisted_agent(token_agent).await.map_err(|e| ApiError::unavailable(&e.to_string()))?.is_some();
    Ok(listed && (state.config.blacklist_action == BlacklistAction::Decline || token_agent != claimed))
}

fn unauthorized(code: &'static str, zh: &str, en: &str) -> ApiError {
    ApiError::server(StatusCode::UNAUTHORIZED, ServerError::new(code, "Authorization", zh, en))
}
