//! A quote as JSON, written by hand: byte for byte what `serde_json::to_vec(&quote)` writes, about four
//! times faster (1.4 µs against 6.2 µs for the benchmark's quotes: `cargo bench -p premia-server --bench
//! verify`).
//!
//! Verifying a submitted quote re-prices its request and compares the serialization of the result with
//! the submitted bytes (`verify::verify_body`); at a million quotes that serialization was most
//! of the time — rust_decimal's general-purpose formatting, serde_json's escaping of every string and
//! key, and the worksheet's bilingual text built with `format!` before being escaped. Here keys are
//! literal bytes, decimals are formatted from their mantissa and scale two digits at a time, strings
//! are scanned once for the few bytes JSON escapes, and the worksheet's text is written directly,
//! without building a `String` per step (a step's input decimals are formatted once and copied into
//! its detail text).
//!
//! The serde `Serialize` impls stay the definition of the format; this module must agree with them
//! exactly. Its tests compare it with `serde_json` on every step kind, every enum value, any decimal,
//! string and integer, and generated quotes over every product, also with awkward values;
//! `tests/verify_body.rs` compares it on the server tests' corpus. Every struct is
//! destructured without `..` and every enum matched without `_`, so a new field or variant does not
//! compile until it is written here too (the request's included: a quote echoes it). Changed wording
//! in `worksheet::StepKind::detail` or `label` must be made in `detail` and `label` here as well;
//! the step-kind test fails until it is.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::catalogue::{Benefit, CatalogueRef, Line};
use crate::discounts::coupon::{AppliesTo, Discount, RejectedCoupon, UsedCoupon};
use crate::pricing::quote::{CoverageQuote, DeclinedCoverage, Quote, RiderQuote, Totals};
use crate::pricing::worksheet::{FactorKind, Step, StepKind};
use crate::request::{Channel, CoverageRequest, HealthAnswer, Insured, QuoteRequest, RiderRequest};
use crate::term::{CoverageTerm, PaymentTerm};
use crate::text::Text;
use crate::underwriting::{Decision, Reason};
use crate::wire::json::{escaped, string};

/// Append the JSON of `quote` to `out`: the same bytes as `serde_json::to_vec(quote)`.
pub fn write_quote(quote: &Quote, out: &mut Vec<u8>) {
    let Quote {
        catalogue,
        illustrative,
        request,
        valid_until,
        coverages,
        declined,
        decision,
        discounts,
        rejected_coupons,
        coupons_used,
        discount_worksheet,
        totals,
        digest,
    } = quote;
    out.extend_from_slice(b"{\"catalogue\":");
    catalogue_ref(out, catalogue);
    out.extend_from_slice(b",\"illustrative\":");
    boolean(out, *illustrative);
    out.extend_from_slice(b",\"request\":");
    write_request(out, request);
    out.extend_from_slice(b",\"valid_until\":");
    date(out, *valid_until);
    out.extend_from_slice(b",\"coverages\":");
    array(out, coverages, coverage);
    if !declined.is_empty() {
        out.extend_from_slice(b",\"declined\":");
        array(out, declined, declined_coverage);
    }
    out.extend_from_slice(b",\"decision\":");
    write_decision(out, decision);
    if !discounts.is_empty() {
        out.extend_from_slice(b",\"discounts\":");
        array(out, discounts, discount);
    }
    if !rejected_coupons.is_empty() {
        out.extend_from_slice(b",\"rejected_coupons\":");
        array(out, rejected_coupons, rejected_coupon);
    }
    if !coupons_used.is_empty() {
        out.extend_from_slice(b",\"coupons_used\":");
        array(out, coupons_used, used_coupon);
    }
    if !discount_worksheet.is_empty() {
        out.extend_from_slice(b",\"discount_worksheet\":");
        array(out, discount_worksheet, step);
    }
    out.extend_from_slice(b",\"totals\":");
    write_totals(out, totals);
    out.extend_from_slice(b",\"digest\":");
    string(out, digest);
    out.push(b'}');
}

/// The JSON of `quote` in a new buffer.
pub fn to_vec(quote: &Quote) -> Vec<u8> {
    let mut out = Vec::with_capacity(8192);
    write_quote(quote, &mut out);
    out
}

fn catalogue_ref(out: &mut Vec<u8>, catalogue: &CatalogueRef) {
    let CatalogueRef { id, version, content_hash } = catalogue;
    out.extend_from_slice(b"{\"id\":");
    string(out, id);
    out.extend_from_slice(b",\"version\":");
    string(out, version);
    out.extend_from_slice(b",\"content_hash\":");
    string(out, content_hash);
    out.push(b'}');
}

// --- The request, as the quote echoes it --------------------------------------------------------

fn write_request(out: &mut Vec<u8>, request: &QuoteRequest) {
    let QuoteRequest { quote_date, insured, coverages, channel, coupons, bundle } = request;
    out.extend_from_slice(b"{\"quote_date\":");
    date(out, *quote_date);
    out.extend_from_slice(b",\"insured\":");
    write_insured(out, insured);
    out.extend_from_slice(b",\"coverages\":");
    array(out, coverages, coverage_request);
    out.extend_from_slice(b",\"channel\":");
    match channel {
        Channel::Direct => out.extend_from_slice(b"{\"kind\":\"direct\"}"),
        Channel::Agent { agent_code } => {
            out.extend_from_slice(b"{\"kind\":\"agent\",\"agent_code\":");
            string(out, agent_code);
            out.push(b'}');
        }
    }
    if !coupons.is_empty() {
        out.extend_from_slice(b",\"coupons\":");
        array(out, coupons, |out, coupon| string(out, coupon));
    }
    if let Some(bundle) = bundle {
        out.extend_from_slice(b",\"bundle\":");
        string(out, bundle);
    }
    out.push(b'}');
}

fn write_insured(out: &mut Vec<u8>, insured: &Insured) {
    let Insured {
        birth_date,
        age,
        resident_id,
        sex,
        smoker,
        occupation_class,
        social_insurance,
        region,
        height_cm,
        weight_kg,
        annual_income,
        existing_cover,
        health_answers,
    } = insured;
    // `{` then each field with its comma; the first fields are optional, so the comma goes before
    // every field but the first written.
    out.push(b'{');
    let mut first = true;
    let mut key = |out: &mut Vec<u8>, key: &[u8]| {
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(key);
    };
    if let Some(birth_date) = birth_date {
        key(out, b"\"birth_date\":");
        date(out, *birth_date);
    }
    if let Some(age) = age {
        key(out, b"\"age\":");
        integer(out, *age);
    }
    if let Some(id) = resident_id {
        key(out, b"\"resident_id\":");
        string(out, id);
    }
    if let Some(sex) = sex {
        key(out, b"\"sex\":\"");
        out.extend_from_slice(sex.name().as_bytes());
        out.push(b'"');
    }
    key(out, b"\"smoker\":");
    boolean(out, *smoker);
    out.extend_from_slice(b",\"occupation_class\":");
    integer(out, u32::from(*occupation_class));
    out.extend_from_slice(b",\"social_insurance\":");
    boolean(out, *social_insurance);
    if let Some(region) = region {
        out.extend_from_slice(b",\"region\":");
        string(out, region);
    }
    for (name, value) in [
        (&b",\"height_cm\":"[..], height_cm),
        (b",\"weight_kg\":", weight_kg),
        (b",\"annual_income\":", annual_income),
        (b",\"existing_cover\":", existing_cover),
    ] {
        if let Some(value) = value {
            out.extend_from_slice(name);
            decimal(out, value);
        }
    }
    if !health_answers.is_empty() {
        out.extend_from_slice(b",\"health_answers\":{");
        for (i, (question, answer)) in health_answers.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            string(out, question);
            let HealthAnswer { yes, follow_up } = answer;
            out.extend_from_slice(b":{\"yes\":");
            boolean(out, *yes);
            if let Some(follow_up) = follow_up {
                out.extend_from_slice(b",\"follow_up\":");
                string(out, follow_up);
            }
            out.push(b'}');
        }
        out.push(b'}');
    }
    out.push(b'}');
}

