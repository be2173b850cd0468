//! The desk's views: thin functions of the state. Texts from the catalogue and the core (reasons,
//! worksheet steps, questions) come in both languages; the desk's own words are written here once.

use premia_core::worksheet::Step;
use premia_core::{CoverageQuote, Lang, Quote, Text};
use premia_desk::api::{CaseView, DecisionRecord, Stats};
use premia_desk::{CaseStatus, Permission};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::app::Handlers;
use crate::state::{self, Action, KINDS, Screen, State};

fn w(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::En { en } else { zh }
}

fn t(text: &Text, lang: Lang) -> String {
    text.get(lang).to_owned()
}

pub fn page(state: &State, h: &Handlers) -> Html {
    let lang = state.lang;
    let body = match &state.screen {
        Screen::Queue | Screen::Inbox => queue(state, h),
        Screen::Case(_) => state.case.as_ref().map_or_else(|| html! {}, |case| case_view(case, state, h)),
        Screen::Stats => state.stats.as_ref().map_or_else(|| html! {}, |stats| stats_view(stats, lang)),
    };
    html! {
        <div class="desk" lang={if lang == Lang::En { "en" } else { "zh-CN" }}>
            { header(state, h) }
            { messages(state) }
            <main aria-busy={state.busy.to_string()}>{ body }</main>
        </div>
    }
}

fn header(state: &State, h: &Handlers) -> Html {
    let lang = state.lang;
    let other = if lang == Lang::En { Lang::Zh } else { Lang::En };
    let switch = h.dispatch.reform(move |_: MouseEvent| Action::Lang(other));
    let logout = h.logout.reform(|_: MouseEvent| ());
    let nav = |screen: Screen, class: &'static str, label: &'static str| {
        let current = state.screen == screen;
        let go = h.go.reform(move |_: MouseEvent| screen.clone());
        html! { <button class={format!("desk-nav {class}")} aria-current={current.then_some("page")} onclick={go}>{label}</button> }
    };
    let user = state.me.as_ref().map_or_else(
        || html! {},
        |me| html! { <span class="desk-user" data-role={me.role.name()}>{format!("{} · {}", me.display_name, me.role.label().get(lang))}</span> },
    );
    html! {
        <header class="desk-header">
            <h1>{ w(lang, "核保台", "Underwriting desk") }</h1>
            <nav>
                { nav(Screen::Queue, "desk-nav-queue", w(lang, "待核保队列", "Queue")) }
                { nav(Screen::Inbox, "desk-nav-inbox", w(lang, "待我复核", "Second review")) }
                { nav(Screen::Stats, "desk-nav-stats", w(lang, "时效统计", "Times")) }
            </nav>
            { user }
            <button class="desk-lang" onclick={switch}>{ w(lang, "English", "中文") }</button>
            <button class="desk-logout" onclick={logout}>{ w(lang, "退出", "Sign out") }</button>
        </header>
    }
}

fn messages(state: &State) -> Html {
    let lang = state.lang;
    let notice = state
        .notice
        .as_ref()
        .map_or_else(|| html! {}, |n| html! { <p class="desk-notice" role="status">{ t(n, lang) }</p> });
    let problems: Html = state
        .problems
        .iter()
        .map(|p| html! { <p class="desk-error" role="alert" data-code={p.code.clone()} data-field={p.field.clone()}>{ t(&p.message, lang) }</p> })
        .collect();
    html! { <>{ notice }{ problems }</> }
}

