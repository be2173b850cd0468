//! `quote`: validate a request against the catalogue, price each coverage, total, and digest.

use std::sync::Arc;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::age::{self, AgeBasis};
use crate::catalogue::{AmountKind, AmountRule, Catalogue, Product, Rating};
use crate::desk::Terms;
use crate::discounts::apply as discount;
use crate::discounts::coupon::Discount;
use crate::error::{Error, ErrorKind, Errors, Noun, QuoteError};
use crate::identity::resident_id;
use crate::money::{self, RoundingRules, RoundingStep};
use crate::pricing::quote::{CoverageQuote, DeclinedCoverage, Quote, RiderQuote, Totals};
use crate::pricing::rating::{self, Case};
use crate::pricing::worksheet::{FactorKind, StepKind, Worksheet};
use crate::request::{Channel, CoverageRequest, Insured, QuoteRequest, Sex};
use crate::term::{Frequency, PaymentTerm};
use crate::text::{Lang, Text};
use crate::underwriting::{self, Decision, Outcome};
use crate::wire::digest;

/// Price `request` against `catalogue`. Pure and deterministic: no clock, no I/O.
///
/// Every problem with the request is reported at once, each naming its field. A coverage that
/// underwriting declines is not an error: it is listed in `declined` with its reasons, unpriced.
pub fn quote(catalogue: &Catalogue, request: &QuoteRequest) -> Result<Quote, QuoteError> {
    quote_with_terms(catalogue, request, None)
}

/// [`quote`], with an underwriter's terms in place of pre-underwriting's decision for every coverage it
/// does not decline (see [`crate::desk::reprice`]).
pub(crate) fn quote_with_terms(
    catalogue: &Catalogue,
    request: &QuoteRequest,
    terms: Option<&Terms>,
) -> Result<Quote, QuoteError> {
    let mut errors = Vec::new();
    let date = request.quote_date;
    if date < catalogue.effective_from {
        errors.push(Error::new(
            "quote_date",
            ErrorKind::CatalogueNotInForce { date: date.to_string(), from: catalogue.effective_from.to_string() },
        ));
    }
    check_channel(&request.channel, &mut errors);
    underwriting::check_figures(&request.insured, &mut errors);
    let person = Person::from_request(&request.insured, date, &mut errors);
    if request.coverages.is_empty() {
        errors.push(Error::new("coverages", ErrorKind::NoCoverages));
    }
    let totals_for_rules = underwriting::Totals::of(catalogue, &request.insured, &request.coverages, date);
    let mut coverages = Vec::with_capacity(request.coverages.len());
    let mut declined = Vec::new();
    for (i, coverage) in request.coverages.iter().enumerate() {
        let field = format!("coverages[{i}]");
        if request.coverages[..i].iter().any(|c| c.product == coverage.product) {
            errors.push(Error::new(
                format!("{field}.product"),
                ErrorKind::DuplicateCoverage { product: coverage.product.clone() },
            ));
            continue;
        }
        let Some(person) = &person else { continue };
        let at = Pricing { catalogue, date, person, totals_for_rules, terms };
        match price_coverage(&at, coverage, &field, &mut errors) {
            Some(Priced::Covered(c)) => coverages.push(c),
            Some(Priced::Declined(d)) => declined.push(d),
            None => {}
        }
    }
    if let Some(errors) = Errors::from_vec(errors) {
        return Err(errors);
    }
    let Some(person) = person else { return Err(Errors::one("insured", ErrorKind::Required)) };
    let discounts = discount::apply(catalogue, request, person.age, &coverages);
    let totals = totals(&catalogue.rounding, &coverages, &discounts.discounts);
    let decision = Decision::combine(
        coverages
            .iter()
            .map(|c| (c.product.as_str(), &c.decision))
            .chain(declined.iter().map(|d: &DeclinedCoverage| (d.product.as_str(), &d.decision))),
    );
    let valid_until =
        date.checked_add_days(Days::new(u64::from(catalogue.quote_validity_days))).unwrap_or(NaiveDate::MAX);
    let mut quote = Quote {
        catalogue: catalogue.reference(),
        illustrative: catalogue.illustrative,
        request: person.echo(request),
        valid_until,
        coverages,
        declined,
        decision,
        discounts: discounts.discounts,
        rejected_coupons: discounts.rejected,
        coupons_used: discounts.used,
        discount_worksheet: discounts.worksheet.steps,
        totals,
        digest: String::new(),
    };
    quote.digest = digest::of(&quote);
    Ok(quote)
}

