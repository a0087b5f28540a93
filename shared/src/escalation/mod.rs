//! When the AI hands a conversation to a person, and why.
//!
//! After every visitor message the edge asks [`decide`]. The model
//! (`model`, read once per message with [`read`]) says what the message is
//! about: one of nine reasons a person is needed, or an ordinary kind of
//! message. The rules here add what one message cannot show: misses in a
//! row, the same question again, frustration rising over two messages, FAQ
//! entries marked for people, the site's own sensitive topics. The answer
//! carries every reason found, strongest first, in words an agent can read
//! ("payment dispute: 'charged … twice'; 2 unanswered questions"), so a
//! hand-off is never silent and never unexplained. A question about the AI
//! itself is never a reason and never a miss.
//!
//! The rules' patterns (`lexicon`) are matched on normalized words
//! (`analysis`: lower case, no diacritics, no apostrophes): a pattern is a
//! run of words, a word ending in `*` matches any word starting with it.

mod lexicon;
pub mod model;
mod sentiment;

pub use sentiment::sentiment;

use crate::analysis::Analysis;
use crate::disclosure;
pub use crate::protocol::{Mood, Sentiment, Trigger};
use lexicon::{
    word_matches, Words, NEGATIONS, PERSON_NOUNS, PERSON_PHRASES, POLITE, REQUEST_VERBS, UNHELPFUL,
};
pub use model::{Category, Classification, Model};
use serde::{Deserialize, Serialize};

/// Per-site settings of the policy (the `handoff.policy` part of a site's
/// configuration). Every field has a sensible default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EscalationPolicy {
    /// Hand over when this many misses (abstentions or "that didn't help")
    /// come in a row.
    pub misses_in_a_row: u32,
    /// Topics always handed to a person. The model covers the usual ones (safety, legal, payment…); these are
    /// the site's own, such as a product recall.
    pub sensitive_topics: Vec<SensitiveTopic>,
    /// Hand over when the visitor asks the same question again.
    pub repeated_question: bool,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self {
            misses_in_a_row: 2,
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
    /// The model's probability that the visitor was frustrated.
    pub frustration: f32,
}

impl PastTurn {
    /// A message the policy did not decide on (a person was asked for
    /// already): a miss when unanswered or "that didn't help".
    pub fn new(message: &Analysis, answered: bool) -> Self {
        Self {
            text: message.text.clone(),
            words: message.words.clone(),
            missed: !answered || says_unhelpful(message),
            frustration: 0.0,
        }
    }
}

/// The message being decided on.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn<'a> {
    pub message: &'a Analysis,
    /// What the model reads in it ([`read`]).
    pub reading: &'a Classification,
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
    /// What the model found the message to be about (`None`: nothing for
    /// a person, or not the model's finding).
    pub category: Category,
    /// The model's probability that the visitor is frustrated.
    pub frustration: f32,
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
            category: Category::Person,
            frustration: 0.0,
        }
    }

    /// This message as a past turn, for the decisions on later ones.
    pub fn past_turn(&self, message: &Analysis) -> PastTurn {
        PastTurn {
            text: message.text.clone(),
            words: message.words.clone(),
            missed: self.missed,
            frustration: self.frustration,
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

/// The escalation model shipped with the product (trained by `cargo xtask
/// train-escalation` on the train split of `data/escalation`).
static MODEL_FILE: &[u8] = include_bytes!("../../models/escalation.bin");

/// The shipped model, read once per process (or isolate).
pub fn shipped_model() -> &'static Model {
    static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| {
        // The file is part of the build; a test reads it (`the_shipped_model_loads`).
        Model::from_bytes(MODEL_FILE).unwrap_or_else(|e| panic!("escalation model: {e}"))
    })
}

/// Below this probability of "nothing for a person" the model hands over
/// (chosen on the fresh dev rows, which nothing was written from: the
/// highest recall with at most 2.5% false hand-offs there, half a point
/// below the target because dev and test have differed by that much;
/// docs/escalation-benchmark.md).
pub const HAND_OVER_BELOW: f32 = 0.725;

/// From this probability of frustration, frustration is a reason beside
/// the model's main one.
pub const FRUSTRATION_BESIDE: f32 = 0.25;

