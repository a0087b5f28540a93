//! The words of a hand-off that travel on the wire: what started it and
//! how the visitor sounds. The decisions themselves live in `escalation`.

use serde::{Deserialize, Serialize};

/// What started a hand-off. One per decision (the strongest); every other
/// reason found is kept in the decision's reasons (`escalation::Decision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The "Talk to a person" button.
    PersonButton,
    /// "Can I talk to a real person?"
    AskedInWords,
    /// The matched FAQ entry is marked "always hand to a person".
    HandoffEntry,
    SensitiveTopic,
    Complaint,
    Frustration,
    /// Several unanswered or unhelpful answers in a row.
    RepeatedMisses,
    /// The same question asked again.
    RepeatedQuestion,
    /// An accident, an injury, a danger now.
    Safety,
    /// Legal matters and personal-data requests.
    Legal,
    /// A dispute about a payment.
    PaymentDispute,
    /// Leaving, cancelling, going elsewhere.
    Churn,
    /// An accessibility need that blocks the visitor.
    Accessibility,
    /// The visitor does not want a bot for this.
    Distrust,
}

impl Trigger {
    pub const ALL: [Trigger; 14] = [
        Trigger::PersonButton,
        Trigger::AskedInWords,
        Trigger::HandoffEntry,
        Trigger::SensitiveTopic,
        Trigger::Complaint,
        Trigger::Frustration,
        Trigger::RepeatedMisses,
        Trigger::RepeatedQuestion,
        Trigger::Safety,
        Trigger::Legal,
        Trigger::PaymentDispute,
        Trigger::Churn,
        Trigger::Accessibility,
        Trigger::Distrust,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::PersonButton => "person_button",
            Trigger::AskedInWords => "asked_in_words",
            Trigger::HandoffEntry => "handoff_entry",
            Trigger::SensitiveTopic => "sensitive_topic",
            Trigger::Complaint => "complaint",
            Trigger::Frustration => "frustration",
            Trigger::RepeatedMisses => "repeated_misses",
            Trigger::RepeatedQuestion => "repeated_question",
            Trigger::Safety => "safety",
            Trigger::Legal => "legal",
            Trigger::PaymentDispute => "payment_dispute",
            Trigger::Churn => "churn",
            Trigger::Accessibility => "accessibility",
            Trigger::Distrust => "distrust",
        }
    }

    /// The visitor asked for a person (the button or in words), rather
    /// than the policy deciding: what the visitor is told says which.
    pub fn asked_by_visitor(self) -> bool {
        matches!(self, Trigger::PersonButton | Trigger::AskedInWords)
    }

    /// How urgent a hand-off for this trigger is, before sentiment and
    /// waiting time are added (see `handoff::priority`).
    pub fn base_priority(self) -> f32 {
        match self {
            Trigger::Safety => 5.0,
            Trigger::SensitiveTopic | Trigger::Legal | Trigger::PaymentDispute => 4.0,
            Trigger::Complaint | Trigger::Frustration | Trigger::Accessibility | Trigger::Churn => {
                3.0
            }
            Trigger::RepeatedMisses | Trigger::RepeatedQuestion | Trigger::Distrust => 2.0,
            Trigger::PersonButton | Trigger::AskedInWords | Trigger::HandoffEntry => 1.0,
        }
    }
}

/// How the visitor sounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// 0 is calm; 2 or more reads as frustrated (a lexicon score, for the
    /// packet and the queue's order).
    pub frustration: f32,
    pub label: Mood,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mood {
    Calm,
    Annoyed,
    Angry,
}
