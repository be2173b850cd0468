//! `POST /api/quotes/verify` (stateless) and `POST /api/quotes` (submit an application).
//!
//! What a client is the authority for, and what the server decides (docs/security.md): the client
//! declares the person (answers, choices, the resident ID number they type); the server decides today,
//! who the agent is, every figure, eligibility and which coupons still hold.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use premia_core::Quote;
use premia_core::coupon::{CouponKind, TokenKind};
use premia_core::underwriting::Outcome;
use premia_core::verify::RequoteReason;
use premia_store::{
    ApplicationRecord, IdempotencyKey, Identity, NewApplication, NewAuditEvent, Redemption, ReferralUse, StoreError,
    Submitted,
};
use serde_json::json;

use crate::body::{JsonBody, idempotency_key};
use crate::config::BlacklistAction;
use crate::envelope;
use crate::error::{ApiError, ServerError, json_response};
use crate::routes::agents::{self, Caller};
use crate::state::AppState;
use premia_core::verify::{BodyVerdict as Verified, parse_quote, verify_body};

/// Re-compute the submitted quote and answer with the verdict (always 200 for a readable quote). A valid
/// quote dated today is stamped: the stamp proves, on a later day, that the server priced it on its date.
pub(super) async fn verify(State(state): State<AppState>, JsonBody(body): JsonBody) -> Result<Response, ApiError> {
    let today = state.today();
    let outcome = verify_body(&state.catalogues.in_force(today).local(), &body, today);
    state.metrics.verification(outcome.name());
    crate::dashboard::verified::count(&state, &outcome, today);
    let answer = match outcome {
        Verified::Valid(quote) => {
            let date = quote.request.quote_date;
            if date > today {
                return Err(dated_after_today(date, today, "request.quote_date"));
            }
            let stamp = (date == today).then(|| state.secret.stamp(&quote.digest, date));
            json!({
                "verdict": "valid", "digest": quote.digest, "stamp": stamp, "catalogue": quote.catalogue,
                "valid_until": quote.valid_until,
            })
        }
        Verified::Invalid(mismatches) => json!({ "verdict": "invalid", "mismatches": mismatches }),
        Verified::RequoteNeeded { reason, fresh } => {
            #[derive(serde::Serialize)]
            struct Verdict<'a> {
                verdict: &'static str,
                #[serde(flatten)]
                requote: Requote<'a>,
            }
            let stamp = state.secret.stamp(&fresh.digest, fresh.request.quote_date);
            let answer = Verdict { verdict: "requote_needed", requote: Requote { reason, fresh: &fresh, stamp } };
            return Ok(json_response(StatusCode::OK, &answer));
        }
        Verified::Rejected { errors, malformed } => return Err(rejected(&errors, malformed)),
    };
    Ok(json_response(StatusCode::OK, &answer))
}

fn rejected(errors: &premia_core::Errors, malformed: bool) -> ApiError {
    let status = if malformed { StatusCode::BAD_REQUEST } else { StatusCode::UNPROCESSABLE_ENTITY };
    ApiError::core(status, errors)
}

