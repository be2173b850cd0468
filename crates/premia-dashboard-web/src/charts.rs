//! The charts, as Apache ECharts options built from the dashboard's own tables (so a chart shows
//! exactly what its table and its export show). Pure: tested natively. Values go to ECharts as the
//! decimal strings the server sent (ECharts reads numeric strings), never through a float here.

use premia_core::Lang;
use premia_dashboard::api::{Cell, Dashboard, FigureId, Table, TableId, Value};
use serde_json::{Value as Json, json};

/// The charts the page draws, each in the element `chart-<id>`.
pub const CHARTS: [&str; 8] = ["trend", "split", "channel", "product", "line", "region", "agents", "conversion"];

fn w(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::En { en } else { zh }
}

/// A column's cells as chart values (decimal strings; `null` where there is nothing).
fn values(table: &Table, column: &str) -> Vec<Json> {
    table.cells(column).map(|c| c.amount().map_or(Json::Null, |d| json!(d.to_string()))).collect()
}

/// A share column as percentages ("62.50"), for a percent axis.
fn percents(table: &Table, column: &str) -> Vec<Json> {
    table
        .cells(column)
        .map(|c| match c {
            Cell::Share(d) => json!((d * rust_decimal::Decimal::ONE_HUNDRED).round_dp(2).to_string()),
            _ => Json::Null,
        })
        .collect()
}

fn labels(table: &Table, column: &str, lang: Lang) -> Vec<String> {
    table.cells(column).map(|c| crate::format::cell(c, lang)).collect()
}

fn money_axis() -> Json {
    json!({ "type": "value", "axisLabel": { "formatter": "¥{value}" }, "splitLine": { "lineStyle": { "color": "#e6eaee" } } })
}

/// The options of chart `id`, or `None` when the dashboard has nothing for it.
pub fn options(id: &str, dashboard: &Dashboard, lang: Lang) -> Option<Json> {
    let base = json!({
        "animationDuration": 300,
        "textStyle": { "fontFamily": "system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif" },
        "color": ["#1f5f99", "#e07b39", "#4c9f70", "#8e6bbf", "#c4485c", "#6f8796", "#d4a72c", "#3ba3b8"],
    });
    let mut options = match id {
        "trend" => trend(dashboard.table(TableId::Trend)?, lang),
        "split" => split(dashboard, lang),
        "channel" => pie(dashboard.table(TableId::Channel)?, lang, "name"),
        "line" => pie(dashboard.table(TableId::Line)?, lang, "name"),
        "product" => bars(dashboard.table(TableId::Product)?, lang, "name", false),
        "region" => bars(dashboard.table(TableId::Region)?, lang, "name", true),
        "agents" => bars(dashboard.table(TableId::Agents)?, lang, "agent", true),
        "conversion" => conversion(dashboard.table(TableId::Conversion)?, lang),
        _ => return None,
    };
    if let (Some(target), Json::Object(base)) = (options.as_object_mut(), base) {
        for (k, v) in base {
            target.entry(k).or_insert(v);
        }
    }
    Some(options)
}

/// New business premium per period as stacked 期缴 / 趸交 / 短期险 bars, APE and the year before as lines.
fn trend(table: &Table, lang: Lang) -> Json {
    let stacked = |name: &str, column: &str| json!({ "name": name, "type": "bar", "stack": "premium", "data": values(table, column) });
    json!({
        "tooltip": { "trigger": "axis" },
        "legend": { "top": 0 },
        "grid": { "left": 90, "right": 20, "top": 40, "bottom": 30 },
        "xAxis": { "type": "category", "data": labels(table, "label", lang) },
        "yAxis": money_axis(),
        "series": [
            stacked(w(lang, "期缴", "regular"), "regular"),
            stacked(w(lang, "趸交", "single"), "single"),
            stacked(w(lang, "短期险", "short-term"), "short_term"),
            { "name": "APE", "type": "line", "smooth": true, "data": values(table, "ape") },
            { "name": w(lang, "去年同期新单保费", "a year before"), "type": "line", "lineStyle": { "type": "dashed" }, "data": values(table, "year_ago") },
        ],
    })
}

/// The period's 期缴 / 趸交 / 短期险 split of new business premium.
fn split(dashboard: &Dashboard, lang: Lang) -> Json {
    let amount = |id: FigureId| match dashboard.kpi(id).and_then(|k| k.value) {
        Some(Value::Money(d)) => json!(d.to_string()),
        _ => json!("0"),
    };
    json!({
        "tooltip": { "trigger": "item", "formatter": "{b}: ¥{c} ({d}%)" },
        "legend": { "bottom": 0 },
        "series": [{
            "type": "pie", "radius": ["40%", "68%"],
            "data": [
                { "name": w(lang, "期缴", "regular"), "value": amount(FigureId::RegularPremium) },
                { "name": w(lang, "趸交", "single"), "value": amount(FigureId::SinglePremium) },
                { "name": w(lang, "短期险", "short-term"), "value": amount(FigureId::ShortTermPremium) },
            ],
        }],
    })
}

fn pie(table: &Table, lang: Lang, name: &str) -> Json {
    let data: Vec<Json> = labels(table, name, lang)
        .into_iter()
        .zip(values(table, "new_business_premium"))
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect();
    json!({
        "tooltip": { "trigger": "item", "formatter": "{b}: ¥{c} ({d}%)" },
        "legend": { "bottom": 0, "type": "scroll" },
        "series": [{ "type": "pie", "radius": ["35%", "65%"], "data": data }],
    })
}

