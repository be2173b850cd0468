//! Where a submitted application stands, as the server says: its status JSON read (the wire type is
//! `premia_desk::status::StatusView`; the tests below read what that type writes), where to read it, and
//! when to read it again. Pure, like the reducer: the app's effects fetch and wait (`app.rs`).
//!
//! The page never computes anything here: the stage, its words and the premium are the server's, shown as
//! text. The reader is written on the core's JSON tree rather than as a serde derive of the desk's type:
//! the customer's module carries neither the desk crate nor `serde_json`'s reader.

use premia_core::json::Json;
use premia_core::money::strict;
use premia_core::{Lang, Text};
use rust_decimal::Decimal;

use crate::i18n::{Label, money};
use crate::state::ServerError;

/// How often an application still with the underwriters is read again.
pub const REFRESH_MS: u32 = 15_000;
/// The longest wait between reads after errors (backing off from [`REFRESH_MS`]).
pub const MAX_BACKOFF_MS: u32 = 5 * 60_000;

/// The five stages an applicant sees (`StatusView::status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Submitted,
    UnderReview,
    Accepted,
    Postponed,
    Declined,
}

impl Stage {
    fn read(name: &str) -> Option<Stage> {
        Some(match name {
            "submitted" => Stage::Submitted,
            "under_review" => Stage::UnderReview,
            "accepted" => Stage::Accepted,
            "postponed" => Stage::Postponed,
            "declined" => Stage::Declined,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Stage::Submitted => "submitted",
            Stage::UnderReview => "under_review",
            Stage::Accepted => "accepted",
            Stage::Postponed => "postponed",
            Stage::Declined => "declined",
        }
    }

    /// Decided: the desk will not change it, so nothing is read again.
    pub fn is_settled(self) -> bool {
        !matches!(self, Stage::Submitted | Stage::UnderReview)
    }
}

/// The premium that holds once accepted, as the server wrote it (its `Totals`, after any loading and
/// discount).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Premium {
    pub annual: Decimal,
    pub net_first_year: Decimal,
    pub net_total: Decimal,
}

/// The status JSON, read: what the page shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub application: String,
    pub stage: Stage,
    /// The server's words for the stage.
    pub label: Text,
    pub updated_at: String,
    pub premium: Option<Premium>,
    /// The underwriting loading, a fraction (`0.50` is +50 %).
    pub loading: Option<Decimal>,
    pub exclusions: Vec<Text>,
    pub postpone_months: Option<u64>,
    /// Why it was postponed or declined: a category in words (never the underwriter's note, which the
    /// server does not send).
    pub reason: Option<Text>,
    /// What the applicant is asked to do (an exam, more information).
    pub requested: Option<Text>,
}

/// One answer to a status read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Read(Box<Standing>),
    /// The server's typed refusal (an unknown receipt, a revoked agent token, …).
    Refused {
        status: u16,
        errors: Vec<ServerError>,
    },
    /// An answer that is not a status this page knows: not JSON (`field` is ""), or a field missing,
    /// mistyped or with a value it has no word for (a stage it does not know: `status`).
    Unreadable {
        status: u16,
        field: &'static str,
    },
    /// No answer at all (offline, the server down, CORS refused).
    Unreachable,
}

impl Reading {
    pub fn from_response(status: u16, body: &str) -> Reading {
        let json = premia_core::json::parse(body);
        match (status, json) {
            (200, Ok(json)) => match Standing::read(&json) {
                Ok(standing) => Reading::Read(Box::new(standing)),
                Err(field) => Reading::Unreadable { status, field },
            },
            (_, json) => match json.ok().as_ref().and_then(crate::state::read_errors) {
                Some(errors) => Reading::Refused { status, errors },
                None => Reading::Unreadable { status, field: "" },
            },
        }
    }

    /// How long to wait before reading again; `None`: stop. A decided application is not read again,
    /// nor one the server refuses to show (an unknown receipt, an application not this agent's, a token
    /// refused): asking again would get the same answer. Other trouble (no answer, a 5xx, a 429, an
    /// answer not understood) backs off, doubling from [`REFRESH_MS`] up to [`MAX_BACKOFF_MS`].
    /// `failures` counts the troubled reads in a row, this one included.
    pub fn next_read_ms(&self, failures: u32) -> Option<u32> {
        match self {
            Reading::Read(standing) => (!standing.stage.is_settled()).then_some(REFRESH_MS),
            _ if self.is_final_refusal() => None,
            _ => Some(REFRESH_MS.saturating_mul(1 << failures.min(5)).min(MAX_BACKOFF_MS)),
        }
    }
}

