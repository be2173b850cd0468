//! What the buying app renders for a state: the details, the documents, the payment and the policy.
//! The quote app's stylesheet (`premia.css`) styles it; the few rules of its own are in
//! `static/buy.css` (a file: the site's Content-Security-Policy allows no inline style).

use premia_core::catalogue::sale::Relationship;
use premia_core::{Lang, Text};
use premia_web::i18n::{money, tag};
use serde_json::Value;
use yew::prelude::*;

use crate::state::{Action, Field, Problem, State, Step};

#[derive(Debug)]
pub struct Callbacks {
    pub dispatch: Callback<Action>,
    pub submit: Callback<MouseEvent>,
    pub pay: Callback<MouseEvent>,
    pub cancel: Callback<MouseEvent>,
}

/// The word in `lang`.
fn w(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The DOM id of a field's input (`policyholder.address.region` → `buy-policyholder-address-region`).
pub fn dom_id(path: &str) -> String {
    let mut id = String::from("buy-");
    for c in path.chars() {
        id.push(if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' });
    }
    id.trim_end_matches('-').to_owned()
}

pub fn app(state: &State, cb: &Callbacks) -> Html {
    let lang = state.lang;
    let body = match state.step {
        Step::Details => details(state, cb),
        Step::Documents | Step::Sending => documents(state, cb),
        Step::Purchase => purchase(state, cb),
    };
    let nothing = state.handoff.is_none() && state.purchase.is_none();
    html! {
        <div class="premia premia-buy" lang={tag(lang)} data-step={state.step.name()} data-revision={state.revision.to_string()}>
            <h2 class="premia-card-title" tabindex="-1">{ w(lang, "在线投保", "Buy online") }</h2>
            { steps(state) }
            if nothing {
                <p class="premia-error" role="alert">{ w(lang, "没有可投保的报价：请先在报价页完成报价。", "Nothing to buy: price a quote first.") }</p>
            } else {
                { body }
            }
        </div>
    }
}

fn steps(state: &State) -> Html {
    let lang = state.lang;
    let current = match state.step {
        Step::Details => 0,
        Step::Documents | Step::Sending => 1,
        Step::Purchase => 2,
    };
    let names = [
        w(lang, "1 投保信息", "1 Details"),
        w(lang, "2 阅读并确认", "2 Documents"),
        w(lang, "3 支付与保单", "3 Pay and policy"),
    ];
    html! {
        <ol class="premia-steps">
            { for names.iter().enumerate().map(|(i, name)| html! {
                <li aria-current={(i == current).then_some("step")}>{ *name }</li>
            }) }
        </ol>
    }
}

/// The errors shown for `path` (its own and those under it), once the person tried to go on.
fn errors_for(state: &State, path: &str) -> Vec<Problem> {
    if !state.tried && state.refused.is_empty() {
        return Vec::new();
    }
    let under = |p: &Problem| {
        p.field == path || p.field.starts_with(&format!("{path}.")) || p.field.starts_with(&format!("{path}["))
    };
    state.step_problems().into_iter().filter(|p| under(p)).collect()
}

/// The field's errors beside it, each led by the field's name (the core's words say the rule).
fn error_list(state: &State, path: &str, label: &str) -> Html {
    let problems = errors_for(state, path);
    if problems.is_empty() {
        return html! {};
    }
    html! {
        <div class="premia-field-error" id={format!("{}-error", dom_id(path))} data-field={path.to_owned()} role="alert">
            { for problems.iter().map(|p| html! { <p class="premia-error">{ format!("{label}{}{}", w(state.lang, "：", ": "), p.message.get(state.lang)) }</p> }) }
        </div>
    }
}

fn input(state: &State, cb: &Callbacks, field: Field, label: &str, value: &str, hint: Option<&str>) -> Html {
    let path = field.path();
    let id = dom_id(&path);
    let invalid = !errors_for(state, &path).is_empty();
    let dispatch = cb.dispatch.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        dispatch.emit(Action::Edit(field.clone(), input.value()));
    });
    let autocomplete = if path.ends_with("resident_id") { "off" } else { "on" };
    html! {
        <div class="premia-field">
            <label for={id.clone()}>{ label.to_owned() }</label>
            <input id={id.clone()} type="text" value={value.to_owned()} {oninput} autocomplete={autocomplete}
                aria-invalid={invalid.then_some("true")} aria-describedby={invalid.then(|| format!("{id}-error"))} />
            if let Some(hint) = hint { <span class="premia-hint">{ hint.to_owned() }</span> }
            { error_list(state, &path, label) }
        </div>
    }
}

