//! The page's own words, in zh-CN and English. Product names, terms, worksheet labels and error
//! messages come from the core and the catalogue, already bilingual; only the page chrome is here.

use premia_core::{Lang, Text};

/// A label of the page chrome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Title,
    Subtitle,
    Illustrative,
    SwitchLanguage,
    Insured,
    ResidentId,
    ResidentIdHint,
    ResidentIdNeeded,
    BirthDate,
    Sex,
    Smoker,
    NonSmoker,
    SmokerYes,
    Occupation,
    SocialInsurance,
    Region,
    RegionNone,
    Products,
    ChooseProducts,
    SumAssured,
    AnnuityAmount,
    CoverageTerm,
    PaymentTerm,
    Frequency,
    Plan,
    PayoutAge,
    GuaranteedYears,
    Riders,
    RiderAmount,
    YourPrice,
    PerYear,
    FirstYear,
    TotalOverTerm,
    PaymentYears,
    Age,
    EnterDetails,
    HowCalculated,
    Step,
    Value,
    Print,
    Submit,
    Buy,
    Submitting,
    Submitted,
    SubmitUnavailable,
    SubmitFailed,
    FreshPrice,
    ConfirmFresh,
    Payload,
    Close,
    ValidUntil,
    Digest,
    Errors,
    Yearly,
    Application,
    Underwriting,
    UnderwritingHint,
    HeightCm,
    WeightKg,
    AnnualIncome,
    ExistingCover,
    Bundles,
    BundlesHint,
    ChooseBundle,
    Chosen,
    FirstYearAfterDiscount,
    Dropped,
    Health,
    HealthHint,
    Yes,
    No,
    ChooseOne,
    Coupons,
    CouponCode,
    Apply,
    Remove,
    Discount,
    NetFirstYear,
    NetTotal,
    Decision,
    Declined,
    TwoPersonReview,
    StartOver,
    PriceBlocked,
    FromResidentId,
    ReadAs,
    Incomplete,
    Unanswered,
    NextAccepted,
    NextReferred,
    StatusLink,
    StatusChecking,
    StatusRetrying,
    StatusStopped,
    FinalPremium,
    Loading,
    Exclusion,
    PostponedMonths,
    Reason,
    Requested,
    Updated,
}