fn totals(rules: &RoundingRules, coverages: &[CoverageQuote], discounts: &[Discount]) -> Totals {
    // Sums start from zero in the catalogue's form of the figures they add (0.00 for fen), so a quote
    // with nothing in a column (every coverage declined, no discount) shows it as its rule says, not "0".
    let premiums = rules.round(RoundingStep::Instalment, Decimal::ZERO);
    let discounted = rules.round(RoundingStep::Discount, Decimal::ZERO);
    let first_year_premium = money::sum(premiums, coverages.iter().map(|c| c.first_year_premium));
    let total_premium = money::sum(premiums, coverages.iter().map(|c| c.total_premium));
    let discount_first_year = money::sum(discounted, discounts.iter().map(|d| d.first_year));
    let discount_total = money::sum(discounted, discounts.iter().map(|d| d.total));
    Totals {
        annual_premium: money::sum(premiums, coverages.iter().map(|c| c.annual_premium)),
        first_year_premium,
        total_premium,
        discount_first_year,
        discount_total,
        net_first_year_premium: money::difference(first_year_premium, discount_first_year),
        net_total_premium: money::difference(total_premium, discount_total),
    }
}

/// The insured's age at last birthday on `date`, for choosing bundles; errors if it cannot be known.
pub(crate) fn insured_age(insured: &Insured, date: NaiveDate) -> Result<u32, Errors> {
    let mut errors = Vec::new();
    let person = Person::from_request(insured, date, &mut errors);
    match (person, Errors::from_vec(errors)) {
        (Some(p), None) => Ok(p.age),
        (_, Some(errors)) => Err(errors),
        (None, None) => Err(Errors::one("insured.birth_date", ErrorKind::Required)),
    }
}

fn check_channel(channel: &Channel, errors: &mut Vec<Error>) {
    if let Channel::Agent { agent_code } = channel {
        if !Channel::is_agent_code(agent_code) {
            errors.push(Error::new("channel.agent_code", ErrorKind::AgentCode { value: agent_code.clone() }));
        }
    }
}

/// The insured as the engine needs them: checked once per request, with birth date and sex taken from
/// the resident ID number when one is given.
struct Person<'r> {
    insured: &'r Insured,
    birth_date: Option<NaiveDate>,
    sex: Sex,
    /// Age at last birthday.
    age: u32,
}

impl<'r> Person<'r> {
    fn from_request(insured: &'r Insured, date: NaiveDate, errors: &mut Vec<Error>) -> Option<Self> {
        // A bad occupation class is reported but does not stop the coverages being checked.
        if !(1..=7).contains(&insured.occupation_class) {
            errors.push(Error::new(
                "insured.occupation_class",
                ErrorKind::OccupationClass { class: insured.occupation_class },
            ));
        }
        let before = errors.len();
        let from_id = insured.resident_id.as_deref().and_then(|text| {
            resident_id::parse(text, date, "insured.resident_id").map_err(|e| errors.extend(e.into_vec())).ok()
        });
        let birth_date = match (&from_id, insured.birth_date) {
            (Some(id), Some(given)) if given != id.birth_date => {
                errors.push(Error::new(
                    "insured.birth_date",
                    ErrorKind::IdContradicts {
                        what: "birth_date",
                        given: given.to_string(),
                        from_id: id.birth_date.to_string(),
                    },
                ));
                None
            }
            (Some(id), _) => Some(id.birth_date),
            (None, given) => given,
        };
        let sex = match (&from_id, insured.sex) {
            (Some(id), Some(given)) if given != id.sex => {
                errors.push(Error::new(
                    "insured.sex",
                    ErrorKind::IdContradicts { what: "sex", given: given.name().into(), from_id: id.sex.name().into() },
                ));
                None
            }
            (Some(id), _) => Some(id.sex),
            (None, Some(given)) => Some(given),
            (None, None) => {
                if insured.resident_id.is_none() {
                    errors.push(Error::new("insured.sex", ErrorKind::Required));
                }
                None
            }
        };
        let from_birth = match birth_date {
            Some(birth) => {
                let age = age::age_last_birthday(birth, date);
                if age.is_none() {
                    errors.push(Error::new(
                        "insured.birth_date",
                        ErrorKind::BirthDateInFuture { birth_date: birth.to_string(), quote_date: date.to_string() },
                    ));
                }
                age
            }
            None => None,
        };
        let age = match (insured.age, from_birth) {
            (Some(given), Some(computed)) if given != computed => {
                errors.push(Error::new(
                    "insured.age",
                    ErrorKind::AgeContradictsBirthDate { age: given, from_birth_date: computed },
                ));
                None
            }
            (_, Some(computed)) => Some(computed),
            (Some(given), None) if birth_date.is_none() => Some(given),
            (_, None) => {
                if birth_date.is_none() && insured.resident_id.is_none() {
                    errors.push(Error::new("insured.birth_date", ErrorKind::Required));
                }
                None
            }
        };
        if errors.len() != before {
            return None;
        }
        Some(Person { insured, birth_date, sex: sex?, age: age? })
    }