fn relationship_select(state: &State, cb: &Callbacks, field: Option<Field>, value: &str, with_self: bool) -> Html {
    let path = field.as_ref().map_or_else(|| "insured.relationship".to_owned(), Field::path);
    let dispatch = cb.dispatch.clone();
    let onchange = Callback::from(move |e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        dispatch.emit(match &field {
            Some(field) => Action::Edit(field.clone(), select.value()),
            None => Action::SetRelationship(select.value()),
        });
    });
    html! {
        <select id={dom_id(&path)} {onchange}>
            { for Relationship::ALL.into_iter().filter(|r| with_self || *r != Relationship::Oneself).map(|r| html! {
                <option value={r.name()} selected={r.name() == value}>{ r.label().get(state.lang).to_owned() }</option>
            }) }
        </select>
    }
}

fn details(state: &State, cb: &Callbacks) -> Html {
    let (lang, d) = (state.lang, &state.details);
    let next = {
        let dispatch = cb.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::Next))
    };
    let masked = state.handoff.as_ref().map(|h| mask(&h.insured_id)).unwrap_or_default();
    html! {
        <form class="premia-form" novalidate=true onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            { general(state) }
            <fieldset class="premia-card">
                <legend class="premia-card-title">{ w(lang, "投保人", "Policyholder") }</legend>
                <div class="premia-grid">
                    { input(state, cb, Field::HolderName, w(lang, "姓名", "Name"), &d.holder_name, None) }
                    { input(state, cb, Field::Mobile, w(lang, "手机号码", "Mobile"), &d.mobile, None) }
                    if !state.insures_self() {
                        { input(state, cb, Field::HolderId, w(lang, "投保人身份证号码", "Policyholder's resident ID number"), &d.holder_id,
                            Some(w(lang, "不会被保存在本设备上。", "Never kept on this device."))) }
                    }
                    { input(state, cb, Field::Region, w(lang, "行政区划代码（6 位）", "Region code (6 digits)"), &d.region, Some("310104")) }
                    { input(state, cb, Field::Address, w(lang, "详细地址", "Street address"), &d.address, None) }
                </div>
                { error_list(state, "policyholder.address", w(lang, "地址", "Address")) }
            </fieldset>
            { insured(state, cb, &masked) }
            if state.pays_on_death() { { beneficiaries(state, cb) } }
            <div class="premia-actions">
                <button type="button" class="premia-button premia-primary" id="buy-next" onclick={next}>{ w(lang, "下一步：阅读条款", "Next: the documents") }</button>
            </div>
        </form>
    }
}

/// An ID number as shown back: the first 3 and last 4 characters.
fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let (head, tail) = (&chars[..3], &chars[chars.len() - 4..]);
    format!("{}{}{}", head.iter().collect::<String>(), "*".repeat(chars.len() - 7), tail.iter().collect::<String>())
}

