//! Bundles recommended for the person and the coupons they enter: both priced by the core, shown here.

use premia_core::quote::Quote;
use yew::prelude::*;

use crate::i18n::{Label, money};
use crate::state::{Action, State};
use crate::view::{Dispatch, dom_id, input_value};

/// The core's recommendations for the person's age band, each already quoted.
pub fn bundles_section(state: &State, dispatch: &Dispatch) -> Html {
    if state.recommendations.is_empty() {
        return Html::default();
    }
    let lang = state.lang;
    html! {
        <section class="premia-card premia-bundles" aria-labelledby="premia-bundles-title">
            <h2 id="premia-bundles-title" class="premia-card-title">{ Label::Bundles.get(lang) }</h2>
            <p class="premia-hint premia-section-hint">{ Label::BundlesHint.get(lang) }</p>
            <div class="premia-bundle-list">
                { for state.recommendations.iter().map(|r| {
                    let chosen = state.form.bundle.as_deref() == Some(r.bundle.as_str());
                    let id = r.bundle.clone();
                    let onclick = dispatch.to_callback().reform(move |_: MouseEvent| Action::ChooseBundle(id.clone()));
                    html! {
                        <article class={classes!("premia-bundle", chosen.then_some("is-chosen"))} data-bundle={r.bundle.clone()}>
                            <h3>{ r.name.get(lang).to_owned() }</h3>
                            <p class="premia-bundle-reason">{ r.reason.get(lang).to_owned() }</p>
                            <p class="premia-bundle-price">
                                <span class="premia-bundle-amount">{ money(&r.quote.totals.net_first_year_premium) }</span>
                                <span class="premia-per">{ format!(" {}", Label::FirstYearAfterDiscount.get(lang)) }</span>
                            </p>
                            if !r.dropped.is_empty() {
                                <p class="premia-hint">
                                    { format!("{}: ", Label::Dropped.get(lang)) }
                                    { r.dropped.iter().map(|d| format!("{} ({})", d.product, d.reason.get(lang))).collect::<Vec<_>>().join("; ") }
                                </p>
                            }
                            <button type="button" class={classes!("premia-button", chosen.then_some("premia-primary"))}
                                aria-pressed={chosen.to_string()} {onclick}>
                                { if chosen { Label::Chosen.get(lang) } else { Label::ChooseBundle.get(lang) } }
                            </button>
                        </article>
                    }
                }) }
            </div>
        </section>
    }
}

/// The coupon field and the codes entered, each applied (with its discount) or refused (with why).
pub fn coupons_section(state: &State, dispatch: &Dispatch) -> Html {
    let lang = state.lang;
    let id = dom_id("coupons");
    let oninput = dispatch.to_callback().reform(|e: InputEvent| Action::CouponDraft(input_value(&e)));
    let onkeydown = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                dispatch.dispatch(Action::AddCoupon);
            }
        })
    };
    let onclick = dispatch.to_callback().reform(|_: MouseEvent| Action::AddCoupon);
    let quote = state.quote();
    html! {
        <fieldset class="premia-card premia-coupons">
            <legend>{ Label::Coupons.get(lang) }</legend>
            <div class="premia-coupon-entry">
                <div class="premia-field">
                    <label for={id.clone()}>{ Label::CouponCode.get(lang) }</label>
                    <input {id} type="text" autocomplete="off" spellcheck="false" value={state.form.coupon_draft.clone()}
                        {oninput} {onkeydown} />
                </div>
                <button type="button" class="premia-button" {onclick}>{ Label::Apply.get(lang) }</button>
            </div>
            if !state.form.coupons.is_empty() {
                <ul class="premia-coupon-list" aria-live="polite">
                    { for state.form.coupons.iter().map(|code| coupon_line(state, dispatch, quote, code)) }
                </ul>
            }
        </fieldset>
    }
}

fn coupon_line(state: &State, dispatch: &Dispatch, quote: Option<&Quote>, code: &str) -> Html {
    let lang = state.lang;
    let applied = quote.and_then(|q| q.discounts.iter().find(|d| d.code == code || code.starts_with(&d.code)));
    let refused =
        quote.and_then(|q| q.rejected_coupons.iter().find(|r| r.coupon == code || shortened(code) == r.coupon));
    let remove = code.to_owned();
    let onclick = dispatch.to_callback().reform(move |_: MouseEvent| Action::RemoveCoupon(remove.clone()));
    let (class, status) = match (applied, refused) {
        (Some(d), _) => ("is-applied", format!("{} −{}", d.name.get(lang), money(&d.first_year))),
        (None, Some(r)) => ("is-refused", r.message.get(lang).to_owned()),
        (None, None) => ("is-waiting", String::new()),
    };
    let code_attr = refused.map(|r| r.code.clone()).unwrap_or_default();
    html! {
        <li class={classes!("premia-coupon", class)} data-code={code_attr}>
            <span class="premia-coupon-code">{ shortened(code) }</span>
            <span class="premia-coupon-status">{ status }</span>
            <button type="button" class="premia-link" {onclick} aria-label={format!("{} {}", Label::Remove.get(lang), shortened(code))}>
                { Label::Remove.get(lang) }
            </button>
        </li>
    }
}

/// Long signed tokens are shown (and named by the core) by their first 20 characters.
fn shortened(code: &str) -> String {
    if code.chars().count() > 24 {
        format!("{}…", code.chars().take(20).collect::<String>())
    } else {
        code.to_owned()
    }
}
