//! What the server and the dashboard page exchange (`/api/dashboard/…`): one definition for both.
//! Money is a decimal string in yuan ("1234.50"), shares and changes decimal strings of a fraction
//! ("0.6250" is 62.50 %), times RFC 3339 in the insurer's offset.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use premia_core::Text;

use crate::period::{Grain, Period};

/// Which figures: a period and the filters (`GET /api/dashboard?grain=month&period=2026-11&channel=…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Query {
    pub grain: Grain,
    /// The period's key (`2026-11`); the one containing today when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// `direct` or `agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// A product code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// A province-level region code (`310000`); `unknown` for applications that declared no region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl Default for Query {
    fn default() -> Self {
        Query { grain: Grain::Month, period: None, channel: None, product: None, region: None }
    }
}

/// A query parameter the dashboard does not accept, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadParameter {
    pub field: String,
    pub message: Text,
}

/// The channels there are.
pub const CHANNELS: [&str; 2] = ["direct", "agent"];

/// How a filter's region spells "declared no region".
pub const UNKNOWN_REGION: &str = "unknown";

impl Query {
    /// Read the query string's pairs; every parameter is checked and named when wrong. `table` and
    /// `format` are the export's and left to it.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Query, BadParameter> {
        let mut query = Query::default();
        let bad =
            |field: &str, zh: String, en: String| BadParameter { field: field.to_owned(), message: Text::new(zh, en) };
        let mut period = None;
        for (name, value) in pairs {
            let value = value.trim();
            match name {
                "grain" => {
                    query.grain = Grain::parse(value).ok_or_else(|| {
                        bad(
                            "grain",
                            format!("周期“{value}”无效：应为 day、week、month 或 quarter"),
                            format!("grain {value:?} is not one of day, week, month, quarter"),
                        )
                    })?;
                }
                "period" => period = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "channel" if value.is_empty() => {}
                "channel" if CHANNELS.contains(&value) => query.channel = Some(value.to_owned()),
                "channel" => {
                    return Err(bad(
                        "channel",
                        format!("渠道“{value}”无效：应为 direct 或 agent"),
                        format!("channel {value:?} is not direct or agent"),
                    ));
                }
                "product" if value.is_empty() => {}
                "product"
                    if value.len() <= 32
                        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
                {
                    query.product = Some(value.to_owned());
                }
                "product" => return Err(bad("product", "产品代码无效".into(), "not a product code".into())),
                "region" if value.is_empty() => {}
                "region"
                    if value == UNKNOWN_REGION
                        || (value.len() == 6
                            && value.ends_with("0000")
                            && value.bytes().all(|b| b.is_ascii_digit())) =>
                {
                    query.region = Some(value.to_owned());
                }
                "region" => {
                    return Err(bad(
                        "region",
                        format!("地区“{value}”无效：应为省级行政区划代码，如 310000"),
                        format!("region {value:?} is not a province-level code such as 310000"),
                    ));
                }
                "table" | "format" | "lang" => {}
                other => {
                    return Err(bad(other, format!("不支持的参数“{other}”"), format!("unknown parameter {other:?}")));
                }
            }
        }
        if let Some(key) = period {
            if Period::parse(query.grain, &key).is_none() {
                return Err(bad(
                    "period",
                    format!(
                        "期间“{key}”不是一个{}（如 2026-11-25、2026-W48、2026-11、2026-Q4）",
                        query.grain.label().zh
                    ),
                    format!(
                        "period {key:?} is not a {} (e.g. 2026-11-25, 2026-W48, 2026-11, 2026-Q4)",
                        query.grain.label().en
                    ),
                ));
            }
            query.period = Some(key);
        }
        Ok(query)
    }

    /// The query string that asks for this (without `?`), parameters in a fixed order.
    pub fn to_query_string(&self) -> String {
        let mut parts = vec![format!("grain={}", self.grain.name())];
        for (name, value) in
            [("period", &self.period), ("channel", &self.channel), ("product", &self.product), ("region", &self.region)]
        {
            if let Some(value) = value {
                parts.push(format!("{name}={value}"));
            }
        }
        parts.join("&")
    }

    /// The chosen period on `today`.
    pub fn period_on(&self, today: NaiveDate) -> Period {
        self.period
            .as_deref()
            .and_then(|k| Period::parse(self.grain, k))
            .unwrap_or_else(|| Period::containing(self.grain, today))
    }

    pub fn is_filtered(&self) -> bool {
        self.channel.is_some() || self.product.is_some() || self.region.is_some()
    }
}

