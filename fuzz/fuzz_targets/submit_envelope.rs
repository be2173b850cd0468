//! Any bytes as the body of POST /api/quotes (the application envelope `{quote, resident_id, stamp}`):
//! reading it, reading the quote inside, parsing the number, comparing it with the quote and checking a
//! stamp must never panic; an envelope the comparison accepts has a quote with exactly the number's birth
//! date and sex, and a stamp verifies only for the digest and date it was made for.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use premia_server::secret::ServerSecret;
use premia_core::verify::parse_quote;
use premia_server::envelope;

fn secret() -> &'static ServerSecret {
    static SECRET: OnceLock<ServerSecret> = OnceLock::new();
    SECRET.get_or_init(|| ServerSecret::from_master(&[7; 32]))
}

fuzz_target!(|body: &[u8]| {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let Ok(application) = envelope::read(body) else { return };
    if let Some(stamp) = application.stamp.as_deref().and_then(|s| secret().verify_stamp(s)) {
        assert!(!secret().stamp(&stamp.digest, stamp.quote_date).is_empty());
    }
    let Ok(quote) = parse_quote(application.quote) else { return };
    let stamped = secret().stamp(&quote.digest, quote.request.quote_date);
    let read = secret().verify_stamp(&stamped).expect("a stamp verifies");
    assert_eq!((read.digest.as_str(), read.quote_date), (quote.digest.as_str(), quote.request.quote_date));
    let Ok(id) = envelope::resident_id(&application.resident_id, today) else { return };
    if envelope::check(&quote, &id).is_ok() {
        assert_eq!(quote.request.insured.birth_date, Some(id.birth_date));
        assert_eq!(quote.request.insured.sex, Some(id.sex));
    }
});
