//! The rules an application, its consent, a premium schedule and a policy can break: a stable code and
//! the message a person reads in zh-CN and English, for [`crate::ErrorKind::Purchase`]. Values are kept
//! as display strings, and what a person typed is quoted as typed.

use crate::catalogue::sale::Relationship;
use crate::text::{Quoted, Text};

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    // ---- people ----------------------------------------------------------------------------
    /// A name shorter or longer than names are.
    NameLength {
        found: usize,
        min: usize,
        max: usize,
    },
    /// A character that is not a Chinese character or the middle dot of a minority name.
    NameCharacter {
        name: String,
        character: char,
        position: usize,
    },
    /// A middle dot at the start or end of a name, or two together.
    NameDots {
        name: String,
    },
    /// A mobile number with letters or signs a number does not have.
    MobileCharacter {
        value: String,
    },
    /// A mobile number without the 11 digits of a mainland number.
    MobileLength {
        value: String,
        digits: usize,
    },
    /// Eleven digits that are not a mainland mobile number (13x-19x).
    MobilePrefix {
        value: String,
    },
    /// Not a six-digit mainland region code (GB/T 2260).
    RegionCode {
        value: String,
    },
    /// An address detail too short to deliver to, or too long.
    AddressLength {
        found: usize,
        min: usize,
        max: usize,
    },
    /// A control character in an address.
    AddressCharacter {
        position: usize,
    },
    /// A regional product's insured must live in the region it was priced for.
    AddressOutsideRegion {
        address: String,
        region: Text,
    },

    // ---- parties ---------------------------------------------------------------------------
    /// The policyholder must be an adult.
    PolicyholderTooYoung {
        age: u32,
        min: u32,
    },
    /// The catalogue does not let a policyholder insure this relation.
    RelationshipNotOffered {
        relationship: Relationship,
    },
    /// The relation is outside the ages the catalogue allows for it.
    RelationshipAges {
        relationship: Relationship,
        age: u32,
        from: u32,
        to: u32,
    },
    /// The insured is the policyholder, whose details are given once.
    SelfHasDetails,
    /// Two roles with one ID number and a relationship other than `self`.
    SamePerson,
    /// A parent who is not enough years older than their child.
    ParentAgeGap {
        parent_born: String,
        child_born: String,
        gap: u32,
    },
    /// An adult insured must consent to cover paying on their death (Insurance Law art. 34).
    ConsentRequired,
    /// Only a parent may insure a minor with cover paying on death (Insurance Law art. 33).
    MinorNeedsParent,
    /// The quote was priced without the insured's birth date or sex.
    QuoteLacksBirthDate,

    // ---- beneficiaries ---------------------------------------------------------------------
    /// Named beneficiaries where nothing pays on death.
    BeneficiariesNotApplicable,
    TooManyBeneficiaries {
        found: usize,
        max: u32,
    },
    /// The insured named as beneficiary of a benefit paid on their own death.
    BeneficiaryIsInsured,
    /// A relationship the catalogue does not allow for beneficiaries.
    BeneficiaryRelationship {
        relationship: Relationship,
    },
    /// The same person named twice.
    BeneficiaryTwice,
    /// The policyholder named as beneficiary with a relationship that contradicts the insured's.
    BeneficiaryContradictsPolicyholder {
        given: Relationship,
        expected: Relationship,
    },
    /// A share not above 0 % or above 100 %.
    ShareRange {
        value: String,
    },
    /// A share with more than two decimal places.
    SharePrecision {
        value: String,
    },
    /// The shares of one order do not add up to 100 %.
    SharesSum {
        order: u32,
        sum: String,
    },
    /// An order outside 1..=max.
    OrderRange {
        order: u32,
        max: u32,
    },
    /// Orders that skip one (1 and 3 without 2).
    OrderGap {
        missing: u32,
    },

    // ---- documents -------------------------------------------------------------------------
    /// A quote with nothing priced: nothing to apply for.
    NothingToApplyFor,
    /// A quote from another catalogue than the one checking it.
    OtherCatalogue {
        quote: String,
        catalogue: String,
    },
    /// A product version not sold online (no documents to consent to).
    NotSoldOnline {
        product: Text,
    },
    /// A required document with no confirmation.
    DocumentNotConfirmed {
        title: Text,
        version: String,
    },
    /// A confirmation of another version of a document than the one in force.
    DocumentOutdated {
        title: Text,
        version: String,
    },
    /// A confirmation of a document this quote does not require.
    DocumentNotRequired {
        document: String,
    },
    /// The same document confirmed twice.
    DocumentTwice {
        document: String,
    },

    // ---- schedules and policies ------------------------------------------------------------
    /// A quote whose figures do not follow from each other (edited by hand, or damaged).
    QuoteInconsistent {
        figure: String,
        expected: String,
        found: String,
    },
    /// A figure no premium has (above a trillion yuan, or negative).
    ImplausibleFigure {
        value: String,
    },
    /// A policy number the server did not make.
    PolicyNumber {
        value: String,
    },
    /// The catalogue sells nothing online (no application or policy rules).
    NotSellingOnline,
    /// A cancellation after the cooling-off period ended.
    CoolingOffOver {
        until: String,
    },
    /// The policy has no cooling-off period.
    NoCoolingOff,
    /// A cancellation dated before the policy was issued.
    CancelledBeforeIssue {
        issued: String,
    },
    /// More premium said to be paid than has fallen due.
    PaidAboveDue {
        paid: String,
        due: String,
    },
}

