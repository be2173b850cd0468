//! The `premia` binary as a user runs it.

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
    assert!(stderr.contains("年龄 66 岁超过产品 CI 的最高投保年龄 55 岁"), "both languages:\n{stderr}");
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
