//! `GET /api/desk/cases` (the queue) and `GET /api/desk/cases/{number}` (a case, audited).

use std::collections::HashMap;

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use premia_core::Quote;
use premia_desk::api::{
    Allowed, CaseList, CaseSummary, CaseView, DecisionOptions, DecisionRecord, HistoryEntry, Related,
};
use premia_desk::facts::{self, InsuredFacts};
use premia_desk::workflow::{self, Action, Actor, CaseState};
use premia_desk::{CaseStatus, Role};
use premia_store::{CaseFilter, CaseRow, DecisionRow};

use super::input::{self, invalid};
use crate::error::{ApiError, json_response};
use crate::staff::Staff;
use crate::state::AppState;

const QUERY_FIELDS: [&str; 10] = [
    "status",
    "product",
    "line",
    "min_age_hours",
    "max_age_hours",
    "sla",
    "second_review",
    "review",
    "cursor",
    "limit",
];

pub async fn list(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let now = premia_store::now_millis();
    let Query(pairs) = query.map_err(|_| invalid("query", "查询字符串无法解析", "the query string cannot be read"))?;
    let filter = filter(&state, &staff, unique(pairs)?, now)?;
    let mut rows = state.store.cases(&filter).await.map_err(unavailable)?;
    // The filter asks for one row more than the page: whether there is a next page.
    let page = usize::try_from(filter.limit - 1).unwrap_or(0);
    let next = (rows.len() > page).then(|| {
        rows.truncate(page);
        rows.last().map(|last| URL_SAFE_NO_PAD.encode(format!("{}~{}", last.created_at, last.application)))
    });
    let cases = rows.iter().map(|row| summary(&state, row, now)).collect();
    let list = CaseList { cases, next: next.flatten(), sla_hours: state.config.desk.sla_hours };
    Ok(private(json_response(StatusCode::OK, &list)))
}

/// The queue's query string as a filter; an unknown parameter or a bad value is a typed 422.
fn filter(state: &AppState, staff: &Staff, params: HashMap<String, String>, now: i64) -> Result<CaseFilter, ApiError> {
    if let Some(unknown) = params.keys().find(|k| !QUERY_FIELDS.contains(&k.as_str())) {
        return Err(invalid(
            unknown,
            format!("未知的查询参数 {unknown}"),
            format!("unknown query parameter {unknown}"),
        ));
    }
    let hours = |name: &str| -> Result<Option<i64>, ApiError> {
        params
            .get(name)
            .map(|v| {
                v.parse::<u32>().map(|h| i64::from(h) * 3_600_000).map_err(|_| {
                    invalid(name, format!("{name} 须为整数小时数"), format!("{name} is a whole number of hours"))
                })
            })
            .transpose()
    };
    let flag = |name: &str, yes: &str, no: &str| -> Result<Option<bool>, ApiError> {
        match params.get(name).map(String::as_str) {
            None => Ok(None),
            Some(v) if v == yes => Ok(Some(true)),
            Some(v) if v == no => Ok(Some(false)),
            Some(_) => Err(invalid(name, format!("{name} 须为 {yes} 或 {no}"), format!("{name} is {yes} or {no}"))),
        }
    };
    let status = match params.get("status").map(String::as_str) {
        None | Some("active") => None,
        Some("all") => Some("all".to_owned()),
        Some(s) if CaseStatus::parse(s).is_some() => Some(s.to_owned()),
        Some(_) => {
            return Err(invalid(
                "status",
                "status 须为 active、all 或一个案件状态",
                "status is active, all, or a case status (open, waiting, provisional, escalated, decided)",
            ));
        }
    };
    let limit = match params.get("limit") {
        None => 50,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| invalid("limit", "limit 须为 1–200 的整数", "limit is a whole number from 1 to 200"))?,
    };
    let after = params.get("cursor").map(|c| cursor(c)).transpose()?;
    let review_for = (flag("review", "awaiting", "any")? == Some(true)).then(|| staff.account.id.clone());
    Ok(CaseFilter {
        status,
        product: params.get("product").cloned(),
        line: params.get("line").cloned(),
        submitted_until: hours("min_age_hours")?.map(|h| now - h),
        submitted_from: hours("max_age_hours")?.map(|h| now - h),
        sla_breached: flag("sla", "breached", "within")?,
        sla_millis: state.config.desk.sla_millis(),
        sla_now: now,
        needs_second_review: flag("second_review", "true", "false")?,
        review_for,
        after,
        // One more than asked: whether there is a next page.
        limit: limit + 1,
    })
}