impl Label {
    pub fn text(self) -> Text {
        use Label::*;
        match self {
            Title => Text::fixed("保费测算", "Get a quote"),
            Subtitle => Text::fixed(
                "填写被保险人信息，选择产品，保费随输入即时更新。",
                "Tell us about the insured person and choose cover: the price updates as you type.",
            ),
            Illustrative => Text::fixed(
                "示例费率，仅供演示，非备案费率。",
                "Illustrative rates for demonstration, not filed rates.",
            ),
            SwitchLanguage => Text::fixed("English", "中文"),
            Insured => Text::fixed("被保险人", "The insured person"),
            ResidentId => Text::fixed("身份证号码（投保时必填）", "Resident ID number (needed to apply)"),
            ResidentIdHint => Text::fixed(
                "填写后自动带出出生日期和性别。报价中只保留号码的加密摘要；提交投保时会一并发送号码，用于核对报价。",
                "Fills in the date of birth and sex. The quote keeps only a salted hash of the number; \
                 submitting an application sends the number with it, to check it against the quote.",
            ),
            ResidentIdNeeded => Text::fixed(
                "投保须填写被保险人的身份证号码：填写后报价将按号码重新计算，请核对后再提交。",
                "To apply, enter the insured's resident ID number: the quote is recalculated with it; \
                 check it, then submit.",
            ),
            BirthDate => Text::fixed("出生日期", "Date of birth"),
            Sex => Text::fixed("性别", "Sex"),
            Smoker => Text::fixed("吸烟情况", "Smoking"),
            NonSmoker => Text::fixed("不吸烟", "Non-smoker"),
            SmokerYes => Text::fixed("吸烟", "Smoker"),
            Occupation => Text::fixed("职业类别", "Occupation class"),
            SocialInsurance => Text::fixed("有当地社保（基本医疗保险）", "Has local basic medical insurance"),
            Region => Text::fixed("所在地区", "Region"),
            RegionNone => Text::fixed("未选择", "Not chosen"),
            Products => Text::fixed("保障方案", "Your cover"),
            ChooseProducts => Text::fixed("选择产品", "Choose products"),
            SumAssured => Text::fixed("保额（元）", "Sum assured (CNY)"),
            AnnuityAmount => Text::fixed("每年领取金额（元）", "Yearly annuity (CNY)"),
            CoverageTerm => Text::fixed("保障期间", "Coverage term"),
            PaymentTerm => Text::fixed("交费期间", "Payment term"),
            Frequency => Text::fixed("交费频率", "Payment frequency"),
            Plan => Text::fixed("免赔额方案", "Deductible plan"),
            PayoutAge => Text::fixed("开始领取年龄", "Payouts start at age"),
            GuaranteedYears => Text::fixed("保证领取年限", "Guaranteed years"),
            Riders => Text::fixed("附加险", "Riders"),
            RiderAmount => Text::fixed("附加险保额（元）", "Rider sum assured (CNY)"),
            YourPrice => Text::fixed("您的保费", "Your premium"),
            PerYear => Text::fixed("每年", "per year"),
            FirstYear => Text::fixed("首年保费", "First-year premium"),
            TotalOverTerm => Text::fixed("交费期内总保费", "Total over the payment term"),
            PaymentYears => Text::fixed("交费年数", "Years of payment"),
            Age => Text::fixed("投保年龄", "Age at entry"),
            EnterDetails => {
                Text::fixed("请填写出生日期和性别，即可看到保费。", "Enter the date of birth and sex to see the price.")
            }
            HowCalculated => Text::fixed("保费是如何计算的", "How is this calculated"),
            Step => Text::fixed("计算步骤", "Step"),
            Value => Text::fixed("结果", "Result"),
            Print => Text::fixed("打印或保存报价", "Print or save the quote"),
            Submit => Text::fixed("提交投保意向", "Submit this quote"),
            Buy => Text::fixed("在线投保", "Buy online"),
            Submitting => Text::fixed("正在提交…", "Submitting…"),
            Submitted => Text::fixed("投保申请已提交。", "Your application has been submitted."),
            SubmitUnavailable => Text::fixed(
                "提交服务暂不可用。以下是将要提交的投保数据（报价和身份证号码）：",
                "The submission service is not available. This is the application that would be sent \
                 (the quote and the resident ID number):",
            ),
            SubmitFailed => Text::fixed("提交未成功：", "The submission was refused:"),
            FreshPrice => Text::fixed("按今天计算的新报价（年缴保费）", "The new price as of today (annual premium)"),
            ConfirmFresh => Text::fixed("确认新报价并提交", "Confirm the new price and submit"),
            Payload => Text::fixed("投保数据", "Application data"),
            Close => Text::fixed("关闭", "Close"),
            ValidUntil => Text::fixed("报价有效期至", "Valid until"),
            Digest => Text::fixed("报价校验码", "Quote digest"),
            Errors => Text::fixed("请检查以下内容", "Please check the following"),
            Yearly => Text::fixed("年", "year"),
            Application => Text::fixed("投保申请号", "Application number"),
            Underwriting => Text::fixed("核保信息（选填）", "For underwriting (optional)"),
            UnderwritingHint => Text::fixed(
                "身高体重、收入与已有保额用于智能核保；不填写时相关结论为“待补充信息”。",
                "Height, weight, income and existing cover feed automatic underwriting; without them its decision stays pending.",
            ),
            HeightCm => Text::fixed("身高（厘米）", "Height (cm)"),
            WeightKg => Text::fixed("体重（千克）", "Weight (kg)"),
            AnnualIncome => Text::fixed("年收入（元）", "Annual income (CNY)"),
            ExistingCover => Text::fixed("已有保额（元）", "Cover already held (CNY)"),
            Bundles => Text::fixed("为您推荐", "Recommended for you"),
            BundlesHint => Text::fixed(
                "按年龄段推荐的产品组合，已按您的信息报价；也可在下方自选产品。",
                "Bundles for your age band, already priced for you; or build your own below.",
            ),
            ChooseBundle => Text::fixed("选择此组合", "Choose this bundle"),
            Chosen => Text::fixed("已选择", "Chosen"),
            FirstYearAfterDiscount => Text::fixed("首年实付", "first year after discounts"),
            Dropped => Text::fixed("未含", "Left out"),
            Health => Text::fixed("健康告知", "Health questions"),
            HealthHint => Text::fixed(
                "请如实告知；未回答的问题会使核保结论为“待补充信息”。",
                "Please answer truthfully; unanswered questions leave the decision pending.",
            ),
            Yes => Text::fixed("是", "Yes"),
            No => Text::fixed("否", "No"),
            ChooseOne => Text::fixed("请选择", "Choose one"),
            Coupons => Text::fixed("优惠码", "Coupons"),
            CouponCode => Text::fixed("优惠码、抵用券或推荐码", "Coupon, voucher or referral code"),
            Apply => Text::fixed("使用", "Apply"),
            Remove => Text::fixed("移除", "Remove"),
            Discount => Text::fixed("优惠", "Discount"),
            NetFirstYear => Text::fixed("首年实付保费", "First year after discounts"),
            NetTotal => Text::fixed("交费期内实付总保费", "Total after discounts"),
            Decision => Text::fixed("核保结论", "Underwriting decision"),
            Declined => Text::fixed("不予承保", "Not insurable"),
            TwoPersonReview => Text::fixed("将由两位核保人员审核", "two underwriters will look at it"),
            StartOver => Text::fixed("重新开始", "Start over"),
            PriceBlocked => Text::fixed(
                "暂时无法计算保费，请先处理以下内容：",
                "The price cannot be worked out until these are put right:",
            ),
            FromResidentId => Text::fixed("按身份证号码填写", "From the resident ID number"),
            ReadAs => Text::fixed("识别为", "Read as"),
            Incomplete => Text::fixed("投保前请先补充：", "Before you apply, please give:"),
            Unanswered => Text::fixed("请回答此问题", "Please answer this question"),
            NextAccepted => Text::fixed(
                "智能核保已同意承保。请保存申请号，查询时需提供。尚未收取任何保费。",
                "Automatic underwriting has accepted it. Keep the application number to ask about it. \
                 No premium has been taken.",
            ),
            NextReferred => Text::fixed(
                "此申请须由核保人员人工审核后才能确定是否承保，审核前不会收取保费。请保存申请号，查询时需提供。",
                "An underwriter must review it before it can be accepted; no premium is taken before then. \
                 Keep the application number to ask about it.",
            ),
            StatusLink => Text::fixed("查看申请进度", "Follow the application"),
            StatusChecking => Text::fixed("正在查询申请进度……", "Checking where the application stands…"),
            StatusRetrying => Text::fixed(
                "暂时无法查询申请进度，稍后自动重试。",
                "Its status could not be read just now; the page will try again.",
            ),
            StatusStopped => Text::fixed("无法查询此申请的进度：", "Its status cannot be shown here:"),
            FinalPremium => Text::fixed("核保后保费", "Premium after underwriting"),
            Loading => Text::fixed("核保加费", "Underwriting loading"),
            Exclusion => Text::fixed("除外责任", "Exclusion"),
            PostponedMonths => Text::fixed("延期（月）", "Postponed for (months)"),
            Reason => Text::fixed("原因", "Reason"),
            Requested => Text::fixed("需要您", "We need you to"),
            Updated => Text::fixed("更新于", "Updated"),
        }
    }

