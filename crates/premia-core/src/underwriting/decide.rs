//! Deciding a coverage: each rule of [`super::Rules`] and the product's [`super::ProductRules`] in turn,
//! the most severe outcome winning.

use rust_decimal::Decimal;

use super::{AgeRange, Decision, Measure, Outcome, POSSIBLE_BMI, Reason, Rules, bmi_of};
use crate::catalogue::{Catalogue, Product};
use crate::error::{Error, ErrorKind};
use crate::request::{CoverageRequest, Insured};
use crate::term::PaymentTerm;
use crate::text::Text;

/// Sums over the whole request that several rules compare with limits.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Totals {
    /// Sum assured of products under financial underwriting, plus existing cover.
    pub financial: Decimal,
    /// Sum assured of products under non-medical limits, plus existing cover.
    pub non_medical: Decimal,
    /// Death benefits, plus existing cover.
    pub death: Decimal,
}

impl Totals {
    pub(crate) fn of(
        catalogue: &Catalogue,
        insured: &Insured,
        coverages: &[CoverageRequest],
        date: chrono::NaiveDate,
    ) -> Self {
        let existing = insured.existing_cover.unwrap_or_default();
        let mut totals = Totals { financial: existing, non_medical: existing, death: existing };
        for c in coverages {
            let (Some(product), Some(amount)) = (catalogue.product(&c.product, date), c.sum_assured) else { continue };
            let rules = &product.underwriting;
            if rules.financial {
                totals.financial += amount;
            }
            if rules.non_medical {
                totals.non_medical += amount;
            }
            if rules.death_benefit {
                totals.death += amount;
            }
        }
        totals
    }
}

/// What `underwrite` reads about the case.
pub(crate) struct Case<'a> {
    pub rules: &'a Rules,
    pub product: &'a Product,
    pub insured: &'a Insured,
    pub age: u32,
    pub payment_term: PaymentTerm,
    pub payment_years: u32,
    pub totals: Totals,
}

/// Decide one coverage.
pub(crate) fn underwrite(case: &Case<'_>) -> Decision {
    let mut reasons = Vec::new();
    age_limits(case, &mut reasons);
    occupation(case, &mut reasons);
    bmi(case, &mut reasons);
    questions(case, &mut reasons);
    financial(case, &mut reasons);
    non_medical(case, &mut reasons);
    minor_cap(case, &mut reasons);
    let outcome = reasons.iter().map(|(r, _)| r.outcome).max().unwrap_or(Outcome::Accept);
    let declared = case.insured.health_answers.values().any(|a| a.yes);
    let flagged = reasons.iter().any(|(r, high_risk)| *high_risk && r.outcome >= Outcome::Refer);
    let two_person_review =
        outcome == Outcome::Refer && (flagged || declared || case.age >= case.rules.two_person_review_age);
    Decision { outcome, reasons: reasons.into_iter().map(|(r, _)| r).collect(), two_person_review }
}

type Found = Vec<(Reason, bool)>;

fn reason(rule: impl Into<String>, outcome: Outcome, message: Text) -> Reason {
    Reason { rule: rule.into(), outcome, product: None, message, loading: None, exclusion: None }
}

fn age_limits(case: &Case<'_>, found: &mut Found) {
    let rules = &case.product.underwriting;
    if let Some((_, max)) = rules.max_issue_age.iter().find(|(term, _)| *term == case.payment_term) {
        if case.age > *max {
            let term = case.payment_term.label();
            found.push((
                reason(
                    "age.payment_term",
                    Outcome::Decline,
                    Text::new(
                        format!("超龄：{}最高投保年龄 {max} 岁，被保险人 {} 岁", term.zh, case.age),
                        format!(
                            "over age: the highest issue age for {} is {max}; the insured is {}",
                            term.en, case.age
                        ),
                    ),
                ),
                false,
            ));
        }
    }
    if let Some(max_end) = rules.max_payment_end_age {
        let end = case.age + case.payment_years;
        if end > max_end {
            found.push((
                reason(
                    "age.payment_end",
                    Outcome::Decline,
                    Text::new(
                        format!("超龄：交费至 {end} 岁，超过 {max_end} 岁的上限"),
                        format!("over age: premiums would end at {end}, after the limit of {max_end}"),
                    ),
                ),
                false,
            ));
        }
    }
}

