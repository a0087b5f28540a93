//! When the AI hands a conversation to a person, and why.
//!
//! After every visitor message the edge asks [`decide`]. The answer carries
//! every reason found, in words an agent can read ("frustration: 'this is
//! ridiculous'; 2 unanswered questions"), so a hand-off is never silent and
//! never unexplained. Everything here is a plain function of the text and
//! the conversation so far; the lexicons cover English, German and Spanish.
//!
//! Patterns are matched on normalized words (`faq::analyzer::normalize`:
//! lower case, no diacritics, no apostrophes): a pattern is a run of words,
//! a word ending in `*` matches any word starting with it.

mod lexicon;
mod sentiment;

pub use lexicon::default_sensitive_topics;
pub use sentiment::sentiment;

use crate::analysis::Analysis;
use crate::disclosure;
pub use crate::protocol::{Mood, Sentiment, Trigger};
use lexicon::{
    word_matches, Words, COMPLAINT, NEGATIONS, PERSON_NOUNS, PERSON_PHRASES, POLITE, REQUEST_VERBS,
    UNHELPFUL,
};
use serde::{Deserialize, Serialize};

/// Per-site settings of the policy (the `handoff.policy` part of a site's
/// configuration). Every field has a sensible default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EscalationPolicy {
    /// Hand over when this many misses (abstentions or "that didn't help")
    /// come in a row.
    pub misses_in_a_row: u32,
    /// Frustration score at which to hand over (see [`sentiment`]).
    pub frustration_threshold: f32,
    /// Topics always handed to a person. Empty uses [`default_sensitive_topics`].
    pub sensitive_topics: Vec<SensitiveTopic>,
    /// Hand over when the visitor asks the same question again.
    pub repeated_question: bool,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self {
            misses_in_a_row: 2,
            frustration_threshold: 2.0,
            sensitive_topics: Vec::new(),
            repeated_question: true,
        }
    }
}

/// A topic (legal, medical, payment dispute, safety…) and the words that
/// name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitiveTopic {
    pub name: String,
    pub patterns: Vec<String>,
}

/// One reason, with the words that show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub trigger: Trigger,
    /// For an agent: "frustration: 'this is ridiculous'".
    pub detail: String,
}

/// A visitor's earlier message and how the AI did with it, as recorded
/// when it was the message decided on (so it is never analyzed again).
#[derive(Debug, Clone, PartialEq)]
pub struct PastTurn {
    pub text: String,
    /// Its normalized words.
    pub words: Vec<String>,
    /// The AI did not answer it, or the visitor said the answer did not help.
    pub missed: bool,
}

impl PastTurn {
    /// A message the policy did not decide on (a person was asked for
    /// already): a miss when unanswered or "that didn't help".
    pub fn new(message: &Analysis, answered: bool) -> Self {
        Self {
            text: message.text.clone(),
            words: message.words.clone(),
            missed: !answered || says_unhelpful(message),
        }
    }
}

/// The message being decided on.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn<'a> {
    pub message: &'a Analysis,
    /// The AI answers it with confidence.
    pub answered: bool,
    /// The answer's FAQ entry is marked "always hand to a person": its id.
    pub handoff_entry: Option<&'a str>,
}

/// The policy's answer for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The strongest reason, if the conversation should go to a person.
    pub trigger: Option<Trigger>,
    /// Every reason found, strongest first.
    pub reasons: Vec<Reason>,
    pub sentiment: Sentiment,
    /// Name of the sensitive topic, for routing.
    pub topic: Option<String>,
    /// This message counts as a miss (not answered, or "that didn't help").
    pub missed: bool,
}

impl Decision {
    pub fn hand_off(&self) -> bool {
        self.trigger.is_some()
    }

    /// The decision for the "Talk to a person" button.
    pub fn button() -> Self {
        Decision {
            trigger: Some(Trigger::PersonButton),
            reasons: vec![Reason {
                trigger: Trigger::PersonButton,
                detail: "pressed \"Talk to a person\"".into(),
            }],
            sentiment: Sentiment {
                frustration: 0.0,
                label: Mood::Calm,
            },
            topic: None,
            missed: false,
        }
    }

