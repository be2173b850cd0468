//! Bundles recommended for the person and the coupons they enter: both priced by the core, shown here.

use yew::prelude::*;

use crate::i18n::{Label, money};
use crate::state::{Action, CouponStatus, State, shortened};
use crate::view::{Dispatch, dom_id, input_value};

/// The core's recommendations for the person's age band, each already quoted.
pub fn bundles_section(state: &State, dispatch: &Dispatch) -> Html {
    if state.recommendations.is_empty() {
        return Html::default();
    }
    let lang = state.lang;
    html! {
        <section class="premia-card premia-bundles" aria-labelledby="premia-bundles-title">
            { crate::view::heading(state, 1, "premia-card-title", Some("premia-bundles-title".to_owned()), Label::Bundles.get(lang)) }
            <p class="premia-hint premia-section-hint">{ Label::BundlesHint.get(lang) }</p>
            <div class="premia-bundle-list">
                { for state.recommendations.iter().map(|r| {
                    let chosen = state.form.bundle.as_deref() == Some(r.bundle.as_str());
                    let id = r.bundle.clone();
                    let onclick = dispatch.to_callback().reform(move |_: MouseEvent| Action::ChooseBundle(id.clone()));
                    html! {
                        <article ~className={if chosen { "premia-bundle is-chosen" } else { "premia-bundle" }} data-bundle={r.bundle.clone()}>
                            { crate::view::heading(state, 2, "premia-bundle-title", None, r.name.get(lang).to_owned()) }
                            <p class="premia-bundle-reason">{ r.reason.get(lang).to_owned() }</p>
                            <p class="premia-bundle-price">
                                <span class="premia-bundle-amount">{ money(&r.quote.totals.net_first_year_premium) }</span>
                                <span class="premia-per">{ format!(" {}", Label::FirstYearAfterDiscount.get(lang)) }</span>
                            </p>
                            if !r.dropped.is_empty() {
                                <p class="premia-hint">
                                    { format!("{}: ", Label::Dropped.get(lang)) }
                                    { r.dropped.iter().map(|d| {
                                        let name = state.product(&d.product).map_or(d.product.as_str(), |p| p.name.get(lang));
                                        format!("{name} ({})", d.reason.get(lang))
                                    }).collect::<Vec<_>>().join("; ") }
                                </p>
                            }
                            <button type="button" ~className={if chosen { "premia-button premia-primary" } else { "premia-button" }}
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
                    { for state.form.coupons.iter().map(|code| coupon_line(state, dispatch, code)) }
                </ul>
            }
        </fieldset>
    }
}

fn coupon_line(state: &State, dispatch: &Dispatch, code: &str) -> Html {
    let lang = state.lang;
    let remove = code.to_owned();
    // The button goes with its line: focus moves to the code field, not to the page's start.
    let onclick = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            dispatch.dispatch(Action::RemoveCoupon(remove.clone()));
            crate::browser::focus_in_app(&e, "#premia-coupons");
        })
    };
    let status = state.coupon_status(code);
    let (class, text) = match status {
        CouponStatus::Applied(d) => {
            ("premia-coupon is-applied", format!("{} −{}", d.name.get(lang), money(&d.first_year)))
        }
        CouponStatus::Refused(r) => ("premia-coupon is-refused", r.message.get(lang).to_owned()),
        CouponStatus::Waiting => ("premia-coupon is-waiting", String::new()),
    };
    let code_attr = match status {
        CouponStatus::Refused(r) => r.code.clone(),
        _ => String::new(),
    };
    html! {
        <li ~className={class} data-code={code_attr}>
            <span class="premia-coupon-code">{ shortened(code) }</span>
            <span class="premia-coupon-status">{ text }</span>
            <button type="button" class="premia-link" {onclick} aria-label={format!("{} {}", Label::Remove.get(lang), shortened(code))}>
                { Label::Remove.get(lang) }
            </button>
        </li>
    }
}
