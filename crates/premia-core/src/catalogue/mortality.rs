//! Mortality bases and commutation functions, all in `Decimal`.
//!
//! A basis is a q_x column per sex, read from a CSV file or generated from Makeham's law. From a basis
//! and an interest rate, `Commutation` tabulates D_x, N_x, C_x-sums (M_x) once at catalogue load, so
//! that pricing a policy is a handful of lookups and divisions: the same integer arithmetic on wasm32
//! and x86-64, hence the same premium to the last digit.

use rust_decimal::{Decimal, MathematicalOps};

use crate::request::Sex;
use crate::text::Text;

/// Radix of the life table: l at the first age.
const RADIX: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);

/// q_x for each age from `min_age` to `max_age`, per sex; q at `max_age` is 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MortalityBasis {
    pub id: String,
    pub name: Text,
    pub source: String,
    pub min_age: u32,
    /// Indexed by `Sex::index()`; for a unisex basis both are the same column.
    qx: [Vec<Decimal>; 2],
}

impl MortalityBasis {
    pub fn new(id: String, name: Text, source: String, min_age: u32, male: Vec<Decimal>, female: Vec<Decimal>) -> Self {
        MortalityBasis { id, name, source, min_age, qx: [male, female] }
    }

    pub fn max_age(&self) -> u32 {
        self.min_age + self.qx[0].len().saturating_sub(1) as u32
    }

    pub fn qx(&self, sex: Sex, age: u32) -> Option<Decimal> {
        self.qx[sex.index()].get(age.checked_sub(self.min_age)? as usize).copied()
    }

    pub fn column(&self, sex: Sex) -> &[Decimal] {
        &self.qx[sex.index()]
    }
}

/// Makeham's law μx = A + B·c^x, integrated over each year of age:
/// p_x = exp(−A − B·c^x·(c − 1)/ln c). The last age closes the table with q = 1.
pub fn makeham_qx(a: Decimal, b: Decimal, c: Decimal, min_age: u32, max_age: u32) -> Option<Vec<Decimal>> {
    let growth = (c - Decimal::ONE).checked_div(c.checked_ln()?)?;
    let mut c_to_x = c.checked_powi(i64::from(min_age))?;
    let mut column = Vec::with_capacity((max_age - min_age + 1) as usize);
    for _age in min_age..max_age {
        let hazard = b.checked_mul(c_to_x).and_then(|v| v.checked_mul(growth)).and_then(|v| v.checked_add(a));
        let q = hazard
            .and_then(|h| h.checked_exp())
            .and_then(|e| Decimal::ONE.checked_div(e))
            .map_or(Decimal::ONE, |p| Decimal::ONE - p);
        column.push(q);
        c_to_x = c_to_x.checked_mul(c).unwrap_or(Decimal::MAX);
    }
    column.push(Decimal::ONE);
    Some(column)
}

/// Commutation columns for one q_x column and one interest rate, from `min_age` to ω (where l = 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commutation {
    pub min_age: u32,
    pub interest: Decimal,
    /// D_x = v^x·l_x
    d: Vec<Decimal>,
    /// N_x = Σ_{y≥x} D_y
    n: Vec<Decimal>,
    /// M_x = Σ_{y≥x} C_y, with C_y = v^(y+1)·d_y
    m: Vec<Decimal>,
}

impl Commutation {
    /// Tabulate for `qx` (the last entry must be 1) at `interest` (e.g. 0.025).
    pub fn new(qx: &[Decimal], min_age: u32, interest: Decimal) -> Self {
        let v = Decimal::ONE / (Decimal::ONE + interest);
        let len = qx.len() + 1;
        let mut d = Vec::with_capacity(len);
        let mut c = Vec::with_capacity(len);
        let mut l = RADIX;
        // v^min_age by the same repeated multiplication as every later power below (one rounding
        // rule for the whole column, and no general-purpose `powi` in the browser build).
        let mut v_to_x = Decimal::ONE;
        for _ in 0..min_age {
            v_to_x *= v;
        }
        for &q in qx {
            let deaths = l * q;
            d.push(v_to_x * l);
            c.push(v_to_x * v * deaths);
            l -= deaths;
            v_to_x *= v;
        }
        // Age ω: nobody left.
        d.push(Decimal::ZERO);
        c.push(Decimal::ZERO);
        let n = suffix_sums(&d);
        let m = suffix_sums(&c);
        Commutation { min_age, interest, d, n, m }
    }

    /// The age at which nobody is left alive.
    pub fn omega(&self) -> u32 {
        self.min_age + self.d.len() as u32 - 1
    }

