//! The rating worksheet: every step from request to premium, with its inputs and result, so that an
//! auditor or a customer can see why a price is what it is.
//!
//! Steps are recorded as data — a [`StepKind`] with its inputs, and the value it produced — and their
//! zh-CN/English label and detail text are rendered when shown or serialized. Pricing therefore does no
//! string formatting, and the JSON carries both machine-readable inputs and readable text:
//!
//! ```json
//! { "code": "table.per_unit", "inputs": { "amount": "500000", "per": "1000", "rate": "19.43" },
//!   "label": { "zh": "按保额计算保费", "en": "premium for the sum assured" },
//!   "detail": { "zh": "保额 500000 ÷ 1000 × 费率 19.43", "en": "sum assured 500000 ÷ 1000 × rate 19.43" },
//!   "value": "9715.00" }
//! ```

use std::sync::Arc;

use rust_decimal::Decimal;
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::catalogue::Benefit;
use crate::money::{RoundMode, RoundingRules, RoundingStep};
use crate::request::Sex;
use crate::term::Frequency;
use crate::text::Text;

/// One step of a calculation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The rider this step prices, if it is not the base cover.
    pub rider: Option<Arc<str>>,
    /// What was done, with its inputs.
    pub kind: StepKind,
    /// Its result, exactly as used by the next step.
    pub value: Decimal,
}

/// Which rating factor a [`StepKind::Factor`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    Smoker,
    Occupation,
}

impl FactorKind {
    pub const ALL: [FactorKind; 2] = crate::variants::every_variant!(FactorKind { Smoker, Occupation });
}

/// The kinds of step, each with the inputs it used. The serialized `code` is stable API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", content = "inputs")]
pub enum StepKind {
    /// A cell of a rate table or age-band table; `plan` is the chosen plan's name when the column is
    /// one of a plan (its id stays in `column`).
    #[serde(rename = "table.lookup")]
    TableLookup {
        table: Arc<str>,
        from_age: u32,
        to_age: u32,
        column: Arc<str>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        plan: Option<Text>,
    },
    /// amount ÷ per × rate.
    #[serde(rename = "table.per_unit")]
    PerUnit { amount: Decimal, per: Decimal, rate: Decimal },
    /// The flat premium of a region.
    #[serde(rename = "flat.region")]
    FlatRegion { region: String },
    /// A share of the base premium (riders).
    #[serde(rename = "percent_of_base")]
    PercentOfBase { base: Decimal, percent: Decimal },
    /// The basis: mortality table and interest rate (the step's value is the rate).
    #[serde(rename = "actuarial.basis")]
    ActuarialBasis { mortality: Arc<str>, source: Arc<str>, age: u32, sex: Sex },
    /// ä_{x:m}, the premium-paying annuity-due.
    #[serde(rename = "actuarial.annuity_due")]
    AnnuityDue { age: u32, years: u32 },
    /// Present value of the benefit per unit of amount.
    #[serde(rename = "actuarial.benefit")]
    BenefitFactor {
        benefit: Benefit,
        age: u32,
        years: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payout_start_age: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        guaranteed_years: Option<u32>,
    },
    /// amount × benefit factor ÷ annuity.
    #[serde(rename = "actuarial.net_premium")]
    NetPremium { amount: Decimal, factor: Decimal, annuity: Decimal },
    /// Present value of per-mille and per-policy expenses.
    #[serde(rename = "actuarial.expenses")]
    Expenses {
        per_mille: Decimal,
        amount: Decimal,
        policy_fee: Decimal,
        age: u32,
        coverage_years: u32,
        payment_years: u32,
    },
    /// Present value of premium-related loadings per unit of premium.
    #[serde(rename = "actuarial.premium_loading")]
    PremiumLoading { age: u32, years: u32 },
    /// (benefits + expenses) ÷ (annuity − loading).
    #[serde(rename = "actuarial.gross_premium")]
    GrossPremium { benefits: Decimal, expenses: Decimal, annuity: Decimal, loading: Decimal },
    /// Rounding at a named step.
    #[serde(rename = "rounding")]
    Rounding { step: RoundingStep, from: Decimal, scale: u32, mode: RoundMode },
    /// A rating factor applied to the premium.
    #[serde(rename = "factor")]
    Factor {
        factor: FactorKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<u8>,
        premium: Decimal,
        by: Decimal,
    },
    /// Base premium plus riders.
    #[serde(rename = "annual_premium")]
    AnnualPremium { base: Decimal, riders: Decimal },
    /// The annual premium times the modal factor of the frequency.
    #[serde(rename = "modal")]
    Modal { frequency: Frequency, annual: Decimal, factor: Decimal },
    /// Instalment × instalments a year.
    #[serde(rename = "first_year_premium")]
    FirstYear { instalment: Decimal, instalments: u32 },
    /// First-year premium × payment years.
    #[serde(rename = "total_premium")]
    Total { first_year: Decimal, years: u32 },
    /// An underwriting loading (accept with conditions), applied like a factor.
    #[serde(rename = "underwriting.loading")]
    UnderwritingLoading { premium: Decimal, loading: Decimal },
    /// The regulatory cap on discounts: share × gross premium (first year or over the terms).
    #[serde(rename = "discount.cap")]
    DiscountCap { share: Decimal, gross: Decimal, over_terms: bool },
    /// A percentage discount on one product's first-year premium.
    #[serde(rename = "discount.percent")]
    DiscountPercent { coupon: String, product: String, premium: Decimal, percent: Decimal },
    /// A first-year discount repeated every paying year.
    #[serde(rename = "discount.every_year")]
    DiscountEveryYear { coupon: String, product: String, first_year: Decimal, years: u32 },
    /// A fixed-amount voucher, at most the eligible premium.
    #[serde(rename = "discount.amount")]
    DiscountAmount { coupon: String, eligible: Decimal, amount: Decimal },
    /// A discount reduced to what the cap leaves.
    #[serde(rename = "discount.capped")]
    DiscountCapped { coupon: String, before: Decimal, left: Decimal },
    /// A capped every-year discount's total over the terms, reduced in the same proportion as its first
    /// year: total × first year kept ÷ first year before.
    #[serde(rename = "discount.scaled")]
    DiscountScaled { coupon: String, total: Decimal, kept: Decimal, before: Decimal },
}

