//! Thin view functions: render a [`State`], dispatch [`Action`]s. No figure is computed here; every
//! number shown is a field of the core's quote, every error the core's (or its kind) in the chosen language.

use premia_core::error::Error;
use premia_core::quote::CoverageQuote;
use premia_core::{CoverageTerm, Frequency, Lang, PaymentTerm, Product, Quote, Sex, Text};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::i18n::{self, Label, money};
use crate::options;
use crate::state::{Action, CoverageAction, CoverageForm, QuoteOutcome, State, Submission, field};

pub type Dispatch = UseReducerDispatcher<State>;

/// A DOM id for a field path: `coverages[0].sum_assured` → `premia-coverages-0-sum_assured`.
pub fn dom_id(field: &str) -> String {
    let mut id = String::from("premia-");
    for ch in field.chars() {
        match ch {
            '[' | '.' => id.push('-'),
            ']' => {}
            c => id.push(c),
        }
    }
    id
}

pub fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

pub fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

fn checked(e: &Event) -> bool {
    e.target_unchecked_into::<HtmlInputElement>().checked()
}

/// The errors beside a field, and the attributes that tie them to its control.
#[derive(Debug)]
pub struct FieldErrors {
    pub html: Html,
    pub invalid: bool,
    pub described_by: Option<String>,
}

pub fn field_errors(state: &State, field: &str) -> FieldErrors {
    let errors = state.errors_for(field);
    let id = format!("{}-error", dom_id(field));
    let invalid = !errors.is_empty();
    let html = if invalid {
        html! {
            <div class="premia-field-error" id={id.clone()} data-field={field.to_owned()} tabindex="-1">
                { for errors.iter().map(|e| error_line(e, state.lang)) }
            </div>
        }
    } else {
        Html::default()
    };
    FieldErrors { html, invalid, described_by: invalid.then_some(id) }
}

fn error_line(error: &Error, lang: Lang) -> Html {
    html! { <p class="premia-error" data-code={error.code()}>{ error.message().get(lang).to_owned() }</p> }
}

/// A heading `depth` levels below the app's title: the title is the page's `h1` on the site and a
/// section's `h2` inside a CRM's page, and every heading of the app follows from it without a gap.
pub fn heading(state: &State, depth: u8, class: &'static str, id: Option<String>, text: String) -> Html {
    let level = depth + if state.settings.page_heading { 1 } else { 2 };
    let tag = match level {
        1 => "h1",
        2 => "h2",
        3 => "h3",
        _ => "h4",
    };
    html! { <@{tag} ~className={class} {id}>{ text }</@> }
}

pub fn toolbar(state: &State, dispatch: &Dispatch) -> Html {
    let lang = state.lang;
    let other = i18n::other(lang);
    let onclick = dispatch.to_callback().reform(move |_: MouseEvent| Action::SetLang(other));
    let start_over = dispatch.to_callback().reform(|_: MouseEvent| Action::StartOver);
    let insurer = state.catalogue.insurer.get(lang).to_owned();
    html! {
        <header class="premia-toolbar">
            <div class="premia-heading">
                <p class="premia-insurer">{ insurer }</p>
                { heading(state, 0, "premia-title", None, Label::Title.get(lang)) }
                <p class="premia-subtitle">{ Label::Subtitle.get(lang) }</p>
            </div>
            <div class="premia-tools">
                <button type="button" class="premia-button premia-start-over" onclick={start_over}>{ Label::StartOver.get(lang) }</button>
                <button type="button" class="premia-lang" lang={i18n::tag(other)} {onclick}>
                    { Label::SwitchLanguage.get(lang) }
                </button>
            </div>
        </header>
    }
}

pub fn insured_section(state: &State, dispatch: &Dispatch) -> Html {
    let lang = state.lang;
    html! {
        <fieldset class="premia-card premia-insured">
            <legend>{ Label::Insured.get(lang) }</legend>
            <div class="premia-grid">
                { resident_id(state, dispatch) }
                { birth_date(state, dispatch) }
                { sex(state, dispatch) }
                { smoker(state, dispatch) }
                { occupation(state, dispatch) }
                { region(state, dispatch) }
                { social_insurance(state, dispatch) }
            </div>
        </fieldset>
    }
}

