//! Made-up applicants for demos and benchmarks, drawn from the catalogue itself: a person (age, sex,
//! region, a valid resident ID number, health answers), a channel (direct, or one of a pool of agents,
//! a few selling much more than the rest), and what they ask for — a bundle of their age band, or one
//! or two products with terms, frequency and amounts the product offers — with a campaign, voucher or
//! referral code now and then. Every request is priced by the core; one the rules refuse is drawn
//! again. Deterministic for a seed (SplitMix64), so a benchmark seeds the same business every time.

use chrono::{Datelike, NaiveDate};
use ed25519_dalek::SigningKey;
use premia_core::catalogue::{AmountKind, Rating};
use premia_core::coupon::{Claims, TokenKind};
use premia_core::request::{Channel, CoverageRequest, HealthAnswer, Insured, QuoteRequest, Sex};
use premia_core::{Catalogue, CoverageTerm, Frequency, PaymentTerm, Product, Quote};
use rand_xoshiro::SplitMix64;
use rand_xoshiro::rand_core::{Rng as _, SeedableRng as _};
use rust_decimal::Decimal;

/// A small deterministic generator (SplitMix64, rand_xoshiro's).
#[derive(Debug, Clone)]
pub struct Rng(SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(SplitMix64::seed_from_u64(seed))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }
}

/// Regions applicants declare (GB/T 2260): the catalogue's cities most often, some others.
const OTHER_REGIONS: &[&str] = &["320100", "440100", "420100", "500000", "370200", "350200", "610100", "430100"];

/// An applicant's request and the resident ID number it was priced with.
#[derive(Debug, Clone)]
pub struct Applicant {
    pub quote: Quote,
    pub resident_id: String,
}

/// The generator: a seed, a pool of agents, and the demo key to sign vouchers and referral codes with
/// (none: no signed coupons).
#[derive(Debug)]
pub struct Generator {
    rng: Rng,
    agents: Vec<String>,
    coupon_key: Option<SigningKey>,
    serial: u64,
}

impl Generator {
    pub fn new(seed: u64, agents: usize, coupon_key: Option<SigningKey>) -> Generator {
        let agents = (0..agents.max(1)).map(|i| format!("AG{:04}", 1001 + i)).collect();
        Generator { rng: Rng::new(seed), agents, coupon_key, serial: 0 }
    }

    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// A priced applicant on `date` (drawn again until the core prices one that can be applied for).
    pub fn applicant(&mut self, catalogue: &Catalogue, date: NaiveDate) -> Applicant {
        loop {
            let (request, resident_id) = self.request(catalogue, date);
            if let Ok(quote) = premia_core::quote(catalogue, &request) {
                use premia_core::underwriting::Outcome;
                if !matches!(quote.decision.outcome, Outcome::Decline | Outcome::Pending) && !quote.coverages.is_empty()
                {
                    return Applicant { quote, resident_id };
                }
            }
        }
    }

    /// A request on `date` and the number it gives the insured by.
    pub fn request(&mut self, catalogue: &Catalogue, date: NaiveDate) -> (QuoteRequest, String) {
        let age = self.age();
        let sex = if self.rng.chance(50) { Sex::Male } else { Sex::Female };
        let birth = date - chrono::Days::new(u64::from(age) * 365 + self.rng.below(360) + 1);
        let region = self.region(catalogue);
        let resident_id = self.resident_id(region.as_deref(), birth, sex);
        let insured = self.insured(resident_id.clone(), region);
        let channel = if self.rng.chance(55) { Channel::Agent { agent_code: self.agent() } } else { Channel::Direct };
        let mut request = QuoteRequest {
            quote_date: date,
            insured,
            coverages: Vec::new(),
            channel,
            coupons: Vec::new(),
            bundle: None,
        };
        let bundles: Vec<_> = catalogue.bundles.iter().filter(|b| b.ages.contains(age)).collect();
        if !bundles.is_empty() && self.rng.chance(25) {
            let bundle = *self.rng.pick(&bundles);
            request.coverages = bundle.items.clone();
            request.bundle = Some(bundle.id.clone());
        } else {
            let products: Vec<&Product> =
                catalogue.products_on(date).filter(|p| p.issue_age.min <= age && age <= p.issue_age.max).collect();
            let count = if self.rng.chance(20) { 2 } else { 1 };
            for _ in 0..count {
                if products.is_empty() {
                    break;
                }
                let product = *self.rng.pick(&products);
                if request.coverages.iter().any(|c| c.product == product.code) {
                    continue;
                }
                if let Some(coverage) = self.coverage(product, request.insured.region.as_deref()) {
                    request.coverages.push(coverage);
                }
            }
        }
        request.coupons = self.coupons(catalogue, date);
        (request, resident_id)
    }