/// New business premium by group, split by payment kind; `ranked`: horizontal, largest on top.
fn bars(table: &Table, lang: Lang, name: &str, ranked: bool) -> Json {
    let mut names = labels(table, name, lang);
    let mut series: Vec<Json> = [
        ("regular", w(lang, "期缴", "regular")),
        ("single", w(lang, "趸交", "single")),
        ("short_term", w(lang, "短期险", "short-term")),
    ]
    .iter()
    .map(|(column, label)| json!({ "name": label, "type": "bar", "stack": "premium", "data": values(table, column) }))
    .collect();
    let category = json!({ "type": "category", "data": names.clone(), "axisLabel": { "interval": 0 } });
    if ranked {
        // Largest on top: ECharts draws a category axis from the bottom.
        names.reverse();
        for s in &mut series {
            if let Some(data) = s["data"].as_array_mut() {
                data.reverse();
            }
        }
        return json!({
            "tooltip": { "trigger": "axis", "axisPointer": { "type": "shadow" } },
            "legend": { "top": 0 },
            "grid": { "left": 110, "right": 30, "top": 30, "bottom": 20 },
            "yAxis": { "type": "category", "data": names },
            "xAxis": money_axis(),
            "series": series,
        });
    }
    json!({
        "tooltip": { "trigger": "axis", "axisPointer": { "type": "shadow" } },
        "legend": { "top": 0 },
        "grid": { "left": 90, "right": 20, "top": 30, "bottom": 60 },
        "xAxis": category,
        "yAxis": money_axis(),
        "series": series,
    })
}

/// Quotes verified and applications by day, and the conversion between them.
fn conversion(table: &Table, lang: Lang) -> Json {
    let days: Vec<String> =
        labels(table, "day", lang).into_iter().map(|d| d.get(5..).unwrap_or(&d).to_owned()).collect();
    json!({
        "tooltip": { "trigger": "axis" },
        "legend": { "top": 0 },
        "grid": { "left": 60, "right": 60, "top": 40, "bottom": 30 },
        "xAxis": { "type": "category", "data": days },
        "yAxis": [{ "type": "value" }, { "type": "value", "axisLabel": { "formatter": "{value}%" } }],
        "series": [
            { "name": w(lang, "已验证报价", "verified quotes"), "type": "bar", "data": values(table, "verified") },
            { "name": w(lang, "投保单", "applications"), "type": "bar", "data": values(table, "applications") },
            { "name": w(lang, "转化率", "conversion"), "type": "line", "yAxisIndex": 1, "data": percents(table, "conversion") },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use premia_dashboard::PaymentKind;
    use premia_dashboard::api::Query;
    use premia_dashboard::build::{Inputs, Names, dashboard};
    use premia_dashboard::figures::PremiumRow;
    use premia_dashboard::period::epoch_day;
    use premia_dashboard::targets::Targets;
    use rust_decimal::Decimal;

    fn board() -> Dashboard {
        let day = epoch_day("2026-11-20".parse().unwrap());
        let row = |channel: &str, product: &str, line: &str, province: &str, kind, first_year| PremiumRow {
            day: Some(day),
            channel: Some(channel.into()),
            product: Some(product.into()),
            line: Some(line.into()),
            province: Some(province.into()),
            agent_code: (channel == "agent").then(|| "AG1001".into()),
            kind: Some(kind),
            policies: 1,
            first_year,
            gross: first_year,
            ..PremiumRow::default()
        };
        let rows = vec![
            row("agent", "CI", "critical_illness", "310000", PaymentKind::Regular, 1_234_500),
            row("direct", "ANN", "annuity", "440000", PaymentKind::Single, 10_000_000),
            row("direct", "MED", "medical", "", PaymentKind::ShortTerm, 56_700),
        ];
        let inputs = Inputs {
            premium: [rows.clone(), Vec::new(), Vec::new()],
            trend_days: rows.clone(),
            by_channel: rows.clone(),
            by_product: rows.clone(),
            by_region: rows.clone(),
            by_agent: rows[..1].to_vec(),
            ..Inputs::default()
        };
        dashboard(
            &Query::default(),
            "2026-11-25".parse().unwrap(),
            &inputs,
            &Targets::default(),
            &Names::default(),
            "now".into(),
        )
    }

    fn sum(data: &Json) -> Decimal {
        data.as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().or(v["value"].as_str()).unwrap_or("0").parse::<Decimal>().unwrap())
            .sum()
    }

    #[test]
    fn every_chart_shows_its_tables_figures() {
        let board = board();
        for id in CHARTS {
            assert!(options(id, &board, Lang::Zh).is_some(), "{id}");
        }
        let total: Decimal = "112912.00".parse().unwrap();
        let trend = options("trend", &board, Lang::En).unwrap();
        assert_eq!(trend["series"].as_array().unwrap().len(), 5);
        assert_eq!(trend["xAxis"]["data"].as_array().unwrap().len(), 12);
        let stacked: Decimal = (0..3).map(|i| sum(&trend["series"][i]["data"])).sum();
        assert_eq!(stacked, total, "the stacked bars are the new business premium");
        for id in ["split", "channel", "line"] {
            assert_eq!(sum(&options(id, &board, Lang::Zh).unwrap()["series"][0]["data"]), total, "{id}");
        }
        let region = options("region", &board, Lang::Zh).unwrap();
        let names = region["yAxis"]["data"].as_array().unwrap();
        assert_eq!(names.last().unwrap(), "广东省", "the largest on top");
        assert_eq!(options("split", &board, Lang::En).unwrap()["series"][0]["data"][1]["name"], "single");
    }
}
