//! Golden files for what people read: every demo product's quote as JSON (its worksheet in zh-CN and
//! English included) and every error message in both languages. A changed wording, step or figure is
//! a diff to review. `UPDATE_EXPECT=1 cargo test -p premia-core --test goldens` rewrites them.
//!
//! The catalogue's content hash and the digests that depend on it are left out of the quote goldens,
//! so that a change anywhere in the catalogue (another product's rates, a document) does not rewrite
//! every file: `digest.rs` pins the digest's encoding on its own fixture.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use premia_core::{Quote, demo, quote, request};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/requests")
}

/// The example requests (`examples/requests/*.json`) that quote, by name.
fn example_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
        .filter(|n| !n.starts_with("bad"))
        .collect();
    names.sort();
    names
}

fn priced(name: &str) -> Quote {
    let text = std::fs::read_to_string(examples().join(format!("{name}.json"))).unwrap();
    let request = request::from_json_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    quote(&demo::catalogue(), &request).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_demo_products_quote_matches_its_golden_file() {
    let catalogue = demo::catalogue();
    let mut quoted = BTreeSet::new();
    for name in example_names() {
        let mut quote = priced(&name);
        // The wire form is the serde form, byte for byte (`quote_json`).
        assert_eq!(premia_core::quote_json::to_vec(&quote), serde_json::to_vec(&quote).unwrap(), "{name}");
        quoted.extend(quote.coverages.iter().map(|c| c.product.clone()));
        quoted.extend(quote.declined.iter().map(|c| c.product.clone()));
        quote.catalogue.content_hash = "(the catalogue's content hash)".to_owned();
        quote.digest = "(the digest)".to_owned();
        let pretty = serde_json::to_string_pretty(&quote).unwrap() + "\n";
        expect_test::expect_file![format!("goldens/quotes/{name}.json")].assert_eq(&pretty);
    }
    let products: BTreeSet<String> = catalogue.product_codes().iter().cloned().collect();
    let missing: Vec<_> = products.difference(&quoted).collect();
    assert!(missing.is_empty(), "no example request quotes {missing:?}: add one to examples/requests");
}

/// One error of every kind (and of every rule of an application, every noun an error can be about,
/// every measure), with typical values, as a person reads it: code, then zh-CN, then English.
#[cfg(all(feature = "toml", feature = "purchase"))]
mod messages {
    use premia_core::ErrorKind::{self, *};
    use premia_core::Text;
    use premia_core::catalogue::sale::Relationship;
    use premia_core::coupon::CouponKind;
    use premia_core::error::{Noun, Offer};
    use premia_core::purchase::Rule;
    use premia_core::underwriting::Measure;

    fn ci() -> Text {
        Text::new("安心重疾险", "Anxin Critical Illness")
    }

    fn s(text: &str) -> String {
        text.to_owned()
    }

    /// `[T::A, …]`, every variant: one left out does not compile (as `every_variant!` in the core).
    macro_rules! every {
        ($t:ident { $($variant:ident),+ $(,)? }) => {{
            fn _every_variant_is_listed(value: $t) {
                match value {
                    $($t::$variant => {})+
                }
            }
            [$($t::$variant),+]
        }};
    }

    const NOUNS: [Noun; 21] = every!(Noun {
        CoverageTerm,
        PaymentTerm,
        Frequency,
        Plan,
        Rider,
        PayoutAge,
        GuaranteedYears,
        MortalityBasis,
        Region,
        Product,
        ProductVersion,
        Column,
        Row,
        RoundingStep,
        Question,
        Bundle,
        Coupon,
        Document,
        Relationship,
        Exclusion,
        ReasonCategory,
    });

    fn kinds() -> Vec<ErrorKind> {
        let mut kinds = vec![
            Syntax { message: s("expected a string, found 3") },
            Required,
            FileMissing { path: s("rates/ci-lifelong.csv") },
            NotDecimal { value: s("1,5") },
            NotAnAmount { value: s("五十万") },
            NotADate { value: s("2026-02-30") },
            BadTerm { value: s("forever"), expected: "years:N, to_age:N or lifelong" },
            Empty,
            MinAboveMax { min: s("70"), max: s("18") },
            OutOfRange { value: s("8"), min: s("1"), max: s("7") },
            CsvWidth { expected: 4, found: 3 },
            CsvHeader { header: s("purple"), expected: s("male, female") },
            AnnualFactorNotOne { value: s("1.02") },
            AgeGap { from: 41, to: 45 },
            MortalityNotClosed { age: 105, q: s("0.5") },
            DatesReversed { from: s("2026-12-01"), to: s("2026-11-01") },
            AmbiguousColumns { first: s("male"), second: s("male years:20") },
            TestFailed { test: s("ci-30f"), expected: s("9715.00"), actual: s("9716.00") },
            CatalogueNotInForce { date: s("2025-01-01"), from: s("2026-11-01") },
            ProductNotInForce { product: s("CI"), date: s("2025-01-01") },
            BirthDateInFuture { birth_date: s("2027-01-01"), quote_date: s("2026-11-25") },
            AgeContradictsBirthDate { age: 30, from_birth_date: 31 },
            AgeBelowMin { age: 17, min: 18, product: ci() },
            AgeAboveMax { age: 61, max: 60, product: ci() },
            TooYoungInDays { days: 20, min_days: 28, product: ci() },
            AmountBelowMin { value: s("50000"), min: s("100000"), product: ci() },
            AmountAboveMax { value: s("9000000"), max: s("1000000"), product: ci() },
            AmountNotMultiple { value: s("123456"), step: s("10000"), product: ci() },
            AmountNotUsed { product: ci() },
            PaymentLongerThanCoverage {
                payment: Text::new("30年交", "30-year pay"),
                coverage: Text::new("保20年", "20 years"),
            },
            TermAlreadyEnded { term: Text::new("保至60岁", "to age 60"), age: 61 },
            SingleNeedsAnnual { frequency: Text::new("月交", "monthly") },
            NoRate { product: s("CI"), detail: s("age 71, male, 20-year pay") },
            OccupationClass { class: 8 },
            RequiresSocialInsurance { product: ci() },
            RegionNotSold {
                region: Text::new("广州", "Guangzhou"),
                product: Text::new("沪惠保", "Shanghai city health"),
            },
            AgentCode { value: s("a-1") },
            NoCoverages,
            DuplicateCoverage { product: s("CI") },
            ImpossibleBmi { height: s("50"), weight: s("300"), bmi: s("1200.0") },
            NegativeAmount { value: s("-1") },
            PayoutBeforePaymentEnds { payout_age: 55, payment_end_age: 60 },
            BeyondMortalityTable { end_age: 110, table_end: 105, product: s("WL") },
            IdLength { found: 17 },
            IdCharacter { position: 5 },
            IdProvince { code: s("99") },
            IdBirthDate { text: s("19900230") },
            IdBirthDateFuture { date: s("2030-01-01") },
            IdSequence,
            IdChecksum { expected: 'X', found: '3' },
            IdContradicts { what: "sex", given: s("male"), from_id: s("female") },
            CouponUnknown { code: s("NO-SUCH") },
            CouponMalformed,
            CouponNoReferrer,
            CouponBadSignature,
            CouponNotYetValid { from: s("2026-12-01") },
            CouponExpired { until: s("2026-10-31") },
            CouponWrongProduct {
                products: Text::new("安心重疾险、百万医疗", "Anxin Critical Illness, Million Medical"),
            },
            CouponWrongChannel { channel: "agent" },
            CouponPaymentType { required: "regular" },
            CouponBelowMinimum { premium: s("800.00"), minimum: s("1000") },
            CouponOverCap { cap: s("0.15") },
            CouponWrongCatalogue { catalogue: s("OTHER") },
            BundleNotForAge { age: 70, ages: s("0-17") },
        ];
        for (measure, value) in every!(Measure { HeightCm, WeightKg }).into_iter().zip(["1.75", "65000"]) {
            kinds.push(ImpossibleMeasure { measure, value: s(value) });
        }
        kinds.extend(CouponKind::ALL.map(|kind| CouponDuplicateKind { kind }));
        for what in NOUNS {
            kinds.push(Duplicate { what, name: s("X1") });
            kinds.push(Unknown { what, name: s("X1") });
            let offer = Offer {
                value: Text::new("25年交", "25-year pay"),
                offered: Text::new("10年交、20年交", "10-year pay, 20-year pay"),
            };
            kinds.push(NotOffered { what, product: ci(), offer: Box::new(offer) });
        }
        kinds.extend(rules().into_iter().map(Purchase));
        kinds
    }

    fn rules() -> Vec<Rule> {
        use Rule::*;
        let mut rules = vec![
            NameLength { found: 1, min: 2, max: 30 },
            NameCharacter { name: s("张3"), character: '3', position: 2 },
            NameDots { name: s("·阿依") },
            MobileCharacter { value: s("138-0013-800a") },
            MobileLength { value: s("1380013800"), digits: 10 },
            MobilePrefix { value: s("12800138000") },
            RegionCode { value: s("3100") },
            AddressLength { found: 2, min: 5, max: 120 },
            AddressCharacter { position: 7 },
            AddressOutsideRegion { address: s("北京市朝阳区"), region: Text::new("上海", "Shanghai") },
            PolicyholderTooYoung { age: 16, min: 18 },
            RelationshipAges { relationship: Relationship::Child, age: 19, from: 0, to: 17 },
            SelfHasDetails,
            SamePerson,
            ParentAgeGap { parent_born: s("1990-01-01"), child_born: s("2000-01-01"), gap: 18 },
            ConsentRequired,
            MinorNeedsParent,
            QuoteLacksBirthDate,
            BeneficiariesNotApplicable,
            TooManyBeneficiaries { found: 6, max: 5 },
            BeneficiaryIsInsured,
            BeneficiaryTwice,
            BeneficiaryContradictsPolicyholder { given: Relationship::Parent, expected: Relationship::Spouse },
            ShareRange { value: s("120") },
            SharePrecision { value: s("33.333") },
            SharesSum { order: 1, sum: s("90") },
            OrderRange { order: 6, max: 5 },
            OrderGap { missing: 2 },
            NothingToApplyFor,
            OtherCatalogue { quote: s("OTHER 2025.1"), catalogue: s("PREMIA-DEMO 2026.11.0") },
            NotSoldOnline { product: ci() },
            DocumentNotConfirmed { title: Text::new("投保须知", "notice to applicants"), version: s("2026.1") },
            DocumentOutdated { title: Text::new("保险条款", "policy terms"), version: s("2025.1") },
            DocumentNotRequired { document: s("terms-ltc") },
            DocumentTwice { document: s("notice") },
            QuoteInconsistent { figure: s("totals.annual_premium"), expected: s("9715.00"), found: s("9000.00") },
            ImplausibleFigure { value: s("-1") },
            PolicyNumber { value: s("P123") },
            NotSellingOnline,
            CoolingOffOver { until: s("2026-12-10") },
            NoCoolingOff,
            CancelledBeforeIssue { issued: s("2026-11-26") },
            PaidAboveDue { paid: s("2000.00"), due: s("1000.00") },
        ];
        for relationship in Relationship::ALL {
            rules.push(RelationshipNotOffered { relationship });
            rules.push(BeneficiaryRelationship { relationship });
        }
        rules
    }

    /// The codes a `code()` function in `file` gives (the string literals of its match), leaving out
    /// those only the `desk` feature builds.
    fn codes_in_source(file: &str) -> Vec<String> {
        let source = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
        // The `code()` that matches on the kinds (not `Error::code`, which asks its kind).
        let start = source
            .match_indices("pub fn code(&self)")
            .map(|(at, _)| at)
            .find(|&at| source[at..at + 120].contains("::*;"))
            .unwrap();
        let end = start + source[start..].find("pub fn message(&self)").unwrap();
        let mut codes = Vec::new();
        let mut desk_only = false;
        for line in source[start..end].lines() {
            if line.trim() == "#[cfg(feature = \"desk\")]" {
                desk_only = true;
                continue;
            }
            if let Some((_, code)) = line.split_once("=> \"") {
                if !desk_only {
                    codes.push(code.trim_end_matches(['"', ',']).to_owned());
                }
            }
            desk_only = false;
        }
        codes
    }

    /// Every message, against `goldens/errors.txt`. A new kind of error or rule of an application fails
    /// here until it has an example (its code is read from the source of its `code()`), and then
    /// shows its wording in the diff.
    #[test]
    fn every_error_message_matches_its_golden_file() {
        let kinds = kinds();
        let mut text = String::new();
        for kind in &kinds {
            let message = kind.message();
            text.push_str(&format!("{}\n  zh: {}\n  en: {}\n", kind.code(), message.zh, message.en));
        }
        let seen: std::collections::BTreeSet<&str> = kinds.iter().map(ErrorKind::code).collect();
        let mut codes = codes_in_source("src/error.rs");
        codes.extend(codes_in_source("src/purchase/rule.rs"));
        assert!(codes.len() > 100, "read only {} codes", codes.len());
        let missing: Vec<&String> = codes.iter().filter(|c| !seen.contains(c.as_str())).collect();
        assert!(missing.is_empty(), "no example of {missing:?}: add one to `kinds` or `rules`");
        expect_test::expect_file!["goldens/errors.txt"].assert_eq(&text);
    }
}

/// The underwriting desk's messages (feature `desk`), against `goldens/errors-desk.txt`.
#[cfg(feature = "desk")]
#[test]
fn every_desk_message_matches_its_golden_file() {
    use premia_core::ErrorKind::*;
    let kinds = [
        DeskTermsMissing,
        DeskLoadingStep { value: "0.3".to_owned(), step: "0.25".to_owned() },
        DeskNotOffered { what: "exclusion", value: "EX-9".to_owned(), offered: "EX-THYROID, EX-KNEE".to_owned() },
        TextTooLong { length: 2100, max: 2000 },
    ];
    let mut text = String::new();
    for kind in &kinds {
        let message = kind.message();
        text.push_str(&format!("{}\n  zh: {}\n  en: {}\n", kind.code(), message.zh, message.en));
    }
    expect_test::expect_file!["goldens/errors-desk.txt"].assert_eq(&text);
}
