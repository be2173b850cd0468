//! A person's name, mobile number and address, read as people type them: each written the one way it
//! is checked and stored, and every failing rule named with the value as typed.

// Each check returns the one `Error` of its field (128 bytes, as every error of the crate is), on the
// path of a person's typing, not of pricing: boxing it would only move the allocation.
#![allow(clippy::result_large_err)]

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::Rule;
use crate::age::age_last_birthday;
use crate::error::{Error, ErrorKind};

/// Names are 2 characters (王五) up to 30 (the longest minority names written in Chinese characters,
/// parts joined by middle dots, as on the ID card).
pub const NAME_CHARS: (usize, usize) = (2, 30);
/// A street address a courier can find, and no longer than an address field on a form.
pub const ADDRESS_CHARS: (usize, usize) = (5, 100);

/// The middle dot of minority names (阿卜杜拉·艾买提) and the look-alikes people type for it.
const DOTS: &[char] = &['·', '•', '・', '‧', '∙', '⋅', '．', '.', '･', '﹒'];
const MIDDLE_DOT: char = '·';

/// A name as written to be checked and stored: spaces removed (including the ideographic space,
/// which input methods insert between surname and given name), each look-alike dot made `·`.
pub fn normalize_name(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).map(|c| if DOTS.contains(&c) { MIDDLE_DOT } else { c }).collect()
}

/// Chinese characters: the unified ideographs and their extensions, compatibility ideographs, and 〇.
fn is_han(c: char) -> bool {
    matches!(u32::from(c),
        0x3007 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x30000..=0x323AF)
}

/// A person's name at `field`: Chinese characters, with middle dots between the parts of a minority
/// name, 2-30 characters.
pub fn name(text: &str, field: &str) -> Result<String, Error> {
    let fail = |rule| Err(Error::new(field, ErrorKind::Purchase(rule)));
    let name = normalize_name(text);
    let count = name.chars().count();
    if count == 0 {
        return Err(Error::new(field, ErrorKind::Required));
    }
    if let Some((i, c)) = name.chars().enumerate().find(|(_, c)| !(is_han(*c) || *c == MIDDLE_DOT)) {
        return fail(Rule::NameCharacter { name: text.trim().to_owned(), character: c, position: i + 1 });
    }
    if name.starts_with(MIDDLE_DOT) || name.ends_with(MIDDLE_DOT) || name.contains("··") {
        return fail(Rule::NameDots { name: text.trim().to_owned() });
    }
    let (min, max) = NAME_CHARS;
    if !(min..=max).contains(&count) {
        return fail(Rule::NameLength { found: count, min, max });
    }
    Ok(name)
}

/// A mobile number as people type it — `138 0013 8000`, `138-0013-8000`, `+86 13800138000`,
/// `0086…`, full-width digits — as its eleven digits, when it has them.
pub fn normalize_mobile(text: &str) -> String {
    let digits: String = text
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '‐' | '–' | '(' | ')' | '（' | '）' | '+' | '＋')))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (u32::from(c) - u32::from('０')) as u8),
            other => other,
        })
        .collect();
    for prefix in ["0086", "86"] {
        if let Some(rest) = digits.strip_prefix(prefix).filter(|rest| rest.len() == 11) {
            return rest.to_owned();
        }
    }
    digits
}

/// A mainland mobile number at `field`, as its eleven digits.
pub fn mobile(text: &str, field: &str) -> Result<String, Error> {
    let fail = |rule| Err(Error::new(field, ErrorKind::Purchase(rule)));
    let number = normalize_mobile(text);
    let value = text.trim().to_owned();
    if number.is_empty() {
        return Err(Error::new(field, ErrorKind::Required));
    }
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return fail(Rule::MobileCharacter { value });
    }
    if number.len() != 11 {
        return fail(Rule::MobileLength { value, digits: number.len() });
    }
    if !(number.starts_with('1') && (b'3'..=b'9').contains(&number.as_bytes()[1])) {
        return fail(Rule::MobilePrefix { value });
    }
    Ok(number)
}

/// Where a person lives: a region code and the rest of the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Six-digit GB/T 2260 code of the county (or city, or province) the address is in.
    pub region: String,
    /// Street, building and flat, as the person wrote them (white space tidied).
    pub detail: String,
}

/// The province-level codes of the mainland (Hong Kong, Macao and Taiwan are not sold to here).
fn mainland_province(code: &str) -> bool {
    code < "70" && crate::identity::resident_id::province(code).is_some()
}

/// A region code at `field`: six digits (full-width ones made ASCII) in a mainland province.
pub fn region(text: &str, field: &str) -> Result<String, Error> {
    let code = crate::identity::resident_id::normalize(text);
    if code.is_empty() {
        return Err(Error::new(field, ErrorKind::Required));
    }
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) || !mainland_province(&code[..2]) {
        return Err(Error::new(field, ErrorKind::Purchase(Rule::RegionCode { value: text.trim().to_owned() })));
    }
    Ok(code)
}