/// The figures the dashboard shows, each defined in `crate::figures` and docs/dashboard.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureId {
    NewBusinessPremium,
    Ape,
    RegularPremium,
    SinglePremium,
    ShortTermPremium,
    Policies,
    RegularShareByPremium,
    RegularShareByCount,
    HighValueShare,
    OnlineShare,
    StraightThroughShare,
    ManualP50,
    ManualP90,
    CouponCost,
    Conversion,
}

/// What a figure counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Money,
    Count,
    Share,
    Minutes,
    Text,
}

impl FigureId {
    pub const ALL: [FigureId; 15] = [
        FigureId::NewBusinessPremium,
        FigureId::Ape,
        FigureId::RegularPremium,
        FigureId::SinglePremium,
        FigureId::ShortTermPremium,
        FigureId::Policies,
        FigureId::RegularShareByPremium,
        FigureId::RegularShareByCount,
        FigureId::HighValueShare,
        FigureId::OnlineShare,
        FigureId::StraightThroughShare,
        FigureId::ManualP50,
        FigureId::ManualP90,
        FigureId::CouponCost,
        FigureId::Conversion,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FigureId::NewBusinessPremium => "new_business_premium",
            FigureId::Ape => "ape",
            FigureId::RegularPremium => "regular_premium",
            FigureId::SinglePremium => "single_premium",
            FigureId::ShortTermPremium => "short_term_premium",
            FigureId::Policies => "policies",
            FigureId::RegularShareByPremium => "regular_share_by_premium",
            FigureId::RegularShareByCount => "regular_share_by_count",
            FigureId::HighValueShare => "high_value_share",
            FigureId::OnlineShare => "online_share",
            FigureId::StraightThroughShare => "straight_through_share",
            FigureId::ManualP50 => "manual_p50",
            FigureId::ManualP90 => "manual_p90",
            FigureId::CouponCost => "coupon_cost",
            FigureId::Conversion => "conversion",
        }
    }

    pub fn parse(name: &str) -> Option<FigureId> {
        FigureId::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn label(self) -> Text {
        match self {
            FigureId::NewBusinessPremium => Text::fixed("新单保费", "new business premium"),
            FigureId::Ape => Text::fixed("APE（年化新单保费）", "APE"),
            FigureId::RegularPremium => Text::fixed("期缴保费", "regular premium"),
            FigureId::SinglePremium => Text::fixed("趸交保费", "single premium"),
            FigureId::ShortTermPremium => Text::fixed("短期险保费", "short-term premium"),
            FigureId::Policies => Text::fixed("件数", "policies"),
            FigureId::RegularShareByPremium => Text::fixed("期缴占比（保费）", "regular share (premium)"),
            FigureId::RegularShareByCount => Text::fixed("期缴占比（件数）", "regular share (count)"),
            FigureId::HighValueShare => Text::fixed("高价值业务占比", "high-value share"),
            FigureId::OnlineShare => Text::fixed("线上占比", "online share"),
            FigureId::StraightThroughShare => Text::fixed("自动核保率", "straight-through share"),
            FigureId::ManualP50 => Text::fixed("人工核保时效 P50", "manual underwriting p50"),
            FigureId::ManualP90 => Text::fixed("人工核保时效 P90", "manual underwriting p90"),
            FigureId::CouponCost => Text::fixed("优惠及活动成本", "coupon and campaign cost"),
            FigureId::Conversion => Text::fixed("报价转化率", "quote conversion"),
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            FigureId::NewBusinessPremium
            | FigureId::Ape
            | FigureId::RegularPremium
            | FigureId::SinglePremium
            | FigureId::ShortTermPremium
            | FigureId::CouponCost => Unit::Money,
            FigureId::Policies => Unit::Count,
            FigureId::ManualP50 | FigureId::ManualP90 => Unit::Minutes,
            _ => Unit::Share,
        }
    }

    /// Whether more is better (a target is a floor) or less (a ceiling: times, cost).
    pub fn higher_is_better(self) -> bool {
        !matches!(self, FigureId::ManualP50 | FigureId::ManualP90 | FigureId::CouponCost)
    }
}

/// A figure's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Money(Decimal),
    Count(i64),
    Share(Decimal),
    Minutes(i64),
}

impl Value {
    /// As a decimal of its unit (yuan, count, fraction, minutes): for comparing and dividing.
    pub fn amount(self) -> Decimal {
        match self {
            Value::Money(d) | Value::Share(d) => d,
            Value::Count(n) | Value::Minutes(n) => Decimal::from(n),
        }
    }
}

