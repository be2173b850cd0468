//! `POST /api/desk/cases/{number}/decisions`, `…/review` and `…/resolve`: a decision, the second
//! review of one (双人复核), a manager's choice between two.
//!
//! Each works the change out from the case as read — the workflow (`premia_desk::workflow::next`)
//! says what follows, the core checks the verdict against the catalogue and prices an acceptance
//! (`premia_core::desk`) — and writes it as one compare-and-set transaction: if the case changed
//! meanwhile nothing is written and the answer is 409 `case.changed`. With an `Idempotency-Key` a retry
//! gets the first answer again.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use premia_core::desk::{self as core_desk, Resolution, Verdict};
use premia_core::{Catalogue, Quote};
use premia_desk::CaseStatus;
use premia_desk::api::{CaseOutcome, DecisionInput, ResolveInput, ReviewInput};
use premia_desk::workflow::{self, Action, Actor, Final, Next};
use premia_store::{
    Applied, CaseChange, CaseRow, DecisionRow, DeskKey, NewAuditEvent, NewDecision, NewFinal, NewReview, Slot,
};
use serde_json::json;

use super::cases::{application_quote, case_state, private, unavailable};
use super::input::{self, invalid};
use crate::body::idempotency_key;
use crate::error::{ApiError, ServerError, json_response};
use crate::staff::Staff;
use crate::state::AppState;

/// Longest internal note, in characters.
pub const MAX_NOTE: usize = 2000;

/// What every change starts from: the case, its application's quote and catalogue, and the caller's key.
struct Context {
    case: CaseRow,
    quote: Quote,
    key: Option<DeskKey>,
}

pub async fn decide(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(number): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: DecisionInput = input::json(&body)?;
    let cx = match context(&state, &staff, &number, &headers, &input).await? {
        Ok(cx) => cx,
        Err(replayed) => return Ok(replayed),
    };
    check_note(&input.note)?;
    let actor = Actor { id: &staff.account.id, role: staff.role };
    let next = workflow::next(&case_state(&cx.case), &actor, Action::Decide { decides: input.verdict.decides() })
        .map_err(|p| input::problem(&p))?;
    let catalogue = catalogue_of(&state, &cx.quote)?;
    let decision = new_decision(&catalogue, &staff, &cx.quote, &input.verdict, &input.note, "verdict")?;
    let finalised = (next.finalises == Some(Final::This)).then(|| finalise(&state, &number, &decision, &staff));
    let mut change = change(&cx, &next);
    match next.status {
        CaseStatus::Provisional => change.pending = Slot::Set(decision.id.clone()),
        CaseStatus::Waiting => change.requested = Slot::Set(decision.id.clone()),
        _ => change.requested = Slot::Clear,
    }
    change.audit.push(event(
        &number,
        &staff,
        "case.decided",
        json!({ "decision": decision.id, "kind": decision.kind }),
    ));
    let outcome = CaseOutcome {
        application: number.clone(),
        status: next.status,
        decision: Some(decision.id.clone()),
        final_decision: finalised.as_ref().map(|f| f.decision_id.clone()),
        quote: decision.quote_json.as_deref().and_then(|q| serde_json::from_str(q).ok()),
        token: finalised.as_ref().and_then(|f| f.token.clone()),
    };
    change.decision = Some(decision);
    change.final_decision = finalised;
    commit(&state, &cx, change, &outcome).await
}