fn coverage_request(out: &mut Vec<u8>, coverage: &CoverageRequest) {
    let CoverageRequest {
        product,
        sum_assured,
        annuity_amount,
        coverage_term,
        payment_term,
        frequency,
        plan,
        payout_start_age,
        guaranteed_years,
        riders,
    } = coverage;
    out.extend_from_slice(b"{\"product\":");
    string(out, product);
    if let Some(amount) = sum_assured {
        out.extend_from_slice(b",\"sum_assured\":");
        decimal(out, amount);
    }
    if let Some(amount) = annuity_amount {
        out.extend_from_slice(b",\"annuity_amount\":");
        decimal(out, amount);
    }
    out.extend_from_slice(b",\"coverage_term\":\"");
    write_coverage_term(out, *coverage_term);
    out.extend_from_slice(b"\",\"payment_term\":\"");
    write_payment_term(out, *payment_term);
    out.extend_from_slice(b"\",\"frequency\":\"");
    out.extend_from_slice(frequency.name().as_bytes());
    out.push(b'"');
    if let Some(plan) = plan {
        out.extend_from_slice(b",\"plan\":");
        string(out, plan);
    }
    if let Some(age) = payout_start_age {
        out.extend_from_slice(b",\"payout_start_age\":");
        integer(out, *age);
    }
    if let Some(years) = guaranteed_years {
        out.extend_from_slice(b",\"guaranteed_years\":");
        integer(out, *years);
    }
    if !riders.is_empty() {
        out.extend_from_slice(b",\"riders\":");
        array(out, riders, |out, rider| {
            let RiderRequest { code, sum_assured } = rider;
            out.extend_from_slice(b"{\"code\":");
            string(out, code);
            if let Some(amount) = sum_assured {
                out.extend_from_slice(b",\"sum_assured\":");
                decimal(out, amount);
            }
            out.push(b'}');
        });
    }
    out.push(b'}');
}

// --- What the quote answers ----------------------------------------------------------------------

fn coverage(out: &mut Vec<u8>, coverage: &CoverageQuote) {
    let CoverageQuote {
        product,
        product_version,
        name,
        line,
        age,
        sex,
        smoker,
        sum_assured,
        annuity_amount,
        coverage_term,
        payment_term,
        payment_years,
        frequency,
        instalments_per_year,
        base_premium,
        riders,
        annual_premium,
        instalment_premium,
        first_year_premium,
        total_premium,
        decision,
        worksheet,
    } = coverage;
    out.extend_from_slice(b"{\"product\":");
    string(out, product);
    out.extend_from_slice(b",\"product_version\":");
    integer(out, *product_version);
    out.extend_from_slice(b",\"name\":");
    text(out, name);
    out.extend_from_slice(b",\"line\":\"");
    out.extend_from_slice(line_name(*line).as_bytes());
    out.extend_from_slice(b"\",\"age\":");
    integer(out, *age);
    out.extend_from_slice(b",\"sex\":\"");
    out.extend_from_slice(sex.name().as_bytes());
    out.extend_from_slice(b"\",\"smoker\":");
    boolean(out, *smoker);
    if let Some(amount) = sum_assured {
        out.extend_from_slice(b",\"sum_assured\":");
        decimal(out, amount);
    }
    if let Some(amount) = annuity_amount {
        out.extend_from_slice(b",\"annuity_amount\":");
        decimal(out, amount);
    }
    out.extend_from_slice(b",\"coverage_term\":\"");
    write_coverage_term(out, *coverage_term);
    out.extend_from_slice(b"\",\"payment_term\":\"");
    write_payment_term(out, *payment_term);
    out.extend_from_slice(b"\",\"payment_years\":");
    integer(out, *payment_years);
    out.extend_from_slice(b",\"frequency\":\"");
    out.extend_from_slice(frequency.name().as_bytes());
    out.extend_from_slice(b"\",\"instalments_per_year\":");
    integer(out, *instalments_per_year);
    out.extend_from_slice(b",\"base_premium\":");
    decimal(out, base_premium);
    if !riders.is_empty() {
        out.extend_from_slice(b",\"riders\":");
        array(out, riders, rider);
    }
    out.extend_from_slice(b",\"annual_premium\":");
    decimal(out, annual_premium);
    out.extend_from_slice(b",\"instalment_premium\":");
    decimal(out, instalment_premium);
    out.extend_from_slice(b",\"first_year_premium\":");
    decimal(out, first_year_premium);
    out.extend_from_slice(b",\"total_premium\":");
    decimal(out, total_premium);
    out.extend_from_slice(b",\"decision\":");
    write_decision(out, decision);
    out.extend_from_slice(b",\"worksheet\":");
    array(out, worksheet, step);
    out.push(b'}');
}

fn rider(out: &mut Vec<u8>, rider: &RiderQuote) {
    let RiderQuote { code, name, sum_assured, annual_premium } = rider;
    out.extend_from_slice(b"{\"code\":");
    string(out, code);
    out.extend_from_slice(b",\"name\":");
    text(out, name);
    out.extend_from_slice(b",\"sum_assured\":");
    decimal(out, sum_assured);
    out.extend_from_slice(b",\"annual_premium\":");
    decimal(out, annual_premium);
    out.push(b'}');
}

fn declined_coverage(out: &mut Vec<u8>, declined: &DeclinedCoverage) {
    let DeclinedCoverage { product, product_version, name, decision } = declined;
    out.extend_from_slice(b"{\"product\":");
    string(out, product);
    out.extend_from_slice(b",\"product_version\":");
    integer(out, *product_version);
    out.extend_from_slice(b",\"name\":");
    text(out, name);
    out.extend_from_slice(b",\"decision\":");
    write_decision(out, decision);
    out.push(b'}');
}

fn write_decision(out: &mut Vec<u8>, decision: &Decision) {
    let Decision { outcome, reasons, two_person_review } = decision;
    out.extend_from_slice(b"{\"outcome\":\"");
    out.extend_from_slice(outcome.name().as_bytes());
    out.push(b'"');
    if !reasons.is_empty() {
        out.extend_from_slice(b",\"reasons\":");
        array(out, reasons, reason);
    }
    out.extend_from_slice(b",\"two_person_review\":");
    boolean(out, *two_person_review);
    out.push(b'}');
}

fn reason(out: &mut Vec<u8>, reason: &Reason) {
    let Reason { rule, outcome, product, message, loading, exclusion } = reason;
    out.extend_from_slice(b"{\"rule\":");
    string(out, rule);
    out.extend_from_slice(b",\"outcome\":\"");
    out.extend_from_slice(outcome.name().as_bytes());
    out.push(b'"');
    if let Some(product) = product {
        out.extend_from_slice(b",\"product\":");
        string(out, product);
    }
    out.extend_from_slice(b",\"message\":");
    text(out, message);
    if let Some(loading) = loading {
        out.extend_from_slice(b",\"loading\":");
        decimal(out, loading);
    }
    if let Some(exclusion) = exclusion {
        out.extend_from_slice(b",\"exclusion\":");
        text(out, exclusion);
    }
    out.push(b'}');
}

fn discount(out: &mut Vec<u8>, discount: &Discount) {
    let Discount { kind, code, name, applies_to, products, first_year, total, capped } = discount;
    out.extend_from_slice(b"{\"kind\":\"");
    out.extend_from_slice(kind.name().as_bytes());
    out.extend_from_slice(b"\",\"code\":");
    string(out, code);
    out.extend_from_slice(b",\"name\":");
    text(out, name);
    out.extend_from_slice(b",\"applies_to\":\"");
    out.extend_from_slice(applies_to_name(*applies_to).as_bytes());
    out.extend_from_slice(b"\",\"products\":");
    array(out, products, |out, product| string(out, product));
    out.extend_from_slice(b",\"first_year\":");
    decimal(out, first_year);
    out.extend_from_slice(b",\"total\":");
    decimal(out, total);
    out.extend_from_slice(b",\"capped\":");
    boolean(out, *capped);
    out.push(b'}');
}

fn rejected_coupon(out: &mut Vec<u8>, rejected: &RejectedCoupon) {
    let RejectedCoupon { coupon, code, message } = rejected;
    out.extend_from_slice(b"{\"coupon\":");
    string(out, coupon);
    out.extend_from_slice(b",\"code\":");
    string(out, code);
    out.extend_from_slice(b",\"message\":");
    text(out, message);
    out.push(b'}');
}

fn used_coupon(out: &mut Vec<u8>, used: &UsedCoupon) {
    let UsedCoupon { id, kind, series, single_use } = used;
    out.extend_from_slice(b"{\"id\":");
    string(out, id);
    out.extend_from_slice(b",\"kind\":\"");
    out.extend_from_slice(kind.name().as_bytes());
    out.extend_from_slice(b"\",\"series\":");
    string(out, series);
    out.extend_from_slice(b",\"single_use\":");
    boolean(out, *single_use);
    out.push(b'}');
}

fn write_totals(out: &mut Vec<u8>, totals: &Totals) {
    let Totals {
        annual_premium,
        first_year_premium,
        total_premium,
        discount_first_year,
        discount_total,
        net_first_year_premium,
        net_total_premium,
    } = totals;
    out.extend_from_slice(b"{\"annual_premium\":");
    decimal(out, annual_premium);
    out.extend_from_slice(b",\"first_year_premium\":");
    decimal(out, first_year_premium);
    out.extend_from_slice(b",\"total_premium\":");
    decimal(out, total_premium);
    out.extend_from_slice(b",\"discount_first_year\":");
    decimal(out, discount_first_year);
    out.extend_from_slice(b",\"discount_total\":");
    decimal(out, discount_total);
    out.extend_from_slice(b",\"net_first_year_premium\":");
    decimal(out, net_first_year_premium);
    out.extend_from_slice(b",\"net_total_premium\":");
    decimal(out, net_total_premium);
    out.push(b'}');
}