    /// Age by the product's basis. Without a birth date only the given age is known; it is used as is.
    fn age(&self, basis: AgeBasis, date: NaiveDate) -> u32 {
        self.birth_date.and_then(|birth| age::age_on(basis, birth, date)).unwrap_or(self.age)
    }

    /// The request as a quote records it: the resident ID number replaced by the birth date and sex it
    /// gave (nothing of the number itself stays). Re-quoting this echo gives the same quote.
    fn echo(&self, request: &QuoteRequest) -> QuoteRequest {
        let mut echo = request.clone();
        if echo.insured.resident_id.take().is_some() {
            echo.insured.birth_date = self.birth_date;
            echo.insured.sex = Some(self.sex);
        }
        echo
    }
}

/// A coverage either priced or declined by underwriting.
enum Priced {
    Covered(CoverageQuote),
    Declined(DeclinedCoverage),
}

/// What pricing one coverage of a request reads besides the coverage itself.
struct Pricing<'a> {
    catalogue: &'a Catalogue,
    date: NaiveDate,
    person: &'a Person<'a>,
    /// Sums over the whole request that underwriting compares with its limits.
    totals_for_rules: underwriting::Totals,
    /// An underwriter's terms, in place of pre-underwriting's decision.
    terms: Option<&'a Terms>,
}

/// A coverage whose fields passed every input rule, with the figures they gave.
struct Checked<'p> {
    product: &'p Product,
    /// Age by the product's basis.
    age: u32,
    amount: Decimal,
    payment_years: u32,
    coverage_years: Option<u32>,
    riders: Vec<(&'p crate::catalogue::Rider, Decimal)>,
}

/// Check one coverage and price it; on any problem, record it and return `None`. The steps: find the
/// product, check the coverage's fields, underwrite, rate the base premium with its factors, rate the
/// riders, then the instalments and totals.
fn price_coverage(
    at: &Pricing<'_>,
    coverage: &CoverageRequest,
    field: &str,
    errors: &mut Vec<Error>,
) -> Option<Priced> {
    let product = find_product(at, coverage, field, errors)?;
    let checked = check_coverage(at, product, coverage, field, errors)?;
    let decision = match underwrite(at, &checked, coverage) {
        Ok(decision) => decision,
        Err(declined) => return Some(Priced::Declined(declined)),
    };
    let mut ws = Worksheet::with_capacity(12 + 3 * checked.riders.len());
    let case = rating_case(at, &checked, coverage);
    let base_premium = match rated_premium(at, &checked, &case, decision.loading(), &mut ws) {
        Ok(premium) => premium,
        Err(kind) => {
            errors.push(Error::new(format!("{field}.product"), kind));
            return None;
        }
    };
    let riders = rate_riders(&checked, &case, base_premium, &mut ws, field, errors)?;
    Some(Priced::Covered(premiums(at, checked, coverage, base_premium, riders, decision, ws)))
}