fn unique(pairs: Vec<(String, String)>) -> Result<HashMap<String, String>, ApiError> {
    let mut params = HashMap::new();
    for (key, value) in pairs {
        if params.contains_key(&key) {
            return Err(invalid(&key, format!("查询参数 {key} 重复"), format!("query parameter {key} is given twice")));
        }
        params.insert(key, value);
    }
    Ok(params)
}

fn cursor(text: &str) -> Result<(i64, String), ApiError> {
    let bad = || invalid("cursor", "cursor 无效：请使用上一页返回的 next", "cursor is not one a page returned as next");
    let decoded = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (at, number) = decoded.split_once('~').ok_or_else(bad)?;
    Ok((at.parse().map_err(|_| bad())?, number.to_owned()))
}

fn summary(state: &AppState, row: &CaseRow, now: i64) -> CaseSummary {
    let (age, breached) = sla(state, row, now);
    CaseSummary {
        application: row.application.clone(),
        submitted_at: input::time(row.created_at, state.config.utc_offset),
        status: CaseStatus::parse(&row.status).unwrap_or(CaseStatus::Open),
        product: row.product.clone(),
        line: serde_json::from_value(serde_json::Value::String(row.line.clone()))
            .unwrap_or(premia_core::catalogue::Line::CriticalIllness),
        channel: row.channel.clone(),
        agent_code: row.agent_code.clone(),
        needs_second_review: row.needs_second_review,
        age_hours: age / 3_600_000,
        sla_breached: breached,
        pending_by: row.pending_by.as_ref().map(|(_, name)| name.clone()),
    }
}

/// How old the case is (to its final decision, once decided), and whether that is past the target.
fn sla(state: &AppState, row: &CaseRow, now: i64) -> (i64, bool) {
    let age = row.decided_at.unwrap_or(now) - row.created_at;
    (age, age > state.config.desk.sla_millis())
}

pub async fn view(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let Some(case) = state.store.case(&number).await.map_err(unavailable)? else {
        return Err(ApiError::not_found("number"));
    };
    let quote = application_quote(&state, &number).await?;
    // Personal data is about to be shown: written to the audit log first.
    state.store.case_opened(&number, &staff.account.username).await.map_err(unavailable)?;
    let decisions = state.store.case_decisions(&number).await.map_err(unavailable)?;
    let audit = state.store.audit_of(&number).await.map_err(unavailable)?;
    let related = state.store.same_person(&number).await.map_err(unavailable)?;
    let version =
        state.catalogues.get(&quote.catalogue.version).unwrap_or_else(|| state.catalogues.in_force(state.today()));
    let catalogue = &version.catalogue;
    let now = premia_store::now_millis();
    let offset = state.config.utc_offset;
    let blacklist = audit
        .iter()
        .filter(|e| e.event == "blacklist.referred")
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.detail).ok())
        .flat_map(|d| d["hits"].as_array().cloned().unwrap_or_default())
        .filter_map(|h| h.as_str().map(str::to_owned))
        .collect();
    let proposed = quote.decision.loading();
    let view = CaseView {
        application: number.clone(),
        status: CaseStatus::parse(&case.status).unwrap_or(CaseStatus::Open),
        submitted_at: input::time(case.created_at, offset),
        sla_due_at: input::time(case.created_at + state.config.desk.sla_millis(), offset),
        sla_breached: sla(&state, &case, now).1,
        needs_second_review: case.needs_second_review,
        channel: case.channel.clone(),
        agent_code: case.agent_code.clone(),
        insured: InsuredFacts::of(&quote),
        health: facts::health_lines(catalogue, &quote),
        blacklist,
        related: related
            .into_iter()
            .map(|r| Related {
                application: r.application,
                submitted_at: input::time(r.created_at, offset),
                status: r.status,
                case_status: r.case_status.as_deref().and_then(CaseStatus::parse),
                outcome: r.outcome,
            })
            .collect(),
        decisions: decisions.iter().map(|d| record(d, &case, offset)).collect(),
        history: audit
            .iter()
            .map(|e| HistoryEntry { at: input::time(e.at, offset), event: e.event.clone(), actor: e.actor.clone() })
            .collect(),
        options: DecisionOptions {
            loadings: catalogue.desk.loading.values(),
            exclusions: catalogue.desk.exclusions.clone(),
            postpone_months: catalogue.desk.postpone_months.clone(),
            reasons: catalogue.desk.reasons.clone(),
            proposed_loading: (proposed > rust_decimal::Decimal::ZERO).then_some(proposed),
        },
        allowed: allowed(&case, &staff),
        quote: facts::without_identity(quote),
    };
    Ok(private(json_response(StatusCode::OK, &view)))
}

