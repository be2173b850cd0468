//! Validation of how a catalogue sells online: its documents (read, hashed, each with its own SHA-256),
//! the application rules, the policy's dates, and each product version's documents and cooling-off
//! period. Every problem is collected with its place, like the rest of `build`.

use std::sync::Arc;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::Builder;
use crate::catalogue::Product;
use crate::catalogue::raw::{RawApplicationRules, RawDocument, RawPolicyRules, RawProductSale};
use crate::catalogue::sale::{
    ApplicationRules, Document, DocumentKind, MIN_LONG_TERM_COOLING_OFF_DAYS, PolicyRules, ProductSale, Relationship,
    RelationshipRule, SaleRules, is_long_term,
};
use crate::error::{ErrorKind, Noun};
use crate::text::Quoted;
use crate::underwriting::Rules as UnderwritingRules;

/// The raw online-sale parts of a catalogue, gathered before the products are built.
#[derive(Debug, Default)]
pub(super) struct RawSale {
    pub documents: Vec<RawDocument>,
    pub application: Option<RawApplicationRules>,
    pub policy: Option<RawPolicyRules>,
    /// Each product version's `sale`, by code and version.
    pub products: Vec<(String, u32, RawProductSale)>,
}

impl Builder<'_> {
    pub(super) fn sale(&mut self, raw: RawSale, products: &[Product], underwriting: &UnderwritingRules) -> SaleRules {
        let documents = self.documents(raw.documents);
        let application = raw.application.and_then(|a| self.application_rules(a));
        let policy = raw.policy.and_then(|p| self.policy_rules(&p));
        let mut sales = Vec::new();
        for (code, version, sale) in raw.products {
            let field = format!("product[{code} v{version}].sale");
            // A product that failed its own validation has already said why.
            let Some(product) = products.iter().find(|p| p.code == code && p.version == version) else { continue };
            if let Some(sale) = self.product_sale(sale, product, &documents, underwriting, &field) {
                sales.push(sale);
            }
        }
        if !sales.is_empty() {
            // Selling online without these would leave applications to rules nobody wrote.
            if application.is_none() && self.errors.iter().all(|e| !e.field.starts_with("application")) {
                self.error("application", ErrorKind::Required);
            }
            if policy.is_none() && self.errors.iter().all(|e| !e.field.starts_with("policy")) {
                self.error("policy", ErrorKind::Required);
            }
        }
        SaleRules { documents, products: sales, application, policy }
    }

    fn documents(&mut self, raw: Vec<RawDocument>) -> Vec<Document> {
        let mut documents: Vec<Document> = Vec::new();
        for d in raw {
            let field = format!("document[{}]", d.id);
            self.new_id(Noun::Document, &d.id, documents.iter().any(|x| x.id == d.id), &field);
            if d.version.trim().is_empty() {
                self.error(format!("{field}.version"), ErrorKind::Required);
            }
            if d.title.zh.trim().is_empty() || d.title.en.trim().is_empty() {
                self.error(format!("{field}.title"), ErrorKind::Empty);
            }
            let Some(text) = self.file(&d.file, &format!("{field}.file")) else { continue };
            if text.trim().is_empty() {
                self.error(format!("{field}.file"), ErrorKind::Empty);
                continue;
            }
            let Ok(bytes) = u32::try_from(text.len()) else {
                self.error(format!("{field}.file"), ErrorKind::Syntax { message: "larger than 4 GiB".into() });
                continue;
            };
            let sha256 = crate::wire::hex(&Sha256::digest(text.as_bytes()));
            let (id, kind, version, title) = (d.id, d.kind, d.version, d.title);
            documents.push(Document { id, kind, version, title, sha256, bytes, text: Some(Arc::from(text)) });
        }
        documents
    }

    fn application_rules(&mut self, raw: RawApplicationRules) -> Option<ApplicationRules> {
        let before = self.errors.len();
        // An adult (Civil Code art. 17); the lower bound is the law's, the upper one a typo guard.
        self.whole_in(raw.policyholder_min_age, 18, 100, "application.policyholder_min_age");
        self.whole_in(raw.parent_min_age_gap, 10, 60, "application.parent_min_age_gap");
        self.whole_in(raw.max_beneficiaries, 1, 20, "application.max_beneficiaries");
        let mut relationships: Vec<RelationshipRule> = Vec::new();
        for (i, r) in raw.relationships.iter().enumerate() {
            let field = format!("application.relationships[{i}]");
            if relationships.iter().any(|x| x.insured_is == r.insured_is) {
                let name = r.insured_is.name().to_owned();
                self.error(&field, ErrorKind::Duplicate { what: Noun::Relationship, name });
            }
            if let Some(insured_ages) = self.age_range(&r.insured_ages, &format!("{field}.insured_ages")) {
                relationships.push(RelationshipRule { insured_is: r.insured_is, insured_ages });
            }
        }
        if raw.relationships.is_empty() {
            self.error("application.relationships", ErrorKind::Empty);
        }
        let mut beneficiary_relationships = Vec::new();
        for (i, &r) in raw.beneficiary_relationships.iter().enumerate() {
            let field = format!("application.beneficiary_relationships[{i}]");
            if r == Relationship::Oneself {
                let message = "the insured cannot be the beneficiary of a death benefit".to_owned();
                self.error(field, ErrorKind::Syntax { message });
            } else if beneficiary_relationships.contains(&r) {
                self.error(field, ErrorKind::Duplicate { what: Noun::Relationship, name: r.name().to_owned() });
            } else {
                beneficiary_relationships.push(r);
            }
        }
        if raw.beneficiary_relationships.is_empty() {
            self.error("application.beneficiary_relationships", ErrorKind::Empty);
        }
        (self.errors.len() == before).then_some(ApplicationRules {
            policyholder_min_age: raw.policyholder_min_age,
            parent_min_age_gap: raw.parent_min_age_gap,
            relationships,
            beneficiary_relationships,
            max_beneficiaries: raw.max_beneficiaries,
        })
    }

    fn policy_rules(&mut self, raw: &RawPolicyRules) -> Option<PolicyRules> {
        let before = self.errors.len();
        self.whole_in(raw.effective_days_after_payment, 0, 30, "policy.effective_days_after_payment");
        // Insurance Law art. 36: sixty days unless the contract gives more.
        self.whole_in(raw.grace_period_days, 60, 366, "policy.grace_period_days");
        let fee = self.dec_in(&raw.cooling_off_fee, "policy.cooling_off_fee", Decimal::ZERO, Decimal::TEN);
        (self.errors.len() == before).then_some(PolicyRules {
            effective_days_after_payment: raw.effective_days_after_payment,
            grace_period_days: raw.grace_period_days,
            cooling_off_fee: fee?,
        })
    }

    fn whole_in(&mut self, value: u32, min: u32, max: u32, field: &str) {
        if !(min..=max).contains(&value) {
            let (value, min, max) = (value.to_string(), min.to_string(), max.to_string());
            self.error(field, ErrorKind::OutOfRange { value, min, max });
        }
    }

    /// A product version's documents (one of each kind it needs, the health declaration only if it
    /// asks health questions, quoting each of them) and its cooling-off period.
    fn product_sale(
        &mut self,
        raw: RawProductSale,
        product: &Product,
        documents: &[Document],
        underwriting: &UnderwritingRules,
        field: &str,
    ) -> Option<ProductSale> {
        let before = self.errors.len();
        let mut named: Vec<&Document> = Vec::new();
        for (i, id) in raw.documents.iter().enumerate() {
            let at = format!("{field}.documents[{i}]");
            match documents.iter().find(|d| &d.id == id) {
                None => self.error(at, ErrorKind::Unknown { what: Noun::Document, name: id.clone() }),
                Some(d) if named.iter().any(|n| n.id == d.id) => {
                    self.error(at, ErrorKind::Duplicate { what: Noun::Document, name: id.clone() });
                }
                Some(d) => named.push(d),
            }
        }
        let asks = !product.underwriting.questions.is_empty();
        for kind in DocumentKind::ALL {
            let count = named.iter().filter(|d| d.kind == kind).count();
            let needed = kind != DocumentKind::HealthDeclaration || asks;
            let message = match (needed, count) {
                (true, 1) | (false, 0) => continue,
                (true, 0) => format!("names no document of kind \"{}\"", kind.name()),
                (true, _) => format!("names {count} documents of kind \"{}\"; one is shown", kind.name()),
                (false, _) => format!("asks no health questions but names a document of kind \"{}\"", kind.name()),
            };
            self.error(format!("{field}.documents"), ErrorKind::Syntax { message });
        }
        if let Some(declaration) = named.iter().find(|d| d.kind == DocumentKind::HealthDeclaration) {
            self.declaration_quotes_questions(declaration, product, underwriting, field);
        }
        let long_term = product.coverage_terms.iter().any(|&t| is_long_term(t));
        let min_days = if long_term { MIN_LONG_TERM_COOLING_OFF_DAYS } else { 0 };
        self.whole_in(raw.cooling_off_days, min_days, 366, &format!("{field}.cooling_off_days"));
        (self.errors.len() == before).then(|| ProductSale {
            product: product.code.clone(),
            version: product.version,
            documents: raw.documents,
            cooling_off_days: raw.cooling_off_days,
        })
    }

    /// The declaration a person confirms must be the questions they answered: each in both languages.
    fn declaration_quotes_questions(
        &mut self,
        declaration: &Document,
        product: &Product,
        underwriting: &UnderwritingRules,
        field: &str,
    ) {
        let text = declaration.text.as_deref().unwrap_or_default();
        for id in &product.underwriting.questions {
            let Some(question) = underwriting.questions.iter().find(|q| &q.id == id) else { continue };
            for wording in [&question.text.zh, &question.text.en] {
                if !text.contains(wording.as_ref()) {
                    let message = format!(
                        "health declaration {} does not quote question {id} as asked: {}",
                        declaration.id,
                        Quoted(wording)
                    );
                    self.error(format!("{field}.documents"), ErrorKind::Syntax { message });
                }
            }
        }
    }
}
