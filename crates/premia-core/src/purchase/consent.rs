//! Consent that can be traced back (可回溯): the documents an application for a quote must confirm —
//! for each product version priced, its notice, terms, exclusions and (if it asks health questions)
//! health declaration, each once — and whether the confirmations an application carries are exactly
//! those, in the versions in force (by SHA-256).

use super::Rule;
use super::form::Confirmation;
use crate::catalogue::sale::Document;
use crate::catalogue::{Catalogue, Product, Rating};
use crate::error::{Error, ErrorKind, Errors};
use crate::pricing::quote::{CoverageQuote, Quote};

/// The product version a coverage was priced by.
pub fn product_of<'c>(catalogue: &'c Catalogue, coverage: &CoverageQuote) -> Option<&'c Product> {
    catalogue.all_products().iter().find(|p| p.code == coverage.product && p.version == coverage.product_version)
}

/// Whether anything priced pays on the insured's death (then beneficiaries are named, an adult insured
/// consents, and only a parent insures a minor).
pub fn pays_on_death(catalogue: &Catalogue, quote: &Quote) -> bool {
    quote.coverages.iter().filter_map(|c| product_of(catalogue, c)).any(|p| p.underwriting.death_benefit)
}

/// Whether anything priced is priced by region (惠民保), which insures the region's residents.
pub fn priced_by_region(catalogue: &Catalogue, quote: &Quote) -> bool {
    quote.coverages.iter().filter_map(|c| product_of(catalogue, c)).any(|p| matches!(p.rating, Rating::Flat { .. }))
}

/// The documents an application for `quote` must confirm, each once: the notices first, then terms,
/// exclusions and health declarations, each kind in the order of the quote's coverages. An error for
/// a quote from another catalogue, with nothing priced, or with a product version not sold online.
pub fn required<'c>(catalogue: &'c Catalogue, quote: &Quote) -> Result<Vec<&'c Document>, Errors> {
    let fail = |field: &str, rule| Errors::one(field, ErrorKind::Purchase(rule));
    if quote.catalogue.content_hash != catalogue.content_hash {
        let rule =
            Rule::OtherCatalogue { quote: quote.catalogue.version.clone(), catalogue: catalogue.version.clone() };
        return Err(fail("quote.catalogue", rule));
    }
    if quote.coverages.is_empty() {
        return Err(fail("quote.coverages", Rule::NothingToApplyFor));
    }
    let mut errors = Vec::new();
    let mut documents: Vec<&Document> = Vec::new();
    for (i, coverage) in quote.coverages.iter().enumerate() {
        let sale = catalogue.sale.product(&coverage.product, coverage.product_version);
        let Some(sale) = sale else {
            let rule = Rule::NotSoldOnline { product: coverage.name.clone() };
            errors.push(Error::new(format!("quote.coverages[{i}].product"), ErrorKind::Purchase(rule)));
            continue;
        };
        // Validation made every id name a document.
        for document in sale.documents.iter().filter_map(|id| catalogue.sale.document(id)) {
            if !documents.iter().any(|d| d.id == document.id) {
                documents.push(document);
            }
        }
    }
    if let Some(errors) = Errors::from_vec(errors) {
        return Err(errors);
    }
    // Stable: within a kind, the order of first appearance.
    documents.sort_by_key(|d| d.kind);
    Ok(documents)
}

/// Whether `confirmations` confirm exactly the documents [`required`] for `quote`, in the versions in
/// force: every one missing, of another version, not required or confirmed twice is an error naming
/// the document in both languages.
pub fn check(catalogue: &Catalogue, quote: &Quote, confirmations: &[Confirmation]) -> Result<(), Errors> {
    let required = required(catalogue, quote)?;
    let mut errors = Vec::new();
    let fail = |errors: &mut Vec<Error>, field: String, rule| errors.push(Error::new(field, ErrorKind::Purchase(rule)));
    for (i, confirmation) in confirmations.iter().enumerate() {
        let field = |name: &str| format!("confirmations[{i}].{name}");
        let id = &confirmation.document;
        let Some(document) = required.iter().find(|d| &d.id == id) else {
            fail(&mut errors, field("document"), Rule::DocumentNotRequired { document: id.clone() });
            continue;
        };
        if confirmations[..i].iter().any(|c| &c.document == id) {
            fail(&mut errors, field("document"), Rule::DocumentTwice { document: id.clone() });
            continue;
        }
        let sha256 = confirmation.sha256.trim().to_ascii_lowercase();
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            let message = "expected a SHA-256 written as 64 hexadecimal digits".to_owned();
            errors.push(Error::new(field("sha256"), ErrorKind::Syntax { message }));
        } else if sha256 != document.sha256 {
            let rule = Rule::DocumentOutdated { title: document.title.clone(), version: document.version.clone() };
            fail(&mut errors, field("sha256"), rule);
        }
    }
    for document in required.iter().filter(|d| !confirmations.iter().any(|c| c.document == d.id)) {
        let rule = Rule::DocumentNotConfirmed { title: document.title.clone(), version: document.version.clone() };
        fail(&mut errors, "confirmations".to_owned(), rule);
    }
    Errors::from_vec(errors).map_or(Ok(()), Err)
}