/// The coverage's product in force on the quote date, or an error naming why there is none.
fn find_product<'c>(
    at: &Pricing<'c>,
    coverage: &CoverageRequest,
    field: &str,
    errors: &mut Vec<Error>,
) -> Option<&'c Product> {
    let (catalogue, date) = (at.catalogue, at.date);
    let product = catalogue.product(&coverage.product, date);
    if product.is_none() {
        let kind = if catalogue.product_codes().contains(&coverage.product) {
            ErrorKind::ProductNotInForce { product: coverage.product.clone(), date: date.to_string() }
        } else {
            ErrorKind::Unknown { what: Noun::Product, name: coverage.product.clone() }
        };
        errors.push(Error::new(format!("{field}.product"), kind));
    }
    product
}

/// Every input rule of the product for this coverage and insured, each broken one recorded.
fn check_coverage<'p>(
    at: &Pricing<'_>,
    product: &'p Product,
    coverage: &CoverageRequest,
    field: &str,
    errors: &mut Vec<Error>,
) -> Option<Checked<'p>> {
    let (person, date) = (at.person, at.date);
    let before = errors.len();
    // Fields of the coverage are named under it; fields of the insured keep their own path.
    let mut err = |f: &str, kind: ErrorKind| {
        let path = if f.starts_with("insured.") { f.to_owned() } else { format!("{field}.{f}") };
        errors.push(Error::new(path, kind));
    };
    let age = person.age(product.age_basis, date);
    check_issue_age(product, person, age, date, &mut err);
    let amount = check_amount(product, coverage, &mut err);
    let (payment_years, coverage_years) = check_terms(product, coverage, age, &mut err);
    check_frequency(product, coverage, &mut err);
    check_plan(product, coverage, &mut err);
    check_annuity(product, coverage, age, payment_years, &mut err);
    let insured = person.insured;
    if product.requires_social_insurance && !insured.social_insurance {
        err("product", ErrorKind::RequiresSocialInsurance { product: product.name.clone() });
    }
    if let Rating::Flat { regions } = &product.rating {
        match &insured.region {
            None => errors.push(Error::new("insured.region", ErrorKind::Required)),
            Some(region) if !regions.contains_key(region) => errors.push(Error::new(
                "insured.region",
                ErrorKind::RegionNotSold { region: region_name(at.catalogue, region), product: product.name.clone() },
            )),
            Some(_) => {}
        }
    }
    let riders = check_riders(product, coverage, amount, field, errors);
    if errors.len() != before {
        return None;
    }
    Some(Checked { product, age, amount: amount?, payment_years: payment_years?, coverage_years, riders })
}

/// Pre-underwriting's decision, or the underwriter's terms in its place; a declined coverage is
/// returned as such, unpriced.
fn underwrite(
    at: &Pricing<'_>,
    checked: &Checked<'_>,
    coverage: &CoverageRequest,
) -> Result<Decision, DeclinedCoverage> {
    let product = checked.product;
    let decision = underwriting::underwrite(&underwriting::Case {
        rules: &at.catalogue.underwriting,
        product,
        insured: at.person.insured,
        age: checked.age,
        payment_term: coverage.payment_term,
        payment_years: checked.payment_years,
        totals: at.totals_for_rules,
    });
    if decision.outcome == Outcome::Decline {
        return Err(DeclinedCoverage {
            product: product.code.clone(),
            product_version: product.version,
            name: product.name.clone(),
            decision,
        });
    }
    // An underwriter's terms replace what pre-underwriting decided, loading included.
    Ok(match at.terms {
        Some(terms) => terms.decision(decision.two_person_review),
        None => decision,
    })
}

/// What the rating methods read about the coverage.
fn rating_case<'a>(at: &Pricing<'a>, checked: &'a Checked<'_>, coverage: &'a CoverageRequest) -> Case<'a> {
    let insured = at.person.insured;
    Case {
        product: checked.product.code.as_str(),
        age: checked.age,
        sex: at.person.sex,
        social_insurance: insured.social_insurance,
        region: insured.region.as_deref(),
        plan: coverage.plan.as_deref(),
        coverage_term: coverage.coverage_term,
        payment_term: coverage.payment_term,
        payment_years: checked.payment_years,
        coverage_years: checked.coverage_years,
        amount: checked.amount,
        payout_start_age: coverage.payout_start_age,
        guaranteed_years: coverage.guaranteed_years,
        base_premium: None,
    }
}