/// Authenticate the agent, check the resident ID number against the quote, judge its date, verify,
/// check underwriting and the blacklist, redeem and credit coupons, store, sign: 201 with the
/// application number and token. The body is an envelope (see [`envelope`]).
pub(super) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let today = state.today();
    let application = envelope::read(&body).inspect_err(|_| state.metrics.verification("rejected"))?;
    let submitted = parse_quote(application.quote).map_err(|errors| {
        state.metrics.verification("rejected");
        rejected(&envelope::in_quote(errors), true)
    })?;
    // Who is calling: an agent-channel application only with that agent's token.
    let caller = agents::caller(&state, &headers, &submitted).await.inspect_err(|_| refused(&state))?;
    // The number, checked against the quote's birth date and sex; the person is keyed by it from here on.
    let identity = {
        let id = envelope::resident_id(&application.resident_id, today).inspect_err(|_| refused(&state))?;
        envelope::check(&submitted, &id).inspect_err(|_| refused(&state))?;
        state.identity(&id.number)
    };
    let quote_date = submitted.request.quote_date;
    if quote_date > today {
        refused(&state);
        return Err(dated_after_today(quote_date, today, "quote.request.quote_date"));
    }
    // Keys are the caller's own, for this person: a key another client chose never meets this one.
    let scope = format!("{}|{}", caller.scope(), identity.keyed);
    let body_hash = fingerprint(&submitted, application.application)?;
    if let Some(key) = &key {
        if let Some((hash, record)) = state.store.idempotent(&scope, key).await.map_err(store_error)? {
            let receipt = state.store.receipt_of(&record.number).await.map_err(store_error)?;
            return replay_or_conflict(&state, &hash, &body_hash, &record, receipt.as_deref());
        }
    }
    // The shared catalogue for the rules around verification (held across awaits); this thread's copy
    // for verifying itself (see `Version::local`).
    let catalogue = &state.catalogues.in_force(today).catalogue;
    let quote = verified(&state, application.quote, today)?;
    if quote_date < today {
        proven(&state, catalogue, &quote, application.stamp.as_deref(), today)?;
    }
    demo_coupons(&state, catalogue, &quote)?;
    // The application's details and consent, checked by the core beside the quote it verified.
    let details = application
        .application
        .map(|raw| crate::purchase::check_details(&state, catalogue, &quote, raw, today))
        .transpose()
        .inspect_err(|_| refused(&state))?;
    let facts = Facts::of(&quote, identity, caller);
    let mut status = decided(&state, facts.decision)?;
    let mut audit = Vec::new();
    let parties = details.as_ref().map_or(&[][..], |d| d.parties.as_slice());
    let blacklist_referral = match blacklisted(&state, &facts, parties, &quote).await? {
        Some(referred) => {
            status = "referred";
            audit.push(referred);
            true
        }
        None => false,
    };
    let referrals = referrals(&state, catalogue, &quote, &facts).await?;
    // The applicant's status receipt, and the desk's case for an application not decided automatically.
    let intake = crate::desk::intake::intake(&state, &quote, status == "referred", blacklist_referral)
        .map_err(|e| ApiError::unavailable(&e))?;
    let desk = Desk { receipt: intake.receipt.clone(), opens_case: intake.case.is_some() };
    let number = application_number(today).map_err(|e| ApiError::unavailable(&e))?;
    for event in &mut audit {
        event.application = Some(number.clone());
    }
    let idempotency = key.map(|key| IdempotencyKey { scope, key, body_hash });
    let filing = Filing { number, status, referrals, idempotency, audit, intake };
    let new = new_application(&state, &quote, &facts, filing)?;
    let key = catalogue.coupons.public_key;
    let outcome = state.store.submit(new).await;
    if let (Ok(submitted), Some(details)) = (&outcome, &details) {
        // Stored beside the application; a retry of the same body stores it if a crash came between.
        crate::purchase::record(&state, &submitted.record().number, details).await?;
    }
    stored(&state, &facts, &quote, &desk, key.as_ref(), outcome).await
}

/// What the server decided about an application besides its quote and facts.
struct Filing {
    number: String,
    status: &'static str,
    referrals: Vec<ReferralUse>,
    idempotency: Option<IdempotencyKey>,
    audit: Vec<NewAuditEvent>,
    intake: crate::desk::intake::Intake,
}

/// The application as the store keeps it: the quote's figures and JSON, who sent it for whom (keyed,
/// never the number), the signed token, the coupons to redeem, the desk's receipt and case.
fn new_application(state: &AppState, quote: &Quote, facts: &Facts, filing: Filing) -> Result<NewApplication, ApiError> {
    let Filing { number, status, referrals, idempotency, audit, intake } = filing;
    Ok(NewApplication {
        token: application_token(state, &number, status, quote),
        number,
        status: status.to_owned(),
        channel: quote.request.channel.name().to_owned(),
        agent_code: facts.caller.agent_code().map(str::to_owned),
        agent_token_id: facts.caller.token_id().map(str::to_owned),
        resident_id_hash: Some(facts.identity.keyed.clone()),
        catalogue_id: quote.catalogue.id.clone(),
        catalogue_version: quote.catalogue.version.clone(),
        digest: quote.digest.clone(),
        decision: stored_json(&quote.decision, "quote.decision")?,
        request_json: stored_json(&quote.request, "quote.request")?,
        quote_json: stored_json(quote, "quote")?,
        coupons: redemptions(quote),
        referrals,
        idempotency,
        audit,
        receipt: Some(intake.receipt),
        case: intake.case,
        dashboard: crate::dashboard::intake::facts(quote),
    })
}

