//! Typed errors. Each names the field it is about and the rule it breaks, has a stable code, and reads
//! in zh-CN and English. Functions that check input collect every error they find rather than stopping
//! at the first, so a person can fix a request or a catalogue in one pass.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::text::{Quoted, Text};
use crate::underwriting::Measure;

/// One thing wrong with a catalogue or a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Where: a path such as `coverages[0].sum_assured` or `product[CI v2].rating.tables[lifelong] row 12`.
    pub field: String,
    pub kind: ErrorKind,
}

impl Error {
    pub fn new(field: impl Into<String>, kind: ErrorKind) -> Self {
        Error { field: field.into(), kind }
    }

    /// Stable machine-readable code, e.g. `sum_assured.step`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    pub fn message(&self) -> Text {
        self.kind.message()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.message();
        write!(f, "{}: {} [{}] ({})", self.field, message.en, self.code(), message.zh)
    }
}

impl std::error::Error for Error {}

/// Serialized as `{"code", "field", "message": {"zh", "en"}}`: what a JSON client shows beside a field.
impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Error", 3)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("field", &self.field)?;
        s.serialize_field("message", &self.message())?;
        s.end()
    }
}

/// A non-empty list of errors, as returned by catalogue loading and quoting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Errors(Vec<Error>);

impl Errors {
    /// `None` when `errors` is empty, so callers can write `Errors::from_vec(found).map_or(Ok(x), Err)`.
    pub fn from_vec(errors: Vec<Error>) -> Option<Self> {
        (!errors.is_empty()).then_some(Errors(errors))
    }

