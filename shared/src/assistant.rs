//! What the AI assistant says to a visitor's message: the fixed product
//! answers first (they must never depend on matching: the disclosure,
//! greetings and thanks), then the FAQ.

use crate::analysis::{Analysis, Language};
use crate::disclosure;
use crate::escalation::{self, Classification};
use crate::faq::{self, Faq, MatchedEntry};
use crate::protocol::{Author, Message, Trial, TrialCandidate};
use crate::smalltalk;

/// The assistant's reply and what it did.
#[derive(Debug, Clone, PartialEq)]
pub struct AssistantReply {
    pub message: Message,
    pub outcome: Outcome,
}

/// What kind of reply it is: the edge decides on it, never on the text.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The fixed answer to "am I talking to a person?", in this language.
    Disclosure(Language),
    /// A greeting or thanks, answered in kind.
    Smalltalk,
    /// Answered from this entry.
    Answered(MatchedEntry),
    /// Not sure: choices and the person button instead.
    NotSure,
}

impl AssistantReply {
    /// The visitor's question got an answer (the disclosure counts).
    pub fn answered(&self) -> bool {
        !matches!(self.outcome, Outcome::NotSure)
    }

    /// The policy's view of the message this replies to: whether it was
    /// answered, and the entry if it always hands to a person.
    pub fn turn<'a>(
        &'a self,
        message: &'a Analysis,
        reading: &'a Classification,
    ) -> escalation::Turn<'a> {
        escalation::Turn {
            message,
            reading,
            answered: self.answered(),
            handoff_entry: self.entry().filter(|e| e.hand_off).map(|e| e.id.as_str()),
        }
    }

    /// The knowledge-base entry answered from, if any.
    pub fn entry(&self) -> Option<&MatchedEntry> {
        match &self.outcome {
            Outcome::Answered(entry) => Some(entry),
            _ => None,
        }
    }
}

/// The reply to a visitor's message, in `language` (the conversation's),
/// given what the escalation model read in it. The disclosure answers in
/// the language the question was asked in when a fixed phrase shows it.
pub fn reply(
    faq: &Faq,
    message: &Analysis,
    reading: &Classification,
    language: Language,
) -> AssistantReply {
    if escalation::about_the_ai(message, reading) {
        let language = disclosure::asks_if_bot(message).unwrap_or(language);
        return AssistantReply {
            message: Message::plain(Author::Ai, disclosure::bot_answer(language), None),
            outcome: Outcome::Disclosure(language),
        };
    }
    if let Some((kind, language)) = smalltalk::recognize(message) {
        return AssistantReply {
            message: Message::plain(Author::Ai, smalltalk::answer(kind, language), None),
            outcome: Outcome::Smalltalk,
        };
    }
    if says_only_unhelpful(message) {
        // "That didn't help" is about the last answer, not a question:
        // matched against the FAQ it reads like a complaint.
        return AssistantReply {
            message: Message::plain(Author::Ai, faq::cannot_answer(language), None),
            outcome: Outcome::NotSure,
        };
    }
    let faq::Reply { message, entry } = faq::reply(faq, message, language);
    let outcome = match entry {
        Some(entry) => Outcome::Answered(entry),
        None => Outcome::NotSure,
    };
    AssistantReply { message, outcome }
}

/// A short message that says the last answer did not help, and nothing
/// else to answer: at most 12 words, the bound `handoff` uses for a request
/// for a person and nothing else (a longer one may also ask something).
fn says_only_unhelpful(message: &Analysis) -> bool {
    escalation::says_unhelpful(message) && message.words.len() <= 12
}

/// The AI's answer to a photo the visitor sent while it is in charge: it
/// cannot look at photos, and says who can (fixed text, never generated).
pub fn photo_reply(language: Language) -> Message {
    let text = match language {
        Language::English => {
            "I can't look at photos. A person from the team can: press \"Talk to a person\" \
             and they will see it."
        }
        Language::German => {
            "Fotos kann ich mir nicht ansehen. Ein Mensch aus dem Team kann das: Drücken Sie \
             „Mit einem Menschen sprechen“, dann sieht er Ihr Foto."
        }
        Language::Spanish => {
            "No puedo ver fotos. Una persona del equipo sí: pulse «Hablar con una persona» \
             y verá su foto."
        }
    };
    Message::plain(Author::Ai, text, None)
}

