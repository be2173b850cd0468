//! Product bundles by age band (产品组合) and recommendations.
//!
//! A bundle is catalogue data: products with default amounts and terms, the ages it is offered to, a
//! rank (order of preference), an optional bundle discount and a reason shown to the customer.
//! [`recommend`] quotes every bundle offered at a person's age and ranks them; a bundle whose product
//! is declined is offered without it, or not at all, as the bundle says.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::error::Errors;
use crate::pricing::quote::Quote;
use crate::request::{Channel, CoverageRequest, Insured, QuoteRequest};
use crate::text::Text;
use crate::underwriting::Outcome;

use super::{Bundle, IfDeclined};

/// The person a recommendation is for: the insured, the channel and any coupons they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub insured: Insured,
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<String>,
}

/// Read a profile from a JSON tree, every broken field named (see [`crate::wire::reader`]).
pub fn profile_from_json(value: &crate::wire::json::Json) -> Result<Profile, crate::error::Errors> {
    use crate::request::{read_channel, read_insured};
    use crate::wire::reader::Reader;
    let mut r = Reader::new();
    let profile = r.object(value, "", &["insured", "channel", "coupons"]).and_then(|object| {
        let insured = r.required(object, "", "insured", read_insured);
        let channel = r.required(object, "", "channel", read_channel);
        let coupons = r.defaulted(object, "", "coupons", Reader::strings);
        Some(Profile { insured: insured?, channel: channel?, coupons: coupons? })
    });
    r.finish(profile)
}

/// A bundle offered to a person, already quoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    pub bundle: String,
    pub name: Text,
    pub reason: Text,
    pub rank: u32,
    /// Products of the bundle left out because underwriting declined them or they cannot be quoted at
    /// this age, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<DroppedProduct>,
    pub quote: Quote,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DroppedProduct {
    pub product: String,
    pub reason: Text,
}

/// The bundles `profile` may buy on `date`, ranked: by the catalogue's order of preference, then by
/// first-year premium. Errors only when the profile itself is unusable (e.g. no birth date).
pub fn recommend(catalogue: &Catalogue, profile: &Profile, date: NaiveDate) -> Result<Vec<Recommendation>, Errors> {
    let age = crate::pricing::engine::insured_age(&profile.insured, date)?;
    let mut offers = Vec::new();
    for bundle in catalogue.bundles.iter().filter(|b| b.ages.contains(age)) {
        if let Some(offer) = offer(catalogue, profile, bundle, date)? {
            offers.push(offer);
        }
    }
    offers.sort_by(|a, b| {
        (a.rank, a.quote.totals.net_first_year_premium).cmp(&(b.rank, b.quote.totals.net_first_year_premium))
    });
    Ok(offers)
}

fn offer(
    catalogue: &Catalogue,
    profile: &Profile,
    bundle: &Bundle,
    date: NaiveDate,
) -> Result<Option<Recommendation>, Errors> {
    let mut items = bundle.items.clone();
    let mut dropped = Vec::new();
    loop {
        let request = QuoteRequest {
            quote_date: date,
            insured: profile.insured.clone(),
            coverages: items.clone(),
            channel: profile.channel.clone(),
            coupons: profile.coupons.clone(),
            bundle: Some(bundle.id.clone()),
        };
        let drop = match crate::pricing::engine::quote(catalogue, &request) {
            Ok(quote) if quote.declined.is_empty() && !quote.coverages.is_empty() => {
                return Ok(Some(Recommendation {
                    bundle: bundle.id.clone(),
                    name: bundle.name.clone(),
                    reason: bundle.reason.clone(),
                    rank: bundle.rank,
                    dropped,
                    quote,
                }));
            }
            Ok(quote) => quote
                .declined
                .iter()
                .map(|d| {
                    let why = d.decision.reasons.iter().find(|r| r.outcome == Outcome::Decline);
                    (d.product.clone(), why.map_or_else(|| Outcome::Decline.label(), |r| r.message.clone()))
                })
                .collect::<Vec<_>>(),
            Err(errors) => products_in_error(errors, &items)?,
        };
        if drop.is_empty() || bundle.if_declined == IfDeclined::DropBundle {
            return Ok(None);
        }
        items.retain(|item| !drop.iter().any(|(product, _)| *product == item.product));
        dropped.extend(drop.into_iter().map(|(product, reason)| DroppedProduct { product, reason }));
        if items.is_empty() {
            return Ok(None);
        }
    }
}

/// Errors that name a coverage mean that product cannot be sold to this person (e.g. outside its
/// issue ages): drop it. Any other error is about the profile, and is returned. (Taken by value: the
/// errors returned are moved, not cloned, which keeps `ErrorKind`'s `Clone` out of the browser build.)
fn products_in_error(errors: Errors, items: &[CoverageRequest]) -> Result<Vec<(String, Text)>, Errors> {
    let mut products = Vec::new();
    let mut other = Vec::new();
    for e in errors.into_vec() {
        let index = e.field.strip_prefix("coverages[").and_then(|rest| rest.split(']').next()?.parse::<usize>().ok());
        match index.and_then(|i| items.get(i)) {
            Some(item) => {
                if !products.iter().any(|(p, _): &(String, Text)| *p == item.product) {
                    products.push((item.product.clone(), e.message()));
                }
            }
            None => other.push(e),
        }
    }
    match Errors::from_vec(other) {
        Some(errors) => Err(errors),
        None => Ok(products),
    }
}
