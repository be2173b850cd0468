//! The policy as a person prints it (电子保单): sections of labelled values in both languages, in
//! the order a reader looks for them. The wording lives here, once; the server turns a [`Printed`]
//! into an HTML page (escaping every value) and [`Printed::to_text`] into plain text, whose golden
//! file (`golden/policy.txt`) makes every wording change a reviewed diff.
//!
//! The printout masks the policyholder's mobile number (`138****8000`) as e-policies do: the paper
//! leaves the house, the signed JSON keeps the number for the insurer's systems.

use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::Serialize;

use super::application::{Beneficiaries, Party};
use super::policy::{Policy, PolicyCoverage};
use crate::text::Text;

/// A policy laid out for printing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Printed {
    pub title: Text,
    /// Printed under the title when the rates are not filed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<Text>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub heading: Text,
    pub rows: Vec<Row>,
}

/// One labelled value. Values that are the same in both languages (numbers, dates, names) carry the
/// same text twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub label: Text,
    pub value: Text,
}

fn row(label: Text, value: Text) -> Row {
    Row { label, value }
}

/// A value written the same in both languages.
fn same(value: impl ToString) -> Text {
    let value = value.to_string();
    Text::new(value.clone(), value)
}

fn yuan(amount: Decimal) -> Text {
    Text::new(format!("{amount} 元"), format!("{amount} yuan"))
}

/// `13800138000` as `138****8000`; anything else as written.
pub fn mask_mobile(mobile: &str) -> String {
    if mobile.len() == 11 && mobile.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}****{}", &mobile[..3], &mobile[7..])
    } else {
        mobile.to_owned()
    }
}

/// Lay `policy` out for printing.
pub fn render(policy: &Policy) -> Printed {
    let mut sections = vec![summary(policy), party(Text::fixed("投保人", "Policyholder"), &policy.policyholder, true)];
    let insured = policy.insured.person.as_ref().unwrap_or(&policy.policyholder);
    let mut insured_section = party(Text::fixed("被保险人", "Insured"), insured, false);
    let relationship = policy.insured.relationship.label();
    insured_section.rows.insert(0, row(Text::fixed("与投保人关系", "relationship to the policyholder"), relationship));
    sections.push(insured_section);
    if let Some(beneficiaries) = &policy.beneficiaries {
        sections.push(beneficiaries_section(beneficiaries));
    }
    sections.extend(policy.coverages.iter().map(coverage));
    sections.push(premiums(policy));
    sections.push(documents(policy));
    let notice = policy.illustrative.then(|| {
        Text::fixed(
            "示例费率与条款，未经备案，不构成保险合同。",
            "Illustrative rates and terms, not filed: this is not an insurance contract.",
        )
    });
    let title =
        Text::new(format!("{} 电子保险单", policy.insurer.zh), format!("{} electronic policy", policy.insurer.en));
    Printed { title, notice, sections }
}

fn summary(policy: &Policy) -> Section {
    let mut rows = vec![
        row(Text::fixed("保单号", "policy number"), same(&policy.number)),
        row(Text::fixed("签发日期", "issued on"), same(policy.issued_on)),
        row(
            Text::fixed("生效时间", "cover starts"),
            Text::new(format!("{} 零时", policy.effective_from), format!("{} at 00:00", policy.effective_from)),
        ),
    ];
    let (days, fee) = (policy.cooling_off.days, policy.cooling_off.fee);
    let cooling_off = match policy.cooling_off.until {
        Some(until) if fee.is_zero() => Text::new(
            format!("{days} 天，至 {until}（期内解除合同退还全部已交保险费）"),
            format!("{days} days, to {until} (a cancellation within it refunds every premium paid)"),
        ),
        Some(until) => Text::new(
            format!("{days} 天，至 {until}（期内解除合同退还已交保险费，扣除工本费 {fee} 元）"),
            format!(
                "{days} days, to {until} (a cancellation within it refunds the premiums paid less a fee of {fee} yuan)"
            ),
        ),
        None => Text::fixed("无", "none"),
    };
    rows.push(row(Text::fixed("犹豫期", "cooling-off period"), cooling_off));
    let channel = match &policy.channel {
        crate::request::Channel::Direct => Text::fixed("官网直销", "direct online"),
        crate::request::Channel::Agent { agent_code } => {
            Text::new(format!("代理人 {agent_code}"), format!("agent {agent_code}"))
        }
    };
    rows.push(row(Text::fixed("销售渠道", "channel"), channel));
    rows.push(row(
        Text::fixed("产品目录", "catalogue"),
        same(format!("{} {} ({})", policy.catalogue.id, policy.catalogue.version, policy.catalogue.content_hash)),
    ));
    rows.push(row(Text::fixed("报价摘要", "quote digest"), same(&policy.quote_digest)));
    Section { heading: Text::fixed("保单信息", "Policy"), rows }
}

