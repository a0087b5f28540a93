//! The FAQ answering engine: the site's own knowledge base, matched at the
//! edge with no external API. It answers only when it is confident enough,
//! and otherwise offers the closest entries and a person.

pub mod analyzer;
mod calibration;
mod csv;
mod editing;
pub mod index;
pub mod kb;
mod residual;
mod stored;
mod vectors;

pub use csv::{read_csv, CsvRow};
pub use editing::{
    append_entry, entry_forms, with_entries, EntriesView, EntryForm, NewEntry, TextForm,
};
pub use index::{Candidate, FaqIndex, Search, StoredIndexError, ENGINE};
pub use kb::{Entry, EntryText, KbError, KnowledgeBase, Language, Settings};
pub use stored::StoredFaq;
pub use vectors::{VectorsError, WordVectors};

use crate::analysis::Analysis;
use crate::protocol::{Author, Message, Source, Suggestion};

/// What the AI does with one visitor question.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The AI's message: an answer with its source, or "not sure" with
    /// choices.
    pub message: Message,
    /// The entry it answered from; `None` when it was not sure.
    pub entry: Option<MatchedEntry>,
}

/// The knowledge-base entry an answer comes from: what routing and the
/// escalation policy need to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedEntry {
    pub id: String,
    pub tags: Vec<String>,
    /// The team that takes hand-offs on its topic.
    pub team: Option<String>,
    /// Always hand to a person.
    pub hand_off: bool,
}

impl MatchedEntry {
    fn of(entry: &Entry) -> Self {
        Self {
            id: entry.id.clone(),
            tags: entry.tags.clone(),
            team: entry.team.clone(),
            hand_off: entry.handoff,
        }
    }
}

/// The text of an abstention, in the visitor's language. Fixed product
/// words, never model output.
pub fn not_sure(language: Language) -> &'static str {
    match language {
        Language::English => {
            "I'm not sure I can answer that from this site's help pages. \
             Did you mean one of these? You can also talk to a person."
        }
        Language::German => {
            "Ich bin nicht sicher, ob ich das anhand der Hilfeseiten dieser Website \
             beantworten kann. Meinten Sie eine dieser Fragen? Sie können auch mit einer \
             Person sprechen."
        }
        Language::Spanish => {
            "No estoy seguro de poder responder a eso con las páginas de ayuda de este \
             sitio. ¿Quería decir alguna de estas preguntas? También puede hablar con una \
             persona."
        }
    }
}

/// Abstaining without choices: nothing in the knowledge base is close.
pub fn cannot_answer(language: Language) -> &'static str {
    match language {
        Language::English => {
            "I can't answer that from this site's help pages. A person from the team can: \
             press \"Talk to a person\"."
        }
        Language::German => {
            "Das kann ich anhand der Hilfeseiten dieser Website nicht beantworten. Eine \
             Person aus dem Team kann es: Drücken Sie „Mit einem Menschen sprechen“."
        }
        Language::Spanish => {
            "No puedo responder a eso con las páginas de ayuda de este sitio. Una persona \
             del equipo sí puede: pulse «Hablar con una persona»."
        }
    }
}

/// The note under an answer that is not in the visitor's language.
pub fn only_in(answer: Language, visitor: Language) -> String {
    let name = |l: Language| match (visitor, l) {
        (Language::English, Language::English) => "English",
        (Language::English, Language::German) => "German",
        (Language::English, Language::Spanish) => "Spanish",
        (Language::German, Language::English) => "Englisch",
        (Language::German, Language::German) => "Deutsch",
        (Language::German, Language::Spanish) => "Spanisch",
        (Language::Spanish, Language::English) => "inglés",
        (Language::Spanish, Language::German) => "alemán",
        (Language::Spanish, Language::Spanish) => "español",
    };
    match visitor {
        Language::English => format!("(This answer is only available in {}.)", name(answer)),
        Language::German => format!("(Diese Antwort gibt es nur auf {}.)", name(answer)),
        Language::Spanish => {
            format!("(Esta respuesta solo está disponible en {}.)", name(answer))
        }
    }
}

