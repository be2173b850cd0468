//! Resident identity card numbers (居民身份证号码, GB 11643-1999).
//!
//! An 18-character number: a six-digit region code (the first two digits name the province), the birth
//! date as YYYYMMDD, a three-digit sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check
//! character (`X` for 10; a lower-case `x` is accepted and normalized). Parsing reports every check that
//! fails. A quote never carries the number itself, only [`salted_hash`].

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Errors};
use crate::request::Sex;
use crate::text::Text;

/// A valid resident ID number and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResidentId {
    /// The number with an upper-case check character.
    pub number: String,
    /// The six-digit administrative region code at registration.
    pub region_code: String,
    pub province_code: String,
    pub province: Text,
    pub birth_date: NaiveDate,
    pub sequence: u16,
    pub sex: Sex,
}

/// Province-level codes (the first two digits) and their names. 81-83 are the residence-permit codes
/// of Hong Kong, Macao and Taiwan residents, which follow the same format.
const PROVINCES: &[(&str, &str, &str)] = &[
    ("11", "北京市", "Beijing"),
    ("12", "天津市", "Tianjin"),
    ("13", "河北省", "Hebei"),
    ("14", "山西省", "Shanxi"),
    ("15", "内蒙古自治区", "Inner Mongolia"),
    ("21", "辽宁省", "Liaoning"),
    ("22", "吉林省", "Jilin"),
    ("23", "黑龙江省", "Heilongjiang"),
    ("31", "上海市", "Shanghai"),
    ("32", "江苏省", "Jiangsu"),
    ("33", "浙江省", "Zhejiang"),
    ("34", "安徽省", "Anhui"),
    ("35", "福建省", "Fujian"),
    ("36", "江西省", "Jiangxi"),
    ("37", "山东省", "Shandong"),
    ("41", "河南省", "Henan"),
    ("42", "湖北省", "Hubei"),
    ("43", "湖南省", "Hunan"),
    ("44", "广东省", "Guangdong"),
    ("45", "广西壮族自治区", "Guangxi"),
    ("46", "海南省", "Hainan"),
    ("50", "重庆市", "Chongqing"),
    ("51", "四川省", "Sichuan"),
    ("52", "贵州省", "Guizhou"),
    ("53", "云南省", "Yunnan"),
    ("54", "西藏自治区", "Tibet"),
    ("61", "陕西省", "Shaanxi"),
    ("62", "甘肃省", "Gansu"),
    ("63", "青海省", "Qinghai"),
    ("64", "宁夏回族自治区", "Ningxia"),
    ("65", "新疆维吾尔自治区", "Xinjiang"),
    ("71", "台湾省", "Taiwan"),
    ("81", "香港特别行政区", "Hong Kong"),
    ("82", "澳门特别行政区", "Macao"),
    ("83", "台湾地区（居住证）", "Taiwan (residence permit)"),
];

/// The province named by a two-digit code.
pub fn province(code: &str) -> Option<Text> {
    PROVINCES.iter().find(|(c, _, _)| *c == code).map(|(_, zh, en)| Text::fixed(zh, en))
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The ISO 7064 MOD 11-2 check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// The number as a person may type or paste it, written the one way it is checked, hashed and stored:
/// white space (including the ideographic space and the spaces and hyphens people group digits with)
/// removed, full-width digits and `Ｘ` made ASCII, the check character upper-case. Anything else is left
/// as it is, for [`parse`] to name.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !(c.is_whitespace() || *c == '-' || *c == '\u{2010}' || *c == '\u{2013}'))
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from(b'0' + (u32::from(c) - 0xFF10) as u8),
            'x' | 'Ｘ' | 'ｘ' => 'X',
            other => other,
        })
        .collect()
}

/// Parse and check `text` as of `today` (the birth date may not be later). `text` is read through
/// [`normalize`] first. Every failing check is reported under `field`.
pub fn parse(text: &str, today: NaiveDate, field: &str) -> Result<ResidentId, Errors> {
    let fail = |kind| Errors::one(field, kind);
    let chars: Vec<char> = normalize(text).chars().collect();
    if chars.len() != 18 {
        return Err(fail(ErrorKind::IdLength { found: chars.len() }));
    }
    if let Some(position) = chars[..17].iter().position(|c| !c.is_ascii_digit()) {
        return Err(fail(ErrorKind::IdCharacter { position: position + 1 }));
    }
    let last = chars[17].to_ascii_uppercase();
    if !(last.is_ascii_digit() || last == 'X') {
        return Err(fail(ErrorKind::IdCharacter { position: 18 }));
    }
    let number: String = chars[..17].iter().chain(std::iter::once(&last)).collect();
    let bytes = number.as_bytes();
    let mut errors = Vec::new();
    let province_code = &number[..2];
    let province = province(province_code);
    if province.is_none() {
        errors.push(Error::new(field, ErrorKind::IdProvince { code: province_code.to_owned() }));
    }
    let birth_text = &number[6..14];
    let birth_date = crate::age::date_from_digits(&birth_text[..4], &birth_text[4..6], &birth_text[6..]);
    match birth_date {
        None => errors.push(Error::new(field, ErrorKind::IdBirthDate { text: birth_text.to_owned() })),
        Some(date) if date > today => {
            errors.push(Error::new(field, ErrorKind::IdBirthDateFuture { date: date.to_string() }));
        }
        Some(date) if date < MIN_BIRTH_DATE => {
            errors.push(Error::new(field, ErrorKind::IdBirthDate { text: birth_text.to_owned() }));
        }
        Some(_) => {}
    }
    let sequence: u16 = number[14..17].parse().unwrap_or(0);
    if sequence == 0 {
        errors.push(Error::new(field, ErrorKind::IdSequence));
    }
    let expected = check_char(&bytes[..17]);
    if expected != last {
        errors.push(Error::new(field, ErrorKind::IdChecksum { expected, found: last }));
    }
    if let Some(errors) = Errors::from_vec(errors) {
        return Err(errors);
    }
    let sex = if (bytes[16] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female };
    Ok(ResidentId {
        region_code: number[..6].to_owned(),
        province_code: province_code.to_owned(),
        province: province.unwrap_or_else(|| Text::fixed("", "")),
        birth_date: birth_date.unwrap_or(MIN_BIRTH_DATE),
        sequence,
        sex,
        number,
    })
}