// --- The worksheet -------------------------------------------------------------------------------

/// One step: `{code, inputs, rider?, label, detail, value}`, as `worksheet::StepOut` serializes it.
fn step(out: &mut Vec<u8>, step: &Step) {
    let Step { rider, kind, value } = step;
    out.extend_from_slice(b"{\"code\":\"");
    out.extend_from_slice(kind.code().as_bytes());
    out.extend_from_slice(b"\",\"inputs\":");
    let mut written = Written::default();
    inputs(out, kind, &mut written);
    if let Some(rider) = rider {
        out.extend_from_slice(b",\"rider\":");
        string(out, rider);
    }
    out.extend_from_slice(b",\"label\":");
    label(out, kind);
    out.extend_from_slice(b",\"detail\":");
    detail(out, kind, &written);
    out.extend_from_slice(b",\"value\":");
    decimal(out, value);
    out.push(b'}');
}

/// The step's inputs, in the order the variant declares them.
fn inputs<'a>(out: &mut Vec<u8>, kind: &'a StepKind, written: &mut Written<'a>) {
    match kind {
        StepKind::TableLookup { table, from_age, to_age, column, plan } => {
            out.extend_from_slice(b"{\"table\":");
            string(out, table);
            out.extend_from_slice(b",\"from_age\":");
            integer(out, *from_age);
            out.extend_from_slice(b",\"to_age\":");
            integer(out, *to_age);
            out.extend_from_slice(b",\"column\":");
            string(out, column);
            if let Some(plan) = plan {
                out.extend_from_slice(b",\"plan\":");
                text(out, plan);
            }
        }
        StepKind::PerUnit { amount, per, rate } => {
            out.extend_from_slice(b"{\"amount\":");
            written.decimal(out, amount);
            out.extend_from_slice(b",\"per\":");
            written.decimal(out, per);
            out.extend_from_slice(b",\"rate\":");
            written.decimal(out, rate);
        }
        StepKind::FlatRegion { region } => {
            out.extend_from_slice(b"{\"region\":");
            string(out, region);
        }
        StepKind::PercentOfBase { base, percent } => {
            out.extend_from_slice(b"{\"base\":");
            written.decimal(out, base);
            out.extend_from_slice(b",\"percent\":");
            written.decimal(out, percent);
        }
        StepKind::ActuarialBasis { mortality, source, age, sex } => {
            out.extend_from_slice(b"{\"mortality\":");
            string(out, mortality);
            out.extend_from_slice(b",\"source\":");
            string(out, source);
            out.extend_from_slice(b",\"age\":");
            integer(out, *age);
            out.extend_from_slice(b",\"sex\":\"");
            out.extend_from_slice(sex.name().as_bytes());
            out.push(b'"');
        }
        StepKind::AnnuityDue { age, years } | StepKind::PremiumLoading { age, years } => {
            out.extend_from_slice(b"{\"age\":");
            integer(out, *age);
            out.extend_from_slice(b",\"years\":");
            integer(out, *years);
        }
        StepKind::BenefitFactor { benefit, age, years, payout_start_age, guaranteed_years } => {
            out.extend_from_slice(b"{\"benefit\":\"");
            out.extend_from_slice(benefit_name(*benefit).as_bytes());
            out.extend_from_slice(b"\",\"age\":");
            integer(out, *age);
            out.extend_from_slice(b",\"years\":");
            integer(out, *years);
            if let Some(start) = payout_start_age {
                out.extend_from_slice(b",\"payout_start_age\":");
                integer(out, *start);
            }
            if let Some(years) = guaranteed_years {
                out.extend_from_slice(b",\"guaranteed_years\":");
                integer(out, *years);
            }
        }
        StepKind::NetPremium { amount, factor, annuity } => {
            out.extend_from_slice(b"{\"amount\":");
            written.decimal(out, amount);
            out.extend_from_slice(b",\"factor\":");
            written.decimal(out, factor);
            out.extend_from_slice(b",\"annuity\":");
            written.decimal(out, annuity);
        }
        StepKind::Expenses { per_mille, amount, policy_fee, age, coverage_years, payment_years } => {
            out.extend_from_slice(b"{\"per_mille\":");
            written.decimal(out, per_mille);
            out.extend_from_slice(b",\"amount\":");
            written.decimal(out, amount);
            out.extend_from_slice(b",\"policy_fee\":");
            written.decimal(out, policy_fee);
            out.extend_from_slice(b",\"age\":");
            integer(out, *age);
            out.extend_from_slice(b",\"coverage_years\":");
            integer(out, *coverage_years);
            out.extend_from_slice(b",\"payment_years\":");
            integer(out, *payment_years);
        }
        StepKind::GrossPremium { benefits, expenses, annuity, loading } => {
            out.extend_from_slice(b"{\"benefits\":");
            written.decimal(out, benefits);
            out.extend_from_slice(b",\"expenses\":");
            written.decimal(out, expenses);
            out.extend_from_slice(b",\"annuity\":");
            written.decimal(out, annuity);
            out.extend_from_slice(b",\"loading\":");
            written.decimal(out, loading);
        }
        StepKind::Rounding { step, from, scale, mode } => {
            out.extend_from_slice(b"{\"step\":\"");
            out.extend_from_slice(step.name().as_bytes());
            out.extend_from_slice(b"\",\"from\":");
            written.decimal(out, from);
            out.extend_from_slice(b",\"scale\":");
            integer(out, *scale);
            out.extend_from_slice(b",\"mode\":\"");
            out.extend_from_slice(mode.name().as_bytes());
            out.push(b'"');
        }
        StepKind::Factor { factor, class, premium, by } => {
            out.extend_from_slice(b"{\"factor\":\"");
            out.extend_from_slice(factor_kind_name(*factor).as_bytes());
            out.push(b'"');
            if let Some(class) = class {
                out.extend_from_slice(b",\"class\":");
                integer(out, u32::from(*class));
            }
            out.extend_from_slice(b",\"premium\":");
            written.decimal(out, premium);
            out.extend_from_slice(b",\"by\":");
            written.decimal(out, by);
        }
        StepKind::AnnualPremium { base, riders } => {
            out.extend_from_slice(b"{\"base\":");
            written.decimal(out, base);
            out.extend_from_slice(b",\"riders\":");
            written.decimal(out, riders);
        }
        StepKind::Modal { frequency, annual, factor } => {
            out.extend_from_slice(b"{\"frequency\":\"");
            out.extend_from_slice(frequency.name().as_bytes());
            out.extend_from_slice(b"\",\"annual\":");
            written.decimal(out, annual);
            out.extend_from_slice(b",\"factor\":");
            written.decimal(out, factor);
        }
        StepKind::FirstYear { instalment, instalments } => {
            out.extend_from_slice(b"{\"instalment\":");
            written.decimal(out, instalment);
            out.extend_from_slice(b",\"instalments\":");
            integer(out, *instalments);
        }
        StepKind::Total { first_year, years } => {
            out.extend_from_slice(b"{\"first_year\":");
            written.decimal(out, first_year);
            out.extend_from_slice(b",\"years\":");
            integer(out, *years);
        }
        StepKind::UnderwritingLoading { premium, loading } => {
            out.extend_from_slice(b"{\"premium\":");
            written.decimal(out, premium);
            out.extend_from_slice(b",\"loading\":");
            written.decimal(out, loading);
        }
        StepKind::DiscountCap { share, gross, over_terms } => {
            out.extend_from_slice(b"{\"share\":");
            written.decimal(out, share);
            out.extend_from_slice(b",\"gross\":");
            written.decimal(out, gross);
            out.extend_from_slice(b",\"over_terms\":");
            boolean(out, *over_terms);
        }
        StepKind::DiscountPercent { coupon, product, premium, percent } => {
            out.extend_from_slice(b"{\"coupon\":");
            string(out, coupon);
            out.extend_from_slice(b",\"product\":");
            string(out, product);
            out.extend_from_slice(b",\"premium\":");
            written.decimal(out, premium);
            out.extend_from_slice(b",\"percent\":");
            written.decimal(out, percent);
        }
        StepKind::DiscountEveryYear { coupon, product, first_year, years } => {
            out.extend_from_slice(b"{\"coupon\":");
            string(out, coupon);
            out.extend_from_slice(b",\"product\":");
            string(out, product);
            out.extend_from_slice(b",\"first_year\":");
            written.decimal(out, first_year);
            out.extend_from_slice(b",\"years\":");
            integer(out, *years);
        }
        StepKind::DiscountAmount { coupon, eligible, amount } => {
            out.extend_from_slice(b"{\"coupon\":");
            string(out, coupon);
            out.extend_from_slice(b",\"eligible\":");
            written.decimal(out, eligible);
            out.extend_from_slice(b",\"amount\":");
            written.decimal(out, amount);
        }
        StepKind::DiscountCapped { coupon, before, left } => {
            out.extend_from_slice(b"{\"coupon\":");
            string(out, coupon);
            out.extend_from_slice(b",\"before\":");
            written.decimal(out, before);
            out.extend_from_slice(b",\"left\":");
            written.decimal(out, left);
        }
        StepKind::DiscountScaled { coupon, total, kept, before } => {
            out.extend_from_slice(b"{\"coupon\":");
            string(out, coupon);
            out.extend_from_slice(b",\"total\":");
            written.decimal(out, total);
            out.extend_from_slice(b",\"kept\":");
            written.decimal(out, kept);
            out.extend_from_slice(b",\"before\":");
            written.decimal(out, before);
        }
    }
    out.push(b'}');
}

