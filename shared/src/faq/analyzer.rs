//! From analyzed words to matchable ones: the knowledge base's synonyms,
//! stop words and Snowball stemming per language (normalization and
//! tokens are `crate::analysis`).

use crate::analysis::{normalize, Analysis, Language};
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;

/// One analyzed word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Normalized, after synonyms.
    pub text: String,
    /// Stem, or `None` for a stop word.
    pub stem: Option<String>,
}

/// Language-specific rules plus the knowledge base's own synonyms.
pub struct Analyzer {
    stemmer: Stemmer,
    stop_words: &'static [&'static str],
    /// Word -> the first word of its synonym group.
    synonyms: HashMap<String, String>,
}

impl Analyzer {
    pub fn new(language: Language, groups: &[Vec<String>]) -> Self {
        let (algorithm, stop_words) = match language {
            Language::English => (Algorithm::English, STOP_EN),
            Language::German => (Algorithm::German, STOP_DE),
            Language::Spanish => (Algorithm::Spanish, STOP_ES),
        };
        let mut synonyms = HashMap::new();
        for group in groups {
            let canonical = normalize(&group[0]);
            for word in group {
                synonyms.insert(normalize(word), canonical.clone());
            }
        }
        Self {
            stemmer: Stemmer::create(algorithm),
            stop_words,
            synonyms,
        }
    }

    /// An analysis's words with synonyms applied, before stemming (typo
    /// correction works on these).
    pub fn words(&self, analysis: &Analysis) -> Vec<String> {
        analysis
            .words
            .iter()
            .map(|t| self.synonyms.get(t).unwrap_or(t).clone())
            .collect()
    }

    /// Stems a word; stop words give `None`.
    pub fn analyze_word(&self, word: String) -> Word {
        let word = self.synonyms.get(&word).cloned().unwrap_or(word);
        let stem = if self.stop_words.binary_search(&word.as_str()).is_ok() {
            None
        } else {
            Some(self.stemmer.stem(&word).into_owned())
        };
        Word { text: word, stem }
    }
}

/// A stop word of any of the product's languages.
pub fn is_stop_word(word: &str) -> bool {
    [STOP_EN, STOP_DE, STOP_ES]
        .iter()
        .any(|list| list.binary_search(&word).is_ok())
}

// Sorted, for binary search. Negations and question words are kept on
// purpose: "card not arrived" and "where is my card" depend on them.
const STOP_EN: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being", "but", "by",
    "could", "did", "do", "does", "doing", "for", "from", "get", "got", "had", "has", "have",
    "hello", "hey", "hi", "i", "im", "in", "is", "it", "its", "ive", "just", "me", "my", "myself",
    "of", "on", "or", "our", "please", "so", "some", "than", "thank", "thanks", "that", "the",
    "their", "them", "there", "these", "they", "this", "those", "to", "too", "us", "was", "we",
    "were", "will", "with", "would", "you", "your", "youre",
];

const STOP_DE: &[&str] = &[
    "aber", "am", "an", "auch", "bei", "bin", "bis", "bitte", "das", "dass", "dem", "den", "der",
    "des", "die", "du", "ein", "eine", "einem", "einen", "einer", "es", "euch", "euer", "eure",
    "fur", "hallo", "ich", "ihr", "ihre", "im", "in", "ist", "ja", "mein", "meine", "mich", "mir",
    "mit", "oder", "sie", "sind", "und", "uns", "unser", "vom", "von", "wir", "zu", "zum", "zur",
];

const STOP_ES: &[&str] = &[
    "a", "al", "con", "de", "del", "el", "en", "es", "esta", "este", "estoy", "hola", "la", "las",
    "lo", "los", "me", "mi", "mis", "nos", "para", "por", "se", "su", "sus", "te", "tu", "tus",
    "un", "una", "unas", "unos", "y", "yo",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_lists_are_sorted_for_binary_search() {
        for list in [STOP_EN, STOP_DE, STOP_ES] {
            assert!(
                list.windows(2).all(|w| w[0] < w[1]),
                "{:?}",
                list.windows(2).find(|w| w[0] >= w[1])
            );
        }
    }

    #[test]
    fn stems_meet_and_stop_words_drop_out() {
        let a = Analyzer::new(Language::English, &[]);
        let stems: Vec<Option<String>> = a
            .words(&Analysis::new("The repairs, repairing"))
            .into_iter()
            .map(|w| a.analyze_word(w).stem)
            .collect();
        assert_eq!(
            stems,
            vec![None, Some("repair".into()), Some("repair".into())]
        );
        assert!(
            a.analyze_word("not".into()).stem.is_some(),
            "negations are kept"
        );
    }

    #[test]
    fn synonyms_map_to_one_word() {
        let a = Analyzer::new(
            Language::English,
            &[vec!["bike".into(), "bicycle".into(), "Fahrrad".into()]],
        );
        assert_eq!(a.words(&Analysis::new("My BICYCLE")), vec!["my", "bike"]);
        assert_eq!(a.analyze_word("fahrrad".into()).text, "bike");
    }

    #[test]
    fn german_and_spanish_stem_with_their_own_rules() {
        let de = Analyzer::new(Language::German, &[]);
        assert_eq!(
            de.analyze_word("reparaturen".into()).stem,
            de.analyze_word("reparatur".into()).stem
        );
        let es = Analyzer::new(Language::Spanish, &[]);
        assert_eq!(
            es.analyze_word("bicicletas".into()).stem,
            es.analyze_word("bicicleta".into()).stem
        );
        assert_eq!(es.analyze_word("para".into()).stem, None);
    }
}
