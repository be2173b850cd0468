//! From the sums the store read to the dashboard: every figure, comparison, target and table, worked
//! out here and nowhere else (the server only reads sums; the page only lays them out).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use premia_core::Text;
use premia_core::coupon::CouponKind;

use crate::api::{
    Cell, Change, Choices, Column, Dashboard, Days, FigureId, Kpi, PeriodView, Query, Table, TableId, UNKNOWN_REGION,
    Unit, Value,
};
use crate::facts::{LINES, PaymentKind, line_name, yuan};
use crate::figures::{ApplicationSums, PremiumRow, PremiumSums, conversion, growth, manual_minutes, ratio};
use crate::period::{Comparison, Period, Span, epoch_day, from_epoch_day};
use crate::targets::Targets;

/// How many agents the ranking lists.
pub const TOP_AGENTS: usize = 20;

/// Discounts of one rule (a campaign, a voucher or referral series, a bundle) over the current days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponRow {
    pub kind: CouponKind,
    pub rule: String,
    /// Policies it reduced.
    pub uses: i64,
    pub first_year: i64,
    pub total: i64,
}

/// Quotes verified and applications stored on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    pub day: i64,
    pub verified: i64,
    pub applications: i64,
}

/// Everything the store read for one query. The three arrays are the current days, the previous
/// period's and the year-ago period's (see [`Comparison`]).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Accepted business grouped by channel, line and payment kind.
    pub premium: [Vec<PremiumRow>; 3],
    pub applications: [ApplicationSums; 3],
    pub verified: [i64; 3],
    /// Submission to final decision of desk cases decided in the days, sorted.
    pub manual_millis: [Vec<i64>; 3],
    /// Accepted business by day and payment kind over [`trend_span`].
    pub trend_days: Vec<PremiumRow>,
    /// The current days' accepted business by channel; by product and line; by province; by agent
    /// (each also by payment kind).
    pub by_channel: Vec<PremiumRow>,
    pub by_product: Vec<PremiumRow>,
    pub by_region: Vec<PremiumRow>,
    pub by_agent: Vec<PremiumRow>,
    pub coupons: Vec<CouponRow>,
    /// The current days, one entry per day with anything.
    pub conversion: Vec<DayCount>,
}

/// Names the figures are shown with, from the catalogues.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub products: BTreeMap<String, Text>,
    pub choices: Choices,
}

/// The trend's periods, oldest first, ending with the chosen one.
pub fn trend_periods(period: Period) -> Vec<Period> {
    let n = period.grain.trend_length();
    (0..n).rev().map(|back| period.back(back)).collect()
}

/// The days the trend reads: from a year before its first period to the end of the chosen one.
pub fn trend_span(period: Period) -> Span {
    let first = trend_periods(period)[0];
    Span { start: first.year_ago().start.min(first.start), end: period.end() }
}

/// The dashboard for `query` on `today`.
pub fn dashboard(
    query: &Query,
    today: NaiveDate,
    inputs: &Inputs,
    targets: &Targets,
    names: &Names,
    as_of: String,
) -> Dashboard {
    let period = query.period_on(today);
    let comparison = Comparison::of(period, today);
    let sums: [PremiumSums; 3] = [0, 1, 2].map(|i| PremiumSums::of(&inputs.premium[i]));
    let targets_shown = !query.is_filtered();
    let kpis: Vec<Kpi> = FigureId::ALL
        .into_iter()
        .map(|id| {
            let values: [Option<Value>; 3] = [0, 1, 2].map(|i| figure(id, &sums[i], inputs, i));
            let change = |before: Option<Value>| change(values[0], before);
            Kpi {
                id,
                label: id.label(),
                unit: id.unit(),
                value: values[0],
                previous: values[1],
                year_ago: values[2],
                mom: change(values[1]),
                yoy: change(values[2]),
                target: targets_shown.then(|| targets.of(id, period)).flatten().map(|t| t.progress(values[0])),
            }
        })
        .collect();
    let mut tables = vec![summary_table(&kpis), trend_table(&comparison, &inputs.trend_days)];
    let total = sums[0].new_business_premium();
    tables.push(breakdown(TableId::Channel, channel_groups(&inputs.by_channel), total, false));
    tables.push(breakdown(TableId::Product, product_groups(&inputs.by_product, names), total, true));
    tables.push(breakdown(TableId::Line, line_groups(&inputs.by_product), total, false));
    tables.push(breakdown(TableId::Region, region_groups(&inputs.by_region), total, true));
    tables.push(agents_table(&inputs.by_agent, total));
    tables.push(coupons_table(&inputs.coupons, sums[0].gross));
    tables.push(conversion_table(&comparison, &inputs.conversion));
    Dashboard {
        query: Query { period: Some(period.key()), ..query.clone() },
        period: period_view(&comparison, today),
        kpis,
        tables,
        choices: names.choices.clone(),
        targets_shown,
        as_of,
    }
}