/// A change against an earlier period: relative for amounts and times, in percentage points (as a
/// fraction: "0.0150" is 1.5 points) for shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Relative(Decimal),
    Points(Decimal),
}

/// How far a figure is towards its target for the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub target: Value,
    /// The figure over its target (for a ceiling too: under 1 means within it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<Decimal>,
    pub met: bool,
}

/// One figure of the summary: its value, the two comparisons, and its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kpi {
    pub id: FigureId,
    pub label: Text,
    pub unit: Unit,
    pub value: Option<Value>,
    pub previous: Option<Value>,
    pub year_ago: Option<Value>,
    /// 环比.
    pub mom: Option<Change>,
    /// 同比.
    pub yoy: Option<Change>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Progress>,
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// A code or name that is the same in both languages (an agent code, a period key).
    Text(String),
    /// A name in both languages (a product, a province, a figure).
    Label(Text),
    Money(Decimal),
    Count(i64),
    Share(Decimal),
    Minutes(i64),
    Change(Change),
    /// Nothing to show (no denominator, no data).
    Empty,
}

impl Cell {
    pub fn share(value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Empty, Cell::Share)
    }

    pub fn of(value: Option<Value>) -> Cell {
        match value {
            Some(Value::Money(d)) => Cell::Money(d),
            Some(Value::Count(n)) => Cell::Count(n),
            Some(Value::Share(d)) => Cell::Share(d),
            Some(Value::Minutes(n)) => Cell::Minutes(n),
            None => Cell::Empty,
        }
    }

    pub fn change(value: Option<Change>) -> Cell {
        value.map_or(Cell::Empty, Cell::Change)
    }

    /// The cell as a decimal, for charts and sorting (`None` for text and empty cells).
    pub fn amount(&self) -> Option<Decimal> {
        match self {
            Cell::Money(d) | Cell::Share(d) => Some(*d),
            Cell::Count(n) | Cell::Minutes(n) => Some(Decimal::from(*n)),
            Cell::Change(Change::Relative(d) | Change::Points(d)) => Some(*d),
            _ => None,
        }
    }
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub id: String,
    pub label: Text,
    pub unit: Unit,
}

/// The tables the dashboard shows (and exports, as CSV or a sheet of the workbook).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableId {
    Summary,
    Trend,
    Channel,
    Product,
    Line,
    Region,
    Agents,
    Coupons,
    Conversion,
}

impl TableId {
    pub const ALL: [TableId; 9] = [
        TableId::Summary,
        TableId::Trend,
        TableId::Channel,
        TableId::Product,
        TableId::Line,
        TableId::Region,
        TableId::Agents,
        TableId::Coupons,
        TableId::Conversion,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TableId::Summary => "summary",
            TableId::Trend => "trend",
            TableId::Channel => "channel",
            TableId::Product => "product",
            TableId::Line => "line",
            TableId::Region => "region",
            TableId::Agents => "agents",
            TableId::Coupons => "coupons",
            TableId::Conversion => "conversion",
        }
    }

    pub fn parse(name: &str) -> Option<TableId> {
        TableId::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn title(self) -> Text {
        match self {
            TableId::Summary => Text::fixed("核心指标", "Key figures"),
            TableId::Trend => Text::fixed("新单保费趋势", "New business premium trend"),
            TableId::Channel => Text::fixed("分渠道", "By channel"),
            TableId::Product => Text::fixed("分产品", "By product"),
            TableId::Line => Text::fixed("分险种", "By line"),
            TableId::Region => Text::fixed("分地区（省）", "By region (province)"),
            TableId::Agents => Text::fixed("代理人排名", "Top agents"),
            TableId::Coupons => Text::fixed("优惠及活动成本", "Coupon and campaign cost"),
            TableId::Conversion => Text::fixed("报价转化（按日）", "Quote conversion by day"),
        }
    }
}

/// A table: columns and rows of cells, the same on the page and in the exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub id: TableId,
    pub title: Text,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The index of a column by id.
    pub fn column(&self, id: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.id == id)
    }

    /// A column's cells.
    pub fn cells<'a>(&'a self, id: &str) -> impl Iterator<Item = &'a Cell> + 'a {
        let index = self.column(id);
        self.rows.iter().filter_map(move |row| index.and_then(|i| row.get(i)))
    }
}

/// A span of days as the page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Days {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The period shown and what it is compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodView {
    pub grain: Grain,
    pub key: String,
    pub label: Text,
    /// The days counted (to today while the period is under way).
    pub current: Days,
    pub previous: Days,
    pub year_ago: Days,
    pub to_date: bool,
    /// The neighbouring periods' keys, for the page's arrows (`next` is absent for the current one).
    pub previous_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_key: Option<String>,
}

