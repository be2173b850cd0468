//! `premia id ID_NUMBER`: validate a resident ID number and say what it contains.

use std::process::ExitCode;

use chrono::NaiveDate;
use premia_core::Lang;

use crate::output::{Failure, print_json};

pub fn run(number: &str, today: NaiveDate, json: bool, lang: Lang) -> Result<ExitCode, Failure> {
    let id = premia_core::resident_id::parse(number, today, "id").map_err(Failure::Rules)?;
    if json {
        print_json(&id)?;
        return Ok(ExitCode::SUCCESS);
    }
    let zh = lang == Lang::Zh;
    let rows = [
        (if zh { "号码" } else { "number" }, id.number.clone()),
        (if zh { "出生日期" } else { "birth date" }, id.birth_date.to_string()),
        (if zh { "性别" } else { "sex" }, id.sex.label().get(lang).to_owned()),
        (if zh { "省份" } else { "province" }, format!("{} ({})", id.province.get(lang), id.province_code)),
        (if zh { "地区代码" } else { "region code" }, id.region_code.clone()),
    ];
    for (label, value) in rows {
        println!("{label}: {value}");
    }
    Ok(ExitCode::SUCCESS)
}