/// The base premium by the product's rating method, then its factors (smoker, occupation class) and
/// the underwriting loading, each a worksheet step, rounded at the named steps.
fn rated_premium(
    at: &Pricing<'_>,
    checked: &Checked<'_>,
    case: &Case<'_>,
    loading: Decimal,
    ws: &mut Worksheet,
) -> Result<Decimal, ErrorKind> {
    let (product, insured) = (checked.product, at.person.insured);
    let rules = &product.rounding;
    let raw = rating::base_premium(&product.rating, case, ws)?;
    let base = ws.round(rules, RoundingStep::BasePremium, raw);
    let mut rated = base;
    // Any factor applied, even one of exactly 1 (200.00 × 1.0 = 200.000), is followed by the rated
    // premium's rounding step: the figure takes the scale its rule says whatever the factors were.
    let mut factored = false;
    if insured.smoker {
        if let Some(f) = product.factors.smoker {
            let step = StepKind::Factor { factor: FactorKind::Smoker, class: None, premium: rated, by: f };
            rated = ws.push(step, rated * f);
            factored = true;
        }
    }
    if let Some(f) = occupation_factor(product, insured.occupation_class) {
        let class = Some(insured.occupation_class);
        let step = StepKind::Factor { factor: FactorKind::Occupation, class, premium: rated, by: f };
        rated = ws.push(step, rated * f);
        factored = true;
    }
    if loading > Decimal::ZERO {
        rated = ws.push(StepKind::UnderwritingLoading { premium: rated, loading }, rated * (Decimal::ONE + loading));
        factored = true;
    }
    if factored || !rules.holds(RoundingStep::RatedPremium, rated) {
        rated = ws.round(rules, RoundingStep::RatedPremium, rated);
    }
    Ok(rated)
}

/// Each rider's premium by its own rating method, on the base premium; `None` if any fails.
fn rate_riders(
    checked: &Checked<'_>,
    case: &Case<'_>,
    base_premium: Decimal,
    ws: &mut Worksheet,
    field: &str,
    errors: &mut Vec<Error>,
) -> Option<Vec<RiderQuote>> {
    let rules = &checked.product.rounding;
    let before = errors.len();
    let mut rider_quotes = Vec::with_capacity(checked.riders.len());
    for &(rider, rider_amount) in &checked.riders {
        ws.for_rider(Some(Arc::from(rider.code.as_str())));
        let rider_case = Case { amount: rider_amount, base_premium: Some(base_premium), ..*case };
        match rating::base_premium(&rider.rating, &rider_case, ws) {
            Ok(raw) => {
                let premium = ws.round(rules, RoundingStep::RiderPremium, raw);
                rider_quotes.push(RiderQuote {
                    code: rider.code.clone(),
                    name: rider.name.clone(),
                    sum_assured: rider_amount,
                    annual_premium: premium,
                });
            }
            Err(kind) => errors.push(Error::new(format!("{field}.riders[{}]", rider.code), kind)),
        }
    }
    ws.for_rider(None);
    (errors.len() == before).then_some(rider_quotes)
}