/// `StepKind::label`, without building a `String` for the two labels that carry a value.
fn label(out: &mut Vec<u8>, kind: &StepKind) {
    use Piece::{Int, Lit};
    match kind {
        StepKind::Factor { factor: FactorKind::Occupation, class, .. } => {
            let class = u32::from(class.unwrap_or_default());
            bilingual(
                out,
                &Written::default(),
                &[Lit("职业类别 "), Int(class), Lit(" 系数")],
                &[Lit("occupation class "), Int(class), Lit(" factor")],
            );
        }
        StepKind::Modal { frequency, .. } => {
            let f = frequency.label();
            bilingual(
                out,
                &Written::default(),
                &[Piece::Str(&f.zh), Lit("交费系数")],
                &[Piece::Str(&f.en), Lit(" modal factor")],
            );
        }
        // Every other label is fixed text: borrowed, so asking for it costs nothing.
        other => text(out, &other.label()),
    }
}

/// `StepKind::detail`, written straight into the buffer (every step kind has one).
fn detail(out: &mut Vec<u8>, kind: &StepKind, written: &Written<'_>) {
    use Piece::{Dec, Int, Lit, Str};
    match kind {
        StepKind::TableLookup { from_age, to_age, column, plan, .. } => {
            let words: Vec<Text> = column
                .split_whitespace()
                .filter_map(|t| crate::pricing::worksheet::column_words(t, plan.as_ref()))
                .collect();
            let (zh, en): (&[Piece<'_>], &[Piece<'_>]) = if from_age == to_age {
                (&[Int(*from_age), Lit(" 岁")], &[Lit("age "), Int(*from_age)])
            } else {
                (
                    &[Int(*from_age), Lit("–"), Int(*to_age), Lit(" 岁")],
                    &[Lit("ages "), Int(*from_age), Lit("-"), Int(*to_age)],
                )
            };
            out.extend_from_slice(b"{\"zh\":\"");
            pieces(out, written, zh);
            for w in &words {
                pieces(out, written, &[Lit(" · "), Str(&w.zh)]);
            }
            out.extend_from_slice(b"\",\"en\":\"");
            pieces(out, written, en);
            for w in &words {
                pieces(out, written, &[Lit(", "), Str(&w.en)]);
            }
            out.extend_from_slice(b"\"}");
        }
        StepKind::PerUnit { amount, per, rate } => bilingual(
            out,
            written,
            &[Lit("保额 "), Dec(amount), Lit(" ÷ "), Dec(per), Lit(" × 费率 "), Dec(rate)],
            &[Lit("sum assured "), Dec(amount), Lit(" ÷ "), Dec(per), Lit(" × rate "), Dec(rate)],
        ),
        StepKind::FlatRegion { region } => {
            bilingual(out, written, &[Lit("地区 "), Str(region)], &[Lit("region "), Str(region)])
        }
        StepKind::PercentOfBase { base, percent } => bilingual(
            out,
            written,
            &[Lit("主险保费 "), Dec(base), Lit(" × "), Dec(percent)],
            &[Lit("base premium "), Dec(base), Lit(" × "), Dec(percent)],
        ),
        StepKind::ActuarialBasis { mortality, source, age, sex } => bilingual(
            out,
            written,
            &[
                Lit("生命表 "),
                Str(mortality),
                Lit("（"),
                Str(source),
                Lit("）· "),
                Int(*age),
                Lit(" 岁 "),
                Str(&sex.label().zh),
            ],
            &[
                Lit("mortality "),
                Str(mortality),
                Lit(" ("),
                Str(source),
                Lit("), age "),
                Int(*age),
                Lit(" "),
                Str(sex.name()),
            ],
        ),
        StepKind::AnnuityDue { age, years } => bilingual(
            out,
            written,
            &[Int(*age), Lit(" 岁起每年年初交费，共 "), Int(*years), Lit(" 年")],
            &[Lit("from age "), Int(*age), Lit(", at the start of each year, for "), Int(*years), Lit(" years")],
        ),
        StepKind::BenefitFactor { benefit, age, years, payout_start_age, guaranteed_years } => match benefit {
            Benefit::Term => bilingual(
                out,
                written,
                &[Int(*age), Lit(" 岁起 "), Int(*years), Lit(" 年内身故给付")],
                &[Lit("paid on death within "), Int(*years), Lit(" years from age "), Int(*age)],
            ),
            Benefit::WholeLife => bilingual(
                out,
                written,
                &[Int(*age), Lit(" 岁起终身身故给付")],
                &[Lit("paid on death, whenever, from age "), Int(*age)],
            ),
            Benefit::Endowment => bilingual(
                out,
                written,
                &[Int(*age), Lit(" 岁起 "), Int(*years), Lit(" 年内身故或满期给付")],
                &[
                    Lit("paid on death within "),
                    Int(*years),
                    Lit(" years from age "),
                    Int(*age),
                    Lit(", or at their end"),
                ],
            ),
            Benefit::Annuity => {
                let (r, g) = (payout_start_age.unwrap_or_default(), guaranteed_years.unwrap_or_default());
                bilingual(
                    out,
                    written,
                    &[Int(r), Lit(" 岁起每年领取，保证 "), Int(g), Lit(" 年，之后生存即领")],
                    &[
                        Lit("paid yearly from age "),
                        Int(r),
                        Lit(": "),
                        Int(g),
                        Lit(" years for certain, then while alive"),
                    ],
                );
            }
        },
        StepKind::NetPremium { amount, factor, annuity } => {
            same(out, written, &[Dec(amount), Lit(" × "), Dec(factor), Lit(" ÷ "), Dec(annuity)]);
        }
        StepKind::Expenses { per_mille, amount, policy_fee, age, coverage_years, payment_years } => bilingual(
            out,
            written,
            &[
                Lit("保额 "),
                Dec(amount),
                Lit(" 的 "),
                Dec(per_mille),
                Lit("‰ 每年，共 "),
                Int(*coverage_years),
                Lit(" 年；保单费 "),
                Dec(policy_fee),
                Lit(" 每年，共 "),
                Int(*payment_years),
                Lit(" 年；"),
                Int(*age),
                Lit(" 岁起"),
            ],
            &[
                Dec(per_mille),
                Lit("‰ of "),
                Dec(amount),
                Lit(" a year for "),
                Int(*coverage_years),
                Lit(" years, and a policy fee of "),
                Dec(policy_fee),
                Lit(" a year for "),
                Int(*payment_years),
                Lit(" years, from age "),
                Int(*age),
            ],
        ),
        StepKind::PremiumLoading { age, years } => bilingual(
            out,
            written,
            &[Int(*age), Lit(" 岁起交费 "), Int(*years), Lit(" 年，各年按保费比例收取的费用")],
            &[
                Lit("the share of each premium charged, over "),
                Int(*years),
                Lit(" years of paying from age "),
                Int(*age),
            ],
        ),
        StepKind::GrossPremium { benefits, expenses, annuity, loading } => same(
            out,
            written,
            &[
                Lit("("),
                Dec(benefits),
                Lit(" + "),
                Dec(expenses),
                Lit(") ÷ ("),
                Dec(annuity),
                Lit(" − "),
                Dec(loading),
                Lit(")"),
            ],
        ),
        StepKind::Rounding { from, scale, mode, .. } => {
            let (places, mode) = (crate::pricing::worksheet::places_zh(*scale), mode.label());
            bilingual(
                out,
                written,
                &[Dec(from), Lit(" → "), Str(&places), Lit("，"), Str(&mode.zh)],
                &[Dec(from), Lit(" to "), Int(*scale), Lit(" places, "), Str(&mode.en)],
            )
        }
        StepKind::Factor { premium, by, .. } => same(out, written, &[Dec(premium), Lit(" × "), Dec(by)]),
        StepKind::AnnualPremium { base, riders } => bilingual(
            out,
            written,
            &[Lit("主险 "), Dec(base), Lit(" + 附加险 "), Dec(riders)],
            &[Lit("base "), Dec(base), Lit(" + riders "), Dec(riders)],
        ),
        StepKind::Modal { annual, factor, .. } => bilingual(
            out,
            written,
            &[Lit("年保费 "), Dec(annual), Lit(" × "), Dec(factor)],
            &[Lit("annual premium "), Dec(annual), Lit(" × "), Dec(factor)],
        ),
        StepKind::FirstYear { instalment, instalments } => bilingual(
            out,
            written,
            &[Dec(instalment), Lit(" × "), Int(*instalments), Lit(" 期")],
            &[Dec(instalment), Lit(" × "), Int(*instalments), Lit(" instalments")],
        ),
        StepKind::Total { first_year, years } => bilingual(
            out,
            written,
            &[Dec(first_year), Lit(" × "), Int(*years), Lit(" 年")],
            &[Dec(first_year), Lit(" × "), Int(*years), Lit(" years")],
        ),
        StepKind::UnderwritingLoading { premium, loading } => {
            same(out, written, &[Dec(premium), Lit(" × (1 + "), Dec(loading), Lit(")")]);
        }
        StepKind::DiscountCap { share, gross, .. } => bilingual(
            out,
            written,
            &[Lit("总保费 "), Dec(gross), Lit(" × "), Dec(share)],
            &[Lit("gross premium "), Dec(gross), Lit(" × "), Dec(share)],
        ),
        StepKind::DiscountPercent { coupon, product, premium, percent } => bilingual(
            out,
            written,
            &[Str(coupon), Lit("："), Str(product), Lit(" 首年保费 "), Dec(premium), Lit(" × "), Dec(percent)],
            &[
                Str(coupon),
                Lit(": "),
                Str(product),
                Lit(" first-year premium "),
                Dec(premium),
                Lit(" × "),
                Dec(percent),
            ],
        ),
        StepKind::DiscountEveryYear { coupon, product, first_year, years } => bilingual(
            out,
            written,
            &[Str(coupon), Lit("："), Str(product), Lit(" "), Dec(first_year), Lit(" × "), Int(*years), Lit(" 年")],
            &[Str(coupon), Lit(": "), Str(product), Lit(" "), Dec(first_year), Lit(" × "), Int(*years), Lit(" years")],
        ),
        StepKind::DiscountAmount { coupon, eligible, amount } => bilingual(
            out,
            written,
            &[Str(coupon), Lit("：面额 "), Dec(amount), Lit("，不超过适用保费 "), Dec(eligible)],
            &[Str(coupon), Lit(": "), Dec(amount), Lit(", at most the eligible premium "), Dec(eligible)],
        ),
        StepKind::DiscountCapped { coupon, before, left } => bilingual(
            out,
            written,
            &[Str(coupon), Lit("："), Dec(before), Lit(" 超出上限余额 "), Dec(left)],
            &[Str(coupon), Lit(": "), Dec(before), Lit(" is more than the "), Dec(left), Lit(" the cap leaves")],
        ),
        StepKind::DiscountScaled { coupon, total, kept, before } => bilingual(
            out,
            written,
            &[Str(coupon), Lit("："), Dec(total), Lit(" × 首年保留 "), Dec(kept), Lit(" ÷ 首年原为 "), Dec(before)],
            &[
                Str(coupon),
                Lit(": "),
                Dec(total),
                Lit(" × "),
                Dec(kept),
                Lit(" kept in the first year ÷ "),
                Dec(before),
                Lit(" before"),
            ],
        ),
    }
}