fn period_view(c: &Comparison, today: NaiveDate) -> PeriodView {
    let days = |s: Span| Days { start: s.start, end: s.end };
    let next = Period::containing(c.period.grain, c.period.end() + chrono::Days::new(1));
    PeriodView {
        grain: c.period.grain,
        key: c.period.key(),
        label: c.period.label(),
        current: days(c.current),
        previous: days(c.previous),
        year_ago: days(c.year_ago),
        to_date: c.to_date,
        previous_key: c.period.previous().key(),
        next_key: (next.start <= today).then(|| next.key()),
    }
}

/// The value of figure `id` over span `i` (0 current, 1 previous, 2 year ago).
fn figure(id: FigureId, sums: &PremiumSums, inputs: &Inputs, i: usize) -> Option<Value> {
    let money = |fen: i64| Some(Value::Money(yuan(fen)));
    let share = |d: Option<Decimal>| d.map(Value::Share);
    match id {
        FigureId::NewBusinessPremium => money(sums.new_business_premium()),
        FigureId::Ape => Some(Value::Money(sums.ape())),
        FigureId::RegularPremium => money(sums.regular),
        FigureId::SinglePremium => money(sums.single),
        FigureId::ShortTermPremium => money(sums.short),
        FigureId::Policies => Some(Value::Count(sums.policies())),
        FigureId::RegularShareByPremium => share(sums.regular_share_by_premium()),
        FigureId::RegularShareByCount => share(sums.regular_share_by_count()),
        FigureId::HighValueShare => share(sums.high_value_share()),
        FigureId::OnlineShare => share(sums.online_share()),
        FigureId::StraightThroughShare => share(inputs.applications[i].straight_through_share()),
        FigureId::ManualP50 => manual_minutes(&inputs.manual_millis[i]).0.map(Value::Minutes),
        FigureId::ManualP90 => manual_minutes(&inputs.manual_millis[i]).1.map(Value::Minutes),
        FigureId::CouponCost => money(sums.discount_first_year),
        FigureId::Conversion => share(conversion(inputs.applications[i].submitted, inputs.verified[i])),
    }
}

/// 环比 or 同比 of a value: relative for amounts and times, in points for shares.
fn change(now: Option<Value>, before: Option<Value>) -> Option<Change> {
    match (now?, before?) {
        (Value::Share(a), Value::Share(b)) => Some(Change::Points(a - b)),
        (a, b) => growth(a.amount(), b.amount()).map(Change::Relative),
    }
}

fn column(id: &str, zh: &'static str, en: &'static str, unit: Unit) -> Column {
    Column { id: id.to_owned(), label: Text::fixed(zh, en), unit }
}

fn summary_table(kpis: &[Kpi]) -> Table {
    let columns = vec![
        column("figure", "指标", "figure", Unit::Text),
        column("value", "本期", "this period", Unit::Text),
        column("previous", "上期", "previous period", Unit::Text),
        column("mom", "环比", "vs previous", Unit::Text),
        column("year_ago", "去年同期", "a year before", Unit::Text),
        column("yoy", "同比", "vs a year before", Unit::Text),
        column("target", "目标", "target", Unit::Text),
        column("progress", "完成率", "progress", Unit::Share),
    ];
    let rows = kpis
        .iter()
        .map(|k| {
            vec![
                Cell::Label(k.label.clone()),
                Cell::of(k.value),
                Cell::of(k.previous),
                Cell::change(k.mom),
                Cell::of(k.year_ago),
                Cell::change(k.yoy),
                Cell::of(k.target.as_ref().map(|t| t.target)),
                Cell::share(k.target.as_ref().and_then(|t| t.ratio)),
            ]
        })
        .collect();
    Table { id: TableId::Summary, title: TableId::Summary.title(), columns, rows }
}

