//! Actuarial values checked against an independent calculation.
//!
//! The engine tabulates commutation columns in `Decimal`. Here the same quantities are computed
//! directly from their definitions (sums over future years of discount × survival probabilities) in
//! binary floating point, from the same q_x. Agreement to 1e-9 relative shows the commutation algebra
//! and the decimal arithmetic are right; the premium checks at the end redo the gross-premium formula
//! the same independent way and compare to the engine's figures to the cent.
#![allow(clippy::float_arithmetic, clippy::unwrap_used)]

use premia_core::catalogue::{Commutation, Rating};
use premia_core::{Sex, demo};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Survival and discounting by definition, for one q_x column.
struct Direct {
    qx: Vec<f64>,
    min_age: u32,
    v: f64,
}

impl Direct {
    fn q(&self, age: u32) -> f64 {
        self.qx.get((age - self.min_age) as usize).copied().unwrap_or(1.0)
    }
    /// _tp_x
    fn survival(&self, x: u32, t: u32) -> f64 {
        (0..t).map(|k| 1.0 - self.q(x + k)).product()
    }
    /// ä_{x:n} = Σ_{t<n} v^t·_tp_x
    fn annuity_due(&self, x: u32, n: u32) -> f64 {
        (0..n).map(|t| self.v.powi(t as i32) * self.survival(x, t)).sum()
    }
    /// A¹_{x:n} = Σ_{t<n} v^{t+1}·_tp_x·q_{x+t}
    fn term(&self, x: u32, n: u32) -> f64 {
        (0..n).map(|t| self.v.powi(t as i32 + 1) * self.survival(x, t) * self.q(x + t)).sum()
    }
    fn endowment(&self, x: u32, n: u32) -> f64 {
        self.v.powi(n as i32) * self.survival(x, n)
    }
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap()
}

fn close(engine: Decimal, direct: f64, what: &str) {
    let engine = f(engine);
    let tolerance = 1e-9 * direct.abs().max(1.0);
    assert!((engine - direct).abs() <= tolerance, "{what}: engine {engine} vs direct {direct}");
}

fn basis(id: &str, sex: Sex) -> (Vec<f64>, u32) {
    let catalogue = demo::catalogue();
    let basis = catalogue.mortality.iter().find(|b| b.id == id).unwrap();
    (basis.column(sex).iter().map(|q| f(*q)).collect(), basis.min_age)
}

#[test]
fn commutation_functions_match_direct_sums() {
    for (id, sex, interest) in
        [("ILL-CL", Sex::Male, "0.025"), ("ILL-CL", Sex::Female, "0.025"), ("SULT", Sex::Male, "0.02")]
    {
        let (qx, min_age) = basis(id, sex);
        let i: Decimal = interest.parse().unwrap();
        let catalogue = demo::catalogue();
        let column = catalogue.mortality.iter().find(|b| b.id == id).unwrap().column(sex).to_vec();
        let comm = Commutation::new(&column, min_age, i);
        let direct = Direct { qx, min_age, v: 1.0 / (1.0 + f(i)) };
        let omega = comm.omega();
        for x in [0, 18, 30, 45, 60, 80] {
            for n in [1, 10, 20, 30] {
                if x + n > omega {
                    continue;
                }
                close(comm.annuity_due(x, n).unwrap(), direct.annuity_due(x, n), &format!("{id} ä_{x}:{n}"));
                close(comm.term_assurance(x, n).unwrap(), direct.term(x, n), &format!("{id} A1_{x}:{n}"));
                close(
                    comm.term_assurance(x, n).unwrap() + comm.pure_endowment(x, n).unwrap(),
                    direct.term(x, n) + direct.endowment(x, n),
                    &format!("{id} A_{x}:{n}"),
                );
            }
            close(comm.whole_life(x).unwrap(), direct.term(x, omega - x), &format!("{id} A_{x}"));
            close(comm.annuity_due(x, omega - x).unwrap(), direct.annuity_due(x, omega - x), &format!("{id} ä_{x}"));
        }
    }
}

#[test]
fn whole_life_identity_holds() {
    // A_x = 1 − d·ä_x, with d = i/(1+i): a consistency check independent of any table values.
    let catalogue = demo::catalogue();
    let basis = catalogue.mortality.iter().find(|b| b.id == "ILL-CL").unwrap();
    let i: Decimal = "0.025".parse().unwrap();
    let comm = Commutation::new(basis.column(Sex::Female), basis.min_age, i);
    let d = i / (Decimal::ONE + i);
    for x in [0, 25, 50, 75, 100] {
        let lhs = comm.whole_life(x).unwrap();
        let rhs = Decimal::ONE - d * comm.annuity_due(x, comm.omega() - x).unwrap();
        assert!((lhs - rhs).abs() < Decimal::new(1, 18), "x={x}: {lhs} vs {rhs}");
    }
}