/// The resident ID number: optional for a price, needed for an application. "Submit" on a quote priced
/// without it asks for it here (and focuses the field), since the server checks it against the quote.
fn resident_id(state: &State, dispatch: &Dispatch) -> Html {
    let id = dom_id(field::RESIDENT_ID);
    let errors = field_errors(state, field::RESIDENT_ID);
    let hint_id = format!("{id}-hint");
    let needed_id = format!("{id}-needed");
    // Asked for by "submit": alone, or first among what an application still needs.
    let needed = state.submission == Submission::ResidentIdNeeded
        || state.submission == Submission::Incomplete && !state.by_resident_id();
    let oninput = dispatch.to_callback().reform(|e: InputEvent| Action::ResidentId(input_value(&e)));
    let described_by: Vec<String> =
        [Some(hint_id.clone()), needed.then(|| needed_id.clone()), errors.described_by].into_iter().flatten().collect();
    // What was understood: the number as read (typed with spaces or full-width digits, pasted with
    // hyphens), the birth date and sex it gives. No length limit: a pasted "110101 19960501 0024" is
    // read, not cut.
    let read = state.resident_id().map(|id| {
        let lang = state.lang;
        format!(
            "{} {} · {} · {} · {}",
            Label::ReadAs.get(lang),
            id.number,
            id.birth_date,
            id.sex.label().get(lang),
            id.province.get(lang)
        )
    });
    html! {
        <div class="premia-field premia-wide">
            <label for={id.clone()}>{ Label::ResidentId.get(state.lang) }</label>
            <input {id} type="text" name="resident_id" inputmode="text" autocomplete="off"
                spellcheck="false" value={state.form.resident_id.clone()} {oninput}
                aria-invalid={(errors.invalid || needed).to_string()} aria-describedby={described_by.join(" ")} />
            <p class="premia-hint" id={hint_id}>{ read.unwrap_or_else(|| Label::ResidentIdHint.get(state.lang)) }</p>
            if needed {
                <div class="premia-field-error" id={needed_id} data-field={field::RESIDENT_ID} role="alert">
                    <p class="premia-error" data-code="required">{ Label::ResidentIdNeeded.get(state.lang) }</p>
                </div>
            }
            { errors.html }
        </div>
    }
}

fn birth_date(state: &State, dispatch: &Dispatch) -> Html {
    let id = dom_id(field::BIRTH_DATE);
    let errors = field_errors(state, field::BIRTH_DATE);
    let oninput = dispatch.to_callback().reform(|e: InputEvent| Action::BirthDate(input_value(&e)));
    let onblur = dispatch.to_callback().reform(|_: FocusEvent| Action::Touch(field::BIRTH_DATE));
    let max = state.settings.quote_date.to_string();
    let by_id = state.by_resident_id();
    html! {
        <div class="premia-field">
            <label for={id.clone()}>{ Label::BirthDate.get(state.lang) }</label>
            <input {id} type="date" name="birth_date" required=true min="1900-01-01" {max}
                disabled={by_id}
                value={state.form.birth_date.clone()} {oninput} {onblur}
                aria-invalid={errors.invalid.to_string()} aria-describedby={errors.described_by} />
            if by_id {
                <p class="premia-hint">{ Label::FromResidentId.get(state.lang) }</p>
            }
            { errors.html }
        </div>
    }
}

fn sex(state: &State, dispatch: &Dispatch) -> Html {
    let errors = field_errors(state, field::SEX);
    let option = |sex: Sex| {
        let onchange = dispatch.to_callback().reform(move |_: Event| Action::Sex(sex));
        let label = sex.label().get(state.lang).to_owned();
        radio("sex", sex.name(), state.form.sex == Some(sex), state.by_resident_id(), label, onchange)
    };
    html! {
        <fieldset class="premia-field premia-inline" id={dom_id(field::SEX)}
            aria-invalid={errors.invalid.to_string()} aria-describedby={errors.described_by}>
            <legend>{ Label::Sex.get(state.lang) }</legend>
            { option(Sex::Male) }
            { option(Sex::Female) }
            { errors.html }
        </fieldset>
    }
}

fn smoker(state: &State, dispatch: &Dispatch) -> Html {
    let option = |smoker: bool, value: &'static str, label: Label| {
        let onchange = dispatch.to_callback().reform(move |_: Event| Action::Smoker(smoker));
        radio("smoker", value, state.form.smoker == smoker, false, label.get(state.lang), onchange)
    };
    html! {
        <fieldset class="premia-field premia-inline">
            <legend>{ Label::Smoker.get(state.lang) }</legend>
            { option(false, "false", Label::NonSmoker) }
            { option(true, "true", Label::SmokerYes) }
        </fieldset>
    }
}

/// A radio button in its label: every one-of choice of the form (sex, smoker, health answers).
pub fn radio(
    name: &str,
    value: &'static str,
    checked: bool,
    disabled: bool,
    label: String,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <label class="premia-choice">
            <input type="radio" name={name.to_owned()} {value} {checked} {onchange} {disabled} />
            <span>{ label }</span>
        </label>
    }
}

fn occupation(state: &State, dispatch: &Dispatch) -> Html {
    let onchange =
        dispatch.to_callback().reform(|e: Event| Action::OccupationClass(select_value(&e).parse().unwrap_or_default()));
    let choices: Vec<(String, Text)> = (1..=7u8).map(|class| (class.to_string(), i18n::occupation(class))).collect();
    let current = state.form.occupation_class.to_string();
    select(
        state,
        Select {
            field: field::OCCUPATION,
            class: "premia-field",
            name: Some("occupation_class"),
            label: Label::Occupation.get(state.lang),
            none: None,
            choices: &choices,
            current: &current,
            onchange,
        },
    )
}

fn region(state: &State, dispatch: &Dispatch) -> Html {
    let onchange = dispatch.to_callback().reform(|e: Event| Action::Region(select_value(&e)));
    let choices: Vec<(String, Text)> =
        state.catalogue.regions.iter().map(|(code, name)| (code.clone(), name.clone())).collect();
    let lang = state.lang;
    select(
        state,
        Select {
            field: field::REGION,
            class: "premia-field",
            name: Some("region"),
            label: Label::Region.get(lang),
            none: Some(Label::RegionNone.get(lang)),
            choices: &choices,
            current: &state.form.region,
            onchange,
        },
    )
}