/// Candidates under this score are not plausible enough to offer as
/// "Did you mean" choices (chosen on the demo's dev questions); with word
/// vectors every entry scores a little higher, hence the higher floor
/// ([`FaqIndex::suggestion_floor`]).
pub const SUGGESTION_FLOOR: f32 = 0.15;
pub const SUGGESTION_FLOOR_WITH_VECTORS: f32 = 0.25;

/// A knowledge base ready to answer in each language it speaks: one index
/// per language, built the first time a visitor of that language asks.
pub struct Faq {
    kb: KnowledgeBase,
    indexes: Vec<(Language, std::cell::OnceCell<FaqIndex>)>,
    /// English word vectors: the English index also matches by meaning.
    vectors: Option<std::sync::Arc<WordVectors>>,
}

impl Faq {
    pub fn new(kb: KnowledgeBase) -> Self {
        Self::with_vectors(kb, None)
    }

    /// With English word vectors (its English index uses them).
    pub fn with_vectors(kb: KnowledgeBase, vectors: Option<std::sync::Arc<WordVectors>>) -> Self {
        let indexes = kb
            .settings
            .languages
            .iter()
            .map(|l| (*l, std::cell::OnceCell::new()))
            .collect();
        Self {
            kb,
            indexes,
            vectors,
        }
    }

