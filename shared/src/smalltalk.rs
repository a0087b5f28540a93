//! Greetings and thanks: answered with a fixed, friendly line in the
//! language they came in, never with "I'm not sure", and never counted as
//! a question the AI could not answer.

use crate::analysis::{Analysis, Language};

/// A message that is only a greeting or only thanks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Smalltalk {
    Greeting,
    Thanks,
}

/// Words of each kind, per language (normalized: lower case, no accents).
const GREETINGS: &[(Language, &[&str])] = &[
    (
        Language::English,
        &[
            "hi",
            "hello",
            "hey",
            "hiya",
            "howdy",
            "yo",
            "morning",
            "evening",
            "afternoon",
            "greetings",
        ],
    ),
    (
        Language::German,
        &[
            "hallo",
            "moin",
            "servus",
            "gruezi",
            "gruss",
            "grussgott",
            "tag",
            "morgen",
            "abend",
            "hoi",
            "huhu",
            "tach",
        ],
    ),
    (
        Language::Spanish,
        &[
            "hola", "buenas", "buenos", "dias", "tardes", "noches", "saludos", "holaa", "holis",
            "wenas",
        ],
    ),
];

const THANKS: &[(Language, &[&str])] = &[
    (
        Language::English,
        &[
            "thanks",
            "thank",
            "thx",
            "ty",
            "cheers",
            "great",
            "perfect",
            "awesome",
            "ok",
            "okay",
            "got",
            "it",
            "cool",
            "brilliant",
            "nice",
        ],
    ),
    (
        Language::German,
        &[
            "danke",
            "dank",
            "vielen",
            "dankeschon",
            "super",
            "perfekt",
            "alles",
            "klar",
            "prima",
            "toll",
            "ok",
            "okay",
        ],
    ),
    (
        Language::Spanish,
        &[
            "gracias",
            "genial",
            "perfecto",
            "vale",
            "ok",
            "muchas",
            "mil",
            "estupendo",
            "bien",
            "acuerdo",
            "de",
        ],
    ),
];

/// Words that may stand beside a greeting or thanks without making it a
/// question ("thanks so much", "hi there", "guten Tag").
const FILLER: &[&str] = &[
    "there", "you", "so", "much", "very", "again", "a", "lot", "all", "team", "guten", "good",
    "und", "euch", "dir", "ihnen", "schon", "mal", "que", "tal", "a", "todos", "y", "the",
];

/// The kind of smalltalk `message` is, and its language, if it is nothing
/// but that (five words at most, no question in it).
pub fn recognize(message: &Analysis) -> Option<(Smalltalk, Language)> {
    let words = &message.words;
    if words.is_empty() || words.len() > 5 || message.text.contains('?') {
        return None;
    }
    for (kind, lists) in [
        (Smalltalk::Greeting, GREETINGS),
        (Smalltalk::Thanks, THANKS),
    ] {
        for (language, list) in lists {
            let has_one = words.iter().any(|w| list.contains(&w.as_str()));
            let all_fit = words
                .iter()
                .all(|w| list.contains(&w.as_str()) || FILLER.contains(&w.as_str()));
            if has_one && all_fit {
                return Some((kind, *language));
            }
        }
    }
    None
}

/// The fixed answer, in `language`.
pub fn answer(kind: Smalltalk, language: Language) -> &'static str {
    match (kind, language) {
        (Smalltalk::Greeting, Language::English) => {
            "Hello! I'm the AI assistant. What would you like to know?"
        }
        (Smalltalk::Greeting, Language::German) => {
            "Hallo! Ich bin der KI-Assistent. Was möchten Sie wissen?"
        }
        (Smalltalk::Greeting, Language::Spanish) => {
            "¡Hola! Soy el asistente de IA. ¿Qué quiere saber?"
        }
        (Smalltalk::Thanks, Language::English) => "You're welcome! Is there anything else?",
        (Smalltalk::Thanks, Language::German) => "Gern geschehen! Kann ich sonst noch helfen?",
        (Smalltalk::Thanks, Language::Spanish) => "¡De nada! ¿Hay algo más en lo que pueda ayudar?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<(Smalltalk, Language)> {
        recognize(&Analysis::new(text))
    }

    #[test]
    fn greetings_and_thanks_are_recognized_in_their_language() {
        assert_eq!(
            kind("Hi there!"),
            Some((Smalltalk::Greeting, Language::English))
        );
        assert_eq!(kind("Moin"), Some((Smalltalk::Greeting, Language::German)));
        assert_eq!(
            kind("hola 👋"),
            Some((Smalltalk::Greeting, Language::Spanish))
        );
        assert_eq!(
            kind("Buenos días"),
            Some((Smalltalk::Greeting, Language::Spanish))
        );
        assert_eq!(
            kind("thanks so much"),
            Some((Smalltalk::Thanks, Language::English))
        );
        assert_eq!(
            kind("Vielen Dank!"),
            Some((Smalltalk::Thanks, Language::German))
        );
        assert_eq!(
            kind("vale, gracias"),
            Some((Smalltalk::Thanks, Language::Spanish))
        );
    }

    #[test]
    fn a_question_or_anything_more_is_not_smalltalk() {
        assert_eq!(kind("hi, how much is a puncture repair?"), None);
        assert_eq!(kind("hello, my bike is broken"), None);
        assert_eq!(kind("thanks for nothing"), None);
        assert_eq!(kind("hola?"), None);
    }
}
