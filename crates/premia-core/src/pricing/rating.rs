//! The four rating methods (and percent-of-base for riders): each turns a validated case into an
//! unrounded base premium and records its steps in the worksheet.

use rust_decimal::Decimal;

use crate::catalogue::mortality::annuity_certain_due;
use crate::catalogue::table::{ColumnQuery, Miss};
use crate::catalogue::{Actuarial, AgeTable, Benefit, Commutation, Loadings, Rating};
use crate::error::ErrorKind;
use crate::pricing::worksheet::{StepKind, Worksheet};
use crate::request::Sex;
use crate::term::{CoverageTerm, PaymentTerm};
use crate::text::Text;

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
            let rate = lookup(table, case, None, ws)?;
            Ok(per_unit(rate, *per, case, ws))
        }
        Rating::AgeBand { per, table, plans } => {
            let plan = plans.iter().find(|p| Some(p.id.as_str()) == case.plan).map(|p| p.name.clone());
            let rate = lookup(table, case, plan, ws)?;
            Ok(match per {
                Some(per) => per_unit(rate, *per, case, ws),
                None => rate,
            })
        }
        Rating::Flat { regions } => {
            let region = case.region.unwrap_or_default();
            let premium = *regions.get(region).ok_or_else(|| no_rate(case, format!("region {region}")))?;
            Ok(ws.push(StepKind::FlatRegion { region: region.to_owned() }, premium))
        }
        Rating::Actuarial(actuarial) => actuarial_premium(actuarial, case, ws),
        Rating::PercentOfBase { percent } => {
            let base = case.base_premium.unwrap_or_default();
            Ok(ws.push(StepKind::PercentOfBase { base, percent: *percent }, base * percent))
        }
    }
}

fn no_rate(case: &Case<'_>, detail: String) -> ErrorKind {
    ErrorKind::NoRate { product: case.product.to_owned(), detail }
}

fn lookup(table: &AgeTable, case: &Case<'_>, plan: Option<Text>, ws: &mut Worksheet) -> Result<Decimal, ErrorKind> {
    let query =
        ColumnQuery { sex: case.sex, payment: case.payment_term, social: case.social_insurance, plan: case.plan };
    match table.lookup(case.age, &query) {
        Ok(cell) => Ok(ws.push(
            StepKind::TableLookup {
                table: table.name.clone(),
                from_age: cell.row.from,
                to_age: cell.row.to,
                column: cell.header.clone(),
                plan,
            },
            cell.rate,
        )),
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

fn per_unit(rate: Decimal, per: Decimal, case: &Case<'_>, ws: &mut Worksheet) -> Decimal {
    ws.push(StepKind::PerUnit { amount: case.amount, per, rate }, case.amount / per * rate)
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
    if x < comm.min_age || x + n > omega || x + m > omega {
        return Err(ErrorKind::BeyondMortalityTable {
            end_age: x + n,
            table_end: omega,
            product: case.product.to_owned(),
        });
    }
    let missing = || no_rate(case, format!("age {x} in mortality basis {}", a.mortality_id));
    ws.push(
        StepKind::ActuarialBasis {
            mortality: a.mortality_id.clone(),
            source: a.mortality_source.clone(),
            age: x,
            sex: case.sex,
        },
        a.interest,
    );
    let annuity = ws.push(StepKind::AnnuityDue { age: x, years: m }, comm.annuity_due(x, m).ok_or_else(missing)?);
    let factor = match a.benefit {
        Benefit::Term => comm.term_assurance(x, n),
        Benefit::WholeLife => comm.whole_life(x),
        Benefit::Endowment => comm.term_assurance(x, n).zip(comm.pure_endowment(x, n)).map(|(t, e)| t + e),
        Benefit::Annuity => annuity_benefit(a, comm, case, x)?,
    }
    .ok_or_else(missing)?;
    let benefit_step = StepKind::BenefitFactor {
        benefit: a.benefit,
        age: x,
        years: n,
        payout_start_age: case.payout_start_age.filter(|_| a.benefit == Benefit::Annuity),
        guaranteed_years: case.guaranteed_years.filter(|_| a.benefit == Benefit::Annuity),
    };
    ws.push(benefit_step, factor);
    let benefits = case.amount * factor;
    ws.push(StepKind::NetPremium { amount: case.amount, factor, annuity }, benefits / annuity);
    let l = &a.loadings;
    let cover_annuity = comm.annuity_due(x, n).ok_or_else(missing)?;
    let expenses = ws.push(
        StepKind::Expenses {
            per_mille: l.per_mille_sum_assured,
            amount: case.amount,
            policy_fee: l.policy_fee,
            age: x,
            coverage_years: n,
            payment_years: m,
        },
        l.per_mille_sum_assured * case.amount / THOUSAND * cover_annuity + l.policy_fee * annuity,
    );
    let loading =
        ws.push(StepKind::PremiumLoading { age: x, years: m }, premium_loading(comm, l, x, m).ok_or_else(missing)?);
    let gross = (benefits + expenses).checked_div(annuity - loading).ok_or_else(missing)?;
    Ok(ws.push(StepKind::GrossPremium { benefits, expenses, annuity, loading }, gross))
}

/// Present value at x of 1 a year from the payout start age r: certain for g years once r is reached,
/// then for life: (D_r·ä_{g⌉} + N_{r+g}) / D_x.
fn annuity_benefit(a: &Actuarial, comm: &Commutation, case: &Case<'_>, x: u32) -> Result<Option<Decimal>, ErrorKind> {
    let r = case.payout_start_age.ok_or(ErrorKind::Required)?;
    let g = case.guaranteed_years.ok_or(ErrorKind::Required)?;
    let certain = annuity_certain_due(a.interest, g);
    Ok((comm.d(r) * certain + comm.n(r + g)).checked_div(comm.d(x)))
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