pub async fn review(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(number): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ReviewInput = input::json(&body)?;
    match (input.agree, &input.verdict) {
        (true, Some(_)) => {
            return Err(invalid("verdict", "同意时不另附决定", "an agreement carries no decision of its own"));
        }
        (false, None) => {
            return Err(required("verdict", "不同意时须给出您自己的决定", "disagreeing, give your own decision"));
        }
        _ => {}
    }
    let cx = match context(&state, &staff, &number, &headers, &input).await? {
        Ok(cx) => cx,
        Err(replayed) => return Ok(replayed),
    };
    check_note(&input.note)?;
    let actor = Actor { id: &staff.account.id, role: staff.role };
    let action = if input.agree { Action::Agree } else { Action::Disagree };
    let next = workflow::next(&case_state(&cx.case), &actor, action).map_err(|p| input::problem(&p))?;
    let pending = decision_row(&state, &number, cx.case.pending_decision.as_deref()).await?;
    let mut change = change(&cx, &next);
    change.review = Some(NewReview {
        id: new_id()?,
        decision_id: pending.id.clone(),
        decided_by: pending.staff_id.clone(),
        reviewer: staff.account.id.clone(),
        agree: input.agree,
        note: input.note.clone(),
    });
    let mut outcome = CaseOutcome {
        application: number.clone(),
        status: next.status,
        decision: None,
        final_decision: None,
        quote: None,
        token: None,
    };
    if let Some(verdict) = &input.verdict {
        let catalogue = catalogue_of(&state, &cx.quote)?;
        let counter = new_decision(&catalogue, &staff, &cx.quote, verdict, &input.note, "verdict")?;
        change.counter = Slot::Set(counter.id.clone());
        outcome.decision = Some(counter.id.clone());
        outcome.quote = counter.quote_json.as_deref().and_then(|q| serde_json::from_str(q).ok());
        change.decision = Some(counter);
    } else {
        let finalised = finalise_row(&state, &number, &pending, &staff);
        outcome.final_decision = Some(finalised.decision_id.clone());
        outcome.quote = finalised.quote_json.as_deref().and_then(|q| serde_json::from_str(q).ok());
        outcome.token = finalised.token.clone();
        change.final_decision = Some(finalised);
    }
    change.audit.push(event(&number, &staff, "case.reviewed", json!({ "decision": pending.id, "agree": input.agree })));
    commit(&state, &cx, change, &outcome).await
}

pub async fn resolve(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(number): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ResolveInput = input::json(&body)?;
    let cx = match context(&state, &staff, &number, &headers, &input).await? {
        Ok(cx) => cx,
        Err(replayed) => return Ok(replayed),
    };
    check_note(&input.note)?;
    let choose_pending = cx.case.pending_decision.as_deref() == Some(input.decision.as_str());
    if !choose_pending && cx.case.counter_decision.as_deref() != Some(input.decision.as_str()) {
        return Err(invalid(
            "decision",
            "只能从两项待裁定的决定中选择",
            "choose one of the two decisions in disagreement",
        ));
    }
    let chosen = decision_row(&state, &number, Some(&input.decision)).await?;
    let verdict: Verdict =
        serde_json::from_str(&chosen.verdict_json).map_err(|e| ApiError::unavailable(&e.to_string()))?;
    let actor = Actor { id: &staff.account.id, role: staff.role };
    let action = Action::Resolve { choose_pending, decides: verdict.decides() };
    let next = workflow::next(&case_state(&cx.case), &actor, action).map_err(|p| input::problem(&p))?;
    let mut change = change(&cx, &next);
    let mut outcome = CaseOutcome {
        application: number.clone(),
        status: next.status,
        decision: None,
        final_decision: None,
        quote: None,
        token: None,
    };
    if next.finalises.is_some() {
        let finalised = finalise_row(&state, &number, &chosen, &staff);
        outcome.final_decision = Some(finalised.decision_id.clone());
        outcome.quote = finalised.quote_json.as_deref().and_then(|q| serde_json::from_str(q).ok());
        outcome.token = finalised.token.clone();
        change.final_decision = Some(finalised);
    } else {
        // The chosen decision asks for facts: the case waits for them, with neither decision pending.
        (change.pending, change.counter, change.requested) = (Slot::Clear, Slot::Clear, Slot::Set(chosen.id.clone()));
    }
    change.audit.push(event(
        &number,
        &staff,
        "case.resolved",
        json!({ "decision": chosen.id, "note": !input.note.is_empty() }),
    ));
    commit(&state, &cx, change, &outcome).await
}

