//! "Am I talking to a person?" gets a fixed answer in the product's own
//! words, never a matched or generated one (Utah 13-77-103: disclose when
//! asked; EU AI Act Art. 50). Recognized in every supported language; the
//! answer is in the language of the question.

use crate::analysis::{Analysis, Language};

/// Version of the disclosure texts (the widget's chrome and these answers).
pub const DISCLOSURE_VERSION: u32 = 1;

/// The fixed answer, per language.
pub fn bot_answer(language: Language) -> &'static str {
    match language {
        Language::English => {
            "I'm an AI assistant, not a person. I answer from this site's help pages, \
             and a person from the team is one click away: press \"Talk to a person\"."
        }
        Language::German => {
            "Ich bin ein KI-Assistent, kein Mensch. Ich antworte anhand der Hilfeseiten dieser Website. \
             Ein Mensch aus dem Team ist nur einen Klick entfernt."
        }
        Language::Spanish => {
            "Soy un asistente de IA, no una persona. Respondo a partir de las páginas de ayuda de este sitio. \
             Una persona del equipo está a un clic."
        }
    }
}

struct Phrases {
    language: Language,
    /// "are you", "am i talking to" …
    asks: &'static [&'static str],
    /// "a bot", "human" …
    identities: &'static [&'static str],
    /// Asks that may also end in a bare "real" ("are you real?"), which
    /// after "is this" would catch "is this real leather".
    asks_real: &'static [&'static str],
    real: &'static str,
    /// "human or bot" …
    either: &'static [&'static str],
}

const PHRASES: &[Phrases] = &[
    Phrases {
        language: Language::English,
        asks: &[
            "are you",
            "r u",
            "is this",
            "is that",
            "am i talking to",
            "am i talking with",
            "am i chatting with",
            "am i chatting to",
            "am i speaking to",
            "am i speaking with",
            "am i writing to",
            "im talking to",
        ],
        identities: &[
            "a bot",
            "a robot",
            "a chatbot",
            "a human",
            "human",
            "a person",
            "a real person",
            "a real human",
            "an ai",
            "ai",
            "a machine",
            "a computer",
            "automated",
            "a live person",
            "an actual person",
            "a human being",
            "a real agent",
            "a program",
        ],
        asks_real: &["are you", "r u"],
        real: "real",
        either: &[
            "human or bot",
            "bot or human",
            "person or bot",
            "bot or person",
            "human or a bot",
            "person or a bot",
            "human or ai",
            "ai or human",
            "human or machine",
            "human or robot",
            "real person or bot",
        ],
    },
    Phrases {
        language: Language::German,
        asks: &[
            "bist du",
            "sind sie",
            "ist das",
            "rede ich mit",
            "spreche ich mit",
            "chatte ich mit",
            "schreibe ich mit",
        ],
        identities: &[
            "ein bot",
            "ein roboter",
            "ein chatbot",
            "ein mensch",
            "mensch",
            "eine ki",
            "ki",
            "eine maschine",
            "ein computer",
            "einem bot",
            "einem roboter",
            "einem chatbot",
            "einem menschen",
            "einer ki",
            "einer maschine",
            "einem computer",
            "einer person",
            "einer echten person",
            "einem echten menschen",
            "eine echte person",
            "ein echter mensch",
        ],
        asks_real: &["bist du", "sind sie"],
        real: "echt",
        either: &[
            "mensch oder bot",
            "bot oder mensch",
            "mensch oder maschine",
            "mensch oder ki",
            "mensch oder roboter",
        ],
    },
    Phrases {
        language: Language::Spanish,
        asks: &[
            "eres",
            "es usted",
            "usted es",
            "estoy hablando con",
            "hablo con",
            "estoy chateando con",
            "es esto",
            "esto es",
        ],
        identities: &[
            "un bot",
            "un robot",
            "un chatbot",
            "humano",
            "un humano",
            "una persona",
            "una persona real",
            "un humano real",
            "una ia",
            "ia",
            "una maquina",
            "un ordenador",
            "una computadora",
            "automatico",
        ],
        asks_real: &["eres", "es usted"],
        real: "real",
        either: &[
            "humano o bot",
            "bot o humano",
            "persona o bot",
            "persona o maquina",
            "humano o maquina",
            "humano o ia",
        ],
    },
];

/// The language of the question if it asks whether the visitor is talking
/// to a person or a machine.
pub fn asks_if_bot(message: &Analysis) -> Option<Language> {
    let padded = format!(" {} ", message.words.join(" "));
    let has = |phrase: &str| padded.contains(&format!(" {phrase} "));
    PHRASES.iter().find_map(|p| {
        // "{ask} {identity}" can only be there where the identity is, and
        // most messages name none: the identities are looked for first
        // (every message asks this, several times; all pairs cost ~1 ms in
        // the worker, `cargo xtask profile-message`).
        let asked = p
            .identities
            .iter()
            .filter(|i| has(i))
            .any(|i| p.asks.iter().any(|a| has(&format!("{a} {i}"))))
            || (padded.ends_with(&format!(" {} ", p.real))
                && p.asks_real
                    .iter()
                    .any(|a| padded.ends_with(&format!(" {a} {} ", p.real))))
            || p.either.iter().any(|e| has(e));
        asked.then_some(p.language)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_ways_of_asking_are_recognized() {
        for q in [
            "Are you a bot?",
            "are you human",
            "Am I talking to a real person?",
            "am i chatting with a bot??",
            "Is this a chatbot",
            "r u a robot",
            "Are you real?",
            "wait, is this AI?",
            "Human or bot?",
            "I'm talking to a machine, right?",
            "Are you an actual person or what",
        ] {
            assert_eq!(
                asks_if_bot(&Analysis::new(q)),
                Some(Language::English),
                "{q}"
            );
        }
    }

    #[test]
    fn german_and_spanish_ways_of_asking_are_recognized() {
        for q in [
            "Bist du ein Bot?",
            "Rede ich mit einem Menschen?",
            "Sind Sie eine KI?",
            "Mensch oder Maschine?",
            "bist du echt",
        ] {
            assert_eq!(
                asks_if_bot(&Analysis::new(q)),
                Some(Language::German),
                "{q}"
            );
        }
        for q in [
            "¿Eres un bot?",
            "¿Estoy hablando con una persona real?",
            "eres humano",
            "¿Humano o bot?",
            "¿Eres real?",
        ] {
            assert_eq!(
                asks_if_bot(&Analysis::new(q)),
                Some(Language::Spanish),
                "{q}"
            );
        }
    }

    #[test]
    fn ordinary_questions_are_not_taken_for_it() {
        for q in [
            "Are you open on Saturday?",
            "Is this real leather?",
            "Is that a good bike for a human of my size",
            "Can I talk to a person?",
            "Do you repair robot lawnmowers?",
            "Sind Sie heute geöffnet?",
            "¿Es esto real cuero?",
            "Are you able to fix a flat tyre",
        ] {
            assert_eq!(asks_if_bot(&Analysis::new(q)), None, "{q}");
        }
    }

    #[test]
    fn the_answer_says_it_is_an_ai_in_the_language_asked() {
        assert!(bot_answer(Language::English).starts_with("I'm an AI assistant, not a person."));
        assert!(bot_answer(Language::German).contains("KI-Assistent, kein Mensch"));
        assert!(bot_answer(Language::Spanish).contains("asistente de IA, no una persona"));
    }
}
