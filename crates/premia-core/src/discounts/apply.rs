//! Applying discounts to a priced quote: resolve each coupon, check its eligibility, compute it, stack
//! in the catalogue's order and hold the total under the regulatory cap. Every coupon that does not
//! apply gets a reason; none is silently dropped.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::bundles::Bundle;
use crate::catalogue::Catalogue;
use crate::discounts::coupon::{
    self, AppliesTo, Claims, CouponKind, Discount, Eligibility, PaymentType, PercentRule, RejectedCoupon, TokenKind,
    UsedCoupon, VoucherSeries,
};
use crate::error::{ErrorKind, Noun};
use crate::money::RoundingStep;
use crate::pricing::quote::CoverageQuote;
use crate::pricing::worksheet::{StepKind, Worksheet};
use crate::request::{Channel, QuoteRequest};
use crate::term::PaymentTerm;
use crate::text::{Lang, Text};

/// The discounts of a quote and what became of every coupon.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    pub discounts: Vec<Discount>,
    pub rejected: Vec<RejectedCoupon>,
    pub used: Vec<UsedCoupon>,
    pub worksheet: Worksheet,
}

/// A coupon resolved to the rule it invokes.
enum Source<'c> {
    Bundle(&'c Bundle),
    Percent { rule: &'c PercentRule, claims: Option<Claims> },
    Voucher { series: &'c VoucherSeries, claims: Claims },
}

struct Candidate<'c, 'r> {
    entered: &'r str,
    kind: CouponKind,
    source: Source<'c>,
}

impl Candidate<'_, '_> {
    /// What the discount is called in the quote: the campaign code, token id or bundle id.
    fn code(&self) -> String {
        match &self.source {
            Source::Bundle(b) => b.id.clone(),
            Source::Percent { rule, claims: None } => rule.id.clone(),
            Source::Percent { claims: Some(c), .. } | Source::Voucher { claims: c, .. } => c.id.clone(),
        }
    }
}

pub(crate) fn apply(catalogue: &Catalogue, request: &QuoteRequest, age: u32, coverages: &[CoverageQuote]) -> Applied {
    let mut applied = Applied::default();
    if request.coupons.is_empty() && request.bundle.is_none() {
        return applied;
    }
    let rules = &catalogue.coupons;
    let mut candidates = Vec::new();
    if let Some(id) = &request.bundle {
        match catalogue.bundles.iter().find(|b| &b.id == id) {
            Some(bundle) if bundle.discount.is_some() => {
                candidates.push(Candidate { entered: id, kind: CouponKind::Bundle, source: Source::Bundle(bundle) })
            }
            Some(_) => {}
            None => applied.rejected.push(RejectedCoupon::new(id, &ErrorKind::CouponUnknown { code: id.clone() })),
        }
    }
    for entered in &request.coupons {
        match resolve(catalogue, entered, request.quote_date) {
            Ok(candidate) => candidates.push(candidate),
            Err(kind) => applied.rejected.push(RejectedCoupon::new(entered, &kind)),
        }
    }
    let position = |kind| rules.order.iter().position(|k| *k == kind).unwrap_or(usize::MAX);
    candidates.sort_by_key(|c| position(c.kind));

    let gross_first_year: Decimal = coverages.iter().map(|c| c.first_year_premium).sum();
    let gross_total: Decimal = coverages.iter().map(|c| c.total_premium).sum();
    let ws = &mut applied.worksheet;
    let cap_first_year = ws.push(
        StepKind::DiscountCap { share: rules.cap, gross: gross_first_year, over_terms: false },
        gross_first_year * rules.cap,
    );
    let cap_first_year = ws.round(&catalogue.rounding, RoundingStep::Discount, cap_first_year);
    let cap_total = ws.push(
        StepKind::DiscountCap { share: rules.cap, gross: gross_total, over_terms: true },
        gross_total * rules.cap,
    );
    let cap_total = ws.round(&catalogue.rounding, RoundingStep::Discount, cap_total);
    let (mut used_first_year, mut used_total) = (Decimal::ZERO, Decimal::ZERO);

    for candidate in candidates {
        // A coupon's steps go into the quote's worksheet only if it gives its discount: one refused (a
        // second coupon of its kind, a code entered twice in other spellings, nothing left under the
        // cap) leaves no steps behind, so the worksheet shows each discount's working once.
        let mut steps = Worksheet::default();
        let outcome = discount(catalogue, request, age, coverages, &candidate, &mut steps);
        let mut discount = match outcome {
            Ok(d) => d,
            Err(kind) => {
                applied.rejected.push(RejectedCoupon::new(candidate.entered, &kind));
                continue;
            }
        };
        if applied.discounts.iter().any(|d| d.code == discount.code) {
            // The same coupon again, in another spelling ("online-2026" after "ONLINE-2026").
            let kind = ErrorKind::Duplicate { what: Noun::Coupon, name: discount.code };
            applied.rejected.push(RejectedCoupon::new(candidate.entered, &kind));
            continue;
        }
        // One discount of each kind: the kinds used are those of the discounts given so far.
        if applied.discounts.iter().any(|d| d.kind == candidate.kind) {
            let kind = ErrorKind::CouponDuplicateKind { kind: candidate.kind };
            applied.rejected.push(RejectedCoupon::new(candidate.entered, &kind));
            continue;
        }
        let left_first_year = cap_first_year - used_first_year;
        let left_total = cap_total - used_total;
        if discount.first_year > left_first_year || discount.total > left_total {
            let before = discount.first_year;
            let first_year = before.min(left_first_year).max(Decimal::ZERO);
            // An every-year discount shrinks in every year by the same proportion as in the first.
            let total = match discount.applies_to {
                AppliesTo::FirstYear => first_year,
                AppliesTo::EveryYear if before > Decimal::ZERO => {
                    let kind = StepKind::DiscountScaled {
                        coupon: discount.code.clone(),
                        total: discount.total,
                        kept: first_year,
                        before,
                    };
                    let scaled = steps.push(kind, discount.total * first_year / before);
                    steps.round(&catalogue.rounding, RoundingStep::Discount, scaled)
                }
                AppliesTo::EveryYear => Decimal::ZERO,
            }
            .min(left_total);
            discount.first_year = first_year.min(total);
            discount.total = total;
            discount.capped = true;
            let step = StepKind::DiscountCapped { coupon: discount.code.clone(), before, left: left_first_year };
            steps.push(step, discount.first_year);
        }
        if discount.first_year <= Decimal::ZERO {
            let kind = ErrorKind::CouponOverCap { cap: format!("{}%", (rules.cap * Decimal::ONE_HUNDRED).normalize()) };
            applied.rejected.push(RejectedCoupon::new(candidate.entered, &kind));
            continue;
        }
        applied.worksheet.steps.append(&mut steps.steps);
        used_first_year += discount.first_year;
        used_total += discount.total;
        if let Source::Percent { claims: Some(claims), .. } | Source::Voucher { claims, .. } = &candidate.source {
            applied.used.push(UsedCoupon {
                id: claims.id.clone(),
                kind: candidate.kind,
                series: claims.series.clone(),
                single_use: claims.kind == TokenKind::Voucher,
            });
        }
        applied.discounts.push(discount);
    }
    applied
}

fn resolve<'c, 'r>(
    catalogue: &'c Catalogue,
    entered: &'r str,
    date: NaiveDate,
) -> Result<Candidate<'c, 'r>, ErrorKind> {
    let rules = &catalogue.coupons;
    if !coupon::is_token(entered) {
        let code = entered.trim().to_ascii_uppercase();
        let rule = rules
            .campaigns
            .iter()
            .find(|c| c.id == code)
            .ok_or(ErrorKind::CouponUnknown { code: entered.to_owned() })?;
        return Ok(Candidate { entered, kind: CouponKind::Campaign, source: Source::Percent { rule, claims: None } });
    }
    let claims = rules.verified.verify(entered, rules.public_key.as_ref())?;
    if claims.catalogue != catalogue.id {
        return Err(ErrorKind::CouponWrongCatalogue { catalogue: claims.catalogue });
    }
    if let Some(expires) = claims.expires.filter(|e| *e < date) {
        return Err(ErrorKind::CouponExpired { until: expires.to_string() });
    }
    let unknown = || ErrorKind::CouponUnknown { code: claims.series.clone() };
    match claims.kind {
        TokenKind::Voucher => {
            let series = rules.vouchers.iter().find(|v| v.id == claims.series).ok_or_else(unknown)?;
            Ok(Candidate { entered, kind: CouponKind::Voucher, source: Source::Voucher { series, claims } })
        }
        TokenKind::Referral => {
            let rule = rules.referrals.iter().find(|r| r.id == claims.series).ok_or_else(unknown)?;
            // Bound to its referrer: the server credits them, and refuses the code on their own application.
            if claims.referrer.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(ErrorKind::CouponNoReferrer);
            }
            Ok(Candidate {
                entered,
                kind: CouponKind::Referral,
                source: Source::Percent { rule, claims: Some(claims) },
            })
        }
    }
}

/// Products by their names, for a message a person reads: the names joined by `zh` and `en`.
fn names(catalogue: &Catalogue, date: NaiveDate, codes: &[String], zh: &str, en: &str) -> Text {
    let named = |lang: Lang| {
        let name = |code: &String| catalogue.product(code, date).map_or(code.clone(), |p| p.name.get(lang).to_owned());
        codes.iter().map(name).collect::<Vec<_>>().join(if lang == Lang::Zh { zh } else { en })
    };
    Text::new(named(Lang::Zh), named(Lang::En))
}

/// The coverages a discount may reduce, or why there are none.
fn eligible<'q>(
    catalogue: &Catalogue,
    rule: &Eligibility,
    request: &QuoteRequest,
    coverages: &'q [CoverageQuote],
) -> Result<Vec<&'q CoverageQuote>, ErrorKind> {
    let date = request.quote_date;
    if let Some(from) = rule.from.filter(|f| date < *f) {
        return Err(ErrorKind::CouponNotYetValid { from: from.to_string() });
    }
    if let Some(to) = rule.to.filter(|t| date > *t) {
        return Err(ErrorKind::CouponExpired { until: to.to_string() });
    }
    let channel = match &request.channel {
        Channel::Direct => "direct",
        Channel::Agent { .. } => "agent",
    };
    if !rule.channels.is_empty() && !rule.channels.iter().any(|c| c == channel) {
        return Err(ErrorKind::CouponWrongChannel { channel });
    }
    let by_product: Vec<&CoverageQuote> =
        coverages.iter().filter(|c| rule.products.is_empty() || rule.products.contains(&c.product)).collect();
    if by_product.is_empty() {
        return Err(ErrorKind::CouponWrongProduct {
            products: names(catalogue, request.quote_date, &rule.products, "、", ", "),
        });
    }
    let by_payment: Vec<&CoverageQuote> = by_product
        .into_iter()
        .filter(|c| match rule.payment {
            PaymentType::Any => true,
            PaymentType::Regular => c.payment_term != PaymentTerm::Single,
            PaymentType::Single => c.payment_term == PaymentTerm::Single,
        })
        .collect();
    if by_payment.is_empty() {
        let required = if rule.payment == PaymentType::Regular { "regular" } else { "single" };
        return Err(ErrorKind::CouponPaymentType { required });
    }
    Ok(by_payment)
}