fn queue(state: &State, h: &Handlers) -> Html {
    let lang = state.lang;
    let inbox = state.screen == Screen::Inbox;
    let Some(list) = &state.queue else { return html! {} };
    let rows: Html = list.cases.iter().map(|c| queue_row(c, lang, h)).collect();
    let next = list.next.clone();
    let more = next.map_or_else(
        || html! {},
        |cursor| {
            let page = h.dispatch.reform(move |_: MouseEvent| Action::Page(Some(cursor.clone())));
            html! { <button class="desk-next" onclick={page}>{ w(lang, "下一页", "Next page") }</button> }
        },
    );
    html! {
        <section class={if inbox { "desk-inbox" } else { "desk-queue-page" }}>
            if !inbox { { filters(state, h) } }
            <p class="desk-sla">{ format!("{} {} {}", w(lang, "时效目标：", "Target:"), list.sla_hours, w(lang, "小时", "hours")) }</p>
            <table class="desk-queue">
                <thead><tr>
                    <th>{ w(lang, "投保单号", "Application") }</th><th>{ w(lang, "提交时间", "Submitted") }</th>
                    <th>{ w(lang, "产品", "Product") }</th><th>{ w(lang, "状态", "Status") }</th>
                    <th>{ w(lang, "已用时（小时）", "Age (hours)") }</th><th>{ w(lang, "双人复核", "Two people") }</th>
                    <th>{ w(lang, "待复核决定", "Decided by") }</th>
                </tr></thead>
                <tbody>{ rows }</tbody>
            </table>
            if list.cases.is_empty() { <p class="desk-empty">{ w(lang, "没有案件", "No cases") }</p> }
            { more }
        </section>
    }
}

fn queue_row(c: &premia_desk::api::CaseSummary, lang: Lang, h: &Handlers) -> Html {
    let number = c.application.clone();
    let open = h.go.reform(move |_: MouseEvent| Screen::Case(number.clone()));
    html! {
        <tr data-application={c.application.clone()} class={classes!(c.sla_breached.then_some("sla-breached"))}>
            <td><button class="desk-open" onclick={open}>{ &c.application }</button></td>
            <td>{ &c.submitted_at }</td>
            <td>{ &c.product }</td>
            <td data-status={c.status.name()}>{ t(&c.status.label(), lang) }</td>
            <td>{ c.age_hours }{ if c.sla_breached { w(lang, " · 超时", " · late") } else { "" } }</td>
            <td>{ if c.needs_second_review { "✓" } else { "" } }</td>
            <td>{ c.pending_by.clone().unwrap_or_default() }</td>
        </tr>
    }
}

fn filters(state: &State, h: &Handlers) -> Html {
    let lang = state.lang;
    let f = &state.filters;
    let select = |field: &'static str, current: &str, options: Vec<(String, String)>| {
        let change = h.dispatch.reform(move |e: Event| Action::Filter {
            field,
            value: e.target_unchecked_into::<HtmlSelectElement>().value(),
        });
        let options: Html = options
            .into_iter()
            .map(
                |(value, label)| html! { <option value={value.clone()} selected={value == current}>{ label }</option> },
            )
            .collect();
        html! { <select class={format!("desk-filter-{field}")} onchange={change}>{ options }</select> }
    };
    let pair = |value: &str, label: &str| (value.to_owned(), label.to_owned());
    let mut statuses = vec![pair("", w(lang, "未完成", "active")), pair("all", w(lang, "全部", "all"))];
    statuses.extend(CaseStatus::ALL.iter().map(|s| pair(s.name(), s.label().get(lang))));
    let product = h.dispatch.reform(|e: Event| Action::Filter {
        field: "product",
        value: e.target_unchecked_into::<HtmlInputElement>().value(),
    });
    let two =
        vec![pair("", "—"), pair("true", w(lang, "需要", "needed")), pair("false", w(lang, "不需要", "not needed"))];
    let sla =
        vec![pair("", "—"), pair("breached", w(lang, "已超时", "late")), pair("within", w(lang, "未超时", "on time"))];
    html! {
        <form class="desk-filters" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <label>{ w(lang, "状态", "Status") }{ select("status", &f.status, statuses) }</label>
            <label>{ w(lang, "产品", "Product") }<input class="desk-filter-product" value={f.product.clone()} onchange={product} size="6"/></label>
            <label>{ w(lang, "双人复核", "Two people") }{ select("second_review", &f.second_review, two) }</label>
            <label>{ w(lang, "时效", "Target") }{ select("sla", &f.sla, sla) }</label>
        </form>
    }
}

