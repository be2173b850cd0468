//! Reading files: catalogues (with the CSV files they refer to) and JSON documents.

use std::fs;
use std::io::Read;
use std::path::Path;

use premia_core::Catalogue;
use serde::de::DeserializeOwned;

use crate::output::Failure;

/// Load the catalogue at `path`, or the embedded demo catalogue. Files the catalogue refers to are
/// read relative to its directory.
pub fn catalogue(path: Option<&Path>) -> Result<Catalogue, Failure> {
    let Some(path) = path else {
        return premia_core::demo::try_catalogue().map_err(Failure::Rules);
    };
    let text = read_text(path)?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let resolve = |name: &str| fs::read_to_string(dir.join(name)).ok();
    Catalogue::load(&text, &resolve).map_err(Failure::Rules)
}

pub fn read_text(path: &Path) -> Result<String, Failure> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| Failure::Io(format!("standard input: {e}")))?;
        return Ok(text);
    }
    fs::read_to_string(path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))
}

/// Parse a JSON document strictly; a structural error names the field it is at.
pub fn json<T: DeserializeOwned>(path: &Path) -> Result<T, Failure> {
    let text = read_text(path)?;
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "document".to_owned() } else { path };
        Failure::Rules(premia_core::Errors::one(
            field,
            premia_core::ErrorKind::Syntax { message: e.into_inner().to_string() },
        ))
    })
}