fn social_insurance(state: &State, dispatch: &Dispatch) -> Html {
    let onchange = dispatch.to_callback().reform(|e: Event| Action::SocialInsurance(checked(&e)));
    html! {
        <div class="premia-field premia-check">
            <label class="premia-choice">
                <input type="checkbox" name="social_insurance" checked={state.form.social_insurance} {onchange} />
                <span>{ Label::SocialInsurance.get(state.lang) }</span>
            </label>
        </div>
    }
}

pub fn products_section(state: &State, dispatch: &Dispatch) -> Html {
    let lang = state.lang;
    let placed = field_errors(state, field::COVERAGES);
    html! {
        <fieldset class="premia-card premia-products">
            <legend>{ Label::Products.get(lang) }</legend>
            <div class="premia-product-picker" role="group" aria-label={Label::ChooseProducts.get(lang)}>
                { for state.offered_products().into_iter().map(|p| product_toggle(state, dispatch, p)) }
            </div>
            { placed.html }
            { for state.form.coverages.iter().enumerate().map(|(i, c)| coverage_card(state, dispatch, i, c)) }
        </fieldset>
    }
}

fn product_toggle(state: &State, dispatch: &Dispatch, product: &Product) -> Html {
    let lang = state.lang;
    let chosen = state.is_chosen(&product.code);
    let code = product.code.clone();
    let onchange = dispatch.to_callback().reform(move |_: Event| Action::ToggleProduct(code.clone()));
    let description = product.description.as_ref().map(|d| d.get(lang).to_owned());
    html! {
        <label ~className={if chosen { "premia-product is-chosen" } else { "premia-product" }} data-product={product.code.clone()}>
            <input type="checkbox" name="product" value={product.code.clone()} checked={chosen} {onchange} />
            <span class="premia-product-line">{ product.line.label().get(lang).to_owned() }</span>
            <span class="premia-product-name">{ product.name.get(lang).to_owned() }</span>
            if let Some(description) = description {
                <span class="premia-product-description">{ description }</span>
            }
        </label>
    }
}

fn coverage_card(state: &State, dispatch: &Dispatch, index: usize, form: &CoverageForm) -> Html {
    let Some(product) = state.product(&form.product) else {
        return Html::default();
    };
    let lang = state.lang;
    let prefix = format!("coverages[{index}]");
    let product_errors = field_errors(state, &format!("{prefix}.product"));
    let on = |f: fn(String) -> CoverageAction| {
        dispatch.to_callback().reform(move |e: Event| Action::Coverage(index, f(select_value(&e))))
    };
    let coverage_terms: Vec<(String, Text)> =
        product.coverage_terms.iter().map(|t: &CoverageTerm| (t.to_string(), t.label())).collect();
    let payment_terms: Vec<(String, Text)> =
        product.payment_terms.iter().map(|t: &PaymentTerm| (t.to_string(), t.label())).collect();
    let frequencies: Vec<(String, Text)> =
        options::frequencies(product).into_iter().map(|f| (f.name().to_owned(), f.label())).collect();
    let on_frequency = dispatch.to_callback().reform(move |e: Event| {
        let frequency = Frequency::from_name(&select_value(&e)).unwrap_or(Frequency::Annual);
        Action::Coverage(index, CoverageAction::Frequency(frequency))
    });
    html! {
        <section class="premia-coverage" data-product={product.code.clone()} aria-labelledby={dom_id(&format!("{prefix}.title"))}>
            { heading(state, 1, "premia-coverage-title", Some(dom_id(&format!("{prefix}.title"))), product.name.get(lang).to_owned()) }
            { product_errors.html }
            <div class="premia-grid">
                { amount_field(state, dispatch, index, form, product) }
                { choice(state, &format!("{prefix}.coverage_term"), Label::CoverageTerm, &coverage_terms,
                    &form.coverage_term, on(CoverageAction::CoverageTerm)) }
                { choice(state, &format!("{prefix}.payment_term"), Label::PaymentTerm, &payment_terms,
                    &form.payment_term, on(CoverageAction::PaymentTerm)) }
                { choice(state, &format!("{prefix}.frequency"), Label::Frequency, &frequencies,
                    form.frequency.name(), on_frequency) }
                { plan_field(state, dispatch, index, form, product) }
                { annuity_fields(state, dispatch, index, form, product) }
            </div>
            { riders(state, dispatch, index, form, product) }
        </section>
    }
}

/// A drop-down of the values the catalogue allows for a field.
#[derive(Debug)]
pub struct Select<'a> {
    /// The request path: the control's id and the errors shown beside it.
    pub field: &'a str,
    pub class: &'static str,
    /// The control's `name`, for fields of the insured person.
    pub name: Option<&'static str>,
    pub label: String,
    /// The label of a leading empty choice ("none", "choose one"), if the field may stay empty.
    pub none: Option<String>,
    /// Each value with its label.
    pub choices: &'a [(String, Text)],
    pub current: &'a str,
    pub onchange: Callback<Event>,
}

/// A coverage's drop-down (term, frequency, plan, annuity options): one of the product's values.
fn choice(
    state: &State,
    field: &str,
    label: Label,
    choices: &[(String, Text)],
    current: &str,
    onchange: Callback<Event>,
) -> Html {
    let label = label.get(state.lang);
    select(state, Select { field, class: "premia-field", name: None, label, none: None, choices, current, onchange })
}