fn sum_days(rows: &[PremiumRow], span: Span) -> PremiumSums {
    let (from, to) = span.epoch_days();
    let mut sums = PremiumSums::default();
    for row in rows.iter().filter(|r| r.day.is_some_and(|d| from <= d && d <= to)) {
        sums.add(row);
    }
    sums
}

fn trend_table(c: &Comparison, days: &[PremiumRow]) -> Table {
    let columns = vec![
        column("period", "期间", "period", Unit::Text),
        column("label", "标签", "label", Unit::Text),
        column("new_business_premium", "新单保费", "new business premium", Unit::Money),
        column("ape", "APE", "APE", Unit::Money),
        column("regular", "期缴", "regular", Unit::Money),
        column("single", "趸交", "single", Unit::Money),
        column("short_term", "短期险", "short-term", Unit::Money),
        column("policies", "件数", "policies", Unit::Count),
        column("year_ago", "去年同期新单保费", "a year before", Unit::Money),
        column("yoy", "同比", "vs a year before", Unit::Share),
    ];
    let rows = trend_periods(c.period)
        .into_iter()
        .map(|p| {
            let (current, year_ago) =
                if p == c.period { (c.current, c.year_ago) } else { (p.span(), p.year_ago().span()) };
            let now = sum_days(days, current);
            let before = sum_days(days, year_ago);
            vec![
                Cell::Text(p.key()),
                Cell::Text(p.axis_label()),
                Cell::Money(yuan(now.new_business_premium())),
                Cell::Money(now.ape()),
                Cell::Money(yuan(now.regular)),
                Cell::Money(yuan(now.single)),
                Cell::Money(yuan(now.short)),
                Cell::Count(now.policies()),
                Cell::Money(yuan(before.new_business_premium())),
                Cell::share(growth(yuan(now.new_business_premium()), yuan(before.new_business_premium()))),
            ]
        })
        .collect();
    Table { id: TableId::Trend, title: TableId::Trend.title(), columns, rows }
}

/// A group of a breakdown: its code, its name, its sums.
struct Group {
    code: String,
    name: Text,
    sums: PremiumSums,
}

fn grouped(rows: &[PremiumRow], key: impl Fn(&PremiumRow) -> String) -> BTreeMap<String, PremiumSums> {
    let mut groups: BTreeMap<String, PremiumSums> = BTreeMap::new();
    for row in rows {
        groups.entry(key(row)).or_default().add(row);
    }
    groups
}

fn channel_label(code: &str) -> Text {
    match code {
        "direct" => Text::fixed("官网直销（线上）", "direct (online)"),
        "agent" => Text::fixed("代理人", "agents"),
        other => Text::new(other.to_owned(), other.to_owned()),
    }
}

/// The channels' names, for the filter too.
pub fn channel_choices() -> Vec<crate::api::Choice> {
    crate::api::CHANNELS.iter().map(|c| crate::api::Choice { code: (*c).to_owned(), name: channel_label(c) }).collect()
}

fn channel_groups(rows: &[PremiumRow]) -> Vec<Group> {
    let groups = grouped(rows, |r| r.channel.clone().unwrap_or_default());
    crate::api::CHANNELS
        .iter()
        .map(|c| Group {
            code: (*c).to_owned(),
            name: channel_label(c),
            sums: groups.get(*c).copied().unwrap_or_default(),
        })
        .collect()
}

fn product_groups(rows: &[PremiumRow], names: &Names) -> Vec<Group> {
    grouped(rows, |r| r.product.clone().unwrap_or_default())
        .into_iter()
        .map(|(code, sums)| {
            let name = names.products.get(&code).cloned().unwrap_or_else(|| Text::new(code.clone(), code.clone()));
            Group { code, name, sums }
        })
        .collect()
}