fn discount(
    catalogue: &Catalogue,
    request: &QuoteRequest,
    age: u32,
    coverages: &[CoverageQuote],
    candidate: &Candidate<'_, '_>,
    ws: &mut Worksheet,
) -> Result<Discount, ErrorKind> {
    let code = candidate.code();
    let rounding = &catalogue.rounding;
    let (name, percent, applies_to, targets) = match &candidate.source {
        Source::Bundle(bundle) => {
            if !bundle.ages.contains(age) {
                return Err(ErrorKind::BundleNotForAge {
                    age,
                    ages: format!("{}-{}", bundle.ages.from, bundle.ages.to),
                });
            }
            let targets: Vec<&CoverageQuote> =
                coverages.iter().filter(|c| bundle.items.iter().any(|i| i.product == c.product)).collect();
            if targets.len() < 2 {
                let products: Vec<String> = bundle.items.iter().map(|i| i.product.clone()).collect();
                let products = names(catalogue, request.quote_date, &products, " + ", " + ");
                return Err(ErrorKind::CouponWrongProduct { products });
            }
            (bundle.name.clone(), bundle.discount.unwrap_or_default(), AppliesTo::FirstYear, targets)
        }
        Source::Percent { rule, .. } => {
            (rule.name.clone(), rule.percent, rule.applies_to, eligible(catalogue, &rule.eligible, request, coverages)?)
        }
        Source::Voucher { series, .. } => {
            let targets = eligible(catalogue, &series.eligible, request, coverages)?;
            let base: Decimal = targets.iter().map(|c| c.first_year_premium).sum();
            if base < series.min_premium {
                return Err(ErrorKind::CouponBelowMinimum {
                    premium: base.to_string(),
                    minimum: series.min_premium.to_string(),
                });
            }
            let amount = ws.push(
                StepKind::DiscountAmount { coupon: code.clone(), eligible: base, amount: series.amount },
                series.amount.min(base),
            );
            // A voucher's face value is taken as it is, put in the discount's form only if it is not.
            let amount = if rounding.holds(RoundingStep::Discount, amount) {
                amount
            } else {
                ws.round(rounding, RoundingStep::Discount, amount)
            };
            return Ok(Discount {
                kind: candidate.kind,
                code,
                name: series.name.clone(),
                applies_to: AppliesTo::FirstYear,
                products: targets.iter().map(|c| c.product.clone()).collect(),
                first_year: amount,
                total: amount,
                capped: false,
            });
        }
    };
    let (mut first_year, mut total) = (Decimal::ZERO, Decimal::ZERO);
    for c in &targets {
        let exact = ws.push(
            StepKind::DiscountPercent {
                coupon: code.clone(),
                product: c.product.clone(),
                premium: c.first_year_premium,
                percent,
            },
            c.first_year_premium * percent,
        );
        let yearly = ws.round(rounding, RoundingStep::Discount, exact);
        first_year += yearly;
        total += match applies_to {
            AppliesTo::FirstYear => yearly,
            AppliesTo::EveryYear => ws.push(
                StepKind::DiscountEveryYear {
                    coupon: code.clone(),
                    product: c.product.clone(),
                    first_year: yearly,
                    years: c.payment_years,
                },
                yearly * Decimal::from(c.payment_years),
            ),
        };
    }
    Ok(Discount {
        kind: candidate.kind,
        code,
        name,
        applies_to,
        products: targets.iter().map(|c| c.product.clone()).collect(),
        first_year,
        total,
        capped: false,
    })
}