fn case_view(case: &CaseView, state: &State, h: &Handlers) -> Html {
    let lang = state.lang;
    let decisions: Html = case.decisions.iter().map(|d| decision_item(d, lang)).collect();
    html! {
        <section class="desk-case" data-application={case.application.clone()} data-status={case.status.name()}>
            <h2>{ &case.application }<span class="desk-case-status">{ t(&case.status.label(), lang) }</span></h2>
            <p class="desk-case-meta">
                { format!("{} {} · {} {}", w(lang, "提交", "Submitted"), case.submitted_at, w(lang, "时效截止", "due"), case.sla_due_at) }
                if case.sla_breached { <strong class="sla-breached">{ w(lang, " · 已超时", " · late") }</strong> }
                if case.needs_second_review { <strong class="desk-two">{ w(lang, " · 需双人复核", " · needs a second review") }</strong> }
            </p>
            { facts(case, lang) }
            { reasons(&case.quote, lang) }
            { health(case, lang) }
            { worksheets(&case.quote, lang, w(lang, "系统报价与计算过程", "The server's quote and worksheet")) }
            <h3>{ w(lang, "核保决定", "Decisions") }</h3>
            <ul class="desk-decisions">{ decisions }</ul>
            { actions(case, state, h) }
            { related(case, lang) }
            { history(case, lang) }
        </section>
    }
}

fn facts(case: &CaseView, lang: Lang) -> Html {
    let i = &case.insured;
    let opt = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let rows = [
        (w(lang, "出生日期", "Birth date"), opt(i.birth_date.map(|d| d.to_string()))),
        (w(lang, "年龄", "Age"), opt(i.age.map(|a| a.to_string()))),
        (w(lang, "性别", "Sex"), opt(i.sex.map(|s| t(&s.label(), lang)))),
        (w(lang, "吸烟", "Smoker"), if i.smoker { w(lang, "是", "yes") } else { w(lang, "否", "no") }.into()),
        (w(lang, "职业类别", "Occupation class"), i.occupation_class.to_string()),
        (
            w(lang, "身高 / 体重", "Height / weight"),
            format!("{} cm / {} kg", opt(i.height_cm.map(|d| d.to_string())), opt(i.weight_kg.map(|d| d.to_string()))),
        ),
        ("BMI", opt(i.bmi.map(|d| d.to_string()))),
        (w(lang, "年收入", "Annual income"), opt(i.annual_income.map(|d| d.to_string()))),
        (w(lang, "已有保额", "Existing cover"), opt(i.existing_cover.map(|d| d.to_string()))),
        (w(lang, "总保额（含已有）", "Total cover (with existing)"), i.cover_total.to_string()),
        (
            w(lang, "渠道", "Channel"),
            format!("{}{}", case.channel, case.agent_code.as_deref().map(|a| format!(" · {a}")).unwrap_or_default()),
        ),
    ];
    let rows: Html = rows.into_iter().map(|(k, v)| html! { <tr><th>{ k }</th><td>{ v }</td></tr> }).collect();
    let blacklist = (!case.blacklist.is_empty()).then(|| html! {
        <p class="desk-blacklist">{ format!("{}：{}", w(lang, "黑名单命中", "Blacklist hits"), case.blacklist.join(", ")) }</p>
    });
    html! { <><h3>{ w(lang, "被保险人（不含身份证号）", "The insured (no ID number)") }</h3><table class="desk-facts">{ rows }</table>{ blacklist }</> }
}

fn reasons(quote: &Quote, lang: Lang) -> Html {
    let items: Html = quote
        .decision
        .reasons
        .iter()
        .map(|r| {
            html! {
                <li data-rule={r.rule.clone()}>
                    <code>{ &r.rule }</code>{ " " }{ t(&r.outcome.label(), lang) }{ "：" }{ t(&r.message, lang) }
                    { r.loading.map(|l| format!(" ({})", state::percent(l))).unwrap_or_default() }
                </li>
            }
        })
        .collect();
    html! { <><h3>{ w(lang, "核保原因与规则", "Underwriting reasons and rules") }</h3><ul class="desk-reasons">{ items }</ul></> }
}