fn line_groups(rows: &[PremiumRow]) -> Vec<Group> {
    let groups = grouped(rows, |r| r.line.clone().unwrap_or_default());
    LINES
        .iter()
        .filter_map(|line| {
            let code = line_name(*line);
            groups.get(code).map(|sums| Group { code: code.to_owned(), name: line.label(), sums: *sums })
        })
        .collect()
}

/// A province's name (`310000` → 上海市), or "not declared" for `""`.
pub fn region_label(province: &str) -> Text {
    if province.is_empty() || province == UNKNOWN_REGION {
        return Text::fixed("未填写地区", "region not declared");
    }
    premia_core::resident_id::province(&province[..2.min(province.len())])
        .unwrap_or_else(|| Text::new(province.to_owned(), province.to_owned()))
}

fn region_groups(rows: &[PremiumRow]) -> Vec<Group> {
    grouped(rows, |r| r.province.clone().unwrap_or_default())
        .into_iter()
        .map(|(code, sums)| Group {
            name: region_label(&code),
            code: if code.is_empty() { UNKNOWN_REGION.to_owned() } else { code },
            sums,
        })
        .collect()
}

fn breakdown_columns(first: Vec<Column>) -> Vec<Column> {
    let mut columns = first;
    columns.extend([
        column("new_business_premium", "新单保费", "new business premium", Unit::Money),
        column("share", "占比", "share", Unit::Share),
        column("ape", "APE", "APE", Unit::Money),
        column("regular", "期缴", "regular", Unit::Money),
        column("single", "趸交", "single", Unit::Money),
        column("short_term", "短期险", "short-term", Unit::Money),
        column("policies", "件数", "policies", Unit::Count),
        column("regular_share_by_premium", "期缴占比", "regular share", Unit::Share),
    ]);
    columns
}

fn figures_cells(sums: &PremiumSums, total: i64) -> Vec<Cell> {
    vec![
        Cell::Money(yuan(sums.new_business_premium())),
        Cell::share(ratio(sums.new_business_premium(), total)),
        Cell::Money(sums.ape()),
        Cell::Money(yuan(sums.regular)),
        Cell::Money(yuan(sums.single)),
        Cell::Money(yuan(sums.short)),
        Cell::Count(sums.policies()),
        Cell::share(sums.regular_share_by_premium()),
    ]
}

/// A breakdown table; `ranked`: largest new business premium first (ties by code).
fn breakdown(id: TableId, mut groups: Vec<Group>, total: i64, ranked: bool) -> Table {
    if ranked {
        groups.sort_by(|a, b| {
            b.sums.new_business_premium().cmp(&a.sums.new_business_premium()).then(a.code.cmp(&b.code))
        });
    }
    let columns =
        breakdown_columns(vec![column("code", "代码", "code", Unit::Text), column("name", "名称", "name", Unit::Text)]);
    let rows = groups
        .iter()
        .map(|g| {
            let mut row = vec![Cell::Text(g.code.clone()), Cell::Label(g.name.clone())];
            row.extend(figures_cells(&g.sums, total));
            row
        })
        .collect();
    Table { id, title: id.title(), columns, rows }
}

fn agents_table(rows: &[PremiumRow], total: i64) -> Table {
    let mut agents: Vec<(String, PremiumSums)> =
        grouped(rows, |r| r.agent_code.clone().unwrap_or_default()).into_iter().collect();
    agents.sort_by(|a, b| b.1.new_business_premium().cmp(&a.1.new_business_premium()).then(a.0.cmp(&b.0)));
    let columns = breakdown_columns(vec![
        column("rank", "排名", "rank", Unit::Count),
        column("agent", "代理人", "agent", Unit::Text),
    ]);
    let rows = agents
        .iter()
        .take(TOP_AGENTS)
        .enumerate()
        .map(|(i, (agent, sums))| {
            let mut row = vec![Cell::Count(i64::try_from(i + 1).unwrap_or(i64::MAX)), Cell::Text(agent.clone())];
            row.extend(figures_cells(sums, total));
            row
        })
        .collect();
    Table { id: TableId::Agents, title: TableId::Agents.title(), columns, rows }
}

