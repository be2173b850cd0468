//! Bilingual text: every label or message a person may read carries zh-CN and English.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A piece of text in Simplified Chinese and English.
///
/// Labels known at compile time are borrowed (`Cow::Borrowed`) so that building a worksheet does not
/// allocate for them; text parsed from a catalogue or a quote is owned.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Text {
    pub zh: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Text {
    /// Text known at compile time.
    pub const fn fixed(zh: &'static str, en: &'static str) -> Self {
        Text { zh: Cow::Borrowed(zh), en: Cow::Borrowed(en) }
    }

    /// Text built at run time.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text { zh: Cow::Owned(zh.into()), en: Cow::Owned(en.into()) }
    }

    /// The text in the given language.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl fmt::Display for Text {
    /// English first, then Chinese: the form used in logs and on a terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.en, self.zh)
    }
}

/// What a person wrote, in double quotes with `"`, `\` and control characters escaped: how a message
/// quotes an input (`"12,5" is not a decimal number`). Written out rather than with `{:?}`, whose
/// escaping is Rust's, not a reader's, and which a size build may compile out (`-Zfmt-debug=none`): a
/// message must read the same in every build.
#[derive(Debug, Clone, Copy)]
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if c.is_control() => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

/// The two languages a person may read Premia in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

#[cfg(test)]
mod tests {
    use super::Quoted;

    #[test]
    fn quoted_reads_like_debug_for_what_people_type() {
        for text in ["12,5", "", "年交", "a \"b\" c", "back\\slash", "tab\there", "line\nbreak", "bell\u{7}"] {
            assert_eq!(Quoted(text).to_string(), format!("{text:?}"), "{text}");
        }
    }
}
