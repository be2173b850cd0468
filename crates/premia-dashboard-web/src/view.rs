//! The dashboard's views: thin functions of the state. Figure names and table titles come from
//! `premia_dashboard` in both languages; the page's own words are written here once.

use premia_core::Lang;
use premia_dashboard::api::{Cell, Change, Dashboard, Kpi, Table, TableId};
use premia_dashboard::period::Grain;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::format;
use crate::state::{Action, Live, State};

fn w(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::En { en } else { zh }
}

/// What the page's controls do.
#[derive(Debug, Clone, PartialEq)]
pub struct Handlers {
    pub dispatch: Callback<Action>,
    pub print: Callback<()>,
}

pub fn page(state: &State, h: &Handlers) -> Html {
    let lang = state.lang;
    html! {
        <div class="dash" lang={if lang == Lang::En { "en" } else { "zh-CN" }}>
            { header(state, h) }
            if let Some(problem) = &state.problem {
                <p class="dash-error" role="alert">{ problem.get(lang) }</p>
            }
            <main aria-busy={state.dashboard.is_none().to_string()}>
                { state.dashboard.as_ref().map_or_else(|| html! { <p class="dash-loading">{ w(lang, "加载中…", "Loading…") }</p> }, |d| body(d, state)) }
            </main>
        </div>
    }
}

fn header(state: &State, h: &Handlers) -> Html {
    let lang = state.lang;
    let d = &h.dispatch;
    let grains = Grain::ALL.iter().map(|g| {
        let current = *g == state.query.grain;
        let onclick = d.reform({ let g = *g; move |_| Action::Grain(g) });
        html! { <button class="dash-grain" aria-pressed={current.to_string()} {onclick}>{ g.label().get(lang).to_owned() }</button> }
    });
    let period = state.dashboard.as_ref().map(|b| &b.period);
    let previous = period.map(|p| {
        let key = p.previous_key.clone();
        d.reform(move |_| Action::Period(key.clone()))
    });
    let next = period.and_then(|p| p.next_key.clone()).map(|key| d.reform(move |_| Action::Period(key.clone())));
    let other = if lang == Lang::En { Lang::Zh } else { Lang::En };
    let live = match state.live {
        Live::Open => ("dash-live open", w(lang, "实时", "live")),
        Live::Connecting => ("dash-live", w(lang, "连接中", "connecting")),
        Live::Lost => ("dash-live lost", w(lang, "已断开，重连中", "reconnecting")),
    };
    let export = format!(
        "/api/dashboard/export?{}&format=xlsx&lang={}",
        state.query_string(),
        if lang == Lang::En { "en" } else { "zh" }
    );
    html! {
        <header class="dash-header">
            <h1>{ w(lang, "保费数据看板", "Premium dashboard") }</h1>
            <nav class="dash-period" aria-label={w(lang, "期间", "period")}>
                { for grains }
                <button class="dash-prev" onclick={previous.unwrap_or_default()} aria-label={w(lang, "上一期", "previous period")}>{ "‹" }</button>
                <strong class="dash-period-label">{ period.map(|p| p.label.get(lang).to_owned()).unwrap_or_default() }
                    if period.is_some_and(|p| p.to_date) { <small>{ w(lang, "（截至今日）", " (to date)") }</small> }
                </strong>
                <button class="dash-next" disabled={next.is_none()} onclick={next.unwrap_or_default()} aria-label={w(lang, "下一期", "next period")}>{ "›" }</button>
            </nav>
            { filters(state, d) }
            <div class="dash-actions">
                <span class={live.0} role="status">{ live.1 }</span>
                <a class="dash-export" href={export}>{ w(lang, "导出 Excel", "Export to Excel") }</a>
                <button class="dash-print" onclick={h.print.reform(|_| ())}>{ w(lang, "打印", "Print") }</button>
                <button class="dash-lang" onclick={d.reform(move |_| Action::Lang(other))}>{ if lang == Lang::En { "中文" } else { "English" } }</button>
                if let Some(user) = &state.user { <span class="dash-user">{ user }</span> }
            </div>
        </header>
    }
}

fn select(
    label: &'static str,
    class: &'static str,
    value: Option<&str>,
    options: Vec<(String, String)>,
    all: &'static str,
    onchange: Callback<String>,
) -> Html {
    let onchange = onchange.reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
    let value = value.unwrap_or_default().to_owned();
    html! {
        <label class={class}>{ label }
            <select {onchange}>
                <option value="" selected={value.is_empty()}>{ all }</option>
                { for options.into_iter().map(|(code, name)| { let selected = code == value; html! { <option {selected} value={code}>{ name }</option> } }) }
            </select>
        </label>
    }
}

fn filters(state: &State, d: &Callback<Action>) -> Html {
    let lang = state.lang;
    let Some(dashboard) = &state.dashboard else { return html! {} };
    let choices = |list: &[premia_dashboard::api::Choice]| {
        list.iter().map(|c| (c.code.clone(), c.name.get(lang).to_owned())).collect::<Vec<_>>()
    };
    let all = w(lang, "全部", "all");
    html! {
        <div class="dash-filters">
            { select(w(lang, "渠道", "Channel"), "dash-filter-channel", state.query.channel.as_deref(), choices(&dashboard.choices.channels), all, d.reform(Action::Channel)) }
            { select(w(lang, "产品", "Product"), "dash-filter-product", state.query.product.as_deref(), choices(&dashboard.choices.products), all, d.reform(Action::Product)) }
            { select(w(lang, "地区", "Region"), "dash-filter-region", state.query.region.as_deref(), choices(&dashboard.choices.regions), all, d.reform(Action::Region)) }
        </div>
    }
}