fn insured(state: &State, cb: &Callbacks, masked: &str) -> Html {
    let (lang, d) = (state.lang, &state.details);
    let consent = {
        let dispatch = cb.dispatch.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            dispatch.emit(Action::Consent(input.checked()));
        })
    };
    html! {
        <fieldset class="premia-card">
            <legend class="premia-card-title">{ w(lang, "被保险人", "Insured") }</legend>
            <div class="premia-grid">
                <div class="premia-field">
                    <label for="buy-insured-relationship">{ w(lang, "被保险人是投保人的", "The insured is the policyholder's") }</label>
                    { relationship_select(state, cb, None, &d.relationship, true) }
                    { error_list(state, "insured.relationship", w(lang, "与投保人关系", "Relationship")) }
                </div>
                <div class="premia-field">
                    <span>{ w(lang, "被保险人身份证号码（报价所用）", "Insured's ID number (as priced)") }</span>
                    <code id="buy-insured-id">{ masked.to_owned() }</code>
                    { error_list(state, "insured.resident_id", w(lang, "被保险人身份证号码", "Insured's ID number")) }
                </div>
                if !state.insures_self() {
                    { input(state, cb, Field::InsuredName, w(lang, "被保险人姓名", "Insured's name"), &d.insured_name, None) }
                }
            </div>
            if !state.insures_self() && state.pays_on_death() {
                <div class="premia-field premia-check">
                    <input type="checkbox" id="buy-insured-consent_to_death_benefit" checked={d.insured_consent} onchange={consent} />
                    <label for="buy-insured-consent_to_death_benefit">{ w(lang, "被保险人已书面同意以死亡为给付条件的保险及其保险金额",
                        "The insured consents in writing to cover paying on their death, and to its sum assured") }</label>
                    { error_list(state, "insured.consent_to_death_benefit", w(lang, "被保险人同意", "Insured's consent")) }
                </div>
            }
        </fieldset>
    }
}

fn beneficiaries(state: &State, cb: &Callbacks) -> Html {
    let (lang, d) = (state.lang, &state.details);
    let choose = |named: bool| {
        let dispatch = cb.dispatch.clone();
        Callback::from(move |_: Event| dispatch.emit(Action::Named(named)))
    };
    let add = {
        let dispatch = cb.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::AddPerson))
    };
    html! {
        <fieldset class="premia-card" id="buy-beneficiaries">
            <legend class="premia-card-title">{ w(lang, "身故受益人", "Death beneficiaries") }</legend>
            <label class="premia-choice"><input type="radio" name="buy-beneficiaries" id="buy-statutory" checked={!d.named} onchange={choose(false)} />
                { w(lang, "法定继承人", "The insured's heirs by law") }</label>
            <label class="premia-choice"><input type="radio" name="buy-beneficiaries" id="buy-named" checked={d.named} onchange={choose(true)} />
                { w(lang, "指定受益人", "Named beneficiaries") }</label>
            { error_list(state, "beneficiaries", w(lang, "受益人", "Beneficiaries")) }
            if d.named {
                { for d.people.iter().enumerate().map(|(i, p)| person(state, cb, i, p)) }
                <button type="button" class="premia-button" id="buy-add-person" onclick={add}>{ w(lang, "添加受益人", "Add a beneficiary") }</button>
            }
        </fieldset>
    }
}

fn person(state: &State, cb: &Callbacks, i: usize, p: &crate::state::PersonFields) -> Html {
    let lang = state.lang;
    let remove = {
        let dispatch = cb.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::RemovePerson(i)))
    };
    html! {
        <div class="premia-grid">
            { input(state, cb, Field::PersonName(i), w(lang, "受益人姓名", "Beneficiary's name"), &p.name, None) }
            { input(state, cb, Field::PersonId(i), w(lang, "受益人身份证号码", "Beneficiary's ID number"), &p.resident_id, None) }
            <div class="premia-field">
                <label for={dom_id(&Field::PersonRelationship(i).path())}>{ w(lang, "受益人是被保险人的", "The beneficiary is the insured's") }</label>
                { relationship_select(state, cb, Some(Field::PersonRelationship(i)), &p.relationship, false) }
                { error_list(state, &Field::PersonRelationship(i).path(), w(lang, "受益人关系", "Relationship")) }
            </div>
            { input(state, cb, Field::PersonOrder(i), w(lang, "受益顺序", "Order"), &p.order, None) }
            { input(state, cb, Field::PersonShare(i), w(lang, "受益份额（%）", "Share (%)"), &p.share, None) }
            <button type="button" class="premia-button" onclick={remove}>{ w(lang, "删除", "Remove") }</button>
        </div>
    }
}

