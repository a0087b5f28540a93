//! The FAQ answering engine: the site's own knowledge base, matched at the
//! edge with no external API. It answers only when it is confident enough,
//! and otherwise offers the closest entries and a person.

pub mod analyzer;
mod calibration;
pub mod index;
pub mod kb;
mod residual;

pub use index::{Candidate, FaqIndex, Search};
pub use kb::{append_entry, Entry, KbError, KnowledgeBase, Language, NewEntry, Settings};

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

/// The text of an abstention. Fixed product words, never model output.
pub const NOT_SURE: &str = "I'm not sure I can answer that from this site's help pages. \
     Did you mean one of these? You can also talk to a person.";

/// Matches the question and words the AI's reply.
pub fn reply(index: &FaqIndex, question: &Analysis) -> Reply {
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
            let mut message = Message::plain(Author::Ai, entry.answer.clone(), None);
            message.source = Some(source);
            Reply {
                message,
                entry: Some(MatchedEntry::of(entry)),
            }
        }
        None => {
            let mut message = Message::plain(Author::Ai, NOT_SURE, None);
            message.suggestions = search
                .candidates
                .iter()
                .take(index.settings().suggestions)
                .map(|c| {
                    let e = &index.entries()[c.entry];
                    Suggestion {
                        entry_id: e.id.clone(),
                        question: e.question.clone(),
                    }
                })
                .collect();
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

    fn demo() -> FaqIndex {
        let text = include_str!("../../../sites/demo/faq.toml");
        FaqIndex::build(
            &KnowledgeBase::from_toml("sites/demo/faq.toml", text).expect("the demo KB loads"),
        )
    }

    #[test]
    fn the_demo_knowledge_base_has_at_least_thirty_entries_with_phrasings() {
        let index = demo();
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
    fn a_question_outside_the_faq_gets_choices_not_a_wrong_answer() {
        let r = reply(
            &demo(),
            &Analysis::new("what's the weather forecast for the marathon tomorrow"),
        );
        assert!(
            r.message.source.is_none(),
            "no answer: {:?}",
            r.message.source
        );
        assert_eq!(r.message.text, NOT_SURE);
        assert!(
            (1..=3).contains(&r.message.suggestions.len()),
            "{:?}",
            r.message.suggestions
        );
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
