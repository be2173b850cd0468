//! Genuine quotes for the tests: varied requests over every line of the demo catalogue, priced by the
//! engine. The browser's wasm build produces the same bytes (the web parity test proves it); to test
//! quotes from the wasm package itself, write them one JSON per line to a file and point
//! `PREMIA_TEST_QUOTES` at it — `genuine()` then reads that file instead of pricing here.
//!
//! Submitting needs the insured's resident ID number beside the quote (`POST /api/quotes` takes
//! `{"quote", "resident_id"}`): [`applications`] and [`one`] price every request with a number and keep
//! it, and [`Application::envelope`] writes the body.

use chrono::NaiveDate;
use premia_core::{Catalogue, Quote, QuoteRequest};
use rand_xoshiro::SplitMix64;
use rand_xoshiro::rand_core::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};

/// The date the test server's clock shows.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("valid date")
}

/// A small deterministic generator (SplitMix64, rand_xoshiro's): the same corpus on every run and
/// platform.
#[derive(Debug)]
pub struct Rng(SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(SplitMix64::seed_from_u64(seed))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// One request for a random person and product; may break a product rule (the caller keeps only the
/// ones the engine prices).
pub fn random_request(rng: &mut Rng, quote_date: NaiveDate, agent: bool) -> Value {
    let age = 18 + rng.below(38) as i64;
    let birth = quote_date - chrono::Days::new((age * 365 + rng.below(365) as i64) as u64);
    let frequency = *rng.pick(&["annual", "annual", "semi_annual", "quarterly", "monthly"]);
    let coverage = match rng.below(8) {
        0 => json!({ "product": "CI", "sum_assured": format!("{}", 10_000 * (5 + rng.below(50))),
                     "coverage_term": rng.pick(&["lifelong", "to_age:70"]), "payment_term": rng.pick(&["years:10", "years:20", "years:30"]),
                     "frequency": frequency }),
        1 => json!({ "product": "TERM", "sum_assured": format!("{}", 10_000 * (10 + rng.below(200))),
                     "coverage_term": rng.pick(&["years:20", "years:30", "to_age:70"]), "payment_term": rng.pick(&["years:10", "years:20"]),
                     "frequency": frequency }),
        2 => json!({ "product": "WL", "sum_assured": format!("{}", 10_000 * (5 + rng.below(100))),
                     "coverage_term": "lifelong", "payment_term": rng.pick(&["years:10", "years:20"]), "frequency": frequency }),
        3 => json!({ "product": "ANN", "annuity_amount": format!("{}", 100 * (12 + rng.below(500))),
                     "coverage_term": "lifelong", "payment_term": rng.pick(&["years:5", "years:10"]), "frequency": "annual",
                     "payout_start_age": 60, "guaranteed_years": 20 }),
        4 => json!({ "product": "ACC", "sum_assured": format!("{}", 50_000 * (2 + rng.below(20))),
                     "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual" }),
        5 => json!({ "product": "LTC", "sum_assured": format!("{}", 10_000 * (5 + rng.below(40))),
                     "coverage_term": "lifelong", "payment_term": rng.pick(&["years:10", "years:20"]), "frequency": frequency }),
        6 => json!({ "product": "MED", "sum_assured": "3000000", "coverage_term": "years:1", "payment_term": "years:1",
                     "frequency": "annual", "plan": rng.pick(&["D10K", "D5K"]) }),
        _ => json!({ "product": "HMB", "sum_assured": "3000000", "coverage_term": "years:1", "payment_term": "years:1",
                     "frequency": "annual" }),
    };
    let channel = if agent {
        json!({ "kind": "agent", "agent_code": format!("A{}", 1000 + rng.below(50)) })
    } else {
        json!({ "kind": "direct" })
    };
    let mut insured = json!({
        "smoker": rng.below(5) == 0,
        "occupation_class": 1 + rng.below(3), "social_insurance": rng.below(4) != 0,
        "region": rng.pick(&["310000", "110000", "440300", "330100", "510100"]),
        "height_cm": "170",
        // One in ten is overweight (BMI 30.4): referred to manual underwriting.
        "weight_kg": if rng.below(10) == 0 { "88" } else { "65" },
        "annual_income": "400000",
        "health_answers": {
            "CANCER": { "yes": false }, "HEART": { "yes": false }, "HTN": { "yes": false },
            "DIABETES": { "yes": false }, "HOSPITAL": { "yes": false }, "THYROID": { "yes": false },
        },
    });
    let sex = *rng.pick(&["male", "female"]);
    if rng.below(3) == 0 {
        // A resident ID gives birth date and sex; the quote keeps only its salted hash.
        insured["resident_id"] = json!(resident_id(rng, birth, sex));
    } else {
        insured["birth_date"] = json!(birth);
        insured["sex"] = json!(sex);
    }
    let mut request =
        json!({ "quote_date": quote_date, "insured": insured, "coverages": [coverage], "channel": channel });
    // Some use a campaign code, a voucher or a referral code. Vouchers come from a pool of 64 ids per
    // series: signing and verifying Ed25519 is slow in debug builds, and the engine caches verified
    // tokens. (Tests that submit must therefore not expect every voucher to be unused.)
    let coupons: Vec<String> = match rng.below(6) {
        0 => vec!["PROMO-NOV".into()],
        1 => vec![voucher("V200", &format!("V200-{:02}", rng.below(64)))],
        2 => vec!["PROMO-NOV".into(), voucher("V50", &format!("V50-{:02}", rng.below(64)))],
        3 => vec![referral(&format!("R-{:02}", rng.below(64)))],
        _ => Vec::new(),
    };
    if !coupons.is_empty() {
        request["coupons"] = json!(coupons);
    }
    request
}

/// The demo catalogue's coupon signing key (committed for demos and tests: catalogue/keys/README.md).
pub fn coupon_key() -> ed25519_dalek::SigningKey {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalogue/keys/demo-coupon-signing.key");
    let hex = std::fs::read_to_string(path).expect("demo coupon key");
    let hex = hex.trim();
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex seed");
    }
    ed25519_dalek::SigningKey::from_bytes(&seed)
}