impl StepKind {
    /// The stable code, as serialized.
    pub fn code(&self) -> &'static str {
        match self {
            StepKind::TableLookup { .. } => "table.lookup",
            StepKind::PerUnit { .. } => "table.per_unit",
            StepKind::FlatRegion { .. } => "flat.region",
            StepKind::PercentOfBase { .. } => "percent_of_base",
            StepKind::ActuarialBasis { .. } => "actuarial.basis",
            StepKind::AnnuityDue { .. } => "actuarial.annuity_due",
            StepKind::BenefitFactor { .. } => "actuarial.benefit",
            StepKind::NetPremium { .. } => "actuarial.net_premium",
            StepKind::Expenses { .. } => "actuarial.expenses",
            StepKind::PremiumLoading { .. } => "actuarial.premium_loading",
            StepKind::GrossPremium { .. } => "actuarial.gross_premium",
            StepKind::Rounding { .. } => "rounding",
            StepKind::Factor { .. } => "factor",
            StepKind::AnnualPremium { .. } => "annual_premium",
            StepKind::Modal { .. } => "modal",
            StepKind::FirstYear { .. } => "first_year_premium",
            StepKind::Total { .. } => "total_premium",
            StepKind::UnderwritingLoading { .. } => "underwriting.loading",
            StepKind::DiscountCap { .. } => "discount.cap",
            StepKind::DiscountPercent { .. } => "discount.percent",
            StepKind::DiscountEveryYear { .. } => "discount.every_year",
            StepKind::DiscountAmount { .. } => "discount.amount",
            StepKind::DiscountCapped { .. } => "discount.capped",
            StepKind::DiscountScaled { .. } => "discount.scaled",
        }
    }

    /// What the step does.
    pub fn label(&self) -> Text {
        match self {
            StepKind::TableLookup { .. } => Text::fixed("查费率表", "rate table lookup"),
            StepKind::PerUnit { .. } => Text::fixed("按保额计算保费", "premium for the sum assured"),
            StepKind::FlatRegion { .. } => Text::fixed("按地区统一保费", "flat premium for the region"),
            StepKind::PercentOfBase { .. } => Text::fixed("按主险保费比例", "share of the base premium"),
            StepKind::ActuarialBasis { .. } => Text::fixed("精算基础：预定利率", "actuarial basis: interest rate"),
            StepKind::AnnuityDue { .. } => {
                Text::fixed("每年交 1 元、交满交费期的现值", "today's value of paying 1 a year for the payment term")
            }
            StepKind::BenefitFactor { .. } => {
                Text::fixed("每 1 元保额将来给付的现值", "today's value of the benefit, per 1 of cover")
            }
            StepKind::NetPremium { .. } => {
                Text::fixed("纯保费：保额 × 给付现值 ÷ 交费现值", "net premium: cover × benefit value ÷ payment value")
            }
            StepKind::Expenses { .. } => Text::fixed("各年费用的现值", "today's value of the yearly expenses"),
            StepKind::PremiumLoading { .. } => Text::fixed(
                "按保费比例收取的费用（每 1 元保费）",
                "charges in proportion to the premium (per 1 of premium)",
            ),
            StepKind::GrossPremium { .. } => Text::fixed(
                "保费：(给付 + 费用) ÷ (交费现值 − 按保费比例的费用)",
                "premium: (benefits + expenses) ÷ (payment value − charges on the premium)",
            ),
            StepKind::Rounding { step, .. } => step.label(),
            StepKind::Factor { factor: FactorKind::Smoker, .. } => Text::fixed("吸烟者系数", "smoker factor"),
            StepKind::Factor { factor: FactorKind::Occupation, class, .. } => {
                let class = class.unwrap_or_default();
                Text::new(format!("职业类别 {class} 系数"), format!("occupation class {class} factor"))
            }
            StepKind::AnnualPremium { .. } => Text::fixed("年保费（主险 + 附加险）", "annual premium (base + riders)"),
            StepKind::Modal { frequency, .. } => {
                let f = frequency.label();
                Text::new(format!("{}交费系数", f.zh), format!("{} modal factor", f.en))
            }
            StepKind::FirstYear { .. } => Text::fixed("首年保费", "first-year premium"),
            StepKind::Total { .. } => Text::fixed("交费期内总保费", "total premium over the payment term"),
            StepKind::UnderwritingLoading { .. } => Text::fixed("核保加费", "underwriting loading"),
            StepKind::DiscountCap { over_terms: false, .. } => {
                Text::fixed("优惠监管上限（首年）", "regulatory cap on discounts (first year)")
            }
            StepKind::DiscountCap { over_terms: true, .. } => {
                Text::fixed("优惠监管上限（交费期内）", "regulatory cap on discounts (over the terms)")
            }
            StepKind::DiscountPercent { .. } => Text::fixed("比例优惠", "percentage discount"),
            StepKind::DiscountEveryYear { .. } => Text::fixed("每年优惠合计", "discount in every paying year"),
            StepKind::DiscountAmount { .. } => Text::fixed("抵用券", "voucher"),
            StepKind::DiscountCapped { .. } => Text::fixed("按监管上限削减", "reduced to the regulatory cap"),
            StepKind::DiscountScaled { .. } => {
                Text::fixed("交费期内优惠按同一比例削减", "discount over the terms, reduced in the same proportion")
            }
        }
    }

    /// The inputs in words: the cell looked up, or the formula with the numbers put in.
    pub fn detail(&self) -> Option<Text> {
        let same = |s: String| Text::new(s.clone(), s);
        Some(match self {
            // The table's name and the column's tokens stay in the inputs; a person reads the row and
            // the column in words ("30 岁 · 女性 · 20年交").
            StepKind::TableLookup { from_age, to_age, column, plan, .. } => {
                let (zh, en) = if from_age == to_age {
                    (format!("{from_age} 岁"), format!("age {from_age}"))
                } else {
                    (format!("{from_age}–{to_age} 岁"), format!("ages {from_age}-{to_age}"))
                };
                let (mut zh, mut en) = (vec![zh], vec![en]);
                for words in column.split_whitespace().filter_map(|token| column_words(token, plan.as_ref())) {
                    zh.push(words.zh.into_owned());
                    en.push(words.en.into_owned());
                }
                Text::new(zh.join(" · "), en.join(", "))
            }
            StepKind::PerUnit { amount, per, rate } => Text::new(
                format!("保额 {amount} ÷ {per} × 费率 {rate}"),
                format!("sum assured {amount} ÷ {per} × rate {rate}"),
            ),
            StepKind::FlatRegion { region } => Text::new(format!("地区 {region}"), format!("region {region}")),
            StepKind::PercentOfBase { base, percent } => {
                Text::new(format!("主险保费 {base} × {percent}"), format!("base premium {base} × {percent}"))
            }
            StepKind::ActuarialBasis { mortality, source, age, sex } => Text::new(
                format!("生命表 {mortality}（{source}）· {age} 岁 {}", sex.label().zh),
                format!("mortality {mortality} ({source}), age {age} {}", sex.name()),
            ),
            StepKind::AnnuityDue { age, years } => Text::new(
                format!("{age} 岁起每年年初交费，共 {years} 年"),
                format!("from age {age}, at the start of each year, for {years} years"),
            ),
            StepKind::BenefitFactor { benefit, age, years, payout_start_age, guaranteed_years } => match benefit {
                Benefit::Term => Text::new(
                    format!("{age} 岁起 {years} 年内身故给付"),
                    format!("paid on death within {years} years from age {age}"),
                ),
                Benefit::WholeLife => {
                    Text::new(format!("{age} 岁起终身身故给付"), format!("paid on death, whenever, from age {age}"))
                }
                Benefit::Endowment => Text::new(
                    format!("{age} 岁起 {years} 年内身故或满期给付"),
                    format!("paid on death within {years} years from age {age}, or at their end"),
                ),
                Benefit::Annuity => {
                    let (r, g) = (payout_start_age.unwrap_or_default(), guaranteed_years.unwrap_or_default());
                    Text::new(
                        format!("{r} 岁起每年领取，保证 {g} 年，之后生存即领"),
                        format!("paid yearly from age {r}: {g} years for certain, then while alive"),
                    )
                }
            },
            StepKind::NetPremium { amount, factor, annuity } => same(format!("{amount} × {factor} ÷ {annuity}")),
            StepKind::Expenses { per_mille, amount, policy_fee, age, coverage_years, payment_years } => Text::new(
                format!(
                    "保额 {amount} 的 {per_mille}‰ 每年，共 {coverage_years} 年；保单费 {policy_fee} 每年，共 {payment_years} 年；{age} 岁起"
                ),
                format!(
                    "{per_mille}‰ of {amount} a year for {coverage_years} years, and a policy fee of {policy_fee} a year for {payment_years} years, from age {age}"
                ),
            ),
            StepKind::PremiumLoading { age, years } => Text::new(
                format!("{age} 岁起交费 {years} 年，各年按保费比例收取的费用"),
                format!("the share of each premium charged, over {years} years of paying from age {age}"),
            ),
            StepKind::GrossPremium { benefits, expenses, annuity, loading } => {
                same(format!("({benefits} + {expenses}) ÷ ({annuity} − {loading})"))
            }
            StepKind::Rounding { from, scale, mode, .. } => {
                let (places, mode) = (places_zh(*scale), mode.label());
                Text::new(format!("{from} → {places}，{}", mode.zh), format!("{from} to {scale} places, {}", mode.en))
            }
            StepKind::Factor { premium, by, .. } => same(format!("{premium} × {by}")),
            StepKind::AnnualPremium { base, riders } => {
                Text::new(format!("主险 {base} + 附加险 {riders}"), format!("base {base} + riders {riders}"))
            }
            StepKind::Modal { annual, factor, .. } => {
                Text::new(format!("年保费 {annual} × {factor}"), format!("annual premium {annual} × {factor}"))
            }
            StepKind::FirstYear { instalment, instalments } => Text::new(
                format!("{instalment} × {instalments} 期"),
                format!("{instalment} × {instalments} instalments"),
            ),
            StepKind::Total { first_year, years } => {
                Text::new(format!("{first_year} × {years} 年"), format!("{first_year} × {years} years"))
            }
            StepKind::UnderwritingLoading { premium, loading } => same(format!("{premium} × (1 + {loading})")),
            StepKind::DiscountCap { share, gross, .. } => {
                Text::new(format!("总保费 {gross} × {share}"), format!("gross premium {gross} × {share}"))
            }
            StepKind::DiscountPercent { coupon, product, premium, percent } => Text::new(
                format!("{coupon}：{product} 首年保费 {premium} × {percent}"),
                format!("{coupon}: {product} first-year premium {premium} × {percent}"),
            ),
            StepKind::DiscountEveryYear { coupon, product, first_year, years } => Text::new(
                format!("{coupon}：{product} {first_year} × {years} 年"),
                format!("{coupon}: {product} {first_year} × {years} years"),
            ),
            StepKind::DiscountAmount { coupon, eligible, amount } => Text::new(
                format!("{coupon}：面额 {amount}，不超过适用保费 {eligible}"),
                format!("{coupon}: {amount}, at most the eligible premium {eligible}"),
            ),
            StepKind::DiscountCapped { coupon, before, left } => Text::new(
                format!("{coupon}：{before} 超出上限余额 {left}"),
                format!("{coupon}: {before} is more than the {left} the cap leaves"),
            ),
            StepKind::DiscountScaled { coupon, total, kept, before } => Text::new(
                format!("{coupon}：{total} × 首年保留 {kept} ÷ 首年原为 {before}"),
                format!("{coupon}: {total} × {kept} kept in the first year ÷ {before} before"),
            ),
        })
    }
}

