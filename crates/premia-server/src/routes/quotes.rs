//! `POST /api/quotes/verify` (stateless) and `POST /api/quotes` (submit an application).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use premia_core::Quote;
use premia_core::underwriting::Outcome;
use premia_store::{
    ApplicationRecord, BlacklistKind, IdempotencyKey, NewApplication, NewAuditEvent, StoreError, Submitted,
};
use serde_json::json;

use crate::body::{JsonBody, idempotency_key};
use crate::config::BlacklistAction;
use crate::envelope;
use crate::error::{ApiError, ServerError, json_response};
use crate::state::AppState;
use crate::verification;
use crate::verification::Outcome as Verified;

/// Re-compute the submitted quote and answer with the verdict (always 200 for a readable quote).
pub(super) async fn verify(State(state): State<AppState>, JsonBody(body): JsonBody) -> Result<Response, ApiError> {
    let today = state.today();
    let outcome = verification::verify(&state.catalogues.in_force(today).local(), &body, today);
    state.metrics.verification(outcome.name());
    crate::dashboard::verified::count(&state, &outcome, today);
    let answer = match outcome {
        Verified::Valid(quote) => json!({
            "verdict": "valid", "digest": quote.digest, "catalogue": quote.catalogue, "valid_until": quote.valid_until,
        }),
        Verified::Invalid(mismatches) => json!({ "verdict": "invalid", "mismatches": mismatches }),
        Verified::RequoteNeeded { reason, fresh } => {
            json!({ "verdict": "requote_needed", "reason": reason, "fresh": fresh })
        }
        Verified::Rejected { errors, malformed } => return Err(rejected(&errors, malformed)),
    };
    Ok(json_response(StatusCode::OK, &answer))
}

fn rejected(errors: &premia_core::Errors, malformed: bool) -> ApiError {
    let status = if malformed { StatusCode::BAD_REQUEST } else { StatusCode::UNPROCESSABLE_ENTITY };
    ApiError::core(status, errors)
}