impl Reading {
    /// The server refuses to show this status, and would again: a 4xx other than 408 and 429.
    pub fn is_final_refusal(&self) -> bool {
        matches!(self, Reading::Refused { status, .. } if (400..500).contains(status) && !matches!(status, 408 | 429))
    }
}

impl Standing {
    /// The status JSON, or the name of the first field it could not read.
    fn read(json: &Json) -> Result<Standing, &'static str> {
        let text = |key: &'static str| json.get(key).and_then(Json::as_str).ok_or(key);
        // An amount is a decimal string, read as the core reads one (never a float).
        let decimal = |value: &Json, key: &'static str| match value.get(key) {
            None => Ok(None),
            Some(v) => v.as_str().and_then(strict::parse).map(Some).ok_or(key),
        };
        let premium = match json.get("premium") {
            None => None,
            Some(totals) => {
                let field = |key| decimal(totals, key)?.ok_or(key);
                Some(Premium {
                    annual: field("annual_premium")?,
                    net_first_year: field("net_first_year_premium")?,
                    net_total: field("net_total_premium")?,
                })
            }
        };
        let listed = |key: &str| json.get(key).and_then(|l| l.get("text")).and_then(read_text);
        let exclusions = match json.get("exclusions") {
            None => Vec::new(),
            Some(list) => list.as_array().and_then(|l| l.iter().map(read_text).collect()).ok_or("exclusions")?,
        };
        Ok(Standing {
            application: text("application")?.to_owned(),
            stage: Stage::read(text("status")?).ok_or("status")?,
            label: json.get("label").and_then(read_text).ok_or("label")?,
            updated_at: text("updated_at").unwrap_or_default().to_owned(),
            premium,
            loading: decimal(json, "loading")?,
            exclusions,
            postpone_months: json.get("postpone_months").and_then(Json::as_u64),
            reason: listed("reason"),
            requested: listed("requested"),
        })
    }

    /// What the page shows below the stage's words, as (label, value) rows in `lang`: the figures are the
    /// server's (the premium as the page writes money, never recomputed), the words the server's.
    pub fn facts(&self, lang: Lang) -> Vec<(Label, String)> {
        let mut rows = Vec::new();
        if let Some(premium) = &self.premium {
            rows.push((Label::FinalPremium, format!("{} {}", money(&premium.annual), Label::PerYear.get(lang))));
            rows.push((Label::NetFirstYear, money(&premium.net_first_year)));
            rows.push((Label::NetTotal, money(&premium.net_total)));
        }
        if let Some(loading) = &self.loading {
            rows.push((Label::Loading, format!("+{}%", (loading * Decimal::ONE_HUNDRED).normalize())));
        }
        rows.extend(self.exclusions.iter().map(|e| (Label::Exclusion, e.get(lang).to_owned())));
        if let Some(months) = self.postpone_months {
            rows.push((Label::PostponedMonths, months.to_string()));
        }
        let words = [(Label::Reason, &self.reason), (Label::Requested, &self.requested)];
        rows.extend(words.into_iter().filter_map(|(label, text)| Some((label, text.as_ref()?.get(lang).to_owned()))));
        // RFC 3339 in the insurer's zone, to the minute: "2026-12-03 23:08".
        if let Some(minute) = self.updated_at.get(..16) {
            rows.push((Label::Updated, minute.replacen('T', " ", 1)));
        }
        rows
    }
}

fn read_text(value: &Json) -> Option<Text> {
    Some(Text::new(value.get("zh")?.as_str()?, value.get("en")?.as_str()?))
}

/// What the page knows of where the application stands: where to follow it, the last status read, and
/// the trouble of the last read when it failed (the last good status stays shown beside it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tracking {
    /// The status page (`status_url` of the 201): a web address, absolute, or a path on the server's
    /// origin (see [`link`]).
    pub status_url: Option<String>,
    /// The applicant's receipt: the status JSON is `/api/status/{receipt}`.
    pub receipt: Option<String>,
    pub standing: Option<Box<Standing>>,
    pub trouble: Option<Reading>,
}

