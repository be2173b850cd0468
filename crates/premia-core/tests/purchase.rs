//! Property tests of buying: the premium schedule is the quote to the fen, beneficiaries' shares add
//! up to 100 % or are refused naming the order, and who may insure whom follows the catalogue's rules.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{Days, NaiveDate};
use premia_core::catalogue::sale::Relationship;
use premia_core::purchase::form::{
    AddressForm, ApplicationForm, BeneficiariesForm, BeneficiaryForm, InsuredForm, PersonForm,
};
use premia_core::purchase::{Confirmation, check, consent, schedule};
use premia_core::{Catalogue, Channel, CoverageRequest, Frequency, Insured, Quote, QuoteRequest, demo, quote};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(demo::catalogue)
}

fn today() -> NaiveDate {
    "2026-11-25".parse().unwrap()
}

/// A valid resident ID number for someone born on `born`, male for an odd `sequence`.
fn id(born: NaiveDate, sequence: u16) -> String {
    let first17 = format!("310104{}{sequence:03}", born.format("%Y%m%d"));
    format!("{first17}{}", premia_core::resident_id::check_char(first17.as_bytes()))
}

fn born(age: u32, day_of_year: u64) -> NaiveDate {
    // Counted back from the day before today's date `age` years ago, so the age at last birthday is `age`.
    let anniversary = today().checked_sub_months(chrono::Months::new(age * 12)).unwrap();
    anniversary.checked_sub_days(Days::new(1 + day_of_year % 300)).unwrap()
}

fn request(product: &str, amount: i64, cover: &str, pay: &str, frequency: Frequency, insured: &str) -> QuoteRequest {
    let annuity = product == "ANN";
    QuoteRequest {
        quote_date: today(),
        insured: Insured {
            resident_id: Some(insured.to_owned()),
            occupation_class: 1,
            social_insurance: true,
            region: Some("310000".into()),
            ..Insured::default()
        },
        coverages: vec![CoverageRequest {
            product: product.into(),
            sum_assured: (!annuity).then(|| Decimal::from(amount)),
            annuity_amount: annuity.then(|| Decimal::from(amount)),
            coverage_term: cover.parse().unwrap(),
            payment_term: pay.parse().unwrap(),
            frequency,
            plan: (product == "MED").then(|| "D5K".to_owned()),
            payout_start_age: annuity.then_some(60),
            guaranteed_years: annuity.then_some(10),
            riders: Vec::new(),
        }],
        channel: Channel::Direct,
        coupons: Vec::new(),
        bundle: None,
    }
}

fn confirmations(quote: &Quote) -> Vec<Confirmation> {
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-25T10:15:00+08:00").unwrap();
    consent::required(catalogue(), quote)
        .unwrap()
        .into_iter()
        .map(|d| Confirmation { document: d.id.clone(), sha256: d.sha256.clone(), confirmed_at: at })
        .collect()
}

fn holder(number: String) -> PersonForm {
    PersonForm {
        name: "王建国".into(),
        resident_id: number,
        mobile: Some("13800138000".into()),
        address: Some(AddressForm { region: "310104".into(), detail: "漕溪北路 88 号 3 楼".into() }),
    }
}

fn myself() -> InsuredForm {
    InsuredForm {
        relationship: Relationship::Oneself,
        name: None,
        resident_id: None,
        mobile: None,
        address: None,
        consent_to_death_benefit: None,
    }
}

/// (product, amount, coverage term, payment term, frequency) choices that price for most ages.
const COVERS: &[(&str, i64, &str, &str)] = &[
    ("CI", 300_000, "lifelong", "years:20"),
    ("CI", 500_000, "to_age:70", "years:10"),
    ("CI", 200_000, "lifelong", "single"),
    ("TERM", 1_000_000, "years:20", "years:20"),
    ("TERM", 500_000, "to_age:60", "to_age:60"),
    ("WL", 200_000, "lifelong", "years:10"),
    ("ANN", 12_000, "lifelong", "years:5"),
    ("LTC", 200_000, "lifelong", "years:20"),
    ("MED", 3_000_000, "years:1", "years:1"),
    ("ACC", 500_000, "years:1", "years:1"),
];

