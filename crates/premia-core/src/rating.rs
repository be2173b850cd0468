//! The four rating methods (and percent-of-base for riders): each turns a validated case into an
//! unrounded base premium and records its steps in the worksheet.

use rust_decimal::Decimal;

use crate::catalogue::mortality::annuity_certain_due;
use crate::catalogue::table::{ColumnQuery, Miss};
use crate::catalogue::{Actuarial, AgeTable, Benefit, Commutation, Loadings, Rating};
use crate::error::ErrorKind;
use crate::request::Sex;
use crate::term::{CoverageTerm, PaymentTerm};
use crate::text::Text;
use crate::worksheet::Worksheet;

/// Everything a rating method may read about the case being priced.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Case<'a> {
    pub product: &'a str,
    pub age: u32,
    pub sex: Sex,
    pub social_insurance: bool,
    pub region: Option<&'a str>,
    pub plan: Option<&'a str>,
    pub coverage_term: CoverageTerm,
    pub payment_term: PaymentTerm,
    pub payment_years: u32,
    /// `None` for lifelong cover.
    pub coverage_years: Option<u32>,
    /// Sum assured, or the yearly annuity amount.
    pub amount: Decimal,
    pub payout_start_age: Option<u32>,
    pub guaranteed_years: Option<u32>,
    /// The base cover's rated premium, for percent-of-base riders.
    pub base_premium: Option<Decimal>,
}

const THOUSAND: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);

/// The unrounded base premium of `case` by `rating`.
pub(crate) fn base_premium(rating: &Rating, case: &Case<'_>, ws: &mut Worksheet) -> Result<Decimal, ErrorKind> {
    match rating {
        Rating::RateTable { per, tables } => {
            let table = tables
                .iter()
                .find(|(term, _)| term.is_none_or(|t| t == case.coverage_term))
                .map(|(_, table)| table)
                .ok_or_else(|| no_rate(case, format!("coverage term {}", case.coverage_term)))?;
            let rate = lookup(table, case, "rate_table.lookup", ws)?;
            Ok(per_unit(rate, *per, case, "rate_table.premium", ws))
        }
        Rating::AgeBand { per, table, .. } => {
            let rate = lookup(table, case, "age_band.lookup", ws)?;
            Ok(match per {
                Some(per) => per_unit(rate, *per, case, "age_band.premium", ws),
                None => rate,
            })
        }
        Rating::Flat { regions } => {
            let region = case.region.unwrap_or_default();
            let premium = *regions.get(region).ok_or_else(|| no_rate(case, format!("region {region}")))?;
            let detail = Text::new(format!("地区 {region}"), format!("region {region}"));
            Ok(ws.push(
                "flat.lookup",
                Text::fixed("按地区统一保费", "flat premium for the region"),
                Some(detail),
                premium,
            ))
        }
        Rating::Actuarial(actuarial) => actuarial_premium(actuarial, case, ws),
        Rating::PercentOfBase { percent } => {
            let base = case.base_premium.unwrap_or_default();
            let premium = base * percent;
            let detail = Text::new(format!("主险保费 {base} × {percent}"), format!("base premium {base} × {percent}"));
            Ok(ws.push(
                "percent_of_base.premium",
                Text::fixed("按主险保费比例", "share of the base premium"),
                Some(detail),
                premium,
            ))
        }
    }
}

fn no_rate(case: &Case<'_>, detail: String) -> ErrorKind {
    ErrorKind::NoRate { product: case.product.to_owned(), detail }
}

fn lookup(table: &AgeTable, case: &Case<'_>, code: &'static str, ws: &mut Worksheet) -> Result<Decimal, ErrorKind> {
    let query =
        ColumnQuery { sex: case.sex, payment: case.payment_term, social: case.social_insurance, plan: case.plan };
    match table.lookup(case.age, &query) {
        Ok(cell) => {
            let detail = Text::new(
                format!("表 {} · 年龄 {} · 列 {}", table.name, cell.row.label(), cell.header),
                format!("table {}, age {}, column {}", table.name, cell.row.label(), cell.header),
            );
            Ok(ws.push(code, Text::fixed("查费率表", "rate table lookup"), Some(detail), cell.rate))
        }
        Err(miss) => {
            let what = match miss {
                Miss::NoRow => format!("age {} in table {}", case.age, table.name),
                Miss::NoColumn => format!("{} in table {}", crate::catalogue::table::describe(&query), table.name),
                Miss::EmptyCell { row, header } => format!("age {row}, column {header} in table {}", table.name),
            };
            Err(no_rate(case, what))
        }
    }
}

fn per_unit(rate: Decimal, per: Decimal, case: &Case<'_>, code: &'static str, ws: &mut Worksheet) -> Decimal {
    let premium = case.amount / per * rate;
    let detail = Text::new(
        format!("保额 {} ÷ {per} × 费率 {rate}", case.amount),
        format!("sum assured {} ÷ {per} × rate {rate}", case.amount),
    );
    ws.push(code, Text::fixed("按保额计算保费", "premium for the sum assured"), Some(detail), premium)
}