/// The quote as parsed, and the application's details if any, hashed: a retry's fingerprint, so that
/// whitespace and key order do not make it "different" (nor a stamp: it proves the quote's date, it is
/// not part of what is applied for).
fn fingerprint(submitted: &Quote, details: Option<&serde_json::value::RawValue>) -> Result<String, ApiError> {
    let mut fingerprint = stored_json(submitted, "quote")?.into_bytes();
    if let Some(details) = details {
        // The details are part of what is applied for: a retry with other details is another body.
        fingerprint.push(b'\n');
        fingerprint.extend_from_slice(details.get().as_bytes());
    }
    Ok(premia_store::sha256_hex(&fingerprint))
}

/// The submitted quote verified by the core against the catalogue in force today (this thread's copy,
/// see `Version::local`), or the error that says why not.
fn verified(state: &AppState, quote: &[u8], today: NaiveDate) -> Result<Box<Quote>, ApiError> {
    let outcome = verify_body(&state.catalogues.in_force(today).local(), quote, today);
    state.metrics.verification(outcome.name());
    match outcome {
        Verified::Valid(quote) => Ok(quote),
        Verified::Invalid(mismatches) => Err(mismatched(mismatches)),
        Verified::RequoteNeeded { reason, fresh } => Err(requote(state, reason, fresh)),
        Verified::Rejected { errors, malformed } => Err(rejected(&errors, malformed)),
    }
}

/// The signed token that proves the application was accepted for this quote with this status.
fn application_token(state: &AppState, number: &str, status: &str, quote: &Quote) -> String {
    state.key.sign(&json!({
        "iss": "premia",
        "sub": number,
        "iat": chrono::Utc::now().timestamp(),
        "status": status,
        "digest": quote.digest,
        "catalogue": quote.catalogue,
        "totals": quote.totals,
        "valid_until": quote.valid_until,
    }))
}

/// The single-use coupons the quote used, to be redeemed with the application.
fn redemptions(quote: &Quote) -> Vec<Redemption> {
    quote
        .coupons_used
        .iter()
        .filter(|c| c.single_use)
        .map(|c| Redemption {
            catalogue_id: quote.catalogue.id.clone(),
            series: c.series.clone(),
            coupon_id: c.id.clone(),
        })
        .collect()
}

/// What the desk stored beside a new application: the applicant's receipt, and whether a case opened.
struct Desk {
    receipt: String,
    opens_case: bool,
}

/// The store's answer as the API's.
async fn stored(
    state: &AppState,
    facts: &Facts,
    quote: &Quote,
    desk: &Desk,
    key: Option<&ed25519_dalek::VerifyingKey>,
    outcome: Result<Submitted, StoreError>,
) -> Result<Response, ApiError> {
    match outcome {
        Ok(Submitted::Created(record)) => {
            state.metrics.application(&record.status);
            state.metrics.redeemed(record.coupons.len());
            if desk.opens_case {
                state.metrics.desk.case_created();
            }
            Ok(created(state, &record, Some(&desk.receipt), false))
        }
        Ok(Submitted::Replayed(record)) => {
            state.metrics.application("replayed");
            let receipt = state.store.receipt_of(&record.number).await.map_err(store_error)?;
            Ok(created(state, &record, receipt.as_deref(), true))
        }
        Err(StoreError::IdempotencyConflict) => Err(idempotency_conflict()),
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
                    coupon_field(quote, key, &coupon),
                    format!("优惠券 {coupon} 已被使用"),
                    format!("coupon {coupon} has already been redeemed"),
                ),
            )
            .with("redeemed_by", &json!({ "coupon": coupon })))
        }
        Err(StoreError::ReferralLimit { code, max_uses }) => {
            state.metrics.application("refused");
            Err(ApiError::server(
                StatusCode::CONFLICT,
                ServerError::new(
                    "referral.limit_reached",
                    coupon_field(quote, key, &code),
                    format!("推荐码 {code} 已使用 {max_uses} 次，达到上限"),
                    format!("referral code {code} has been used {max_uses} times, its limit"),
                ),
            ))
        }
        Err(error) => Err(store_error(error)),
    }
}

/// The field of the coupon with this id: `quote.request.coupons[i]` (the token naming it), else the
/// quote's `coupons_used`.
fn coupon_field(quote: &Quote, key: Option<&ed25519_dalek::VerifyingKey>, id: &str) -> String {
    let position = quote.request.coupons.iter().position(|entered| {
        premia_core::coupon::is_token(entered)
            && premia_core::coupon::verify_token(entered, key).is_ok_and(|claims| claims.id == id)
    });
    position.map_or_else(|| "quote.coupons_used".to_owned(), |i| format!("quote.request.coupons[{i}]"))
}