fn frequency() -> impl Strategy<Value = Frequency> {
    prop_oneof![
        Just(Frequency::Annual),
        Just(Frequency::SemiAnnual),
        Just(Frequency::Quarterly),
        Just(Frequency::Monthly)
    ]
}

fn coupons() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        Just(Vec::new()),
        Just(vec!["ONLINE-2026".to_owned()]),
        Just(vec!["PROMO-NOV".to_owned()]),
        Just(vec!["ONLINE-2026".to_owned(), "PROMO-NOV".to_owned()]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever is priced and whenever it is paid, the schedule's premiums add up to the quote's figures:
    /// gross, discount and net, first year and over the terms, and each coverage's total; every premium
    /// is gross − discount with 0 ≤ discount ≤ gross, due in order.
    #[test]
    fn the_schedule_adds_up_to_the_quote(
        pick in 0..COVERS.len(), age in 0u32..66, day in 0u64..365, male: bool, frequency in frequency(),
        coupons in coupons(), paid_after in 0u64..2000,
    ) {
        let (product, amount, cover, pay) = COVERS[pick];
        let number = id(born(age, day), if male { 11 } else { 12 });
        let mut r = request(product, amount, cover, pay, frequency, &number);
        r.coupons = coupons;
        // Requests the catalogue refuses (age, frequency) are the engine's business, tested elsewhere.
        let Ok(q) = quote(catalogue(), &r) else { return Ok(()) };
        prop_assume!(!q.coverages.is_empty());
        let paid_on = today().checked_add_days(Days::new(paid_after)).unwrap();
        let s = schedule(catalogue(), &q, paid_on).unwrap();
        let t = &s.totals;
        prop_assert_eq!(t.gross, q.totals.total_premium);
        prop_assert_eq!(t.discount, q.totals.discount_total);
        prop_assert_eq!(t.net, q.totals.net_total_premium);
        prop_assert_eq!(t.first_year_net, q.totals.net_first_year_premium);
        prop_assert_eq!(t.first_year_discount, q.totals.discount_first_year);
        let net: Decimal = s.payments.iter().map(|p| p.amount).sum();
        prop_assert_eq!(net, q.totals.net_total_premium);
        for (c, sc) in q.coverages.iter().zip(&s.coverages) {
            prop_assert_eq!(sc.total, c.total_premium);
            prop_assert_eq!(sc.payments, c.payment_years * c.instalments_per_year);
        }
        prop_assert_eq!(s.payments[0].due_on, paid_on);
        for pair in s.payments.windows(2) {
            prop_assert!(pair[0].due_on < pair[1].due_on);
            prop_assert!(pair[1].grace_until.is_some_and(|g| g > pair[1].due_on));
        }
        for p in &s.payments {
            prop_assert!(p.discount >= Decimal::ZERO && p.discount <= p.gross);
            prop_assert_eq!(p.amount, p.gross - p.discount);
            prop_assert!(p.amount.scale() <= 2, "whole fen: {}", p.amount);
        }
    }

    /// Named beneficiaries of one order whose shares add up to exactly 100 % are accepted; move one
    /// fen of a per cent from one to nothing and the order is refused, naming the sum.
    #[test]
    fn beneficiary_shares_add_up_to_one_hundred(cuts in proptest::collection::btree_set(1i64..10_000, 0..4), off in 1i64..50) {
        let holder_number = id(born(40, 10), 11);
        let q = quote(catalogue(), &request("TERM", 500_000, "years:20", "years:20", Frequency::Annual, &holder_number)).unwrap();
        let mut bounds: Vec<i64> = vec![0];
        bounds.extend(cuts.iter().copied());
        bounds.push(10_000);
        let shares: Vec<Decimal> = bounds.windows(2).map(|w| Decimal::new(w[1] - w[0], 2)).collect();
        let people = |shares: &[Decimal]| -> Vec<BeneficiaryForm> {
            shares
                .iter()
                .enumerate()
                .map(|(i, share)| BeneficiaryForm {
                    name: "王小明".into(),
                    resident_id: id(born(10, i as u64 * 7), 13 + 2 * i as u16),
                    relationship: Relationship::Child,
                    order: 1,
                    share: *share,
                })
                .collect()
        };
        let form = |shares: &[Decimal]| ApplicationForm {
            policyholder: holder(holder_number.clone()),
            insured: myself(),
            beneficiaries: Some(BeneficiariesForm::Named { people: people(shares) }),
            confirmations: confirmations(&q),
        };
        let checked = check(catalogue(), &q, &form(&shares), today());
        prop_assert!(checked.is_ok(), "{:?}: {:?}", shares, checked.err());
        let mut short = shares.clone();
        let last = short.len() - 1;
        let cut = Decimal::new(off, 2);
        prop_assume!(short[last] > cut);
        short[last] -= cut;
        let errors = check(catalogue(), &q, &form(&short), today()).unwrap_err();
        let codes: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code())).collect();
        prop_assert_eq!(codes, vec![("beneficiaries.people", "beneficiaries.shares_sum")]);
        let sum: Decimal = short.iter().sum();
        let message = errors.iter().next().unwrap().message();
        prop_assert!(message.en.contains(&sum.normalize().to_string()), "{}", message.en);
    }

    /// Who may insure whom, on the demo catalogue's rules: an adult policyholder; the insured's age
    /// within their relationship's band; a parent at least 15 years older than their child; under
    /// cover paying on death, only a parent for a minor and an adult's consent.
    #[test]
    fn who_may_insure_whom(
        holder_age in 10u32..90, insured_age in 0u32..61, relationship in prop_oneof![
            Just(Relationship::Spouse), Just(Relationship::Child), Just(Relationship::Parent)],
        death_benefit: bool, consent: bool, d1 in 0u64..300, d2 in 0u64..300,
    ) {
        let (holder_born, insured_born) = (born(holder_age, d1), born(insured_age, d2));
        let (holder_number, insured_number) = (id(holder_born, 11), id(insured_born, 22));
        let product = if death_benefit { "WL" } else { "CI" };
        let r = request(product, 100_000, "lifelong", "years:10", Frequency::Annual, &insured_number);
        let Ok(q) = quote(catalogue(), &r) else { return Ok(()) };
        prop_assume!(!q.coverages.is_empty());
        let form = ApplicationForm {
            policyholder: holder(holder_number),
            insured: InsuredForm {
                relationship,
                name: Some("李丽".into()),
                resident_id: Some(insured_number),
                mobile: None,
                address: None,
                consent_to_death_benefit: Some(consent),
            },
            beneficiaries: Some(BeneficiariesForm::Statutory).filter(|_| death_benefit),
            confirmations: confirmations(&q),
        };
        let mut expected = BTreeSet::new();
        if holder_age < 18 {
            expected.insert("policyholder.age");
        }
        let band = match relationship {
            Relationship::Spouse => 18..=120,
            Relationship::Child => 0..=17,
            _ => 33..=120,
        };
        if holder_age >= 18 && !band.contains(&insured_age) {
            expected.insert("relationship.ages");
        }
        let gap = |parent: NaiveDate, child: NaiveDate| premia_core::age::age_last_birthday(parent, child).unwrap_or(0);
        let parent_child = match relationship {
            Relationship::Child => Some((holder_born, insured_born)),
            Relationship::Parent => Some((insured_born, holder_born)),
            _ => None,
        };
        if parent_child.is_some_and(|(p, c)| p >= c || gap(p, c) < 15) {
            expected.insert("relationship.age_gap");
        }
        if death_benefit && insured_age < 18 && relationship != Relationship::Child {
            expected.insert("insured.minor_needs_parent");
        }
        if death_benefit && insured_age >= 18 && !consent {
            expected.insert("insured.consent");
        }
        let found: BTreeSet<&str> = match check(catalogue(), &q, &form, today()) {
            Ok(_) => BTreeSet::new(),
            Err(errors) => errors.iter().map(|e| e.code()).collect(),
        };
        prop_assert_eq!(found, expected, "holder {} insured {} {:?}", holder_age, insured_age, relationship);
    }
}