/// Gross premium P by the equivalence principle, payable yearly in advance for m years:
///
/// P·ä_{x:m} = B + e·S/1000·ä_{x:n} + f·ä_{x:m} + P·Σ_t c_t·v^t·_tp_x
///
/// with B the benefit's present value, e the per-mille expense, f the policy fee and c_t the share of
/// the premium in policy year t.
fn actuarial_premium(a: &Actuarial, case: &Case<'_>, ws: &mut Worksheet) -> Result<Decimal, ErrorKind> {
    let comm = &a.commutation[case.sex.index()];
    let x = case.age;
    let omega = comm.omega();
    let m = case.payment_years;
    let n = case.coverage_years.unwrap_or_else(|| omega.saturating_sub(x));
    let beyond =
        || ErrorKind::BeyondMortalityTable { end_age: x + n, table_end: omega, product: case.product.to_owned() };
    if x < comm.min_age || x + n > omega || x + m > omega {
        return Err(beyond());
    }
    let missing = || no_rate(case, format!("age {x} in mortality basis {}", a.mortality_id));
    let pct = |v: Decimal| v * Decimal::ONE_HUNDRED;
    ws.push(
        "actuarial.basis",
        Text::fixed("精算基础：预定利率", "actuarial basis: interest rate"),
        Some(Text::new(
            format!(
                "生命表 {}（{}）· 预定利率 {}% · {} 岁 {}",
                a.mortality_id,
                a.mortality_source,
                pct(a.interest),
                x,
                case.sex.label().zh
            ),
            format!(
                "mortality {} ({}), interest {}%, age {x} {}",
                a.mortality_id,
                a.mortality_source,
                pct(a.interest),
                case.sex.name()
            ),
        )),
        a.interest,
    );
    let annuity = comm.annuity_due(x, m).ok_or_else(missing)?;
    ws.push(
        "actuarial.annuity_due",
        Text::fixed("交费期期初年金现值 ä", "annuity-due over the payment term ä"),
        Some(Text::new(format!("ä_{{{x}:{m}}}"), format!("ä_{{{x}:{m}}}"))),
        annuity,
    );
    let (benefit_factor, benefit_name) = match a.benefit {
        Benefit::Term => (comm.term_assurance(x, n), format!("A¹_{{{x}:{n}}}")),
        Benefit::WholeLife => (comm.whole_life(x), format!("A_{{{x}}}")),
        Benefit::Endowment => {
            (comm.term_assurance(x, n).zip(comm.pure_endowment(x, n)).map(|(t, e)| t + e), format!("A_{{{x}:{n}}}"))
        }
        Benefit::Annuity => annuity_benefit(a, case, x)?,
    };
    let benefit_factor = benefit_factor.ok_or_else(missing)?;
    ws.push(
        "actuarial.benefit",
        Text::fixed("每单位保障的给付现值", "benefit present value per unit"),
        Some(Text::new(benefit_name.clone(), benefit_name)),
        benefit_factor,
    );
    let benefit = case.amount * benefit_factor;
    ws.push(
        "actuarial.net_premium",
        Text::fixed("纯保费", "net premium"),
        Some(Text::new(
            format!("{} × {benefit_factor} ÷ {annuity}", case.amount),
            format!("{} × {benefit_factor} ÷ {annuity}", case.amount),
        )),
        benefit / annuity,
    );
    let l = &a.loadings;
    let cover_annuity = comm.annuity_due(x, n).ok_or_else(missing)?;
    let expenses = l.per_mille_sum_assured * case.amount / THOUSAND * cover_annuity + l.policy_fee * annuity;
    ws.push(
        "actuarial.expenses",
        Text::fixed(
            "费用现值（按保额千分比与保单费）",
            "present value of expenses (per mille of sum assured and policy fee)",
        ),
        Some(Text::new(
            format!(
                "{}‰ × {} × ä_{{{x}:{n}}} + {} × ä_{{{x}:{m}}}",
                l.per_mille_sum_assured, case.amount, l.policy_fee
            ),
            format!(
                "{}‰ × {} × ä_{{{x}:{n}}} + {} × ä_{{{x}:{m}}}",
                l.per_mille_sum_assured, case.amount, l.policy_fee
            ),
        )),
        expenses,
    );
    let loading = premium_loading(comm, &a.loadings, x, m).ok_or_else(missing)?;
    ws.push(
        "actuarial.premium_loading",
        Text::fixed(
            "保费比例附加费用现值（每单位保费）",
            "present value of premium-related loadings per unit of premium",
        ),
        None,
        loading,
    );
    let gross = (benefit + expenses).checked_div(annuity - loading).ok_or_else(missing)?;
    Ok(ws.push(
        "actuarial.gross_premium",
        Text::fixed("毛保费（等价原则）", "gross premium (equivalence principle)"),
        Some(Text::new("(给付现值 + 费用现值) ÷ (ä − 附加费用现值)", "(benefits + expenses) ÷ (ä − premium loadings)")),
        gross,
    ))
}

/// Present value at x of 1 a year from the payout start age r: certain for g years once r is reached,
/// then for life: (D_r·ä_{g⌉} + N_{r+g}) / D_x.
fn annuity_benefit(a: &Actuarial, case: &Case<'_>, x: u32) -> Result<(Option<Decimal>, String), ErrorKind> {
    let comm = &a.commutation[case.sex.index()];
    let r = case.payout_start_age.ok_or(ErrorKind::Required)?;
    let g = case.guaranteed_years.ok_or(ErrorKind::Required)?;
    let certain = annuity_certain_due(a.interest, g);
    let value = (comm.d(r) * certain + comm.n(r + g)).checked_div(comm.d(x));
    Ok((value, format!("(D_{r}·ä_{{{g}⌉}} + N_{}) / D_{x}", r + g)))
}

/// Σ_{t<m} c_t·D_{x+t}/D_x, with the listed shares for the first years and the "after" share for the rest.
fn premium_loading(comm: &Commutation, l: &Loadings, x: u32, m: u32) -> Option<Decimal> {
    let d_x = comm.d(x);
    let explicit = (l.premium_percent.len() as u32).min(m);
    let mut total = Decimal::ZERO;
    for t in 0..explicit {
        total += l.premium_percent_in_year(t as usize) * comm.d(x + t).checked_div(d_x)?;
    }
    if explicit < m {
        total += l.premium_percent_after * (comm.n(x + explicit) - comm.n(x + m)).checked_div(d_x)?;
    }
    Some(total)
}