/// A part of a worksheet text.
enum Piece<'a> {
    /// Text written in this module that JSON need not escape (no `"`, `\` or control character).
    Lit(&'static str),
    /// Any other text: escaped.
    Str(&'a str),
    Dec(&'a Decimal),
    Int(u32),
}

fn pieces(out: &mut Vec<u8>, written: &Written<'_>, parts: &[Piece<'_>]) {
    for part in parts {
        match part {
            Piece::Lit(text) => out.extend_from_slice(text.as_bytes()),
            Piece::Str(text) => escaped(out, text),
            Piece::Dec(value) => written.again(out, value),
            Piece::Int(n) => integer(out, *n),
        }
    }
}

/// `{"zh":"…","en":"…"}`.
fn bilingual(out: &mut Vec<u8>, written: &Written<'_>, zh: &[Piece<'_>], en: &[Piece<'_>]) {
    out.extend_from_slice(b"{\"zh\":\"");
    pieces(out, written, zh);
    out.extend_from_slice(b"\",\"en\":\"");
    pieces(out, written, en);
    out.extend_from_slice(b"\"}");
}

/// The same text in both languages (formulas): rendered once, copied.
fn same(out: &mut Vec<u8>, written: &Written<'_>, parts: &[Piece<'_>]) {
    out.extend_from_slice(b"{\"zh\":\"");
    let start = out.len();
    pieces(out, written, parts);
    let end = out.len();
    out.extend_from_slice(b"\",\"en\":\"");
    out.extend_from_within(start..end);
    out.extend_from_slice(b"\"}");
}

