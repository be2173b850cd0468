//! Discounts: campaign windows, payment types, vouchers, referral codes, signatures, stacking and the cap.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use premia_core::coupon::{self, AppliesTo, Claims, CouponKind, TokenKind};
use premia_core::{Catalogue, Quote, demo, quote, request};
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn demo_key() -> SigningKey {
    let hex =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalogue/keys/demo-coupon-signing.key"))
            .unwrap();
    SigningKey::from_bytes(&coupon::key_bytes(&hex).unwrap())
}

fn token(kind: TokenKind, series: &str, id: &str, expires: Option<&str>) -> String {
    let claims = Claims {
        catalogue: "PREMIA-DEMO".into(),
        kind,
        series: series.into(),
        id: id.into(),
        expires: expires.map(|d| d.parse().unwrap()),
        referrer: (kind == TokenKind::Referral).then(|| "C-1001".into()),
    };
    coupon::issue(&claims, &demo_key())
}

/// CI 500,000 for a 30-year-old woman: 9715.00 a year, 20 years.
fn request_with(coupons: &[&str], date: &str, payment_term: &str) -> Value {
    json!({
        "quote_date": date,
        "insured": { "birth_date": "1996-05-01", "sex": "female", "smoker": false, "occupation_class": 1, "social_insurance": true },
        "coverages": [{ "product": "CI", "sum_assured": "500000", "coverage_term": "lifelong", "payment_term": payment_term, "frequency": "annual" }],
        "channel": { "kind": "agent", "agent_code": "A123" },
        "coupons": coupons,
    })
}

fn run_on(catalogue: &Catalogue, value: &Value) -> Quote {
    quote(catalogue, &request::from_json(&premia_core::json::Json::from(value)).unwrap()).unwrap()
}

fn run(value: &Value) -> Quote {
    run_on(&demo::catalogue(), value)
}

fn rejected(q: &Quote) -> Vec<&str> {
    q.rejected_coupons.iter().map(|r| r.code.as_str()).collect()
}

#[test]
fn a_campaign_applies_from_its_first_to_its_last_day() {
    for date in ["2026-11-01", "2026-11-30"] {
        let q = run(&request_with(&["PROMO-NOV"], date, "years:20"));
        assert_eq!(q.totals.discount_first_year.to_string(), "485.75", "{date}");
        assert_eq!(q.discounts[0].kind, CouponKind::Campaign);
    }
    let early = run(&request_with(&["PROMO-NOV"], "2026-10-31", "years:20"));
    assert_eq!(rejected(&early), ["coupon.not_yet_valid"]);
    let late = run(&request_with(&["PROMO-NOV"], "2026-12-01", "years:20"));
    assert_eq!(rejected(&late), ["coupon.expired"]);
    assert_eq!(late.totals.discount_first_year, Decimal::ZERO);
    assert_eq!(late.totals.net_first_year_premium, late.totals.first_year_premium);
}

#[test]
fn campaign_codes_are_case_insensitive_and_unknown_ones_are_named() {
    let q = run(&request_with(&["promo-nov", "BOGUS"], "2026-11-25", "years:20"));
    assert_eq!(q.discounts.len(), 1);
    assert_eq!(rejected(&q), ["coupon.unknown"]);
    assert_eq!(q.rejected_coupons[0].coupon, "BOGUS");
}

#[test]
fn regular_premium_campaigns_refuse_single_premium_and_channels_are_checked() {
    let single = run(&request_with(&["PROMO-NOV"], "2026-11-25", "single"));
    assert_eq!(rejected(&single), ["coupon.payment_type"]);
    // ONLINE-2026 is for the direct channel; the request comes from an agent.
    let agent = run(&request_with(&["ONLINE-2026"], "2026-11-25", "years:20"));
    assert_eq!(rejected(&agent), ["coupon.wrong_channel"]);
}