    /// This message as a past turn, for the decisions on later ones.
    pub fn past_turn(&self, message: &Analysis) -> PastTurn {
        PastTurn {
            text: message.text.clone(),
            words: message.words.clone(),
            missed: self.missed,
        }
    }

    /// Reasons as one line for an agent.
    pub fn summary(&self) -> String {
        self.reasons
            .iter()
            .map(|r| r.detail.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Decides whether `turn` (given the visitor's earlier turns) goes to a person.
pub fn decide(policy: &EscalationPolicy, history: &[PastTurn], turn: &Turn) -> Decision {
    let words = Words::of(turn.message);
    let sentiment = sentiment(turn.message);
    let mut reasons = Vec::new();
    let mut topic = None;

    // "Are you a bot?" is answered with the disclosure, not a hand-off.
    if disclosure::asks_if_bot(turn.message).is_none() {
        if let Some(phrase) = asks_for_person(&words) {
            reasons.push(Reason {
                trigger: Trigger::AskedInWords,
                detail: format!("asked for a person: '{phrase}'"),
            });
        }
    }
    if let Some(id) = turn.handoff_entry {
        reasons.push(Reason {
            trigger: Trigger::HandoffEntry,
            detail: format!("FAQ entry '{id}' always goes to a person"),
        });
    }
    let defaults;
    let topics = if policy.sensitive_topics.is_empty() {
        defaults = default_sensitive_topics();
        &defaults
    } else {
        &policy.sensitive_topics
    };
    for t in topics {
        if let Some(phrase) = t.patterns.iter().find_map(|p| words.find(p)) {
            reasons.push(Reason {
                trigger: Trigger::SensitiveTopic,
                detail: format!("sensitive topic {}: '{phrase}'", t.name),
            });
            topic.get_or_insert_with(|| t.name.clone());
        }
    }
    if let Some(phrase) = COMPLAINT.iter().find_map(|p| words.find(p)) {
        reasons.push(Reason {
            trigger: Trigger::Complaint,
            detail: format!("complaint: '{phrase}'"),
        });
    }
    if sentiment.frustration >= policy.frustration_threshold {
        reasons.push(Reason {
            trigger: Trigger::Frustration,
            detail: format!("frustration: '{}'", excerpt(&turn.message.text, 60)),
        });
    }
    let this_missed = !turn.answered || says_unhelpful(turn.message);
    let misses = 1 + history.iter().rev().take_while(|t| t.missed).count();
    if this_missed && policy.misses_in_a_row > 0 && misses >= policy.misses_in_a_row as usize {
        reasons.push(Reason {
            trigger: Trigger::RepeatedMisses,
            detail: format!("{misses} unanswered or unhelpful answers in a row"),
        });
    }
    if policy.repeated_question {
        if let Some(earlier) = history
            .iter()
            .find(|t| same_question(&t.words, &turn.message.words))
        {
            reasons.push(Reason {
                trigger: Trigger::RepeatedQuestion,
                detail: format!("asked again: '{}'", excerpt(&earlier.text, 60)),
            });
        }
    }
    reasons.sort_by(|a, b| {
        b.trigger
            .base_priority()
            .total_cmp(&a.trigger.base_priority())
            .then(a.trigger.cmp(&b.trigger))
    });
    reasons.dedup_by(|a, b| a.detail == b.detail);
    Decision {
        trigger: reasons.first().map(|r| r.trigger),
        reasons,
        sentiment,
        topic,
        missed: this_missed,
    }
}

/// "That didn't help", in any supported language.
pub fn says_unhelpful(message: &Analysis) -> bool {
    let words = Words::of(message);
    UNHELPFUL.iter().any(|p| words.find(p).is_some())
}

/// The message asks for a person in words (and is not "are you a bot?").
pub fn asks_for_person_in(message: &Analysis) -> bool {
    disclosure::asks_if_bot(message).is_none() && asks_for_person(&Words::of(message)).is_some()
}

/// The request phrase if the message asks for a person: a fixed phrase, a
/// request verb followed by a person word ("can I talk to someone"), or a
/// short message that is just a person word ("agent please"). "I don't need
/// a person" is not a request.
fn asks_for_person(words: &Words) -> Option<String> {
    if let Some(p) = PERSON_PHRASES.iter().find_map(|p| words.find(p)) {
        return Some(p);
    }
    let list = &words.list;
    for (i, w) in list.iter().enumerate() {
        if !REQUEST_VERBS.iter().any(|v| word_matches(v, w)) {
            continue;
        }
        let negated = list[i.saturating_sub(3)..i]
            .iter()
            .any(|w| NEGATIONS.contains(&w.as_str()));
        if negated {
            continue;
        }
        for (j, n) in list.iter().enumerate().skip(i + 1).take(6) {
            if PERSON_NOUNS.iter().any(|p| word_matches(p, n)) {
                return Some(list[i..=j].join(" "));
            }
        }
    }
    let content: Vec<&String> = list
        .iter()
        .filter(|w| !POLITE.contains(&w.as_str()))
        .collect();
    if (1..=2).contains(&content.len())
        && content
            .iter()
            .any(|w| PERSON_NOUNS.iter().any(|p| word_matches(p, w)))
    {
        return Some(list.join(" "));
    }
    None
}

/// The same question again: the same normalized words, or nearly (Jaccard
/// ≥ 0.8 on 3 or more words).
fn same_question(a: &[String], b: &[String]) -> bool {
    if a.len() < 3 || b.len() < 3 {
        return false;
    }
    if a == b {
        return true;
    }
    let sa: std::collections::BTreeSet<&String> = a.iter().collect();
    let sb: std::collections::BTreeSet<&String> = b.iter().collect();
    let shared = sa.intersection(&sb).count() as f32;
    let union = sa.union(&sb).count() as f32;
    shared / union >= 0.8
}

fn excerpt(text: &str, max_chars: usize) -> String {
    let trimmed = text.trim();
    if trimmed.chars().count() <= max_chars {
        trimmed.to_string()
    } else {
        let cut: String = trimmed.chars().take(max_chars).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> EscalationPolicy {
        EscalationPolicy::default()
    }

    fn decide_one(text: &str) -> Decision {
        decide(
            &policy(),
            &[],
            &Turn {
                message: &Analysis::new(text),
                answered: true,
                handoff_entry: None,
            },
        )
    }

    fn past(text: &str, answered: bool) -> PastTurn {
        PastTurn::new(&Analysis::new(text), answered)
    }

    fn answered(text: &str) -> PastTurn {
        past(text, true)
    }

    #[test]
    fn asking_for_a_person_in_words_hands_over_in_three_languages() {
        for q in [
            "Can I speak to a human?",
            "I want to talk to a real person",
            "agent",
            "Agent please!",
            "human please",
            "representative",
            "Can you connect me with someone from the team?",
            "I need to speak to someone",
            "let me talk to a person",
            "put me through to an operator",
            "is there a live agent available",
            "customer service please",
            "I'd like to chat with a member of staff",
            "can i get a human",
            "Transfer me to a representative",
            "Please have someone call me back",
            "I want a real human, not a bot",
            "talk to someone",
            "Kann ich mit einem Menschen sprechen?",
            "Ich möchte mit einem Mitarbeiter reden",
            "Bitte verbinden Sie mich mit einem Berater",
            "echten Menschen bitte",
            "Kundenservice",
            "Quiero hablar con una persona",
            "¿Puedo hablar con un agente?",
            "necesito un humano",
            "Pásame con alguien por favor",
            "atención al cliente",
        ] {
            let d = decide_one(q);
            assert_eq!(
                d.trigger,
                Some(Trigger::AskedInWords),
                "{q}: {:?}",
                d.reasons
            );
            assert!(
                d.summary().starts_with("asked for a person"),
                "{q}: {}",
                d.summary()
            );
        }
    }

    #[test]
    fn frustration_hands_over_and_quotes_the_visitor() {
        for q in [
            "This is ridiculous",
            "this is useless",
            "I'm so frustrated with this chat",
            "Worst service ever",
            "WHY DOES NOBODY ANSWER MY QUESTION!!",
            "are you kidding me?!?! answer!!",
            "I'm really annoyed now",
            "I am furious",
            "what the hell, this is a waste of time",
            "wtf",
            "this is fucking pointless",
            "How many times do I have to ask",
            "I'm sick of this bot",
            "unacceptable",
            "you are not helpful at all, this is terrible",
            "I am fed up",
            "Das ist lächerlich",
            "Ich bin echt sauer!!",
            "So eine Frechheit",
            "Das ist eine Zumutung",
            "Esto es ridículo",
            "Estoy harto de esperar",
            "qué vergüenza de servicio",
            "this is a bloody joke",
        ] {
            let d = decide_one(q);
            assert!(
                d.reasons.iter().any(|r| r.trigger == Trigger::Frustration),
                "{q}: {:?} {:?}",
                d.reasons,
                d.sentiment
            );
            assert!(d.hand_off());
            assert_ne!(d.sentiment.label, Mood::Calm, "{q}");
        }
        let d = decide_one("This is ridiculous");
        assert_eq!(d.summary(), "frustration: 'This is ridiculous'");
    }

    #[test]
    fn calm_product_questions_do_not_escalate() {
        for q in [
            "I'm frustrated with my bike chain, it keeps slipping",
            "my gears are annoying me, they click in third",
            "How much is a puncture repair?",
            "Do you sell helmets for humans with big heads?",
            "my brakes squeak, is that dangerous or just noise?",
            "When are you open on Saturday?",
            "The chain is not bad but the cassette is worn",
            "Can you fix a damn flat tyre today?",
            "my back light is not working",
            "Where can I park?",
            "Is the basic service worth it?",
            "Do you do a safety check on used bikes?",
            "Can I pay by card?",
            "Thanks, that helped a lot!",
            "Do you have an agent for Shimano parts in town?",
            "I don't need a person, just tell me the price of a service",
            "Wann habt ihr am Samstag geöffnet?",
            "Was kostet ein Service?",
            "¿Cuánto cuesta reparar un pinchazo?",
            "¿Abrís el domingo?",
            "I hate hills, do you sell e-bikes?",
            "How long does a wheel truing take?",
        ] {
            let d = decide_one(q);
            assert!(
                !d.hand_off(),
                "{q} escalated: {:?} {:?}",
                d.reasons,
                d.sentiment
            );
        }
    }

    #[test]
    fn negation_cancels_a_frustration_word() {
        assert_eq!(
            sentiment(&Analysis::new("not bad at all, thanks")).label,
            Mood::Calm
        );
        assert_eq!(
            sentiment(&Analysis::new("It's not terrible")).frustration,
            0.0
        );
        assert!(sentiment(&Analysis::new("I am not happy")).frustration > 0.0);
    }

    #[test]
    fn intensifiers_capitals_and_repeated_punctuation_raise_frustration() {
        let plain = sentiment(&Analysis::new("annoying")).frustration;
        assert!(sentiment(&Analysis::new("very annoying")).frustration > plain);
        assert!(
            sentiment(&Analysis::new("THIS IS VERY ANNOYING")).frustration
                > sentiment(&Analysis::new("this is very annoying")).frustration
        );
        assert!(sentiment(&Analysis::new("annoying!!")).frustration > plain);
    }

    #[test]
    fn complaints_hand_over_even_when_calm() {
        for q in [
            "I'd like to make a complaint",
            "You scratched my frame during the service",
            "I want my money back",
            "I was overcharged for the repair",
            "Ich möchte mich beschweren",
            "Quiero poner una queja",
        ] {
            let d = decide_one(q);
            assert_eq!(d.trigger, Some(Trigger::Complaint), "{q}: {:?}", d.reasons);
        }
    }

    #[test]
    fn an_entry_marked_for_people_hands_over() {
        let d = decide(
            &policy(),
            &[],
            &Turn {
                message: &Analysis::new("my order"),
                answered: true,
                handoff_entry: Some("complaint"),
            },
        );
        assert_eq!(d.trigger, Some(Trigger::HandoffEntry));
        assert_eq!(d.summary(), "FAQ entry 'complaint' always goes to a person");
    }

    #[test]
    fn sensitive_topics_hand_over_and_name_the_topic() {
        for (q, topic) in [
            ("My lawyer will contact you", "legal"),
            ("I got injured when the wheel came off", "medical"),
            ("You charged me twice for one service", "payment dispute"),
            ("The brakes failed on the way home", "safety"),
            ("Mein Anwalt meldet sich", "legal"),
            ("Tuve un accidente con la bici", "safety"),
        ] {
            let d = decide_one(q);
            assert_eq!(
                d.trigger,
                Some(Trigger::SensitiveTopic),
                "{q}: {:?}",
                d.reasons
            );
            assert_eq!(d.topic.as_deref(), Some(topic), "{q}");
        }
    }

    #[test]
    fn a_site_can_replace_the_sensitive_topics() {
        let policy = EscalationPolicy {
            sensitive_topics: vec![SensitiveTopic {
                name: "recall".into(),
                patterns: vec!["recall*".into()],
            }],
            ..EscalationPolicy::default()
        };
        let d = decide(
            &policy,
            &[],
            &Turn {
                message: &Analysis::new("Is my frame part of the recall?"),
                answered: true,
                handoff_entry: None,
            },
        );
        assert_eq!(d.topic.as_deref(), Some("recall"));
        let d = decide(
            &policy,
            &[],
            &Turn {
                message: &Analysis::new("My lawyer will call"),
                answered: true,
                handoff_entry: None,
            },
        );
        assert!(d.topic.is_none(), "the defaults are replaced");
    }

    #[test]
    fn two_misses_in_a_row_hand_over() {
        let first = decide(
            &policy(),
            &[],
            &Turn {
                message: &Analysis::new("do you fix unicycles"),
                answered: false,
                handoff_entry: None,
            },
        );
        assert!(!first.hand_off(), "one miss is not enough");
        let history = [past("do you fix unicycles", false)];
        let d = decide(
            &policy(),
            &history,
            &Turn {
                message: &Analysis::new("what about tandems with a motor"),
                answered: false,
                handoff_entry: None,
            },
        );
        assert_eq!(d.trigger, Some(Trigger::RepeatedMisses));
        assert_eq!(d.summary(), "2 unanswered or unhelpful answers in a row");
    }

    #[test]
    fn that_did_not_help_twice_counts_as_misses() {
        let history = [
            answered("how much is a service"),
            answered("that didn't help"),
        ];
        let d = decide(
            &policy(),
            &history,
            &Turn {
                message: &Analysis::new("no, not what I asked"),
                answered: true,
                handoff_entry: None,
            },
        );
        assert_eq!(d.trigger, Some(Trigger::RepeatedMisses), "{:?}", d.reasons);
        let d = decide(
            &policy(),
            &[answered("that didn't help")],
            &Turn {
                message: &Analysis::new("where can I park"),
                answered: true,
                handoff_entry: None,
            },
        );
        assert!(!d.hand_off(), "an answered question breaks the run");
    }

    #[test]
    fn the_same_question_again_hands_over() {
        let history = [
            answered("How much is a puncture repair?"),
            answered("where can I park"),
        ];
        let d = decide(
            &policy(),
            &history,
            &Turn {
                message: &Analysis::new("how much is a puncture repair"),
                answered: true,
                handoff_entry: None,
            },
        );
        assert_eq!(d.trigger, Some(Trigger::RepeatedQuestion));
        assert_eq!(d.summary(), "asked again: 'How much is a puncture repair?'");
        let off = EscalationPolicy {
            repeated_question: false,
            ..EscalationPolicy::default()
        };
        assert!(!decide(
            &off,
            &history,
            &Turn {
                message: &Analysis::new("how much is a puncture repair"),
                answered: true,
                handoff_entry: None
            }
        )
        .hand_off());
    }

    #[test]
    fn asking_whether_it_is_a_bot_is_not_a_request_for_a_person() {
        assert!(!decide_one("Are you a human?").hand_off());
        assert!(!decide_one("am I talking to a real person?").hand_off());
    }

    #[test]
    fn every_reason_is_kept_strongest_first() {
        let history = [past("do you fix unicycles", false)];
        let d = decide(
            &policy(),
            &history,
            &Turn {
                message: &Analysis::new("This is useless, get me a human"),
                answered: false,
                handoff_entry: None,
            },
        );
        let triggers: Vec<Trigger> = d.reasons.iter().map(|r| r.trigger).collect();
        assert_eq!(
            triggers,
            vec![
                Trigger::Frustration,
                Trigger::RepeatedMisses,
                Trigger::AskedInWords
            ]
        );
        assert_eq!(d.trigger, Some(Trigger::Frustration));
        assert!(
            d.summary()
                .contains("frustration: 'This is useless, get me a human'; 2 unanswered"),
            "{}",
            d.summary()
        );
    }
}