    pub fn get(self, lang: Lang) -> String {
        self.text().get(lang).to_owned()
    }
}

/// Occupation classes 1-7 with a short description (Chinese occupation classification).
pub fn occupation(class: u8) -> Text {
    match class {
        1 => Text::fixed("1类：内勤、办公室人员", "Class 1: office work"),
        2 => Text::fixed("2类：外勤、销售", "Class 2: field work, sales"),
        3 => Text::fixed("3类：轻体力劳动", "Class 3: light manual work"),
        4 => Text::fixed("4类：中体力劳动", "Class 4: moderate manual work"),
        5 => Text::fixed("5类：重体力劳动", "Class 5: heavy manual work"),
        6 => Text::fixed("6类：高危作业", "Class 6: high-risk work"),
        _ => Text::fixed("7类：拒保职业", "Class 7: not insurable"),
    }
}

/// The other language: what the switch button offers.
pub fn other(lang: Lang) -> Lang {
    match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    }
}

/// The BCP 47 tag for `lang` attributes.
pub fn tag(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    }
}

/// Reads a language tag as attributes and storage write it ("zh-CN", "zh", "en", "en-GB").
pub fn parse_tag(tag: &str) -> Option<Lang> {
    let lower = tag.trim().to_ascii_lowercase();
    if lower.starts_with("zh") {
        Some(Lang::Zh)
    } else if lower.starts_with("en") {
        Some(Lang::En)
    } else {
        None
    }
}

/// Money for people: thousands separators, the two decimals the core rounded to, a yuan sign.
/// The figure itself is the core's decimal string, never recomputed.
pub fn money(value: &rust_decimal::Decimal) -> String {
    let text = value.to_string();
    let (sign, digits) = text.strip_prefix('-').map_or(("", text.as_str()), |d| ("-", d));
    let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match fraction {
        Some(f) => format!("{sign}¥{grouped}.{f}"),
        None => format!("{sign}¥{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_groups_thousands_and_keeps_the_cores_decimals() {
        let d = |s| rust_decimal::Decimal::from_str(s).unwrap();
        assert_eq!(money(&d("9715.00")), "¥9,715.00");
        assert_eq!(money(&d("27.98")), "¥27.98");
        assert_eq!(money(&d("1234567.5")), "¥1,234,567.5");
        assert_eq!(money(&d("-100")), "-¥100");
        assert_eq!(money(&d("100000")), "¥100,000");
    }

    #[test]
    fn language_tags_read_both_spellings() {
        assert_eq!(parse_tag("zh-CN"), Some(Lang::Zh));
        assert_eq!(parse_tag("EN-gb"), Some(Lang::En));
        assert_eq!(parse_tag("fr"), None);
        assert_eq!(parse_tag(tag(Lang::En)), Some(Lang::En));
    }
}
