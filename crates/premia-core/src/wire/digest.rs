//! The quote digest: SHA-256 over a canonical binary encoding of the request and the result.
//!
//! # Canonical encoding, `premia-digest-v1`
//!
//! The tag `premia-digest-v1\n`, then the fields below in this order, each encoded as:
//! text — u32 length (little-endian) and UTF-8 bytes; integers — u32 little-endian; booleans — one
//! byte 0/1; dates — i32 days from the common era, little-endian; decimals — the 16 bytes of
//! `rust_decimal::Decimal::serialize` (flags with sign and scale, then the 96-bit mantissa,
//! little-endian), so "1.50" and "1.5" differ; optional values — a byte 0 (absent) or 1 and the value;
//! lists — u32 count then the items; enums and terms — their JSON spelling as text.
//!
//! Fields: catalogue id, version, content hash; illustrative; the request (quote date; insured: birth
//! date, age, resident ID (never present in a quote's own request), its hash, sex, smoker, occupation
//! class, social insurance, region, height, weight, income, existing cover, health answers in question
//! order; coverages: product, sum assured, annuity amount, coverage term, payment term, frequency, plan,
//! payout start age, guaranteed years, riders (code, sum assured); channel and agent code; coupons;
//! bundle); valid-until; each coverage's figures (product, version, age, sex, smoker, sum assured,
//! annuity amount, terms, payment years, frequency, instalments a year, base premium, riders (code, sum
//! assured, premium), annual, instalment, first-year and total premium, decision); declined coverages
//! (product, version, decision); the overall decision; discounts (kind, code, every-year flag, products,
//! first-year and total amounts, capped); rejected coupons (coupon, error code); coupons used (id, kind,
//! series, single use); the totals. A decision is its outcome (as its rank, accept = 0 … decline = 5),
//! review flag and each reason's rule, outcome, product, loading and whether it has an exclusion. Names,
//! lines, messages and worksheet steps are left out: the product code, version and catalogue hash fix
//! them, and the worksheets are derived from the same inputs.
//!
//! No text formatting and no platform-dependent layout is involved, so wasm32 and x86-64 produce the
//! same bytes; `tests/engine.rs` checks that changing any request field or figure changes the digest.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::catalogue::CatalogueRef;
use crate::discounts::coupon::{AppliesTo, Discount, RejectedCoupon, UsedCoupon};
use crate::pricing::quote::{CoverageQuote, DeclinedCoverage, Quote, RiderQuote, Totals};
use crate::request::{Channel, CoverageRequest, HealthAnswer, Insured, QuoteRequest, RiderRequest, Sex};
use crate::underwriting::{Decision, Outcome, Reason};

const TAG: &[u8] = b"premia-digest-v1\n";

/// The digest of `quote`, ignoring its `digest` field.
pub fn of(quote: &Quote) -> String {
    let mut canon = Canon(Vec::with_capacity(1024));
    canon.0.extend_from_slice(TAG);
    canon.quote(quote);
    hex(&Sha256::digest(&canon.0))
}

pub use super::hex;

struct Canon(Vec<u8>);