/// The annual premium with riders, the instalment by the payment frequency, the first year's and the
/// whole term's premiums: the coverage's quote.
fn premiums(
    at: &Pricing<'_>,
    checked: Checked<'_>,
    coverage: &CoverageRequest,
    base_premium: Decimal,
    riders: Vec<RiderQuote>,
    decision: Decision,
    mut ws: Worksheet,
) -> CoverageQuote {
    let (product, rules) = (checked.product, &checked.product.rounding);
    let annual = money::sum(base_premium, riders.iter().map(|r| r.annual_premium));
    if !riders.is_empty() {
        let riders = money::difference(annual, base_premium);
        ws.push(StepKind::AnnualPremium { base: base_premium, riders }, annual);
    }
    let frequency = coverage.frequency;
    let modal = product.modal_factor(frequency).unwrap_or(Decimal::ONE);
    let per_year = frequency.instalments_per_year();
    // Paid yearly the instalment is the annual premium itself (the modal factor is 1, and no step shows
    // it), rounded by the instalment's rule only if it does not already have that rule's form.
    let instalment = if frequency != Frequency::Annual {
        let exact = ws.push(StepKind::Modal { frequency, annual, factor: modal }, annual * modal);
        ws.round(rules, RoundingStep::Instalment, exact)
    } else if rules.holds(RoundingStep::Instalment, annual) {
        annual
    } else {
        ws.round(rules, RoundingStep::Instalment, annual)
    };
    let first_year = instalment * Decimal::from(per_year);
    ws.push(StepKind::FirstYear { instalment, instalments: per_year }, first_year);
    let total = first_year * Decimal::from(checked.payment_years);
    ws.push(StepKind::Total { first_year, years: checked.payment_years }, total);
    let (sum_assured, annuity_amount) = match product.amount.kind {
        AmountKind::SumAssured => (Some(checked.amount), None),
        AmountKind::AnnuityAmount => (None, Some(checked.amount)),
    };
    CoverageQuote {
        product: product.code.clone(),
        product_version: product.version,
        name: product.name.clone(),
        line: product.line,
        age: checked.age,
        sex: at.person.sex,
        smoker: at.person.insured.smoker,
        sum_assured,
        annuity_amount,
        coverage_term: coverage.coverage_term,
        payment_term: coverage.payment_term,
        payment_years: checked.payment_years,
        frequency,
        instalments_per_year: per_year,
        base_premium,
        riders,
        annual_premium: annual,
        instalment_premium: instalment,
        first_year_premium: first_year,
        total_premium: total,
        decision,
        worksheet: ws.steps,
    }
}

fn check_issue_age(
    product: &Product,
    person: &Person<'_>,
    age: u32,
    date: NaiveDate,
    err: &mut impl FnMut(&str, ErrorKind),
) {
    let limits = product.issue_age;
    let code = || product.name.clone();
    if age < limits.min {
        err("product", ErrorKind::AgeBelowMin { age, min: limits.min, product: code() });
    } else if age > limits.max {
        err("product", ErrorKind::AgeAboveMax { age, max: limits.max, product: code() });
    } else if let Some(min_days) = limits.min_days.filter(|_| age == 0) {
        match person.birth_date {
            Some(birth) => {
                let days = age::days_old(birth, date);
                if days < i64::from(min_days) {
                    err("product", ErrorKind::TooYoungInDays { days, min_days, product: code() });
                }
            }
            None => err("insured.birth_date", ErrorKind::Required),
        }
    }
}

/// `product` names what the rule is of (a product, or a rider with its own amount) in messages.
fn check_amount_rule(
    rule: &AmountRule,
    value: Decimal,
    product: &Text,
    f: &str,
    err: &mut impl FnMut(&str, ErrorKind),
) {
    let product = product.clone();
    if value < rule.min {
        err(f, ErrorKind::AmountBelowMin { value: value.to_string(), min: rule.min.to_string(), product });
    } else if value > rule.max {
        err(f, ErrorKind::AmountAboveMax { value: value.to_string(), max: rule.max.to_string(), product });
    // A multiple of the step divides by it without a fraction. (Division rather than `%`, whose code the
    // browser build would carry for this one check; exact here: the value is within the rule's maximum.)
    } else if !value.checked_div(rule.step).is_some_and(|q| q.fract().is_zero()) {
        err(f, ErrorKind::AmountNotMultiple { value: value.to_string(), step: rule.step.to_string(), product });
    }
}

fn check_amount(
    product: &Product,
    coverage: &CoverageRequest,
    err: &mut impl FnMut(&str, ErrorKind),
) -> Option<Decimal> {
    let rule = &product.amount;
    let (given, other) = match rule.kind {
        AmountKind::SumAssured => (coverage.sum_assured, coverage.annuity_amount),
        AmountKind::AnnuityAmount => (coverage.annuity_amount, coverage.sum_assured),
    };
    let field = rule.kind.field();
    if other.is_some() {
        let other_field = match rule.kind {
            AmountKind::SumAssured => "annuity_amount",
            AmountKind::AnnuityAmount => "sum_assured",
        };
        err(other_field, ErrorKind::AmountNotUsed { product: product.name.clone() });
    }
    // A product with one fixed amount (e.g. a million-medical plan) needs none in the request.
    let Some(value) = given.or_else(|| rule.fixed()) else {
        err(field, ErrorKind::Required);
        return None;
    };
    check_amount_rule(rule, value, &product.name, field, err);
    Some(value)
}

