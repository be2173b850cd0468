//! The premium dashboard's facts and rollups (migration 0020), and the sums the dashboard reads.
//!
//! What a fact is — payment kind, first-year premium, a discount's share — is decided by
//! `premia_dashboard::facts` from the server's quote; this module stores those facts, keeps the daily
//! rollups in step in the same transaction, and sums rows. A submission writes its facts in its own
//! savepoint ([`insert_with_application`]); the rollups of a whole group-committed batch are added once,
//! just before the commit, in key order ([`Rollup::apply`]), so that concurrent writers (PostgreSQL, or
//! replicas) lock rollup rows in the same order and never deadlock on them. A desk's final decision
//! changes the facts and the rollups in the decision's transaction ([`finalise`]).

use std::collections::{BTreeMap, BTreeSet};

use premia_dashboard::build::{CouponRow, DayCount};
use premia_dashboard::facts::line_name;
use premia_dashboard::figures::{ApplicationSums, PremiumRow};
use premia_dashboard::period::epoch_day_at;
use premia_dashboard::{ApplicationFacts, PaymentKind};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};

use crate::applications::NewApplication;
use crate::decisions::NewFinal;
use crate::{Store, StoreError};

/// Sums of one rollup key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Amounts {
    policies: i64,
    first_year: i64,
    gross: i64,
    discount_first_year: i64,
    discount_total: i64,
}

type PremiumKey = (i64, String, String, String, String); // day, channel, product, province, kind
type AgentKey = (i64, String, String); // day, agent, kind
type DiscountKey = (i64, String, String, String, String, String); // day, channel, product, province, kind, rule
type ApplicationKey = (i64, String, String, String); // day, channel, province, product

/// Changes to the rollups, gathered over a batch and written in key order.
#[derive(Debug, Default)]
pub(crate) struct Rollup {
    premium: BTreeMap<PremiumKey, (String, Amounts)>,
    agents: BTreeMap<AgentKey, Amounts>,
    discounts: BTreeMap<DiscountKey, (i64, i64, i64)>,
    applications: BTreeMap<ApplicationKey, (i64, i64, i64)>,
}

impl Rollup {
    /// A stored application: counted as submitted on its day, and its business as accepted on that day
    /// when pre-underwriting accepted it.
    pub(crate) fn submitted(&mut self, facts: &ApplicationFacts, automatic: bool, day: i64) {
        let (auto, referred) = if automatic { (1, 0) } else { (0, 1) };
        let products: BTreeSet<&str> = facts.coverages.iter().map(|c| c.product.as_str()).collect();
        for product in std::iter::once("").chain(products) {
            let key = (day, facts.channel.clone(), facts.province.clone(), product.to_owned());
            let counts = self.applications.entry(key).or_default();
            *counts = (counts.0 + 1, counts.1 + auto, counts.2 + referred);
        }
        if automatic {
            self.accepted(facts, day);
        }
    }

    /// Business accepted on `day`.
    pub(crate) fn accepted(&mut self, facts: &ApplicationFacts, day: i64) {
        for c in &facts.coverages {
            let amounts = Amounts {
                policies: 1,
                first_year: c.first_year,
                gross: c.gross_first_year,
                discount_first_year: c.discount_first_year,
                discount_total: c.discount_total,
            };
            let kind = c.kind.name().to_owned();
            let key = (day, facts.channel.clone(), c.product.clone(), facts.province.clone(), kind.clone());
            let entry = self.premium.entry(key).or_insert_with(|| (line_name(c.line).to_owned(), Amounts::default()));
            add(&mut entry.1, amounts);
            if let Some(agent) = &facts.agent_code {
                add(self.agents.entry((day, agent.clone(), kind)).or_default(), amounts);
            }
        }
        for d in &facts.discounts {
            let Some(c) = facts.coverages.iter().find(|c| c.index == d.coverage_index) else { continue };
            let key = (
                day,
                facts.channel.clone(),
                c.product.clone(),
                facts.province.clone(),
                d.kind.name().to_owned(),
                d.rule.clone(),
            );
            let sums = self.discounts.entry(key).or_default();
            *sums = (sums.0 + 1, sums.1 + d.first_year, sums.2 + d.total);
        }
    }