/// A labelled drop-down; disabled when there is nothing to choose.
pub fn select(state: &State, select: Select<'_>) -> Html {
    let Select { field, class, name, label, none, choices, current, onchange } = select;
    let id = dom_id(field);
    let errors = field_errors(state, field);
    let disabled = none.is_none() && choices.len() < 2;
    html! {
        <div ~className={class}>
            <label for={id.clone()}>{ label }</label>
            <select {id} {name} {onchange} {disabled} aria-invalid={errors.invalid.to_string()}
                aria-describedby={errors.described_by}>
                if let Some(none) = none {
                    <option value="" selected={current.is_empty()}>{ none }</option>
                }
                { for choices.iter().map(|(value, text)| html! {
                    <option value={value.clone()} selected={value == current}>{ text.get(state.lang).to_owned() }</option>
                }) }
            </select>
            { errors.html }
        </div>
    }
}

fn amount_field(state: &State, dispatch: &Dispatch, index: usize, form: &CoverageForm, product: &Product) -> Html {
    let field = format!("coverages[{index}].{}", options::amount_field(product));
    let label = if options::is_annuity(product) { Label::AnnuityAmount } else { Label::SumAssured };
    let rule = product.amount;
    let oninput = dispatch
        .to_callback()
        .reform(move |e: InputEvent| Action::Coverage(index, CoverageAction::Amount(input_value(&e))));
    decimal_field(
        state,
        DecimalField {
            field: &field,
            class: "premia-field",
            label: label.get(state.lang),
            value: form.amount.clone(),
            hint: Some(match crate::state::understood(&form.amount) {
                Some(read) => format!(
                    "{} {} · {} – {}",
                    Label::ReadAs.get(state.lang),
                    money(&read),
                    money(&rule.min),
                    money(&rule.max)
                ),
                None => format!("{} – {}", money(&rule.min), money(&rule.max)),
            }),
            readonly: options::amount_is_fixed(product),
            oninput,
        },
    )
}

/// An amount the core reads as a decimal (sums assured, height, income…).
#[derive(Debug)]
pub struct DecimalField<'a> {
    /// The request path: the input's id and the errors shown beside it.
    pub field: &'a str,
    pub class: &'static str,
    pub label: String,
    pub value: String,
    /// Shown under the input (the allowed range) and read with it.
    pub hint: Option<String>,
    pub readonly: bool,
    pub oninput: Callback<InputEvent>,
}

/// A labelled decimal input with its hint and the core's errors about it.
pub fn decimal_field(state: &State, input: DecimalField<'_>) -> Html {
    let DecimalField { field, class, label, value, hint, readonly, oninput } = input;
    let id = dom_id(field);
    let errors = field_errors(state, field);
    let hint_id = hint.is_some().then(|| format!("{id}-hint"));
    let described_by: Vec<String> = [hint_id.clone(), errors.described_by].into_iter().flatten().collect();
    let described_by = (!described_by.is_empty()).then(|| described_by.join(" "));
    html! {
        <div ~className={class}>
            <label for={id.clone()}>{ label }</label>
            <input {id} type="text" inputmode="decimal" autocomplete="off" {value} {readonly} {oninput}
                aria-invalid={errors.invalid.to_string()} aria-describedby={described_by} />
            if let Some(hint) = hint {
                <p class="premia-hint" id={hint_id}>{ hint }</p>
            }
            { errors.html }
        </div>
    }
}

fn plan_field(state: &State, dispatch: &Dispatch, index: usize, form: &CoverageForm, product: &Product) -> Html {
    let plans = options::plans(product);
    if plans.is_empty() {
        return Html::default();
    }
    let choices: Vec<(String, Text)> = plans.iter().map(|p| (p.id.clone(), p.name.clone())).collect();
    let onchange =
        dispatch.to_callback().reform(move |e: Event| Action::Coverage(index, CoverageAction::Plan(select_value(&e))));
    let current = form.plan.clone().unwrap_or_default();
    choice(state, &format!("coverages[{index}].plan"), Label::Plan, &choices, &current, onchange)
}

fn annuity_fields(state: &State, dispatch: &Dispatch, index: usize, form: &CoverageForm, product: &Product) -> Html {
    let Some((ages, years)) = options::annuity_options(product) else {
        return Html::default();
    };
    let lang_years = |n: u32| Text::new(format!("{n}年"), format!("{n} years"));
    let age_choices: Vec<(String, Text)> =
        ages.iter().map(|a| (a.to_string(), Text::new(format!("{a}岁"), format!("age {a}")))).collect();
    let year_choices: Vec<(String, Text)> = years.iter().map(|y| (y.to_string(), lang_years(*y))).collect();
    let on_age = dispatch.to_callback().reform(move |e: Event| {
        Action::Coverage(index, CoverageAction::PayoutStartAge(select_value(&e).parse().unwrap_or_default()))
    });
    let on_years = dispatch.to_callback().reform(move |e: Event| {
        Action::Coverage(index, CoverageAction::GuaranteedYears(select_value(&e).parse().unwrap_or_default()))
    });
    let age = form.payout_start_age.map(|a| a.to_string()).unwrap_or_default();
    let guaranteed = form.guaranteed_years.map(|y| y.to_string()).unwrap_or_default();
    html! {
        <>
            { choice(state, &format!("coverages[{index}].payout_start_age"), Label::PayoutAge, &age_choices, &age, on_age) }
            { choice(state, &format!("coverages[{index}].guaranteed_years"), Label::GuaranteedYears, &year_choices,
                &guaranteed, on_years) }
        </>
    }
}