fn coupon_kind_label(kind: CouponKind) -> Text {
    match kind {
        CouponKind::Bundle => Text::fixed("组合优惠", "bundle"),
        CouponKind::Campaign => Text::fixed("营销活动", "campaign"),
        CouponKind::Referral => Text::fixed("老客户推荐", "referral"),
        CouponKind::Voucher => Text::fixed("抵用券", "voucher"),
    }
}

fn coupons_table(coupons: &[CouponRow], gross: i64) -> Table {
    let mut coupons = coupons.to_vec();
    coupons.sort_by(|a, b| b.first_year.cmp(&a.first_year).then(a.rule.cmp(&b.rule)));
    let columns = vec![
        column("kind", "类型", "kind", Unit::Text),
        column("rule", "活动/券种", "campaign or series", Unit::Text),
        column("uses", "使用件数", "policies", Unit::Count),
        column("first_year", "首年成本", "first-year cost", Unit::Money),
        column("total", "交费期内成本", "cost over the terms", Unit::Money),
        column("cost_ratio", "占首年保费", "of first-year premium", Unit::Share),
    ];
    let rows = coupons
        .iter()
        .map(|c| {
            vec![
                Cell::Label(coupon_kind_label(c.kind)),
                Cell::Text(c.rule.clone()),
                Cell::Count(c.uses),
                Cell::Money(yuan(c.first_year)),
                Cell::Money(yuan(c.total)),
                Cell::share(ratio(c.first_year, gross)),
            ]
        })
        .collect();
    Table { id: TableId::Coupons, title: TableId::Coupons.title(), columns, rows }
}

fn conversion_table(c: &Comparison, days: &[DayCount]) -> Table {
    let columns = vec![
        column("day", "日期", "day", Unit::Text),
        column("verified", "已验证报价", "verified quotes", Unit::Count),
        column("applications", "投保单", "applications", Unit::Count),
        column("conversion", "转化率", "conversion", Unit::Share),
    ];
    let by_day: BTreeMap<i64, DayCount> = days.iter().map(|d| (d.day, *d)).collect();
    let (from, to) = c.current.epoch_days();
    let rows = (from..=to)
        .map(|day| {
            let d = by_day.get(&day).copied().unwrap_or(DayCount { day, verified: 0, applications: 0 });
            vec![
                Cell::Text(from_epoch_day(day).to_string()),
                Cell::Count(d.verified),
                Cell::Count(d.applications),
                Cell::share(conversion(d.applications, d.verified)),
            ]
        })
        .collect();
    Table { id: TableId::Conversion, title: TableId::Conversion.title(), columns, rows }
}

/// The payment kinds a row's kind column may hold, for readers of stored names.
pub fn kind_of(name: &str) -> Option<PaymentKind> {
    PaymentKind::parse(name)
}

/// The epoch days of a span, for the store's range queries.
pub fn days_of(span: Span) -> (i64, i64) {
    (epoch_day(span.start), epoch_day(span.end))
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)] // amounts in fen, written yuan_fen
mod tests {
    use super::*;
    use crate::period::Grain;

    fn row(day: i64, channel: &str, line: &str, kind: PaymentKind, policies: i64, first_year: i64) -> PremiumRow {
        PremiumRow {
            day: Some(day),
            channel: Some(channel.into()),
            line: Some(line.into()),
            product: Some("CI".into()),
            province: Some("310000".into()),
            agent_code: (channel == "agent").then(|| "A1".into()),
            kind: Some(kind),
            policies,
            first_year,
            gross: first_year,
            ..PremiumRow::default()
        }
    }

