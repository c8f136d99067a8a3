//! Output language. Japanese first; English on request (`--lang en`).

use serde::{Deserialize, Serialize};

/// The language in which texts, reasons and errors are shown to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// 日本語 (default)
    #[default]
    Ja,
    /// English
    En,
}

impl Lang {
    /// Picks the text for this language.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// A text in both languages: the one bilingual type of the project. `Text` (owned strings) holds what is
/// read from rule files or built at run time (messages, diagnostics); [`StaticText`] holds the fixed tables
/// compiled into the program (field descriptions, questions, choice labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text<S = String> {
    pub ja: S,
    pub en: S,
}

/// A text of the program's own fixed tables.
pub type StaticText = Text<&'static str>;

impl<S: AsRef<str>> Text<S> {
    /// The text for `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(self.ja.as_ref(), self.en.as_ref())
    }

    /// An owned copy.
    pub fn to_owned_text(&self) -> Text {
        Text {
            ja: self.ja.as_ref().to_owned(),
            en: self.en.as_ref().to_owned(),
        }
    }
}

impl Text {
    /// A text built at run time.
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            ja: ja.into(),
            en: en.into(),
        }
    }
}

impl StaticText {
    /// A text of a fixed table (usable in `const` items).
    pub const fn fixed(ja: &'static str, en: &'static str) -> StaticText {
        Text { ja, en }
    }

    /// The text for `lang`, borrowed for as long as the program runs.
    pub fn pick(self, lang: Lang) -> &'static str {
        lang.pick(self.ja, self.en)
    }
}

impl From<StaticText> for Text {
    fn from(t: StaticText) -> Text {
        t.to_owned_text()
    }
}