#[test]
fn every_year_discounts_repeat_over_the_payment_term() {
    let mut v = request_with(&["ONLINE-2026"], "2026-11-25", "years:20");
    v["channel"] = json!({ "kind": "direct" });
    let q = run(&v);
    let d = &q.discounts[0];
    assert_eq!(d.applies_to, AppliesTo::EveryYear);
    // 2% of 9715.00 = 194.30 a year, 20 years.
    assert_eq!(d.first_year.to_string(), "194.30");
    assert_eq!(d.total.to_string(), "3886.00");
    assert_eq!(q.totals.net_total_premium, q.totals.total_premium - d.total);
}

#[test]
fn a_voucher_needs_the_minimum_premium_exactly() {
    let v200 = token(TokenKind::Voucher, "V200", "V-0001", Some("2026-12-31"));
    let q = run(&request_with(&[&v200], "2026-11-25", "years:20"));
    assert_eq!(q.totals.discount_first_year.to_string(), "200.00");
    assert_eq!(q.coupons_used.len(), 1);
    assert!(q.coupons_used[0].single_use);
    assert_eq!(q.coupons_used[0].id, "V-0001");
    // 40,000 × 50.00 / 1000 (age 30 female single? no: years:20 rate 19.43) — find an amount whose
    // premium is exactly 2000: 2000 / 19.43 is not whole, so use MED with V50 (minimum 300):
    // MED at 26-30 with social insurance is 248 (below) and without is 546 (above).
    let v50 = token(TokenKind::Voucher, "V50", "V-0002", None);
    let med = |social: bool| {
        json!({
            "quote_date": "2026-11-25",
            "insured": { "birth_date": "1996-05-01", "sex": "female", "smoker": false, "occupation_class": 1, "social_insurance": social },
            "coverages": [{ "product": "MED", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual", "plan": "D10K" }],
            "channel": { "kind": "direct" },
            "coupons": [v50],
        })
    };
    assert_eq!(rejected(&run(&med(true))), ["coupon.below_minimum"]);
    assert_eq!(run(&med(false)).totals.discount_first_year.to_string(), "50.00");
}

#[test]
fn the_minimum_premium_is_inclusive() {
    // A catalogue whose voucher minimum equals the premium exactly: 9715.00.
    let text = demo::TOML.replace(
        r#"amount = "200"
min_premium = "2000""#,
        r#"amount = "200"
min_premium = "9715.00""#,
    );
    let catalogue = Catalogue::load(&text, &demo::file).unwrap();
    let v200 = token(TokenKind::Voucher, "V200", "V-0003", None);
    let q = run_on(&catalogue, &request_with(&[&v200], "2026-11-25", "years:20"));
    assert_eq!(q.totals.discount_first_year.to_string(), "200.00");
    let above = demo::TOML.replace(r#"min_premium = "2000""#, r#"min_premium = "9715.01""#);
    let catalogue = Catalogue::load(&above, &demo::file).unwrap();
    assert_eq!(
        rejected(&run_on(&catalogue, &request_with(&[&v200], "2026-11-25", "years:20"))),
        ["coupon.below_minimum"]
    );
}

#[test]
fn forged_altered_expired_and_foreign_tokens_are_refused_with_reasons() {
    let good = token(TokenKind::Voucher, "V200", "V-0004", Some("2026-12-31"));
    let other_key = SigningKey::from_bytes(&[9u8; 32]);
    let forged = coupon::issue(
        &Claims {
            catalogue: "PREMIA-DEMO".into(),
            kind: TokenKind::Voucher,
            series: "V200".into(),
            id: "V-X".into(),
            expires: None,
            referrer: None,
        },
        &other_key,
    );
    // Change one character of the signed payload.
    let (payload, signature) = good.rsplit_once('.').unwrap();
    let mut chars: Vec<char> = payload.chars().collect();
    let i = chars.len() - 3;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let altered = format!("{}.{signature}", chars.into_iter().collect::<String>());
    let expired = token(TokenKind::Voucher, "V200", "V-0005", Some("2026-11-24"));
    let foreign = coupon::issue(
        &Claims {
            catalogue: "OTHER".into(),
            kind: TokenKind::Voucher,
            series: "V200".into(),
            id: "V-6".into(),
            expires: None,
            referrer: None,
        },
        &demo_key(),
    );
    let unknown_series = token(TokenKind::Voucher, "V999", "V-0007", None);
    for (t, code) in [
        (&forged, "coupon.bad_signature"),
        (&altered, "coupon.bad_signature"),
        (&expired, "coupon.expired"),
        (&foreign, "coupon.wrong_catalogue"),
        (&unknown_series, "coupon.unknown"),
        (&"PV1.garbage".to_owned(), "coupon.malformed"),
    ] {
        let q = run(&request_with(&[t], "2026-11-25", "years:20"));
        assert_eq!(rejected(&q), [code], "{t}");
        assert!(q.coupons_used.is_empty());
        assert!(q.rejected_coupons[0].coupon.chars().count() <= 24, "long tokens are shortened");
    }
}

#[test]
fn a_referral_code_gives_its_discount_and_is_not_single_use() {
    let refer = token(TokenKind::Referral, "REFER-2026", "R-0001", None);
    let q = run(&request_with(&[&refer], "2026-11-25", "years:20"));
    // 3% of 9715.00
    assert_eq!(q.totals.discount_first_year.to_string(), "291.45");
    assert_eq!(q.coupons_used[0].kind, CouponKind::Referral);
    assert!(!q.coupons_used[0].single_use);
}

#[test]
fn one_coupon_per_kind_and_stacking_follows_the_catalogue_order() {
    let v1 = token(TokenKind::Voucher, "V200", "V-0010", None);
    let v2 = token(TokenKind::Voucher, "V200", "V-0011", None);
    let refer = token(TokenKind::Referral, "REFER-2026", "R-0002", None);
    // Entered voucher first, campaign last: applied campaign, referral, voucher.
    let q = run(&request_with(&[&v1, &refer, "PROMO-NOV", &v2], "2026-11-25", "years:20"));
    let kinds: Vec<CouponKind> = q.discounts.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, [CouponKind::Campaign, CouponKind::Referral, CouponKind::Voucher]);
    assert_eq!(rejected(&q), ["coupon.duplicate_kind"]);
    // 485.75 + 291.45 + 200 = 977.20, within the 15% cap (1457.25).
    assert_eq!(q.totals.discount_first_year.to_string(), "977.20");
}

#[test]
fn the_regulatory_cap_trims_the_last_discounts_and_says_so() {
    // Tighten the cap to 6% of the premium: 582.90 of 9715.00.
    let text = demo::TOML.replace(r#"cap = "0.15""#, r#"cap = "0.06""#);
    let catalogue = Catalogue::load(&text, &demo::file).unwrap();
    let refer = token(TokenKind::Referral, "REFER-2026", "R-0003", None);
    let v200 = token(TokenKind::Voucher, "V200", "V-0012", None);
    let q = run_on(&catalogue, &request_with(&["PROMO-NOV", &refer, &v200], "2026-11-25", "years:20"));
    // Campaign 485.75 fits; referral 291.45 is cut to the 97.15 left; the voucher gets nothing.
    assert_eq!(q.discounts.len(), 2);
    assert!(!q.discounts[0].capped);
    assert!(q.discounts[1].capped);
    assert_eq!(q.discounts[1].first_year.to_string(), "97.15");
    assert_eq!(rejected(&q), ["coupon.over_cap"]);
    assert_eq!(q.totals.discount_first_year.to_string(), "582.90");
    assert!(q.discount_worksheet.iter().any(|s| s.code() == "discount.capped"));
    assert!(q.discount_worksheet.iter().any(|s| s.code() == "discount.cap"));
    // The voucher was not used, so it is not listed for redemption.
    assert!(q.coupons_used.iter().all(|u| u.kind != CouponKind::Voucher));
}

#[test]
fn a_bundle_discount_needs_the_bundle_age_and_two_of_its_products() {
    let bundle = |birth: &str, products: &[&str]| {
        let coverages: Vec<Value> = products
            .iter()
            .map(|p| match *p {
                "CI" => json!({ "product": "CI", "sum_assured": "300000", "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "annual" }),
                _ => json!({ "product": "MED", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual", "plan": "D10K" }),
            })
            .collect();
        json!({
            "quote_date": "2026-11-25",
            "insured": { "birth_date": birth, "sex": "female", "smoker": false, "occupation_class": 1, "social_insurance": true },
            "coverages": coverages, "channel": { "kind": "direct" }, "bundle": "YOUNG-PROTECT",
        })
    };
    let q = run(&bundle("1996-05-01", &["CI", "MED"]));
    // 5% of (5829.00 + 248.00)
    assert_eq!(q.totals.discount_first_year.to_string(), "303.85");
    assert_eq!(rejected(&run(&bundle("1986-05-01", &["CI", "MED"]))), ["bundle.age"]);
    assert_eq!(rejected(&run(&bundle("1996-05-01", &["CI"]))), ["coupon.wrong_product"]);
}

#[test]
fn coupons_change_the_digest_and_the_quote_verifies() {
    let plain = run(&request_with(&[], "2026-11-25", "years:20"));
    let with = run(&request_with(&["PROMO-NOV"], "2026-11-25", "years:20"));
    assert_ne!(plain.digest, with.digest);
    let json = serde_json::to_value(&with).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    assert!(matches!(
        premia_core::verify::verify(&demo::catalogue(), &json, today).unwrap(),
        premia_core::verify::Verdict::Valid { .. }
    ));
    // Removing the discount from the submitted quote is caught.
    let mut tampered = json.clone();
    tampered["totals"]["discount_first_year"] = json!("0");
    let verdict = premia_core::verify::verify(&demo::catalogue(), &tampered, today).unwrap();
    assert!(matches!(verdict, premia_core::verify::Verdict::Invalid { .. }));
}

#[test]
fn refusals_name_products_channels_and_kinds_in_words_not_codes() {
    // The November campaign is for CI, TERM, WL and LTC: refused for medical cover alone.
    let mut medical = request_with(&["PROMO-NOV"], "2026-11-25", "years:1");
    medical["coverages"] = json!([{ "product": "MED", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual", "plan": "D10K" }]);
    let q = run(&medical);
    let message = &q.rejected_coupons[0].message;
    assert_eq!(q.rejected_coupons[0].code, "coupon.wrong_product");
    let names: Vec<String> = ["CI", "TERM", "WL", "LTC"].into_iter().map(product_name).collect();
    assert_eq!(message.zh, format!("优惠仅适用于：{}", names.join("、")));
    assert!(message.zh.contains("安心重疾险（2026版）"), "{}", message.zh);
    assert!(!message.en.contains("CI,"), "{}", message.en);
    // ONLINE-2026 is for direct sales: an agent's quote is refused in words.
    let q = run(&request_with(&["ONLINE-2026"], "2026-11-25", "years:20"));
    assert_eq!(q.rejected_coupons[0].message.zh, "此优惠不适用于代理人投保");
    assert_eq!(q.rejected_coupons[0].message.en, "the coupon is not for agents' sales");
    // Two campaigns: the second is refused as a second campaign discount, not "campaign类".
    let mut direct = request_with(&["PROMO-NOV", "ONLINE-2026"], "2026-11-25", "years:20");
    direct["channel"] = json!({ "kind": "direct" });
    let q = run(&direct);
    assert_eq!(q.rejected_coupons[0].code, "coupon.duplicate_kind");
    assert_eq!(q.rejected_coupons[0].message.zh, "每份报价只能使用一项活动优惠");
    assert_eq!(q.rejected_coupons[0].message.en, "only one campaign discount may be used per quote");
}

fn product_name(code: &str) -> String {
    demo::catalogue().product(code, "2026-11-25".parse().unwrap()).unwrap().name.zh.to_string()
}

#[test]
fn a_capped_every_year_discount_shows_its_scaled_total_as_a_step_of_its_own() {
    // A 1% cap: 97.15 of 9715.00 in the first year, 1943.00 of 194,300.00 over the 20 years.
    let text = demo::TOML.replace(r#"cap = "0.15""#, r#"cap = "0.01""#);
    let catalogue = Catalogue::load(&text, &demo::file).unwrap();
    let mut direct = request_with(&["ONLINE-2026"], "2026-11-25", "years:20");
    direct["channel"] = json!({ "kind": "direct" });
    let q = run_on(&catalogue, &direct);
    // 2% every year: 194.30 a year, 3886.00 over the terms; the cap keeps 97.15 of the first year's
    // 194.30, so every year keeps the same half: 3886.00 × 97.15 ÷ 194.30 = 1943.00.
    let discount = &q.discounts[0];
    assert!(discount.capped);
    assert_eq!((discount.first_year.to_string(), discount.total.to_string()), ("97.15".into(), "1943.00".into()));
    let codes: Vec<&str> = q.discount_worksheet.iter().map(|s| s.code()).collect();
    let scaled = codes.iter().position(|c| *c == "discount.scaled").expect("the scaled total has its step");
    assert_eq!(codes[scaled + 1], "rounding", "rounded at the discount's rule, and that shown too");
    let step = &q.discount_worksheet[scaled];
    assert_eq!(step.value.to_string(), "1943.00");
    assert_eq!(step.detail().unwrap().en, "ONLINE-2026: 3886.00 × 97.15 kept in the first year ÷ 194.30 before");
    assert_eq!(q.discount_worksheet[scaled + 1].value, discount.total, "the step's result is the discount's total");
    assert_eq!(q.totals.discount_total, discount.total);
    // The whole discount worksheet as people read it, in both languages (a golden: wording is a diff).
    let text: String = q
        .discount_worksheet
        .iter()
        .map(|step| {
            let detail = step.detail().unwrap_or_else(|| premia_core::Text::fixed("", ""));
            format!(
                "{} | {} | {}\n{} | {} | {}\n",
                step.label().zh,
                detail.zh,
                step.value,
                step.label().en,
                detail.en,
                step.value
            )
        })
        .collect();
    expect_test::expect![[r#"
        优惠监管上限（首年） | 总保费 9715.00 × 0.01 | 97.1500
        regulatory cap on discounts (first year) | gross premium 9715.00 × 0.01 | 97.1500
        优惠金额舍入 | 97.1500 → 精确到分，四舍五入 | 97.15
        round the discount | 97.1500 to 2 places, half up | 97.15
        优惠监管上限（交费期内） | 总保费 194300.00 × 0.01 | 1943.0000
        regulatory cap on discounts (over the terms) | gross premium 194300.00 × 0.01 | 1943.0000
        优惠金额舍入 | 1943.0000 → 精确到分，四舍五入 | 1943.00
        round the discount | 1943.0000 to 2 places, half up | 1943.00
        比例优惠 | ONLINE-2026：CI 首年保费 9715.00 × 0.02 | 194.3000
        percentage discount | ONLINE-2026: CI first-year premium 9715.00 × 0.02 | 194.3000
        优惠金额舍入 | 194.3000 → 精确到分，四舍五入 | 194.30
        round the discount | 194.3000 to 2 places, half up | 194.30
        每年优惠合计 | ONLINE-2026：CI 194.30 × 20 年 | 3886.00
        discount in every paying year | ONLINE-2026: CI 194.30 × 20 years | 3886.00
        交费期内优惠按同一比例削减 | ONLINE-2026：3886.00 × 首年保留 97.15 ÷ 首年原为 194.30 | 1943.00
        discount over the terms, reduced in the same proportion | ONLINE-2026: 3886.00 × 97.15 kept in the first year ÷ 194.30 before | 1943.00
        优惠金额舍入 | 1943.00 → 精确到分，四舍五入 | 1943.00
        round the discount | 1943.00 to 2 places, half up | 1943.00
        按监管上限削减 | ONLINE-2026：194.30 超出上限余额 97.15 | 97.15
        reduced to the regulatory cap | ONLINE-2026: 194.30 is more than the 97.15 the cap leaves | 97.15
    "#]].assert_eq(&text);
}