fn health(case: &CaseView, lang: Lang) -> Html {
    let items: Html = case
        .health
        .iter()
        .map(|l| {
            let answer = match l.yes {
                Some(true) => w(lang, "是", "yes"),
                Some(false) => w(lang, "否", "no"),
                None => w(lang, "未答", "not answered"),
            };
            let follow = l.answer.as_ref().map(|a| format!(" — {}", t(a, lang))).unwrap_or_default();
            html! { <li data-question={l.question.clone()} class={classes!(l.yes.unwrap_or(false).then_some("yes"))}>{ t(&l.text, lang) }{ " " }<strong>{ answer }</strong>{ follow }</li> }
        })
        .collect();
    html! { <><h3>{ w(lang, "健康告知", "Health answers") }</h3><ul class="desk-health">{ items }</ul></> }
}

pub fn worksheets(quote: &Quote, lang: Lang, title: &'static str) -> Html {
    let coverages: Html = quote.coverages.iter().map(|c| worksheet(c, lang)).collect();
    let totals = &quote.totals;
    html! {
        <div class="desk-quote">
            <h3>{ title }</h3>
            <p class="desk-totals">
                { format!("{} {} · {} {} · {} {}", w(lang, "年交保费", "annual"), totals.annual_premium,
                    w(lang, "首年保费", "first year"), totals.first_year_premium, w(lang, "总保费", "total"), totals.total_premium) }
            </p>
            { coverages }
        </div>
    }
}

fn worksheet(c: &CoverageQuote, lang: Lang) -> Html {
    let steps: Html = c.worksheet.iter().map(|s| step(s, lang)).collect();
    html! {
        <table class="desk-worksheet" data-product={c.product.clone()}>
            <caption>{ format!("{} · {}", c.product, t(&c.name, lang)) }</caption>
            <tbody>{ steps }</tbody>
        </table>
    }
}

fn step(s: &Step, lang: Lang) -> Html {
    let detail = s.detail().map(|d| t(&d, lang)).unwrap_or_default();
    html! { <tr data-code={s.code()}><td>{ t(&s.label(), lang) }</td><td>{ detail }</td><td class="num">{ s.value.to_string() }</td></tr> }
}

fn decision_item(d: &DecisionRecord, lang: Lang) -> Html {
    let figures = d.quote.as_ref().map(|q| worksheets(q, lang, w(lang, "此决定的新报价", "This decision's new quote")));
    let note = (!d.note.is_empty()).then(
        || html! { <p class="desk-note">{ format!("{}：{}", w(lang, "内部备注", "Internal note"), d.note) }</p> },
    );
    html! {
        <li class="desk-decision" data-state={d.state.clone()} data-kind={d.verdict.name()}>
            <p>{ format!("{} · {} · {} ({}) · {}", t(&d.label, lang), verdict_detail(d, lang), d.by, t(&d.role.label(), lang), d.at) }</p>
            { note }{ figures }
        </li>
    }
}

fn verdict_detail(d: &DecisionRecord, lang: Lang) -> String {
    use premia_core::desk::Verdict;
    match &d.verdict {
        Verdict::AcceptWithTerms { loading, exclusions } => {
            let mut parts: Vec<String> = loading.iter().map(|l| state::percent(*l)).collect();
            parts.extend(exclusions.iter().map(|e| e.id.clone().or_else(|| e.text.clone()).unwrap_or_default()));
            parts.join(", ")
        }
        Verdict::Postpone { months, reason } => format!("{months} {} · {reason}", w(lang, "个月", "months")),
        Verdict::Decline { reason } => reason.clone(),
        _ => String::new(),
    }
}

