//! Bundle recommendations, and resident ID properties.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use premia_core::bundle::{Profile, recommend};
use premia_core::resident_id::{check_char, parse};
use premia_core::{Catalogue, demo};
use proptest::prelude::*;
use serde_json::json;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn profile(birth: &str, extra: serde_json::Value) -> Profile {
    let mut insured = json!({ "birth_date": birth, "sex": "female", "smoker": false, "occupation_class": 1,
        "social_insurance": true, "height_cm": "162", "weight_kg": "55", "annual_income": "180000",
        "health_answers": { "CANCER": { "yes": false }, "HEART": { "yes": false }, "HTN": { "yes": false },
                            "DIABETES": { "yes": false }, "HOSPITAL": { "yes": false }, "THYROID": { "yes": false } } });
    for (k, v) in extra.as_object().unwrap() {
        insured[k] = v.clone();
    }
    serde_json::from_value(json!({ "insured": insured, "channel": { "kind": "direct" } })).unwrap()
}

fn bundles(offers: &[premia_core::bundle::Recommendation]) -> Vec<&str> {
    offers.iter().map(|o| o.bundle.as_str()).collect()
}

#[test]
fn a_thirty_year_old_is_offered_the_young_and_the_health_annuity_bundles_in_rank_order() {
    let offers = recommend(&demo::catalogue(), &profile("1996-05-01", json!({})), date()).unwrap();
    assert_eq!(bundles(&offers), ["YOUNG-PROTECT", "HEALTH-ANNUITY"]);
    let young = &offers[0];
    assert_eq!(young.quote.request.bundle.as_deref(), Some("YOUNG-PROTECT"));
    assert_eq!(young.quote.discounts[0].code, "YOUNG-PROTECT");
    assert!(young.quote.totals.net_first_year_premium < young.quote.totals.first_year_premium);
    assert!(!young.reason.zh.is_empty() && !young.reason.en.is_empty());
}

#[test]
fn a_forty_five_year_old_gets_the_midlife_bundle_first() {
    let offers = recommend(&demo::catalogue(), &profile("1981-03-01", json!({})), date()).unwrap();
    assert_eq!(bundles(&offers), ["MIDLIFE-PENSION", "HEALTH-ANNUITY"]);
}

#[test]
fn ages_outside_every_band_get_no_bundle() {
    assert!(recommend(&demo::catalogue(), &profile("1966-01-01", json!({})), date()).unwrap().is_empty());
    assert!(recommend(&demo::catalogue(), &profile("2003-01-01", json!({})), date()).unwrap().is_empty());
}

#[test]
fn a_declined_product_is_dropped_or_drops_the_bundle_as_the_bundle_says() {
    // At 45 in occupation class 7: the accident cover is declined. MIDLIFE-PENSION (drop_product) is
    // offered with the annuity alone, and says why; its bundle discount no longer applies.
    let offers =
        recommend(&demo::catalogue(), &profile("1981-03-01", json!({ "occupation_class": 7 })), date()).unwrap();
    let midlife = offers.iter().find(|o| o.bundle == "MIDLIFE-PENSION").unwrap();
    assert_eq!(midlife.dropped[0].product, "ACC");
    assert_eq!(midlife.quote.coverages.len(), 1);
    assert_eq!(midlife.quote.rejected_coupons[0].code, "coupon.wrong_product");
    // HEALTH-ANNUITY (drop_bundle): medical declines class 7, so the bundle is not offered.
    assert!(!bundles(&offers).contains(&"HEALTH-ANNUITY"), "{:?}", bundles(&offers));
}

#[test]
fn an_unusable_profile_is_an_error_naming_the_field() {
    let mut p = profile("1996-05-01", json!({}));
    p.insured.birth_date = None;
    let errors = recommend(&demo::catalogue(), &p, date()).unwrap_err();
    assert_eq!(errors.iter().next().unwrap().field, "insured.birth_date");
}

#[test]
fn bundles_naming_unknown_products_are_catalogue_errors() {
    let text = demo::TOML.replacen(
        "product = \"ACC\"\nsum_assured = \"500000\"",
        "product = \"NOPE\"\nsum_assured = \"500000\"",
        1,
    );
    let errors = Catalogue::load(&text, &demo::file).unwrap_err();
    assert!(errors.iter().any(|e| e.field.starts_with("bundle[MIDLIFE-PENSION]") && e.code() == "unknown"), "{errors}");
}

/// A valid ID from a province code, a birth date and a sequence.
fn id(province: &str, birth: NaiveDate, sequence: u16) -> String {
    let first17 = format!("{province}0101{}{sequence:03}", birth.format("%Y%m%d"));
    format!("{first17}{}", check_char(first17.as_bytes()))
}

fn provinces() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["11", "31", "44", "51", "65", "81"])
}

proptest! {
    #[test]
    fn every_generated_valid_id_round_trips(
        province in provinces(), days in 0i64..40_000, sequence in 1u16..1000,
    ) {
        let birth = NaiveDate::from_ymd_opt(1920, 1, 1).unwrap() + chrono::Duration::days(days);
        prop_assume!(birth <= date());
        let number = id(province, birth, sequence);
        let parsed = parse(&number, date(), "id").unwrap();
        prop_assert_eq!(&parsed.number, &number);
        prop_assert_eq!(parsed.birth_date, birth);
        prop_assert_eq!(parsed.sequence, sequence);
        prop_assert_eq!(parsed.sex == premia_core::Sex::Male, sequence % 2 == 1);
        prop_assert_eq!(&parsed.province_code, province);
    }

    #[test]
    fn any_single_character_change_is_caught(
        province in provinces(), days in 0i64..30_000, sequence in 1u16..1000, position in 0usize..18, digit in 0u8..11,
    ) {
        let birth = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap() + chrono::Duration::days(days);
        let number = id(province, birth, sequence);
        let mut chars: Vec<char> = number.chars().collect();
        let replacement = if digit == 10 { 'X' } else { char::from(b'0' + digit) };
        prop_assume!(chars[position] != replacement);
        prop_assume!(position == 17 || replacement != 'X');
        chars[position] = replacement;
        let changed: String = chars.into_iter().collect();
        // MOD 11-2 detects every single-character substitution, in the check character too.
        prop_assert!(parse(&changed, date(), "id").is_err(), "{} → {} accepted", number, changed);
    }
}
