//! Genuine quotes for the tests: varied requests over every line of the demo catalogue, priced by the
//! engine. The browser's wasm build produces the same bytes (the web parity test proves it); to test
//! quotes from the wasm package itself, write them one JSON per line to a file and point
//! `PREMIA_TEST_QUOTES` at it — `genuine()` then reads that file instead of pricing here.

use chrono::NaiveDate;
use premia_core::{Catalogue, Quote, QuoteRequest};
use serde_json::{Value, json};

/// The date the test server's clock shows.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("valid date")
}

/// A small deterministic generator (SplitMix64): the same corpus on every run and platform.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
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
    json!({
        "quote_date": quote_date,
        "insured": {
            "birth_date": birth, "sex": rng.pick(&["male", "female"]), "smoker": rng.below(5) == 0,
            "occupation_class": 1 + rng.below(3), "social_insurance": rng.below(4) != 0,
            "region": rng.pick(&["310000", "110000", "440300", "330100", "510100"]),
        },
        "coverages": [coverage],
        "channel": channel,
    })
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

/// One genuine quote sold by `agent_code` (or direct), for a given seed.
pub fn one(catalogue: &Catalogue, seed: u64, agent_code: Option<&str>) -> Quote {
    let mut rng = Rng::new(seed);
    loop {
        let mut request = random_request(&mut rng, today(), agent_code.is_some());
        if let Some(code) = agent_code {
            request["channel"]["agent_code"] = json!(code);
        }
        let request: QuoteRequest = serde_json::from_value(request).expect("request shape");
        if let Ok(quote) = premia_core::quote(catalogue, &request) {
            return quote;
        }
    }
}