impl Tracking {
    /// From the 201's answer.
    pub fn created(json: Option<&Json>) -> Tracking {
        let text = |key: &str| json.and_then(|v| v.get(key)).and_then(Json::as_str);
        Tracking {
            status_url: text("status_url").filter(|url| is_web_address(url)).map(str::to_owned),
            receipt: text("receipt").filter(|r| is_token(r)).map(str::to_owned),
            standing: None,
            trouble: None,
        }
    }

    /// The status page's address as a link from the page the app is on (see [`link`]).
    pub fn resolve(&mut self, endpoint: &str) {
        self.status_url = self.status_url.as_deref().and_then(|url| link(url, endpoint));
    }

    pub fn read(&mut self, reading: Reading) {
        match reading {
            Reading::Read(standing) => {
                self.standing = Some(standing);
                self.trouble = None;
            }
            trouble => self.trouble = Some(trouble),
        }
    }

    /// Decided: nothing more will change.
    pub fn is_settled(&self) -> bool {
        self.standing.as_ref().is_some_and(|s| s.stage.is_settled())
    }
}

/// Only a web address becomes a link: absolute http(s), or a path on the server's origin (not `//host`,
/// not `javascript:`, `data:` or anything else).
fn is_web_address(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/') && !url.starts_with("//")
}

/// A receipt or an application number as a path segment: letters, digits, `-` and `_` only.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.len() <= 128 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The origin of the endpoint the app posts to (`https://host:port`), or "" for a path on the page's own
/// origin: what the server's paths are resolved against.
fn origin(endpoint: &str) -> &str {
    let rest =
        ["https://", "http://", "//"].iter().find_map(|scheme| Some((scheme.len(), endpoint.strip_prefix(scheme)?)));
    match rest {
        Some((scheme, rest)) => &endpoint[..scheme + rest.find(['/', '?', '#']).unwrap_or(rest.len())],
        None => "",
    }
}

/// The status page's address as a link: an absolute one as it is, a path on the server's origin resolved
/// against the endpoint (the widget's page is the CRM's, not the server's).
pub fn link(status_url: &str, endpoint: &str) -> Option<String> {
    if !is_web_address(status_url) {
        return None;
    }
    Some(if status_url.starts_with('/') { format!("{}{status_url}", origin(endpoint)) } else { status_url.to_owned() })
}