fn token(kind: premia_core::coupon::TokenKind, series: &str, id: &str) -> String {
    thread_local! {
        static ISSUED: std::cell::RefCell<std::collections::HashMap<String, String>> = Default::default();
    }
    let key = format!("{kind:?}/{series}/{id}");
    if let Some(token) = ISSUED.with_borrow(|issued| issued.get(&key).cloned()) {
        return token;
    }
    let claims = premia_core::coupon::Claims {
        catalogue: "PREMIA-DEMO".into(),
        kind,
        series: series.into(),
        id: id.into(),
        expires: None,
        referrer: None,
    };
    let token = premia_core::coupon::issue(&claims, &coupon_key());
    ISSUED.with_borrow_mut(|issued| issued.insert(key, token.clone()));
    token
}

/// A signed single-use voucher of `series` (V200, V50) with this id.
pub fn voucher(series: &str, id: &str) -> String {
    token(premia_core::coupon::TokenKind::Voucher, series, id)
}

/// A signed referral code (reusable).
pub fn referral(id: &str) -> String {
    token(premia_core::coupon::TokenKind::Referral, "REFER-2026", id)
}

/// A valid resident ID number (Beijing, Xicheng) for this birth date and sex.
pub fn resident_id(rng: &mut Rng, birth: NaiveDate, sex: &str) -> String {
    let sequence = 2 * rng.below(499) + 1 + u64::from(sex == "female");
    let first17 = format!("110102{}{sequence:03}", birth.format("%Y%m%d"));
    let check = premia_core::resident_id::check_char(first17.as_bytes());
    format!("{first17}{check}")
}

/// `n` genuine quotes priced on `quote_date` (or read from `PREMIA_TEST_QUOTES`, see the module docs).
pub fn genuine(catalogue: &Catalogue, n: usize, seed: u64, quote_date: NaiveDate) -> Vec<Quote> {
    if let Ok(path) = std::env::var("PREMIA_TEST_QUOTES") {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
        return text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(n)
            .map(|l| serde_json::from_str(l).expect("a quote per line"))
            .collect();
    }
    let mut rng = Rng::new(seed);
    let mut quotes = Vec::with_capacity(n);
    let mut tries = 0;
    while quotes.len() < n {
        tries += 1;
        assert!(tries < n * 20 + 1000, "the generator makes too few priceable requests");
        let agent = rng.below(2) == 0;
        let request: QuoteRequest =
            serde_json::from_value(random_request(&mut rng, quote_date, agent)).expect("request shape");
        if let Ok(quote) = premia_core::quote(catalogue, &request) {
            quotes.push(quote);
        }
    }
    quotes
}

/// A quote priced with the insured's resident ID number, and that number: what an application sends.
#[derive(Debug, Clone)]
pub struct Application {
    pub quote: Quote,
    pub resident_id: String,
}

impl Application {
    /// The body of `POST /api/quotes`: the quote exactly as the engine wrote it, beside the number.
    pub fn envelope(&self) -> Vec<u8> {
        envelope(&self.quote, &self.resident_id)
    }
}

/// `{"quote": <quote>, "resident_id": <number>}`, the quote's bytes as `serde_json::to_vec(quote)`.
pub fn envelope(quote: &Quote, resident_id: &str) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Envelope<'a> {
        quote: &'a Quote,
        resident_id: &'a str,
    }
    serde_json::to_vec(&Envelope { quote, resident_id }).expect("serializable")
}