    pub fn one(field: impl Into<String>, kind: ErrorKind) -> Self {
        Errors(vec![Error::new(field, kind)])
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Error> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<Error> {
        self.0
    }

    /// True if any error has this code; handy in tests and adapters.
    pub fn has(&self, code: &str) -> bool {
        self.0.iter().any(|e| e.code() == code)
    }
}

impl<'a> IntoIterator for &'a Errors {
    type Item = &'a Error;
    type IntoIter = std::slice::Iter<'a, Error>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

/// Why a catalogue could not be loaded: every problem found, each naming product, table and cell.
pub type CatalogueError = Errors;
/// Why a request could not be quoted: every problem found, each naming its field.
pub type QuoteError = Errors;

/// The things an error can be about, named in both languages.
/// A value a product does not offer, and what it offers instead, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub value: Text,
    pub offered: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noun {
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
    #[cfg(feature = "toml")]
    Exclusion,
    #[cfg(feature = "toml")]
    ReasonCategory,
}

impl Noun {
    pub fn text(self) -> Text {
        match self {
            Noun::CoverageTerm => Text::fixed("保障期间", "coverage term"),
            Noun::PaymentTerm => Text::fixed("交费期间", "payment term"),
            Noun::Frequency => Text::fixed("交费频率", "payment frequency"),
            Noun::Plan => Text::fixed("免赔额方案", "deductible plan"),
            Noun::Rider => Text::fixed("附加险", "rider"),
            Noun::PayoutAge => Text::fixed("领取起始年龄", "payout start age"),
            Noun::GuaranteedYears => Text::fixed("保证领取年限", "guaranteed years"),
            Noun::MortalityBasis => Text::fixed("生命表", "mortality basis"),
            Noun::Region => Text::fixed("地区", "region"),
            Noun::Product => Text::fixed("产品", "product"),
            Noun::ProductVersion => Text::fixed("产品版本", "product version"),
            Noun::Column => Text::fixed("列", "column"),
            Noun::Row => Text::fixed("行", "row"),
            Noun::RoundingStep => Text::fixed("舍入步骤", "rounding step"),
            Noun::Question => Text::fixed("健康告知问题", "health question"),
            Noun::Bundle => Text::fixed("产品组合", "bundle"),
            Noun::Coupon => Text::fixed("优惠", "coupon"),
            Noun::Document => Text::fixed("文件", "document"),
            Noun::Relationship => Text::fixed("关系", "relationship"),
            #[cfg(feature = "toml")]
            Noun::Exclusion => Text::fixed("除外责任", "exclusion"),
            #[cfg(feature = "toml")]
            Noun::ReasonCategory => Text::fixed("原因类别", "reason category"),
        }
    }
}

/// Every rule Premia checks. Values are kept as display strings: an error is for reading. The rules of
/// writing a catalogue (CSV shapes, table coverage, its own test cases) exist only with the `toml`
/// feature, where catalogues are validated: the browser build cannot meet them and carries none of
/// their messages.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    // ---- documents -------------------------------------------------------------------------
    /// The document is not valid TOML or JSON, or has the wrong shape.
    Syntax { message: String },
    /// A field the document must have is missing.
    Required,
    /// A file the catalogue refers to was not supplied.
    #[cfg(feature = "toml")]
    FileMissing { path: String },
    /// Not a plain decimal number.
    NotDecimal { value: String },
    /// What a person typed into an amount field is not a number (see `money::read_typed`).
    NotAnAmount { value: String },
    /// What a person typed into a date field is not a date (the form sends `YYYY-MM-DD`).
    NotADate { value: String },
    /// A term spelling that is not accepted.
    BadTerm { value: String, expected: &'static str },
    /// A list or table that must not be empty.
    Empty,
    /// The same name twice where names must be unique.
    Duplicate { what: Noun, name: String },
    /// A name that refers to nothing defined.
    Unknown { what: Noun, name: String },
    /// A range whose minimum is above its maximum.
    #[cfg(feature = "toml")]
    MinAboveMax { min: String, max: String },
    /// A number outside the values the rule allows.
    OutOfRange { value: String, min: String, max: String },
    /// A CSV row with the wrong number of cells.
    #[cfg(feature = "toml")]
    CsvWidth { expected: usize, found: usize },
    /// A CSV header cell that names no column this table can have.
    #[cfg(feature = "toml")]
    CsvHeader { header: String, expected: String },
    /// The modal factor for annual payment must be exactly 1.
    #[cfg(feature = "toml")]
    AnnualFactorNotOne { value: String },
    /// Rows of a table do not cover every age they must.
    #[cfg(feature = "toml")]
    AgeGap { from: u32, to: u32 },
    /// A mortality table that does not end with q = 1.
    #[cfg(feature = "toml")]
    MortalityNotClosed { age: u32, q: String },
    /// A date range that ends before it starts.
    #[cfg(feature = "toml")]
    DatesReversed { from: String, to: String },
    /// Two columns of a table match the same lookup.
    #[cfg(feature = "toml")]
    AmbiguousColumns { first: String, second: String },
    /// A catalogue test case whose expected figure differs from the engine's.
    #[cfg(feature = "toml")]
    TestFailed { test: String, expected: String, actual: String },

    // ---- requests ---------------------------------------------------------------------------
    /// The catalogue is not in force on the quote date.
    CatalogueNotInForce { date: String, from: String },
    /// No version of the product is in force on the quote date.
    ProductNotInForce { product: String, date: String },
    /// A birth date after the quote date.
    BirthDateInFuture { birth_date: String, quote_date: String },
    /// Both age and birth date are given and they disagree.
    AgeContradictsBirthDate { age: u32, from_birth_date: u32 },
    /// Younger than the product's minimum issue age.
    AgeBelowMin { age: u32, min: u32, product: Text },
    /// Older than the product's maximum issue age.
    AgeAboveMax { age: u32, max: u32, product: Text },
    /// Younger than the product's minimum age in days (e.g. 28 days).
    TooYoungInDays { days: i64, min_days: u32, product: Text },
    /// An amount below the product's minimum.
    AmountBelowMin { value: String, min: String, product: Text },
    /// An amount above the product's maximum.
    AmountAboveMax { value: String, max: String, product: Text },
    /// An amount that is not a multiple of the product's step.
    AmountNotMultiple { value: String, step: String, product: Text },
    /// An amount given in a field this product does not use.
    AmountNotUsed { product: Text },
    /// A value the product does not offer.
    /// The value and what is offered instead in words ("20年交", "10,000 yuan deductible a year"); the
    /// codes stay in the request. (Boxed: three texts would make every `ErrorKind` twice as large.)
    NotOffered { what: Noun, product: Text, offer: Box<Offer> },
    /// Premiums would be paid for longer than the cover lasts.
    PaymentLongerThanCoverage { payment: Text, coverage: Text },
    /// A "to age N" term that has already ended at this age.
    TermAlreadyEnded { term: Text, age: u32 },
    /// Single premium is paid once: the frequency must be annual.
    SingleNeedsAnnual { frequency: Text },
    /// The rate table has no rate for this combination.
    NoRate { product: String, detail: String },
    /// An occupation class outside 1-7.
    OccupationClass { class: u8 },
    /// The product requires local basic medical insurance (社保).
    RequiresSocialInsurance { product: Text },
    /// The product is not sold in this region.
    RegionNotSold { region: Text, product: Text },
    /// An agent code that is not 2-16 upper-case letters and digits.
    AgentCode { value: String },
    /// A request with no coverages.
    NoCoverages,
    /// The same product twice in one request.
    DuplicateCoverage { product: String },
    /// A height or weight no person has: mistyped (metres for centimetres, grams for kilograms, 0).
    ImpossibleMeasure { measure: Measure, value: String },
    /// A height and a weight no person has together.
    ImpossibleBmi { height: String, weight: String, bmi: String },
    /// Money that cannot be below zero (income, cover already held).
    NegativeAmount { value: String },
    /// Annuity payouts would start before premiums end.
    PayoutBeforePaymentEnds { payout_age: u32, payment_end_age: u32 },
    /// The cover runs past the end of the mortality table.
    BeyondMortalityTable { end_age: u32, table_end: u32, product: String },

    // ---- resident ID numbers ----------------------------------------------------------------
    /// Not 18 characters.
    IdLength { found: usize },
    /// A character that is not a digit (or X in the last place); position counts from 1.
    IdCharacter { position: usize },
    /// The first two digits are not a province code.
    IdProvince { code: String },
    /// Digits 7-14 are not a real date.
    IdBirthDate { text: String },
    /// The birth date in the number is after the quote date.
    IdBirthDateFuture { date: String },
    /// The sequence digits (15-17) are 000.
    IdSequence,
    /// The check character does not match the other 17.
    IdChecksum { expected: char, found: char },
    /// A field given in the request disagrees with the ID number.
    IdContradicts { what: &'static str, given: String, from_id: String },

    // ---- coupons ----------------------------------------------------------------------------
    /// No campaign, voucher or referral has this code.
    CouponUnknown { code: String },
    /// A signed coupon that cannot be read.
    CouponMalformed,
    /// A referral code that names no referrer: nobody could be credited.
    CouponNoReferrer,
    /// A signed coupon whose signature does not verify: forged or altered.
    CouponBadSignature,
    /// Before the coupon's first day.
    CouponNotYetValid { from: String },
    /// After the coupon's last day.
    CouponExpired { until: String },
    /// None of the quote's products is eligible.
    CouponWrongProduct { products: Text },
    /// Not for this sales channel.
    CouponWrongChannel { channel: &'static str },
    /// Not for this payment type (e.g. regular premium only, never single premium).
    CouponPaymentType { required: &'static str },
    /// The eligible premium is below the coupon's minimum.
    CouponBelowMinimum { premium: String, minimum: String },
    /// The regulatory cap leaves nothing of this discount.
    CouponOverCap { cap: String },
    /// A second coupon of a kind that allows one per quote.
    CouponDuplicateKind { kind: crate::discounts::CouponKind },
    /// Issued for another catalogue.
    CouponWrongCatalogue { catalogue: String },
    /// A bundle discount for a bundle not offered at this age.
    BundleNotForAge { age: u32, ages: String },

    // ---- applications and policies (`purchase`) ---------------------------------------------
    /// A rule of the application, its consent documents, the premium schedule or the policy; its
    /// codes and wording live with those rules, in `purchase::rule`. Only with the `purchase`
    /// feature: a build that does not sell (the quote widget today) carries none of their messages.
    #[cfg(feature = "purchase")]
    Purchase(crate::purchase::rule::Rule),
    // ---- the underwriting desk (feature `desk`) ------------------------------------------------
    /// Accept-on-terms without a loading or an exclusion.
    #[cfg(feature = "desk")]
    DeskTermsMissing,
    /// A loading inside the range but not on one of its steps.
    #[cfg(feature = "desk")]
    DeskLoadingStep { value: String, step: String },
    /// An exclusion, postponement period or reason category the catalogue does not list.
    #[cfg(feature = "desk")]
    DeskNotOffered { what: &'static str, value: String, offered: String },
    /// Free text longer than allowed.
    #[cfg(feature = "desk")]
    TextTooLong { length: usize, max: usize },
}

impl ErrorKind {
    /// A stable code: part of the API, never reworded.
    pub fn code(&self) -> &'static str {
        use ErrorKind::*;
        match self {
            Syntax { .. } => "syntax",
            Required => "required",
            #[cfg(feature = "toml")]
            FileMissing { .. } => "file.missing",
            NotDecimal { .. } => "decimal.invalid",
            NotAnAmount { .. } => "amount.invalid",
            NotADate { .. } => "date.invalid",
            BadTerm { .. } => "term.invalid",
            Empty => "empty",
            Duplicate { .. } => "duplicate",
            Unknown { .. } => "unknown",
            #[cfg(feature = "toml")]
            MinAboveMax { .. } => "range.reversed",
            OutOfRange { .. } => "range.out",
            #[cfg(feature = "toml")]
            CsvWidth { .. } => "csv.width",
            #[cfg(feature = "toml")]
            CsvHeader { .. } => "csv.header",
            #[cfg(feature = "toml")]
            AnnualFactorNotOne { .. } => "frequency.annual_factor",
            #[cfg(feature = "toml")]
            AgeGap { .. } => "table.age_gap",
            #[cfg(feature = "toml")]
            MortalityNotClosed { .. } => "mortality.not_closed",
            #[cfg(feature = "toml")]
            DatesReversed { .. } => "dates.reversed",
            #[cfg(feature = "toml")]
            AmbiguousColumns { .. } => "table.ambiguous_columns",
            #[cfg(feature = "toml")]
            TestFailed { .. } => "test.failed",
            CatalogueNotInForce { .. } => "catalogue.not_in_force",
            ProductNotInForce { .. } => "product.not_in_force",
            BirthDateInFuture { .. } => "birth_date.future",
            AgeContradictsBirthDate { .. } => "age.contradicts_birth_date",
            AgeBelowMin { .. } => "age.below_min",
            AgeAboveMax { .. } => "age.above_max",
            TooYoungInDays { .. } => "age.below_min_days",
            AmountBelowMin { .. } => "amount.below_min",
            AmountAboveMax { .. } => "amount.above_max",
            AmountNotMultiple { .. } => "amount.step",
            AmountNotUsed { .. } => "amount.not_used",
            NotOffered { .. } => "not_offered",
            PaymentLongerThanCoverage { .. } => "term.payment_exceeds_coverage",
            TermAlreadyEnded { .. } => "term.ended",
            SingleNeedsAnnual { .. } => "frequency.single_premium",
            NoRate { .. } => "rate.missing",
            OccupationClass { .. } => "occupation.invalid",
            RequiresSocialInsurance { .. } => "social_insurance.required",
            RegionNotSold { .. } => "region.not_sold",
            AgentCode { .. } => "agent_code.invalid",
            NoCoverages => "coverages.empty",
            DuplicateCoverage { .. } => "coverages.duplicate",
            ImpossibleMeasure { .. } => "measure.impossible",
            ImpossibleBmi { .. } => "bmi.impossible",
            NegativeAmount { .. } => "amount.negative",
            PayoutBeforePaymentEnds { .. } => "annuity.payout_before_payment_end",
            BeyondMortalityTable { .. } => "mortality.beyond_table",
            IdLength { .. } => "resident_id.length",
            IdCharacter { .. } => "resident_id.character",
            IdProvince { .. } => "resident_id.province",
            IdBirthDate { .. } => "resident_id.birth_date",
            IdBirthDateFuture { .. } => "resident_id.birth_date_future",
            IdSequence => "resident_id.sequence",
            IdChecksum { .. } => "resident_id.checksum",
            IdContradicts { .. } => "resident_id.contradicts",
            CouponUnknown { .. } => "coupon.unknown",
            CouponMalformed => "coupon.malformed",
            CouponNoReferrer => "coupon.no_referrer",
            CouponBadSignature => "coupon.bad_signature",
            CouponNotYetValid { .. } => "coupon.not_yet_valid",
            CouponExpired { .. } => "coupon.expired",
            CouponWrongProduct { .. } => "coupon.wrong_product",
            CouponWrongChannel { .. } => "coupon.wrong_channel",
            CouponPaymentType { .. } => "coupon.payment_type",
            CouponBelowMinimum { .. } => "coupon.below_minimum",
            CouponOverCap { .. } => "coupon.over_cap",
            CouponDuplicateKind { .. } => "coupon.duplicate_kind",
            CouponWrongCatalogue { .. } => "coupon.wrong_catalogue",
            BundleNotForAge { .. } => "bundle.age",
            #[cfg(feature = "purchase")]
            Purchase(rule) => rule.code(),
            #[cfg(feature = "desk")]
            DeskTermsMissing => "desk.terms_missing",
            #[cfg(feature = "desk")]
            DeskLoadingStep { .. } => "desk.loading_step",
            #[cfg(feature = "desk")]
            DeskNotOffered { .. } => "desk.not_offered",
            #[cfg(feature = "desk")]
            TextTooLong { .. } => "text.too_long",
        }
    }

    /// The message a person reads, in both languages.
    pub fn message(&self) -> Text {
        use ErrorKind::*;
        match self {
            Syntax { message } => Text::new(format!("格式错误：{message}"), format!("malformed: {message}")),
            Required => Text::fixed("必填项缺失", "is required"),
            #[cfg(feature = "toml")]
            FileMissing { path } => {
                Text::new(format!("找不到引用的文件 {path}"), format!("refers to file {path}, which was not supplied"))
            }
            NotDecimal { value } => Text::new(
                format!("“{value}”不是十进制数（例如 \"1234.50\"）"),
                format!("{} is not a decimal number (write e.g. \"1234.50\")", Quoted(value)),
            ),
            NotAnAmount { value } => Text::new(
                format!("无法识别“{value}”，请填写数字，例如 500000 或 50万"),
                format!("{} is not a number we can read: write it like 500000 or 500,000", Quoted(value)),
            ),
            NotADate { value } => Text::new(
                format!("“{value}”不是有效日期，请按 年-月-日 填写，例如 1990-05-01"),
                format!("{} is not a date: write it as year-month-day, e.g. 1990-05-01", Quoted(value)),
            ),
            BadTerm { value, expected } => Text::new(
                format!("“{value}”不是有效期间，应为 {expected}"),
                format!("{} is not a term; expected {expected}", Quoted(value)),
            ),
            Empty => Text::fixed("不能为空", "must not be empty"),
            Duplicate { what, name } => {
                let w = what.text();
                Text::new(format!("{}“{name}”重复", w.zh), format!("{} {} appears twice", w.en, Quoted(name)))
            }
            Unknown { what, name } => {
                let w = what.text();
                Text::new(format!("未定义的{}“{name}”", w.zh), format!("unknown {} {}", w.en, Quoted(name)))
            }
            #[cfg(feature = "toml")]
            MinAboveMax { min, max } => {
                Text::new(format!("最小值 {min} 大于最大值 {max}"), format!("minimum {min} is above maximum {max}"))
            }
            OutOfRange { value, min, max } => Text::new(
                format!("{value} 超出允许范围 {min}–{max}"),
                format!("{value} is outside the allowed range {min}-{max}"),
            ),
            #[cfg(feature = "toml")]
            CsvWidth { expected, found } => Text::new(
                format!("该行有 {found} 个单元格，应为 {expected} 个"),
                format!("row has {found} cells; the header has {expected}"),
            ),
            #[cfg(feature = "toml")]
            CsvHeader { header, expected } => Text::new(
                format!("表头“{header}”无法识别，应为 {expected}"),
                format!("header {} is not a column this table can have; expected {expected}", Quoted(header)),
            ),
            #[cfg(feature = "toml")]
            AnnualFactorNotOne { value } => Text::new(
                format!("年交的交费系数必须为 1，而不是 {value}"),
                format!("the modal factor for annual payment must be 1, not {value}"),
            ),
            #[cfg(feature = "toml")]
            AgeGap { from, to } => {
                Text::new(format!("表中缺少 {from}–{to} 岁的行"), format!("the table has no rows for ages {from}-{to}"))
            }
            #[cfg(feature = "toml")]
            MortalityNotClosed { age, q } => Text::new(
                format!("生命表最后一行（{age} 岁）的 q_x 应为 1，而不是 {q}"),
                format!("the last row of a mortality table (age {age}) must have q_x = 1, not {q}"),
            ),
            #[cfg(feature = "toml")]
            DatesReversed { from, to } => Text::new(
                format!("结束日期 {to} 早于开始日期 {from}"),
                format!("ends on {to}, before it starts on {from}"),
            ),
            #[cfg(feature = "toml")]
            AmbiguousColumns { first, second } => Text::new(
                format!("列“{first}”与“{second}”适用于同一情形"),
                format!("columns {} and {} both match the same case", Quoted(first), Quoted(second)),
            ),
            #[cfg(feature = "toml")]
            TestFailed { test, expected, actual } => Text::new(
                format!("测试“{test}”期望 {expected}，实际为 {actual}"),
                format!("test {} expected {expected}, got {actual}", Quoted(test)),
            ),
            CatalogueNotInForce { date, from } => Text::new(
                format!("报价日期 {date} 早于产品目录生效日 {from}"),
                format!("quote date {date} is before the catalogue takes effect on {from}"),
            ),
            ProductNotInForce { product, date } => Text::new(
                format!("产品 {product} 在 {date} 没有生效的版本"),
                format!("product {product} has no version in force on {date}"),
            ),
            BirthDateInFuture { birth_date, quote_date } => Text::new(
                format!("出生日期 {birth_date} 晚于报价日期 {quote_date}"),
                format!("birth date {birth_date} is after the quote date {quote_date}"),
            ),
            AgeContradictsBirthDate { age, from_birth_date } => Text::new(
                format!("年龄 {age} 与出生日期推算的 {from_birth_date} 岁不符"),
                format!("age {age} contradicts the birth date, which gives age {from_birth_date}"),
            ),
            AgeBelowMin { age, min, product } => Text::new(
                format!("被保险人 {age} 岁，低于{}的最低投保年龄 {min} 岁", product.zh),
                format!("the insured is {age}, below the lowest age {min} that {} insures", product.en),
            ),
            AgeAboveMax { age, max, product } => Text::new(
                format!("被保险人 {age} 岁，超过{}的最高投保年龄 {max} 岁", product.zh),
                format!("the insured is {age}, above the highest age {max} that {} insures", product.en),
            ),
            TooYoungInDays { days, min_days, product } => Text::new(
                format!("出生仅 {days} 天，{}须出生满 {min_days} 天", product.zh),
                format!("{days} days old; {} insures from {min_days} days old", product.en),
            ),
            AmountBelowMin { value, min, product } => Text::new(
                format!("金额 {value} 低于{}的最低限额 {min}", product.zh),
                format!("amount {value} is below the minimum {min} of {}", product.en),
            ),
            AmountAboveMax { value, max, product } => Text::new(
                format!("金额 {value} 超过{}的最高限额 {max}", product.zh),
                format!("amount {value} is above the maximum {max} of {}", product.en),
            ),
            AmountNotMultiple { value, step, product } => Text::new(
                format!("金额 {value} 不是{}要求的 {step} 的整数倍", product.zh),
                format!("amount {value} is not a multiple of {step} for {}", product.en),
            ),
            AmountNotUsed { product } => Text::new(
                format!("{}不使用此金额字段", product.zh),
                format!("{} does not take this amount", product.en),
            ),
            NotOffered { what, product, offer } => {
                let (w, Offer { value, offered }) = (what.text(), &**offer);
                Text::new(
                    format!("{}不提供{}“{}”，可选：{}", product.zh, w.zh, value.zh, offered.zh),
                    format!("{} does not offer {} {}; offered: {}", product.en, w.en, value.en, offered.en),
                )
            }
            PaymentLongerThanCoverage { payment, coverage } => Text::new(
                format!("交费期间（{}）长于保障期间（{}）", payment.zh, coverage.zh),
                format!("premiums ({}) would be paid for longer than the cover lasts ({})", payment.en, coverage.en),
            ),
            TermAlreadyEnded { term, age } => Text::new(
                format!("{age} 岁时“{}”已届满", term.zh),
                format!("{} has already ended at age {age}", Quoted(&term.en)),
            ),
            SingleNeedsAnnual { frequency } => Text::new(
                format!("趸交只交一次，交费频率须为年交，而不是{}", frequency.zh),
                format!("a single premium is paid once: the frequency must be annual, not {}", frequency.en),
            ),
            NoRate { product, detail } => Text::new(
                format!("产品 {product} 的费率表没有此项费率：{detail}"),
                format!("product {product} has no rate for {detail}"),
            ),
            OccupationClass { class } => Text::new(
                format!("职业类别 {class} 无效，应为 1–7 类"),
                format!("occupation class {class} is not a class 1-7"),
            ),
            RequiresSocialInsurance { product } => Text::new(
                format!("{}要求参加当地基本医疗保险（有社保）", product.zh),
                format!("{} requires local basic medical insurance", product.en),
            ),
            RegionNotSold { region, product } => Text::new(
                format!("{}未在{}销售", product.zh, region.zh),
                format!("{} is not sold in {}", product.en, region.en),
            ),
            AgentCode { value } => Text::new(
                format!("代理人编码“{value}”无效，应为 2–16 位大写字母或数字"),
                format!("agent code {} is not 2-16 upper-case letters and digits", Quoted(value)),
            ),
            NoCoverages => Text::fixed("请至少选择一个产品", "choose at least one product"),
            DuplicateCoverage { product } => Text::new(
                format!("产品 {product} 在同一报价中出现两次"),
                format!("product {product} appears twice in one quote"),
            ),
            ImpossibleMeasure { measure, value } => {
                let (min, max) = measure.possible();
                match measure {
                    Measure::HeightCm => Text::new(
                        format!("身高 {value} 厘米不可能，请以厘米为单位填写（{min}–{max}）"),
                        format!("a height of {value} cm is not possible: give it in centimetres ({min}-{max})"),
                    ),
                    Measure::WeightKg => Text::new(
                        format!("体重 {value} 千克不可能，请以千克为单位填写（{min}–{max}）"),
                        format!("a weight of {value} kg is not possible: give it in kilograms ({min}-{max})"),
                    ),
                }
            }
            ImpossibleBmi { height, weight, bmi } => Text::new(
                format!("身高 {height} 厘米、体重 {weight} 千克不可能同时成立（BMI {bmi}），请核对"),
                format!("{height} cm and {weight} kg cannot both be right (a BMI of {bmi}): please check them"),
            ),
            NegativeAmount { value } => {
                Text::new(format!("金额不能为负数（{value}）"), format!("an amount cannot be negative ({value})"))
            }
            PayoutBeforePaymentEnds { payout_age, payment_end_age } => Text::new(
                format!("{payout_age} 岁开始领取，但交费到 {payment_end_age} 岁才结束"),
                format!("payouts start at {payout_age}, before premiums end at {payment_end_age}"),
            ),
            IdLength { found } => Text::new(
                format!("身份证号码应为 18 位，而不是 {found} 位"),
                format!("a resident ID number has 18 characters, not {found}"),
            ),
            IdCharacter { position } => Text::new(
                format!("身份证号码第 {position} 位应为数字（第 18 位可为 X）"),
                format!("character {position} of the ID number must be a digit (the 18th may be X)"),
            ),
            IdProvince { code } => Text::new(
                format!("身份证号码前两位 {code} 不是有效的省级行政区划代码"),
                format!("the first two digits {code} are not a province code"),
            ),
            IdBirthDate { text } => Text::new(
                format!("身份证号码中的出生日期 {text} 不是有效日期"),
                format!("the birth date {text} in the ID number is not a real date"),
            ),
            IdBirthDateFuture { date } => Text::new(
                format!("身份证号码中的出生日期 {date} 晚于报价日期"),
                format!("the birth date {date} in the ID number is after the quote date"),
            ),
            IdSequence => {
                Text::fixed("身份证号码顺序码不能为 000", "the sequence digits of the ID number cannot be 000")
            }
            IdChecksum { expected, found } => Text::new(
                format!("身份证号码校验位错误：应为 {expected}，实为 {found}（可能有数字输错）"),
                format!("the check character is {found} but should be {expected}: a digit may be mistyped"),
            ),
            IdContradicts { what, given, from_id } => {
                let zh = if *what == "sex" { "性别" } else { "出生日期" };
                let en = if *what == "sex" { "sex" } else { "birth date" };
                Text::new(
                    format!("填写的{zh} {given} 与身份证号码（{from_id}）不一致"),
                    format!("the {en} given, {given}, contradicts the resident ID number, which says {from_id}"),
                )
            }
            CouponUnknown { code } => Text::new(
                format!("优惠码“{code}”不存在"),
                format!("no campaign, voucher or referral has code {}", Quoted(code)),
            ),
            CouponMalformed => Text::fixed("优惠券无法识别（格式错误）", "the coupon cannot be read (malformed)"),
            CouponNoReferrer => Text::fixed("推荐码未写明推荐人", "the referral code names no referrer"),
            CouponBadSignature => {
                Text::fixed("优惠券签名无效：可能被伪造或篡改", "the coupon's signature is invalid: forged or altered")
            }
            CouponNotYetValid { from } => {
                Text::new(format!("优惠自 {from} 起才可使用"), format!("the coupon cannot be used before {from}"))
            }
            CouponExpired { until } => {
                Text::new(format!("优惠已于 {until} 过期"), format!("the coupon expired on {until}"))
            }
            CouponWrongProduct { products } => Text::new(
                format!("优惠仅适用于：{}", products.zh),
                format!("the coupon applies only to {}", products.en),
            ),
            CouponWrongChannel { channel } => {
                let (zh, en) =
                    if *channel == "agent" { ("代理人", "agents'") } else { ("网上直销", "direct online") };
                Text::new(format!("此优惠不适用于{zh}投保"), format!("the coupon is not for {en} sales"))
            }
            CouponPaymentType { required } => {
                let zh = if *required == "regular" { "期缴" } else { "趸交" };
                Text::new(
                    format!("优惠仅适用于{zh}保单"),
                    format!("the coupon applies to {required} premium policies only"),
                )
            }
            CouponBelowMinimum { premium, minimum } => Text::new(
                format!("适用保费 {premium} 未达到最低 {minimum}"),
                format!("the eligible premium {premium} is below the minimum {minimum}"),
            ),
            CouponOverCap { cap } => Text::new(
                format!("优惠总额已达监管上限（保费的 {cap}），此优惠无法再使用"),
                format!(
                    "discounts already reach the regulatory cap ({cap} of the premium): nothing is left for this one"
                ),
            ),
            CouponDuplicateKind { kind } => {
                use crate::discounts::CouponKind;
                let (zh, en) = match kind {
                    CouponKind::Campaign => ("活动优惠", "campaign discount"),
                    CouponKind::Referral => ("推荐优惠", "referral discount"),
                    CouponKind::Voucher => ("抵用券", "voucher"),
                    CouponKind::Bundle => ("组合优惠", "bundle discount"),
                };
                Text::new(format!("每份报价只能使用一项{zh}"), format!("only one {en} may be used per quote"))
            }
            CouponWrongCatalogue { catalogue } => Text::new(
                format!("优惠为产品目录 {catalogue} 签发，不适用于本目录"),
                format!("the coupon was issued for catalogue {catalogue}, not this one"),
            ),
            BundleNotForAge { age, ages } => Text::new(
                format!("该组合仅面向 {ages} 岁，被保险人 {age} 岁"),
                format!("the bundle is offered to ages {ages}; the insured is {age}"),
            ),
            #[cfg(feature = "desk")]
            DeskTermsMissing => Text::fixed(
                "有条件承保须给出加费或除外责任；无条件时请选择标准体承保",
                "accepting on terms needs a loading or an exclusion; with neither, accept at standard rates",
            ),
            #[cfg(feature = "desk")]
            DeskLoadingStep { value, step } => Text::new(
                format!("加费 {value} 须为 {step} 的整数倍"),
                format!("loading {value} is not on a step of {step}"),
            ),
            #[cfg(feature = "desk")]
            DeskNotOffered { what, value, offered } => {
                let (zh, en) = match *what {
                    "postpone" => ("延期期间（月）", "postponement period (months)"),
                    "exclusion" => ("除外责任", "exclusion"),
                    _ => ("原因类别", "reason category"),
                };
                Text::new(
                    format!("产品目录未提供{zh}“{value}”，可选：{offered}"),
                    format!("the catalogue offers no {en} {}; it offers {offered}", Quoted(value)),
                )
            }
            #[cfg(feature = "desk")]
            TextTooLong { length, max } => Text::new(
                format!("文字过长：{length} 个字符，最多 {max} 个"),
                format!("text is too long: {length} characters, at most {max}"),
            ),
            BeyondMortalityTable { end_age, table_end, product } => Text::new(
                format!("产品 {product} 的保障至 {end_age} 岁，超出生命表的最高年龄 {table_end} 岁"),
                format!(
                    "cover to age {end_age} runs past the end of product {product}'s mortality table ({table_end})"
                ),
            ),
            #[cfg(feature = "purchase")]
            Purchase(rule) => rule.message(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_code_field_and_both_messages() {
        let error = Error::new(
            "coverages[0].sum_assured",
            ErrorKind::AmountNotMultiple {
                value: "1234".into(),
                step: "10000".into(),
                product: Text::fixed("安心重疾险", "Anxin Critical Illness"),
            },
        );
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["code"], "amount.step");
        assert_eq!(json["field"], "coverages[0].sum_assured");
        assert_eq!(json["message"]["en"], "amount 1234 is not a multiple of 10000 for Anxin Critical Illness");
        assert!(json["message"]["zh"].as_str().unwrap().contains("整数倍"));
    }

    #[test]
    fn errors_is_never_empty() {
        assert!(Errors::from_vec(Vec::new()).is_none());
    }
}