/// Errors no input shows: the application as a whole, a refusal without a field.
fn general(state: &State) -> Html {
    if !state.tried && state.refused.is_empty() {
        return html! {};
    }
    let fielded = |p: &Problem| {
        ["policyholder.", "insured.", "beneficiaries", "confirmations"].iter().any(|prefix| p.field.starts_with(prefix))
    };
    let rest: Vec<Problem> = state.step_problems().into_iter().filter(|p| !fielded(p)).collect();
    if rest.is_empty() {
        return html! {};
    }
    html! {
        <div class="premia-field-error" id="buy-general-error" role="alert">
            { for rest.iter().map(|p| html! { <p class="premia-error" data-field={p.field.clone()}>{ p.message.get(state.lang).to_owned() }</p> }) }
        </div>
    }
}

fn documents(state: &State, cb: &Callbacks) -> Html {
    let lang = state.lang;
    let back = {
        let dispatch = cb.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::Back))
    };
    html! {
        <div class="premia-form">
            { general(state) }
            <p class="premia-section-hint">{ w(lang, "请逐一阅读以下文件并确认。您确认的是所显示的这一版本。",
                "Read each document and confirm it: you confirm the version shown.") }</p>
            { for state.documents.iter().map(|d| document(state, cb, d)) }
            { error_list(state, "confirmations", w(lang, "确认文件", "Documents confirmed")) }
            <div class="premia-actions">
                <button type="button" class="premia-button" id="buy-back" onclick={back} disabled={state.busy}>{ w(lang, "上一步", "Back") }</button>
                <button type="button" class="premia-button premia-primary" id="buy-submit" onclick={cb.submit.clone()} disabled={state.busy}>
                    { if state.busy { w(lang, "正在提交…", "Submitting…") } else { w(lang, "提交投保单", "Submit the application") } }
                </button>
            </div>
        </div>
    }
}

fn document(state: &State, cb: &Callbacks, d: &crate::state::Shown) -> Html {
    let lang = state.lang;
    let id = dom_id(&format!("document.{}", d.id));
    let loaded = matches!(d.text, Some(Ok(_)));
    let onchange = {
        let (dispatch, sha256) = (cb.dispatch.clone(), d.sha256.clone());
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let at = input.checked().then(crate::browser::now_rfc3339);
            dispatch.emit(Action::Confirm { sha256: sha256.clone(), at });
        })
    };
    html! {
        <section class="premia-card" id={id.clone()} data-document={d.id.clone()}>
            <h3 class="premia-card-title">{ format!("{} · {}", d.title.get(lang), d.kind.get(lang)) }
                <span class="premia-hint">{ format!(" {} {}", w(lang, "版本", "version"), d.version) }</span></h3>
            { match &d.text {
                None => html! { <p class="premia-hint">{ w(lang, "正在加载…", "Loading…") }</p> },
                Some(Ok(text)) => html! { <div class="premia-doc-text" tabindex="0">{ text.clone() }</div> },
                Some(Err(message)) => html! { <p class="premia-error" role="alert">{ message.get(lang).to_owned() }</p> },
            } }
            <div class="premia-field premia-check">
                <input type="checkbox" id={format!("{id}-confirm")} checked={d.confirmed_at.is_some()} disabled={!loaded} {onchange} />
                <label for={format!("{id}-confirm")}>{ w(lang, "我已阅读并确认以上内容", "I have read and confirm this document") }</label>
            </div>
        </section>
    }
}

const METHODS: [(&str, &str, &str); 4] = [
    ("wechat_native", "微信支付（扫码）", "WeChat Pay (QR code)"),
    ("alipay_qr", "支付宝（扫码）", "Alipay (QR code)"),
    ("alipay_page", "支付宝（网页）", "Alipay (web page)"),
    ("unionpay", "银联在线支付（银行卡）", "UnionPay (bank card)"),
];

