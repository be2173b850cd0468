//! The server-side commands of `premia`: `verify` on a JSON-lines file, `blacklist` and `agent` against
//! a SQLite store.

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

#[test]
fn blacklist_stores_only_the_salted_hash() {
    let dir = scratch("blacklist");
    let url = format!("sqlite:{}", dir.join("premia.db").display());
    let id = "11010519491231002X";
    let output = premia(&["blacklist", "add", "--resident-id", id, "--reason", "fraud", "--database-url", &url]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let output =
        premia(&["blacklist", "add", "--agent", "A6666", "--reason", "commission fraud", "--database-url", &url]);
    assert!(output.status.success());
    let output = premia(&["blacklist", "list", "--json", "--database-url", &url]);
    let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let salt = premia_core::demo::catalogue().id_hash_salt;
    let hash = premia_core::resident_id::salted_hash(id, &salt);
    assert_eq!(listed[1]["kind"], "resident_id");
    assert_eq!(listed[1]["value"], hash.as_str());
    assert!(!String::from_utf8_lossy(&output.stdout).contains(id), "the number is never stored");
    let database = std::fs::read(dir.join("premia.db")).unwrap();
    assert!(!database.windows(id.len()).any(|w| w == id.as_bytes()), "nor is it in the database file");

    // A mistyped number is refused with the rule it breaks.
    let output = premia(&[
        "--lang",
        "en",
        "blacklist",
        "add",
        "--resident-id",
        "110105194912310021",
        "--reason",
        "x",
        "--database-url",
        &url,
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("resident_id.checksum"));
    assert!(premia(&["blacklist", "remove", "--resident-id", id, "--database-url", &url]).status.success());
    assert_eq!(premia(&["blacklist", "remove", "--resident-id", id, "--database-url", &url]).status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn agent_tokens_are_issued_once_and_revoked() {
    let dir = scratch("agent");
    let url = format!("sqlite:{}", dir.join("premia.db").display());
    let output = premia(&["agent", "issue", "A1001", "--label", "laptop", "--database-url", &url]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("pat_") && token.len() == 4 + 12 + 1 + 64, "{token}");
    let listed: Value =
        serde_json::from_slice(&premia(&["agent", "list", "--json", "--database-url", &url]).stdout).unwrap();
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed[0]["agent_code"], "A1001");
    assert!(!listed.to_string().contains(&token[17..]), "the secret is never listed");
    assert_eq!(premia(&["agent", "issue", "bad code", "--database-url", &url]).status.code(), Some(1));
    assert!(premia(&["agent", "revoke", &id, "--database-url", &url]).status.success());
    assert_eq!(premia(&["agent", "revoke", &id, "--database-url", &url]).status.code(), Some(1), "already revoked");
    std::fs::remove_dir_all(&dir).unwrap();
}
