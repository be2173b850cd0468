//! `premia catalogue check` and `premia catalogue show`.

use std::path::Path;
use std::process::ExitCode;

use premia_core::Lang;
use premia_core::catalogue::{AmountKind, Catalogue, Product};
use serde::Serialize;

use crate::input;
use crate::output::{Failure, Table, print_json, render_errors};

/// Validate the catalogue (every error at once) and run its test cases.
pub fn check(path: Option<&Path>, lang: Lang) -> Result<ExitCode, Failure> {
    let catalogue = input::catalogue(path)?;
    let zh = lang == Lang::Zh;
    println!(
        "{} {} {}: {} {}, {} {}",
        catalogue.id,
        catalogue.version,
        if zh { "有效" } else { "is valid" },
        catalogue.all_products().len(),
        if zh { "个产品版本" } else { "product versions" },
        catalogue.tests.len(),
        if zh { "个测试用例" } else { "test cases" },
    );
    let outcomes = premia_core::check::run_tests(&catalogue);
    let mut failed = 0;
    for outcome in &outcomes {
        if outcome.passed() {
            println!("  ok    {}", outcome.name);
        } else {
            failed += 1;
            println!("  FAIL  {}", outcome.name);
            if let Some(errors) = premia_core::Errors::from_vec(outcome.failures.clone()) {
                for line in render_errors(&errors, lang).lines().skip(1) {
                    println!("    {line}");
                }
            }
        }
    }
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Compile `path` to its binary form, into `out` or onto stdout when that is a file or a pipe.
pub fn compile(path: &Path, out: Option<&Path>) -> Result<ExitCode, Failure> {
    use std::io::{IsTerminal, Write};
    if out.is_none() && std::io::stdout().is_terminal() {
        return Err(Failure::Io(
            "the compiled catalogue is binary: give --out FILE or redirect standard output".into(),
        ));
    }
    let text = input::read_text(path)?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let resolve = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let compiled = premia_core::Catalogue::compile(&text, &resolve).map_err(Failure::Rules)?;
    let written = match out {
        Some(out) => std::fs::write(out, &compiled).map_err(|e| format!("{}: {e}", out.display())),
        None => std::io::stdout().lock().write_all(&compiled).map_err(|e| format!("standard output: {e}")),
    };
    written.map_err(Failure::Io)?;
    Ok(ExitCode::SUCCESS)
}

/// A product version as `catalogue show --json` prints it.
#[derive(Serialize)]
struct ProductSummary<'a> {
    code: &'a str,
    version: u32,
    effective_from: String,
    effective_to: Option<String>,
    name: &'a premia_core::Text,
    line: premia_core::catalogue::Line,
    method: &'static str,
    issue_age: premia_core::catalogue::IssueAge,
    amount: premia_core::catalogue::AmountRule,
    coverage_terms: Vec<String>,
    payment_terms: Vec<String>,
    frequencies: Vec<&'static str>,
    riders: Vec<&'a str>,
}

fn summary(p: &Product) -> ProductSummary<'_> {
    ProductSummary {
        code: &p.code,
        version: p.version,
        effective_from: p.effective_from.to_string(),
        effective_to: p.effective_to.map(|d| d.to_string()),
        name: &p.name,
        line: p.line,
        method: p.rating.method(),
        issue_age: p.issue_age,
        amount: p.amount,
        coverage_terms: p.coverage_terms.iter().map(ToString::to_string).collect(),
        payment_terms: p.payment_terms.iter().map(ToString::to_string).collect(),
        frequencies: p.frequencies.iter().map(|(f, _)| f.name()).collect(),
        riders: p.riders.iter().map(|r| r.code.as_str()).collect(),
    }
}

pub fn show(path: Option<&Path>, json: bool, lang: Lang) -> Result<ExitCode, Failure> {
    let catalogue = input::catalogue(path)?;
    if json {
        let products: Vec<ProductSummary<'_>> = catalogue.all_products().iter().map(summary).collect();
        print_json(&products)?;
    } else {
        print!("{}", render(&catalogue, lang));
    }
    Ok(ExitCode::SUCCESS)
}

fn render(catalogue: &Catalogue, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut out = format!(
        "{} — {} {} ({} {}, sha256 {})\n",
        catalogue.insurer.get(lang),
        catalogue.id,
        catalogue.version,
        if zh { "生效日" } else { "effective" },
        catalogue.effective_from,
        catalogue.content_hash,
    );
    if catalogue.illustrative {
        out.push_str(if zh { "示例费率，非报备费率\n" } else { "Illustrative rates, not filed\n" });
    }
    out.push('\n');
    let header: &[&str] = if zh {
        &["产品", "版本", "名称", "险种", "费率方法", "投保年龄", "金额", "保障期间", "交费期间", "生效"]
    } else {
        &["code", "ver", "name", "line", "method", "ages", "amount", "coverage", "payment", "in force"]
    };
    let mut table = Table::new(header, &[]);
    for p in catalogue.all_products() {
        let amount = format!(
            "{}{}–{} /{}",
            match p.amount.kind {
                AmountKind::SumAssured => "",
                AmountKind::AnnuityAmount => {
                    if zh { "年领 " } else { "annuity " }
                }
            },
            p.amount.min,
            p.amount.max,
            p.amount.step
        );
        let terms = |t: Vec<String>| t.join(" ");
        table.row(vec![
            p.code.clone(),
            p.version.to_string(),
            p.name.get(lang).to_owned(),
            p.line.label().get(lang).to_owned(),
            p.rating.method().to_owned(),
            format!("{}–{}", p.issue_age.min, p.issue_age.max),
            amount,
            terms(p.coverage_terms.iter().map(ToString::to_string).collect()),
            terms(p.payment_terms.iter().map(ToString::to_string).collect()),
            match p.effective_to {
                Some(to) => format!("{}..{to}", p.effective_from),
                None => format!("{}..", p.effective_from),
            },
        ]);
    }
    out.push_str(&table.render());
    out
}