/// Where a step's input decimals were written, so that its detail text (which shows the same values,
/// in two languages) copies their digits instead of formatting them twice more.
#[derive(Default)]
struct Written<'a> {
    decimals: [Option<(&'a Decimal, usize, usize)>; 8],
    count: usize,
}

impl<'a> Written<'a> {
    /// Write `value` as an input (a JSON string) and remember where its digits are.
    fn decimal(&mut self, out: &mut Vec<u8>, value: &'a Decimal) {
        out.push(b'"');
        let start = out.len();
        decimal_digits(out, value);
        if let Some(slot) = self.decimals.get_mut(self.count) {
            *slot = Some((value, start, out.len()));
            self.count += 1;
        }
        out.push(b'"');
    }

    /// The digits of `value` again: copied if this very input was written, else formatted.
    fn again(&self, out: &mut Vec<u8>, value: &Decimal) {
        let earlier = self.decimals.iter().flatten().find(|(input, ..)| std::ptr::eq(*input, value));
        match earlier {
            Some(&(_, start, end)) => out.extend_from_within(start..end),
            None => decimal_digits(out, value),
        }
    }
}

// --- Values --------------------------------------------------------------------------------------

fn text(out: &mut Vec<u8>, text: &Text) {
    let Text { zh, en } = text;
    out.extend_from_slice(b"{\"zh\":");
    string(out, zh);
    out.extend_from_slice(b",\"en\":");
    string(out, en);
    out.push(b'}');
}

fn array<T>(out: &mut Vec<u8>, items: &[T], mut write: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

fn boolean(out: &mut Vec<u8>, value: bool) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

/// A decimal as rust_decimal serializes it: a string.
fn decimal(out: &mut Vec<u8>, value: &Decimal) {
    out.push(b'"');
    decimal_digits(out, value);
    out.push(b'"');
}

/// A decimal as rust_decimal writes it (`Display`, and `Serialize` without the quotes): the mantissa's
/// digits with the point `scale` digits from the right, every trailing zero the scale asks for kept,
/// a `0` before a leading point, and a `-` for a negative number, negative zero included (`-0.00`).
fn decimal_digits(out: &mut Vec<u8>, value: &Decimal) {
    if value.is_sign_negative() {
        out.push(b'-');
    }
    let mantissa = value.mantissa().unsigned_abs();
    let scale = value.scale() as usize;
    if let Ok(small) = u64::try_from(mantissa) {
        return point_digits(out, small, scale);
    }
    // Twenty digits or more: rare.
    let mut buffer = [0u8; 40];
    let digits = unsigned_digits(mantissa, &mut buffer);
    if scale == 0 {
        out.extend_from_slice(digits);
    } else if digits.len() > scale {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        out.extend_from_slice(whole);
        out.push(b'.');
        out.extend_from_slice(fraction);
    } else {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + (scale - digits.len()), b'0');
        out.extend_from_slice(digits);
    }
}

/// `n` with a point `scale` digits from the right (`0.` and zeros before it if it has no more digits
/// than that): two digits at a time, right to left, into a buffer of zeros.
fn point_digits(out: &mut Vec<u8>, mut n: u64, scale: usize) {
    // u64 has at most 20 digits and a decimal's scale is at most 28: 50 bytes hold any of them.
    let mut buffer = [b'0'; 50];
    let end = buffer.len();
    let mut at = end;
    if scale > 0 {
        let point = end.saturating_sub(scale.min(end - 2) + 1);
        while n > 0 && at >= point + 3 {
            at -= 2;
            put_pair(&mut buffer, at, n % 100);
            n /= 100;
        }
        if n > 0 && at == point + 2 {
            at -= 1;
            buffer[at] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        at = point;
        buffer[at] = b'.';
    }
    // The whole part: at least one digit (the buffer's zero when there is none).
    if n == 0 {
        at -= 1;
    }
    while n >= 10 {
        at -= 2;
        put_pair(&mut buffer, at, n % 100);
        n /= 100;
    }
    if n > 0 {
        at -= 1;
        buffer[at] = b'0' + n as u8;
    }
    out.extend_from_slice(buffer.get(at..).unwrap_or_default());
}

/// The two digits of `pair` (below 100) at `at`.
fn put_pair(buffer: &mut [u8; 50], at: usize, pair: u64) {
    let i = pair as usize * 2;
    buffer[at] = PAIRS[i];
    buffer[at + 1] = PAIRS[i + 1];
}

/// Two decimal digits for each number below 100.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The decimal digits of `n` (none for zero), written at the end of `buffer`.
fn unsigned_digits(mut n: u128, buffer: &mut [u8; 40]) -> &[u8] {
    const TEN_POW_19: u128 = 10_000_000_000_000_000_000;
    let mut start = buffer.len();
    // Above 64 bits (a mantissa of twenty digits or more: rare), nineteen digits at a time.
    while n > u128::from(u64::MAX) {
        start = write_u64((n % TEN_POW_19) as u64, buffer, start, Some(19));
        n /= TEN_POW_19;
    }
    if n > 0 {
        start = write_u64(n as u64, buffer, start, None);
    }
    buffer.get(start..).unwrap_or_default()
}

/// Write `n`'s digits ending at `end` (exactly `width` of them with leading zeros, if given); returns
/// where they start.
fn write_u64(mut n: u64, buffer: &mut [u8; 40], mut end: usize, width: Option<usize>) -> usize {
    let stop = width.map_or(end, |w| end.saturating_sub(w));
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        end -= 2;
        buffer[end] = PAIRS[pair];
        buffer[end + 1] = PAIRS[pair + 1];
    }
    if n >= 10 {
        let pair = n as usize * 2;
        end -= 2;
        buffer[end] = PAIRS[pair];
        buffer[end + 1] = PAIRS[pair + 1];
    } else if n > 0 || width.is_none() {
        end -= 1;
        buffer[end] = b'0' + n as u8;
    }
    while end > stop {
        end -= 1;
        buffer[end] = b'0';
    }
    end
}

fn integer(out: &mut Vec<u8>, n: u32) {
    point_digits(out, u64::from(n), 0);
}

/// A date as chrono serializes it: `"YYYY-MM-DD"` (other years, which chrono writes with a sign, by
/// chrono itself).
fn date(out: &mut Vec<u8>, value: NaiveDate) {
    let year = value.year();
    let Ok(year) = u16::try_from(year) else {
        let _ = serde_json::to_writer(&mut *out, &value);
        return;
    };
    if year > 9999 {
        let _ = serde_json::to_writer(&mut *out, &value);
        return;
    }
    let pair = |n: u32| {
        let i = n as usize * 2;
        [PAIRS[i], PAIRS[i + 1]]
    };
    out.push(b'"');
    out.extend_from_slice(&pair(u32::from(year / 100)));
    out.extend_from_slice(&pair(u32::from(year % 100)));
    out.push(b'-');
    out.extend_from_slice(&pair(value.month()));
    out.push(b'-');
    out.extend_from_slice(&pair(value.day()));
    out.push(b'"');
}

fn write_coverage_term(out: &mut Vec<u8>, term: CoverageTerm) {
    match term {
        CoverageTerm::Years(n) => {
            out.extend_from_slice(b"years:");
            integer(out, n);
        }
        CoverageTerm::ToAge(a) => {
            out.extend_from_slice(b"to_age:");
            integer(out, a);
        }
        CoverageTerm::Lifelong => out.extend_from_slice(b"lifelong"),
    }
}

fn write_payment_term(out: &mut Vec<u8>, term: PaymentTerm) {
    match term {
        PaymentTerm::Single => out.extend_from_slice(b"single"),
        PaymentTerm::Years(n) => {
            out.extend_from_slice(b"years:");
            integer(out, n);
        }
        PaymentTerm::ToAge(a) => {
            out.extend_from_slice(b"to_age:");
            integer(out, a);
        }
    }
}

// --- Enum names, as their serde attributes spell them (the tests hold each to serde) --------------

fn line_name(line: Line) -> &'static str {
    match line {
        Line::CriticalIllness => "critical_illness",
        Line::Medical => "medical",
        Line::TermLife => "term_life",
        Line::WholeLife => "whole_life",
        Line::Endowment => "endowment",
        Line::Annuity => "annuity",
        Line::Accident => "accident",
        Line::LongTermCare => "long_term_care",
        Line::CityHealth => "city_health",
    }
}

fn applies_to_name(applies_to: AppliesTo) -> &'static str {
    match applies_to {
        AppliesTo::FirstYear => "first_year",
        AppliesTo::EveryYear => "every_year",
    }
}

fn benefit_name(benefit: Benefit) -> &'static str {
    match benefit {
        Benefit::Term => "term",
        Benefit::WholeLife => "whole_life",
        Benefit::Endowment => "endowment",
        Benefit::Annuity => "annuity",
    }
}

