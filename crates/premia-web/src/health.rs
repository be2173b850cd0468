//! Underwriting in the form and the price panel: the figures and the health questionnaire a person
//! gives, and the core's decision with its reasons. The rules are the core's; this only shows them.

use premia_core::underwriting::{Decision, Outcome, Question};
use premia_core::{Lang, Quote, Text};
use yew::prelude::*;

use crate::i18n::Label;
use crate::state::{Action, State, Submission, field, questions};
use crate::view::{DecimalField, Dispatch, Select, decimal_field, dom_id, input_value, radio, select, select_value};

/// Height, weight, income and existing cover: optional figures for the underwriting rules.
pub fn figures_section(state: &State, dispatch: &Dispatch) -> Html {
    let lang = state.lang;
    let input = |name: &'static str, label: Label, value: &str, action: fn(String) -> Action| {
        let oninput = dispatch.to_callback().reform(move |e: InputEvent| action(input_value(&e)));
        let label = label.get(lang);
        let value = value.to_owned();
        decimal_field(
            state,
            DecimalField { field: name, class: "premia-field", label, value, hint: None, readonly: false, oninput },
        )
    };
    let form = &state.form;
    html! {
        <fieldset class="premia-card premia-figures">
            <legend>{ Label::Underwriting.get(lang) }</legend>
            <p class="premia-hint premia-section-hint">{ Label::UnderwritingHint.get(lang) }</p>
            <div class="premia-grid">
                { input(field::HEIGHT, Label::HeightCm, &form.height_cm, Action::HeightCm) }
                { input(field::WEIGHT, Label::WeightKg, &form.weight_kg, Action::WeightKg) }
                { input(field::INCOME, Label::AnnualIncome, &form.annual_income, Action::AnnualIncome) }
                { input(field::EXISTING_COVER, Label::ExistingCover, &form.existing_cover, Action::ExistingCover) }
            </div>
        </fieldset>
    }
}

/// The chosen products' health questions: yes/no, and the follow-up options of a "yes".
pub fn questionnaire(state: &State, dispatch: &Dispatch) -> Html {
    let asked = questions(&state.catalogue, &state.settings, &state.form);
    if asked.is_empty() {
        return Html::default();
    }
    let lang = state.lang;
    html! {
        <fieldset class="premia-card premia-health">
            <legend>{ Label::Health.get(lang) }</legend>
            <p class="premia-hint premia-section-hint">{ Label::HealthHint.get(lang) }</p>
            <ol class="premia-questions">
                { for asked.into_iter().map(|q| question(state, dispatch, q)) }
            </ol>
        </fieldset>
    }
}

fn question(state: &State, dispatch: &Dispatch, question: &Question) -> Html {
    let lang = state.lang;
    let answer = state.form.health_answers.get(&question.id);
    let id = dom_id(&format!("insured.health_answers.{}", question.id));
    let choice = |yes: bool, label: Label| {
        let q = question.id.clone();
        let onchange = dispatch.to_callback().reform(move |_: Event| Action::Answer { question: q.clone(), yes });
        let value = if yes { "yes" } else { "no" };
        radio(&id, value, answer.is_some_and(|a| a.yes == yes), false, label.get(lang), onchange)
    };
    let follow_up = match (answer, &question.follow_up) {
        (Some(a), Some(prompt)) if a.yes && !question.options.is_empty() => {
            let q = question.id.clone();
            let onchange = dispatch
                .to_callback()
                .reform(move |e: Event| Action::FollowUp { question: q.clone(), option: select_value(&e) });
            let choices: Vec<(String, Text)> =
                question.options.iter().map(|o| (o.id.clone(), o.text.clone())).collect();
            let field = format!("insured.health_answers.{}-follow-up", question.id);
            let current = a.follow_up.as_deref().unwrap_or_default();
            select(
                state,
                Select {
                    field: &field,
                    class: "premia-field premia-follow-up",
                    name: None,
                    label: prompt.get(lang).to_owned(),
                    none: Some(Label::ChooseOne.get(lang)),
                    choices: &choices,
                    current,
                    onchange,
                },
            )
        }
        _ => Html::default(),
    };
    // After "submit" with questions unanswered, each of them says so (and the first has focus).
    let unanswered = answer.is_none() && state.submission == Submission::Incomplete;
    let error_id = format!("{id}-error");
    html! {
        <li class="premia-question" data-question={question.id.clone()}>
            <fieldset class="premia-inline" id={id.clone()} aria-invalid={unanswered.to_string()}
                aria-describedby={unanswered.then(|| error_id.clone())}>
                <legend>{ question.text.get(lang).to_owned() }</legend>
                { choice(false, Label::No) }
                { choice(true, Label::Yes) }
                if unanswered {
                    <p class="premia-error" id={error_id} data-code="required">{ Label::Unanswered.get(lang) }</p>
                }
            </fieldset>
            { follow_up }
        </li>
    }
}