fn body(dashboard: &Dashboard, state: &State) -> Html {
    let lang = state.lang;
    let panel = |chart: &'static str, table: TableId, zh: &'static str, en: &'static str| {
        panel(dashboard, state, chart, table, w(lang, zh, en))
    };
    html! {
        <>
            <section class="dash-kpis" aria-label={w(lang, "核心指标", "key figures")}>
                { for dashboard.kpis.iter().map(|k| kpi(k, lang, dashboard.targets_shown)) }
            </section>
            <div class="dash-grid">
                { panel("trend", TableId::Trend, "新单保费趋势（期缴/趸交/短期险，APE，去年同期）", "New business premium (regular / single / short-term), APE, a year before") }
                { panel("split", TableId::Summary, "期缴 / 趸交结构", "Regular and single premium") }
                { panel("channel", TableId::Channel, "分渠道新单保费", "By channel") }
                { panel("product", TableId::Product, "分产品新单保费", "By product") }
                { panel("line", TableId::Line, "分险种", "By line") }
                { panel("region", TableId::Region, "分地区（省）排名", "Provinces ranked") }
                { panel("agents", TableId::Agents, "代理人排名（前 20）", "Top 20 agents") }
                { panel("conversion", TableId::Conversion, "报价转化（按日）", "Quote conversion by day") }
                { panel("", TableId::Coupons, "优惠及活动成本", "Coupon and campaign cost") }
            </div>
            <footer class="dash-footer">
                { w(lang, "数据截至 ", "Figures as of ") }<time>{ &dashboard.as_of }</time>
                { w(lang, " · 口径见 docs/dashboard.md", " · definitions: docs/dashboard.md") }
            </footer>
        </>
    }
}

fn change_class(change: Option<Change>, higher_is_better: bool) -> &'static str {
    let Some(change) = change else { return "dash-change" };
    let amount = match change {
        Change::Relative(d) | Change::Points(d) => d,
    };
    if amount.is_zero() {
        "dash-change"
    } else if amount.is_sign_positive() == higher_is_better {
        "dash-change good"
    } else {
        "dash-change bad"
    }
}

fn kpi(k: &Kpi, lang: Lang, targets_shown: bool) -> Html {
    let better = k.id.higher_is_better();
    let change = |c: Option<Change>| c.map_or_else(|| "—".to_owned(), |c| format::change(c, lang));
    html! {
        <div class="dash-kpi" data-figure={k.id.name()}>
            <div class="dash-kpi-label">{ k.label.get(lang) }</div>
            <div class="dash-kpi-value">{ format::value(k.value, lang) }</div>
            <div class="dash-kpi-compare">
                <span class={change_class(k.mom, better)}>{ w(lang, "环比 ", "vs previous ") }{ change(k.mom) }</span>
                <span class={change_class(k.yoy, better)}>{ w(lang, "同比 ", "vs a year before ") }{ change(k.yoy) }</span>
            </div>
            if let (true, Some(target)) = (targets_shown, &k.target) {
                <div class={if target.met { "dash-target met" } else { "dash-target" }}>
                    <progress max="1" value={target.ratio.map(|r| r.min(rust_decimal::Decimal::ONE).to_string()).unwrap_or_default()}></progress>
                    <span>{ w(lang, "目标 ", "target ") }{ format::value(Some(target.target), lang) }
                        { " · " }{ target.ratio.map(format::percent).unwrap_or_else(|| "—".into()) }
                        { if target.met { w(lang, " 已达成", " met") } else { w(lang, " 未达成", " not met") } }</span>
                </div>
            }
        </div>
    }
}

fn panel(dashboard: &Dashboard, state: &State, chart: &'static str, table: TableId, title: &'static str) -> Html {
    let lang = state.lang;
    let Some(t) = dashboard.table(table) else { return html! {} };
    let csv = format!(
        "/api/dashboard/export?{}&format=csv&table={}&lang={}",
        state.query_string(),
        table.name(),
        if lang == Lang::En { "en" } else { "zh" }
    );
    let wide = if matches!(chart, "trend" | "conversion" | "product" | "") { "dash-panel wide" } else { "dash-panel" };
    html! {
        <section class={wide} id={format!("panel-{}", table.name())}>
            <h2>{ title }</h2>
            if !chart.is_empty() { <div class="dash-chart" id={format!("chart-{chart}")} role="img" aria-label={title}></div> }
            <details open={chart.is_empty()}>
                <summary>{ w(lang, "表格", "Table") }<a class="dash-csv" href={csv}>{ "CSV" }</a></summary>
                { table_view(t, lang) }
            </details>
        </section>
    }
}

pub fn table_view(table: &Table, lang: Lang) -> Html {
    html! {
        <table class="dash-table" data-table={table.id.name()}>
            <thead><tr>{ for table.columns.iter().map(|c| html! { <th>{ c.label.get(lang) }</th> }) }</tr></thead>
            <tbody>
                { for table.rows.iter().map(|row| html! {
                    <tr>{ for row.iter().map(|cell| {
                        let numeric = !matches!(cell, Cell::Text(_) | Cell::Label(_));
                        html! { <td class={if numeric { "num" } else { "" }}>{ format::cell(cell, lang) }</td> }
                    }) }</tr>
                }) }
            </tbody>
        </table>
    }
}
