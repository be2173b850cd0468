//! Every money figure of a quote has the scale its rounding rule says, whatever the factors (a factor
//! of exactly 1, no factor, a loading, riders, any frequency, discounts); and the worksheet shows each
//! step once. Checked over every product, occupation class, smoking status, rider choice, frequency
//! and loading of the demo catalogue, under its own rounding rules and under others (whole yuan,
//! different places per step, product overrides), exhaustively and then by generated requests with
//! several coverages, health answers and coupons.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use premia_core::coupon::{self, Claims, CouponKind, TokenKind};
use premia_core::money::RoundingStep;
use premia_core::request::HealthAnswer;
use premia_core::worksheet::{Step, StepKind};
use premia_core::{
    Catalogue, Channel, CoverageRequest, Frequency, Insured, Product, Quote, QuoteRequest, RiderRequest, Sex, demo,
    quote,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

const DATE: &str = "2026-11-25";

fn date() -> NaiveDate {
    DATE.parse().unwrap()
}

/// The demo catalogue under several rounding rules: as written (fen, half up); whole yuan; different
/// places and modes at every step; and product-level overrides that differ from the catalogue's.
fn catalogues() -> &'static [Catalogue] {
    static CATALOGUES: OnceLock<Vec<Catalogue>> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        let header = r#"default = { scale = 2, mode = "half_up" }"#;
        assert!(demo::TOML.contains(header), "the demo catalogue's rounding header moved");
        let with_header = |rules: &str| demo::TOML.replacen(header, rules, 1);
        let mixed = r#"default = { scale = 2, mode = "half_up" }
base_premium = { scale = 4, mode = "half_even" }
rider_premium = { scale = 3, mode = "down" }
instalment = { scale = 1, mode = "up" }
discount = { scale = 0, mode = "half_up" }"#;
        let acc = r#"name = { zh = "畅行综合意外险", en = "Changxing Accident" }"#;
        let med = r#"name = { zh = "安康百万医疗险", en = "Ankang Million Medical" }"#;
        let overrides = with_header(r#"default = { scale = 3, mode = "down" }"#)
            .replacen(
                acc,
                &format!("{acc}\nrounding = {{ rated_premium = {{ scale = 0, mode = \"up\" }}, instalment = {{ scale = 2, mode = \"half_up\" }} }}"),
                1,
            )
            .replacen(med, &format!("{med}\nrounding = {{ instalment = {{ scale = 0, mode = \"down\" }} }}"), 1);
        [demo::TOML.to_owned(), with_header(r#"default = { scale = 0, mode = "half_up" }"#), with_header(mixed), overrides]
            .iter()
            .map(|text| Catalogue::load(text, &demo::file).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    })
}

fn demo_key() -> SigningKey {
    let hex =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalogue/keys/demo-coupon-signing.key"))
            .unwrap();
    SigningKey::from_bytes(&coupon::key_bytes(&hex).unwrap())
}

/// Codes a person may enter: campaigns (one of them twice, in another spelling), a referral token and
/// vouchers.
fn coupon_codes() -> &'static [String] {
    static CODES: OnceLock<Vec<String>> = OnceLock::new();
    CODES.get_or_init(|| {
        let key = demo_key();
        let token = |kind, series: &str, id: &str| {
            let referrer = (kind == TokenKind::Referral).then(|| "C-1001".to_owned());
            let claims = Claims {
                catalogue: "PREMIA-DEMO".into(),
                kind,
                series: series.into(),
                id: id.into(),
                expires: None,
                referrer,
            };
            coupon::issue(&claims, &key)
        };
        vec![
            "PROMO-NOV".into(),
            "ONLINE-2026".into(),
            "online-2026".into(),
            " promo-nov ".into(),
            token(TokenKind::Referral, "REFER-2026", "R-1"),
            token(TokenKind::Voucher, "V200", "V-1"),
            token(TokenKind::Voucher, "V50", "V-2"),
        ]
    })
}

// ---- the properties ---------------------------------------------------------------------------

/// Each money field of `q` has the scale of the rule that rounds it. Figures without a rule of their
/// own are sums or differences of rounded figures: they have the widest scale of their terms.
fn check_scales(catalogue: &Catalogue, q: &Quote) -> Result<(), String> {
    let fail = |what: &str, value: Decimal, scale: u32| {
        Err(format!("{what} is {value} (scale {}), its rule says {scale} places", value.scale()))
    };
    let rules = &catalogue.rounding;
    let scale = |rules: &premia_core::money::RoundingRules, step| rules.get(step).scale;
    let mut annual_sum = scale(rules, RoundingStep::Instalment);
    let mut premium_sum = annual_sum;
    for c in &q.coverages {
        let product = catalogue.product(&c.product, q.request.quote_date).unwrap();
        let own = &product.rounding;
        let rated = scale(own, RoundingStep::RatedPremium);
        if c.base_premium.scale() != rated {
            return fail(&format!("{} base_premium", c.product), c.base_premium, rated);
        }
        let mut annual = rated;
        for r in &c.riders {
            let rider = scale(own, RoundingStep::RiderPremium);
            if r.annual_premium.scale() != rider {
                return fail(&format!("{} rider {} premium", c.product, r.code), r.annual_premium, rider);
            }
            annual = annual.max(rider);
        }
        if c.annual_premium.scale() != annual {
            return fail(&format!("{} annual_premium", c.product), c.annual_premium, annual);
        }
        let instalment = scale(own, RoundingStep::Instalment);
        for (what, value) in [
            ("instalment_premium", c.instalment_premium),
            ("first_year_premium", c.first_year_premium),
            ("total_premium", c.total_premium),
        ] {
            if value.scale() != instalment {
                return fail(&format!("{} {what}", c.product), value, instalment);
            }
        }
        annual_sum = annual_sum.max(annual);
        premium_sum = premium_sum.max(instalment);
    }
    let discount = scale(rules, RoundingStep::Discount);
    for d in &q.discounts {
        for (what, value) in [("first_year", d.first_year), ("total", d.total)] {
            if value.scale() != discount {
                return fail(&format!("discount {} {what}", d.code), value, discount);
            }
        }
    }
    let t = &q.totals;
    let net = premium_sum.max(discount);
    for (what, value, expected) in [
        ("totals.annual_premium", t.annual_premium, annual_sum),
        ("totals.first_year_premium", t.first_year_premium, premium_sum),
        ("totals.total_premium", t.total_premium, premium_sum),
        ("totals.discount_first_year", t.discount_first_year, discount),
        ("totals.discount_total", t.discount_total, discount),
        ("totals.net_first_year_premium", t.net_first_year_premium, net),
        ("totals.net_total_premium", t.net_total_premium, net),
    ] {
        if value.scale() != expected {
            return fail(what, value, expected);
        }
    }
    Ok(())
}

/// The worksheet shows each step once: no step of a coverage twice; every rounding right after the
/// figure it rounds; in the discounts, the two caps once each and, for every discount given, one
/// working per product it reduces, and nothing for a coupon that gave none.
fn check_steps_once(q: &Quote) -> Result<(), String> {
    for c in &q.coverages {
        no_repeats(&c.worksheet).map_err(|e| format!("{}: {e}", c.product))?;
        roundings_follow_their_figure(&c.worksheet).map_err(|e| format!("{}: {e}", c.product))?;
    }
    let ws = &q.discount_worksheet;
    roundings_follow_their_figure(ws).map_err(|e| format!("discounts: {e}"))?;
    let named: Vec<&Step> = ws.iter().filter(|s| !matches!(s.kind, StepKind::Rounding { .. })).collect();
    for (i, a) in named.iter().enumerate() {
        if named[..i].contains(a) {
            return Err(format!("discounts: step {} twice", a.code()));
        }
    }
    if q.discounts.is_empty() && q.rejected_coupons.is_empty() && q.request.bundle.is_none() {
        return if ws.is_empty() { Ok(()) } else { Err("a worksheet of discounts without coupons".into()) };
    }
    let caps = ws.iter().filter(|s| matches!(s.kind, StepKind::DiscountCap { .. })).count();
    if !ws.is_empty() && caps != 2 {
        return Err(format!("{caps} cap steps"));
    }
    for step in ws {
        let coupon = match &step.kind {
            StepKind::DiscountPercent { coupon, .. }
            | StepKind::DiscountEveryYear { coupon, .. }
            | StepKind::DiscountAmount { coupon, .. }
            | StepKind::DiscountCapped { coupon, .. }
            | StepKind::DiscountScaled { coupon, .. } => coupon,
            _ => continue,
        };
        if !q.discounts.iter().any(|d| &d.code == coupon) {
            return Err(format!("steps of {coupon}, which gave no discount"));
        }
    }
    for d in &q.discounts {
        let of = |p: fn(&StepKind, &str) -> bool| ws.iter().filter(|s| p(&s.kind, &d.code)).count();
        let percent = of(|k, code| matches!(k, StepKind::DiscountPercent { coupon, .. } if coupon == code));
        let amount = of(|k, code| matches!(k, StepKind::DiscountAmount { coupon, .. } if coupon == code));
        let expected = match d.kind {
            CouponKind::Voucher => (0, 1),
            _ => (d.products.len(), 0),
        };
        if (percent, amount) != expected {
            return Err(format!("{}: {percent} percent and {amount} amount steps for {:?}", d.code, d.products));
        }
    }
    Ok(())
}

fn no_repeats(steps: &[Step]) -> Result<(), String> {
    for (i, step) in steps.iter().enumerate() {
        if steps[..i].contains(step) {
            return Err(format!("step {} ({:?}) twice", step.code(), step.detail().map(|d| d.en)));
        }
    }
    Ok(())
}

fn roundings_follow_their_figure(steps: &[Step]) -> Result<(), String> {
    for pair in steps.windows(2) {
        if let StepKind::Rounding { from, step, .. } = &pair[1].kind {
            if *from != pair[0].value {
                return Err(format!("{} rounds {from}, not the {} before it", step.name(), pair[0].value));
            }
        }
    }
    match steps.first().map(|s| &s.kind) {
        Some(StepKind::Rounding { .. }) => Err("a rounding of nothing".into()),
        _ => Ok(()),
    }
}

// ---- requests ---------------------------------------------------------------------------------

fn insured(age: u32, sex: Sex, smoker: bool, occupation_class: u8) -> Insured {
    Insured {
        age: Some(age),
        sex: Some(sex),
        smoker,
        occupation_class,
        social_insurance: true,
        region: Some("310000".into()),
        height_cm: Some(Decimal::from(168)),
        weight_kg: Some(Decimal::from(60)),
        annual_income: Some(Decimal::from(2_000_000)),
        ..Insured::default()
    }
}

/// A coverage of `product` with the options picked by the indexes (each taken modulo what is offered).
fn coverage(product: &Product, pick: [usize; 6], riders: u8, frequency: Frequency) -> CoverageRequest {
    let rule = product.amount;
    let steps = ((rule.max - rule.min) / rule.step).min(Decimal::from(1000));
    let amount = rule.min + rule.step * Decimal::from(pick[0] as u64 % (u64::try_from(steps).unwrap() + 1));
    let annuity = rule.kind == premia_core::catalogue::AmountKind::AnnuityAmount;
    let plans = premia_core_options::plans(product);
    let annuity_options = premia_core_options::annuity(product);
    let chosen_riders = product
        .riders
        .iter()
        .enumerate()
        .filter(|(i, _)| riders & (1 << i) != 0)
        .map(|(_, r)| RiderRequest { code: r.code.clone(), sum_assured: r.amount.map(|a| a.min + a.step) })
        .collect();
    CoverageRequest {
        product: product.code.clone(),
        sum_assured: (!annuity).then_some(amount),
        annuity_amount: annuity.then_some(amount),
        coverage_term: product.coverage_terms[pick[1] % product.coverage_terms.len()],
        payment_term: product.payment_terms[pick[2] % product.payment_terms.len()],
        frequency,
        plan: (!plans.is_empty()).then(|| plans[pick[3] % plans.len()].clone()),
        payout_start_age: annuity_options.as_ref().map(|(ages, _)| ages[pick[4] % ages.len()]),
        guaranteed_years: annuity_options.as_ref().map(|(_, years)| years[pick[5] % years.len()]),
        riders: chosen_riders,
    }
}

/// What the catalogue offers for plans and annuities (the page's `options`, which the core does not
/// export).
mod premia_core_options {
    use premia_core::Product;
    use premia_core::catalogue::Rating;

    pub fn plans(product: &Product) -> Vec<String> {
        match &product.rating {
            Rating::AgeBand { plans, .. } => plans.iter().map(|p| p.id.clone()).collect(),
            _ => Vec::new(),
        }
    }

    pub fn annuity(product: &Product) -> Option<(Vec<u32>, Vec<u32>)> {
        match &product.rating {
            Rating::Actuarial(a) => {
                a.annuity.as_ref().map(|a| (a.payout_start_ages.clone(), a.guaranteed_years.clone()))
            }
            _ => None,
        }
    }
}

fn request(
    insured: Insured,
    coverages: Vec<CoverageRequest>,
    coupons: Vec<String>,
    bundle: Option<String>,
) -> QuoteRequest {
    QuoteRequest { quote_date: date(), insured, coverages, channel: Channel::Direct, coupons, bundle }
}

/// An age every product insures with a term that fits: 30, or the product's nearest issue age.
fn age_for(product: &Product) -> u32 {
    30u32.clamp(product.issue_age.min, product.issue_age.max)
}

// ---- the exhaustive sweep ---------------------------------------------------------------------

/// Every product × occupation class 1-6 × smoker or not × every set of riders × every frequency ×
/// with and without an underwriting loading, under every set of rounding rules.
#[test]
fn every_money_figure_has_its_rules_scale_for_every_product_factor_rider_and_frequency() {
    let mut priced = 0;
    for catalogue in catalogues() {
        for product in catalogue.products_on(date()) {
            for class in 1..=6u8 {
                for smoker in [false, true] {
                    for riders in 0..(1u8 << product.riders.len()) {
                        for &(frequency, _) in &product.frequencies {
                            for loading in [false, true] {
                                let mut person = insured(age_for(product), Sex::Female, smoker, class);
                                if loading {
                                    let controlled = HealthAnswer { yes: true, follow_up: Some("CONTROLLED".into()) };
                                    person.health_answers = BTreeMap::from([("HTN".to_owned(), controlled)]);
                                }
                                let c = coverage(product, [3, 0, 1, 0, 1, 1], riders, frequency);
                                let r = request(person, vec![c], Vec::new(), None);
                                let Ok(q) = quote(catalogue, &r) else { continue };
                                priced += usize::from(!q.coverages.is_empty());
                                let context = format!(
                                    "{} class {class} smoker {smoker} riders {riders:b} {} loading {loading}",
                                    product.code,
                                    frequency.name()
                                );
                                check_scales(catalogue, &q).unwrap_or_else(|e| panic!("{context}: {e}"));
                                check_steps_once(&q).unwrap_or_else(|e| panic!("{context}: {e}"));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(priced > 1000, "only {priced} priced quotes: the sweep tests too little");
}

/// The issue's case: accident cover at occupation class 1 (factor 1.0) is 200.00, not 200.000, in the
/// quote and in its worksheet, which rounds the rated premium like any other.
#[test]
fn a_factor_of_one_still_takes_the_rated_premiums_rounding_step() {
    let catalogue = &catalogues()[0];
    let product = catalogue.product("ACC", date()).unwrap();
    let mut c = coverage(product, [0, 0, 0, 0, 0, 0], 0, Frequency::Annual);
    c.sum_assured = Some(Decimal::from(500_000));
    let q = quote(catalogue, &request(insured(30, Sex::Male, false, 1), vec![c], Vec::new(), None)).unwrap();
    let acc = &q.coverages[0];
    assert_eq!(acc.base_premium.to_string(), "200.00");
    assert_eq!(acc.annual_premium.to_string(), "200.00");
    assert_eq!(q.totals.first_year_premium.to_string(), "200.00");
    let codes: Vec<String> = acc
        .worksheet
        .iter()
        .map(|s| match &s.kind {
            StepKind::Rounding { step, .. } => format!("rounding.{}", step.name()),
            k => k.code().to_owned(),
        })
        .collect();
    assert_eq!(
        codes,
        [
            "table.lookup",
            "table.per_unit",
            "rounding.base_premium",
            "factor",
            "rounding.rated_premium",
            "first_year_premium",
            "total_premium"
        ]
    );
    assert_eq!(acc.worksheet[4].value.to_string(), "200.00");
}

/// The issue's case: ONLINE-2026 entered, then online-2026: the second is refused as the same coupon
/// and its working is not shown again.
#[test]
fn a_coupon_entered_twice_in_two_spellings_shows_its_working_once() {
    let catalogue = &catalogues()[0];
    let product = catalogue.product("CI", date()).unwrap();
    let mut c = coverage(product, [0, 0, 0, 0, 0, 0], 0, Frequency::Annual);
    c.sum_assured = Some(Decimal::from(500_000));
    c.coverage_term = "lifelong".parse().unwrap();
    c.payment_term = "years:20".parse().unwrap();
    let coupons = vec!["ONLINE-2026".to_owned(), "online-2026".to_owned()];
    let q = quote(catalogue, &request(insured(30, Sex::Female, false, 1), vec![c], coupons, None)).unwrap();
    assert_eq!(q.discounts.len(), 1);
    assert_eq!(q.rejected_coupons.len(), 1);
    assert_eq!(q.rejected_coupons[0].code, "duplicate", "the same coupon, not a second one of its kind");
    let percent = q.discount_worksheet.iter().filter(|s| matches!(s.kind, StepKind::DiscountPercent { .. })).count();
    let every_year =
        q.discount_worksheet.iter().filter(|s| matches!(s.kind, StepKind::DiscountEveryYear { .. })).count();
    assert_eq!((percent, every_year), (1, 1), "{:#?}", q.discount_worksheet);
    check_steps_once(&q).unwrap();
}

// ---- generated requests -----------------------------------------------------------------------

fn sex() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Male), Just(Sex::Female)]
}

fn answer() -> impl Strategy<Value = Option<HealthAnswer>> {
    prop_oneof![
        3 => Just(None),
        4 => Just(Some(HealthAnswer { yes: false, follow_up: None })),
        1 => Just(Some(HealthAnswer { yes: true, follow_up: None })),
        2 => Just(Some(HealthAnswer { yes: true, follow_up: Some("CONTROLLED".into()) })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Requests of one to three products with any options, riders, frequencies, factors, health
    /// answers, coupons (repeated, misspelt, over the cap) and bundles: every money figure has its
    /// rule's scale and the worksheet shows each step once.
    #[test]
    fn quotes_keep_their_rules_scale_and_show_each_step_once(
        rules in 0..4usize, picks in proptest::collection::vec((0..8usize, any::<[usize; 6]>(), any::<u8>(), 0..4usize), 1..=3),
        age in 18u32..=55, sex in sex(), smoker: bool, class in 1u8..=6,
        answers in proptest::collection::vec(answer(), 6), coupons in proptest::collection::vec(0..7usize, 0..=4),
        bundle in proptest::option::of(0..8usize),
    ) {
        let catalogue = &catalogues()[rules];
        let products: Vec<&Product> = catalogue.products_on(date()).collect();
        let mut coverages: Vec<CoverageRequest> = Vec::new();
        for (p, pick, riders, frequency) in picks {
            let product = products[p % products.len()];
            if coverages.iter().any(|c| c.product == product.code) {
                continue;
            }
            let frequency = product.frequencies[frequency % product.frequencies.len()].0;
            coverages.push(coverage(product, pick, riders, frequency));
        }
        let mut person = insured(age, sex, smoker, class);
        for (question, answer) in catalogue.underwriting.questions.iter().zip(answers) {
            if let Some(answer) = answer {
                person.health_answers.insert(question.id.clone(), answer);
            }
        }
        let coupons = coupons.into_iter().map(|i| coupon_codes()[i].clone()).collect();
        let bundle = bundle.and_then(|i| catalogue.bundles.get(i)).map(|b| b.id.clone());
        let r = request(person, coverages, coupons, bundle);
        if let Ok(q) = quote(catalogue, &r) {
            prop_assert_eq!(check_scales(catalogue, &q), Ok(()));
            prop_assert_eq!(check_steps_once(&q), Ok(()));
        }
    }
}
