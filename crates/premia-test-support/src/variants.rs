//! Catalogues and clocks the adversarial tests need beyond the demo: a copy of the demo catalogue with
//! some lines changed (written to a folder with its tables, as `--catalogue` reads it), and a clock the
//! test moves.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use premia_core::Catalogue;

/// The demo catalogue with `(old, new)` line replacements, written with its tables into a folder.
pub fn demo_with(replacements: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, Catalogue) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut toml = premia_core::demo::TOML.to_owned();
    for (old, new) in replacements {
        assert!(toml.contains(old), "the demo catalogue has no {old:?}");
        toml = toml.replacen(old, new, 1);
    }
    for (path, text) in premia_core::demo::FILES {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("folder");
        std::fs::write(file, text).expect("table");
    }
    let path = dir.path().join("catalogue.toml");
    std::fs::write(&path, &toml).expect("catalogue");
    let files: std::collections::HashMap<&str, &str> = premia_core::demo::FILES.iter().copied().collect();
    let catalogue =
        Catalogue::load(&toml, &|p: &str| files.get(p).map(|t| (*t).to_owned())).expect("a valid catalogue");
    (dir, path, catalogue)
}

/// A clock the test sets.
#[derive(Debug, Clone)]
pub struct MovableClock(Arc<Mutex<NaiveDate>>);

impl MovableClock {
    pub fn new(today: NaiveDate) -> MovableClock {
        MovableClock(Arc::new(Mutex::new(today)))
    }

    pub fn set(&self, today: NaiveDate) {
        *self.0.lock().expect("clock") = today;
    }

    pub fn clock(&self) -> premia_server::Clock {
        let cell = Arc::clone(&self.0);
        Arc::new(move || *cell.lock().expect("clock"))
    }
}