fn party(heading: Text, person: &Party, contacts: bool) -> Section {
    let mut rows = vec![
        row(Text::fixed("姓名", "name"), same(&person.name)),
        row(Text::fixed("性别", "sex"), person.sex.label()),
        row(Text::fixed("出生日期", "born"), same(person.birth_date)),
    ];
    if contacts {
        if let Some(mobile) = &person.mobile {
            rows.push(row(Text::fixed("手机号码", "mobile"), same(mask_mobile(mobile))));
        }
        if let Some(address) = &person.address {
            rows.push(row(Text::fixed("地址", "address"), same(format!("{} {}", address.region, address.detail))));
        }
    }
    Section { heading, rows }
}

fn beneficiaries_section(beneficiaries: &Beneficiaries) -> Section {
    let heading = Text::fixed("身故受益人", "Death beneficiaries");
    let label = Text::fixed("受益人", "beneficiary");
    let rows = match beneficiaries {
        Beneficiaries::Statutory => vec![row(label, Text::fixed("法定继承人", "the insured's heirs by law"))],
        Beneficiaries::Named { people } => people
            .iter()
            .map(|b| {
                let r = b.relationship.label();
                row(
                    label.clone(),
                    Text::new(
                        format!("{}（被保险人的{}），第 {} 顺序，份额 {}%", b.name, r.zh, b.order, b.share),
                        format!("{} (the insured's {}), order {}, share {}%", b.name, r.en, b.order, b.share),
                    ),
                )
            })
            .collect(),
    };
    Section { heading, rows }
}

fn coverage(c: &PolicyCoverage) -> Section {
    let mut rows = vec![row(Text::fixed("险种", "line"), c.line.label())];
    if let Some(amount) = c.sum_assured {
        rows.push(row(Text::fixed("基本保险金额", "sum assured"), yuan(amount)));
    }
    if let Some(amount) = c.annuity_amount {
        rows.push(row(Text::fixed("年金金额", "annuity a year"), yuan(amount)));
    }
    let until = match c.cover_until {
        Some(until) => Text::new(
            format!("{} 零时至 {until} 二十四时", c.cover_from),
            format!("00:00 {} to 24:00 {until}", c.cover_from),
        ),
        None => Text::new(format!("{} 零时起终身", c.cover_from), format!("from 00:00 {} for life", c.cover_from)),
    };
    let term = c.coverage_term.label();
    rows.push(row(
        Text::fixed("保险期间", "term of cover"),
        Text::new(format!("{}：{}", term.zh, until.zh), format!("{}: {}", term.en, until.en)),
    ));
    let (pay, frequency) = (c.payment_term.label(), c.frequency.label());
    rows.push(row(
        Text::fixed("交费方式", "premiums"),
        Text::new(
            format!("{}，{}，每期 {} 元", pay.zh, frequency.zh, c.instalment_premium),
            format!("{}, {}, {} yuan each", pay.en, frequency.en, c.instalment_premium),
        ),
    ));
    for rider in &c.riders {
        rows.push(row(
            Text::fixed("附加险", "rider"),
            Text::new(
                format!("{}，保额 {} 元", rider.name.zh, rider.sum_assured),
                format!("{}, sum assured {} yuan", rider.name.en, rider.sum_assured),
            ),
        ));
    }
    for exclusion in &c.exclusions {
        rows.push(row(Text::fixed("特别约定", "special condition"), exclusion.clone()));
    }
    if let Some(loading) = c.loading {
        let percent = (loading * Decimal::ONE_HUNDRED).normalize();
        rows.push(row(
            Text::fixed("加费", "loading"),
            Text::new(format!("已含 {percent}% 加费"), format!("{percent}% loading included")),
        ));
    }
    let heading = Text::new(
        format!("保障：{}（{} 第 {} 版）", c.name.zh, c.product, c.product_version),
        format!("Cover: {} ({} version {})", c.name.en, c.product, c.product_version),
    );
    Section { heading, rows }
}