/// What the server needs from an accepted quote beyond its figures.
struct Facts {
    caller: Caller,
    /// The insured, keyed by the number sent beside the quote (whose birth date and sex are the quote's).
    identity: Identity,
    decision: Outcome,
}

impl Facts {
    fn of(quote: &Quote, identity: Identity, caller: Caller) -> Facts {
        Facts { caller, identity, decision: quote.decision.outcome }
    }

    fn actor(&self) -> String {
        self.caller.agent_code().unwrap_or("direct").to_owned()
    }
}

/// A quote dated before today is accepted only with the server's stamp for its digest and date; else it
/// is priced again today (409 with the fresh quote).
fn proven(
    state: &AppState,
    catalogue: &premia_core::Catalogue,
    quote: &Quote,
    stamp: Option<&str>,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let date = quote.request.quote_date;
    match stamp.map(|s| state.secret.verify_stamp(s)) {
        Some(Some(stamp)) if stamp.digest == quote.digest && stamp.quote_date == date => Ok(()),
        Some(None) => {
            refused(state);
            Err(ApiError::server(
                StatusCode::UNPROCESSABLE_ENTITY,
                ServerError::new(
                    "stamp.invalid",
                    "stamp",
                    "报价凭证无效：不是本服务器签发的",
                    "the stamp is not valid: this server did not sign it",
                ),
            ))
        }
        // No stamp, or one for another quote or date: nothing proves the date.
        _ => match premia_core::verify::requote(catalogue, &quote.request, today, RequoteReason::DatedBeforeToday) {
            Ok(premia_core::verify::Verdict::RequoteNeeded { reason, fresh }) => Err(requote(state, reason, fresh)),
            Ok(_) => Err(ApiError::unavailable("requote gave no fresh quote")),
            Err(errors) => Err(rejected(&errors, false)),
        },
    }
}

/// Vouchers and referral codes verify against the catalogue's public key; a key whose private half is
/// published in this repository (catalogue/keys/) signs anything anyone likes: refused unless
/// `--allow-demo`.
fn demo_coupons(state: &AppState, catalogue: &premia_core::Catalogue, quote: &Quote) -> Result<(), ApiError> {
    let published = catalogue.coupons.public_key.as_ref().is_some_and(crate::demo::is_published_key);
    if state.config.allow_demo || !published || quote.coupons_used.is_empty() {
        return Ok(());
    }
    refused(state);
    let errors: Vec<ServerError> = quote
        .request
        .coupons
        .iter()
        .enumerate()
        .filter(|(_, c)| premia_core::coupon::is_token(c))
        .map(|(i, _)| {
            ServerError::new(
                "coupon.demo_key",
                format!("quote.request.coupons[{i}]"),
                "此优惠券由公开的演示密钥签发，生产环境不予受理",
                "this coupon is signed by the published demo key and is not accepted in production",
            )
        })
        .collect();
    Err(ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, errors: json!(errors), extra: None })
}

/// The status the underwriting decision allows, or the refusal.
fn decided(state: &AppState, decision: Outcome) -> Result<&'static str, ApiError> {
    match decision {
        Outcome::Accept | Outcome::AcceptWithConditions => Ok("accepted"),
        // Stored for manual underwriting (人工核保) or a medical examination before cover starts.
        Outcome::Refer | Outcome::MedicalExam => Ok("referred"),
        Outcome::Pending => Err(undecided(
            state,
            "underwriting.pending",
            "核保所需信息不完整（如健康告知），请补充后重新报价",
            "underwriting needs more information (e.g. health answers): complete the quote first",
        )),
        Outcome::Decline => Err(undecided(
            state,
            "underwriting.declined",
            "核保结论为拒保，无法投保",
            "underwriting declined this application",
        )),
    }
}

