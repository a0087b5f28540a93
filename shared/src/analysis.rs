//! Text analysis below every decision about what a visitor wrote: the
//! languages the product speaks, Unicode normalization and words. A
//! message is analyzed once, into an [`Analysis`] that the disclosure
//! check, the escalation policy and FAQ matching all read.

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// A language the product speaks (answers, fixed texts, stemming). On
/// the wire as its tag (`code`); serde only for stored knowledge bases.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Language {
    English,
    German,
    Spanish,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::English, Language::German, Language::Spanish];

    /// From a language tag such as `de`, `de-AT` or `es_MX`.
    pub fn parse(code: &str) -> Option<Self> {
        match code.to_ascii_lowercase().split(['-', '_']).next()? {
            "en" => Some(Language::English),
            "de" => Some(Language::German),
            "es" => Some(Language::Spanish),
            _ => None,
        }
    }

    /// From a language tag as a browser or a page states it: two letters
    /// and an optional region (`de`, `de-AT`, `es_419`); anything else,
    /// or a language the product does not speak, is `None`.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let mut parts = tag.split(['-', '_']);
        let language = parts.next()?;
        let region_ok = match parts.next() {
            None => true,
            Some(r) => (2..=3).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric()),
        };
        let shape_ok = language.len() == 2
            && language.bytes().all(|b| b.is_ascii_alphabetic())
            && region_ok
            && parts.next().is_none();
        if shape_ok {
            Self::parse(language)
        } else {
            None
        }
    }

    /// The two-letter code.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
            Language::Spanish => "es",
        }
    }
}

/// One visitor message, analyzed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// The text as the visitor wrote it (already cleaned by `text`).
    pub text: String,
    /// [`normalize`]d.
    pub normalized: String,
    /// The normalized words, in order.
    pub words: Vec<String>,
}

impl Analysis {
    pub fn new(text: &str) -> Self {
        let normalized = normalize(text);
        let words = tokens(&normalized).map(str::to_string).collect();
        Self {
            text: text.to_string(),
            normalized,
            words,
        }
    }
}

/// NFKC (full-width letters, ligatures), lower case, then diacritics
/// removed (NFD without combining marks), apostrophes dropped so "don't"
/// and "dont" meet, and hyphens between letters dropped so "e-bike" and
/// "ebike" meet ("3-5" keeps its hyphen).
pub fn normalize(text: &str) -> String {
    let folded = text.nfkc().collect::<String>().to_lowercase();
    let chars: Vec<char> = folded
        .nfd()
        .filter(|c| !is_combining_mark(*c) && !matches!(c, '\'' | '’' | '‘' | '`'))
        .collect();
    let mut out = String::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        let joins_letters = c == '-'
            && i > 0
            && chars[i - 1].is_alphabetic()
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
        if !joins_letters {
            out.push(c);
        }
    }
    out.nfc().collect()
}

/// Words: runs of letters and digits.
pub fn tokens(normalized: &str) -> impl Iterator<Item = &str> {
    normalized
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_folds_width_case_diacritics_and_apostrophes() {
        assert_eq!(normalize("ＣＡＦÉ"), "cafe");
        assert_eq!(normalize("Öffnungszeiten"), "offnungszeiten");
        assert_eq!(normalize("Don’t"), "dont");
        assert_eq!(normalize("ﬁx"), "fix");
        assert_eq!(normalize("E-Bike, 3-5 days"), "ebike, 3-5 days");
    }

    #[test]
    fn tokens_split_on_anything_but_letters_and_digits() {
        let n = normalize("When're you open—Saturday? 9am!");
        assert_eq!(
            tokens(&n).collect::<Vec<_>>(),
            vec!["whenre", "you", "open", "saturday", "9am"]
        );
    }

    #[test]
    fn an_analysis_keeps_the_text_its_normal_form_and_its_words() {
        let a = Analysis::new("Don't PANIC, it's an E-Bike!");
        assert_eq!(a.text, "Don't PANIC, it's an E-Bike!");
        assert_eq!(a.words, vec!["dont", "panic", "its", "an", "ebike"]);
    }

    #[test]
    fn languages_are_read_from_tags_with_regions() {
        assert_eq!(Language::parse("de-AT"), Some(Language::German));
        assert_eq!(Language::parse("es_MX"), Some(Language::Spanish));
        assert_eq!(Language::parse("fr"), None);
        assert_eq!(Language::German.code(), "de");
        assert_eq!(Language::from_tag("es-419"), Some(Language::Spanish));
        assert_eq!(Language::from_tag("de\u{0}"), None);
        assert_eq!(Language::from_tag("fr-FR"), None);
        assert_eq!(Language::from_tag("en-US-x-private"), None);
        assert_eq!(Language::from_tag("english"), None);
    }
}
