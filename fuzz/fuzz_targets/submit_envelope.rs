//! Any bytes as the body of POST /api/quotes (the application envelope `{quote, resident_id}`): reading
//! it, reading the quote inside, parsing the number and comparing it with the quote must never panic;
//! and an envelope the comparison accepts has a quote carrying exactly the number's hash.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use premia_server::{envelope, verification};

fn catalogue() -> &'static premia_core::Catalogue {
    static CATALOGUE: OnceLock<premia_core::Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(premia_core::demo::catalogue)
}

fuzz_target!(|body: &[u8]| {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let Ok(application) = envelope::read(body) else { return };
    let Ok(quote) = verification::parse(application.quote) else { return };
    let Ok(id) = envelope::resident_id(&application.resident_id, today) else { return };
    let hash = premia_core::resident_id::salted_hash(&id.number, &catalogue().id_hash_salt);
    if envelope::check(&quote, &id, &hash).is_ok() {
        assert_eq!(quote.request.insured.resident_id_hash.as_deref(), Some(hash.as_str()));
        assert_eq!(quote.request.insured.birth_date, Some(id.birth_date));
        assert_eq!(quote.request.insured.sex, Some(id.sex));
    }
});