/// Where the status JSON is read: the agent's route (`/api/applications/{number}/status`, with their
/// token) when the host gave the widget a token, else the applicant's receipt route (no token: the
/// receipt is the secret). `None`: nothing to follow.
pub fn source(endpoint: &str, application: &str, receipt: Option<&str>, agent: bool) -> Option<String> {
    let origin = origin(endpoint);
    if agent && is_token(application) {
        return Some(format!("{origin}/api/applications/{application}/status"));
    }
    receipt.filter(|r| is_token(r)).map(|receipt| format!("{origin}/api/status/{receipt}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use premia_core::desk::{DeskRules, Listed, Verdict};
    use premia_desk::status::{Progress, StatusView, view};

    fn rules() -> DeskRules {
        let health = Text::fixed("健康状况不符合承保要求", "the insured's health does not meet our requirements");
        DeskRules { reasons: vec![Listed { id: "HEALTH".into(), text: health }], ..DeskRules::default() }
    }

    /// What the server writes for `progress`: its own type, serialized as the server does.
    fn written(progress: Progress<'_>) -> String {
        let view: StatusView = view("PA20261125-0000000001", "t0".into(), "t1".into(), progress, &rules());
        serde_json::to_string(&view).unwrap()
    }

    fn read(body: &str) -> Standing {
        match Reading::from_response(200, body) {
            Reading::Read(standing) => *standing,
            other => panic!("{other:?} for {body}"),
        }
    }

    fn accepted_quote() -> premia_core::Quote {
        let catalogue = premia_core::demo::catalogue();
        let request: premia_core::QuoteRequest = serde_json::from_str(
            r#"{"quote_date":"2026-11-25","channel":{"kind":"direct"},
                "insured":{"birth_date":"1996-05-01","sex":"female","smoker":false,"occupation_class":1,"social_insurance":true},
                "coverages":[{"product":"CI","sum_assured":"500000","coverage_term":"lifelong","payment_term":"years:20","frequency":"annual"}]}"#,
        )
        .unwrap();
        premia_core::quote(&catalogue, &request).unwrap()
    }

    #[test]
    fn every_stage_the_server_writes_is_read() {
        let submitted = read(&written(Progress::Unopened));
        assert_eq!(
            (submitted.stage, submitted.label.en.as_ref()),
            (Stage::Submitted, "submitted: waiting for underwriting")
        );
        assert_eq!(submitted.application, "PA20261125-0000000001");
        assert_eq!(submitted.updated_at, "t1");
        assert!(!submitted.stage.is_settled());

        let exam = Verdict::MedicalExam {};
        let review = read(&written(Progress::InReview { requested: Some(&exam) }));
        assert_eq!(review.stage, Stage::UnderReview);
        assert_eq!(review.label.zh, "核保中");
        assert!(review.requested.unwrap().en.contains("medical examination"));

        let quote = accepted_quote();
        let accepted = read(&written(Progress::Accepted { quote: &quote, token: "h.p.s" }));
        assert_eq!(accepted.stage, Stage::Accepted);
        let premium = accepted.premium.expect("the final premium");
        assert_eq!(premium.annual, quote.totals.annual_premium, "the server's figure, not recomputed");
        assert_eq!(premium.net_first_year, quote.totals.net_first_year_premium);
        assert_eq!(premium.net_total, quote.totals.net_total_premium);
        assert!(accepted.stage.is_settled());

        let postpone = Verdict::Postpone { months: 6, reason: "HEALTH".into() };
        let postponed = read(&written(Progress::Refused(&postpone)));
        assert_eq!((postponed.stage, postponed.postpone_months), (Stage::Postponed, Some(6)));
        assert!(postponed.reason.unwrap().en.contains("health"));

        let decline = Verdict::Decline { reason: "NO-SUCH-CATEGORY".into() };
        let declined = read(&written(Progress::Refused(&decline)));
        assert_eq!(declined.stage, Stage::Declined);
        assert_eq!(declined.reason.unwrap().zh, "经综合评估，暂不符合承保要求", "the server's general category");
        assert_eq!(declined.premium, None);
    }

    #[test]
    fn a_loading_and_exclusions_are_read_as_the_server_wrote_them() {
        let body = r#"{"application":"PA1","status":"accepted","label":{"zh":"已通过核保","en":"accepted"},
            "submitted_at":"a","updated_at":"b","premium":{"annual_premium":"1500.00","first_year_premium":"1500.00",
            "total_premium":"30000.00","discount_first_year":"0.00","discount_total":"0.00",
            "net_first_year_premium":"1500.00","net_total_premium":"30000.00"},"token":"h.p.s","loading":"0.50",
            "exclusions":[{"zh":"除外甲状腺","en":"thyroid excluded"}]}"#;
        let standing = read(body);
        assert_eq!(standing.exclusions[0].en, "thyroid excluded");
        let facts: Vec<(Label, String)> = standing.facts(Lang::En);
        assert_eq!(
            facts,
            [
                (Label::FinalPremium, "¥1,500.00 per year".to_owned()),
                (Label::NetFirstYear, "¥1,500.00".to_owned()),
                (Label::NetTotal, "¥30,000.00".to_owned()),
                (Label::Loading, "+50%".to_owned()),
                (Label::Exclusion, "thyroid excluded".to_owned()),
            ]
        );
        let declined = r#"{"application":"PA1","status":"declined","label":{"zh":"未能承保","en":"declined"},
            "updated_at":"2026-12-03T23:08:16+08:00","postpone_months":6,"reason":{"id":"HEALTH","text":{"zh":"健康","en":"health"}}}"#;
        assert_eq!(
            read(declined).facts(Lang::Zh),
            [
                (Label::PostponedMonths, "6".to_owned()),
                (Label::Reason, "健康".to_owned()),
                (Label::Updated, "2026-12-03 23:08".to_owned())
            ]
        );
    }

    #[test]
    fn a_bad_or_unknown_answer_is_a_typed_state() {
        let unreadable = |status, body: &str| match Reading::from_response(status, body) {
            Reading::Unreadable { field, .. } => field,
            other => panic!("{other:?} for {body}"),
        };
        assert_eq!(unreadable(200, "<html>"), "", "not JSON");
        let withdrawn = r#"{"application":"PA1","status":"withdrawn","label":{"zh":"撤回","en":"withdrawn"}}"#;
        assert_eq!(unreadable(200, withdrawn), "status", "a stage this page has no word for");
        assert_eq!(unreadable(200, r#"{"status":"accepted","label":{"zh":"a","en":"a"}}"#), "application");
        assert_eq!(unreadable(200, r#"{"application":"PA1","status":"accepted","label":"accepted"}"#), "label");
        let float = r#"{"application":"PA1","status":"accepted","label":{"zh":"a","en":"a"},"premium":{"annual_premium":1500.5}}"#;
        assert_eq!(unreadable(200, float), "annual_premium", "an amount is never a float");
        assert_eq!(unreadable(200, "[]"), "application");
        assert_eq!(unreadable(502, "bad gateway"), "");
        let not_found =
            r#"{"errors":[{"code":"not_found","field":"receipt","message":{"zh":"未找到","en":"not found"}}]}"#;
        let Reading::Refused { status: 404, errors } = Reading::from_response(404, not_found) else { panic!() };
        assert_eq!(errors[0].field, "receipt");
    }

    #[test]
    fn reads_stop_once_settled_or_refused_and_back_off_on_trouble() {
        let standing = |stage| Reading::Read(Box::new(Standing { stage, ..read(&written(Progress::Unopened)) }));
        assert_eq!(standing(Stage::Submitted).next_read_ms(0), Some(REFRESH_MS));
        assert_eq!(standing(Stage::UnderReview).next_read_ms(0), Some(REFRESH_MS));
        for stage in [Stage::Accepted, Stage::Postponed, Stage::Declined] {
            assert_eq!(standing(stage).next_read_ms(0), None, "{stage:?}");
        }
        let refused = |status| Reading::Refused { status, errors: Vec::new() };
        assert_eq!(refused(404).next_read_ms(1), None);
        assert_eq!(refused(401).next_read_ms(1), None);
        assert_eq!(refused(429).next_read_ms(1), Some(30_000));
        assert_eq!(refused(503).next_read_ms(2), Some(60_000));
        assert_eq!(Reading::Unreachable.next_read_ms(1), Some(30_000));
        assert_eq!(Reading::Unreachable.next_read_ms(40), Some(MAX_BACKOFF_MS), "capped, no overflow");
    }

    #[test]
    fn only_a_web_address_becomes_a_link_resolved_against_the_endpoint() {
        let server = "http://127.0.0.1:8080/api/quotes";
        assert_eq!(link("/status/abc", server).as_deref(), Some("http://127.0.0.1:8080/status/abc"));
        assert_eq!(link("/status/abc", "/api/quotes").as_deref(), Some("/status/abc"));
        assert_eq!(
            link("/status/abc", "https://premia.example?x=1").as_deref(),
            Some("https://premia.example/status/abc")
        );
        assert_eq!(
            link("https://premia.example/status/abc", server).as_deref(),
            Some("https://premia.example/status/abc")
        );
        for bad in ["javascript:alert(1)", "//evil.example/x", "data:text/html,x", "status/abc", ""] {
            assert_eq!(link(bad, server), None, "{bad}");
            let created = format!(r#"{{"application":"PA1","status":"referred","status_url":"{bad}"}}"#);
            assert_eq!(Tracking::created(premia_core::json::parse(&created).ok().as_ref()).status_url, None, "{bad}");
        }
    }

    #[test]
    fn the_applicant_reads_by_receipt_and_the_agent_by_number_with_their_token() {
        let receipt = "q9Ge3nYpK0m1RAs7pVNdS4c2xWQbLz8TjH5uE6fIvo0";
        let server = "http://127.0.0.1:8080/api/quotes";
        assert_eq!(
            source(server, "PA20261125-0000000001", Some(receipt), false).as_deref(),
            Some("http://127.0.0.1:8080/api/status/q9Ge3nYpK0m1RAs7pVNdS4c2xWQbLz8TjH5uE6fIvo0")
        );
        assert_eq!(
            source(server, "PA20261125-0000000001", Some(receipt), true).as_deref(),
            Some("http://127.0.0.1:8080/api/applications/PA20261125-0000000001/status")
        );
        assert_eq!(
            source("/api/quotes", "PA1", Some(receipt), false).as_deref(),
            Some(&*format!("/api/status/{receipt}"))
        );
        // Nothing that could leave its path segment is put in one.
        assert_eq!(source(server, "PA1", Some("../admin"), false), None);
        assert_eq!(source(server, "PA1/../../x", None, true), None);
        assert_eq!(source(server, "PA1", None, false), None);
    }
}