/// How many places a rounding keeps, as a Chinese reader says it: to the yuan, jiao or fen.
pub(crate) fn places_zh(scale: u32) -> std::borrow::Cow<'static, str> {
    match scale {
        0 => "精确到元".into(),
        1 => "精确到角".into(),
        2 => "精确到分".into(),
        n => format!("保留 {n} 位小数").into(),
    }
}

/// A column token of a rate table in words: a sex, social insurance, a payment term; a plan id as the
/// plan's name (`plan`, which the step carries); nothing for "any".
pub(crate) fn column_words(token: &str, plan: Option<&Text>) -> Option<Text> {
    Some(match token {
        "any" => return None,
        "male" => Sex::Male.label(),
        "female" => Sex::Female.label(),
        "social" => Text::fixed("有社保", "with social insurance"),
        "no_social" => Text::fixed("无社保", "without social insurance"),
        other => match other.parse::<crate::term::PaymentTerm>() {
            Ok(term) => term.label(),
            Err(_) => plan.cloned().unwrap_or_else(|| Text::new(format!("方案 {other}"), format!("plan {other}"))),
        },
    })
}

impl Step {
    pub fn label(&self) -> Text {
        self.kind.label()
    }

    pub fn detail(&self) -> Option<Text> {
        self.kind.detail()
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

/// Serialized form: `{code, inputs, rider?, label, detail?, value}`.
#[derive(Serialize)]
struct StepOut<'a> {
    #[serde(flatten)]
    kind: &'a StepKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    rider: Option<&'a str>,
    label: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<Text>,
    value: &'a Decimal,
}

impl Serialize for Step {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StepOut {
            kind: &self.kind,
            rider: self.rider.as_deref(),
            label: self.kind.label(),
            detail: self.kind.detail(),
            value: &self.value,
        }
        .serialize(serializer)
    }
}