    pub fn knowledge_base(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// The index a visitor of `language` is answered from: that language's,
    /// or the default's for a language the site does not speak.
    pub fn index_for(&self, language: Language) -> &FaqIndex {
        let (l, cell) = self.slot(language);
        cell.get_or_init(|| FaqIndex::build_with(&self.kb.in_language(*l), self.vectors.clone()))
    }

    /// The language whose index answers a visitor of `language`, and
    /// whether that index is ready (built or read) in this `Faq`.
    pub fn index_language(&self, language: Language) -> (Language, bool) {
        let (l, cell) = self.slot(language);
        (*l, cell.get().is_some())
    }

    /// Takes `language`'s index from stored bytes instead of building it.
    pub fn read_index(&self, language: Language, bytes: &[u8]) -> Result<(), StoredIndexError> {
        let (l, cell) = self.slot(language);
        if cell.get().is_none() {
            let index =
                FaqIndex::from_bytes(&self.kb.in_language(*l), self.vectors.clone(), bytes)?;
            let _ = cell.set(index);
        }
        Ok(())
    }

    fn slot(&self, language: Language) -> &(Language, std::cell::OnceCell<FaqIndex>) {
        let answering = self.kb.settings.answering(Some(language));
        self.indexes
            .iter()
            .find(|(l, _)| *l == answering)
            .unwrap_or(&self.indexes[0])
    }
}

/// Matches the question in the visitor's language and words the AI's
/// reply in it.
pub fn reply(faq: &Faq, question: &Analysis, language: Language) -> Reply {
    let index = faq.index_for(language);
    let search = index.search(question);
    match search.best().filter(|_| search.answered) {
        Some(best) => {
            let entry = &index.entries()[best.entry];
            let source = Source {
                entry_id: entry.id.clone(),
                title: entry.question.clone(),
                url: entry.source.clone(),
                confidence: (search.confidence * 100.0).round() / 100.0,
            };
            let text = if entry.language == language {
                entry.answer.clone()
            } else {
                format!("{}\n\n{}", entry.answer, only_in(entry.language, language))
            };
            let mut message = Message::plain(Author::Ai, text, None);
            message.source = Some(source);
            Reply {
                message,
                entry: Some(MatchedEntry::of(entry)),
            }
        }
        None => {
            let suggestions: Vec<Suggestion> = search
                .candidates
                .iter()
                .filter(|c| c.score >= index.suggestion_floor())
                .take(index.settings().suggestions)
                .map(|c| {
                    let e = &index.entries()[c.entry];
                    Suggestion {
                        entry_id: e.id.clone(),
                        question: e.question.clone(),
                    }
                })
                .collect();
            let text = if suggestions.is_empty() {
                cannot_answer(language)
            } else {
                not_sure(language)
            };
            let mut message = Message::plain(Author::Ai, text, None);
            message.suggestions = suggestions;
            Reply {
                message,
                entry: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Faq {
        let text = include_str!("../../../sites/demo/faq.toml");
        Faq::new(KnowledgeBase::from_toml("sites/demo/faq.toml", text).expect("the demo KB loads"))
    }

    fn reply(faq: &Faq, question: &Analysis) -> Reply {
        super::reply(faq, question, Language::English)
    }

    #[test]
    fn the_demo_knowledge_base_has_at_least_thirty_entries_with_phrasings() {
        let faq = demo();
        let index = faq.index_for(Language::English);
        assert!(index.entries().len() >= 30);
        assert!(
            index.entries().iter().all(|e| e.phrasings.len() >= 2),
            "several phrasings each"
        );
    }

    #[test]
    fn saturday_hours_get_the_opening_hours_answer_with_its_source() {
        let r = reply(&demo(), &Analysis::new("when are you open on saturday"));
        let source = r.message.source.expect("answered with a source");
        assert_eq!(source.entry_id, "opening-hours");
        assert_eq!(source.title, "What are your opening hours?");
        assert_eq!(source.url.as_deref(), Some("/demo/#visit"));
        assert!(r.message.text.contains("Saturday 9:00"));
        assert_eq!(r.message.author, Author::Ai);
    }

    #[test]
    fn visitors_own_words_find_the_right_entries() {
        let index = demo();
        for (q, id) in [
            ("how much to fix a flat tire", "puncture-repair"),
            ("do you take visa", "payment"),
            ("where do i leave my car", "parking"),
            ("can you look at my ebike motor", "ebike-service"),
            ("my wheel is wobbly", "wheel-truing"),
            ("is there a guarantee on repairs", "warranty"),
        ] {
            let r = reply(&index, &Analysis::new(q));
            assert_eq!(
                r.message.source.map(|s| s.entry_id),
                Some(id.to_string()),
                "for {q:?}: {}",
                r.message.text
            );
        }
    }

    #[test]
    fn a_question_outside_the_faq_gets_related_choices_not_a_wrong_answer() {
        // Near entries of the demo, answered by none of them.
        let faq = demo();
        let mut with_choices = 0;
        for q in [
            "Can you service a Rohloff hub?",
            "how much to fit a new dynamo light system?",
        ] {
            let r = reply(&faq, &Analysis::new(q));
            assert!(
                r.message.source.is_none(),
                "{q}: answered {:?}",
                r.message.source
            );
            if !r.message.suggestions.is_empty() {
                with_choices += 1;
                assert_eq!(r.message.text, not_sure(Language::English));
                assert!(r.message.suggestions.len() <= 3);
            } else {
                assert_eq!(r.message.text, cannot_answer(Language::English));
            }
        }
        assert!(with_choices >= 1, "related questions get choices");
    }

    #[test]
    fn an_unrelated_question_gets_no_choices_only_the_way_to_a_person() {
        let r = reply(
            &demo(),
            &Analysis::new("what's the weather forecast for the marathon tomorrow"),
        );
        assert!(r.message.source.is_none());
        assert!(
            r.message.suggestions.is_empty(),
            "{:?}",
            r.message.suggestions
        );
        assert_eq!(r.message.text, cannot_answer(Language::English));
    }

    #[test]
    fn a_complaint_is_answered_and_handed_to_a_person() {
        let r = reply(
            &demo(),
            &Analysis::new("I want to complain, you damaged my bike"),
        );
        assert!(r.entry.as_ref().is_some_and(|e| e.hand_off));
        assert_eq!(
            r.message.source.map(|s| s.entry_id).as_deref(),
            Some("complaint")
        );
    }
}

#[cfg(test)]
mod languages {
    use super::*;

    fn demo() -> Faq {
        let text = include_str!("../../../sites/demo/faq.toml");
        Faq::new(KnowledgeBase::from_toml("sites/demo/faq.toml", text).expect("the demo KB loads"))
    }

    #[test]
    fn a_german_visitor_gets_the_german_answer_and_german_fixed_texts() {
        let faq = demo();
        let r = reply(
            &faq,
            &Analysis::new("Wann habt ihr am Samstag offen?"),
            Language::German,
        );
        let source = r.message.source.expect("answered");
        assert_eq!(source.entry_id, "opening-hours");
        assert!(r.message.text.contains("Samstag"), "{}", r.message.text);
        let r = reply(&faq, &Analysis::new("qwertz uiop asdf"), Language::German);
        assert!(
            r.message.text.starts_with("Das kann ich")
                || r.message.text.starts_with("Ich bin nicht sicher"),
            "{}",
            r.message.text
        );
    }

    #[test]
    fn an_answer_only_in_another_language_says_so_in_the_visitors() {
        let kb = KnowledgeBase::from_toml(
            "kb.toml",
            "[settings]\nlanguages = [\"en\", \"es\"]\n[[entry]]\nid = \"rent\"\nquestion = \"Do you rent bikes?\"\nanswer = \"Yes.\"\n",
        )
        .unwrap();
        let r = reply(
            &Faq::new(kb),
            &Analysis::new("do you rent bikes"),
            Language::Spanish,
        );
        assert_eq!(
            r.message.text,
            "Yes.\n\n(Esta respuesta solo está disponible en inglés.)"
        );
    }

    #[test]
    fn unrelated_questions_get_no_far_fetched_choices() {
        let r = reply(
            &demo(),
            &Analysis::new("qwertz uiop asdf"),
            Language::English,
        );
        assert!(
            r.message.suggestions.is_empty(),
            "{:?}",
            r.message.suggestions
        );
        assert_eq!(r.message.text, cannot_answer(Language::English));
    }

    fn demo_with_vectors() -> Faq {
        let text = include_str!("../../../sites/demo/faq.toml");
        let vectors = WordVectors::from_bytes(include_bytes!("../../models/word-vectors.bin"))
            .expect("the word vectors load");
        Faq::with_vectors(
            KnowledgeBase::from_toml("sites/demo/faq.toml", text).expect("the demo KB loads"),
            Some(std::sync::Arc::new(vectors)),
        )
    }

    #[test]
    fn word_vectors_answer_casual_paraphrases_that_words_alone_cannot() {
        let (words, meaning) = (demo(), demo_with_vectors());
        for (q, id) in [
            ("can I bring my car and leave it nearby", "parking"),
            ("do you guys work on weekends", "opening-hours"),
        ] {
            let alone = super::reply(&words, &Analysis::new(q), Language::English);
            assert_eq!(alone.entry, None, "words alone are not sure of {q:?}");
            let r = super::reply(&meaning, &Analysis::new(q), Language::English);
            assert_eq!(
                r.entry.map(|e| e.id),
                Some(id.to_string()),
                "for {q:?}: {}",
                r.message.text
            );
        }
    }

    #[test]
    fn word_vectors_keep_unrelated_questions_unanswered_and_without_far_fetched_choices() {
        let faq = demo_with_vectors();
        for q in [
            "can you recommend a good pizza place for tonight",
            "qwertz uiop asdf",
            "what is the capital of france",
        ] {
            let r = super::reply(&faq, &Analysis::new(q), Language::English);
            assert_eq!(r.entry, None, "{q:?} answered: {}", r.message.text);
            assert!(
                r.message.suggestions.is_empty(),
                "{q:?}: {:?}",
                r.message.suggestions
            );
        }
        let near = super::reply(
            &faq,
            &Analysis::new("Do you fit dynamo hubs and lights?"),
            Language::English,
        );
        assert_eq!(near.entry, None, "{}", near.message.text);
        assert!(!near.message.suggestions.is_empty());
    }

    #[test]
    fn german_and_spanish_visitors_are_matched_by_words_alone() {
        let (words, meaning) = (demo(), demo_with_vectors());
        for (q, language) in [
            ("Wann habt ihr am Wochenende offen?", Language::German),
            ("¿Dónde puedo dejar el coche?", Language::Spanish),
        ] {
            let a = super::reply(&words, &Analysis::new(q), language);
            let b = super::reply(&meaning, &Analysis::new(q), language);
            assert_eq!(a, b, "{q:?}");
        }
    }
}