/// Check the insured, the agent and everyone in the application's details (policyholder, an insured
/// named there, named beneficiaries) against the blacklist: `Ok(None)` when none is listed, the audit
/// event to store with a referred application (`--blacklist-action refer`), or the 403. The audit
/// event names every hit; the 403 names the insured's number, the agent, or only `application` — it
/// never says which person in the details is listed, nor on what.
async fn blacklisted(
    state: &AppState,
    facts: &Facts,
    parties: &[(String, Identity)],
    quote: &Quote,
) -> Result<Option<NewAuditEvent>, ApiError> {
    let mut hits: Vec<&str> = Vec::new();
    if state.store.blacklisted_person(&facts.identity).await.map_err(store_error)?.is_some() {
        hits.push("resident_id");
    }
    if let Some(code) = facts.caller.agent_code() {
        if state.store.blacklisted_agent(code).await.map_err(store_error)?.is_some() {
            hits.push("quote.request.channel.agent_code");
        }
    }
    for (field, identity) in parties {
        // The insured sent beside the quote is often the policyholder too: asked about once.
        if identity.keyed != facts.identity.keyed
            && state.store.blacklisted_person(identity).await.map_err(store_error)?.is_some()
        {
            hits.push(field);
        }
    }
    if hits.is_empty() {
        return Ok(None);
    }
    state.metrics.blacklist_hit();
    let detail = json!({
        "hits": hits, "digest": quote.digest, "action": state.config.blacklist_action.name(),
        "agent_token_id": facts.caller.token_id(),
    })
    .to_string();
    match state.config.blacklist_action {
        BlacklistAction::Decline => {
            let event = NewAuditEvent::new("blacklist.declined", detail).actor(facts.actor());
            state.store.audit(&event).await.map_err(store_error)?;
            state.metrics.application("declined");
            let field = if hits[0].starts_with("application.") { "application" } else { hits[0] };
            Err(blacklist_declined(field))
        }
        BlacklistAction::Refer => Ok(Some(NewAuditEvent::new("blacklist.referred", detail).actor(facts.actor()))),
    }
}

pub(super) fn blacklist_declined(field: &str) -> ApiError {
    ApiError::server(
        StatusCode::FORBIDDEN,
        ServerError::new(
            "blacklist.declined",
            field,
            "无法受理此投保申请，请联系客服",
            "this application cannot be accepted; please contact us",
        ),
    )
}

/// The referral codes the quote used, each bound to its referrer (an application in this store, whose
/// insured is not this application's) and credited to them within the series' use limit (the store
/// enforces the limit when it commits).
async fn referrals(
    state: &AppState,
    catalogue: &premia_core::Catalogue,
    quote: &Quote,
    facts: &Facts,
) -> Result<Vec<ReferralUse>, ApiError> {
    let mut uses = Vec::new();
    let key = catalogue.coupons.public_key.as_ref();
    for used in quote.coupons_used.iter().filter(|c| c.kind == CouponKind::Referral) {
        let found = quote.request.coupons.iter().enumerate().find_map(|(i, entered)| {
            let claims = premia_core::coupon::verify_token(entered, key).ok()?;
            (claims.kind == TokenKind::Referral && claims.id == used.id).then_some((i, claims))
        });
        let Some((i, claims)) = found else { continue };
        let field = format!("quote.request.coupons[{i}]");
        let referrer = claims.referrer.unwrap_or_default();
        let refuse = |code, zh: &str, en: &str| {
            refused(state);
            ApiError::server(StatusCode::UNPROCESSABLE_ENTITY, ServerError::new(code, field.clone(), zh, en))
        };
        match state.store.application_identity(&referrer).await.map_err(store_error)? {
            None => {
                return Err(refuse(
                    "referral.unknown_referrer",
                    "推荐码的推荐人不是本公司客户",
                    "the referral code's referrer is not a customer of ours",
                ));
            }
            Some((scheme, hash)) if facts.identity.is(&scheme, &hash) => {
                return Err(refuse(
                    "referral.own",
                    "推荐码不能用于推荐人本人的投保",
                    "a referral code cannot be used on its referrer's own application",
                ));
            }
            Some(_) => {}
        }
        let max_uses = catalogue.coupons.referrals.iter().find(|r| r.id == used.series).and_then(|r| r.max_uses);
        uses.push(ReferralUse {
            catalogue_id: quote.catalogue.id.clone(),
            series: used.series.clone(),
            code_id: used.id.clone(),
            referrer,
            max_uses: max_uses.unwrap_or(1),
        });
    }
    Ok(uses)
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
        Ok(created(state, record, receipt, true))
    } else {
        Err(idempotency_conflict())
    }
}