/// Births before this date cannot be on a valid card (the format dates from 1999; the oldest holders
/// were born in the nineteenth century, none before 1880).
const MIN_BIRTH_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1880, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// SHA-256 (hex) of `salt`, a colon and the normalized number: what a quote and the server's blacklist
/// keep instead of the number.
pub fn salted_hash(number: &str, salt: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(b":");
    hasher.update(number.to_ascii_uppercase().as_bytes());
    crate::wire::hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    /// A valid number from its first 17 digits.
    fn complete(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()))
    }

    fn codes(text: &str) -> Vec<&'static str> {
        parse(text, today(), "id").unwrap_err().iter().map(Error::code).collect()
    }

    #[test]
    fn the_standard_example_is_valid() {
        // The worked example of GB 11643-1999.
        let id = parse("11010519491231002X", today(), "id").unwrap();
        assert_eq!(id.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.sex, Sex::Female);
        assert_eq!(id.province.en, "Beijing");
        assert_eq!(id.region_code, "110105");
        assert_eq!(id.sequence, 2);
    }

    #[test]
    fn lower_case_x_is_accepted_and_normalized() {
        let id = parse("11010519491231002x", today(), "id").unwrap();
        assert_eq!(id.number, "11010519491231002X");
    }

    #[test]
    fn what_people_type_is_normalized() {
        for typed in [
            "110105 19491231 002X",
            " 110105-19491231-002x ",
            "１１０１０５１９４９１２３１００２Ｘ",
            "110105\u{3000}19491231\u{3000}002ｘ",
        ] {
            assert_eq!(normalize(typed), "11010519491231002X", "{typed}");
            assert_eq!(parse(typed, today(), "id").unwrap().number, "11010519491231002X", "{typed}");
        }
        // Letters other than the check character are not guessed at.
        assert_eq!(codes("1101051949123100２Y"), ["resident_id.character"]);
    }

    #[test]
    fn odd_sequence_is_male() {
        let id = parse(&complete("44030419900307123"), today(), "id").unwrap();
        assert_eq!(id.sex, Sex::Male);
        assert_eq!(id.province.zh, "广东省");
    }

    #[test]
    fn each_check_is_named() {
        assert_eq!(codes("1101051949123100"), ["resident_id.length"]);
        assert_eq!(codes("11010519491231002Y"), ["resident_id.character"]);
        assert_eq!(codes("1101051949A231002X"), ["resident_id.character"]);
        assert_eq!(codes(&complete("99010519900101123")), ["resident_id.province"]);
        assert_eq!(codes(&complete("11010519900231123")), ["resident_id.birth_date"]);
        assert_eq!(codes(&complete("11010520270101123")), ["resident_id.birth_date_future"]);
        assert_eq!(codes(&complete("11010519900101000")), ["resident_id.sequence"]);
        assert_eq!(codes("110105194912310021"), ["resident_id.checksum"]);
    }

    #[test]
    fn several_failures_are_reported_together() {
        assert_eq!(
            codes("990105199002301231"),
            ["resident_id.province", "resident_id.birth_date", "resident_id.checksum"]
        );
    }

    #[test]
    fn the_checksum_message_gives_the_expected_character() {
        let errors = parse("110105194912310021", today(), "insured.resident_id").unwrap_err();
        let e = errors.iter().next().unwrap();
        assert_eq!(e.field, "insured.resident_id");
        assert!(e.message().en.contains("should be X"), "{}", e.message().en);
    }

    #[test]
    fn the_hash_is_salted_and_case_insensitive() {
        let a = salted_hash("11010519491231002X", "s1");
        assert_eq!(a, salted_hash("11010519491231002x", "s1"));
        assert_ne!(a, salted_hash("11010519491231002X", "s2"));
        assert_eq!(a.len(), 64);
    }
}
