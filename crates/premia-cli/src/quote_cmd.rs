//! `premia quote`: price a request; print JSON or, with `--explain`, the worksheet as tables.

use std::path::Path;
use std::process::ExitCode;

use premia_core::underwriting::Decision;
use premia_core::{CoverageQuote, Lang, Quote};

use crate::input;
use crate::output::{Failure, Table, print_json};

pub fn run(catalogue: Option<&Path>, request: &Path, explain: bool, lang: Lang) -> Result<ExitCode, Failure> {
    let catalogue = input::catalogue(catalogue)?;
    let request = premia_core::request::from_json_str(&input::read_text(request)?).map_err(Failure::Rules)?;
    let quote = premia_core::quote(&catalogue, &request).map_err(Failure::Rules)?;
    if explain {
        print!("{}", explain_quote(&quote, lang));
    } else {
        print_json(&quote)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The whole quote as text: a header, one worksheet table per coverage, and the totals.
pub fn explain_quote(quote: &Quote, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let c = &quote.catalogue;
    let mut out = format!(
        "{} {} (sha256 {}) · {} {} · {} {}{}\n\n",
        c.id,
        c.version,
        &c.content_hash[..12.min(c.content_hash.len())],
        if zh { "报价日期" } else { "quote date" },
        quote.request.quote_date,
        if zh { "有效期至" } else { "valid until" },
        quote.valid_until,
        match (quote.illustrative, zh) {
            (true, true) => " · 示例费率，非报备费率",
            (true, false) => " · illustrative rates, not filed",
            (false, _) => "",
        },
    );
    for coverage in &quote.coverages {
        out.push_str(&explain_coverage(coverage, lang));
        out.push_str(&decision_lines(&coverage.decision, lang));
        out.push('\n');
    }
    for declined in &quote.declined {
        out.push_str(&format!(
            "{} v{} {} — {}\n",
            declined.product,
            declined.product_version,
            declined.name.get(lang),
            declined.decision.outcome.label().get(lang)
        ));
        out.push_str(&decision_lines(&declined.decision, lang));
        out.push('\n');
    }
    out.push_str(&discount_lines(quote, lang));
    let t = &quote.totals;
    let (title, first_year, over_terms) = if zh {
        ("合计：年保费", "首年保费", "交费期总保费")
    } else {
        ("Totals: annual premium", "first year", "over the payment terms")
    };
    out.push_str(&format!(
        "{title} {} · {first_year} {} − {} = {} · {over_terms} {} − {} = {}\n",
        t.annual_premium,
        t.first_year_premium,
        t.discount_first_year,
        t.net_first_year_premium,
        t.total_premium,
        t.discount_total,
        t.net_total_premium
    ));
    let d = &quote.decision;
    out.push_str(&format!(
        "{} {}{}\n",
        if zh { "核保结论：" } else { "Underwriting:" },
        d.outcome.label().get(lang),
        match (d.two_person_review, zh) {
            (true, true) => "（需双人复核）",
            (true, false) => " (two-person review)",
            (false, _) => "",
        }
    ));
    out.push_str(&format!("digest {}\n", quote.digest));
    out
}

fn decision_lines(d: &Decision, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut out = format!("{} {}\n", if zh { "核保：" } else { "underwriting:" }, d.outcome.label().get(lang));
    for r in &d.reasons {
        out.push_str(&format!("  - [{}] {}", r.outcome.label().get(lang), r.message.get(lang)));
        if let Some(loading) = r.loading {
            out.push_str(&format!(" (+{}%)", loading * rust_decimal::Decimal::ONE_HUNDRED));
        }
        if let Some(exclusion) = &r.exclusion {
            out.push_str(&format!(" ({})", exclusion.get(lang)));
        }
        out.push('\n');
    }
    out
}

fn discount_lines(quote: &Quote, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    if !quote.discounts.is_empty() {
        let mut table = Table::new(
            if zh {
                &["优惠", "代码", "首年", "交费期内"]
            } else {
                &["discount", "code", "first year", "over the terms"]
            },
            &[false, false, true, true],
        );
        for d in &quote.discounts {
            let capped = match (d.capped, zh) {
                (true, true) => "（已按上限削减）",
                (true, false) => " (capped)",
                (false, _) => "",
            };
            table.row(vec![
                format!("{}{capped}", d.name.get(lang)),
                d.code.clone(),
                d.first_year.to_string(),
                d.total.to_string(),
            ]);
        }
        out.push_str(&table.render());
    }
    for r in &quote.rejected_coupons {
        out.push_str(&format!("{} {}: {}\n", if zh { "未使用" } else { "not applied" }, r.coupon, r.message.get(lang)));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

fn explain_coverage(c: &CoverageQuote, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let amount = match (c.sum_assured, c.annuity_amount) {
        (Some(sa), _) => format!("{} {sa}", if zh { "保额" } else { "sum assured" }),
        (None, Some(a)) => format!("{} {a}", if zh { "年领取" } else { "annuity a year" }),
        (None, None) => String::new(),
    };
    let mut out = format!(
        "{} v{} {} · {}{} {} · {} · {} · {} · {}\n",
        c.product,
        c.product_version,
        c.name.get(lang),
        c.age,
        if zh { "岁" } else { " years" },
        c.sex.label().get(lang),
        amount,
        c.coverage_term.label().get(lang),
        c.payment_term.label().get(lang),
        c.frequency.label().get(lang),
    );
    let mut table = Table::new(
        if zh { &["步骤", "计算依据", "数值"] } else { &["step", "inputs", "value"] },
        &[false, false, true],
    );
    for step in &c.worksheet {
        let label = step.label();
        let label = match &step.rider {
            Some(rider) => format!("[{rider}] {}", label.get(lang)),
            None => label.get(lang).to_owned(),
        };
        let detail = step.detail().map(|d| d.get(lang).to_owned()).unwrap_or_default();
        table.row(vec![label, detail, step.value.to_string()]);
    }
    out.push_str(&table.render());
    let (annual, instalment, first_year, paid, total) = if zh {
        ("年保费", "每期", "首年", "交费 ", " 年共")
    } else {
        ("annual", "instalment", "first year", "", " years total")
    };
    out.push_str(&format!(
        "{annual} {} · {instalment} {} × {} · {first_year} {} · {paid}{}{total} {}\n",
        c.annual_premium,
        c.instalment_premium,
        c.instalments_per_year,
        c.first_year_premium,
        c.payment_years,
        c.total_premium
    ));
    out
}
