//! The catalogue versions the server knows, and which one is in force on a given day.
//!
//! Each version is served as a JSON document carrying the TOML text and every file it refers to, so a
//! browser or CRM can load exactly the catalogue the server prices with (`Catalogue::load` in the wasm
//! build) and cache it by its content hash (ETag).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use premia_core::Catalogue;
use serde::Serialize;

/// One loaded catalogue version with its served document.
#[derive(Debug)]
pub struct Version {
    pub catalogue: Catalogue,
    /// `GET /api/catalogue/{version}`, serialized once.
    pub document: Vec<u8>,
    /// Strong ETag: the catalogue's content hash.
    pub etag: String,
}

/// Every configured version, oldest `effective_from` first.
#[derive(Debug)]
pub struct Catalogues {
    versions: Vec<Version>,
}

#[derive(Serialize)]
struct Document<'a> {
    id: &'a str,
    version: &'a str,
    effective_from: NaiveDate,
    content_hash: &'a str,
    illustrative: bool,
    quote_validity_days: u32,
    /// The catalogue TOML, as loaded.
    document: &'a str,
    /// Files the catalogue refers to, by the path written in it.
    files: &'a BTreeMap<String, String>,
}

thread_local! {
    /// Per-thread copies of the catalogues, by content hash (see [`Version::local`]).
    static LOCAL: std::cell::RefCell<Vec<(String, std::rc::Rc<Catalogue>)>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Version {
    /// This thread's own copy of the catalogue. A catalogue caches the coupon tokens it has verified
    /// behind a lock; one copy per worker thread keeps workers from queueing on that lock (measured:
    /// `premia verify` on two threads went from 71,000 to 123,000 quotes/s).
    pub fn local(&self) -> std::rc::Rc<Catalogue> {
        LOCAL.with_borrow_mut(|copies| {
            if let Some((_, copy)) = copies.iter().find(|(hash, _)| *hash == self.catalogue.content_hash) {
                return std::rc::Rc::clone(copy);
            }
            let copy = std::rc::Rc::new(self.catalogue.clone());
            copies.push((self.catalogue.content_hash.clone(), std::rc::Rc::clone(&copy)));
            copy
        })
    }
}

impl Catalogues {
    /// Load the given TOML files, or the embedded demo catalogue when there are none.
    pub fn load(paths: &[PathBuf]) -> anyhow::Result<Catalogues> {
        let mut versions = Vec::new();
        if paths.is_empty() {
            let files = premia_core::demo::FILES.iter().map(|(p, t)| ((*p).to_owned(), (*t).to_owned())).collect();
            let catalogue = premia_core::demo::try_catalogue().map_err(|e| anyhow::anyhow!("{e}"))?;
            versions.push(version(catalogue, premia_core::demo::TOML, &files));
        }
        for path in paths {
            versions.push(load_file(path)?);
        }
        versions.sort_by_key(|v| v.catalogue.effective_from);
        for pair in versions.windows(2) {
            let (a, b) = (&pair[0].catalogue, &pair[1].catalogue);
            if a.version == b.version {
                bail!("catalogue version {} is configured twice", a.version);
            }
            if a.effective_from == b.effective_from {
                bail!("catalogue versions {} and {} take effect on the same day", a.version, b.version);
            }
        }
        Ok(Catalogues { versions })
    }

    /// The version in force on `today`: the latest that has taken effect; before any has, the earliest
    /// (the engine then refuses quotes with `catalogue.not_in_force`).
    pub fn in_force(&self, today: NaiveDate) -> &Version {
        self.versions.iter().rev().find(|v| v.catalogue.effective_from <= today).unwrap_or(&self.versions[0])
    }

    pub fn get(&self, version: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.catalogue.version == version)
    }

    pub fn all(&self) -> &[Version] {
        &self.versions
    }
}

fn version(catalogue: Catalogue, toml: &str, files: &BTreeMap<String, String>) -> Version {
    let document = serde_json::to_vec(&Document {
        id: &catalogue.id,
        version: &catalogue.version,
        effective_from: catalogue.effective_from,
        content_hash: &catalogue.content_hash,
        illustrative: catalogue.illustrative,
        quote_validity_days: catalogue.quote_validity_days,
        document: toml,
        files,
    })
    .unwrap_or_default();
    let etag = format!("\"{}\"", catalogue.content_hash);
    Version { catalogue, document, etag }
}

/// Load a catalogue file, resolving the files it names relative to its folder, and remember them.
fn load_file(path: &Path) -> anyhow::Result<Version> {
    let toml = std::fs::read_to_string(path).with_context(|| format!("reading catalogue {}", path.display()))?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let files = RefCell::new(BTreeMap::new());
    let resolve = |name: &str| -> Option<String> {
        let text = std::fs::read_to_string(folder.join(name)).ok()?;
        files.borrow_mut().insert(name.to_owned(), text.clone());
        Some(text)
    };
    let catalogue = Catalogue::load(&toml, &resolve)
        .map_err(|e| anyhow::anyhow!("catalogue {} is invalid:\n{e}", path.display()))?;
    Ok(version(catalogue, &toml, &files.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_the_default_and_in_force() {
        let catalogues = Catalogues::load(&[]).unwrap();
        assert_eq!(catalogues.all().len(), 1);
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let version = catalogues.in_force(today);
        assert_eq!(version.catalogue.id, "PREMIA-DEMO");
        let document: serde_json::Value = serde_json::from_slice(&version.document).unwrap();
        assert_eq!(document["version"], version.catalogue.version.as_str());
        assert_eq!(document["files"].as_object().unwrap().len(), premia_core::demo::FILES.len());
        // What is served loads into the same catalogue, byte for byte: same content hash.
        let files = document["files"].as_object().unwrap().clone();
        let resolve = |p: &str| files.get(p).and_then(|v| v.as_str()).map(str::to_owned);
        let reloaded = Catalogue::load(document["document"].as_str().unwrap(), &resolve).unwrap();
        assert_eq!(reloaded.content_hash, version.catalogue.content_hash);
        assert_eq!(version.etag, format!("\"{}\"", version.catalogue.content_hash));
    }

    #[test]
    fn catalogue_files_load_with_their_tables() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalogue/demo.toml");
        let catalogues = Catalogues::load(&[root]).unwrap();
        let demo = premia_core::demo::catalogue();
        assert_eq!(catalogues.all()[0].catalogue.content_hash, demo.content_hash);
        assert!(Catalogues::load(&[PathBuf::from("/no/such/catalogue.toml")]).is_err());
    }
}
