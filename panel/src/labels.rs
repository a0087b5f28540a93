//! How the desk and the search name what a conversation is: why it came
//! to a person, where it stands, its rating and its day.

use shared::protocol::{ConversationState, Trigger};

/// Why a conversation came to a person, as the packet's heading says it.
pub fn reason_label(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::PersonButton => "Pressed “Talk to a person”",
        Trigger::AskedInWords => "Asked for a person",
        Trigger::HandoffEntry => "An FAQ entry that goes to people",
        Trigger::SensitiveTopic => "A topic of the site's that goes to people",
        Trigger::Complaint => "Complaint",
        Trigger::Frustration => "Frustration",
        Trigger::RepeatedMisses => "The AI could not answer",
        Trigger::RepeatedQuestion => "Asked the same again",
        Trigger::Safety => "Safety",
        Trigger::Legal => "Legal or privacy",
        Trigger::PaymentDispute => "Payment dispute",
        Trigger::Churn => "Wants to leave",
        Trigger::Accessibility => "Accessibility need",
        Trigger::Distrust => "Does not want a bot",
    }
}

pub fn state_label(state: ConversationState) -> &'static str {
    match state {
        ConversationState::Bot => "With the AI",
        ConversationState::WaitingForPerson => "Waiting",
        ConversationState::WithPerson => "With a person",
        ConversationState::Resolved => "Resolved",
    }
}

/// "★★☆☆☆"
pub fn stars(rating: u8) -> String {
    let r = usize::from(rating.min(5));
    format!("{}{}", "★".repeat(r), "☆".repeat(5 - r))
}

/// A conversation's line under its title: "12/1/2026 · support · Resolved · ★★☆☆☆".
pub fn describe(
    created_ms: i64,
    team: Option<&str>,
    state: ConversationState,
    rating: Option<u8>,
) -> String {
    let date = js_sys::Date::new(&(created_ms as f64).into());
    let day: String = date
        .to_locale_date_string("default", &js_sys::Object::new())
        .into();
    let mut parts = vec![day];
    parts.extend(team.map(str::to_string));
    parts.push(state_label(state).into());
    parts.extend(rating.map(stars));
    parts.join(" · ")
}