fn actions(case: &CaseView, state: &State, h: &Handlers) -> Html {
    let lang = state.lang;
    let review = case.allowed.review.then(|| {
        let (agree, disagree) = (h.agree.reform(|_: MouseEvent| ()), h.disagree.reform(|_: MouseEvent| ()));
        html! {
            <div class="desk-review">
                <h3>{ w(lang, "双人复核", "Second review") }</h3>
                { note_box(state, h) }
                <button class="desk-agree" disabled={state.busy} onclick={agree}>{ w(lang, "同意此决定", "Agree with this decision") }</button>
                <button class="desk-disagree" disabled={state.busy} onclick={disagree}>{ w(lang, "不同意，改为下方决定", "Disagree: my decision below") }</button>
            </div>
        }
    });
    let resolve = case.allowed.resolve.then(|| {
        let choices: Html = case
            .decisions
            .iter()
            .filter(|d| d.state == "pending" || d.state == "counter")
            .map(|d| {
                let id = d.id.clone();
                let choose = h.resolve.reform(move |_: MouseEvent| id.clone());
                html! { <button class="desk-choose" data-decision={d.id.clone()} onclick={choose}>{ format!("{} {} ({})", w(lang, "采纳", "Choose"), t(&d.label, lang), d.by) }</button> }
            })
            .collect();
        html! { <div class="desk-resolve"><h3>{ w(lang, "经理裁定", "Manager's choice") }</h3>{ note_box(state, h) }{ choices }</div> }
    });
    let may_decide = state.me.as_ref().is_some_and(|m| m.role.may(Permission::Decide));
    let form = (case.allowed.decide || case.allowed.review).then(|| decision_form(case, state, h));
    html! {
        <>
            { review }{ resolve }{ form }
            if !may_decide && !case.allowed.review && !case.allowed.resolve {
                <p class="desk-readonly">{ w(lang, "您的角色只能查看此案件", "Your role may only read this case") }</p>
            }
        </>
    }
}

fn note_box(state: &State, h: &Handlers) -> Html {
    let change =
        h.dispatch.reform(|e: InputEvent| Action::ReviewNote(e.target_unchecked_into::<HtmlTextAreaElement>().value()));
    html! { <textarea class="desk-review-note" placeholder={w(state.lang, "复核意见（内部）", "Review note (internal)")} value={state.review_note.clone()} oninput={change}/> }
}

fn decision_form(case: &CaseView, state: &State, h: &Handlers) -> Html {
    let lang = state.lang;
    let form = &state.form;
    let o = &case.options;
    let select = |field: &'static str, current: &str, options: Vec<(String, String)>| {
        let change = h.dispatch.reform(move |e: Event| Action::Form {
            field,
            value: e.target_unchecked_into::<HtmlSelectElement>().value(),
        });
        let options: Html = options
            .into_iter()
            .map(|(v, l)| html! { <option value={v.clone()} selected={v == current}>{ l }</option> })
            .collect();
        html! { <select id={format!("desk-{field}")} name={field} onchange={change}>{ options }</select> }
    };
    let kinds = KINDS.iter().map(|k| ((*k).to_owned(), kind_label(k, lang).to_owned())).collect();
    let loadings = std::iter::once((String::new(), "—".to_owned()))
        .chain(o.loadings.iter().map(|l| (l.to_string(), state::percent(*l))))
        .collect();
    let months =
        o.postpone_months.iter().map(|m| (m.to_string(), format!("{m} {}", w(lang, "个月", "months")))).collect();
    let reasons = o.reasons.iter().map(|r| (r.id.clone(), t(&r.text, lang))).collect();
    let exclusions: Html = o.exclusions.iter().map(|e| {
        let id = e.id.clone();
        let toggle = h.dispatch.reform(move |_: Event| Action::ToggleExclusion(id.clone()));
        html! { <label class="desk-exclusion"><input type="checkbox" value={e.id.clone()} checked={form.exclusions.contains(&e.id)} onchange={toggle}/>{ t(&e.text, lang) }</label> }
    }).collect();
    let text = |field: &'static str| {
        h.dispatch.reform(move |e: InputEvent| Action::Form {
            field,
            value: e.target_unchecked_into::<HtmlInputElement>().value(),
        })
    };
    let note = h.dispatch.reform(|e: InputEvent| Action::Form {
        field: "note",
        value: e.target_unchecked_into::<HtmlTextAreaElement>().value(),
    });
    let submit = h.decide.reform(|e: SubmitEvent| e.prevent_default());
    let terms = form.kind == "accept_with_terms";
    let refused = form.kind == "postpone" || form.kind == "decline";
    let field_error = |field: &str| {
        state.problem(field).map(
            |p| html! { <span class="desk-field-error" data-field={p.field.clone()}>{ t(&p.message, lang) }</span> },
        )
    };
    html! {
        <form class="desk-decide" onsubmit={submit}>
            <h3>{ w(lang, "作出决定", "Decide") }</h3>
            <label>{ w(lang, "决定", "Decision") }{ select("kind", &form.kind, kinds) }</label>
            if terms {
                <label>{ w(lang, "加费", "Loading") }{ select("loading", &form.loading, loadings) }{ field_error("verdict.loading") }</label>
                <fieldset><legend>{ w(lang, "除外责任", "Exclusions") }</legend>{ exclusions }
                    <input id="desk-free-text" placeholder={w(lang, "其他除外责任（自由填写）", "Another exclusion (free text)")} value={form.free_text.clone()} oninput={text("free_text")}/>
                </fieldset>
            }
            if form.kind == "postpone" { <label>{ w(lang, "延期", "Postpone for") }{ select("months", &form.months, months) }{ field_error("verdict.months") }</label> }
            if refused { <label>{ w(lang, "告知申请人的原因类别", "Reason category the applicant reads") }{ select("reason", &form.reason, reasons) }{ field_error("verdict.reason") }</label> }
            <label>{ w(lang, "内部备注（不告知申请人）", "Internal note (never shown to the applicant)") }<textarea id="desk-note" value={form.note.clone()} oninput={note}/></label>
            if case.allowed.decide {
                <button type="submit" class="desk-submit-decision" disabled={state.busy}>{ w(lang, "提交决定", "Record decision") }</button>
            }
        </form>
    }
}

