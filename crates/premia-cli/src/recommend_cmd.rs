//! `premia recommend PROFILE.json`: the bundles a person may buy, ranked and quoted.

use std::path::Path;
use std::process::ExitCode;

use chrono::NaiveDate;
use premia_core::Lang;
use premia_core::bundle::Profile;

use crate::input;
use crate::output::{Failure, Table, print_json};

pub fn run(
    catalogue: Option<&Path>,
    profile: &Path,
    date: NaiveDate,
    json: bool,
    lang: Lang,
) -> Result<ExitCode, Failure> {
    let catalogue = input::catalogue(catalogue)?;
    let profile: Profile = input::json(profile)?;
    let offers = premia_core::bundle::recommend(&catalogue, &profile, date).map_err(Failure::Rules)?;
    if json {
        print_json(&offers)?;
        return Ok(ExitCode::SUCCESS);
    }
    let zh = lang == Lang::Zh;
    if offers.is_empty() {
        println!("{}", if zh { "没有适合该年龄的产品组合。" } else { "No bundle is offered at this age." });
        return Ok(ExitCode::SUCCESS);
    }
    for (i, offer) in offers.iter().enumerate() {
        let q = &offer.quote;
        println!("{}. {} [{}]", i + 1, offer.name.get(lang), offer.bundle);
        println!("   {}", offer.reason.get(lang));
        let mut table = Table::new(
            if zh {
                &["产品", "年保费", "首年保费", "核保结论"]
            } else {
                &["product", "annual", "first year", "decision"]
            },
            &[false, true, true, false],
        );
        for c in &q.coverages {
            table.row(vec![
                format!("{} {}", c.product, c.name.get(lang)),
                c.annual_premium.to_string(),
                c.first_year_premium.to_string(),
                c.decision.outcome.label().get(lang).to_owned(),
            ]);
        }
        for line in table.render().lines() {
            println!("   {line}");
        }
        for d in &offer.dropped {
            println!("   {} {}: {}", if zh { "未含" } else { "left out" }, d.product, d.reason.get(lang));
        }
        let t = &q.totals;
        println!(
            "   {} {} − {} {} = {}\n",
            if zh { "首年保费" } else { "first year" },
            t.first_year_premium,
            if zh { "优惠" } else { "discount" },
            t.discount_first_year,
            t.net_first_year_premium
        );
    }
    Ok(ExitCode::SUCCESS)
}