    /// Ages 1-65, most between 25 and 50.
    fn age(&mut self) -> u32 {
        let age = match self.rng.below(10) {
            0 => 1 + self.rng.below(17),
            1..=6 => 25 + self.rng.below(26),
            7 | 8 => 18 + self.rng.below(7),
            _ => 51 + self.rng.below(15),
        };
        u32::try_from(age).unwrap_or(30)
    }

    fn region(&mut self, catalogue: &Catalogue) -> Option<String> {
        let own: Vec<&String> = catalogue.regions.keys().collect();
        match self.rng.below(10) {
            0 => None,
            1 => Some((*self.rng.pick(OTHER_REGIONS)).to_owned()),
            _ if !own.is_empty() => Some((*self.rng.pick(&own)).clone()),
            _ => None,
        }
    }

    /// A few agents sell much more than the rest: agent i is drawn with weight 1/(i+1).
    fn agent(&mut self) -> String {
        let n = self.agents.len();
        let weights: Vec<u64> = (0..n).map(|i| 1_000_000 / (i as u64 + 1)).collect();
        let mut draw = self.rng.below(weights.iter().sum());
        for (i, w) in weights.iter().enumerate() {
            if draw < *w {
                return self.agents[i].clone();
            }
            draw -= w;
        }
        self.agents[0].clone()
    }

    /// A valid GB 11643 number: the region's (or Beijing's) code, the birth date, a sequence of the
    /// right parity for the sex, the check character.
    fn resident_id(&mut self, region: Option<&str>, birth: NaiveDate, sex: Sex) -> String {
        let area = region.map_or("110102", |r| if r.ends_with("0000") { "110102" } else { r });
        let sequence = 2 * self.rng.below(499) + 1 + u64::from(sex == Sex::Female);
        let first17 = format!("{area}{:04}{:02}{:02}{sequence:03}", birth.year(), birth.month(), birth.day());
        let check = premia_core::resident_id::check_char(first17.as_bytes());
        format!("{first17}{check}")
    }

    fn insured(&mut self, resident_id: String, region: Option<String>) -> Insured {
        let questions = ["CANCER", "HEART", "HTN", "DIABETES", "HOSPITAL", "THYROID"];
        let mut health_answers = std::collections::BTreeMap::new();
        for q in questions {
            health_answers.insert(q.to_owned(), HealthAnswer { yes: false, follow_up: None });
        }
        // About one in eight declares something (most often controlled blood pressure or a recovered
        // stay in hospital), which pre-underwriting refers to the desk or loads.
        if self.rng.chance(12) {
            let (question, follow_up) = *self.rng.pick(&[
                ("HTN", "CONTROLLED"),
                ("HOSPITAL", "RECOVERED"),
                ("THYROID", "TIRADS-1-3"),
                ("DIABETES", "TYPE2-CONTROLLED"),
                ("HEART", ""),
            ]);
            let follow_up = (!follow_up.is_empty()).then(|| follow_up.to_owned());
            health_answers.insert(question.to_owned(), HealthAnswer { yes: true, follow_up });
        }
        let height = 155 + self.rng.below(30);
        let bmi_x10 = if self.rng.chance(8) { 290 + self.rng.below(30) } else { 190 + self.rng.below(70) };
        let weight = Decimal::from(bmi_x10 * height * height) / Decimal::from(100_000);
        Insured {
            resident_id: Some(resident_id),
            smoker: self.rng.chance(15),
            occupation_class: u8::try_from(1 + self.rng.below(3)).unwrap_or(1),
            social_insurance: self.rng.chance(85),
            region,
            height_cm: Some(Decimal::from(height)),
            weight_kg: Some(weight.round_dp(1)),
            annual_income: Some(Decimal::from(60_000 + 10_000 * self.rng.below(60))),
            health_answers,
            ..Insured::default()
        }
    }

