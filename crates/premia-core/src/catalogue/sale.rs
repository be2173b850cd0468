//! How a catalogue sells online: the documents a person must be shown and confirm before applying
//! (可回溯), who may insure whom and be named beneficiary, and the policy's dates — when cover starts,
//! the cooling-off period (犹豫期) and the grace period for a missed premium.
//!
//! Catalogue data like rates: validated by `build/sale.rs`, carried by the compiled form without the
//! documents' text (see [`Document::text`]). A product version without [`ProductSale`] can be quoted
//! but not applied for.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::term::CoverageTerm;
use crate::text::Text;
use crate::underwriting::AgeRange;

/// Everything about selling online that a catalogue says. Each part is absent when the catalogue sells
/// nothing online: applications are then refused, never checked against rules nobody wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaleRules {
    /// Every document a product may require, by id.
    pub documents: Vec<Document>,
    /// The product versions sold online, each with its documents and cooling-off period.
    pub products: Vec<ProductSale>,
    pub application: Option<ApplicationRules>,
    pub policy: Option<PolicyRules>,
}

impl SaleRules {
    pub fn document(&self, id: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id)
    }

    /// How version `version` of product `code` is sold online, if it is.
    pub fn product(&self, code: &str, version: u32) -> Option<&ProductSale> {
        self.products.iter().find(|p| p.product == code && p.version == version)
    }

    /// The document whose SHA-256 is `sha256`: how the server finds the text the page asks for by hash
    /// (only a catalogue loaded from its source has the text).
    pub fn document_by_hash(&self, sha256: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.sha256 == sha256)
    }
}

/// A document a person reads and confirms before applying: its text is a file beside the catalogue,
/// hashed into the catalogue's content hash, and identified to the person's confirmation by its own
/// SHA-256, so what was shown can be told apart from any other version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Upper-case id, e.g. `CI2-TERMS`.
    pub id: String,
    pub kind: DocumentKind,
    /// The version as the insurer numbers it (e.g. the filing's `2026-07`); shown beside the title.
    pub version: String,
    pub title: Text,
    /// SHA-256 of the text's UTF-8 bytes, lower-case hex: the document's identity.
    pub sha256: String,
    /// Length of the text in bytes.
    pub bytes: u32,
    /// The text, when the catalogue was loaded from its source (the server, the CLI). The compiled
    /// form leaves it out: the demo's documents are several times the compiled catalogue itself and
    /// would grow what the widget downloads for text read once per purchase; the browser fetches a
    /// document by its `sha256` and checks the hash before showing it.
    pub text: Option<Arc<str>>,
}

/// The four documents online sales must show (《互联网保险业务监管办法》).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 投保须知: what the person should know before applying.
    Notice,
    /// 保险条款: the policy terms.
    Terms,
    /// 责任免除: the exclusions, which the insurer must point out expressly (Insurance Law art. 17).
    Exclusions,
    /// 健康告知: the health declaration (duty of disclosure, art. 16), for products that ask.
    HealthDeclaration,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] =
        crate::variants::every_variant!(DocumentKind { Notice, Terms, Exclusions, HealthDeclaration });

    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Notice => "notice",
            DocumentKind::Terms => "terms",
            DocumentKind::Exclusions => "exclusions",
            DocumentKind::HealthDeclaration => "health_declaration",
        }
    }

    pub fn label(self) -> Text {
        match self {
            DocumentKind::Notice => Text::fixed("投保须知", "notice to applicants"),
            DocumentKind::Terms => Text::fixed("保险条款", "policy terms"),
            DocumentKind::Exclusions => Text::fixed("责任免除", "exclusions"),
            DocumentKind::HealthDeclaration => Text::fixed("健康告知", "health declaration"),
        }
    }
}

/// How one product version is sold online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSale {
    pub product: String,
    pub version: u32,
    /// The documents an application for it must confirm, by id: one of each kind it needs.
    pub documents: Vec<String>,
    /// Days after the policy is issued within which it may be cancelled for a refund of the premium
    /// (犹豫期): at least 15 for long-term cover; 0 for none.
    pub cooling_off_days: u32,
}

/// Who may apply for whom, and who may be named beneficiary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRules {
    /// The policyholder (投保人) must be an adult with full capacity: at least this old.
    pub policyholder_min_age: u32,
    /// A parent is at least this many years older than their child (checked from both birth dates).
    pub parent_min_age_gap: u32,
    /// The relationships an insured may have to the policyholder, each with the insured's ages.
    pub relationships: Vec<RelationshipRule>,
    /// The relationships to the insured a named death beneficiary may have (never `self`).
    pub beneficiary_relationships: Vec<Relationship>,
    pub max_beneficiaries: u32,
}

impl ApplicationRules {
    pub fn relationship(&self, relationship: Relationship) -> Option<&RelationshipRule> {
        self.relationships.iter().find(|r| r.insured_is == relationship)
    }
}

/// A policyholder may insure a person who is their `insured_is`, aged `insured_ages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelationshipRule {
    pub insured_is: Relationship,
    pub insured_ages: AgeRange,
}

/// How two people are related (insurable interest, Insurance Law art. 31): read "the insured is the
/// policyholder's …" or "the beneficiary is the insured's …".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// The same person (本人).
    #[serde(rename = "self")]
    Oneself,
    Spouse,
    Child,
    Parent,
}

impl Relationship {
    pub const ALL: [Relationship; 4] = crate::variants::every_variant!(Relationship { Oneself, Spouse, Child, Parent });

    pub fn name(self) -> &'static str {
        match self {
            Relationship::Oneself => "self",
            Relationship::Spouse => "spouse",
            Relationship::Child => "child",
            Relationship::Parent => "parent",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }

    pub fn label(self) -> Text {
        match self {
            Relationship::Oneself => Text::fixed("本人", "self"),
            Relationship::Spouse => Text::fixed("配偶", "spouse"),
            Relationship::Child => Text::fixed("子女", "child"),
            Relationship::Parent => Text::fixed("父母", "parent"),
        }
    }

    /// The relationship seen from the other side: if B is A's child, A is B's parent.
    pub fn inverse(self) -> Relationship {
        match self {
            Relationship::Child => Relationship::Parent,
            Relationship::Parent => Relationship::Child,
            other => other,
        }
    }
}

/// The policy's dates and what a cancellation in the cooling-off period keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyRules {
    /// Cover starts at 00:00 this many days after the first premium is paid (1: the next day).
    pub effective_days_after_payment: u32,
    /// Days after a regular premium's due date in which the cover stays in force unpaid (Insurance Law
    /// art. 36: 60).
    pub grace_period_days: u32,
    /// What the insurer may keep of the premium on a cancellation within the cooling-off period
    /// (工本费, at most 10 yuan).
    pub cooling_off_fee: Decimal,
}

/// Long-term cover (more than a year) must give at least this cooling-off period.
pub const MIN_LONG_TERM_COOLING_OFF_DAYS: u32 = 15;

/// Whether a coverage term is long-term personal insurance, which needs a cooling-off period.
pub fn is_long_term(term: CoverageTerm) -> bool {
    !matches!(term, CoverageTerm::Years(1))
}