    fn at(column: &[Decimal], min_age: u32, age: u32) -> Decimal {
        age.checked_sub(min_age).and_then(|i| column.get(i as usize)).copied().unwrap_or(Decimal::ZERO)
    }

    pub fn d(&self, age: u32) -> Decimal {
        Self::at(&self.d, self.min_age, age)
    }

    pub fn n(&self, age: u32) -> Decimal {
        Self::at(&self.n, self.min_age, age)
    }

    pub fn m(&self, age: u32) -> Decimal {
        Self::at(&self.m, self.min_age, age)
    }

    /// ä_{x:n}: annuity-due of 1 a year for at most `years` while alive. `None` where D_x = 0.
    pub fn annuity_due(&self, x: u32, years: u32) -> Option<Decimal> {
        (self.n(x) - self.n(x + years)).checked_div(self.d(x))
    }

    /// A¹_{x:n}: term assurance of 1 paid at the end of the year of death within `years`.
    pub fn term_assurance(&self, x: u32, years: u32) -> Option<Decimal> {
        (self.m(x) - self.m(x + years)).checked_div(self.d(x))
    }

    /// _nE_x: pure endowment of 1 paid if alive after `years`.
    pub fn pure_endowment(&self, x: u32, years: u32) -> Option<Decimal> {
        self.d(x + years).checked_div(self.d(x))
    }

    /// A_x: whole-life assurance of 1.
    pub fn whole_life(&self, x: u32) -> Option<Decimal> {
        self.m(x).checked_div(self.d(x))
    }
}

fn suffix_sums(column: &[Decimal]) -> Vec<Decimal> {
    let mut sums = vec![Decimal::ZERO; column.len()];
    let mut running = Decimal::ZERO;
    for (i, value) in column.iter().enumerate().rev() {
        running += value;
        sums[i] = running;
    }
    sums
}

/// ä_{n⌉}: annuity-certain due of 1 a year for `years` years at `interest`.
pub fn annuity_certain_due(interest: Decimal, years: u32) -> Decimal {
    let v = Decimal::ONE / (Decimal::ONE + interest);
    let mut total = Decimal::ZERO;
    let mut v_to_k = Decimal::ONE;
    for _ in 0..years {
        total += v_to_k;
        v_to_k *= v;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// A three-age table small enough to work by hand at i = 0: l = 100000, 90000, 45000, 0.
    fn toy() -> Commutation {
        Commutation::new(&[d("0.1"), d("0.5"), d("1")], 60, Decimal::ZERO)
    }

    #[test]
    fn toy_table_matches_hand_computation_at_zero_interest() {
        let c = toy();
        assert_eq!(c.omega(), 63);
        assert_eq!(c.d(60), d("100000"));
        assert_eq!(c.d(62), d("45000"));
        // ä_{60:3} = (100000 + 90000 + 45000) / 100000
        assert_eq!(c.annuity_due(60, 3).unwrap(), d("2.35"));
        // Everyone dies by 63: whole life and 3-year term both pay 1.
        assert_eq!(c.whole_life(60).unwrap(), Decimal::ONE);
        assert_eq!(c.term_assurance(60, 3).unwrap(), Decimal::ONE);
        // 1-year term: q_60 = 0.1
        assert_eq!(c.term_assurance(60, 1).unwrap(), d("0.1"));
        assert_eq!(c.pure_endowment(60, 2).unwrap(), d("0.45"));
    }

    #[test]
    fn discounting_uses_end_of_year_deaths_and_start_of_year_payments() {
        let c = Commutation::new(&[d("0.1"), d("1")], 0, d("0.25"));
        // v = 0.8. ä_{0:2} = 1 + 0.8·0.9 = 1.72; A¹_{0:1} = 0.8·0.1 = 0.08; A_0 = 0.08 + 0.64·0.9 = 0.656
        assert_eq!(c.annuity_due(0, 2).unwrap(), d("1.72"));
        assert_eq!(c.term_assurance(0, 1).unwrap(), d("0.08"));
        assert_eq!(c.whole_life(0).unwrap(), d("0.656"));
    }

    #[test]
    fn annuity_certain_due_sums_discount_factors() {
        assert_eq!(annuity_certain_due(d("0.25"), 3), d("2.44"));
        assert_eq!(annuity_certain_due(d("0.03"), 0), Decimal::ZERO);
    }

    #[test]
    fn makeham_closes_with_one_and_increases_with_age() {
        let q = makeham_qx(d("0.00022"), d("0.0000027"), d("1.124"), 20, 110).unwrap();
        assert_eq!(q.len(), 91);
        assert_eq!(*q.last().unwrap(), Decimal::ONE);
        assert!(q.windows(2).all(|w| w[0] < w[1]));
    }
}