    /// A stored application of a batch (with facts: applications from before them have none).
    pub(crate) fn submitted_application(&mut self, app: &NewApplication, now: i64, offset_seconds: i32) {
        if let Some(facts) = &app.dashboard {
            self.submitted(facts, app.status == "accepted", epoch_day_at(now, offset_seconds));
        }
    }

    /// Add everything to the rollup tables, key by key in order.
    pub(crate) async fn apply(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        self.apply_premium(conn).await?;
        self.apply_agents(conn).await?;
        self.apply_discounts(conn).await?;
        self.apply_applications(conn).await
    }

    async fn apply_premium(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        for ((day, channel, product, province, kind), (line, a)) in &self.premium {
            sqlx::query::<Any>(
                "INSERT INTO dashboard_premium_daily (day, channel, product, line, province, kind, policies, first_year, \
                 gross, discount_first_year, discount_total) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (day, channel, product, province, kind) DO UPDATE SET \
                 policies = dashboard_premium_daily.policies + excluded.policies, \
                 first_year = dashboard_premium_daily.first_year + excluded.first_year, \
                 gross = dashboard_premium_daily.gross + excluded.gross, \
                 discount_first_year = dashboard_premium_daily.discount_first_year + excluded.discount_first_year, \
                 discount_total = dashboard_premium_daily.discount_total + excluded.discount_total",
            )
            .bind(*day)
            .bind(channel.as_str())
            .bind(product.as_str())
            .bind(line.as_str())
            .bind(province.as_str())
            .bind(kind.as_str())
            .bind(a.policies)
            .bind(a.first_year)
            .bind(a.gross)
            .bind(a.discount_first_year)
            .bind(a.discount_total)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    async fn apply_agents(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        for ((day, agent, kind), a) in &self.agents {
            sqlx::query::<Any>(
                "INSERT INTO dashboard_agent_daily (day, agent_code, kind, policies, first_year, gross, \
                 discount_first_year, discount_total) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (day, agent_code, kind) DO UPDATE SET \
                 policies = dashboard_agent_daily.policies + excluded.policies, \
                 first_year = dashboard_agent_daily.first_year + excluded.first_year, \
                 gross = dashboard_agent_daily.gross + excluded.gross, \
                 discount_first_year = dashboard_agent_daily.discount_first_year + excluded.discount_first_year, \
                 discount_total = dashboard_agent_daily.discount_total + excluded.discount_total",
            )
            .bind(*day)
            .bind(agent.as_str())
            .bind(kind.as_str())
            .bind(a.policies)
            .bind(a.first_year)
            .bind(a.gross)
            .bind(a.discount_first_year)
            .bind(a.discount_total)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    async fn apply_discounts(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        for ((day, channel, product, province, kind, rule), (uses, first_year, total)) in &self.discounts {
            sqlx::query::<Any>(
                "INSERT INTO dashboard_discount_daily (day, channel, product, province, kind, rule, uses, first_year, total) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (day, channel, product, province, kind, rule) DO UPDATE SET \
                 uses = dashboard_discount_daily.uses + excluded.uses, \
                 first_year = dashboard_discount_daily.first_year + excluded.first_year, \
                 total = dashboard_discount_daily.total + excluded.total",
            )
            .bind(*day)
            .bind(channel.as_str())
            .bind(product.as_str())
            .bind(province.as_str())
            .bind(kind.as_str())
            .bind(rule.as_str())
            .bind(*uses)
            .bind(*first_year)
            .bind(*total)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    async fn apply_applications(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        for ((day, channel, province, product), (submitted, automatic, referred)) in &self.applications {
            sqlx::query::<Any>(
                "INSERT INTO dashboard_application_daily (day, channel, province, product, submitted, automatic, referred) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (day, channel, province, product) DO UPDATE SET \
                 submitted = dashboard_application_daily.submitted + excluded.submitted, \
                 automatic = dashboard_application_daily.automatic + excluded.automatic, \
                 referred = dashboard_application_daily.referred + excluded.referred",
            )
            .bind(*day)
            .bind(channel.as_str())
            .bind(province.as_str())
            .bind(product.as_str())
            .bind(*submitted)
            .bind(*automatic)
            .bind(*referred)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

fn add(sums: &mut Amounts, a: Amounts) {
    sums.policies += a.policies;
    sums.first_year += a.first_year;
    sums.gross += a.gross;
    sums.discount_first_year += a.discount_first_year;
    sums.discount_total += a.discount_total;
}

/// Write an application's facts beside it, in the submission's savepoint. The rollups follow at the
/// end of the batch ([`Rollup::submitted`]).
pub(crate) async fn insert_with_application(
    conn: &mut AnyConnection,
    app: &NewApplication,
    now: i64,
    offset_seconds: i32,
) -> Result<(), sqlx::Error> {
    let Some(facts) = &app.dashboard else { return Ok(()) };
    let automatic = app.status == "accepted";
    let day = epoch_day_at(now, offset_seconds);
    let decided = automatic.then_some((now, day));
    insert_facts(conn, &app.number, facts, (now, day), automatic, decided).await
}

/// The facts' rows. `decided`: when and on which day the application was decided (accepted
/// automatically, or by the desk).
async fn insert_facts(
    conn: &mut AnyConnection,
    number: &str,
    facts: &ApplicationFacts,
    (submitted_at, submitted_day): (i64, i64),
    automatic: bool,
    decided: Option<(i64, i64)>,
) -> Result<(), sqlx::Error> {
    let status = if decided.is_some() { "accepted" } else { "referred" };
    sqlx::query::<Any>(
        "INSERT INTO dashboard_applications (application_number, submitted_at, submitted_day, channel, agent_code, \
         region, province, path, status, decided_at, decided_day, coverages, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(number)
    .bind(submitted_at)
    .bind(submitted_day)
    .bind(facts.channel.as_str())
    .bind(facts.agent_code.as_deref())
    .bind(facts.region.as_deref())
    .bind(facts.province.as_str())
    .bind(if automatic { "automatic" } else { "desk" })
    .bind(status)
    .bind(decided.map(|d| d.0))
    .bind(decided.map(|d| d.1))
    .bind(i64::try_from(facts.coverages.len()).unwrap_or(i64::MAX))
    .bind(decided.map_or(submitted_at, |d| d.0))
    .execute(&mut *conn)
    .await?;
    insert_coverages(conn, number, facts, status, decided.map(|d| d.1)).await
}

async fn insert_coverages(
    conn: &mut AnyConnection,
    number: &str,
    facts: &ApplicationFacts,
    status: &str,
    accepted_day: Option<i64>,
) -> Result<(), sqlx::Error> {
    for c in &facts.coverages {
        sqlx::query::<Any>(
            "INSERT INTO dashboard_coverages (application_number, coverage_index, product, product_version, line, \
             payment_term, payment_years, frequency, kind, gross_first_year, discount_first_year, discount_total, \
             first_year, annualised, single_premium, channel, agent_code, province, status, accepted_day) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        )
        .bind(number)
        .bind(i64::from(c.index))
        .bind(c.product.as_str())
        .bind(i64::from(c.product_version))
        .bind(line_name(c.line))
        .bind(c.payment_term.as_str())
        .bind(i64::from(c.payment_years))
        .bind(c.frequency.as_str())
        .bind(c.kind.name())
        .bind(c.gross_first_year)
        .bind(c.discount_first_year)
        .bind(c.discount_total)
        .bind(c.first_year)
        .bind(c.annualised)
        .bind(c.single)
        .bind(facts.channel.as_str())
        .bind(facts.agent_code.as_deref())
        .bind(facts.province.as_str())
        .bind(status)
        .bind(accepted_day)
        .execute(&mut *conn)
        .await?;
    }
    for (position, d) in facts.discounts.iter().enumerate() {
        sqlx::query::<Any>(
            "INSERT INTO dashboard_discounts (application_number, coverage_index, position, kind, rule, first_year, total) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(number)
        .bind(i64::from(d.coverage_index))
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(d.kind.name())
        .bind(d.rule.as_str())
        .bind(d.first_year)
        .bind(d.total)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The desk's final decision, in its transaction: the application's status and decision time, and
/// for an acceptance its business (on the final terms, when they came with the decision) added to the
/// rollups on the day decided.
pub(crate) async fn finalise(
    conn: &mut AnyConnection,
    number: &str,
    decision: &NewFinal,
    now: i64,
    offset_seconds: i32,
) -> Result<(), sqlx::Error> {
    let day = epoch_day_at(now, offset_seconds);
    let updated = sqlx::query::<Any>(
        "UPDATE dashboard_applications SET status = $1, decided_at = $2, decided_day = $3, changed_at = $2 \
         WHERE application_number = $4 AND status = 'referred'",
    )
    .bind(decision.outcome.as_str())
    .bind(now)
    .bind(day)
    .bind(number)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 {
        // No facts (a store written before them, not yet backfilled) or already final: nothing to add.
        return Ok(());
    }
    if decision.outcome != "accepted" {
        sqlx::query::<Any>("UPDATE dashboard_coverages SET status = $1 WHERE application_number = $2")
            .bind(decision.outcome.as_str())
            .bind(number)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    let facts = match &decision.dashboard {
        Some(facts) => {
            sqlx::query::<Any>("DELETE FROM dashboard_discounts WHERE application_number = $1")
                .bind(number)
                .execute(&mut *conn)
                .await?;
            sqlx::query::<Any>("DELETE FROM dashboard_coverages WHERE application_number = $1")
                .bind(number)
                .execute(&mut *conn)
                .await?;
            insert_coverages(conn, number, facts, "accepted", Some(day)).await?;
            facts.clone()
        }
        None => {
            sqlx::query::<Any>(
                "UPDATE dashboard_coverages SET status = 'accepted', accepted_day = $1 WHERE application_number = $2",
            )
            .bind(day)
            .bind(number)
            .execute(&mut *conn)
            .await?;
            stored_facts(conn, number).await?
        }
    };
    let mut rollup = Rollup::default();
    rollup.accepted(&facts, day);
    rollup.apply(conn).await
}

/// An application's facts as stored.
async fn stored_facts(conn: &mut AnyConnection, number: &str) -> Result<ApplicationFacts, sqlx::Error> {
    let head = sqlx::query::<Any>(
        "SELECT channel, agent_code, region, province FROM dashboard_applications WHERE application_number = $1",
    )
    .bind(number)
    .fetch_one(&mut *conn)
    .await?;
    let coverages = sqlx::query::<Any>(
        "SELECT coverage_index, product, product_version, line, payment_term, payment_years, frequency, kind, \
         gross_first_year, discount_first_year, discount_total, first_year, annualised, single_premium \
         FROM dashboard_coverages WHERE application_number = $1 ORDER BY coverage_index",
    )
    .bind(number)
    .fetch_all(&mut *conn)
    .await?;
    let discounts = sqlx::query::<Any>(
        "SELECT coverage_index, kind, rule, first_year, total FROM dashboard_discounts \
         WHERE application_number = $1 ORDER BY coverage_index, position",
    )
    .bind(number)
    .fetch_all(&mut *conn)
    .await?;
    let corrupt = |what: String| sqlx::Error::Decode(what.into());
    let coverages = coverages
        .iter()
        .map(|r| {
            let line: String = r.try_get("line")?;
            let kind: String = r.try_get("kind")?;
            Ok(premia_dashboard::CoverageFact {
                index: u32::try_from(r.try_get::<i64, _>("coverage_index")?).unwrap_or(u32::MAX),
                product: r.try_get("product")?,
                product_version: u32::try_from(r.try_get::<i64, _>("product_version")?).unwrap_or(0),
                line: premia_dashboard::facts::parse_line(&line).ok_or_else(|| corrupt(format!("line {line}")))?,
                payment_term: r.try_get("payment_term")?,
                payment_years: u32::try_from(r.try_get::<i64, _>("payment_years")?).unwrap_or(0),
                frequency: r.try_get("frequency")?,
                kind: PaymentKind::parse(&kind).ok_or_else(|| corrupt(format!("kind {kind}")))?,
                gross_first_year: r.try_get("gross_first_year")?,
                discount_first_year: r.try_get("discount_first_year")?,
                discount_total: r.try_get("discount_total")?,
                first_year: r.try_get("first_year")?,
                annualised: r.try_get("annualised")?,
                single: r.try_get("single_premium")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let discounts = discounts
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let kind = serde_json::from_value(serde_json::Value::String(kind.clone()))
                .map_err(|_| corrupt(format!("discount kind {kind}")))?;
            Ok(premia_dashboard::DiscountFact {
                coverage_index: u32::try_from(r.try_get::<i64, _>("coverage_index")?).unwrap_or(u32::MAX),
                kind,
                rule: r.try_get("rule")?,
                first_year: r.try_get("first_year")?,
                total: r.try_get("total")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(ApplicationFacts {
        channel: head.try_get("channel")?,
        agent_code: head.try_get("agent_code")?,
        region: head.try_get("region")?,
        province: head.try_get("province")?,
        coverages,
        discounts,
    })
}

/// Which facts a query counts: each filter that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactFilter {
    pub channel: Option<String>,
    pub product: Option<String>,
    /// A province code, or `""` for applications that declared no region.
    pub province: Option<String>,
}

/// What a premium query groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Day,
    Channel,
    Product,
    Line,
    Province,
    Kind,
}

impl Dim {
    fn column(self) -> &'static str {
        match self {
            Dim::Day => "day",
            Dim::Channel => "channel",
            Dim::Product => "product",
            Dim::Line => "line",
            Dim::Province => "province",
            Dim::Kind => "kind",
        }
    }
}

/// A stored application whose facts are still to be written (a store from before migration 0020).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfacted {
    pub number: String,
    pub created_at: i64,
    /// `accepted` or `referred` as stored.
    pub status: String,
    pub quote_json: String,
    /// The desk's final decision, if the case has one: outcome, when, and the quote of its terms.
    pub final_outcome: Option<(String, i64, Option<String>)>,
}

/// Values bound to a query built with placeholders, in order.
enum Bind {
    Int(i64),
    Text(String),
}

struct Sql {
    clauses: Vec<String>,
    binds: Vec<Bind>,
}

impl Sql {
    fn new(day_column: &str, from: i64, to: i64) -> Sql {
        let mut sql = Sql { clauses: Vec::new(), binds: Vec::new() };
        let a = sql.bind(Bind::Int(from));
        let b = sql.bind(Bind::Int(to));
        sql.clauses.push(format!("{day_column} BETWEEN {a} AND {b}"));
        sql
    }

    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn filter(&mut self, column: &str, value: Option<&str>) {
        if let Some(value) = value {
            let p = self.bind(Bind::Text(value.to_owned()));
            self.clauses.push(format!("{column} = {p}"));
        }
    }

    fn filters(&mut self, filter: &FactFilter, product_column: Option<&str>) {
        self.filter("channel", filter.channel.as_deref());
        if let Some(column) = product_column {
            self.filter(column, filter.product.as_deref());
        }
        self.filter("province", filter.province.as_deref());
    }

    fn where_clause(&self) -> String {
        format!(" WHERE {}", self.clauses.join(" AND "))
    }

    async fn fetch(self, store: &Store, select: String) -> Result<Vec<AnyRow>, sqlx::Error> {
        let mut query = sqlx::query::<Any>(sqlx::AssertSqlSafe(select));
        for b in self.binds {
            query = match b {
                Bind::Int(i) => query.bind(i),
                Bind::Text(t) => query.bind(t),
            };
        }
        query.fetch_all(store.pool()).await
    }
}

const AMOUNTS: &str = "CAST(SUM(policies) AS BIGINT) AS policies, CAST(SUM(first_year) AS BIGINT) AS first_year, \
     CAST(SUM(gross) AS BIGINT) AS gross, CAST(SUM(discount_first_year) AS BIGINT) AS discount_first_year, \
     CAST(SUM(discount_total) AS BIGINT) AS discount_total";

fn premium_row(r: &AnyRow, group: &[Dim], agent: bool) -> Result<PremiumRow, sqlx::Error> {
    let text = |dim: Dim| -> Result<Option<String>, sqlx::Error> {
        if group.contains(&dim) { r.try_get(dim.column()).map(Some) } else { Ok(None) }
    };
    let kind = text(Dim::Kind)?;
    Ok(PremiumRow {
        day: if group.contains(&Dim::Day) { Some(r.try_get("day")?) } else { None },
        channel: text(Dim::Channel)?,
        product: text(Dim::Product)?,
        line: text(Dim::Line)?,
        province: text(Dim::Province)?,
        agent_code: if agent { Some(r.try_get("agent_code")?) } else { None },
        kind: kind.as_deref().and_then(PaymentKind::parse),
        policies: r.try_get("policies")?,
        first_year: r.try_get("first_year")?,
        gross: r.try_get("gross")?,
        discount_first_year: r.try_get("discount_first_year")?,
        discount_total: r.try_get("discount_total")?,
    })
}

impl Store {
    /// Accepted business accepted on days `from..=to` (epoch days), grouped by `group`.
    pub async fn premium_rows(
        &self,
        (from, to): (i64, i64),
        filter: &FactFilter,
        group: &[Dim],
    ) -> Result<Vec<PremiumRow>, StoreError> {
        let mut sql = Sql::new("day", from, to);
        sql.filters(filter, Some("product"));
        let columns: Vec<&str> = group.iter().map(|d| d.column()).collect();
        let (select, group_by) = if columns.is_empty() {
            (String::new(), String::new())
        } else {
            (format!("{}, ", columns.join(", ")), format!(" GROUP BY {}", columns.join(", ")))
        };
        let text = format!("SELECT {select}{AMOUNTS} FROM dashboard_premium_daily{}{group_by}", sql.where_clause());
        let rows = sql.fetch(self, text).await?;
        // SUM over no rows is one row of NULLs when nothing is grouped by.
        let rows: Vec<&AnyRow> =
            rows.iter().filter(|r| r.try_get::<Option<i64>, _>("policies").ok().flatten().is_some()).collect();
        Ok(rows.into_iter().map(|r| premium_row(r, group, false)).collect::<Result<_, _>>()?)
    }

    /// Accepted business by agent and payment kind over the days: from the agents' rollup, or — when
    /// a product or a region narrows it, which that rollup does not know — from the facts themselves.
    pub async fn agent_rows(&self, (from, to): (i64, i64), filter: &FactFilter) -> Result<Vec<PremiumRow>, StoreError> {
        if filter.channel.as_deref() == Some("direct") {
            return Ok(Vec::new());
        }
        let group = [Dim::Kind];
        let rows = if filter.product.is_none() && filter.province.is_none() {
            let sql = Sql::new("day", from, to);
            let text = format!(
                "SELECT agent_code, kind, {AMOUNTS} FROM dashboard_agent_daily{} GROUP BY agent_code, kind",
                sql.where_clause()
            );
            sql.fetch(self, text).await?
        } else {
            let mut sql = Sql::new("accepted_day", from, to);
            sql.filter("product", filter.product.as_deref());
            sql.filter("province", filter.province.as_deref());
            sql.clauses.push("agent_code IS NOT NULL".into());
            let text = format!(
                "SELECT agent_code, kind, COUNT(*) AS policies, CAST(SUM(first_year) AS BIGINT) AS first_year, \
                 CAST(SUM(gross_first_year) AS BIGINT) AS gross, CAST(SUM(discount_first_year) AS BIGINT) AS discount_first_year, \
                 CAST(SUM(discount_total) AS BIGINT) AS discount_total FROM dashboard_coverages{} GROUP BY agent_code, kind",
                sql.where_clause()
            );
            sql.fetch(self, text).await?
        };
        Ok(rows.iter().map(|r| premium_row(r, &group, true)).collect::<Result<_, _>>()?)
    }

    /// Discounts by kind and rule over the days.
    pub async fn coupon_rows(&self, (from, to): (i64, i64), filter: &FactFilter) -> Result<Vec<CouponRow>, StoreError> {
        let mut sql = Sql::new("day", from, to);
        sql.filters(filter, Some("product"));
        let text = format!(
            "SELECT kind, rule, CAST(SUM(uses) AS BIGINT) AS uses, CAST(SUM(first_year) AS BIGINT) AS first_year, \
             CAST(SUM(total) AS BIGINT) AS total FROM dashboard_discount_daily{} GROUP BY kind, rule",
            sql.where_clause()
        );
        let rows = sql.fetch(self, text).await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let kind = serde_json::from_value(serde_json::Value::String(kind.clone()))
                    .map_err(|_| StoreError::Corrupt(format!("discount kind {kind}")))?;
                Ok(CouponRow {
                    kind,
                    rule: r.try_get("rule")?,
                    uses: r.try_get("uses")?,
                    first_year: r.try_get("first_year")?,
                    total: r.try_get("total")?,
                })
            })
            .collect()
    }

    /// Applications submitted on the days (each once; with a product filter, those that include it).
    pub async fn application_sums(
        &self,
        (from, to): (i64, i64),
        filter: &FactFilter,
    ) -> Result<ApplicationSums, StoreError> {
        let rows = self.application_days((from, to), filter, false).await?;
        Ok(rows.into_iter().fold(ApplicationSums::default(), |a, (_, s)| ApplicationSums {
            submitted: a.submitted + s.submitted,
            automatic: a.automatic + s.automatic,
            referred: a.referred + s.referred,
        }))
    }

    async fn application_days(
        &self,
        (from, to): (i64, i64),
        filter: &FactFilter,
        by_day: bool,
    ) -> Result<Vec<(i64, ApplicationSums)>, StoreError> {
        let mut sql = Sql::new("day", from, to);
        sql.filter("channel", filter.channel.as_deref());
        sql.filter("province", filter.province.as_deref());
        let product = sql.bind(Bind::Text(filter.product.clone().unwrap_or_default()));
        sql.clauses.push(format!("product = {product}"));
        let (select, group_by) = if by_day { ("day, ", " GROUP BY day") } else { ("", "") };
        let text = format!(
            "SELECT {select}CAST(SUM(submitted) AS BIGINT) AS submitted, CAST(SUM(automatic) AS BIGINT) AS automatic, \
             CAST(SUM(referred) AS BIGINT) AS referred FROM dashboard_application_daily{}{group_by}",
            sql.where_clause()
        );
        let rows = sql.fetch(self, text).await?;
        rows.iter()
            .filter(|r| r.try_get::<Option<i64>, _>("submitted").ok().flatten().is_some())
            .map(|r| {
                let day = if by_day { r.try_get("day")? } else { 0 };
                let sums = ApplicationSums {
                    submitted: r.try_get("submitted")?,
                    automatic: r.try_get("automatic")?,
                    referred: r.try_get("referred")?,
                };
                Ok((day, sums))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Quotes verified as valid over the days (by channel; products and regions do not narrow it).
    pub async fn verified(&self, (from, to): (i64, i64), channel: Option<&str>) -> Result<Vec<(i64, i64)>, StoreError> {
        let mut sql = Sql::new("day", from, to);
        sql.filter("channel", channel);
        let text = format!(
            "SELECT day, CAST(SUM(verified) AS BIGINT) AS verified FROM dashboard_verified_daily{} GROUP BY day",
            sql.where_clause()
        );
        let rows = sql.fetch(self, text).await?;
        Ok(rows.iter().map(|r| Ok((r.try_get("day")?, r.try_get("verified")?))).collect::<Result<_, sqlx::Error>>()?)
    }

    /// Verified quotes and applications, day by day.
    pub async fn conversion_days(&self, days: (i64, i64), filter: &FactFilter) -> Result<Vec<DayCount>, StoreError> {
        let verified: BTreeMap<i64, i64> = self.verified(days, filter.channel.as_deref()).await?.into_iter().collect();
        let applications: BTreeMap<i64, i64> =
            self.application_days(days, filter, true).await?.into_iter().map(|(d, s)| (d, s.submitted)).collect();
        let all: BTreeSet<i64> = verified.keys().chain(applications.keys()).copied().collect();
        Ok(all
            .into_iter()
            .map(|day| DayCount {
                day,
                verified: verified.get(&day).copied().unwrap_or(0),
                applications: applications.get(&day).copied().unwrap_or(0),
            })
            .collect())
    }

    /// Submission to final decision (milliseconds, sorted) of the desk's cases decided on the days.
    pub async fn manual_times(&self, (from, to): (i64, i64), filter: &FactFilter) -> Result<Vec<i64>, StoreError> {
        let mut sql = Sql::new("a.decided_day", from, to);
        sql.clauses.push("a.path = 'desk' AND a.decided_at IS NOT NULL".into());
        sql.filter("a.channel", filter.channel.as_deref());
        sql.filter("a.province", filter.province.as_deref());
        if let Some(product) = &filter.product {
            let p = sql.bind(Bind::Text(product.clone()));
            sql.clauses.push(format!(
                "EXISTS (SELECT 1 FROM dashboard_coverages c WHERE c.application_number = a.application_number AND c.product = {p})"
            ));
        }
        let text = format!(
            "SELECT a.decided_at - a.submitted_at AS took FROM dashboard_applications a{} ORDER BY took",
            sql.where_clause()
        );
        let rows = sql.fetch(self, text).await?;
        Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
    }

    /// Add quotes verified (day, channel, how many) to the counts.
    pub async fn add_verified(&self, counts: &[(i64, String, i64)]) -> Result<(), StoreError> {
        if counts.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool().begin().await?;
        for (day, channel, n) in counts {
            sqlx::query::<Any>(
                "INSERT INTO dashboard_verified_daily (day, channel, verified) VALUES ($1, $2, $3) \
                 ON CONFLICT (day, channel) DO UPDATE SET verified = dashboard_verified_daily.verified + excluded.verified",
            )
            .bind(*day)
            .bind(channel.as_str())
            .bind(*n)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.changed();
        Ok(())
    }

    /// The latest change to any application's facts (unix milliseconds): another replica's writes show
    /// here.
    pub async fn facts_changed_at(&self) -> Result<Option<i64>, StoreError> {
        let row =
            sqlx::query::<Any>("SELECT MAX(changed_at) FROM dashboard_applications").fetch_one(self.pool()).await?;
        Ok(row.try_get(0)?)
    }

    /// Applications stored without facts (before migration 0020), oldest first after `after` (the last
    /// one of the previous page: created_at, number), at most `limit`.
    pub async fn unfacted(&self, after: Option<&(i64, String)>, limit: i64) -> Result<Vec<Unfacted>, StoreError> {
        let (at, number) = after.cloned().unwrap_or((i64::MIN, String::new()));
        let rows = sqlx::query::<Any>(
            "SELECT a.number, a.created_at, a.status, a.quote_json, f.outcome, f.finalised_at, f.quote_json AS final_quote \
             FROM applications a LEFT JOIN case_finals f ON f.application_number = a.number \
             WHERE NOT EXISTS (SELECT 1 FROM dashboard_applications d WHERE d.application_number = a.number) \
             AND (a.created_at > $1 OR (a.created_at = $1 AND a.number > $2)) \
             ORDER BY a.created_at, a.number LIMIT $3",
        )
        .bind(at)
        .bind(number)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let outcome: Option<String> = r.try_get("outcome")?;
                let final_outcome = match outcome {
                    Some(o) => Some((o, r.try_get("finalised_at")?, r.try_get("final_quote")?)),
                    None => None,
                };
                Ok(Unfacted {
                    number: r.try_get("number")?,
                    created_at: r.try_get("created_at")?,
                    status: r.try_get("status")?,
                    quote_json: r.try_get("quote_json")?,
                    final_outcome,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Write the facts of applications stored before them (see [`Store::unfacted`]), with their
    /// rollups, in one transaction. Each entry: the application, its facts at submission, and — for a
    /// case the desk accepted — the facts of the final terms.
    pub async fn backfill(
        &self,
        entries: &[(Unfacted, ApplicationFacts, Option<ApplicationFacts>)],
    ) -> Result<(), StoreError> {
        let offset = self.inner.options.utc_offset_seconds;
        let mut tx = self.pool().begin_with(self.begin_statement()).await?;
        let mut rollup = Rollup::default();
        for (app, facts, final_facts) in entries {
            let automatic = app.status == "accepted";
            let submitted = (app.created_at, epoch_day_at(app.created_at, offset));
            let decided = if automatic { Some(submitted) } else { None };
            insert_facts(&mut tx, &app.number, facts, submitted, automatic, decided).await?;
            rollup.submitted(facts, automatic, submitted.1);
            if let Some((outcome, at, _)) = &app.final_outcome {
                let decision = NewFinal {
                    decision_id: String::new(),
                    decided_by: String::new(),
                    finalised_by: String::new(),
                    outcome: outcome.clone(),
                    quote_json: None,
                    token: None,
                    dashboard: final_facts.clone(),
                };
                finalise(&mut tx, &app.number, &decision, *at, offset).await?;
            }
        }
        rollup.apply(&mut tx).await?;
        tx.commit().await?;
        self.changed();
        Ok(())
    }
}