fn occupation(case: &Case<'_>, found: &mut Found) {
    let class = case.insured.occupation_class;
    let rules = &case.product.underwriting;
    let uninsured_by_table =
        case.product.factors.occupation.as_ref().is_some_and(|table| {
            usize::from(class).checked_sub(1).and_then(|i| table.get(i).copied().flatten()).is_none()
        });
    if rules.occupation_decline.contains(&class) || uninsured_by_table {
        found.push((
            reason(
                "occupation",
                Outcome::Decline,
                Text::new(format!("{class} 类职业不予承保"), format!("occupation class {class} is not insurable")),
            ),
            false,
        ));
    } else if rules.occupation_refer.contains(&class) {
        found.push((
            reason(
                "occupation",
                Outcome::Refer,
                Text::new(
                    format!("{class} 类职业需人工核保"),
                    format!("occupation class {class} needs manual underwriting"),
                ),
            ),
            false,
        ));
    }
}

/// The request's figures for underwriting as input rules: a height or weight no person has, or money
/// below zero, is an error on its field (so the page, the API and the server all refuse it the same way).
pub(crate) fn check_figures(insured: &Insured, errors: &mut Vec<Error>) {
    let mut possible = true;
    for (measure, value) in [(Measure::HeightCm, insured.height_cm), (Measure::WeightKg, insured.weight_kg)] {
        let Some(value) = value else { continue };
        let (min, max) = measure.possible();
        if value < min || value > max {
            possible = false;
            errors
                .push(Error::new(measure.field(), ErrorKind::ImpossibleMeasure { measure, value: value.to_string() }));
        }
    }
    if let (Some(height), Some(weight), true) = (insured.height_cm, insured.weight_kg, possible) {
        let bmi = bmi_of(height, weight).unwrap_or_default();
        if bmi < POSSIBLE_BMI.0 || bmi > POSSIBLE_BMI.1 {
            for measure in [Measure::HeightCm, Measure::WeightKg] {
                let (height, weight, bmi) = (height.to_string(), weight.to_string(), bmi.to_string());
                errors.push(Error::new(measure.field(), ErrorKind::ImpossibleBmi { height, weight, bmi }));
            }
        }
    }
    for (field, value) in
        [("insured.annual_income", insured.annual_income), ("insured.existing_cover", insured.existing_cover)]
    {
        if let Some(value) = value.filter(|v| v.is_sign_negative() && !v.is_zero()) {
            errors.push(Error::new(field, ErrorKind::NegativeAmount { value: value.to_string() }));
        }
    }
}

fn bmi(case: &Case<'_>, found: &mut Found) {
    if !case.product.underwriting.bmi {
        return;
    }
    let Some(band) = case.rules.bmi.iter().find(|b| b.ages.contains(case.age)) else { return };
    let (Some(h), Some(w)) = (case.insured.height_cm, case.insured.weight_kg) else {
        found.push((
            reason("bmi.missing", Outcome::Pending, Text::fixed("请填写身高和体重", "height and weight are needed")),
            false,
        ));
        return;
    };
    let Some(bmi) = bmi_of(h, w).filter(|_| h > Decimal::ZERO) else {
        found.push((
            reason("bmi.missing", Outcome::Pending, Text::fixed("身高须大于 0", "height must be above 0")),
            false,
        ));
        return;
    };
    let (outcome, zh, en) = if bmi < band.refer_below {
        (
            Outcome::Refer,
            format!("BMI {bmi} 低于 {}", band.refer_below),
            format!("BMI {bmi} is below {}", band.refer_below),
        )
    } else if bmi <= band.accept_max {
        return;
    } else if bmi <= band.refer_max {
        (
            Outcome::Refer,
            format!("BMI {bmi} 高于 {}", band.accept_max),
            format!("BMI {bmi} is above {}", band.accept_max),
        )
    } else {
        (
            Outcome::Decline,
            format!("BMI {bmi} 高于 {}", band.refer_max),
            format!("BMI {bmi} is above {}", band.refer_max),
        )
    };
    found.push((reason("bmi", outcome, Text::new(zh, en)), false));
}