/// The frustration lexicon's score from which a message reads as
/// frustrated (`sentiment`; counted beside another reason).
const LEXICON_FRUSTRATED: f32 = 2.0;

/// A frustrated message after a frustrated one hands over even when
/// neither alone would: the probability of frustration each must reach,
/// two thirds of the way to a hand-off alone (so it moves with the
/// threshold chosen on dev and keeps a band between the two).
pub const RISING_FRUSTRATION: f32 = (1.0 - HAND_OVER_BELOW) * 2.0 / 3.0;

/// What the shipped model reads in a message: read once per message, for
/// the assistant (is it about the AI?) and the decision.
pub fn read(message: &Analysis) -> Classification {
    shipped_model().classify(message)
}

/// From this probability of "asks whether this is a bot" on, the message
/// gets the disclosure even when no fixed phrase matched.
pub const ABOUT_THE_AI_FROM: f32 = 0.5;

/// The message asks whether the visitor is talking to a bot or a person:
/// a fixed phrase ([`disclosure::asks_if_bot`]) or the model's reading.
/// Such a question gets the disclosure and is never a trigger.
pub fn about_the_ai(message: &Analysis, reading: &Classification) -> bool {
    disclosure::asks_if_bot(message).is_some()
        || reading.probability(Category::Disclosure) >= ABOUT_THE_AI_FROM
}

/// The trigger, the topic name (for routes) and the words an agent reads
/// for a category of the model.
fn category_trigger(c: Category) -> (Trigger, Option<&'static str>, &'static str) {
    match c {
        // (An ordinary kind is never the model's category.)
        Category::Person
        | Category::None
        | Category::Disclosure
        | Category::Smalltalk
        | Category::Alarming
        | Category::Negated
        | Category::Greeting
        | Category::Thanks => (Trigger::AskedInWords, None, "asked for a person"),
        Category::Frustration => (Trigger::Frustration, None, "frustration"),
        Category::Complaint => (Trigger::Complaint, Some("complaint"), "complaint"),
        Category::Safety => (Trigger::Safety, Some("safety"), "safety"),
        Category::Legal => (Trigger::Legal, Some("legal"), "legal or privacy request"),
        Category::Payment => (
            Trigger::PaymentDispute,
            Some("payment dispute"),
            "payment dispute",
        ),
        Category::Churn => (Trigger::Churn, Some("churn"), "wants to leave"),
        Category::Accessibility => (
            Trigger::Accessibility,
            Some("accessibility"),
            "accessibility need",
        ),
        Category::Distrust => (Trigger::Distrust, None, "does not want a bot"),
    }
}

/// Decides whether `turn` (given the visitor's earlier turns) goes to a
/// person.
pub fn decide(policy: &EscalationPolicy, history: &[PastTurn], turn: &Turn) -> Decision {
    let message = turn.message;
    let words = Words::of(message);
    let sentiment = sentiment(message);
    let classification = turn.reading;
    let frustration = classification.probability(Category::Frustration);
    let mut reasons = Vec::new();
    let mut topic = None;
    let mut category = Category::None;

    // A question about the AI gets the disclosure: it is never a trigger.
    let about_the_ai = about_the_ai(message, classification);
    if !about_the_ai && classification.none_probability() < HAND_OVER_BELOW {
        category = classification.category;
        let (trigger, name, words_for_agent) = category_trigger(category);
        let evidence = evidence_text(message, &classification.evidence);
        reasons.push(Reason {
            trigger,
            detail: format!("{words_for_agent}: '{evidence}'"),
        });
        topic = name.map(str::to_string);
    }
    // Frustration beside another reason ("this is ridiculous, get me a
    // person") counts too: it decides how urgent the hand-off is. The
    // model's probabilities are shared among its categories, so a clear
    // request for a person leaves little to frustration: the frustration
    // words of the lexicon count as well.
    if !about_the_ai
        && category != Category::Frustration
        && category != Category::None
        && (frustration >= FRUSTRATION_BESIDE || sentiment.frustration >= LEXICON_FRUSTRATED)
    {
        reasons.push(Reason {
            trigger: Trigger::Frustration,
            detail: format!("frustration: '{}'", excerpt(&message.text, 60)),
        });
    }
    if let Some(id) = turn.handoff_entry {
        reasons.push(Reason {
            trigger: Trigger::HandoffEntry,
            detail: format!("FAQ entry '{id}' always goes to a person"),
        });
    }
    // Topics the site named itself (e.g. a recall) always go to a person.
    for t in &policy.sensitive_topics {
        if let Some(phrase) = t.patterns.iter().find_map(|p| words.find(p)) {
            reasons.push(Reason {
                trigger: Trigger::SensitiveTopic,
                detail: format!("sensitive topic {}: '{phrase}'", t.name),
            });
            topic.get_or_insert_with(|| t.name.clone());
        }
    }
    if !about_the_ai
        && frustration >= RISING_FRUSTRATION
        && history
            .last()
            .is_some_and(|t| t.frustration >= RISING_FRUSTRATION)
    {
        reasons.push(Reason {
            trigger: Trigger::Frustration,
            detail: format!("frustration rising: '{}'", excerpt(&message.text, 60)),
        });
    }
    let this_missed = !about_the_ai && (!turn.answered || says_unhelpful(message));
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
            .find(|t| same_question(&t.words, &message.words))
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
        category,
        frustration,
    }
}