/// The street address at `field`: runs of white space made one space, no control characters.
pub fn address_detail(text: &str, field: &str) -> Result<String, Error> {
    let detail = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if detail.is_empty() {
        return Err(Error::new(field, ErrorKind::Required));
    }
    if let Some(i) = detail.chars().position(char::is_control) {
        return Err(Error::new(field, ErrorKind::Purchase(Rule::AddressCharacter { position: i + 1 })));
    }
    let (count, (min, max)) = (detail.chars().count(), ADDRESS_CHARS);
    if !(min..=max).contains(&count) {
        return Err(Error::new(field, ErrorKind::Purchase(Rule::AddressLength { found: count, min, max })));
    }
    Ok(detail)
}

/// Whether `address` (a region code) lies within `region`, a code that may stand for a whole city
/// (`330100`) or province (`310000`): its trailing pairs of zeros are what it leaves open.
pub fn within(address: &str, region: &str) -> bool {
    let mut prefix = region;
    while let Some(shorter) = prefix.strip_suffix("00") {
        prefix = shorter;
    }
    address.starts_with(prefix)
}

/// Whether someone born on `parent` was at least `gap` years old when `child` was born.
pub(super) fn older_by(parent: NaiveDate, child: NaiveDate, gap: u32) -> bool {
    age_last_birthday(parent, child).is_some_and(|age| age >= gap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<String, Error>) -> &'static str {
        result.map_or_else(|e| e.code(), |_| "ok")
    }

    #[test]
    fn names_as_people_write_them() {
        assert_eq!(name("王小明", "n").unwrap(), "王小明");
        assert_eq!(name(" 王　小明 ", "n").unwrap(), "王小明", "ideographic space between surname and name");
        assert_eq!(name("阿卜杜拉•艾买提", "n").unwrap(), "阿卜杜拉·艾买提", "a bullet typed for the dot");
        assert_eq!(name("阿卜杜拉.艾买提", "n").unwrap(), "阿卜杜拉·艾买提");
        assert_eq!(name("𠀾小明", "n").unwrap(), "𠀾小明", "extension B characters are names too");
        assert_eq!(code(name("王", "n")), "name.length");
        assert_eq!(code(name(&"王".repeat(31), "n")), "name.length");
        assert_eq!(code(name("Wang Xiaoming", "n")), "name.character");
        assert_eq!(code(name("王小明1", "n")), "name.character");
        assert_eq!(code(name("·王小明", "n")), "name.dots");
        assert_eq!(code(name("王··小明", "n")), "name.dots");
        assert_eq!(code(name("  ", "n")), "required");
    }

    #[test]
    fn the_character_named_is_the_one_typed() {
        let error = name("王小明A", "policyholder.name").unwrap_err();
        assert_eq!(error.field, "policyholder.name");
        let message = error.message();
        assert!(message.en.contains("character 4 of \"王小明A\" (\"A\")"), "{}", message.en);
        assert!(message.zh.contains("第 4 个字符“A”"), "{}", message.zh);
    }

    #[test]
    fn mobile_numbers_as_people_type_them() {
        for typed in [
            "13800138000",
            "138 0013 8000",
            "138-0013-8000",
            "+86 138 0013 8000",
            "0086 13800138000",
            "１３８００１３８０００",
        ] {
            assert_eq!(mobile(typed, "m").unwrap(), "13800138000", "{typed}");
        }
        assert_eq!(code(mobile("1380013800", "m")), "mobile.length");
        assert_eq!(code(mobile("+86 1380013800", "m")), "mobile.length");
        assert_eq!(code(mobile("12800138000", "m")), "mobile.prefix");
        assert_eq!(code(mobile("021-6466 8888", "m")), "mobile.prefix", "a landline of eleven digits");
        assert_eq!(code(mobile("138OO138000", "m")), "mobile.character", "letter O for zero");
        assert_eq!(code(mobile("", "m")), "required");
    }

    #[test]
    fn region_codes_and_addresses() {
        assert_eq!(region("310104", "r").unwrap(), "310104");
        assert_eq!(region("３１０１０４", "r").unwrap(), "310104");
        assert_eq!(code(region("31010", "r")), "address.region");
        assert_eq!(code(region("990104", "r")), "address.region");
        assert_eq!(code(region("810000", "r")), "address.region", "Hong Kong is not the mainland");
        assert_eq!(address_detail("  漕溪北路 88 号\n 3 楼 ", "d").unwrap(), "漕溪北路 88 号 3 楼");
        assert_eq!(code(address_detail("1号", "d")), "address.length");
        assert_eq!(code(address_detail(&"路".repeat(101), "d")), "address.length");
        assert_eq!(code(address_detail("漕溪北路\u{7}88号", "d")), "address.character");
        assert!(within("310104", "310000") && within("330106", "330100") && within("440304", "440300"));
        assert!(!within("320104", "310000") && !within("330206", "330100"));
    }
}