fn quote_file(name: &str) -> premia_core::Quote {
    let text =
        std::fs::read_to_string(format!("{}/../../examples/requests/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let request = premia_core::request::from_json_str(&text).unwrap();
    premia_core::quote(&demo::catalogue(), &request).unwrap()
}

/// Gross premium by the equivalence principle, computed directly in f64.
fn direct_gross(
    product: &str,
    sex: Sex,
    x: u32,
    m: u32,
    n: u32,
    amount: f64,
    benefit_pv: impl Fn(&Direct) -> f64,
) -> f64 {
    let catalogue = demo::catalogue();
    let Rating::Actuarial(a) = &catalogue.product(product, "2026-11-25".parse().unwrap()).unwrap().rating else {
        panic!("{product} is not actuarial")
    };
    let (qx, min_age) = basis(&a.mortality_id, sex);
    let d = Direct { qx, min_age, v: 1.0 / (1.0 + f(a.interest)) };
    let l = &a.loadings;
    let ann_pay = d.annuity_due(x, m);
    let expenses = f(l.per_mille_sum_assured) * amount / 1000.0 * d.annuity_due(x, n) + f(l.policy_fee) * ann_pay;
    let loading: f64 =
        (0..m).map(|t| f(l.premium_percent_in_year(t as usize)) * d.v.powi(t as i32) * d.survival(x, t)).sum();
    (amount * benefit_pv(&d) + expenses) / (ann_pay - loading)
}

fn assert_cents(engine: Decimal, direct: f64, what: &str) {
    assert!((f(engine) - direct).abs() < 0.006, "{what}: engine {engine} vs independent {direct:.4}");
}

#[test]
fn term_life_premium_matches_independent_calculation() {
    // examples/requests/term.json: male smoker born 1988-08-08, age 38, 1,000,000 for 20 years, 20-year pay.
    let quote = quote_file("term.json");
    let c = &quote.coverages[0];
    assert_eq!(c.age, 38);
    let gross = direct_gross("TERM", Sex::Male, 38, 20, 20, 1_000_000.0, |d| d.term(38, 20));
    assert_cents(
        c.worksheet
            .iter()
            .find(|s| {
                matches!(
                    s.kind,
                    premia_core::worksheet::StepKind::Rounding {
                        step: premia_core::money::RoundingStep::BasePremium,
                        ..
                    }
                )
            })
            .unwrap()
            .value,
        gross,
        "TERM base",
    );
    // Smoker factor 1.6 on the rounded base premium.
    let base = (gross * 100.0).round() / 100.0;
    assert_cents(c.base_premium, base * 1.6, "TERM rated");
}

#[test]
fn whole_life_premium_matches_independent_calculation() {
    let quote = quote_file("wl.json");
    let c = &quote.coverages[0];
    let omega = 106;
    let gross = direct_gross("WL", Sex::Male, 38, 10, omega - 38, 300_000.0, |d| d.term(38, omega - 38));
    assert_cents(c.base_premium, gross, "WL");
}

#[test]
fn annuity_premium_matches_independent_calculation() {
    // examples/requests/ann.json: female age 38, 12,000 a year from 60, 20 years guaranteed, 10-year pay.
    let quote = quote_file("ann.json");
    let c = &quote.coverages[0];
    assert_eq!(c.age, 38);
    let omega = 121;
    let gross = direct_gross("ANN", Sex::Female, 38, 10, omega - 38, 12_000.0, |d| {
        let certain: f64 = (0..20).map(|k| d.v.powi(k)).sum();
        let deferred = d.v.powi(22) * d.survival(38, 22);
        let after: f64 = (42..omega - 38).map(|t| d.v.powi(t as i32) * d.survival(38, t)).sum();
        deferred * certain + after
    });
    assert_cents(c.base_premium, gross, "ANN");
}

#[test]
fn makeham_rates_match_the_closed_form() {
    let (a, b, c) = (0.00022_f64, 2.7e-6_f64, 1.124_f64);
    let (qx, min_age) = basis("SULT", Sex::Male);
    assert_eq!(min_age, 0);
    for age in [0_u32, 20, 40, 60, 80, 100, 119] {
        let expected = 1.0 - (-(a + b * c.powi(age as i32) * (c - 1.0) / c.ln())).exp();
        let got = qx[age as usize];
        assert!((got - expected).abs() < 1e-10, "q_{age}: {got} vs {expected}");
    }
    assert_eq!(qx[120], 1.0);
}