/// Check the resident ID number against the quote, verify, check the blacklist, redeem coupons, store,
/// sign: 201 with the application number and token. The body is an envelope (see [`envelope`]).
pub(super) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let today = state.today();
    let application = envelope::read(&body).inspect_err(|_| state.metrics.verification("rejected"))?;
    let submitted = verification::parse(application.quote).map_err(|errors| {
        state.metrics.verification("rejected");
        rejected(&envelope::in_quote(errors), true)
    })?;
    // The number, checked against the quote before anything else (a replay included): from here on the
    // quote's resident ID hash is trusted. The salt is that of the catalogue the quote names; a quote
    // naming another is not valid anyway.
    let resident_id_hash = {
        let id = envelope::resident_id(&application.resident_id, today).inspect_err(|_| refused(&state))?;
        let version = state.catalogues.get(&submitted.catalogue.version).unwrap_or(state.catalogues.in_force(today));
        let hash = premia_core::resident_id::salted_hash(&id.number, &version.catalogue.id_hash_salt);
        if let Err(error) = envelope::check(&submitted, &id, &hash) {
            refused(&state);
            attempted_mismatch(&state, &submitted, &hash).await?;
            return Err(error);
        }
        hash
    };
    // Fingerprint of the quote as parsed, so whitespace and key order do not make a retry "different".
    let body_hash = premia_store::sha256_hex(&serde_json::to_vec(&submitted).unwrap_or_default());
    if let Some(key) = &key {
        if let Some((hash, record)) = state.store.idempotent(key).await.map_err(store_error)? {
            let receipt = state.store.receipt_of(&record.number).await.map_err(store_error)?;
            return replay_or_conflict(&state, &hash, &body_hash, &record, receipt.as_deref());
        }
    }

    let outcome = verification::verify(&state.catalogues.in_force(today).local(), application.quote, today);
    state.metrics.verification(outcome.name());
    let quote = match outcome {
        Verified::Valid(quote) => quote,
        Verified::Invalid(mismatches) => return Err(mismatched(mismatches)),
        Verified::RequoteNeeded { reason, fresh } => return Err(requote(reason, fresh)),
        Verified::Rejected { errors, malformed } => return Err(rejected(&errors, malformed)),
    };

    let facts = Facts::of(&quote, resident_id_hash);
    let mut status = match facts.decision {
        Outcome::Accept | Outcome::AcceptWithConditions => "accepted",
        // Stored for manual underwriting (人工核保) or a medical examination before cover starts.
        Outcome::Refer | Outcome::MedicalExam => "referred",
        Outcome::Pending => {
            return Err(undecided(
                &state,
                "underwriting.pending",
                "核保所需信息不完整（如健康告知），请补充后重新报价",
                "underwriting needs more information (e.g. health answers): complete the quote first",
            ));
        }
        Outcome::Decline => {
            return Err(undecided(
                &state,
                "underwriting.declined",
                "核保结论为拒保，无法投保",
                "underwriting declined this application",
            ));
        }
    };
    let mut audit = Vec::new();
    let hits = blacklist_hits(&state, &facts).await?;
    if !hits.is_empty() {
        state.metrics.blacklist_hit();
        let detail =
            json!({ "hits": hits, "digest": quote.digest, "action": state.config.blacklist_action.name() }).to_string();
        match state.config.blacklist_action {
            BlacklistAction::Decline => {
                let event = NewAuditEvent::new("blacklist.declined", detail).actor(facts.actor());
                state.store.audit(&event).await.map_err(store_error)?;
                state.metrics.application("declined");
                return Err(ApiError::server(
                    StatusCode::FORBIDDEN,
                    ServerError::new(
                        "blacklist.declined",
                        hits[0],
                        "无法受理此投保申请，请联系客服",
                        "this application cannot be accepted; please contact us",
                    ),
                ));
            }
            BlacklistAction::Refer => {
                status = "referred";
                audit.push(NewAuditEvent::new("blacklist.referred", detail).actor(facts.actor()));
            }
        }
    }

    let blacklist_referral = !hits.is_empty();
    let intake = crate::desk::intake::intake(&state, &quote, status == "referred", blacklist_referral)
        .map_err(|e| ApiError::unavailable(&e))?;
    let number = application_number(today).map_err(|e| ApiError::unavailable(&e))?;
    for event in &mut audit {
        event.application = Some(number.clone());
    }
    let token = state.key.sign(&json!({
        "iss": "premia",
        "sub": number,
        "iat": chrono::Utc::now().timestamp(),
        "status": status,
        "digest": quote.digest,
        "catalogue": quote.catalogue,
        "totals": quote.totals,
        "valid_until": quote.valid_until,
    }));
    let application = NewApplication {
        number,
        status: status.to_owned(),
        channel: quote.request.channel.name().to_owned(),
        agent_code: facts.agent_code.clone(),
        resident_id_hash: Some(facts.resident_id_hash.clone()),
        catalogue_id: quote.catalogue.id.clone(),
        catalogue_version: quote.catalogue.version.clone(),
        digest: quote.digest.clone(),
        decision: serde_json::to_string(&quote.decision).unwrap_or_default(),
        request_json: serde_json::to_string(&quote.request).unwrap_or_default(),
        quote_json: serde_json::to_string(&*quote).unwrap_or_default(),
        token,
        coupons: facts.coupons.clone(),
        idempotency: key.map(|key| IdempotencyKey { key, body_hash }),
        audit,
        receipt: Some(intake.receipt.clone()),
        case: intake.case,
        dashboard: crate::dashboard::intake::facts(&quote),
    };
    match state.store.submit(application).await {
        Ok(Submitted::Created(record)) => {
            state.metrics.application(status);
            state.metrics.redeemed(record.coupons.len());
            Ok(created(&record, Some(&intake.receipt), false))
        }
        Ok(Submitted::Replayed(record)) => {
            state.metrics.application("replayed");
            let receipt = state.store.receipt_of(&record.number).await.map_err(store_error)?;
            Ok(created(&record, receipt.as_deref(), true))
        }
        Err(StoreError::IdempotencyConflict { application }) => Err(idempotency_conflict(&application)),
        Err(StoreError::CouponRedeemed { coupon, application }) => {
            state.metrics.redemption_refused();
            state.metrics.application("refused");
            let detail = json!({ "coupon": coupon, "redeemed_by": application, "digest": quote.digest }).to_string();
            let event = NewAuditEvent::new("coupon.refused", detail).actor(facts.actor());
            state.store.audit(&event).await.map_err(store_error)?;
            Err(ApiError::server(
                StatusCode::CONFLICT,
                ServerError::new(
                    "coupon.redeemed",
                    "coupons_used",
                    format!("优惠券 {coupon} 已被投保单 {application} 使用"),
                    format!("coupon {coupon} was already redeemed by application {application}"),
                ),
            )
            .with("redeemed_by", json!({ "coupon": coupon, "application": application })))
        }
        Err(error) => Err(store_error(error)),
    }
}