/// The key was used before, by this caller for this person, with another quote. Which application it
/// made is not said: a key is not a way to look one up.
fn idempotency_conflict() -> ApiError {
    ApiError::server(
        StatusCode::UNPROCESSABLE_ENTITY,
        ServerError::new(
            "idempotency_key.reused",
            "Idempotency-Key",
            "此 Idempotency-Key 已用于另一请求：每次投保请使用新的键",
            "this Idempotency-Key was already used with a different request: use a new key for each application",
        ),
    )
}

/// A quote dated after the server's today.
fn dated_after_today(date: NaiveDate, today: NaiveDate, field: &str) -> ApiError {
    ApiError::server(
        StatusCode::UNPROCESSABLE_ENTITY,
        ServerError::new(
            "quote.date_future",
            field,
            format!("报价日期 {date} 晚于今天（{today}，保险公司所在时区）"),
            format!("the quote date {date} is after today ({today}, in the insurer's time zone)"),
        ),
    )
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
        extra: serde_json::value::to_raw_value(&mismatches).ok().map(|raw| ("mismatches", raw)),
    }
}

/// A re-quote as answered: the fresh quote in the engine's own field order (a client sends it back as it
/// is, and the fast path recognises it), with its stamp.
#[derive(serde::Serialize)]
struct Requote<'a> {
    reason: RequoteReason,
    fresh: &'a Quote,
    stamp: String,
}

/// 409 with the fresh quote priced today, stamped (so that it keeps its price if confirmed after midnight).
fn requote(state: &AppState, reason: RequoteReason, fresh: Box<Quote>) -> ApiError {
    let (field, zh, en) = match reason {
        RequoteReason::DatedBeforeToday => (
            "quote.request.quote_date",
            "报价日期早于今天且无本服务器的报价凭证：请确认按今天计算的新报价",
            "the quote is dated before today without this server's stamp: confirm the fresh quote priced today",
        ),
        RequoteReason::Expired => {
            ("quote.valid_until", "报价已过期，请确认新报价", "the quote has expired: confirm the fresh quote")
        }
        RequoteReason::CatalogueVersionChanged => {
            ("quote.catalogue", "产品目录已更新，请确认新报价", "the catalogue changed: confirm the fresh quote")
        }
    };
    state.metrics.application("refused");
    let stamp = state.secret.stamp(&fresh.digest, fresh.request.quote_date);
    ApiError::server(StatusCode::CONFLICT, ServerError::new("quote.requote_needed", field, zh, en))
        .with("requote", &Requote { reason, fresh: &fresh, stamp })
}

/// What is stored of an application (its quote, request and decision), as JSON. The core's types always
/// serialise (string keys, decimals as strings); should one ever fail, the application is refused with a
/// typed 500 and nothing is stored: never an application with an empty quote.
fn stored_json(value: &impl serde::Serialize, field: &str) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|error| {
        tracing::error!("serialising {field} to store it failed: {error}");
        ApiError::server(
            StatusCode::INTERNAL_SERVER_ERROR,
            ServerError::new(
                "internal.serialise",
                field,
                "服务器内部错误：无法保存报价",
                "internal server error: the quote could not be stored",
            ),
        )
    })
}

fn store_error(error: StoreError) -> ApiError {
    ApiError::unavailable(&error.to_string())
}

/// The 201 answer, the same for a new application and for a replay of it: with the applicant's status
/// receipt and the page that shows it (`status_url`; the JSON is at `/api/status/{receipt}`), and the
/// purchase token that pays for it and reads its policy.
fn created(state: &AppState, record: &ApplicationRecord, receipt: Option<&str>, replayed: bool) -> Response {
    let purchase = state.secret.purchase_token(&record.number);
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
        // For whoever applied: pay for this application, cancel it, read its policy.
        "purchase": { "token": purchase, "status": format!("/api/purchases/{purchase}") },
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

    #[test]
    fn what_cannot_be_serialised_is_a_typed_500_not_an_empty_string() {
        // JSON object keys must be strings: a map keyed by pairs cannot be written.
        let unwritable = std::collections::BTreeMap::from([((1u8, 2u8), 3u8)]);
        let error = stored_json(&unwritable, "quote").unwrap_err();
        assert_eq!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(error.errors[0]["code"], "internal.serialise");
        assert_eq!(error.errors[0]["field"], "quote");
        assert!(error.errors[0]["message"]["zh"].as_str().is_some_and(|zh| !zh.is_empty()));
        assert_eq!(stored_json(&premia_core::Sex::Female, "quote").unwrap(), "\"female\"");
    }
}
