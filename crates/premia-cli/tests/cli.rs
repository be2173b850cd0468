//! The `premia` binary as a user runs it.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn premia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_premia")).args(args).current_dir(root()).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn quotes_every_demo_product_with_premium_and_worksheet() {
    for product in ["ci", "med", "term", "wl", "ann", "acc", "ltc", "hmb"] {
        let file = format!("examples/requests/{product}.json");
        let out = premia(&["quote", &file]);
        assert!(out.status.success(), "{file}: {}", text(&out.stderr));
        let quote: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let premium: f64 = quote["totals"]["annual_premium"].as_str().unwrap().parse().unwrap();
        assert!(premium > 0.0, "{file}");
        assert!(!quote["coverages"][0]["worksheet"].as_array().unwrap().is_empty(), "{file}");

        let explained = premia(&["quote", "--explain", "--lang", "en", &file]);
        assert!(explained.status.success());
        let table = text(&explained.stdout);
        assert!(table.contains("Totals: annual premium"), "{table}");
        assert!(table.contains("round the base premium"), "{table}");
    }
}

#[test]
fn explains_in_chinese_by_default() {
    let out = premia(&["quote", "--explain", "examples/requests/ci.json"]);
    let table = text(&out.stdout);
    assert!(table.contains("查费率表") && table.contains("合计：年保费"), "{table}");
}

#[test]
fn a_bad_request_lists_every_error_on_stderr_and_exits_1() {
    let out = premia(&["quote", "--lang", "en", "examples/requests/bad-rules.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    for expected in [
        "channel.agent_code",
        "insured.occupation_class",
        "coverages[0].sum_assured",
        "coverages[0].payment_term",
        "coverages[1].plan",
        "coverages[2].product",
        "coverages[3].guaranteed_years",
    ] {
        assert!(stderr.contains(expected), "missing {expected} in\n{stderr}");
    }
    assert!(
        stderr.contains("被保险人 66 岁，超过安心重疾险（2026版）的最高投保年龄 55 岁"),
        "both languages:\n{stderr}"
    );
}

#[test]
fn reads_the_request_from_stdin() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_premia"))
        .args(["quote", "-"])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let request = std::fs::read(root().join("examples/requests/hmb.json")).unwrap();
    child.stdin.take().unwrap().write_all(&request).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("\"annual_premium\": \"129.00\""));
}

#[test]
fn checks_the_embedded_and_the_file_catalogue() {
    for args in [&["catalogue", "check"][..], &["catalogue", "check", "catalogue/demo.toml"][..]] {
        let out = premia(args);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
        assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    }
}