fn purchase(state: &State, cb: &Callbacks) -> Html {
    let lang = state.lang;
    let Some(p) = &state.purchase else { return html! {} };
    let label = status_label(&p.status);
    html! {
        <div class="premia-form" id="buy-purchase" data-status={p.status.clone()}>
            <p class="premia-submission" role="status" id="buy-status">
                { format!("{} {}", w(lang, "投保单", "Application"), p.application) }
                if let Some(label) = label { <strong>{ format!(" · {}", label.get(lang)) }</strong> }
            </p>
            if let Some(first) = &p.first_premium {
                <p>{ w(lang, "首期保险费：", "First premium: ") }<strong id="buy-first-premium">{ amount(first) }</strong></p>
            }
            { general(state) }
            if matches!(p.status.as_str(), "submitted" | "referred" | "under_review") && !p.payable {
                <p class="premia-hint" id="buy-referred">{ w(lang, "投保单正在人工核保。核保通过后本页将显示支付方式，您届时即可支付首期保险费。",
                    "Your application is with the underwriters. Once it is accepted, the ways to pay appear here and you can pay the first premium.") }
                    if let Some(url) = &p.status_url { {" "}<a href={url.clone()} target="_blank" rel="noopener">{ w(lang, "查看进度", "Follow it") }</a> }
                </p>
            }
            if p.payable { { pay(state, cb) } }
            if matches!(p.status.as_str(), "paid") {
                <p id="buy-paid">{ w(lang, "已收到保险费，正在签发保单…", "The premium is paid: the policy is being issued…") }</p>
            }
            if let Some(policy) = &p.policy { { policy_view(state, cb, policy, &p.token) } }
        </div>
    }
}

fn status_label(status: &str) -> Option<Text> {
    Some(match status {
        "accepted" => Text::fixed("已通过核保，待支付", "accepted: awaiting payment"),
        "submitted" | "referred" => Text::fixed("待人工核保", "referred to the underwriters"),
        "under_review" => Text::fixed("审核中", "under review"),
        "paid" => Text::fixed("已支付", "paid"),
        "issued" => Text::fixed("保单已签发", "policy issued"),
        "cancelled" => Text::fixed("已在犹豫期内解除", "cancelled in the cooling-off period"),
        "declined" => Text::fixed("未能承保", "declined"),
        "postponed" => Text::fixed("延期承保", "postponed"),
        _ => return None,
    })
}

/// A decimal string of the server's as the page writes money ("¥13,611.00"); the text as it is if it
/// is not one.
fn amount(text: &str) -> String {
    premia_core::money::strict::parse(text).map_or_else(|| text.to_owned(), |d| money(&d))
}

fn pay(state: &State, cb: &Callbacks) -> Html {
    let lang = state.lang;
    let order = state.purchase.as_ref().and_then(|p| p.order.as_ref());
    let choose = |method: &'static str| {
        let dispatch = cb.dispatch.clone();
        Callback::from(move |_: Event| dispatch.emit(Action::Method(method.to_owned())))
    };
    html! {
        <fieldset class="premia-card" id="buy-pay">
            <legend class="premia-card-title">{ w(lang, "支付首期保险费", "Pay the first premium") }</legend>
            { for METHODS.iter().map(|(method, zh, en)| html! {
                <label class="premia-choice"><input type="radio" name="buy-method" id={format!("buy-method-{method}")}
                    checked={state.method == *method} onchange={choose(method)} />{ w(lang, zh, en) }</label>
            }) }
            <div class="premia-actions">
                <button type="button" class="premia-button premia-primary" id="buy-pay-button" onclick={cb.pay.clone()} disabled={state.busy}>
                    { w(lang, "去支付", "Pay") }</button>
            </div>
            if let Some(order) = order { { action(lang, order) } }
        </fieldset>
    }
}