impl Rule {
    /// A stable code: part of the API, never reworded.
    pub fn code(&self) -> &'static str {
        use Rule::*;
        match self {
            NameLength { .. } => "name.length",
            NameCharacter { .. } => "name.character",
            NameDots { .. } => "name.dots",
            MobileCharacter { .. } => "mobile.character",
            MobileLength { .. } => "mobile.length",
            MobilePrefix { .. } => "mobile.prefix",
            RegionCode { .. } => "address.region",
            AddressLength { .. } => "address.length",
            AddressCharacter { .. } => "address.character",
            AddressOutsideRegion { .. } => "address.outside_region",
            PolicyholderTooYoung { .. } => "policyholder.age",
            RelationshipNotOffered { .. } => "relationship.not_offered",
            RelationshipAges { .. } => "relationship.ages",
            SelfHasDetails => "insured.self_details",
            SamePerson => "insured.same_person",
            ParentAgeGap { .. } => "relationship.age_gap",
            ConsentRequired => "insured.consent",
            MinorNeedsParent => "insured.minor_needs_parent",
            QuoteLacksBirthDate => "quote.birth_date",
            BeneficiariesNotApplicable => "beneficiaries.not_applicable",
            TooManyBeneficiaries { .. } => "beneficiaries.too_many",
            BeneficiaryIsInsured => "beneficiary.is_insured",
            BeneficiaryRelationship { .. } => "beneficiary.relationship",
            BeneficiaryTwice => "beneficiary.duplicate",
            BeneficiaryContradictsPolicyholder { .. } => "beneficiary.contradicts_policyholder",
            ShareRange { .. } => "beneficiary.share_range",
            SharePrecision { .. } => "beneficiary.share_precision",
            SharesSum { .. } => "beneficiaries.shares_sum",
            OrderRange { .. } => "beneficiary.order",
            OrderGap { .. } => "beneficiaries.order_gap",
            NothingToApplyFor => "quote.nothing_priced",
            OtherCatalogue { .. } => "quote.other_catalogue",
            NotSoldOnline { .. } => "product.not_sold_online",
            DocumentNotConfirmed { .. } => "document.not_confirmed",
            DocumentOutdated { .. } => "document.outdated",
            DocumentNotRequired { .. } => "document.not_required",
            DocumentTwice { .. } => "document.duplicate",
            QuoteInconsistent { .. } => "quote.inconsistent",
            ImplausibleFigure { .. } => "quote.implausible",
            PolicyNumber { .. } => "policy.number",
            NotSellingOnline => "catalogue.not_selling_online",
            CoolingOffOver { .. } => "policy.cooling_off_over",
            NoCoolingOff => "policy.no_cooling_off",
            CancelledBeforeIssue { .. } => "policy.cancelled_before_issue",
            PaidAboveDue { .. } => "policy.paid_above_due",
        }
    }

    /// The message a person reads, in both languages. One flat table, like `ErrorKind::message`, so
    /// the compiler holds every rule to having its wording.
    pub fn message(&self) -> Text {
        use Rule::*;
        match self {
            NameLength { found, min, max } => Text::new(
                format!("姓名应为 {min}–{max} 个字，而不是 {found} 个"),
                format!("a name has {min}-{max} characters, not {found}"),
            ),
            NameCharacter { name, character, position } => Text::new(
                format!(
                    "姓名“{name}”的第 {position} 个字符“{character}”不能用于姓名：请按身份证填写汉字，少数民族姓名用“·”分隔"
                ),
                format!(
                    "character {position} of {} ({}) cannot be in a name: write it as on the ID card, in Chinese characters, with · between the parts of a minority name",
                    Quoted(name),
                    Quoted(&character.to_string())
                ),
            ),
            NameDots { name } => Text::new(
                format!("姓名“{name}”中的“·”只能用于分隔两个部分，不能在开头、结尾或连用"),
                format!(
                    "the dot in {} separates two parts of a name: not at its start or end, nor twice",
                    Quoted(name)
                ),
            ),
            MobileCharacter { value } => Text::new(
                format!("手机号码“{value}”含有数字以外的字符"),
                format!("mobile number {} has characters other than digits", Quoted(value)),
            ),
            MobileLength { value, digits } => Text::new(
                format!("手机号码“{value}”有 {digits} 位数字，中国大陆手机号码为 11 位"),
                format!("mobile number {} has {digits} digits; a mainland mobile number has 11", Quoted(value)),
            ),
            MobilePrefix { value } => Text::new(
                format!("“{value}”不是中国大陆手机号码（以 13–19 开头的 11 位数字）"),
                format!("{} is not a mainland mobile number (11 digits starting 13-19)", Quoted(value)),
            ),
            RegionCode { value } => Text::new(
                format!("“{value}”不是中国大陆的六位行政区划代码（例如 310104）"),
                format!("{} is not a six-digit mainland region code (e.g. 310104)", Quoted(value)),
            ),
            AddressLength { found, min, max } => Text::new(
                format!("详细地址应为 {min}–{max} 个字，而不是 {found} 个"),
                format!("the street address has {min}-{max} characters, not {found}"),
            ),
            AddressCharacter { position } => Text::new(
                format!("详细地址第 {position} 个字符是控制字符"),
                format!("character {position} of the street address is a control character"),
            ),
            AddressOutsideRegion { address, region } => Text::new(
                format!("地址所在地区 {address} 不在报价所按的{}：该产品只承保当地居民", region.zh),
                format!(
                    "the address is in region {address}, outside {}, where this cover was priced for residents",
                    region.en
                ),
            ),
            PolicyholderTooYoung { age, min } => Text::new(
                format!("投保人 {age} 岁，须年满 {min} 周岁且具有完全民事行为能力"),
                format!("the policyholder is {age}; a policyholder must be an adult of {min} or over"),
            ),
            RelationshipNotOffered { relationship } => {
                let r = relationship.label();
                Text::new(
                    format!("投保人不能为其{}投保本产品", r.zh),
                    format!("a policyholder cannot insure their {} under this catalogue", r.en),
                )
            }
            RelationshipAges { relationship, age, from, to } => {
                let r = relationship.label();
                Text::new(
                    format!("被保险人为投保人的{}时须为 {from}–{to} 岁，被保险人 {age} 岁", r.zh),
                    format!("a policyholder's {} may be insured at ages {from}-{to}; the insured is {age}", r.en),
                )
            }
            SelfHasDetails => Text::fixed(
                "被保险人为投保人本人：其信息按投保人填写一次即可，此处不应再填",
                "the insured is the policyholder: their details are given once, as the policyholder's, not here",
            ),
            SamePerson => Text::fixed(
                "被保险人与投保人的身份证号码相同，关系应为“本人”",
                "the insured has the policyholder's ID number: the relationship is then \"self\"",
            ),
            ParentAgeGap { parent_born, child_born, gap } => Text::new(
                format!(
                    "父母（{parent_born} 出生）应比子女（{child_born} 出生）年长至少 {gap} 岁，请核对身份证号码与关系"
                ),
                format!(
                    "a parent (born {parent_born}) is at least {gap} years older than their child (born {child_born}): check the ID numbers and the relationship"
                ),
            ),
            ConsentRequired => Text::fixed(
                "本保单含身故保险责任，须经成年被保险人同意并认可保险金额（《保险法》第三十四条）",
                "this policy pays on death: the adult insured must consent to it and its sum assured (Insurance Law art. 34)",
            ),
            MinorNeedsParent => Text::fixed(
                "为未成年人投保含身故保险责任的保险，投保人须为其父母（《保险法》第三十三条）",
                "only a parent may insure a minor with cover that pays on death (Insurance Law art. 33)",
            ),
            QuoteLacksBirthDate => Text::fixed(
                "报价未按被保险人的出生日期和性别计算：请用被保险人的身份证号码重新报价",
                "the quote was not priced on the insured's birth date and sex: price it again with their ID number",
            ),
            BeneficiariesNotApplicable => Text::fixed(
                "本保单不含身故保险责任，无需指定身故受益人",
                "nothing in this policy pays on death: there are no death beneficiaries to name",
            ),
            TooManyBeneficiaries { found, max } => Text::new(
                format!("最多可指定 {max} 位受益人，而不是 {found} 位"),
                format!("at most {max} beneficiaries may be named, not {found}"),
            ),
            BeneficiaryIsInsured => Text::fixed(
                "被保险人不能作为自己身故保险金的受益人",
                "the insured cannot be the beneficiary of a benefit paid on their own death",
            ),
            BeneficiaryRelationship { relationship } => {
                let r = relationship.label();
                Text::new(
                    format!("不能指定被保险人的{}为身故受益人", r.zh),
                    format!("the insured's {} cannot be named death beneficiary", r.en),
                )
            }
            BeneficiaryTwice => Text::fixed("同一人被指定为两次受益人", "the same person is named twice"),
            BeneficiaryContradictsPolicyholder { given, expected } => {
                let (g, e) = (given.label(), expected.label());
                Text::new(
                    format!("该受益人即投保人，是被保险人的{}，而不是{}", e.zh, g.zh),
                    format!("this beneficiary is the policyholder, the insured's {}, not their {}", e.en, g.en),
                )
            }
            ShareRange { value } => Text::new(
                format!("受益比例 {value}% 应大于 0% 且不超过 100%"),
                format!("a share of {value}% must be above 0% and at most 100%"),
            ),
            SharePrecision { value } => Text::new(
                format!("受益比例 {value}% 最多保留两位小数"),
                format!("a share of {value}% has at most two decimal places"),
            ),
            SharesSum { order, sum } => Text::new(
                format!("第 {order} 顺序受益人的受益比例合计为 {sum}%，应恰好为 100%"),
                format!("the shares of order {order} add up to {sum}%, not exactly 100%"),
            ),
            OrderRange { order, max } => Text::new(
                format!("受益顺序 {order} 无效，应为 1–{max}"),
                format!("beneficiary order {order} is not one of 1-{max}"),
            ),
            OrderGap { missing } => Text::new(
                format!("缺少第 {missing} 顺序受益人：受益顺序应从 1 起连续"),
                format!("there is no beneficiary of order {missing}: orders run from 1 without a gap"),
            ),
            NothingToApplyFor => Text::fixed(
                "报价中没有可承保的产品，无法投保",
                "nothing in the quote can be insured: there is nothing to apply for",
            ),
            OtherCatalogue { quote, catalogue } => Text::new(
                format!("报价来自产品目录 {quote}，而不是当前目录 {catalogue}：请重新报价"),
                format!("the quote comes from catalogue {quote}, not the one in use ({catalogue}): price it again"),
            ),
            NotSoldOnline { product } => Text::new(
                format!("{}不在网上销售，无法在线投保", product.zh),
                format!("{} is not sold online", product.en),
            ),
            DocumentNotConfirmed { title, version } => Text::new(
                format!("请阅读并确认《{}》（版本 {version}）", title.zh),
                format!("read and confirm the {} (version {version})", title.en),
            ),
            DocumentOutdated { title, version } => Text::new(
                format!("所确认的不是现行版本的《{}》：请阅读并确认版本 {version}", title.zh),
                format!("the {} confirmed is not the version in force: read and confirm version {version}", title.en),
            ),
            DocumentNotRequired { document } => Text::new(
                format!("本次投保无需确认文件 {document}"),
                format!("document {document} is not one this application confirms"),
            ),
            DocumentTwice { document } => {
                Text::new(format!("文件 {document} 被确认了两次"), format!("document {document} is confirmed twice"))
            }
            QuoteInconsistent { figure, expected, found } => Text::new(
                format!("报价中的 {figure} 为 {found}，按其他数字应为 {expected}：报价可能被改动"),
                format!(
                    "the quote's {figure} is {found}, where its other figures give {expected}: it may have been altered"
                ),
            ),
            ImplausibleFigure { value } => {
                Text::new(format!("金额 {value} 不可能是保费"), format!("{value} is not a premium anyone pays"))
            }
            PolicyNumber { value } => Text::new(
                format!("保单号“{value}”无效，应为 1–32 位大写字母、数字或“-”"),
                format!("policy number {} is not 1-32 upper-case letters, digits or '-'", Quoted(value)),
            ),
            NotSellingOnline => Text::fixed(
                "产品目录未规定投保与保单规则，不能在线投保",
                "the catalogue has no application or policy rules: it sells nothing online",
            ),
            CoolingOffOver { until } => Text::new(
                format!("犹豫期已于 {until} 结束：退保按现金价值办理，请联系客服"),
                format!(
                    "the cooling-off period ended on {until}: a surrender is paid its cash value; contact the insurer"
                ),
            ),
            NoCoolingOff => Text::fixed(
                "本保单没有犹豫期：退保请联系客服",
                "this policy has no cooling-off period: contact the insurer to cancel it",
            ),
            CancelledBeforeIssue { issued } => Text::new(
                format!("解除日期早于保单签发日 {issued}"),
                format!("the cancellation is dated before the policy was issued on {issued}"),
            ),
            PaidAboveDue { paid, due } => Text::new(
                format!("已交保费 {paid} 超过至今应交的 {due}"),
                format!("{paid} said to be paid is more than the {due} due so far"),
            ),
        }
    }
}