/// What the server needs from an accepted quote beyond its figures.
struct Facts {
    agent_code: Option<String>,
    /// Salted hash of the insured's resident ID number, computed by the server from the number sent
    /// beside the quote (and equal to the quote's, or the submission was refused).
    resident_id_hash: String,
    /// Single-use coupons (vouchers) the quote applies: redeemed once. Referral codes may be reused.
    coupons: Vec<String>,
    decision: Outcome,
}

impl Facts {
    fn of(quote: &Quote, resident_id_hash: String) -> Facts {
        let agent_code = match &quote.request.channel {
            premia_core::Channel::Agent { agent_code } => Some(agent_code.clone()),
            premia_core::Channel::Direct => None,
        };
        let coupons = quote.coupons_used.iter().filter(|c| c.single_use).map(|c| c.id.clone()).collect();
        Facts { agent_code, resident_id_hash, coupons, decision: quote.decision.outcome }
    }

    fn actor(&self) -> String {
        self.agent_code.clone().unwrap_or_else(|| "direct".to_owned())
    }
}

/// A quote priced for someone other than the number says is possibly an attempt to pass the blacklist:
/// record it in the audit log — with whether the number itself is blacklisted — and warn. Hashes only:
/// the number is never logged or stored.
async fn attempted_mismatch(state: &AppState, submitted: &Quote, number_hash: &str) -> Result<(), ApiError> {
    let quoted = submitted.request.insured.resident_id_hash.as_deref().unwrap_or("none");
    let blacklisted =
        state.store.blacklisted(BlacklistKind::ResidentId, number_hash).await.map_err(store_error)?.is_some();
    if blacklisted {
        state.metrics.blacklist_hit();
    }
    tracing::warn!(
        number_hash = %number_hash,
        quote_hash = %quoted,
        blacklisted,
        "application refused: the resident ID number does not match the quote"
    );
    let detail = json!({ "number_hash": number_hash, "quote_hash": quoted, "blacklisted": blacklisted, "digest": submitted.digest });
    state.store.audit(&NewAuditEvent::new("resident_id.mismatch", detail.to_string())).await.map_err(store_error)
}

/// The blacklist entries this application hits, as the field each is about.
async fn blacklist_hits(state: &AppState, facts: &Facts) -> Result<Vec<&'static str>, ApiError> {
    let mut hits = Vec::new();
    if state.store.blacklisted(BlacklistKind::ResidentId, &facts.resident_id_hash).await.map_err(store_error)?.is_some()
    {
        hits.push("request.insured.resident_id_hash");
    }
    if let Some(code) = &facts.agent_code {
        if state.store.blacklisted(BlacklistKind::Agent, code).await.map_err(store_error)?.is_some() {
            hits.push("request.channel.agent_code");
        }
    }
    Ok(hits)
}