/// An envelope around a quote given as JSON (e.g. a tampered one).
pub fn envelope_value(quote: &Value, resident_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({ "quote": quote, "resident_id": resident_id })).expect("serializable")
}

/// Make `request` (from [`random_request`]) give the insured by a resident ID number, and return it: the
/// number it has, or one for its birth date and sex (which it replaces, so the price stays the same).
/// `seed` picks the sequence digits; the generator's own sequence is left alone.
pub fn give_resident_id(request: &mut Value, seed: u64) -> String {
    let insured = &mut request["insured"];
    if let Some(id) = insured["resident_id"].as_str() {
        return id.to_owned();
    }
    let birth: NaiveDate = serde_json::from_value(insured["birth_date"].clone()).expect("a birth date");
    let sex = insured["sex"].as_str().expect("a sex").to_owned();
    let id = resident_id(&mut Rng::new(seed), birth, &sex);
    let fields = insured.as_object_mut().expect("insured is an object");
    fields.remove("birth_date");
    fields.remove("sex");
    fields.insert("resident_id".into(), json!(id));
    id
}

/// `n` genuine quotes priced on `quote_date`, every one with a resident ID number (kept beside it), so
/// that each can be submitted. Same requests as [`genuine`] otherwise; never read from a file.
pub fn applications(catalogue: &Catalogue, n: usize, seed: u64, quote_date: NaiveDate) -> Vec<Application> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n);
    let mut tries = 0;
    while out.len() < n {
        tries += 1;
        assert!(tries < n * 20 + 1000, "the generator makes too few priceable requests");
        let agent = rng.below(2) == 0;
        let mut request = random_request(&mut rng, quote_date, agent);
        let resident_id = give_resident_id(&mut request, seed ^ tries as u64);
        let request: QuoteRequest = serde_json::from_value(request).expect("request shape");
        if let Ok(quote) = premia_core::quote(catalogue, &request) {
            out.push(Application { quote, resident_id });
        }
    }
    out
}

/// One genuine quote sold by `agent_code` (or direct), for a given seed, priced with a resident ID number.
pub fn one(catalogue: &Catalogue, seed: u64, agent_code: Option<&str>) -> Application {
    let mut rng = Rng::new(seed);
    loop {
        let mut request = random_request(&mut rng, today(), agent_code.is_some());
        if let Some(code) = agent_code {
            request["channel"]["agent_code"] = json!(code);
        }
        let resident_id = give_resident_id(&mut request, seed);
        let request: QuoteRequest = serde_json::from_value(request).expect("request shape");
        if let Ok(quote) = premia_core::quote(catalogue, &request) {
            return Application { quote, resident_id };
        }
    }
}

/// A request for an accepted critical-illness quote, sold by agent A1001: a woman born `days` days after
/// 1990-01-01, given by her resident ID number (returned beside the request).
pub fn applicant(days: u64, coupons: &[String]) -> (QuoteRequest, String) {
    applicant_on(today(), days, coupons)
}

/// [`applicant`], quoted on `quote_date`.
pub fn applicant_on(quote_date: NaiveDate, days: u64, coupons: &[String]) -> (QuoteRequest, String) {
    let birth = NaiveDate::from_ymd_opt(1990, 1, 1).expect("valid date") + chrono::Days::new(days);
    let id = resident_id(&mut Rng::new(days), birth, "female");
    let request = serde_json::from_value(json!({
        "quote_date": quote_date,
        "insured": {
            "resident_id": id, "smoker": false, "occupation_class": 1, "social_insurance": true,
            "height_cm": "170", "weight_kg": "65", "annual_income": "400000",
            "health_answers": { "CANCER": { "yes": false }, "HEART": { "yes": false }, "HTN": { "yes": false },
                                "DIABETES": { "yes": false }, "HOSPITAL": { "yes": false }, "THYROID": { "yes": false } },
        },
        "coverages": [{ "product": "CI", "sum_assured": "500000", "coverage_term": "lifelong",
                        "payment_term": "years:20", "frequency": "annual" }],
        "channel": { "kind": "agent", "agent_code": "A1001" },
        "coupons": coupons,
    }))
    .expect("request shape");
    (request, id)
}

/// A signed token of the demo catalogue with every claim given (an expiry, a referrer).
pub fn signed(
    kind: premia_core::coupon::TokenKind,
    series: &str,
    id: &str,
    expires: Option<NaiveDate>,
    referrer: Option<&str>,
) -> String {
    let claims = premia_core::coupon::Claims {
        catalogue: "PREMIA-DEMO".into(),
        kind,
        series: series.into(),
        id: id.into(),
        expires,
        referrer: referrer.map(str::to_owned),
    };
    premia_core::coupon::issue(&claims, &coupon_key())
}
