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

/// The two languages a person may read Premia in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}