impl Canon {
    fn text(&mut self, s: &str) {
        self.count(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn count(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn flag(&mut self, b: bool) {
        self.0.push(u8::from(b));
    }

    fn dec(&mut self, d: Decimal) {
        self.0.extend_from_slice(&d.serialize());
    }

    fn date(&mut self, d: NaiveDate) {
        self.0.extend_from_slice(&d.num_days_from_ce().to_le_bytes());
    }

    fn opt<T>(&mut self, value: Option<T>, write: impl FnOnce(&mut Self, T)) {
        self.flag(value.is_some());
        if let Some(v) = value {
            write(self, v);
        }
    }

    /// Enums and terms by their serialized spelling.
    fn spelled(&mut self, value: impl std::fmt::Display) {
        use std::fmt::Write;
        let mut text = String::new();
        let _ = write!(text, "{value}");
        self.text(&text);
    }

    // Each type is destructured without `..`: a new field does not compile until it is encoded here
    // or named as left out (`name: _`), with the reason.

    fn quote(&mut self, q: &Quote) {
        let Quote {
            catalogue: CatalogueRef { id, version, content_hash },
            illustrative,
            request,
            valid_until,
            coverages,
            declined,
            decision,
            discounts,
            rejected_coupons,
            coupons_used,
            // Derived from the discounts and the catalogue.
            discount_worksheet: _,
            totals,
            // The digest itself.
            digest: _,
        } = q;
        self.text(id);
        self.text(version);
        self.text(content_hash);
        self.flag(*illustrative);
        self.request(request);
        self.date(*valid_until);
        self.count(coverages.len());
        coverages.iter().for_each(|c| self.figures(c));
        self.count(declined.len());
        for DeclinedCoverage { product, product_version, name: _, decision } in declined {
            self.text(product);
            self.u32(*product_version);
            self.decision(decision);
        }
        self.decision(decision);
        self.count(discounts.len());
        discounts.iter().for_each(|d| self.discount(d));
        self.count(rejected_coupons.len());
        for RejectedCoupon { coupon, code, message: _ } in rejected_coupons {
            self.text(coupon);
            self.text(code);
        }
        self.count(coupons_used.len());
        for UsedCoupon { id, kind, series, single_use } in coupons_used {
            self.text(id);
            self.text(kind.name());
            self.text(series);
            self.flag(*single_use);
        }
        self.totals(totals);
    }

    fn discount(&mut self, d: &Discount) {
        let Discount { kind, code, name: _, applies_to, products, first_year, total, capped } = d;
        self.text(kind.name());
        self.text(code);
        self.flag(match applies_to {
            AppliesTo::FirstYear => false,
            AppliesTo::EveryYear => true,
        });
        self.count(products.len());
        products.iter().for_each(|p| self.text(p));
        self.dec(*first_year);
        self.dec(*total);
        self.flag(*capped);
    }

    fn totals(&mut self, t: &Totals) {
        let Totals {
            annual_premium,
            first_year_premium,
            total_premium,
            discount_first_year,
            discount_total,
            net_first_year_premium,
            net_total_premium,
        } = *t;
        for figure in [
            annual_premium,
            first_year_premium,
            total_premium,
            discount_first_year,
            discount_total,
            net_first_year_premium,
            net_total_premium,
        ] {
            self.dec(figure);
        }
    }

    /// Outcome, review flag, and each reason's rule, outcome, product and loading (its text follows from
    /// those and the catalogue).
    fn decision(&mut self, d: &Decision) {
        let Decision { outcome, reasons, two_person_review } = d;
        self.outcome(*outcome);
        self.flag(*two_person_review);
        self.count(reasons.len());
        for Reason { rule, outcome, product, message: _, loading, exclusion } in reasons {
            self.text(rule);
            self.outcome(*outcome);
            self.opt(product.as_deref(), Self::text);
            self.opt(*loading, Self::dec);
            // Whether there is one: its wording follows from the rule and the catalogue.
            self.flag(exclusion.is_some());
        }
    }

    /// An outcome by its rank, mildest first. Written out, not `outcome as u32`: a variant added
    /// anywhere but last would silently change every later outcome's code.
    fn outcome(&mut self, outcome: Outcome) {
        self.u32(match outcome {
            Outcome::Accept => 0,
            Outcome::AcceptWithConditions => 1,
            Outcome::MedicalExam => 2,
            Outcome::Refer => 3,
            Outcome::Pending => 4,
            Outcome::Decline => 5,
        });
    }

    fn request(&mut self, r: &QuoteRequest) {
        let QuoteRequest { quote_date, insured, coverages, channel, coupons, bundle } = r;
        self.date(*quote_date);
        self.insured(insured);
        self.count(coverages.len());
        coverages.iter().for_each(|c| self.coverage_request(c));
        match channel {
            Channel::Direct => self.text("direct"),
            Channel::Agent { agent_code } => {
                self.text("agent");
                self.text(agent_code);
            }
        }
        self.count(coupons.len());
        coupons.iter().for_each(|c| self.text(c));
        self.opt(bundle.as_deref(), Self::text);
    }

    fn insured(&mut self, i: &Insured) {
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
        } = i;
        self.opt(*birth_date, Self::date);
        self.opt(*age, Self::u32);
        self.opt(resident_id.as_deref(), Self::text);
        // The slot of the retired `resident_id_hash` (a salted hash a quote once carried): always absent,
        // so the encoding and every digest stay as they were for quotes without one.
        self.opt(None::<&str>, Self::text);
        self.opt(sex.map(Sex::name), Self::text);
        self.flag(*smoker);
        self.u32(u32::from(*occupation_class));
        self.flag(*social_insurance);
        self.opt(region.as_deref(), Self::text);
        self.opt(*height_cm, Self::dec);
        self.opt(*weight_kg, Self::dec);
        self.opt(*annual_income, Self::dec);
        self.opt(*existing_cover, Self::dec);
        self.count(health_answers.len());
        for (question, HealthAnswer { yes, follow_up }) in health_answers {
            self.text(question);
            self.flag(*yes);
            self.opt(follow_up.as_deref(), Self::text);
        }
    }

    fn coverage_request(&mut self, c: &CoverageRequest) {
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
        } = c;
        self.text(product);
        self.opt(*sum_assured, Self::dec);
        self.opt(*annuity_amount, Self::dec);
        self.spelled(*coverage_term);
        self.spelled(*payment_term);
        self.text(frequency.name());
        self.opt(plan.as_deref(), Self::text);
        self.opt(*payout_start_age, Self::u32);
        self.opt(*guaranteed_years, Self::u32);
        self.count(riders.len());
        for RiderRequest { code, sum_assured } in riders {
            self.text(code);
            self.opt(*sum_assured, Self::dec);
        }
    }

    fn figures(&mut self, c: &CoverageQuote) {
        let CoverageQuote {
            product,
            product_version,
            // Both follow from the product and its version.
            name: _,
            line: _,
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
            // Derived from the same inputs, in the catalogue's wording.
            worksheet: _,
        } = c;
        self.text(product);
        self.u32(*product_version);
        self.u32(*age);
        self.text(sex.name());
        self.flag(*smoker);
        self.opt(*sum_assured, Self::dec);
        self.opt(*annuity_amount, Self::dec);
        self.spelled(*coverage_term);
        self.spelled(*payment_term);
        self.u32(*payment_years);
        self.text(frequency.name());
        self.u32(*instalments_per_year);
        self.dec(*base_premium);
        self.count(riders.len());
        for RiderQuote { code, name: _, sum_assured, annual_premium } in riders {
            self.text(code);
            self.dec(*sum_assured);
            self.dec(*annual_premium);
        }
        self.dec(*annual_premium);
        self.dec(*instalment_premium);
        self.dec(*first_year_premium);
        self.dec(*total_premium);
        self.decision(decision);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::{BTreeMap, BTreeSet};

    use serde_json::{Value, json};

    use super::*;
    use crate::catalogue::Line;
    use crate::discounts::coupon::CouponKind;
    use crate::pricing::worksheet::{Step, StepKind};
    use crate::request::HealthAnswer;
    use crate::term::{CoverageTerm, Frequency, PaymentTerm};
    use crate::text::Text;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn reason(rule: &str, outcome: Outcome, product: &str) -> Reason {
        Reason {
            rule: rule.to_owned(),
            outcome,
            product: Some(product.to_owned()),
            message: Text::new("体重指数偏高", "BMI above the band"),
            loading: Some(d("0.25")),
            exclusion: Some(Text::new("除外甲状腺疾病", "thyroid conditions excluded")),
        }
    }

    fn decision(outcome: Outcome, product: &str) -> Decision {
        Decision { outcome, reasons: vec![reason("bmi", outcome, product)], two_person_review: true }
    }

    /// A quote with every field given, every optional field set and every list holding an item: written
    /// out in full (no `..`), so a new field does not compile until it is given here too.
    fn every_field_set() -> Quote {
        let insured = Insured {
            birth_date: Some(date("1990-05-01")),
            age: Some(36),
            resident_id: Some("110101199005010028".to_owned()),
            sex: Some(Sex::Female),
            smoker: true,
            occupation_class: 2,
            social_insurance: true,
            region: Some("310000".to_owned()),
            height_cm: Some(d("165.5")),
            weight_kg: Some(d("58.2")),
            annual_income: Some(d("300000")),
            existing_cover: Some(d("200000")),
            health_answers: BTreeMap::from([(
                "HTN".to_owned(),
                HealthAnswer { yes: true, follow_up: Some("controlled".to_owned()) },
            )]),
        };
        let request = QuoteRequest {
            quote_date: date("2026-11-25"),
            insured,
            coverages: vec![CoverageRequest {
                product: "ANN".to_owned(),
                sum_assured: Some(d("500000")),
                annuity_amount: Some(d("12000")),
                coverage_term: CoverageTerm::Lifelong,
                payment_term: PaymentTerm::Years(10),
                frequency: Frequency::Monthly,
                plan: Some("D10K".to_owned()),
                payout_start_age: Some(60),
                guaranteed_years: Some(20),
                riders: vec![RiderRequest { code: "CI-WOP".to_owned(), sum_assured: Some(d("20000")) }],
            }],
            channel: Channel::Agent { agent_code: "A123".to_owned() },
            coupons: vec!["PROMO-NOV".to_owned()],
            bundle: Some("FAMILY".to_owned()),
        };
        let step = Step {
            rider: Some("CI-WOP".into()),
            kind: StepKind::FlatRegion { region: "310000".to_owned() },
            value: d("1"),
        };
        Quote {
            catalogue: CatalogueRef {
                id: "PREMIA-DEMO".to_owned(),
                version: "2026.11.0".to_owned(),
                content_hash: "fixed".to_owned(),
            },
            illustrative: true,
            request,
            valid_until: date("2026-12-25"),
            coverages: vec![CoverageQuote {
                product: "ANN".to_owned(),
                product_version: 1,
                name: Text::new("福寿年金", "Fushou Annuity"),
                line: Line::Annuity,
                age: 36,
                sex: Sex::Female,
                smoker: true,
                sum_assured: Some(d("500000")),
                annuity_amount: Some(d("12000")),
                coverage_term: CoverageTerm::Lifelong,
                payment_term: PaymentTerm::Years(10),
                payment_years: 10,
                frequency: Frequency::Monthly,
                instalments_per_year: 12,
                base_premium: d("18901.07"),
                riders: vec![RiderQuote {
                    code: "CI-WOP".to_owned(),
                    name: Text::new("豁免", "waiver"),
                    sum_assured: d("20000"),
                    annual_premium: d("120.00"),
                }],
                annual_premium: d("19021.07"),
                instalment_premium: d("1673.85"),
                first_year_premium: d("20086.20"),
                total_premium: d("200862.00"),
                decision: decision(Outcome::AcceptWithConditions, "ANN"),
                worksheet: vec![step.clone()],
            }],
            declined: vec![DeclinedCoverage {
                product: "CI".to_owned(),
                product_version: 2,
                name: Text::new("安心重疾", "Anxin Critical Illness"),
                decision: decision(Outcome::Decline, "CI"),
            }],
            decision: decision(Outcome::Refer, "ANN"),
            discounts: vec![Discount {
                kind: CouponKind::Campaign,
                code: "PROMO-NOV".to_owned(),
                name: Text::new("十一月优惠", "November offer"),
                applies_to: AppliesTo::EveryYear,
                products: vec!["ANN".to_owned()],
                first_year: d("100.00"),
                total: d("1000.00"),
                capped: true,
            }],
            rejected_coupons: vec![RejectedCoupon {
                coupon: "NO-SUCH".to_owned(),
                code: "coupon.unknown".to_owned(),
                message: Text::new("优惠码无效", "unknown coupon"),
            }],
            coupons_used: vec![UsedCoupon {
                id: "V50-01".to_owned(),
                kind: CouponKind::Voucher,
                series: "V50".to_owned(),
                single_use: true,
            }],
            discount_worksheet: vec![step],
            totals: Totals {
                annual_premium: d("19021.07"),
                first_year_premium: d("20086.20"),
                total_premium: d("200862.00"),
                discount_first_year: d("100.00"),
                discount_total: d("1000.00"),
                net_first_year_premium: d("19986.20"),
                net_total_premium: d("199862.00"),
            },
            digest: String::new(),
        }
    }

    /// The fields a type declares, as serde names them (every quote type refuses unknown fields, and
    /// serde's refusal lists the ones it knows).
    fn declared<T: serde::de::DeserializeOwned>() -> BTreeSet<String> {
        let error = serde_json::from_str::<T>(r#"{"\u0001": 0}"#).err().unwrap().to_string();
        let (_, known) = error.split_once("expected").unwrap();
        known.split('`').skip(1).step_by(2).map(str::to_owned).collect()
    }

    /// `/coverages/0/riders/1` as `/coverages/*/riders/*` (and any health answer's question as `*`).
    fn pattern(pointer: &str) -> String {
        let mut parts: Vec<&str> = pointer.split('/').collect();
        for i in 0..parts.len() {
            if parts[i].parse::<usize>().is_ok() || (i > 0 && parts[i - 1] == "health_answers") {
                parts[i] = "*";
            }
        }
        parts.join("/")
    }

    /// Every object in `value` by its pattern, with the keys it has.
    fn objects(value: &Value, pointer: String, out: &mut BTreeMap<String, BTreeSet<String>>) {
        match value {
            Value::Object(map) => {
                out.entry(pattern(&pointer)).or_default().extend(map.keys().cloned());
                map.iter().for_each(|(k, v)| objects(v, format!("{pointer}/{k}"), out));
            }
            Value::Array(items) => {
                items.iter().enumerate().for_each(|(i, v)| objects(v, format!("{pointer}/{i}"), out))
            }
            _ => {}
        }
    }

    #[test]
    fn the_fixture_sets_every_field_of_every_type_the_digest_reads() {
        let mut seen = BTreeMap::new();
        objects(&serde_json::to_value(every_field_set()).unwrap(), String::new(), &mut seen);
        let types = [
            ("", declared::<Quote>()),
            ("/catalogue", declared::<CatalogueRef>()),
            ("/request", declared::<QuoteRequest>()),
            ("/request/insured", declared::<Insured>()),
            ("/request/insured/health_answers/*", declared::<HealthAnswer>()),
            ("/request/coverages/*", declared::<CoverageRequest>()),
            ("/request/coverages/*/riders/*", declared::<RiderRequest>()),
            ("/coverages/*", declared::<CoverageQuote>()),
            ("/coverages/*/riders/*", declared::<RiderQuote>()),
            ("/coverages/*/decision", declared::<Decision>()),
            ("/coverages/*/decision/reasons/*", declared::<Reason>()),
            ("/declined/*", declared::<DeclinedCoverage>()),
            ("/decision", declared::<Decision>()),
            ("/decision/reasons/*", declared::<Reason>()),
            ("/discounts/*", declared::<Discount>()),
            ("/rejected_coupons/*", declared::<RejectedCoupon>()),
            ("/coupons_used/*", declared::<UsedCoupon>()),
            ("/totals", declared::<Totals>()),
        ];
        for (pattern, fields) in types {
            assert!(fields.len() > 1, "{pattern}: {fields:?}");
            assert_eq!(seen.get(pattern), Some(&fields), "{pattern}: a field left unset in the fixture");
        }
        assert_eq!(seen["/request/channel"], BTreeSet::from(["kind".to_owned(), "agent_code".to_owned()]));
    }

    /// The digest of the fixture, pinned: a changed encoding is a reviewed diff (and every quote ever
    /// issued would stop verifying). The catalogue hash is a fixed word, not the demo catalogue's.
    #[test]
    fn the_digest_of_every_field_set_is_pinned() {
        expect_test::expect!["2e2158d8643158c99486cb7c8a9dd888e4a23449162c9dd09edbe9ad6274fb6d"]
            .assert_eq(&of(&every_field_set()));
    }

    /// Another value for a leaf: the next day, one more, the other truth, another spelling of an enum.
    fn changed(value: &Value) -> Vec<Value> {
        match value {
            Value::Bool(b) => vec![json!(!b)],
            Value::Number(n) => vec![json!(n.as_u64().unwrap() + 1)],
            Value::String(s) => {
                let mut candidates = Vec::new();
                if let Ok(day) = s.parse::<NaiveDate>() {
                    candidates.push(json!(day.succ_opt().unwrap().to_string()));
                }
                let other = [
                    ("female", "male"),
                    ("monthly", "annual"),
                    ("lifelong", "years:30"),
                    ("years:10", "years:11"),
                    ("accept_with_conditions", "medical_exam"),
                    ("decline", "pending"),
                    ("refer", "accept"),
                    ("campaign", "bundle"),
                    ("voucher", "referral"),
                    ("every_year", "first_year"),
                    ("annuity", "medical"),
                ];
                candidates.extend(other.iter().filter(|(from, _)| from == s).map(|(_, to)| json!(to)));
                candidates.push(json!(format!("{s}9")));
                candidates
            }
            _ => Vec::new(),
        }
    }

    /// Change any one field of the fixture and the digest changes, except the fields it leaves out on
    /// purpose (the wording the catalogue determines, the worksheets, the digest itself): those are
    /// listed, so leaving out another one is a reviewed diff.
    #[test]
    fn changing_any_one_field_changes_the_digest() {
        let fixture = serde_json::to_value(every_field_set()).unwrap();
        let digest = of(&every_field_set());
        let mut leaves = Vec::new();
        fn walk(value: &Value, pointer: String, out: &mut Vec<(String, Value)>) {
            match value {
                Value::Object(map) => map.iter().for_each(|(k, v)| walk(v, format!("{pointer}/{k}"), out)),
                Value::Array(items) => {
                    items.iter().enumerate().for_each(|(i, v)| walk(v, format!("{pointer}/{i}"), out))
                }
                _ => out.push((pointer, value.clone())),
            }
        }
        walk(&fixture, String::new(), &mut leaves);
        let mut left_out = BTreeSet::new();
        for (pointer, value) in &leaves {
            let tampered = changed(value).into_iter().find_map(|replacement| {
                let mut json = fixture.clone();
                *json.pointer_mut(pointer).unwrap() = replacement;
                serde_json::from_value::<Quote>(json).ok()
            });
            let Some(tampered) = tampered else {
                // A step's code: another code would need other inputs (and the digest leaves steps out).
                left_out.insert(format!("{} (no other value reads)", pattern(pointer)));
                continue;
            };
            if of(&tampered) == digest {
                left_out.insert(pattern(pointer));
            }
        }
        assert!(leaves.len() > 80, "only {} leaves", leaves.len());
        // The channel's kind goes with its agent code: a direct sale is the other value.
        let mut direct = every_field_set();
        direct.request.channel = Channel::Direct;
        assert_ne!(of(&direct), digest);
        let left_out: Vec<String> = left_out.into_iter().collect();
        expect_test::expect![[r#"
            /coverages/*/decision/reasons/*/exclusion/en
            /coverages/*/decision/reasons/*/exclusion/zh
            /coverages/*/decision/reasons/*/message/en
            /coverages/*/decision/reasons/*/message/zh
            /coverages/*/line
            /coverages/*/name/en
            /coverages/*/name/zh
            /coverages/*/riders/*/name/en
            /coverages/*/riders/*/name/zh
            /coverages/*/worksheet/*/code (no other value reads)
            /coverages/*/worksheet/*/detail/en
            /coverages/*/worksheet/*/detail/zh
            /coverages/*/worksheet/*/inputs/region
            /coverages/*/worksheet/*/label/en
            /coverages/*/worksheet/*/label/zh
            /coverages/*/worksheet/*/rider
            /coverages/*/worksheet/*/value
            /decision/reasons/*/exclusion/en
            /decision/reasons/*/exclusion/zh
            /decision/reasons/*/message/en
            /decision/reasons/*/message/zh
            /declined/*/decision/reasons/*/exclusion/en
            /declined/*/decision/reasons/*/exclusion/zh
            /declined/*/decision/reasons/*/message/en
            /declined/*/decision/reasons/*/message/zh
            /declined/*/name/en
            /declined/*/name/zh
            /digest
            /discount_worksheet/*/code (no other value reads)
            /discount_worksheet/*/detail/en
            /discount_worksheet/*/detail/zh
            /discount_worksheet/*/inputs/region
            /discount_worksheet/*/label/en
            /discount_worksheet/*/label/zh
            /discount_worksheet/*/rider
            /discount_worksheet/*/value
            /discounts/*/name/en
            /discounts/*/name/zh
            /rejected_coupons/*/message/en
            /rejected_coupons/*/message/zh
            /request/channel/kind (no other value reads)"#]]
        .assert_eq(&left_out.join("\n"));
    }

    #[test]
    fn hex_is_lower_case_two_digits_per_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn decimals_encode_their_scale() {
        let mut a = Canon(Vec::new());
        a.dec(Decimal::new(150, 2));
        let mut b = Canon(Vec::new());
        b.dec(Decimal::new(15, 1));
        assert_ne!(a.0, b.0);
        assert_eq!(a.0.len(), 16);
    }
}