    fn coverage(&mut self, product: &Product, region: Option<&str>) -> Option<CoverageRequest> {
        if let Rating::Flat { regions } = &product.rating {
            if !region.is_some_and(|r| regions.contains_key(r)) {
                return None;
            }
        }
        let coverage_term: CoverageTerm = *self.rng.pick(&product.coverage_terms);
        // Single premium about one time in four where it is offered; otherwise a regular term.
        let regular: Vec<PaymentTerm> = product.payment_terms.iter().copied().filter(|t| !t.is_single()).collect();
        let payment_term =
            if product.payment_terms.iter().any(|t| t.is_single()) && (regular.is_empty() || self.rng.chance(25)) {
                PaymentTerm::Single
            } else {
                *self.rng.pick(&regular)
            };
        let frequencies: Vec<Frequency> = product.frequencies.iter().map(|(f, _)| *f).collect();
        let frequency = if payment_term.is_single() || !self.rng.chance(30) || frequencies.len() == 1 {
            Frequency::Annual
        } else {
            *self.rng.pick(&frequencies)
        };
        let amount = self.amount(product);
        let (sum_assured, annuity_amount) = match product.amount.kind {
            AmountKind::SumAssured => (Some(amount), None),
            AmountKind::AnnuityAmount => (None, Some(amount)),
        };
        let (plan, payout_start_age, guaranteed_years) = match &product.rating {
            Rating::AgeBand { plans, .. } if !plans.is_empty() => (Some(self.rng.pick(plans).id.clone()), None, None),
            Rating::Actuarial(actuarial) => match &actuarial.annuity {
                Some(options) => (
                    None,
                    Some(*self.rng.pick(&options.payout_start_ages)),
                    Some(*self.rng.pick(&options.guaranteed_years)),
                ),
                None => (None, None, None),
            },
            _ => (None, None, None),
        };
        Some(CoverageRequest {
            product: product.code.clone(),
            sum_assured,
            annuity_amount,
            coverage_term,
            payment_term,
            frequency,
            plan,
            payout_start_age,
            guaranteed_years,
            riders: Vec::new(),
        })
    }

    /// An amount the product allows, in its steps, mostly towards the lower end.
    fn amount(&mut self, product: &Product) -> Decimal {
        let rule = &product.amount;
        if let Some(fixed) = rule.fixed() {
            return fixed;
        }
        let steps = ((rule.max - rule.min) / rule.step).trunc();
        let steps = u64::try_from(steps).unwrap_or(0).min(60);
        let k = self.rng.below(steps + 1).min(self.rng.below(steps + 1));
        rule.min + rule.step * Decimal::from(k)
    }

    fn coupons(&mut self, catalogue: &Catalogue, date: NaiveDate) -> Vec<String> {
        let rules = &catalogue.coupons;
        let mut coupons = Vec::new();
        let campaigns: Vec<&str> = rules
            .campaigns
            .iter()
            .filter(|c| c.eligible.from.is_none_or(|f| f <= date) && c.eligible.to.is_none_or(|t| date <= t))
            .map(|c| c.id.as_str())
            .collect();
        if !campaigns.is_empty() && self.rng.chance(30) {
            coupons.push((*self.rng.pick(&campaigns)).to_owned());
        }
        let Some(key) = self.coupon_key.clone() else { return coupons };
        if self.rng.chance(8) && !rules.vouchers.is_empty() {
            let series = self.rng.pick(&rules.vouchers).id.clone();
            coupons.push(self.token(catalogue, &key, TokenKind::Voucher, &series));
        } else if self.rng.chance(6) && !rules.referrals.is_empty() {
            let series = self.rng.pick(&rules.referrals).id.clone();
            coupons.push(self.token(catalogue, &key, TokenKind::Referral, &series));
        }
        coupons
    }

    fn token(&mut self, catalogue: &Catalogue, key: &SigningKey, kind: TokenKind, series: &str) -> String {
        self.serial += 1;
        let claims = Claims {
            catalogue: catalogue.id.clone(),
            kind,
            series: series.to_owned(),
            id: format!("DEMO-{series}-{:08X}-{:06}", self.rng.next_u64() as u32, self.serial),
            expires: None,
            referrer: None,
        };
        premia_core::coupon::issue(&claims, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_makes_the_same_applicants_and_each_prices() {
        let catalogue = premia_core::demo::catalogue();
        let date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let mut a = Generator::new(7, 30, None);
        let mut b = Generator::new(7, 30, None);
        let mut lines = std::collections::BTreeSet::new();
        let mut channels = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let x = a.applicant(&catalogue, date);
            let y = b.applicant(&catalogue, date);
            assert_eq!(x.quote.digest, y.quote.digest);
            premia_core::resident_id::parse(&x.resident_id, date, "resident_id").unwrap();
            lines.extend(x.quote.coverages.iter().map(|c| format!("{:?}", c.line)));
            channels.insert(x.quote.request.channel.name());
        }
        assert!(lines.len() >= 7, "every kind of business: {lines:?}");
        assert_eq!(channels.len(), 2);
    }
}