/// The case and its quote, or the answer of an earlier request with the same Idempotency-Key.
async fn context(
    state: &AppState,
    staff: &Staff,
    number: &str,
    headers: &HeaderMap,
    input: &impl serde::Serialize,
) -> Result<Result<Context, Response>, ApiError> {
    let key = idempotency_key(headers)?.map(|key| DeskKey {
        staff_id: staff.account.id.clone(),
        key,
        body_hash: premia_store::sha256_hex(&serde_json::to_vec(&(number, input)).unwrap_or_default()),
    });
    if let Some(key) = &key {
        if let Some((body_hash, response)) =
            state.store.desk_replay(&key.staff_id, &key.key).await.map_err(unavailable)?
        {
            return replayed(&key.body_hash, &body_hash, response).map(Err);
        }
    }
    let case = state.store.case(number).await.map_err(unavailable)?.ok_or_else(|| ApiError::not_found("number"))?;
    let quote = application_quote(state, number).await?;
    Ok(Ok(Context { case, quote, key }))
}

fn replayed(sent: &str, stored: &str, response: String) -> Result<Response, ApiError> {
    if sent != stored {
        return Err(ApiError::server(
            StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::new(
                "idempotency_key.reused",
                "Idempotency-Key",
                "此 Idempotency-Key 已用于另一请求",
                "this Idempotency-Key was already used with a different request",
            ),
        ));
    }
    let mut answer = private(Response::new(axum::body::Body::from(response)));
    let headers = answer.headers_mut();
    headers.insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(answer)
}

/// The catalogue version the application was priced with: the underwriter decides within its rules.
fn catalogue_of(state: &AppState, quote: &Quote) -> Result<Catalogue, ApiError> {
    let Some(version) = state.catalogues.get(&quote.catalogue.version) else {
        return Err(ApiError::server(
            StatusCode::CONFLICT,
            ServerError::new(
                "catalogue.unavailable",
                "catalogue",
                format!("产品目录 {} 已不在本服务器上，无法重新定价", quote.catalogue.version),
                format!(
                    "catalogue {} is no longer loaded on this server: it cannot be repriced",
                    quote.catalogue.version
                ),
            ),
        ));
    };
    Ok(version.catalogue.clone())
}

/// A decision checked against the catalogue, with the core's new quote for an acceptance.
fn new_decision(
    catalogue: &Catalogue,
    staff: &Staff,
    quote: &Quote,
    verdict: &Verdict,
    note: &str,
    field: &str,
) -> Result<NewDecision, ApiError> {
    let resolution =
        verdict.check(&catalogue.desk, field).map_err(|e| ApiError::core(StatusCode::UNPROCESSABLE_ENTITY, &e))?;
    let repriced = match &resolution {
        Resolution::Accept(terms) => Some(
            core_desk::reprice(catalogue, &quote.request, terms)
                .map_err(|e| ApiError::core(StatusCode::UNPROCESSABLE_ENTITY, &e))?,
        ),
        _ => None,
    };
    Ok(NewDecision {
        id: new_id()?,
        staff_id: staff.account.id.clone(),
        role: staff.role.name().to_owned(),
        kind: verdict.name().to_owned(),
        verdict_json: serde_json::to_string(verdict).unwrap_or_default(),
        note: note.to_owned(),
        quote_json: repriced.map(|q| serde_json::to_string(&q).unwrap_or_default()),
    })
}

/// The final record of a decision being made now by the caller.
fn finalise(state: &AppState, number: &str, decision: &NewDecision, staff: &Staff) -> NewFinal {
    let row = DecisionRow {
        id: decision.id.clone(),
        staff_id: decision.staff_id.clone(),
        username: staff.account.username.clone(),
        role: decision.role.clone(),
        kind: decision.kind.clone(),
        verdict_json: decision.verdict_json.clone(),
        note: decision.note.clone(),
        quote_json: decision.quote_json.clone(),
        created_at: 0,
    };
    finalise_row(state, number, &row, staff)
}