/// A choice of a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub name: Text,
}

/// What the filters offer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choices {
    pub channels: Vec<Choice>,
    pub products: Vec<Choice>,
    pub regions: Vec<Choice>,
}

/// `GET /api/dashboard`: every panel's figures for one query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub query: Query,
    pub period: PeriodView,
    pub kpis: Vec<Kpi>,
    pub tables: Vec<Table>,
    pub choices: Choices,
    /// Targets are for the whole business: shown only without filters.
    pub targets_shown: bool,
    /// When these figures were read (RFC 3339).
    pub as_of: String,
}

impl Dashboard {
    pub fn table(&self, id: TableId) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }

    pub fn kpi(&self, id: FigureId) -> Option<&Kpi> {
        self.kpis.iter().find(|k| k.id == id)
    }

    /// What changed from `before` to `self`: the summary if any figure moved, and the tables that differ.
    pub fn changes_since(&self, before: &Dashboard) -> Update {
        Update {
            kpis: (self.kpis != before.kpis).then(|| self.kpis.clone()),
            tables: self.tables.iter().filter(|t| before.table(t.id) != Some(*t)).cloned().collect(),
            as_of: self.as_of.clone(),
        }
    }

    /// Apply an update (the page's side of the server-sent events).
    pub fn apply(&mut self, update: &Update) {
        if let Some(kpis) = &update.kpis {
            self.kpis = kpis.clone();
        }
        for table in &update.tables {
            match self.tables.iter_mut().find(|t| t.id == table.id) {
                Some(existing) => *existing = table.clone(),
                None => self.tables.push(table.clone()),
            }
        }
        self.as_of = update.as_of.clone();
    }
}

/// What a server-sent `update` event carries: only the figures that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpis: Option<Vec<Kpi>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
    pub as_of: String,
}

impl Update {
    pub fn is_empty(&self) -> bool {
        self.kpis.is_none() && self.tables.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_read_and_write_the_same_string() {
        let query = Query::from_pairs([
            ("grain", "quarter"),
            ("period", "2026-Q4"),
            ("channel", "agent"),
            ("region", "310000"),
        ])
        .unwrap();
        assert_eq!(query.to_query_string(), "grain=quarter&period=2026-Q4&channel=agent&region=310000");
        let text = query.to_query_string();
        let again: Vec<(&str, &str)> = text.split('&').filter_map(|p| p.split_once('=')).collect();
        assert_eq!(Query::from_pairs(again).unwrap(), query);
        assert_eq!(Query::from_pairs([("channel", "")]).unwrap(), Query::default(), "an empty filter is no filter");
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let field = |pairs: &[(&str, &str)]| Query::from_pairs(pairs.iter().copied()).unwrap_err().field;
        assert_eq!(field(&[("grain", "year")]), "grain");
        assert_eq!(field(&[("grain", "month"), ("period", "2026-Q4")]), "period");
        assert_eq!(field(&[("channel", "broker")]), "channel");
        assert_eq!(field(&[("region", "310100")]), "region");
        assert_eq!(field(&[("product", "CI'; DROP")]), "product");
        assert_eq!(field(&[("sort", "x")]), "sort");
    }

    #[test]
    fn updates_carry_only_what_changed_and_apply_back() {
        let table = |n: i64| Table {
            id: TableId::Channel,
            title: TableId::Channel.title(),
            columns: vec![],
            rows: vec![vec![Cell::Count(n)]],
        };
        let period = Period::containing(Grain::Day, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
        let days = Days { start: period.start, end: period.start };
        let before = Dashboard {
            query: Query::default(),
            period: PeriodView {
                grain: Grain::Day,
                key: period.key(),
                label: period.label(),
                current: days,
                previous: days,
                year_ago: days,
                to_date: false,
                previous_key: String::new(),
                next_key: None,
            },
            kpis: vec![],
            tables: vec![table(1), Table { id: TableId::Line, ..table(5) }],
            choices: Choices::default(),
            targets_shown: true,
            as_of: "a".into(),
        };
        let mut after = before.clone();
        after.tables[0] = table(2);
        after.as_of = "b".into();
        let update = after.changes_since(&before);
        assert_eq!(update.tables.len(), 1);
        assert!(update.kpis.is_none());
        let mut page = before.clone();
        page.apply(&update);
        assert_eq!(page, after);
        assert!(after.changes_since(&after).is_empty());
    }
}