/// What a product offers, in words: each value's label, joined as each language lists things.
fn offered<T>(values: &[T], label: impl Fn(&T) -> Text) -> Text {
    let labels: Vec<Text> = values.iter().map(label).collect();
    let join = |lang, separator| labels.iter().map(|t| t.get(lang)).collect::<Vec<_>>().join(separator);
    Text::new(join(Lang::Zh, "、"), join(Lang::En, ", "))
}

/// `value` is not among what `product` offers (`offered`).
fn not_offered(product: &Product, what: Noun, value: Text, offered: Text) -> ErrorKind {
    ErrorKind::NotOffered {
        what,
        product: product.name.clone(),
        offer: Box::new(crate::error::Offer { value, offered }),
    }
}

/// A value as given, in both languages (a code the catalogue has no name for).
fn as_given(value: &str) -> Text {
    Text::new(value, value)
}

/// An age and a number of years as a person reads them.
fn age_text(age: &u32) -> Text {
    Text::new(format!("{age} 岁"), format!("age {age}"))
}

fn years_text(years: &u32) -> Text {
    Text::new(format!("{years} 年"), format!("{years} years"))
}

fn check_terms(
    product: &Product,
    coverage: &CoverageRequest,
    age: u32,
    err: &mut impl FnMut(&str, ErrorKind),
) -> (Option<u32>, Option<u32>) {
    let mut ok = true;
    if !product.coverage_terms.contains(&coverage.coverage_term) {
        ok = false;
        err(
            "coverage_term",
            not_offered(
                product,
                Noun::CoverageTerm,
                coverage.coverage_term.label(),
                offered(&product.coverage_terms, |t| t.label()),
            ),
        );
    }
    if !product.payment_terms.contains(&coverage.payment_term) {
        ok = false;
        err(
            "payment_term",
            not_offered(
                product,
                Noun::PaymentTerm,
                coverage.payment_term.label(),
                offered(&product.payment_terms, |t| t.label()),
            ),
        );
    }
    let coverage_years = coverage.coverage_term.years(age);
    if coverage_years.is_none() && coverage.coverage_term != crate::term::CoverageTerm::Lifelong {
        ok = false;
        err("coverage_term", ErrorKind::TermAlreadyEnded { term: coverage.coverage_term.label(), age });
    }
    let payment_years = coverage.payment_term.years(age);
    if payment_years.is_none() {
        ok = false;
        err("payment_term", ErrorKind::TermAlreadyEnded { term: coverage.payment_term.label(), age });
    }
    if let (Some(pay), Some(cover)) = (payment_years, coverage_years) {
        if pay > cover {
            ok = false;
            err(
                "payment_term",
                ErrorKind::PaymentLongerThanCoverage {
                    payment: coverage.payment_term.label(),
                    coverage: coverage.coverage_term.label(),
                },
            );
        }
    }
    (payment_years.filter(|_| ok), coverage_years)
}

fn check_frequency(product: &Product, coverage: &CoverageRequest, err: &mut impl FnMut(&str, ErrorKind)) {
    let frequency = coverage.frequency;
    if coverage.payment_term == PaymentTerm::Single && frequency != Frequency::Annual {
        err("frequency", ErrorKind::SingleNeedsAnnual { frequency: frequency.label() });
    } else if product.modal_factor(frequency).is_none() {
        err(
            "frequency",
            not_offered(product, Noun::Frequency, frequency.label(), offered(&product.frequencies, |(f, _)| f.label())),
        );
    }
}

fn check_plan(product: &Product, coverage: &CoverageRequest, err: &mut impl FnMut(&str, ErrorKind)) {
    let plans: &[crate::catalogue::Plan] = match &product.rating {
        Rating::AgeBand { plans, .. } => plans,
        _ => &[],
    };
    match (&coverage.plan, plans.is_empty()) {
        (None, false) => err("plan", ErrorKind::Required),
        (Some(plan), _) if !plans.iter().any(|p| &p.id == plan) => {
            err("plan", not_offered(product, Noun::Plan, as_given(plan), offered(plans, |p| p.name.clone())))
        }
        _ => {}
    }
}