/// The final record of `decision`, finalised by `staff`; an acceptance gets its signed token.
fn finalise_row(state: &AppState, number: &str, decision: &DecisionRow, staff: &Staff) -> NewFinal {
    let outcome = match decision.kind.as_str() {
        "postpone" => "postponed",
        "decline" => "declined",
        _ => "accepted",
    };
    let token = decision.quote_json.as_deref().and_then(|q| serde_json::from_str::<Quote>(q).ok()).map(|quote| {
        state.key.sign(&json!({
            "iss": "premia",
            "sub": number,
            "iat": chrono::Utc::now().timestamp(),
            "status": "accepted",
            "digest": quote.digest,
            "catalogue": quote.catalogue,
            "totals": quote.totals,
            "valid_until": quote.valid_until,
            "underwriting": { "decision": decision.id, "loading": quote.decision.loading(), "outcome": quote.decision.outcome },
        }))
    });
    NewFinal {
        decision_id: decision.id.clone(),
        decided_by: decision.staff_id.clone(),
        finalised_by: staff.account.id.clone(),
        outcome: outcome.to_owned(),
        quote_json: decision.quote_json.clone(),
        token,
        dashboard: crate::dashboard::intake::final_facts(decision.quote_json.as_deref()),
    }
}

async fn decision_row(state: &AppState, number: &str, id: Option<&str>) -> Result<DecisionRow, ApiError> {
    let decisions = state.store.case_decisions(number).await.map_err(unavailable)?;
    decisions
        .into_iter()
        .find(|d| Some(d.id.as_str()) == id)
        .ok_or_else(|| ApiError::unavailable(&format!("case {number}: its pending decision is missing")))
}

fn change(cx: &Context, next: &Next) -> CaseChange {
    CaseChange {
        idempotency: cx.key.clone(),
        ..CaseChange::to_status(&cx.case.application, cx.case.version, next.status.name())
    }
}

fn event(number: &str, staff: &Staff, name: &str, detail: serde_json::Value) -> NewAuditEvent {
    NewAuditEvent::new(name, detail.to_string()).application(number).actor(staff.account.username.as_str())
}

/// Write the change; answer with `outcome` (kept with the key for a retry).
async fn commit(
    state: &AppState,
    cx: &Context,
    mut change: CaseChange,
    outcome: &CaseOutcome,
) -> Result<Response, ApiError> {
    change.response_json = serde_json::to_string(outcome).unwrap_or_default();
    if let Some(f) = &change.final_decision {
        let detail = json!({ "decision": f.decision_id, "outcome": f.outcome });
        change
            .audit
            .push(NewAuditEvent::new("case.finalised", detail.to_string()).application(cx.case.application.as_str()));
    }
    match state.store.apply_case_change(&change).await.map_err(unavailable)? {
        Applied::Done => {
            if let Some(decision) = &change.decision {
                state.metrics.desk.decision(&decision.kind);
            }
            if change.review.is_some() {
                state.metrics.desk.review();
            }
            if change.final_decision.is_some() {
                state.metrics.desk.finalised(premia_store::now_millis() - cx.case.created_at);
            }
            Ok(private(json_response(StatusCode::OK, outcome)))
        }
        Applied::Stale => Err(ApiError::server(
            StatusCode::CONFLICT,
            ServerError::new(
                "case.changed",
                "status",
                "案件已被他人处理，请刷新后重试",
                "someone else acted on this case first: reload it and try again",
            ),
        )),
        Applied::Replayed { body_hash, response_json } => {
            let sent = cx.key.as_ref().map(|k| k.body_hash.as_str()).unwrap_or_default();
            replayed(sent, &body_hash, response_json)
        }
    }
}

fn check_note(note: &str) -> Result<(), ApiError> {
    let length = note.chars().count();
    if length > MAX_NOTE {
        return Err(invalid(
            "note",
            format!("备注过长：{length} 个字符，最多 {MAX_NOTE} 个"),
            format!("the note is too long: {length} characters, at most {MAX_NOTE}"),
        ));
    }
    Ok(())
}

fn required(field: &str, zh: &str, en: &str) -> ApiError {
    ApiError::server(StatusCode::UNPROCESSABLE_ENTITY, ServerError::new("required", field, zh, en))
}

fn new_id() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::unavailable(&format!("no randomness from the OS: {e}")))?;
    Ok(premia_core::digest::hex(&bytes))
}