#[test]
fn compiles_the_demo_catalogue_to_the_committed_bytes() {
    // Standard output here is a pipe, so the binary form may go there.
    let out = premia(&["catalogue", "compile", "catalogue/demo.toml"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let committed = std::fs::read(root().join("catalogue/demo.compiled.bin")).unwrap();
    assert!(out.stdout == committed, "catalogue/demo.compiled.bin is what `premia catalogue compile` writes");
    let broken = premia(&["catalogue", "compile", "crates/premia-cli/tests/fixtures/broken.toml"]);
    assert_eq!(broken.status.code(), Some(1), "only a valid catalogue compiles");
    assert!(broken.stdout.is_empty());
}

#[test]
fn a_malformed_catalogue_reports_every_error_with_its_place() {
    let out = premia(&["--lang", "en", "catalogue", "check", "crates/premia-cli/tests/fixtures/broken.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    for expected in [
        "product[CI v1].effective_from",
        "product[CI v1].issue_age",
        "product[CI v1].sum_assured.step",
        "product[CI v1].coverage_terms[0]",
        "product[CI v1].frequencies.monthly",
        "product[CI v1].rating.tables[lifelong] line 2 (age 18) column \"female years:10\"",
        "product[CI v1].rating.tables[lifelong] line 3",
        "product[TERM v1].rating.mortality",
        "product[TERM v1].rating.interest",
    ] {
        assert!(stderr.contains(expected), "missing {expected} in\n{stderr}");
    }
}

#[test]
fn shows_the_products() {
    let out = premia(&["catalogue", "show", "--lang", "en"]);
    let stdout = text(&out.stdout);
    for code in ["CI", "MED", "TERM", "WL", "ANN", "ACC", "LTC", "HMB"] {
        assert!(stdout.lines().any(|l| l.starts_with(code)), "{code} missing:\n{stdout}");
    }
    let json = premia(&["catalogue", "show", "--json"]);
    let products: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(products.as_array().unwrap().len(), 9);
}

#[test]
fn an_unreadable_file_exits_2() {
    let out = premia(&["quote", "no/such/request.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no/such/request.json"));
}

#[test]
fn validates_resident_ids_and_names_each_failed_check() {
    let ok = premia(&["--lang", "en", "id", "11010519491231002x", "--date", "2026-11-25"]);
    assert!(ok.status.success());
    let stdout = text(&ok.stdout);
    assert!(stdout.contains("1949-12-31") && stdout.contains("female") && stdout.contains("Beijing"), "{stdout}");

    let bad = premia(&["--lang", "en", "id", "990105199002301231", "--date", "2026-11-25"]);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = text(&bad.stderr);
    for check in ["resident_id.province", "resident_id.birth_date", "resident_id.checksum"] {
        assert!(stderr.contains(check), "{check} missing:\n{stderr}");
    }
}

#[test]
fn recommends_ranked_bundles() {
    let out = premia(&["--lang", "en", "recommend", "--date", "2026-11-25", "examples/profiles/thirty.json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let young = stdout.find("YOUNG-PROTECT").unwrap();
    let health = stdout.find("HEALTH-ANNUITY").unwrap();
    assert!(young < health, "{stdout}");
    let json = premia(&["recommend", "--json", "--date", "2026-11-25", "examples/profiles/thirty.json"]);
    let offers: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(offers[0]["bundle"], "YOUNG-PROTECT");
}

#[test]
fn issued_coupons_apply_and_an_unknown_key_is_refused() {
    let out = premia(&[
        "coupon",
        "issue",
        "--key",
        "catalogue/keys/demo-coupon-signing.key",
        "--kind",
        "referral",
        "--series",
        "REFER-2026",
        "--id",
        "R-CLI-1",
        "--referrer",
        "C-42",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_owned();
    assert!(token.starts_with("PV1."));
    let claims =
        premia_core::coupon::verify_token(&token, premia_core::demo::catalogue().coupons.public_key.as_ref()).unwrap();
    assert_eq!(claims.id, "R-CLI-1");
    assert_eq!(claims.referrer.as_deref(), Some("C-42"));

    let dir = std::env::temp_dir().join(format!("premia-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("other.key");
    let _ = std::fs::remove_file(&key);
    let keygen = premia(&["coupon", "keygen", "--out", key.to_str().unwrap()]);
    assert!(keygen.status.success());
    assert_eq!(text(&keygen.stdout).trim().len(), 64, "prints the public key");
    let again = premia(&["coupon", "keygen", "--out", key.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "never overwrites a key");
    let refused = premia(&[
        "coupon",
        "issue",
        "--key",
        key.to_str().unwrap(),
        "--kind",
        "voucher",
        "--series",
        "V200",
        "--id",
        "V-9",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("public key"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn quote_explain_shows_decisions_and_discounts() {
    let out = premia(&["--lang", "en", "quote", "--explain", "examples/requests/ci-two-coupons.json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for expected in [
        "Accepted with conditions",
        "(+25.00%)",
        "thyroid disease excluded",
        "PROMO-NOV",
        "V-DEMO-0001",
        "Underwriting:",
    ] {
        assert!(stdout.contains(expected), "{expected} missing:\n{stdout}");
    }
}

#[test]
fn the_underwriting_simulation_prints_the_straight_through_share() {
    let out = premia(&["--lang", "en", "underwriting", "simulate", "--count", "2000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout.lines().find(|l| l.starts_with("straight-through")).unwrap();
    // "straight-through (automatic decisions): N / 2000 = S%": every applicant is accounted for.
    assert!(line.contains("/ 2000 ="), "{line}");
    assert!(!stdout.contains("could not be quoted"), "{stdout}");
}

/// The worksheet as people read it, for every example request in both languages, against its golden
/// file (`tests/goldens/explain/`): a changed wording or step is a diff to review. `UPDATE_EXPECT=1
/// cargo test -p premia-cli --test cli` rewrites them.
#[test]
fn explained_worksheets_match_their_golden_files() {
    let dir = root().join("examples/requests");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
        .filter(|n| !n.starts_with("bad"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for name in &names {
        for lang in ["zh-CN", "en"] {
            let file = format!("examples/requests/{name}.json");
            let out = premia(&["--lang", lang, "quote", "--explain", &file]);
            assert!(out.status.success(), "{file}: {}", text(&out.stderr));
            expect_test::expect_file![format!("goldens/explain/{name}.{lang}.txt")].assert_eq(&text(&out.stdout));
        }
    }
}