fn riders(state: &State, dispatch: &Dispatch, index: usize, form: &CoverageForm, product: &Product) -> Html {
    if form.riders.is_empty() {
        return Html::default();
    }
    let lang = state.lang;
    let mut chosen_index = 0;
    html! {
        <fieldset class="premia-riders">
            <legend>{ Label::Riders.get(lang) }</legend>
            { for form.riders.iter().filter_map(|rider| {
                let spec = product.rider(&rider.code)?;
                let position = rider.chosen.then(|| { chosen_index += 1; chosen_index - 1 });
                let code = rider.code.clone();
                let onchange = dispatch.to_callback().reform(move |e: Event| {
                    Action::Coverage(index, CoverageAction::Rider { code: code.clone(), chosen: checked(&e) })
                });
                let amount = match (spec.amount, position) {
                    (Some(_), Some(j)) => rider_amount(state, dispatch, index, j, &rider.code, &rider.amount),
                    _ => Html::default(),
                };
                Some(html! {
                    <div class="premia-rider" data-rider={rider.code.clone()}>
                        <label class="premia-choice">
                            <input type="checkbox" name="rider" value={rider.code.clone()} checked={rider.chosen} {onchange} />
                            <span>{ spec.name.get(lang).to_owned() }</span>
                        </label>
                        { amount }
                    </div>
                })
            }) }
        </fieldset>
    }
}

fn rider_amount(state: &State, dispatch: &Dispatch, index: usize, position: usize, code: &str, amount: &str) -> Html {
    let field = format!("coverages[{index}].riders[{position}].sum_assured");
    let code = code.to_owned();
    let oninput = dispatch.to_callback().reform(move |e: InputEvent| {
        Action::Coverage(index, CoverageAction::RiderAmount { code: code.clone(), amount: input_value(&e) })
    });
    decimal_field(
        state,
        DecimalField {
            field: &field,
            class: "premia-field premia-rider-amount",
            label: Label::RiderAmount.get(state.lang),
            value: amount.to_owned(),
            hint: None,
            readonly: false,
            oninput,
        },
    )
}

/// The price panel: totals, per coverage lines, the worksheet, print and submit, and right below the
/// buttons what became of "submit" (where the person is looking when they press it).
pub fn summary(
    state: &State,
    dispatch: &Dispatch,
    on_submit: Callback<MouseEvent>,
    on_buy: Callback<MouseEvent>,
    on_confirm: Callback<MouseEvent>,
) -> Html {
    let lang = state.lang;
    let body = match &*state.outcome {
        QuoteOutcome::Priced(quote) if quote.coverages.is_empty() => html! {
            <>
                <div class="premia-overall-decision">{ crate::health::decision(state, quote, &quote.decision) }</div>
                { crate::health::declined(state, quote) }
            </>
        },
        QuoteOutcome::Priced(quote) => priced(state, quote),
        QuoteOutcome::Invalid(errors) => blocked(state, errors),
    };
    let sending = state.submission == Submission::Sending;
    let can_submit = state.quote().is_some_and(|q| !q.coverages.is_empty()) && !sending;
    let onclick_print = Callback::from(|_: MouseEvent| crate::browser::print());
    html! {
        // On the site the panel is the page's complementary landmark; inside a CRM's page, where two
        // widgets would make two landmarks of the same name, it is a plain part of the widget.
        <@{if state.settings.page_heading { "aside" } else { "div" }} class="premia-summary"
            aria-labelledby={state.settings.page_heading.then_some("premia-price-title")}>
            { heading(state, 1, "premia-summary-title", Some("premia-price-title".to_owned()), Label::YourPrice.get(lang)) }
            <div class="premia-price" aria-live="polite" aria-atomic="true">{ body }</div>
            if let Some(quote) = state.quote() {
                { worksheet(quote, lang) }
            }
            <div class="premia-actions">
                <button type="button" class="premia-button premia-primary" disabled={!can_submit} onclick={on_submit}>
                    { if sending { Label::Submitting.get(lang) } else { Label::Submit.get(lang) } }
                </button>
                if state.settings.buy {
                    <button type="button" class="premia-button premia-buy-button" disabled={!can_submit} onclick={on_buy}>
                        { Label::Buy.get(lang) }
                    </button>
                }
                <button type="button" class="premia-button" disabled={state.quote().is_none()} onclick={onclick_print}>
                    { Label::Print.get(lang) }
                </button>
            </div>
            { submission(state, dispatch, on_confirm) }
        </@>
    }
}

/// On narrow screens the price panel follows the long form: this bar keeps the price in view while
/// the person types. It repeats the panel, so screen readers skip it (the panel is the live region).
pub fn price_bar(state: &State) -> Html {
    let Some(quote) = state.quote().filter(|q| !q.coverages.is_empty()) else {
        return Html::default();
    };
    let lang = state.lang;
    let net = quote.totals.net_first_year_premium;
    html! {
        <div class="premia-pricebar" aria-hidden="true">
            <span>{ Label::FirstYear.get(lang) }</span>
            <span class="premia-pricebar-amount">{ money(&net) }</span>
        </div>
    }
}

