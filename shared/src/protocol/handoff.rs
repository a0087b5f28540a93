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
}

impl Trigger {
    pub const ALL: [Trigger; 8] = [
        Trigger::PersonButton,
        Trigger::AskedInWords,
        Trigger::HandoffEntry,
        Trigger::SensitiveTopic,
        Trigger::Complaint,
        Trigger::Frustration,
        Trigger::RepeatedMisses,
        Trigger::RepeatedQuestion,
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
        }
    }

    /// How urgent a hand-off for this trigger is, before sentiment and
    /// waiting time are added (see `handoff::priority`).
    pub fn base_priority(self) -> f32 {
        match self {
            Trigger::SensitiveTopic => 4.0,
            Trigger::Complaint | Trigger::Frustration => 3.0,
            Trigger::RepeatedMisses | Trigger::RepeatedQuestion => 2.0,
            Trigger::PersonButton | Trigger::AskedInWords | Trigger::HandoffEntry => 1.0,
        }
    }
}

/// How the visitor sounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// 0 is calm; the site's `frustration_threshold` (2 by default) is frustrated.
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
