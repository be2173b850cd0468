//! `GET /api/dashboard`: read the sums a query needs from the store and let `premia_dashboard::build`
//! make the figures and tables of them.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use premia_core::Text;
use premia_dashboard::api::{Choice, Choices, Query, UNKNOWN_REGION};
use premia_dashboard::build::{self, Inputs, Names, days_of, trend_span};
use premia_dashboard::period::Comparison;
use premia_dashboard::{Dashboard, Period};
use premia_store::{Dim, FactFilter, StoreError};

use crate::desk::cases::{private, unavailable};
use crate::error::{ApiError, ServerError, json_response};
use crate::state::AppState;

pub async fn get(State(state): State<AppState>, uri: Uri) -> Result<Response, ApiError> {
    let query = parse(&uri)?;
    let dashboard = load(&state, &query).await.map_err(unavailable)?;
    Ok(private(json_response(StatusCode::OK, &dashboard)))
}

/// The query string's pairs, decoded (axum's `Query`, serde_urlencoded); malformed: 400 `syntax`.
pub fn pairs(uri: &Uri) -> Result<Vec<(String, String)>, ApiError> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri).map(|q| q.0).map_err(|e| {
        ApiError::server(
            StatusCode::BAD_REQUEST,
            ServerError::new("syntax", "query", "查询字符串无法解析", e.body_text()),
        )
    })
}

/// The query string as a [`Query`]: every parameter checked, a bad one a 422 naming it.
pub fn parse(uri: &Uri) -> Result<Query, ApiError> {
    let pairs = pairs(uri)?;
    Query::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|bad| {
        ApiError::server(
            StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::new("invalid", bad.field, bad.message.zh.to_string(), bad.message.en.to_string()),
        )
    })
}

/// The filters as the store reads them (a region of `unknown` is the facts' `""`).
pub fn filter(query: &Query) -> FactFilter {
    FactFilter {
        channel: query.channel.clone(),
        product: query.product.clone(),
        province: query.region.as_deref().map(|r| if r == UNKNOWN_REGION { String::new() } else { r.to_owned() }),
    }
}

/// Every figure of `query`, as of now.
pub async fn load(state: &AppState, query: &Query) -> Result<Dashboard, StoreError> {
    let today = state.today();
    let period = query.period_on(today);
    let inputs = inputs(state, query, period, Comparison::of(period, today)).await?;
    let now = premia_store::now_millis();
    let as_of = crate::desk::input::time(now, state.config.utc_offset);
    Ok(build::dashboard(query, today, &inputs, &state.dashboard.targets, &state.dashboard.names, as_of))
}

async fn inputs(state: &AppState, query: &Query, period: Period, c: Comparison) -> Result<Inputs, StoreError> {
    let store = &state.store;
    let filter = filter(query);
    let spans = [c.current, c.previous, c.year_ago].map(days_of);
    let current_rows =
        store.premium_rows(spans[0], &filter, &[Dim::Channel, Dim::Product, Dim::Line, Dim::Province, Dim::Kind]);
    let previous_rows = store.premium_rows(spans[1], &filter, &[Dim::Channel, Dim::Line, Dim::Kind]);
    let year_ago_rows = store.premium_rows(spans[2], &filter, &[Dim::Channel, Dim::Line, Dim::Kind]);
    let trend = store.premium_rows(days_of(trend_span(period)), &filter, &[Dim::Day, Dim::Kind]);
    let (current, previous, year_ago, trend_days) =
        tokio::try_join!(current_rows, previous_rows, year_ago_rows, trend)?;
    let (a0, a1, a2) = tokio::try_join!(
        store.application_sums(spans[0], &filter),
        store.application_sums(spans[1], &filter),
        store.application_sums(spans[2], &filter),
    )?;
    let (m0, m1, m2) = tokio::try_join!(
        store.manual_times(spans[0], &filter),
        store.manual_times(spans[1], &filter),
        store.manual_times(spans[2], &filter),
    )?;
    let channel = filter.channel.as_deref();
    let (v0, v1, v2) = tokio::try_join!(
        store.verified(spans[0], channel),
        store.verified(spans[1], channel),
        store.verified(spans[2], channel)
    )?;
    let total = |days: Vec<(i64, i64)>| days.iter().map(|(_, n)| n).sum::<i64>();
    let (by_agent, coupons, conversion) = tokio::try_join!(
        store.agent_rows(spans[0], &filter),
        store.coupon_rows(spans[0], &filter),
        store.conversion_days(spans[0], &filter),
    )?;
    Ok(Inputs {
        by_channel: current.clone(),
        by_product: current.clone(),
        by_region: current.clone(),
        premium: [current, previous, year_ago],
        applications: [a0, a1, a2],
        verified: [total(v0), total(v1), total(v2)],
        manual_millis: [m0, m1, m2],
        trend_days,
        by_agent,
        coupons,
        conversion,
    })
}

/// Product names (the latest version's) and the filters' choices, from every loaded catalogue.
pub fn names(catalogues: &crate::catalogues::Catalogues) -> Names {
    let mut products: BTreeMap<String, Text> = BTreeMap::new();
    let mut provinces: BTreeMap<String, Text> = BTreeMap::new();
    for version in catalogues.all() {
        for product in version.catalogue.all_products() {
            products.insert(product.code.clone(), product.name.clone());
        }
        for code in version.catalogue.regions.keys() {
            let province = premia_dashboard::facts::province_of(Some(code));
            if !province.is_empty() {
                provinces.insert(province.clone(), build::region_label(&province));
            }
        }
    }
    let mut regions: Vec<Choice> = provinces.into_iter().map(|(code, name)| Choice { code, name }).collect();
    regions.push(Choice { code: UNKNOWN_REGION.to_owned(), name: build::region_label("") });
    let choices = Choices {
        channels: build::channel_choices(),
        products: products.iter().map(|(code, name)| Choice { code: code.clone(), name: name.clone() }).collect(),
        regions,
    };
    Names { products, choices }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_decoded_and_checked() {
        let uri: Uri = "/api/dashboard?grain=quarter&period=2026-Q4&region=unknown&product=C%49".parse().unwrap();
        let query = parse(&uri).unwrap();
        assert_eq!(filter(&query).province.as_deref(), Some(""));
        assert_eq!(query.product.as_deref(), Some("CI"));
        assert_eq!(
            parse(&"/api/dashboard?grain=year".parse().unwrap()).unwrap_err().status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