/// What the person does to pay the order: scan its QR code, or go to the provider's cashier.
fn action(lang: Lang, order: &Value) -> Html {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let action = order.get("action").cloned().unwrap_or(Value::Null);
    let number = text(order, "order");
    let shown = match text(&action, "kind").as_str() {
        "qr_code" => {
            let content = text(&action, "content");
            let svg = qrcode::QrCode::new(content.as_bytes())
                .map(|code| code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build())
                .unwrap_or_default();
            html! {
                <div class="premia-qr" id="buy-qr" data-content={content.clone()}>
                    { Html::from_html_unchecked(AttrValue::from(svg)) }
                    <p>{ w(lang, "请用手机扫码支付：", "Scan with your phone to pay: ") }
                        if content.starts_with("https://") || content.starts_with("http://") {
                            <a href={content.clone()} target="_blank" rel="noopener"><code>{ content }</code></a>
                        } else {
                            <code>{ content }</code>
                        }
                    </p>
                </div>
            }
        }
        "redirect" => html! {
            <p><a class="premia-button premia-primary" id="buy-redirect" href={text(&action, "url")}>{ w(lang, "前往支付宝付款", "Go to Alipay to pay") }</a></p>
        },
        "auto_post_form" => {
            let fields = action.get("fields").and_then(Value::as_array).cloned().unwrap_or_default();
            html! {
                <form method="post" action={text(&action, "action")} id="buy-form">
                    { for fields.iter().filter_map(|f| Some((f.get(0)?.as_str()?.to_owned(), f.get(1)?.as_str()?.to_owned()))).map(|(name, value)| html! {
                        <input type="hidden" name={name} value={value} />
                    }) }
                    <button type="submit" class="premia-button premia-primary" id="buy-form-submit">{ w(lang, "前往银联付款", "Go to UnionPay to pay") }</button>
                </form>
            }
        }
        _ => html! {},
    };
    html! {
        <div class="premia-order" id="buy-order" data-order={number.clone()}>
            <p>{ format!("{} {number} · {} {}", w(lang, "订单", "Order"), amount(&text(order, "amount")), text(order, "currency")) }</p>
            { shown }
            <p class="premia-hint">{ w(lang, "支付完成后本页会自动更新。", "This page updates by itself once you have paid.") }</p>
        </div>
    }
}

fn policy_view(state: &State, cb: &Callbacks, answer: &Value, token: &str) -> Html {
    let lang = state.lang;
    let policy = answer.get("policy").cloned().unwrap_or(Value::Null);
    let text = |pointer: &str| policy.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_owned();
    let coverages = policy.get("coverages").and_then(Value::as_array).cloned().unwrap_or_default();
    let cancellable = state.purchase.as_ref().is_some_and(|p| p.status == "issued");
    let printable = state.purchase.as_ref().map(|_| format!("/policy/{token}")).unwrap_or_default();
    html! {
        <section class="premia-card" id="buy-policy" data-policy={text("/number")}>
            <h3 class="premia-card-title">{ w(lang, "电子保单", "Your policy") }</h3>
            <dl>
                <dt>{ w(lang, "保单号", "Policy number") }</dt><dd id="buy-policy-number">{ text("/number") }</dd>
                <dt>{ w(lang, "生效日期", "Cover starts") }</dt><dd id="buy-policy-effective">{ format!("{} 00:00", text("/effective_from")) }</dd>
                <dt>{ w(lang, "犹豫期至", "Cooling-off until") }</dt><dd>{ text("/cooling_off/until") }</dd>
                { for coverages.iter().map(|c| html! { <>
                    <dt>{ c.pointer(if lang == Lang::Zh { "/name/zh" } else { "/name/en" }).and_then(Value::as_str).unwrap_or_default().to_owned() }</dt>
                    <dd>{ amount(c.get("instalment_premium").and_then(Value::as_str).unwrap_or_default()) }</dd>
                </> }) }
                <dt>{ w(lang, "首期保险费", "First premium") }</dt><dd id="buy-policy-first">{ amount(&text("/schedule/payments/0/amount")) }</dd>
            </dl>
            <p><a id="buy-policy-link" href={premia_web::status::link(&printable, &state.endpoint).unwrap_or(printable)} target="_blank" rel="noopener">
                { w(lang, "打开可打印的保单", "Open the printable policy") }</a></p>
            if cancellable {
                <button type="button" class="premia-button" id="buy-cancel" onclick={cb.cancel.clone()} disabled={state.busy}>
                    { w(lang, "犹豫期内解除合同（全额退还保险费）", "Cancel in the cooling-off period (premium refunded)") }</button>
            }
        </section>
    }
}