/// What the AI would do with `text` as a visitor's first message in
/// `language`: its reply, the entries it weighed, and whether the policy
/// would hand over. The "try a question" box of the knowledge-base editor.
pub fn trial(
    faq: &Faq,
    policy: &escalation::EscalationPolicy,
    text: &str,
    language: Language,
) -> Trial {
    let message = Analysis::new(text);
    let reading = escalation::read(&message);
    let r = reply(faq, &message, &reading, language);
    let index = faq.index_for(language);
    let search = index.search(&message);
    let decision = escalation::decide(policy, &[], &r.turn(&message, &reading));
    Trial {
        entry_id: r.entry().map(|e| e.id.clone()),
        confidence: search.confidence,
        candidates: search
            .candidates
            .iter()
            .map(|c| {
                let e = &index.entries()[c.entry];
                TrialCandidate {
                    entry_id: e.id.clone(),
                    question: e.question.clone(),
                    score: c.score,
                }
            })
            .collect(),
        hand_over: decision.trigger,
        reasons: decision.reasons.iter().map(|r| r.detail.clone()).collect(),
        message: r.message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faq::KnowledgeBase;

    #[test]
    fn asking_whether_it_is_a_bot_gets_the_fixed_answer_even_if_the_faq_could_match() {
        let kb = KnowledgeBase::from_toml(
            "kb.toml",
            "[[entry]]\nid = \"bots\"\nquestion = \"Are you a bot?\"\nanswer = \"We love robots!\"\n",
        )
        .unwrap();
        let message = Analysis::new("are you a bot?");
        let r = reply(
            &Faq::new(kb),
            &message,
            &escalation::read(&message),
            Language::English,
        );
        assert_eq!(r.message.text, disclosure::bot_answer(Language::English));
        assert!(r.message.source.is_none());
        assert_eq!(r.outcome, Outcome::Disclosure(Language::English));
        assert!(r.answered());
    }

    #[test]
    fn saying_the_answer_did_not_help_is_not_matched_as_a_complaint() {
        let kb = KnowledgeBase::from_toml(
            "kb.toml",
            "[[entry]]\nid = \"complaint\"\nquestion = \"I want to complain\"\n\
             phrasings = [\"that did not help at all\"]\nanswer = \"Sorry.\"\nhandoff = true\n",
        )
        .unwrap();
        for text in ["that did not help at all", "That didn't help"] {
            let message = Analysis::new(text);
            let r = reply(
                &Faq::new(kb.clone()),
                &message,
                &escalation::read(&message),
                Language::English,
            );
            assert_eq!(r.outcome, Outcome::NotSure, "{text}");
            assert_eq!(r.message.text, faq::cannot_answer(Language::English));
        }
    }

    #[test]
    fn the_photo_reply_names_the_widgets_own_button_in_each_language() {
        for (code, _) in crate::widget_text::LANGUAGES {
            let language = Language::parse(code).unwrap();
            let words = crate::widget_text::values_for(code);
            let button = words[crate::widget_text::KEYS
                .iter()
                .position(|k| *k == "talk_to_person")
                .unwrap()]
            .as_str()
            .unwrap()
            .to_string();
            let reply = photo_reply(language);
            assert_eq!(reply.author, Author::Ai);
            assert!(reply.text.contains(&button), "{code}: {}", reply.text);
        }
    }
}

#[cfg(test)]
mod trial_tests {
    use super::*;
    use crate::faq::KnowledgeBase;

    fn faq() -> Faq {
        Faq::new(
            KnowledgeBase::from_toml(
                "kb.toml",
                "[[entry]]\nid = \"puncture\"\nquestion = \"How much is a puncture repair?\"\n\
                 answer = \"15 euros.\"\nphrasings = [\"price to fix a flat tyre\"]\n\
                 [[entry]]\nid = \"hours\"\nquestion = \"When are you open?\"\nanswer = \"9 to 6.\"\n",
            )
            .unwrap(),
        )
    }

    #[test]
    fn a_trial_shows_the_answer_its_entry_and_the_runners_up() {
        let t = trial(
            &faq(),
            &Default::default(),
            "how much is a puncture repair",
            Language::English,
        );
        assert_eq!(t.entry_id.as_deref(), Some("puncture"));
        assert_eq!(t.message.text, "15 euros.");
        assert_eq!(t.candidates[0].entry_id, "puncture");
        assert!(t.confidence > 0.5, "{t:?}");
        assert_eq!(t.hand_over, None);
    }

    #[test]
    fn a_trial_says_when_the_ai_would_hand_over_and_why() {
        let t = trial(
            &faq(),
            &Default::default(),
            "I want to talk to a real person now",
            Language::English,
        );
        assert!(t.hand_over.is_some(), "{t:?}");
        assert!(!t.reasons.is_empty(), "{t:?}");
    }
}