/// Why there is no price yet, each reason a button that takes the person to the field to change. With
/// only the birth date or sex still to give (their "required" errors wait until touched), it says so.
fn blocked(state: &State, errors: &[premia_core::Error]) -> Html {
    let lang = state.lang;
    let shown = state.visible_errors();
    let waiting = shown.len() < errors.len();
    html! {
        <div class="premia-blocked">
            if waiting {
                <p class="premia-price-empty">{ Label::EnterDetails.get(lang) }</p>
            }
            if !shown.is_empty() {
                <p>{ Label::PriceBlocked.get(lang) }</p>
                <ul class="premia-blockers">
                    { for shown.iter().map(|error| {
                        let text = error.message().get(lang).to_owned();
                        html! {
                            <li data-code={error.code()} data-field={error.field.clone()}>
                                if let Some(selector) = focus_selector(state, error) {
                                    <button type="button" class="premia-link"
                                        onclick={Callback::from(move |e: MouseEvent| crate::browser::focus_in_app(&e, &selector))}>
                                        { text }
                                    </button>
                                } else {
                                    { text }
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}

/// Where an error is put right: the control of its field, the birth date (or ID number) for an age a
/// product does not insure, the block of errors of a coverage or of the product choice; `None` for an
/// error no field of the form shows (a widget's agent code).
pub fn focus_selector(state: &State, error: &premia_core::Error) -> Option<String> {
    let field = error.field.as_str();
    if crate::state::is_about_age(error) {
        return Some(format!("#{}", dom_id(state.age_field())));
    }
    if field == crate::state::field::SEX {
        return Some(format!("#{} input", dom_id(field)));
    }
    if field == crate::state::field::COVERAGES || field.ends_with(".product") {
        return Some(format!("#{}-error", dom_id(field)));
    }
    state.placed_fields().iter().any(|f| f == field).then(|| format!("#{}", dom_id(field)))
}

/// The headline says what is paid when: per instalment when every coverage pays at the same frequency;
/// with several frequencies the first year's payments in total, and what falls due how often.
fn priced(state: &State, quote: &Quote) -> Html {
    let lang = state.lang;
    let instalments = quote.instalments();
    let headline = match instalments.as_slice() {
        [(frequency, amount)] => {
            let (figure, per) = if *frequency == Frequency::Annual {
                ("annual", Label::Yearly.get(lang))
            } else {
                ("instalment", frequency.label().get(lang).to_owned())
            };
            html! {
                <p class="premia-headline">
                    <span class="premia-amount" data-figure={figure}>{ money(amount) }</span>
                    <span class="premia-per">{ format!(" / {per}") }</span>
                </p>
            }
        }
        several => html! {
            <>
                <p class="premia-headline">
                    <span class="premia-per">{ format!("{} ", Label::FirstYear.get(lang)) }</span>
                    <span class="premia-amount" data-figure="first-year">{ money(&quote.totals.first_year_premium) }</span>
                </p>
                <p class="premia-schedule">
                    { several.iter().map(|(f, amount)| format!("{} {}", f.label().get(lang), money(amount))).collect::<Vec<_>>().join(" + ") }
                </p>
            </>
        },
    };
    let insured = &quote.request.insured;
    let who = [
        quote.coverages.first().map(|c| c.sex.label().get(lang).to_owned()).unwrap_or_default(),
        insured.birth_date.map(|d| format!("{} {d}", Label::BirthDate.get(lang))).unwrap_or_default(),
        if insured.smoker { Label::SmokerYes.get(lang) } else { Label::NonSmoker.get(lang) },
        i18n::occupation(insured.occupation_class).get(lang).to_owned(),
    ];
    html! {
        <>
            { headline }
            <p class="premia-insured-line">{ who.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ") }</p>
            <dl class="premia-totals">
                // The annual premium is what a year costs only when every cover is paid yearly; paid
                // monthly, a year costs the instalments (the first-year figure), not the annual basis.
                if matches!(instalments.as_slice(), [(Frequency::Annual, _)]) {
                    <div><dt>{ Label::PerYear.get(lang) }</dt>
                        <dd data-figure="total-annual">{ money(&quote.totals.annual_premium) }</dd></div>
                }
                <div><dt>{ Label::FirstYear.get(lang) }</dt>
                    <dd data-figure="total-first-year">{ money(&quote.totals.first_year_premium) }</dd></div>
                <div><dt>{ Label::TotalOverTerm.get(lang) }</dt>
                    <dd data-figure="total-premium">{ money(&quote.totals.total_premium) }</dd></div>
                if !quote.discounts.is_empty() {
                    { for quote.discounts.iter().map(|d| html! {
                        <div class="premia-discount" data-code={d.code.clone()}>
                            <dt>{ d.name.get(lang).to_owned() }</dt>
                            <dd data-figure="discount">{ format!("−{}", money(&d.first_year)) }</dd>
                        </div>
                    }) }
                    <div class="premia-net"><dt>{ Label::NetFirstYear.get(lang) }</dt>
                        <dd data-figure="net-first-year">{ money(&quote.totals.net_first_year_premium) }</dd></div>
                    <div class="premia-net"><dt>{ Label::NetTotal.get(lang) }</dt>
                        <dd data-figure="net-total">{ money(&quote.totals.net_total_premium) }</dd></div>
                }
            </dl>
            <div class="premia-overall-decision">
                <p class="premia-decision-title">{ Label::Decision.get(lang) }</p>
                { crate::health::decision(state, quote, &quote.decision) }
                if quote.decision.outcome == premia_core::underwriting::Outcome::Accept && quote.decision.reasons.is_empty() {
                    <p class="premia-decision is-ok" data-outcome="accept">
                        <span class="premia-badge">{ quote.decision.outcome.label().get(lang).to_owned() }</span>
                    </p>
                }
            </div>
            <ul class="premia-lines">
                { for quote.coverages.iter().map(|c| coverage_line(c, lang)) }
            </ul>
            { crate::health::declined(state, quote) }
            <p class="premia-meta">
                { format!("{} {}", Label::ValidUntil.get(lang), quote.valid_until) }
                <br />
                <span class="premia-digest">{ format!("{} {}", Label::Digest.get(lang), &quote.digest[..16]) }</span>
            </p>
        </>
    }
}

fn coverage_line(coverage: &CoverageQuote, lang: Lang) -> Html {
    let instalment = if coverage.instalments_per_year > 1 {
        format!(
            "{} × {} ({})",
            money(&coverage.instalment_premium),
            coverage.instalments_per_year,
            coverage.frequency.label().get(lang)
        )
    } else {
        coverage.payment_term.label().get(lang).to_owned()
    };
    html! {
        <li class="premia-line" data-product={coverage.product.clone()}>
            <div class="premia-line-head">
                <span class="premia-line-name">{ coverage.name.get(lang).to_owned() }</span>
                <span class="premia-line-amount" data-figure="annual">{ money(&coverage.annual_premium) }</span>
            </div>
            <div class="premia-line-detail">
                <span>{ instalment }</span>
                <span>{ format!("{} {}", Label::Age.get(lang), coverage.age) }</span>
                <span>{ format!("{} {}", Label::PaymentYears.get(lang), coverage.payment_years) }</span>
                <span>{ format!("{} {}", Label::TotalOverTerm.get(lang), money(&coverage.total_premium)) }</span>
            </div>
            { for coverage.riders.iter().map(|r| html! {
                <div class="premia-line-rider">
                    <span>{ format!("+ {}", r.name.get(lang)) }</span>
                    <span>{ money(&r.annual_premium) }</span>
                </div>
            }) }
            { crate::health::badge(&coverage.decision, lang) }
        </li>
    }
}

/// "How is this calculated": the core's rating worksheet, step by step.
fn worksheet(quote: &Quote, lang: Lang) -> Html {
    html! {
        <details class="premia-worksheet">
            <summary>{ Label::HowCalculated.get(lang) }</summary>
            { for quote.coverages.iter().map(|c| steps(c.name.get(lang), &c.worksheet, &c.riders, lang)) }
            if !quote.discount_worksheet.is_empty() {
                { steps(&Label::Discount.get(lang), &quote.discount_worksheet, &[], lang) }
            }
        </details>
    }
}

/// A worksheet's steps; a rider's steps are marked with the rider's name.
fn steps(
    caption: &str,
    steps: &[premia_core::worksheet::Step],
    riders: &[premia_core::quote::RiderQuote],
    lang: Lang,
) -> Html {
    let rider = |code: &str| riders.iter().find(|r| r.code == code).map_or(code, |r| r.name.get(lang)).to_owned();
    html! {
                <table>
                    <caption>{ caption.to_owned() }</caption>
                    <thead><tr>
                        <th scope="col">{ Label::Step.get(lang) }</th>
                        <th scope="col" class="premia-num">{ Label::Value.get(lang) }</th>
                    </tr></thead>
                    <tbody>
                        { for steps.iter().map(|step| html! {
                            <tr data-code={step.code().to_owned()}>
                                <td>
                                    <span class="premia-step-label">
                                        { step.rider.as_deref().map(|r| format!("{}{}", rider(r), if lang == Lang::Zh { "：" } else { ": " })).unwrap_or_default() }
                                        { step.label().get(lang).to_owned() }
                                    </span>
                                    if let Some(detail) = step.detail() {
                                        <span class="premia-step-detail">{ detail.get(lang).to_owned() }</span>
                                    }
                                </td>
                                <td class="premia-num">{ step.value.to_string() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
    }
}

/// "Close" under a submission's result: one view for every kind of result.
fn close_button(lang: Lang, dispatch: &Dispatch) -> Html {
    let close = dispatch.to_callback().reform(|_: MouseEvent| Action::DismissSubmission);
    html! { <button type="button" class="premia-button" onclick={close}>{ Label::Close.get(lang) }</button> }
}

/// Where the control of a field that an application still needs is: a health question's first answer,
/// or the field's own input.
pub fn missing_selector(field: &str) -> String {
    if field.starts_with("insured.health_answers.") {
        format!("#{} input", dom_id(field))
    } else {
        format!("#{}", dom_id(field))
    }
}

/// The result of "submit": what is still missing, a confirmation that says what happens next, the
/// server's refusal, a new price to confirm, or the payload when no server answered. The app moves
/// focus here when the server answers (`tabindex=-1`: focusable by script, not a tab stop).
fn submission(state: &State, dispatch: &Dispatch, on_confirm: Callback<MouseEvent>) -> Html {
    let lang = state.lang;
    match &state.submission {
        // The request for the resident ID number is shown beside its field.
        Submission::None | Submission::Sending | Submission::ResidentIdNeeded => Html::default(),
        // Each missing answer or figure, a button that takes the person to it.
        Submission::Incomplete => html! {
            <section class="premia-incomplete" role="alert">
                <p>{ Label::Incomplete.get(lang) }</p>
                <ul class="premia-blockers">
                    { for state.missing().into_iter().map(|missing| {
                        let selector = missing_selector(&missing.field);
                        html! {
                            <li data-field={missing.field}>
                                <button type="button" class="premia-link"
                                    onclick={Callback::from(move |e: MouseEvent| crate::browser::focus_in_app(&e, &selector))}>
                                    { missing.label.get(lang).to_owned() }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            </section>
        },
        Submission::Accepted { application, status, tracking } => html! {
            <section class="premia-submission is-accepted" role="status" tabindex="-1" data-status={status.clone()}>
                <p>{ Label::Submitted.get(lang) }</p>
                if !application.is_empty() {
                    <p class="premia-application">{ format!("{} {application}", Label::Application.get(lang)) }</p>
                }
                // What happens next; for a referral, until the underwriters have decided (the status says it).
                if status != "referred" || !tracking.is_settled() {
                    <p class="premia-next">
                        { if status == "referred" { Label::NextReferred.get(lang) } else { Label::NextAccepted.get(lang) } }
                    </p>
                }
                { standing(tracking, lang) }
                { close_button(lang, dispatch) }
            </section>
        },
        Submission::Refused { status, errors } => html! {
            <section class="premia-submission is-refused" role="alert" tabindex="-1" data-status={status.to_string()}>
                <p>{ Label::SubmitFailed.get(lang) }</p>
                { for errors.iter().map(|e| html! {
                    <p class="premia-error" data-code={e.code.clone()}>{ e.message.get(lang).to_owned() }</p>
                }) }
                { close_button(lang, dispatch) }
            </section>
        },
        // The server priced the quote again (on its today): the new price, to confirm before it is sent.
        Submission::Requote(requote) => {
            // Read as the core reads amounts (exactly, no scientific notation): no second decimal parser.
            let price = premia_core::money::strict::parse(&requote.annual_premium)
                .map_or_else(|| requote.annual_premium.clone(), |p| crate::i18n::money(&p));
            html! {
                <section class="premia-submission is-requote" role="alert" tabindex="-1" data-reason={requote.reason.clone()}>
                    <p>{ requote.message.get(lang).to_owned() }</p>
                    <p class="premia-fresh-price">
                        { Label::FreshPrice.get(lang) }{ " " }<strong class="premia-amount">{ price }</strong>
                    </p>
                    <button type="button" class="premia-primary premia-confirm" onclick={on_confirm}>{ Label::ConfirmFresh.get(lang) }</button>
                    { close_button(lang, dispatch) }
                </section>
            }
        }
        Submission::Unavailable { payload } => html! {
            <section class="premia-submission is-unavailable" role="status" tabindex="-1">
                <p>{ Label::SubmitUnavailable.get(lang) }</p>
                <details open=true>
                    <summary>{ Label::Payload.get(lang) }</summary>
                    <pre class="premia-payload">{ payload.clone() }</pre>
                </details>
                { close_button(lang, dispatch) }
            </section>
        },
    }
}

/// Where the application stands, as the server last said (its words, its premium: text, never HTML),
/// refreshed by the app while undecided; and the link to its status page.
fn standing(tracking: &crate::status::Tracking, lang: Lang) -> Html {
    use crate::status::Reading;
    let shown = tracking.standing.as_deref().map(|s| {
        html! {
            <div class="premia-standing" data-status={s.stage.name()}>
                <p><strong>{ s.label.get(lang).to_owned() }</strong></p>
                <table class="premia-standing-facts">
                    { for s.facts(lang).into_iter().map(|(label, value)| html! {
                        <tr><th scope="row">{ label.get(lang) }</th><td>{ value }</td></tr>
                    }) }
                </table>
            </div>
        }
    });
    let trouble = match &tracking.trouble {
        None if tracking.standing.is_none() && tracking.receipt.is_some() => Some(Label::StatusChecking.get(lang)),
        None => None,
        // Refused for good: the server's words for why.
        Some(Reading::Refused { errors, .. }) if tracking.trouble.as_ref().is_some_and(Reading::is_final_refusal) => {
            let why: Vec<&str> = errors.iter().map(|e| e.message.get(lang)).collect();
            Some(format!("{} {}", Label::StatusStopped.get(lang), why.join(" ")))
        }
        Some(_) => Some(Label::StatusRetrying.get(lang)),
    };
    html! {
        <>
            { shown.unwrap_or_default() }
            if let Some(trouble) = trouble {
                <p class="premia-standing-note">{ trouble }</p>
            }
            if let Some(url) = &tracking.status_url {
                <p><a class="premia-status-link" href={url.clone()} target="_blank" rel="noopener noreferrer">{ Label::StatusLink.get(lang) }</a></p>
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dom_ids_are_readable_and_unique_per_field() {
        assert_eq!(dom_id("coverages[0].riders[1].sum_assured"), "premia-coverages-0-riders-1-sum_assured");
        assert_eq!(dom_id("insured.birth_date"), "premia-insured-birth_date");
    }
}