fn check_annuity(
    product: &Product,
    coverage: &CoverageRequest,
    age: u32,
    payment_years: Option<u32>,
    err: &mut impl FnMut(&str, ErrorKind),
) {
    let options = match &product.rating {
        Rating::Actuarial(a) => a.annuity.as_ref(),
        _ => None,
    };
    let Some(options) = options else {
        let none = || Text::fixed("", "");
        if let Some(v) = coverage.payout_start_age {
            err("payout_start_age", not_offered(product, Noun::PayoutAge, age_text(&v), none()));
        }
        if let Some(v) = coverage.guaranteed_years {
            err("guaranteed_years", not_offered(product, Noun::GuaranteedYears, years_text(&v), none()));
        }
        return;
    };
    match coverage.payout_start_age {
        None => err("payout_start_age", ErrorKind::Required),
        Some(r) if !options.payout_start_ages.contains(&r) => err(
            "payout_start_age",
            not_offered(product, Noun::PayoutAge, age_text(&r), offered(&options.payout_start_ages, age_text)),
        ),
        Some(r) => {
            if let Some(end) = payment_years.map(|m| age + m) {
                if end > r {
                    err("payout_start_age", ErrorKind::PayoutBeforePaymentEnds { payout_age: r, payment_end_age: end });
                }
            }
        }
    }
    match coverage.guaranteed_years {
        None => err("guaranteed_years", ErrorKind::Required),
        Some(g) if !options.guaranteed_years.contains(&g) => err(
            "guaranteed_years",
            not_offered(product, Noun::GuaranteedYears, years_text(&g), offered(&options.guaranteed_years, years_text)),
        ),
        Some(_) => {}
    }
}

/// A region by its name (its code if the catalogue has none, as in a request for a region it lacks).
fn region_name(catalogue: &Catalogue, code: &str) -> Text {
    catalogue.regions.get(code).cloned().unwrap_or_else(|| Text::new(code, code))
}

/// The occupation factor, if the product rates by occupation. A class the table does not list is
/// declined by underwriting before pricing.
fn occupation_factor(product: &Product, class: u8) -> Option<Decimal> {
    let table = product.factors.occupation.as_ref()?;
    usize::from(class).checked_sub(1).and_then(|i| table.get(i).copied().flatten())
}

fn check_riders<'p>(
    product: &'p Product,
    coverage: &CoverageRequest,
    base_amount: Option<Decimal>,
    field: &str,
    errors: &mut Vec<Error>,
) -> Vec<(&'p crate::catalogue::Rider, Decimal)> {
    let mut riders = Vec::with_capacity(coverage.riders.len());
    for (i, wanted) in coverage.riders.iter().enumerate() {
        let f = format!("{field}.riders[{i}]");
        let Some(rider) = product.rider(&wanted.code) else {
            errors.push(Error::new(
                format!("{f}.code"),
                not_offered(product, Noun::Rider, as_given(&wanted.code), offered(&product.riders, |r| r.name.clone())),
            ));
            continue;
        };
        if coverage.riders[..i].iter().any(|r| r.code == wanted.code) {
            errors.push(Error::new(
                format!("{f}.code"),
                ErrorKind::Duplicate { what: Noun::Rider, name: wanted.code.clone() },
            ));
            continue;
        }
        let amount = match (&rider.amount, wanted.sum_assured) {
            (Some(rule), Some(value)) => {
                let mut err = |g: &str, kind| errors.push(Error::new(format!("{f}.{g}"), kind));
                check_amount_rule(rule, value, &rider.name, "sum_assured", &mut err);
                Some(value)
            }
            (Some(_), None) => {
                errors.push(Error::new(format!("{f}.sum_assured"), ErrorKind::Required));
                None
            }
            (None, Some(_)) => {
                errors.push(Error::new(
                    format!("{f}.sum_assured"),
                    ErrorKind::AmountNotUsed { product: rider.name.clone() },
                ));
                None
            }
            (None, None) => base_amount,
        };
        if let Some(amount) = amount {
            riders.push((rider, amount));
        }
    }
    riders
}