/// The words that led to a category, as the visitor wrote them, in the
/// message's order.
fn evidence_text(message: &Analysis, evidence: &[String]) -> String {
    let mut words: Vec<&String> = evidence.iter().take(3).collect();
    let lower = message.text.to_lowercase();
    words.sort_by_key(|w| lower.find(w.as_str()).unwrap_or(usize::MAX));
    if words.is_empty() {
        excerpt(&message.text, 60)
    } else {
        words
            .iter()
            .map(|w| w.as_str())
            .collect::<Vec<_>>()
            .join(" … ")
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
    person_request(words).map(|(from, to)| words.list[from..to].join(" "))
}

/// The words of a request for a person, as a range.
fn person_request(words: &Words) -> Option<(usize, usize)> {
    for p in PERSON_PHRASES {
        if let Some(&at) = words.positions(p).first() {
            return Some((at, at + p.split(' ').count()));
        }
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
                return Some((i, j + 1));
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
        return Some((0, list.len()));
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
    use super::model::CATEGORIES;
    use super::*;

    fn policy() -> EscalationPolicy {
        EscalationPolicy::default()
    }

    /// A reading that gives `category` probability `p` (the rest "none"),
    /// with the words at `evidence` behind it: the rules, without the model.
    fn reading(category: Category, p: f32, evidence: &[&str]) -> Classification {
        let mut probabilities = [0.0; CATEGORIES.len()];
        probabilities[Category::None.index()] = 1.0 - p;
        probabilities[category.index()] += p;
        Classification {
            probabilities,
            category: if category.is_ordinary() {
                Category::Person
            } else {
                category
            },
            evidence: evidence.iter().map(|w| w.to_string()).collect(),
        }
    }

    fn calm() -> Classification {
        reading(Category::None, 0.0, &[])
    }

    fn decide_on(
        history: &[PastTurn],
        text: &str,
        reading: &Classification,
        answered: bool,
    ) -> Decision {
        let message = Analysis::new(text);
        let turn = Turn {
            message: &message,
            reading,
            answered,
            handoff_entry: None,
        };
        decide(&policy(), history, &turn)
    }

    /// The shipped model's decision on a first message.
    fn decide_one(text: &str) -> Decision {
        let message = Analysis::new(text);
        decide_on(&[], text, &read(&message), true)
    }

    fn past(text: &str, answered: bool) -> PastTurn {
        PastTurn::new(&Analysis::new(text), answered)
    }

    fn answered(text: &str) -> PastTurn {
        past(text, true)
    }

    #[test]
    fn a_reason_the_model_reads_hands_over_with_its_category_topic_and_the_visitors_words() {
        let d = decide_on(
            &[],
            "you charged me twice",
            &reading(Category::Payment, 0.9, &["twice", "charged"]),
            true,
        );
        assert_eq!(d.trigger, Some(Trigger::PaymentDispute));
        assert_eq!(d.category, Category::Payment);
        assert_eq!(d.topic.as_deref(), Some("payment dispute"), "for routes");
        assert_eq!(d.summary(), "payment dispute: 'charged … twice'");
        let unsure = decide_on(
            &[],
            "you charged me twice",
            // P(nothing for a person) just above the threshold.
            &reading(
                Category::Payment,
                1.0 - (HAND_OVER_BELOW + 0.05),
                &["charged"],
            ),
            true,
        );
        assert!(!unsure.hand_off(), "below the threshold the AI keeps it");
    }

    #[test]
    fn each_category_has_its_trigger() {
        for (category, trigger) in [
            (Category::Person, Trigger::AskedInWords),
            (Category::Frustration, Trigger::Frustration),
            (Category::Complaint, Trigger::Complaint),
            (Category::Safety, Trigger::Safety),
            (Category::Legal, Trigger::Legal),
            (Category::Payment, Trigger::PaymentDispute),
            (Category::Churn, Trigger::Churn),
            (Category::Accessibility, Trigger::Accessibility),
            (Category::Distrust, Trigger::Distrust),
        ] {
            let d = decide_on(
                &[],
                "some words here",
                &reading(category, 0.8, &["some"]),
                true,
            );
            assert_eq!(d.trigger, Some(trigger), "{category:?}");
        }
    }

    #[test]
    fn a_question_about_the_ai_is_never_a_reason_or_a_miss() {
        // A fixed phrase, whatever the model reads…
        let d = decide_on(
            &[],
            "Are you a human?",
            &reading(Category::Person, 0.9, &["human"]),
            false,
        );
        assert!(!d.hand_off(), "{:?}", d.reasons);
        assert!(!d.missed);
        // …or the model reading it as one.
        let about = reading(Category::Disclosure, 0.8, &[]);
        assert!(about_the_ai(
            &Analysis::new("wer schreibt da eigentlich?"),
            &about
        ));
        let history = [past("do you fix unicycles", false)];
        let d = decide_on(&history, "wer schreibt da eigentlich?", &about, false);
        assert!(!d.hand_off(), "not a second miss: {:?}", d.reasons);
    }

    #[test]
    fn an_entry_marked_for_people_hands_over() {
        let message = Analysis::new("my order");
        let d = decide(
            &policy(),
            &[],
            &Turn {
                message: &message,
                reading: &calm(),
                answered: true,
                handoff_entry: Some("complaint"),
            },
        );
        assert_eq!(d.trigger, Some(Trigger::HandoffEntry));
        assert_eq!(d.summary(), "FAQ entry 'complaint' always goes to a person");
    }

    #[test]
    fn a_sites_own_topics_hand_over_and_name_the_topic() {
        let policy = EscalationPolicy {
            sensitive_topics: vec![SensitiveTopic {
                name: "recall".into(),
                patterns: vec!["recall*".into()],
            }],
            ..EscalationPolicy::default()
        };
        let message = Analysis::new("Is my frame part of the recall?");
        let turn = Turn {
            message: &message,
            reading: &calm(),
            answered: true,
            handoff_entry: None,
        };
        let d = decide(&policy, &[], &turn);
        assert_eq!(d.trigger, Some(Trigger::SensitiveTopic));
        assert_eq!(d.topic.as_deref(), Some("recall"));
    }

    #[test]
    fn two_misses_in_a_row_hand_over() {
        let first = decide_on(&[], "do you fix unicycles", &calm(), false);
        assert!(!first.hand_off(), "one miss is not enough");
        let history = [past("do you fix unicycles", false)];
        let d = decide_on(&history, "what about tandems with a motor", &calm(), false);
        assert_eq!(d.trigger, Some(Trigger::RepeatedMisses));
        assert_eq!(d.summary(), "2 unanswered or unhelpful answers in a row");
    }

    #[test]
    fn that_did_not_help_twice_counts_as_misses() {
        let history = [
            answered("how much is a service"),
            answered("that didn't help"),
        ];
        let d = decide_on(&history, "no, not what I asked", &calm(), true);
        assert_eq!(d.trigger, Some(Trigger::RepeatedMisses), "{:?}", d.reasons);
        let d = decide_on(
            &[answered("that didn't help")],
            "where can I park",
            &calm(),
            true,
        );
        assert!(!d.hand_off(), "an answered question breaks the run");
    }

    #[test]
    fn the_same_question_again_hands_over() {
        let history = [
            answered("How much is a puncture repair?"),
            answered("where can I park"),
        ];
        let d = decide_on(&history, "how much is a puncture repair", &calm(), true);
        assert_eq!(d.trigger, Some(Trigger::RepeatedQuestion));
        assert_eq!(d.summary(), "asked again: 'How much is a puncture repair?'");
        let off = EscalationPolicy {
            repeated_question: false,
            ..EscalationPolicy::default()
        };
        let message = Analysis::new("how much is a puncture repair");
        let turn = Turn {
            message: &message,
            reading: &calm(),
            answered: true,
            handoff_entry: None,
        };
        assert!(!decide(&off, &history, &turn).hand_off());
    }

    #[test]
    fn frustration_rising_over_two_messages_hands_over_though_neither_would_alone() {
        // Above the rising-frustration mark, below a hand-off alone.
        let mild = reading(
            Category::Frustration,
            (RISING_FRUSTRATION + 1.0 - HAND_OVER_BELOW) / 2.0,
            &["hmm"],
        );
        let first = decide_on(&[], "hmm still not working", &mild, true);
        assert!(!first.hand_off());
        let history = [first.past_turn(&Analysis::new("hmm still not working"))];
        let d = decide_on(&history, "seriously, again nothing", &mild, true);
        assert_eq!(d.trigger, Some(Trigger::Frustration), "{:?}", d.reasons);
        assert!(
            d.summary().starts_with("frustration rising"),
            "{}",
            d.summary()
        );
    }

    #[test]
    fn every_reason_is_kept_strongest_first() {
        let history = [past("do you fix unicycles", false)];
        let d = decide_on(
            &history,
            "This is useless, get me a human",
            &reading(Category::Frustration, 0.9, &["useless"]),
            false,
        );
        let triggers: Vec<Trigger> = d.reasons.iter().map(|r| r.trigger).collect();
        assert_eq!(
            triggers,
            vec![Trigger::Frustration, Trigger::RepeatedMisses]
        );
        assert_eq!(
            d.summary(),
            "frustration: 'useless'; 2 unanswered or unhelpful answers in a row"
        );
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

    // The shipped model on plain cases (its figures on the corpus are in
    // docs/escalation-benchmark.md; these guard against a broken file).

    #[test]
    fn the_shipped_model_loads() {
        assert!(shipped_model().feature_count() > 1000);
    }

    #[test]
    fn the_shipped_model_hands_over_plain_requests_and_reasons_in_three_languages() {
        for (text, trigger) in [
            ("Can I speak to a human, please?", Trigger::AskedInWords),
            (
                "Kann ich bitte mit einem Mitarbeiter sprechen?",
                Trigger::AskedInWords,
            ),
            ("Quiero hablar con una persona", Trigger::AskedInWords),
            (
                "You charged my card twice for the same repair",
                Trigger::PaymentDispute,
            ),
            ("Please delete all my personal data", Trigger::Legal),
            (
                "Ich habe mich nach der Reparatur verletzt, die Bremse hat versagt",
                Trigger::Safety,
            ),
            ("Me voy a otra tienda, no vuelvo más", Trigger::Churn),
        ] {
            let d = decide_one(text);
            assert_eq!(d.trigger, Some(trigger), "{text}: {:?}", d.reasons);
        }
    }

    #[test]
    fn the_shipped_model_leaves_ordinary_questions_with_alarming_words_to_the_ai() {
        for text in [
            "How much is a puncture repair?",
            "Frustrated with squeaky brakes: how much is a brake service?",
            "Wann habt ihr am Samstag geöffnet?",
            "¿Cuánto cuesta reparar un pinchazo?",
            "Thanks, that helped a lot!",
            // Status questions, which share letters with "already" and
            // "schon gesagt": asked calmly, they are the commonest traffic.
            "is the bike I left on monday ready",
            "Is my road bike ready to collect?",
            "ist mein Trekkingrad schon fertig repariert",
            "mi bici de montaña ya está lista?",
        ] {
            let d = decide_one(text);
            assert!(!d.hand_off(), "{text}: {:?}", d.reasons);
        }
    }
}