/// `PA` + the date + 10 random Crockford base-32 digits (50 bits), e.g. `PA20261125-7KQ2M9XH4C`.
fn application_number(today: chrono::NaiveDate) -> Result<String, String> {
    const DIGITS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut random = [0u8; 10];
    getrandom::fill(&mut random).map_err(|e| format!("no randomness from the OS: {e}"))?;
    let suffix: String = random.iter().map(|b| char::from(DIGITS[usize::from(b & 31)])).collect();
    Ok(format!("PA{}-{suffix}", today.format("%Y%m%d")))
}

/// Count a submission refused before verification (the resident ID number or its check).
fn refused(state: &AppState) {
    state.metrics.application("refused");
}

/// A quote whose underwriting decision does not allow an application.
fn undecided(state: &AppState, code: &'static str, zh: &str, en: &str) -> ApiError {
    state.metrics.application("refused");
    ApiError::server(StatusCode::UNPROCESSABLE_ENTITY, ServerError::new(code, "decision", zh, en))
}

fn replay_or_conflict(
    state: &AppState,
    hash: &str,
    body_hash: &str,
    record: &ApplicationRecord,
    receipt: Option<&str>,
) -> Result<Response, ApiError> {
    if hash == body_hash {
        state.metrics.application("replayed");
        Ok(created(record, receipt, true))
    } else {
        Err(idempotency_conflict(&record.number))
    }
}

fn idempotency_conflict(application: &str) -> ApiError {
    ApiError::server(
        StatusCode::UNPROCESSABLE_ENTITY,
        ServerError::new(
            "idempotency_key.reused",
            "Idempotency-Key",
            format!("此 Idempotency-Key 已用于另一请求（投保单 {application}）"),
            format!("this Idempotency-Key was already used with a different request (application {application})"),
        ),
    )
    .with("application", json!(application))
}

fn mismatched(mismatches: Vec<premia_core::verify::Mismatch>) -> ApiError {
    let errors: Vec<ServerError> = mismatches
        .iter()
        .map(|m| {
            ServerError::new(
                "quote.mismatch",
                m.path.clone(),
                format!("提交值 {} 与重新计算值 {} 不符", m.submitted, m.recomputed),
                format!("submitted {} but the server computes {}", m.submitted, m.recomputed),
            )
        })
        .collect();
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        errors: json!(errors),
        extra: Some(("mismatches", json!(mismatches))),
    }
}

fn requote(reason: premia_core::verify::RequoteReason, fresh: Box<Quote>) -> ApiError {
    ApiError::server(
        StatusCode::CONFLICT,
        ServerError::new(
            "quote.requote_needed",
            "catalogue",
            "报价已过期或产品目录已更新，请确认新报价",
            "the quote has expired or the catalogue changed: confirm the fresh quote",
        ),
    )
    .with("requote", json!({ "reason": reason, "fresh": fresh }))
}

fn store_error(error: StoreError) -> ApiError {
    ApiError::unavailable(&error.to_string())
}

/// The 201 answer, the same for a new application and for a replay of it: with the applicant's status
/// receipt and the page that shows it (`status_url`; the JSON is at `/api/status/{receipt}`).
fn created(record: &ApplicationRecord, receipt: Option<&str>, replayed: bool) -> Response {
    let created_at = chrono::DateTime::from_timestamp_millis(record.created_at).map(|t| t.to_rfc3339());
    let body = json!({
        "application": record.number,
        "status": record.status,
        "created_at": created_at,
        "digest": record.digest,
        "catalogue": { "id": record.catalogue_id, "version": record.catalogue_version },
        "coupons_redeemed": record.coupons,
        "token": record.token,
        "receipt": receipt,
        "status_url": receipt.map(crate::desk::status::page_path),
    });
    let mut response = json_response(StatusCode::CREATED, &body);
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/applications/{}", record.number)) {
        headers.insert(header::LOCATION, location);
    }
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_numbers_are_dated_and_distinct() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let a = application_number(today).unwrap();
        let b = application_number(today).unwrap();
        assert!(a.starts_with("PA20261125-"), "{a}");
        assert_eq!(a.len(), "PA20261125-".len() + 10);
        assert_ne!(a, b);
    }
}