fn questions(case: &Case<'_>, found: &mut Found) {
    let mut unanswered = Vec::new();
    for id in &case.product.underwriting.questions {
        let Some(question) = case.rules.questions.iter().find(|q| &q.id == id) else { continue };
        let Some(answer) = case.insured.health_answers.get(id) else {
            unanswered.push(id.as_str());
            continue;
        };
        if !answer.yes {
            continue;
        }
        let option = answer.follow_up.as_deref().and_then(|f| question.options.iter().find(|o| o.id == f));
        let (rule, detail) = match option {
            Some(o) => (&o.then, Some(&o.text)),
            None => (&question.if_yes, None),
        };
        let message = match detail {
            Some(d) => Text::new(format!("{}：{}", question.text.zh, d.zh), format!("{}: {}", question.text.en, d.en)),
            None => Text::new(format!("{}：是", question.text.zh), format!("{}: yes", question.text.en)),
        };
        let mut r = reason(format!("question.{id}"), rule.outcome, message);
        r.loading = rule.loading;
        r.exclusion = rule.exclusion.clone();
        found.push((r, rule.two_person_review));
    }
    if !unanswered.is_empty() {
        // In words, not question codes: the form marks which questions are still open.
        let n = unanswered.len();
        let en = if n == 1 {
            "1 health question is not answered yet".to_owned()
        } else {
            format!("{n} health questions are not answered yet")
        };
        found.push((
            reason("question.missing", Outcome::Pending, Text::new(format!("还有 {n} 个健康告知问题未回答"), en)),
            false,
        ));
    }
}

fn for_age(table: &[(AgeRange, Decimal)], age: u32) -> Option<Decimal> {
    table.iter().find(|(ages, _)| ages.contains(age)).map(|(_, v)| *v)
}

fn financial(case: &Case<'_>, found: &mut Found) {
    if !case.product.underwriting.financial {
        return;
    }
    let total = case.totals.financial;
    let Some(income) = case.insured.annual_income else {
        if total > case.rules.income_needed_above {
            found.push((
                reason(
                    "financial.income_missing",
                    Outcome::Pending,
                    Text::new(
                        format!("总保额 {total} 超过 {}，请填写年收入", case.rules.income_needed_above),
                        format!(
                            "total sum assured {total} is above {}: annual income is needed",
                            case.rules.income_needed_above
                        ),
                    ),
                ),
                false,
            ));
        }
        return;
    };
    let Some(multiple) = for_age(&case.rules.income_multiples, case.age) else { return };
    let limit = income * multiple;
    if total > limit {
        found.push((
            reason(
                "financial",
                Outcome::Refer,
                Text::new(
                    format!("财务核保：总保额 {total} 超过年收入的 {multiple} 倍（{limit}）"),
                    format!("financial underwriting: total sum assured {total} is above {multiple} × income ({limit})"),
                ),
            ),
            total > limit * Decimal::TWO,
        ));
    }
}

fn non_medical(case: &Case<'_>, found: &mut Found) {
    if !case.product.underwriting.non_medical {
        return;
    }
    let Some(limit) = for_age(&case.rules.non_medical_limits, case.age) else { return };
    let total = case.totals.non_medical;
    if total > limit {
        found.push((
            reason(
                "non_medical",
                Outcome::MedicalExam,
                Text::new(
                    format!("总保额 {total} 超过 {} 岁免体检额度 {limit}", case.age),
                    format!("total sum assured {total} is above the non-medical limit {limit} at age {}", case.age),
                ),
            ),
            false,
        ));
    }
}

fn minor_cap(case: &Case<'_>, found: &mut Found) {
    if !case.product.underwriting.death_benefit {
        return;
    }
    let Some(cap) = for_age(&case.rules.minor_death_caps, case.age) else { return };
    let total = case.totals.death;
    if total > cap {
        found.push((
            reason(
                "minor_death_cap",
                Outcome::Decline,
                Text::new(
                    format!("未成年人身故保险金额合计 {total} 超过监管上限 {cap}"),
                    format!("death benefits for a minor total {total}, above the regulatory cap of {cap}"),
                ),
            ),
            false,
        ));
    }
}