fn kind_label(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "accept" => w(lang, "标准体承保", "Accept at standard rates"),
        "accept_with_terms" => w(lang, "有条件承保（加费/除外）", "Accept on terms (loading, exclusions)"),
        "postpone" => w(lang, "延期", "Postpone"),
        "decline" => w(lang, "拒保", "Decline"),
        "medical_exam" => w(lang, "要求体检", "Ask for a medical exam"),
        _ => w(lang, "要求补充资料", "Ask for more information"),
    }
}

fn related(case: &CaseView, lang: Lang) -> Html {
    if case.related.is_empty() {
        return html! {};
    }
    let items: Html = case
        .related
        .iter()
        .map(|r| html! { <li>{ format!("{} · {} · {}{}", r.application, r.submitted_at, r.status, r.outcome.as_deref().map(|o| format!(" → {o}")).unwrap_or_default()) }</li> })
        .collect();
    html! { <><h3>{ w(lang, "同一被保险人的其他投保", "Other applications of the same person") }</h3><ul class="desk-related">{ items }</ul></> }
}

fn history(case: &CaseView, lang: Lang) -> Html {
    let items: Html = case
        .history
        .iter()
        .map(|e| html! { <li>{ format!("{} · {} · {}", e.at, e.event, e.actor.clone().unwrap_or_default()) }</li> })
        .collect();
    html! { <><h3>{ w(lang, "案件记录", "History") }</h3><ol class="desk-history">{ items }</ol></> }
}

fn stats_view(stats: &Stats, lang: Lang) -> Html {
    let hours =
        |m: Option<i64>| m.map_or_else(|| "—".to_owned(), |m| format!("{}.{:02} h", m / 60, (m % 60) * 100 / 60));
    let rows: Html = stats
        .windows
        .iter()
        .map(|win| {
            html! {
                <tr data-days={win.days.to_string()}>
                    <td>{ format!("{} {}", win.days, w(lang, "天", "days")) }</td><td>{ win.decided }</td>
                    <td class="p50">{ hours(win.p50_minutes) }</td><td class="p90">{ hours(win.p90_minutes) }</td>
                </tr>
            }
        })
        .collect();
    html! {
        <section class="desk-stats">
            <p>{ format!("{} {} · {} {} · {} {} {}", w(lang, "待核保", "Open"), stats.open, w(lang, "已超时", "late"), stats.breached,
                w(lang, "时效目标", "target"), stats.sla_hours, w(lang, "小时", "hours")) }</p>
            <table>
                <thead><tr><th>{ w(lang, "期间", "Period") }</th><th>{ w(lang, "已决定", "Decided") }</th><th>{ "p50" }</th><th>{ "p90" }</th></tr></thead>
                <tbody>{ rows }</tbody>
            </table>
        </section>
    }
}
