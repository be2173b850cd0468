//! Write genuine quotes, one JSON line each, for `premia verify` and the load benchmarks.
//!
//!   cargo run --release -p premia-server --example quotes_jsonl -- [--applications] COUNT [DATE] [TAMPER_EVERY] > quotes.jsonl
//!
//! DATE (YYYY-MM-DD) is the quote date (default: today in China); with TAMPER_EVERY = k, every k-th quote
//! has its first coverage's annual premium raised by 0.01 (so `premia verify` must report it). With
//! `--applications`, each line is a body for `POST /api/quotes` instead: `{"quote": …, "resident_id": …}`,
//! every quote priced with the insured's (generated) resident ID number. With `--requests COUNT DATE
//! SEED`, each line is the request of a genuine quote (exactly the corpus `tests/server` prices for that
//! seed), for the wasm build to quote: `scripts/web-test.sh` makes the server tests' corpus that way.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use premia_test_support::quotes;

use std::io::Write;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--requests") {
        return requests(&args[1..]);
    }
    let applications = args.first().is_some_and(|a| a == "--applications");
    if applications {
        args.remove(0);
    }
    let count: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .expect("usage: quotes_jsonl [--applications] COUNT [DATE] [TAMPER_EVERY]");
    let date = args.get(1).map(|d| d.parse().expect("DATE as YYYY-MM-DD")).unwrap_or_else(|| {
        let cst = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        chrono::Utc::now().with_timezone(&cst).date_naive()
    });
    let tamper_every: usize = args.get(2).map_or(0, |k| k.parse().expect("TAMPER_EVERY as a number"));
    let catalogue = premia_core::demo::catalogue();
    // A pool of distinct genuine quotes, repeated: pricing a million distinct requests here would only
    // time the generator.
    let lines: Vec<Vec<u8>> = if applications {
        let pool = quotes::applications(&catalogue, count.min(20_000), 2026, date);
        pool.iter().map(quotes::Application::envelope).collect()
    } else {
        let pool = quotes::genuine(&catalogue, count.min(20_000), 2026, date);
        pool.iter().map(|q| serde_json::to_vec(q).unwrap()).collect()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    for i in 0..count {
        let line = &lines[i % lines.len()];
        if tamper_every > 0 && (i + 1) % tamper_every == 0 {
            let mut value: serde_json::Value = serde_json::from_slice(line).unwrap();
            let pointer =
                if applications { "/quote/coverages/0/annual_premium" } else { "/coverages/0/annual_premium" };
            let slot = value.pointer_mut(pointer).unwrap();
            let premium: rust_decimal::Decimal = slot.as_str().unwrap().parse().unwrap();
            *slot = (premium + rust_decimal::Decimal::new(1, 2)).to_string().into();
            serde_json::to_writer(&mut out, &value).unwrap();
        } else {
            out.write_all(line).unwrap();
        }
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
}

/// The requests of the tests' genuine corpus for a seed, one per line.
fn requests(args: &[String]) {
    let usage = "usage: quotes_jsonl --requests COUNT DATE SEED";
    let count: usize = args.first().and_then(|a| a.parse().ok()).expect(usage);
    let date = args.get(1).and_then(|d| d.parse().ok()).expect(usage);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).expect(usage);
    let catalogue = premia_core::demo::catalogue();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for quote in quotes::genuine(&catalogue, count, seed, date) {
        serde_json::to_writer(&mut out, &quote.request).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
}