/// Read back from `code` and `inputs`; the text is rendered again, not trusted.
#[derive(Deserialize)]
struct StepIn {
    #[serde(flatten)]
    kind: StepKind,
    #[serde(default)]
    rider: Option<Arc<str>>,
    value: Decimal,
    #[serde(default, rename = "label")]
    _label: Option<IgnoredAny>,
    #[serde(default, rename = "detail")]
    _detail: Option<IgnoredAny>,
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let step = StepIn::deserialize(deserializer)?;
        Ok(Step { rider: step.rider, kind: step.kind, value: step.value })
    }
}

/// Collects steps; the rider scope applies to every step pushed while it is set.
#[derive(Debug, Default)]
pub(crate) struct Worksheet {
    pub(crate) steps: Vec<Step>,
    rider: Option<Arc<str>>,
}

impl Worksheet {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Worksheet { steps: Vec::with_capacity(n), rider: None }
    }

    pub(crate) fn for_rider(&mut self, rider: Option<Arc<str>>) {
        self.rider = rider;
    }

    /// Record a step and return its value, so that a computation reads as a chain of recorded steps.
    pub(crate) fn push(&mut self, kind: StepKind, value: Decimal) -> Decimal {
        self.steps.push(Step { rider: self.rider.clone(), kind, value });
        value
    }

    /// Round `value` at the named `step` by its rule, and record the rounding.
    pub(crate) fn round(&mut self, rules: &RoundingRules, step: RoundingStep, value: Decimal) -> Decimal {
        let rule = rules.get(step);
        let rounded = rule.apply(value);
        debug_assert_eq!(rounded.scale(), rule.scale, "a rounded figure has its rule's scale");
        self.push(StepKind::Rounding { step, from: value, scale: rule.scale, mode: rule.mode }, rounded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_serialize_inputs_and_text_and_read_back() {
        let step = Step {
            rider: None,
            kind: StepKind::PerUnit {
                amount: Decimal::new(500_000, 0),
                per: Decimal::new(1000, 0),
                rate: Decimal::new(1943, 2),
            },
            value: Decimal::new(971_500, 2),
        };
        let json = serde_json::to_value(&step).unwrap();
        assert_eq!(json["code"], "table.per_unit");
        assert_eq!(json["inputs"]["rate"], "19.43");
        assert_eq!(json["detail"]["en"], "sum assured 500000 ÷ 1000 × rate 19.43");
        assert_eq!(json["value"], "9715.00");
        let back: Step = serde_json::from_value(json).unwrap();
        assert_eq!(back, step);
    }
}
