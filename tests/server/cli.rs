//! `premia verify` on a JSON-lines file (the server's own administration commands, `premia-server
//! blacklist|agent|referrals|keys`, are tested in `admin.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn premia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_premia")).args(args).env_remove("PREMIA_DATABASE_URL").output().unwrap()
}

/// A fresh folder under the system temp dir, removed by the test at the end.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("premia-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn genuine(days: u64) -> String {
    let catalogue = premia_core::demo::catalogue();
    let birth = chrono::NaiveDate::from_ymd_opt(1985, 1, 1).unwrap() + chrono::Days::new(days);
    let request = serde_json::from_value(json!({
        "quote_date": "2026-11-25",
        "insured": { "birth_date": birth, "sex": "male", "smoker": false, "occupation_class": 1,
                     "social_insurance": true, "region": "310000" },
        "coverages": [{ "product": "HMB", "sum_assured": "3000000", "coverage_term": "years:1",
                        "payment_term": "years:1", "frequency": "annual" }],
        "channel": { "kind": "direct" }
    }))
    .unwrap();
    serde_json::to_string(&premia_core::quote(&catalogue, &request).unwrap()).unwrap()
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn verify_writes_a_verdict_per_line_in_order_and_fails_on_an_invalid_quote() {
    let dir = scratch("verify");
    let mut tampered: Value = serde_json::from_str(&genuine(3)).unwrap();
    tampered["totals"]["annual_premium"] = json!("1.00");
    let file = dir.join("quotes.jsonl");
    let text = format!("{}\n{}\r\n\n{}\n{}\nnot json\n", genuine(1), genuine(2), genuine(4), tampered);
    std::fs::write(&file, text).unwrap();
    let out = dir.join("verdicts.jsonl");
    let output = premia(&["verify", file.to_str().unwrap(), "--today", "2026-11-26", "-o", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let verdicts = lines(&out);
    let summary: Vec<(u64, &str)> =
        verdicts.iter().map(|v| (v["line"].as_u64().unwrap(), v["verdict"].as_str().unwrap())).collect();
    assert_eq!(summary, [(1, "valid"), (2, "valid"), (4, "valid"), (5, "invalid"), (6, "rejected")]);
    assert_eq!(verdicts[3]["mismatches"][0]["path"], "/totals/annual_premium");
    assert_eq!(verdicts[4]["errors"][0]["field"], "body");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("5 quotes: 3 valid, 1 invalid"), "{stderr}");

    // All genuine: exit 0. Past their validity: re-quote needed, which is not a failure.
    std::fs::write(&file, format!("{}\n{}\n", genuine(1), genuine(2))).unwrap();
    let output = premia(&["verify", file.to_str().unwrap(), "--today", "2026-11-26", "-o", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let output = premia(&["verify", file.to_str().unwrap(), "--today", "2027-03-01", "-o", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert!(lines(&out).iter().all(|v| v["verdict"] == "requote_needed" && v["reason"] == "expired"));
    std::fs::remove_dir_all(&dir).unwrap();
}