fn record(d: &DecisionRow, case: &CaseRow, offset: chrono::FixedOffset) -> DecisionRecord {
    let is = |slot: &Option<String>| slot.as_deref() == Some(d.id.as_str());
    let state = if is(&case.final_decision) {
        "final"
    } else if is(&case.pending_decision) && matches!(case.status.as_str(), "provisional" | "escalated") {
        "pending"
    } else if is(&case.counter_decision) && case.status == "escalated" {
        "counter"
    } else if is(&case.requested_decision) && case.status == "waiting" {
        "requested"
    } else {
        "earlier"
    };
    let verdict: premia_core::desk::Verdict =
        serde_json::from_str(&d.verdict_json).unwrap_or(premia_core::desk::Verdict::MoreInformation {});
    DecisionRecord {
        id: d.id.clone(),
        by: d.username.clone(),
        role: Role::parse(&d.role).unwrap_or(Role::Underwriter),
        label: verdict.label(),
        verdict,
        note: d.note.clone(),
        at: input::time(d.created_at, offset),
        state: state.to_owned(),
        quote: d.quote_json.as_deref().and_then(|q| crate::stored::quote(q).ok()).map(facts::without_identity),
    }
}

/// The case as the workflow reads it.
pub fn case_state(case: &CaseRow) -> CaseState<'_> {
    CaseState {
        status: CaseStatus::parse(&case.status).unwrap_or(CaseStatus::Decided),
        needs_second_review: case.needs_second_review,
        pending_by: case.pending_by.as_ref().map(|(id, _)| id.as_str()),
        counter_by: case.counter_by.as_ref().map(|(id, _)| id.as_str()),
    }
}

fn allowed(case: &CaseRow, staff: &Staff) -> Allowed {
    let state = case_state(case);
    let actor = Actor { id: &staff.account.id, role: staff.role };
    let can = |action| workflow::next(&state, &actor, action).is_ok();
    Allowed {
        decide: can(Action::Decide { decides: true }),
        review: can(Action::Agree),
        resolve: can(Action::Resolve { choose_pending: true, decides: true }),
    }
}

/// The server's own quote of an application, as stored at submission.
pub async fn application_quote(state: &AppState, number: &str) -> Result<Quote, ApiError> {
    let record =
        state.store.application(number).await.map_err(unavailable)?.ok_or_else(|| ApiError::not_found("number"))?;
    crate::stored::quote(&record.quote_json).map_err(|e| ApiError::unavailable(&format!("{number}: {e}")))
}

pub fn unavailable(error: premia_store::StoreError) -> ApiError {
    ApiError::unavailable(&error.to_string())
}

/// Personal data: never cached, anywhere.
pub fn private(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let (at, number) = cursor(&URL_SAFE_NO_PAD.encode("17~PA1-X")).unwrap();
        assert_eq!((at, number.as_str()), (17, "PA1-X"));
        assert!(cursor("!!").is_err());
    }
}