/// A decision as a badge only (per coverage: the reasons are listed once, in the overall decision).
pub fn badge(decision: &Decision, lang: Lang) -> Html {
    if decision.outcome == Outcome::Accept && decision.reasons.is_empty() {
        return Html::default();
    }
    html! {
        <p ~className={class_of(decision.outcome)} data-outcome={decision.outcome.name()}>
            <span class="premia-badge">{ decision.outcome.label().get(lang).to_owned() }</span>
        </p>
    }
}

/// The decision's classes. Whole strings rather than `classes!`: the app builds every class list from
/// literals, and yew's `Classes` set would add its own code to the module. A class list chosen at run
/// time is set as the `className` property (`~className={…}`), never as `class={…}`: yew's `html!`
/// turns every non-literal `class` into a `Classes` set (an `IndexSet`, its hashing and its joining:
/// 2.0 KB of what the widget downloads, compressed).
fn class_of(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Accept | Outcome::AcceptWithConditions => "premia-decision is-ok",
        Outcome::Decline => "premia-decision is-declined",
        _ => "premia-decision is-pending",
    }
}

/// A decision as a badge and its reasons, each naming the product it is about by its name; nothing for
/// a plain "accept". That two underwriters will review a referral is said to agents, whose customers
/// wait for it; a customer reads the referral itself.
pub fn decision(state: &State, quote: &Quote, decision: &Decision) -> Html {
    if decision.outcome == Outcome::Accept && decision.reasons.is_empty() {
        return Html::default();
    }
    let lang = state.lang;
    let outcome = decision.outcome;
    let class = class_of(outcome);
    let named = |code: &str| {
        let covered = quote.coverages.iter().map(|c| (&c.product, &c.name));
        let declined = quote.declined.iter().map(|d| (&d.product, &d.name));
        covered.chain(declined).find(|(p, _)| *p == code).map_or(code, |(_, name)| name.get(lang)).to_owned()
    };
    let colon = if lang == premia_core::Lang::Zh { "：" } else { ": " };
    let agent = matches!(state.settings.channel, premia_core::Channel::Agent { .. });
    html! {
        <div ~className={class} data-outcome={outcome.name()}>
            <p class="premia-decision-outcome">
                <span class="premia-badge">{ outcome.label().get(lang).to_owned() }</span>
                if decision.two_person_review && agent {
                    <span class="premia-badge premia-badge-muted">{ Label::TwoPersonReview.get(lang) }</span>
                }
            </p>
            <ul class="premia-reasons">
                { for decision.reasons.iter().map(|r| html! {
                    <li data-rule={r.rule.clone()}>
                        { r.product.as_deref().map(|p| format!("{}{colon}", named(p))).unwrap_or_default() }
                        { r.message.get(lang).to_owned() }
                        { r.loading.map(|l| format!(" (+{}%)", (l * rust_decimal::Decimal::ONE_HUNDRED).normalize())).unwrap_or_default() }
                        { r.exclusion.as_ref().map(|e| format!(" · {}", e.get(lang))).unwrap_or_default() }
                    </li>
                }) }
            </ul>
        </div>
    }
}

/// Coverages underwriting declined: shown with their reasons, priced no further.
pub fn declined(state: &State, quote: &Quote) -> Html {
    if quote.declined.is_empty() {
        return Html::default();
    }
    let lang = state.lang;
    html! {
        <ul class="premia-declined">
            { for quote.declined.iter().map(|d| html! {
                <li data-product={d.product.clone()}>
                    <p class="premia-line-head">
                        <span class="premia-line-name">{ d.name.get(lang).to_owned() }</span>
                        <span class="premia-badge is-declined">{ Label::Declined.get(lang) }</span>
                    </p>
                    { decision(state, quote, &d.decision) }
                </li>
            }) }
        </ul>
    }
}