    #[test]
    fn a_month_with_its_comparisons_targets_and_tables() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let query = Query { grain: Grain::Month, ..Query::default() };
        let d = |date: &str| epoch_day(date.parse().unwrap());
        let current = vec![
            row(d("2026-11-03"), "agent", "critical_illness", PaymentKind::Regular, 2, 20_000_00),
            row(d("2026-11-20"), "direct", "annuity", PaymentKind::Single, 1, 50_000_00),
        ];
        let previous = vec![row(d("2026-10-03"), "agent", "critical_illness", PaymentKind::Regular, 1, 10_000_00)];
        let mut trend_days = current.clone();
        trend_days.extend(previous.clone());
        let inputs = Inputs {
            premium: [current.clone(), previous, Vec::new()],
            applications: [
                ApplicationSums { submitted: 4, automatic: 3, referred: 1 },
                ApplicationSums::default(),
                ApplicationSums::default(),
            ],
            verified: [8, 0, 0],
            manual_millis: [vec![3_600_000, 7_200_000], Vec::new(), Vec::new()],
            trend_days,
            by_channel: current.clone(),
            by_product: current.clone(),
            by_region: current.clone(),
            by_agent: current.iter().filter(|r| r.agent_code.is_some()).cloned().collect(),
            coupons: vec![],
            conversion: vec![DayCount { day: d("2026-11-03"), verified: 8, applications: 4 }],
        };
        let targets: Targets = Targets {
            targets: vec![crate::targets::Target {
                figure: FigureId::RegularShareByPremium,
                grain: Grain::Month,
                period: None,
                value: "0.60".parse().unwrap(),
            }],
        };
        let board = dashboard(&query, today, &inputs, &targets, &Names::default(), "now".into());
        assert_eq!(board.query.period.as_deref(), Some("2026-11"));
        assert!(board.period.to_date && board.period.next_key.is_none());
        let nbp = board.kpi(FigureId::NewBusinessPremium).unwrap();
        assert_eq!(nbp.value, Some(Value::Money("70000.00".parse().unwrap())));
        assert_eq!(nbp.mom, Some(Change::Relative("6.0000".parse().unwrap())));
        assert_eq!(nbp.yoy, None, "nothing a year before");
        let share = board.kpi(FigureId::RegularShareByPremium).unwrap();
        assert_eq!(share.value, Some(Value::Share("0.2857".parse().unwrap())));
        assert_eq!(share.mom, Some(Change::Points("-0.7143".parse().unwrap())));
        assert!(!share.target.as_ref().unwrap().met);
        assert_eq!(board.kpi(FigureId::ManualP90).unwrap().value, Some(Value::Minutes(120)));
        assert_eq!(board.kpi(FigureId::Conversion).unwrap().value, Some(Value::Share("0.5000".parse().unwrap())));
        assert_eq!(board.kpi(FigureId::Ape).unwrap().value, Some(Value::Money("25000.00".parse().unwrap())));
        let trend = board.table(TableId::Trend).unwrap();
        assert_eq!(trend.rows.len(), 12);
        assert_eq!(trend.rows[11][0], Cell::Text("2026-11".into()));
        assert_eq!(trend.rows[10][2], Cell::Money("10000.00".parse().unwrap()));
        let channel = board.table(TableId::Channel).unwrap();
        let shares: Vec<&Cell> = channel.cells("share").collect();
        assert_eq!(shares, [&Cell::Share("0.7143".parse().unwrap()), &Cell::Share("0.2857".parse().unwrap())]);
        assert_eq!(board.table(TableId::Conversion).unwrap().rows.len(), 25, "every day to date");
        assert_eq!(board.table(TableId::Agents).unwrap().rows[0][1], Cell::Text("A1".into()));
        let filtered = dashboard(
            &Query { channel: Some("agent".into()), ..query },
            today,
            &inputs,
            &targets,
            &Names::default(),
            "now".into(),
        );
        assert!(filtered.kpis.iter().all(|k| k.target.is_none()), "targets are for the whole business");
    }

    #[test]
    fn trends_reach_a_year_back() {
        let p = Period::parse(Grain::Quarter, "2026-Q4").unwrap();
        let periods = trend_periods(p);
        assert_eq!(periods.len(), 8);
        assert_eq!(periods[0].key(), "2025-Q1");
        assert_eq!(trend_span(p).start, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    }
}