fn factor_kind_name(factor: FactorKind) -> &'static str {
    match factor {
        FactorKind::Smoker => "smoker",
        FactorKind::Occupation => "occupation",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::catalogue::sale::{DocumentKind, Relationship};
    use crate::discounts::coupon::{CouponKind, TokenKind};
    use crate::money::{RoundMode, RoundingStep};
    use crate::request::Sex;
    use crate::term::Frequency;
    use crate::underwriting::Outcome;
    use crate::{Catalogue, demo};

    fn mine(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        write(&mut out);
        String::from_utf8(out).unwrap()
    }

    fn serde<T: serde::Serialize + ?Sized>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// Strings that need every kind of escape, and some that need none.
    const AWKWARD: [&str; 6] =
        ["", "plain", "引号\"与\\反斜杠", "tab\tline\nfeed\rback\u{8}form\u{c}", "\u{0}\u{1f}\u{7f}é😀", "a\"b"];

    #[test]
    fn decimals_are_written_as_rust_decimal_writes_them() {
        let mut cases: Vec<Decimal> = [
            "0",
            "0.00",
            "-0",
            "1",
            "-1",
            "0.005",
            "-0.005",
            "1234.50",
            "9715.00",
            "500000",
            "0.1",
            "10",
            "100.000",
            "0.0000000000000000000000000001",
            "-7.9228162514264337593543950335",
            "18446744073709551615",
            "18446744073709551616",
            "123456789012345678901234567.8",
        ]
        .iter()
        .map(|t| d(t))
        .collect();
        cases.extend([Decimal::MAX, Decimal::MIN, Decimal::ZERO, Decimal::ONE, Decimal::NEGATIVE_ONE]);
        let mut negative_zero = Decimal::new(0, 2);
        negative_zero.set_sign_negative(true);
        cases.push(negative_zero);
        for value in cases {
            assert_eq!(mine(|out| decimal(out, &value)), serde(&value), "{value:?}");
            assert_eq!(mine(|out| decimal_digits(out, &value)), value.to_string(), "{value:?}");
        }
        assert_eq!(mine(|out| decimal(out, &negative_zero)), "\"-0.00\"");
    }

    proptest! {
        #[test]
        fn any_decimal_is_written_as_rust_decimal_writes_it(lo: u32, mid: u32, hi: u32, negative: bool, scale in 0u32..=28) {
            let value = Decimal::from_parts(lo, mid, hi, negative, scale);
            prop_assert_eq!(mine(|out| decimal(out, &value)), serde(&value));
            prop_assert_eq!(mine(|out| decimal_digits(out, &value)), value.to_string());
        }

        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(text: String) {
            prop_assert_eq!(mine(|out| string(out, &text)), serde(&text));
        }

        #[test]
        fn any_integer_is_written_plainly(n: u32) {
            prop_assert_eq!(mine(|out| integer(out, n)), n.to_string());
        }
    }

    #[test]
    fn strings_with_every_escape_match_serde_json() {
        for text in AWKWARD {
            assert_eq!(mine(|out| string(out, text)), serde(text), "{text:?}");
        }
        let controls: String = (0u8..0x20).map(char::from).chain(['"', '\\', '/', '\u{7f}']).collect();
        assert_eq!(mine(|out| string(out, &controls)), serde(&controls));
    }

    #[test]
    fn dates_match_chrono() {
        for (y, m, day) in
            [(2026, 11, 25), (1, 1, 1), (0, 1, 1), (999, 12, 31), (9999, 12, 31), (10_000, 1, 1), (-1, 6, 5)]
        {
            let date = NaiveDate::from_ymd_opt(y, m, day).unwrap();
            assert_eq!(mine(|out| super::date(out, date)), serde(&date), "{date:?}");
        }
    }

    #[test]
    fn enum_names_match_their_serde_spelling() {
        let check = |name: &str, value: String| assert_eq!(format!("\"{name}\""), value);
        // Every variant of each (`ALL` cannot leave one out).
        Line::ALL.iter().for_each(|&line| check(line_name(line), serde(&line)));
        Sex::ALL.iter().for_each(|&sex| check(sex.name(), serde(&sex)));
        Frequency::ALL.iter().for_each(|&frequency| check(frequency.name(), serde(&frequency)));
        Outcome::ALL.iter().for_each(|&outcome| check(outcome.name(), serde(&outcome)));
        CouponKind::ALL.iter().for_each(|&kind| check(kind.name(), serde(&kind)));
        TokenKind::ALL.iter().for_each(|&kind| check(kind.name(), serde(&kind)));
        AppliesTo::ALL.iter().for_each(|&applies_to| check(applies_to_name(applies_to), serde(&applies_to)));
        Benefit::ALL.iter().for_each(|&benefit| check(benefit_name(benefit), serde(&benefit)));
        RoundingStep::ALL.iter().for_each(|&step| check(step.name(), serde(&step)));
        RoundMode::ALL.iter().for_each(|&mode| check(mode.name(), serde(&mode)));
        FactorKind::ALL.iter().for_each(|&factor| check(factor_kind_name(factor), serde(&factor)));
        DocumentKind::ALL.iter().for_each(|&kind| check(kind.name(), serde(&kind)));
        Relationship::ALL.iter().for_each(|&relationship| check(relationship.name(), serde(&relationship)));
        for term in [CoverageTerm::Years(1), CoverageTerm::Years(20), CoverageTerm::ToAge(70), CoverageTerm::Lifelong] {
            assert_eq!(
                mine(|out| {
                    out.push(b'"');
                    write_coverage_term(out, term);
                    out.push(b'"');
                }),
                serde(&term)
            );
        }
        for term in [PaymentTerm::Single, PaymentTerm::Years(20), PaymentTerm::ToAge(60), PaymentTerm::Years(u32::MAX)]
        {
            assert_eq!(
                mine(|out| {
                    out.push(b'"');
                    write_payment_term(out, term);
                    out.push(b'"');
                }),
                serde(&term)
            );
        }
    }

    /// One of every step kind, with awkward strings and decimals in it.
    fn every_step_kind(text: &str, n: Decimal) -> Vec<StepKind> {
        let s = || text.to_owned();
        let a = || Arc::<str>::from(text);
        let mut kinds = vec![
            StepKind::TableLookup { table: a(), from_age: 30, to_age: 30, column: a(), plan: None },
            StepKind::TableLookup {
                table: a(),
                from_age: 26,
                to_age: 30,
                column: "social D10K".into(),
                plan: Some(Text::fixed("年免赔额1万元", "10,000 yuan \"deductible\"")),
            },
            StepKind::PerUnit { amount: n, per: d("1000"), rate: d("19.43") },
            StepKind::FlatRegion { region: s() },
            StepKind::PercentOfBase { base: n, percent: d("0.03") },
            StepKind::AnnuityDue { age: 0, years: u32::MAX },
            StepKind::NetPremium { amount: n, factor: d("0.123456789"), annuity: d("-15.5") },
            StepKind::Expenses {
                per_mille: d("0.1"),
                amount: n,
                policy_fee: d("20"),
                age: 30,
                coverage_years: 20,
                payment_years: 10,
            },
            StepKind::PremiumLoading { age: 30, years: 20 },
            StepKind::GrossPremium { benefits: n, expenses: d("1.5"), annuity: d("15.2"), loading: d("0.4") },
            StepKind::Factor { factor: FactorKind::Smoker, class: None, premium: n, by: d("1.15") },
            StepKind::Factor { factor: FactorKind::Occupation, class: Some(3), premium: n, by: d("1.2") },
            StepKind::Factor { factor: FactorKind::Occupation, class: None, premium: n, by: d("1.2") },
            StepKind::AnnualPremium { base: n, riders: d("0.00") },
            StepKind::FirstYear { instalment: n, instalments: 12 },
            StepKind::Total { first_year: n, years: 20 },
            StepKind::UnderwritingLoading { premium: n, loading: d("0.25") },
            StepKind::DiscountCap { share: d("0.15"), gross: n, over_terms: false },
            StepKind::DiscountCap { share: d("0.15"), gross: n, over_terms: true },
            StepKind::DiscountPercent { coupon: s(), product: s(), premium: n, percent: d("0.05") },
            StepKind::DiscountEveryYear { coupon: s(), product: s(), first_year: n, years: 20 },
            StepKind::DiscountAmount { coupon: s(), eligible: n, amount: d("200") },
            StepKind::DiscountCapped { coupon: s(), before: n, left: d("-0.00") },
            StepKind::DiscountScaled { coupon: s(), total: d("9715.00"), kept: d("97.15"), before: n },
        ];
        for sex in Sex::ALL {
            kinds.push(StepKind::ActuarialBasis { mortality: a(), source: a(), age: 45, sex });
        }
        for benefit in Benefit::ALL {
            kinds.push(StepKind::BenefitFactor {
                benefit,
                age: 40,
                years: 20,
                payout_start_age: None,
                guaranteed_years: None,
            });
            kinds.push(StepKind::BenefitFactor {
                benefit,
                age: 40,
                years: 20,
                payout_start_age: Some(60),
                guaranteed_years: Some(20),
            });
        }
        for step in RoundingStep::ALL {
            for mode in RoundMode::ALL {
                kinds.push(StepKind::Rounding { step, from: n, scale: 2, mode });
            }
        }
        for frequency in Frequency::ALL {
            kinds.push(StepKind::Modal { frequency, annual: n, factor: d("0.088") });
        }
        kinds
    }

    #[test]
    fn every_step_kind_matches_serde() {
        for text in AWKWARD {
            for n in [d("9715.00"), d("-0.01"), d("0"), Decimal::MAX] {
                for kind in every_step_kind(text, n) {
                    for rider in [None, Some(Arc::<str>::from(text)), Some(Arc::<str>::from("CI-WOP"))] {
                        let value = Step { rider, kind: kind.clone(), value: n };
                        assert_eq!(mine(|out| step(out, &value)), serde(&value), "{value:?}");
                    }
                }
            }
        }
    }

    fn demo_key() -> ed25519_dalek::SigningKey {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalogue/keys/demo-coupon-signing.key");
        let hex = std::fs::read_to_string(path).unwrap();
        ed25519_dalek::SigningKey::from_bytes(&crate::discounts::coupon::key_bytes(&hex).unwrap())
    }

    fn token(kind: crate::discounts::coupon::TokenKind, series: &str, id: &str) -> String {
        let claims = crate::discounts::coupon::Claims {
            catalogue: "PREMIA-DEMO".into(),
            kind,
            series: series.into(),
            id: id.into(),
            expires: None,
            referrer: None,
        };
        crate::discounts::coupon::issue(&claims, &demo_key())
    }

    /// Quotes over every product of the demo catalogue: riders, every frequency and term, coupons that
    /// apply and coupons that do not, health answers that load, exclude, refer and decline, declined
    /// coverages beside priced ones, bundles, and the catalogue's own test cases.
    fn corpus(catalogue: &Catalogue) -> Vec<Quote> {
        use crate::discounts::coupon::TokenKind;
        let date = "2026-11-25";
        let coverages = [
            json!({ "product": "CI", "sum_assured": "500000", "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "annual",
                    "riders": [{ "code": "CI-MULTI", "sum_assured": "200000" }, { "code": "CI-WOP" }] }),
            json!({ "product": "CI", "sum_assured": "300000", "coverage_term": "to_age:70", "payment_term": "years:30", "frequency": "monthly" }),
            json!({ "product": "CI", "sum_assured": "100000", "coverage_term": "lifelong", "payment_term": "single", "frequency": "annual" }),
            json!({ "product": "MED", "sum_assured": "3000000", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "monthly", "plan": "D5K" }),
            json!({ "product": "TERM", "sum_assured": "1000000", "coverage_term": "to_age:60", "payment_term": "years:20", "frequency": "annual" }),
            json!({ "product": "WL", "sum_assured": "200000", "coverage_term": "lifelong", "payment_term": "years:10", "frequency": "semi_annual" }),
            json!({ "product": "ANN", "annuity_amount": "12000", "coverage_term": "lifelong", "payment_term": "years:10", "frequency": "annual",
                    "payout_start_age": 60, "guaranteed_years": 20 }),
            json!({ "product": "ANN", "annuity_amount": "5000", "coverage_term": "lifelong", "payment_term": "single", "frequency": "annual",
                    "payout_start_age": 65, "guaranteed_years": 0 }),
            json!({ "product": "ACC", "sum_assured": "500000", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual",
                    "riders": [{ "code": "ACC-MED", "sum_assured": "20000" }] }),
            json!({ "product": "LTC", "sum_assured": "200000", "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "monthly" }),
            json!({ "product": "HMB", "sum_assured": "3000000", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual" }),
        ];
        let answers = [
            json!({}),
            json!({ "CANCER": { "yes": false }, "HEART": { "yes": false }, "HTN": { "yes": false }, "DIABETES": { "yes": false },
                    "HOSPITAL": { "yes": false }, "THYROID": { "yes": false } }),
            json!({ "CANCER": { "yes": false }, "HEART": { "yes": false }, "HTN": { "yes": true, "follow_up": "CONTROLLED" },
                    "DIABETES": { "yes": true, "follow_up": "TYPE2-CONTROLLED" }, "HOSPITAL": { "yes": false },
                    "THYROID": { "yes": true, "follow_up": "TIRADS-1-3" } }),
            json!({ "CANCER": { "yes": false }, "HEART": { "yes": true }, "HTN": { "yes": false }, "DIABETES": { "yes": false },
                    "HOSPITAL": { "yes": true, "follow_up": "ONGOING" }, "THYROID": { "yes": false } }),
            json!({ "CANCER": { "yes": true }, "HEART": { "yes": false }, "HTN": { "yes": false }, "DIABETES": { "yes": false },
                    "HOSPITAL": { "yes": false }, "THYROID": { "yes": false } }),
        ];
        let coupons = [
            vec![],
            vec!["PROMO-NOV".to_owned()],
            vec![token(TokenKind::Voucher, "V200", "V200-01")],
            vec!["PROMO-NOV".to_owned(), token(TokenKind::Voucher, "V50", "V50-01"), "NO-SUCH-CODE".to_owned()],
            vec![token(TokenKind::Referral, "REFER-2026", "R-01"), "PV1.forged.token".to_owned()],
        ];
        let mut quotes = Vec::new();
        for (i, coverage) in coverages.iter().enumerate() {
            for ((j, answers), birth) in answers
                .iter()
                .enumerate()
                .flat_map(|a| ["1990-05-17", "1972-02-29", "2001-08-08"].into_iter().map(move |birth| (a, birth)))
            {
                let k = (i + j + usize::from(birth.starts_with("19"))) % coupons.len();
                let mut insured = json!({
                    "birth_date": birth,
                    "sex": if i % 2 == 0 { "female" } else { "male" },
                    "smoker": j == 1, "occupation_class": 1 + (i + j) % 6, "social_insurance": j != 3,
                    "region": "310000", "height_cm": "170", "weight_kg": if j == 3 { "95" } else { "65" },
                    "annual_income": "400000", "health_answers": answers,
                });
                if i == 4 && j == 2 {
                    insured["existing_cover"] = json!("5000000");
                }
                if j == 1 && birth.starts_with("2001") {
                    // By resident ID number (the quote keeps its hash), or by age alone.
                    let fields = insured.as_object_mut().unwrap();
                    fields.remove("birth_date");
                    fields.remove("sex");
                    let first17 = format!("11010220010808{:03}", 10 + i);
                    let check = crate::identity::resident_id::check_char(first17.as_bytes());
                    insured["resident_id"] = json!(format!("{first17}{check}"));
                } else if j == 0 && birth.starts_with("2001") {
                    insured.as_object_mut().unwrap().remove("birth_date");
                    insured["age"] = json!(25);
                }
                let mut list = vec![coverage.clone()];
                // A second coverage beside it (underwriting may decline one and price the other).
                list.push(coverages[(i + 3) % coverages.len()].clone());
                for coverages in [vec![coverage.clone()], list] {
                    let channel = if k % 2 == 0 {
                        json!({ "kind": "direct" })
                    } else {
                        json!({ "kind": "agent", "agent_code": "A\"1\\" })
                    };
                    let request = json!({ "quote_date": date, "insured": insured, "coverages": coverages, "channel": channel,
                                          "coupons": coupons[k] });
                    if let Ok(request) = crate::request::from_json(&crate::wire::json::Json::from(&request)) {
                        if let Ok(quote) = crate::pricing::engine::quote(catalogue, &request) {
                            quotes.push(quote);
                        }
                    }
                }
            }
        }
        for test in &catalogue.tests {
            if let Ok(quote) = crate::pricing::engine::quote(catalogue, &test.request) {
                quotes.push(quote);
            }
        }
        for birth in ["2000-01-01", "1992-06-30", "1980-03-03", "1965-12-12"] {
            let profile: crate::bundles::Profile = serde_json::from_value(json!({
                "insured": { "birth_date": birth, "sex": "female", "smoker": false, "occupation_class": 1, "social_insurance": true },
                "channel": { "kind": "direct" }, "coupons": ["PROMO-NOV"],
            }))
            .unwrap();
            let date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
            for recommendation in crate::bundles::recommend(catalogue, &profile, date).unwrap() {
                quotes.push(recommendation.quote);
            }
        }
        quotes
    }

    #[test]
    fn generated_quotes_match_serde_json() {
        let catalogue = demo::catalogue();
        let quotes = corpus(&catalogue);
        let has = |what: &str, f: &dyn Fn(&Quote) -> bool| {
            assert!(quotes.iter().any(f), "the corpus has no quote with {what}")
        };
        has("riders", &|q| q.coverages.iter().any(|c| !c.riders.is_empty()));
        has("a declined coverage", &|q| !q.declined.is_empty());
        has("a referral", &|q| q.decision.outcome == Outcome::Refer);
        has("conditions", &|q| q.decision.outcome == Outcome::AcceptWithConditions);
        has("discounts", &|q| !q.discounts.is_empty());
        has("a bundle discount", &|q| q.discounts.iter().any(|d| d.kind == CouponKind::Bundle));
        has("a capped or every-year discount", &|q| q.discount_worksheet.len() > 2);
        has("rejected coupons", &|q| !q.rejected_coupons.is_empty());
        has("coupons used", &|q| !q.coupons_used.is_empty());
        has("an annuity", &|q| q.coverages.iter().any(|c| c.annuity_amount.is_some()));
        has("an age without a birth date", &|q| q.request.insured.age.is_some());
        has("a bundle", &|q| q.request.bundle.is_some());
        has("an agent", &|q| matches!(q.request.channel, crate::Channel::Agent { .. }));
        has("existing cover", &|q| q.request.insured.existing_cover.is_some());
        has("health answers with follow-ups", &|q| {
            q.request.insured.health_answers.values().any(|a| a.follow_up.is_some())
        });
        for line in [
            Line::CriticalIllness,
            Line::Medical,
            Line::TermLife,
            Line::WholeLife,
            Line::Annuity,
            Line::Accident,
            Line::LongTermCare,
            Line::CityHealth,
        ] {
            has(line_name(line), &|q| q.coverages.iter().any(|c| c.line == line));
        }
        assert!(quotes.len() > 120, "{}", quotes.len());
        for quote in &quotes {
            let expected = serde_json::to_vec(quote).unwrap();
            let written = to_vec(quote);
            assert!(
                written == expected,
                "differs:\n{}\n{}",
                String::from_utf8_lossy(&written),
                String::from_utf8_lossy(&expected)
            );
        }
    }

    /// Every string and decimal of real quotes replaced by awkward ones: the writer must still agree.
    #[test]
    fn quotes_with_awkward_values_match_serde_json() {
        let catalogue = demo::catalogue();
        let mut checked = 0;
        for (i, quote) in corpus(&catalogue).into_iter().enumerate() {
            let text = AWKWARD[i % AWKWARD.len()];
            let mut value = serde_json::to_value(&quote).unwrap();
            awkward(&mut value, text, i);
            let odd = serde_json::from_value::<Quote>(value.clone()).unwrap();
            assert_eq!(String::from_utf8(to_vec(&odd)).unwrap(), serde_json::to_string(&odd).unwrap());
            checked += 1;
        }
        assert!(checked > 120);
    }

    /// Replace every string in `value` that is not a decimal, a date, a term or an enum with `text`, and
    /// every decimal with a negative or long one.
    fn awkward(value: &mut Value, text: &str, seed: usize) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(answers)) = map.get_mut("health_answers") {
                    // Question ids are map keys: awkward ones too.
                    *answers = std::mem::take(answers).into_iter().map(|(k, v)| (format!("{k}{text}"), v)).collect();
                }
                for (key, item) in map.iter_mut() {
                    let keep = [
                        "outcome",
                        "line",
                        "sex",
                        "frequency",
                        "coverage_term",
                        "payment_term",
                        "code",
                        "kind",
                        "applies_to",
                        "quote_date",
                        "valid_until",
                        "birth_date",
                        "step",
                        "mode",
                        "factor",
                        "benefit",
                    ];
                    if !keep.contains(&key.as_str()) {
                        awkward(item, text, seed);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| awkward(item, text, seed)),
            Value::String(s) => {
                if let Ok(n) = s.parse::<Decimal>() {
                    let replacement = match seed % 3 {
                        0 => -n,
                        1 => n * d("1.0000000001"),
                        _ => Decimal::from_parts(u32::MAX, u32::MAX, u32::MAX, seed % 2 == 0, (seed % 29) as u32),
                    };
                    *s = replacement.to_string();
                } else {
                    *s = format!("{s}{text}");
                }
            }
            _ => {}
        }
    }
}