fn premiums(policy: &Policy) -> Section {
    let s = &policy.schedule;
    let t = &s.totals;
    let mut rows = Vec::new();
    if let Some(first) = s.payments.first() {
        rows.push(row(
            Text::fixed("首期保险费（已交）", "first premium (paid)"),
            Text::new(
                format!("{} 元，{} 交纳", first.amount, first.due_on),
                format!("{} yuan, paid {}", first.amount, first.due_on),
            ),
        ));
    }
    for c in &s.coverages {
        rows.push(row(
            Text::new(format!("{} 交费计划", c.name.zh), format!("{} premiums", c.name.en)),
            Text::new(
                format!(
                    "每期 {} 元，共 {} 期，末期交费日 {}，合计 {} 元",
                    c.instalment, c.payments, c.last_due_on, c.total
                ),
                format!(
                    "{} yuan each, {} in all, the last due {}, {} yuan in total",
                    c.instalment, c.payments, c.last_due_on, c.total
                ),
            ),
        ));
    }
    if let Some(next) = s.payments.get(1) {
        let grace = next.grace_until.map_or_else(String::new, |g| g.to_string());
        rows.push(row(
            Text::fixed("下期保险费", "next premium"),
            Text::new(
                format!("{} 元，{} 应交（宽限期至 {grace}）", next.amount, next.due_on),
                format!("{} yuan, due {} (grace period to {grace})", next.amount, next.due_on),
            ),
        ));
    }
    rows.push(row(Text::fixed("首年保险费", "first-year premiums"), yuan(t.first_year_net)));
    if t.discount > Decimal::ZERO {
        rows.push(row(Text::fixed("优惠合计", "discounts in all"), yuan(t.discount)));
    }
    rows.push(row(Text::fixed("保险费合计", "premiums in all"), yuan(t.net)));
    Section { heading: Text::fixed("保险费", "Premiums"), rows }
}

fn documents(policy: &Policy) -> Section {
    let rows = policy
        .documents
        .iter()
        .map(|d| {
            let kind = d.kind.label();
            row(
                kind,
                Text::new(
                    format!(
                        "《{}》{} 版，SHA-256 {}，{} 确认",
                        d.title.zh,
                        d.version,
                        d.sha256,
                        d.confirmed_at.to_rfc3339()
                    ),
                    format!(
                        "{}, version {}, SHA-256 {}, confirmed {}",
                        d.title.en,
                        d.version,
                        d.sha256,
                        d.confirmed_at.to_rfc3339()
                    ),
                ),
            )
        })
        .collect();
    Section { heading: Text::fixed("已阅读并确认的文件", "Documents read and confirmed"), rows }
}

impl Printed {
    /// Plain text, Chinese then English for each row: for a terminal, an e-mail, the golden file.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{}\n{}", self.title.zh, self.title.en);
        if let Some(notice) = &self.notice {
            let _ = writeln!(out, "{}\n{}", notice.zh, notice.en);
        }
        for section in &self.sections {
            let _ = writeln!(out, "\n== {} / {}", section.heading.zh, section.heading.en);
            for r in &section.rows {
                let _ = writeln!(out, "{}：{}", r.label.zh, r.value.zh);
                if r.label.en != r.label.zh || r.value.en != r.value.zh {
                    let _ = writeln!(out, "  {}: {}", r.label.en, r.value.en);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::sale::Relationship;
    use crate::purchase::fixture::{catalogue, form_for, id, quote, today};
    use crate::purchase::form::{BeneficiariesForm, BeneficiaryForm};
    use crate::term::Frequency;

    /// The printed policy's wording, reviewed as a diff: `PREMIA_BLESS=1 cargo test -p premia-core
    /// printed_policy` rewrites the golden file. The catalogue's hash and the quote's digest are
    /// replaced by names: they change with any catalogue edit, which is not a wording change.
    #[test]
    fn printed_policy() {
        let wife = id("19820202", 22);
        let q = quote("TERM", 500_000, "years:20", "years:20", Frequency::Monthly, &wife);
        let mut form = form_for(&q, Relationship::Spouse, "李丽", &wife);
        form.beneficiaries = Some(BeneficiariesForm::Named {
            people: vec![BeneficiaryForm {
                name: "王小明".into(),
                resident_id: id("20150307", 13),
                relationship: Relationship::Child,
                order: 1,
                share: Decimal::ONE_HUNDRED,
            }],
        });
        let application = crate::purchase::check(catalogue(), &q, &form, today()).unwrap().application;
        let policy = crate::purchase::issue(catalogue(), &q, &application, "P2026112500000042", today()).unwrap();
        let text = render(&policy)
            .to_text()
            .replace(&policy.catalogue.content_hash, "<catalogue hash>")
            .replace(&policy.quote_digest, "<quote digest>");
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/purchase/golden/policy.txt");
        if std::env::var_os("PREMIA_BLESS").is_some() {
            std::fs::write(path, &text).unwrap();
        }
        let golden = std::fs::read_to_string(path).unwrap_or_default();
        assert!(golden == text, "the printed policy changed; review and bless it:\n{text}");
        assert!(text.contains("138****8000") && !text.contains("13800138000"), "the mobile number is masked");
    }
}
