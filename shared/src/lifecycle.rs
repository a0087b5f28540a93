//! The conversation's state machine: bot → waiting for a person → with a
//! person → back to the bot, or resolved. The Durable Object asks these
//! functions before it stores a state event, so every rule lives here once:
//! one queue entry however often the button is pressed, no hand-off into a
//! closed team, the AI silent while a person is there, a resolved
//! conversation that never reopens.

use crate::protocol::{ContactReason, ConversationState, ErrorCode};

/// Whether a team can take a hand-off now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Within business hours, with this many of its people online.
    Open { agents_online: u32 },
    /// Outside business hours.
    Closed,
}

/// Who wants a person now, and what the visitor was offered before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Asking {
    /// The visitor asked (the button, or in words); otherwise the policy.
    pub asked: bool,
    /// The e-mail path was offered in this conversation already.
    pub offered_before: bool,
}

/// What to do with a request for a person (button, words, or policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonRequest {
    /// Queue the conversation. With `nobody_online`, also tell the visitor
    /// so and offer the e-mail path while they wait.
    Enqueue { nobody_online: bool },
    /// Outside hours: say so, queue nothing, offer the e-mail path.
    OfferContact(ContactReason),
    /// Already queued or with a person: nothing changes.
    Unchanged,
}

/// A state change refused, with its protocol code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("This conversation is resolved. A new message starts a new conversation.")]
    Resolved,
    #[error("Another person has claimed this conversation already.")]
    AlreadyClaimed,
    #[error("Only a conversation waiting for a person can be claimed.")]
    NotWaiting,
    #[error("Only the person who claimed the conversation can do that.")]
    NotWithPerson,
    #[error("A conversation can be rated once, after it is resolved.")]
    NotRatable,
}

impl Refusal {
    pub fn code(self) -> ErrorCode {
        match self {
            Refusal::Resolved => ErrorCode::ConversationResolved,
            Refusal::AlreadyClaimed => ErrorCode::AlreadyClaimed,
            Refusal::NotWaiting | Refusal::NotWithPerson => ErrorCode::WrongState,
            Refusal::NotRatable => ErrorCode::InvalidRating,
        }
    }
}

use ConversationState::*;

/// Outside hours the policy offers the e-mail path once; after that the AI
/// keeps answering what it can, and only the visitor asking again gets the
/// offer again.
pub fn request_person(
    state: ConversationState,
    availability: Availability,
    asking: Asking,
) -> Result<PersonRequest, Refusal> {
    match state {
        Resolved => Err(Refusal::Resolved),
        WaitingForPerson | WithPerson => Ok(PersonRequest::Unchanged),
        Bot => Ok(match availability {
            Availability::Closed if asking.offered_before && !asking.asked => {
                PersonRequest::Unchanged
            }
            Availability::Closed => PersonRequest::OfferContact(ContactReason::OutsideHours),
            Availability::Open { agents_online } => PersonRequest::Enqueue {
                nobody_online: agents_online == 0,
            },
        }),
    }
}

/// A visitor's message is taken in every state but `Resolved`.
pub fn accept_visitor_message(state: ConversationState) -> Result<(), Refusal> {
    match state {
        Resolved => Err(Refusal::Resolved),
        _ => Ok(()),
    }
}

/// The AI answers only while no person has joined. An answer computed
/// before a person joined is checked again before it is stored, so it is
/// dropped rather than shown after the person's first message.
pub fn ai_may_answer(state: ConversationState) -> bool {
    matches!(state, Bot | WaitingForPerson)
}

/// An agent claims: only a waiting conversation, only once.
pub fn claim(state: ConversationState) -> Result<ConversationState, Refusal> {
    match state {
        WaitingForPerson => Ok(WithPerson),
        WithPerson => Err(Refusal::AlreadyClaimed),
        Resolved => Err(Refusal::Resolved),
        Bot => Err(Refusal::NotWaiting),
    }
}

/// The agent hands the conversation back to the AI.
pub fn hand_back(state: ConversationState) -> Result<ConversationState, Refusal> {
    match state {
        WithPerson => Ok(Bot),
        Resolved => Err(Refusal::Resolved),
        _ => Err(Refusal::NotWithPerson),
    }
}

/// An agent transfers the conversation to another team: it waits again,
/// for that team, keeping its place by its original request time.
pub fn transfer(state: ConversationState) -> Result<ConversationState, Refusal> {
    match state {
        WaitingForPerson | WithPerson => Ok(WaitingForPerson),
        Resolved => Err(Refusal::Resolved),
        Bot => Err(Refusal::NotWaiting),
    }
}

/// An agent hands the conversation to a named colleague: they take it over
/// at once, from the queue or from the agent who had it.
pub fn transfer_to_person(state: ConversationState) -> Result<ConversationState, Refusal> {
    match state {
        WaitingForPerson | WithPerson => Ok(WithPerson),
        Resolved => Err(Refusal::Resolved),
        Bot => Err(Refusal::NotWaiting),
    }
}

/// An agent resolves: from any open state (a waiting visitor whose question
/// was answered by e-mail can be closed too), never twice.
pub fn resolve(state: ConversationState) -> Result<ConversationState, Refusal> {
    match state {
        Resolved => Err(Refusal::Resolved),
        _ => Ok(Resolved),
    }
}

/// When the claim time-out fires: offer the e-mail path if still waiting and
/// not offered already for this wait. The place in the queue is kept.
pub fn claim_timed_out(state: ConversationState, offered_this_wait: bool) -> Option<ContactReason> {
    (state == WaitingForPerson && !offered_this_wait).then_some(ContactReason::NoClaimInTime)
}

/// A rating is taken once, after resolution, with a score of 1 to 5.
pub fn rate(state: ConversationState, rated_already: bool, score: u8) -> Result<(), Refusal> {
    if state != Resolved || rated_already || !(1..=5).contains(&score) {
        return Err(Refusal::NotRatable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: Availability = Availability::Open { agents_online: 2 };
    const ASKED: Asking = Asking {
        asked: true,
        offered_before: false,
    };

    #[test]
    fn a_transfer_to_a_colleague_puts_them_in_the_conversation_unless_it_is_closed_or_with_the_ai()
    {
        assert_eq!(transfer_to_person(WaitingForPerson), Ok(WithPerson));
        assert_eq!(transfer_to_person(WithPerson), Ok(WithPerson));
        assert_eq!(transfer_to_person(Resolved), Err(Refusal::Resolved));
        assert_eq!(transfer_to_person(Bot), Err(Refusal::NotWaiting));
    }

    #[test]
    fn the_person_button_pressed_twice_queues_once() {
        let first = request_person(Bot, OPEN, ASKED).unwrap();
        assert_eq!(
            first,
            PersonRequest::Enqueue {
                nobody_online: false
            }
        );
        // The object stores the waiting state after the first press.
        assert_eq!(
            request_person(WaitingForPerson, OPEN, ASKED).unwrap(),
            PersonRequest::Unchanged
        );
    }

    #[test]
    fn outside_hours_leads_to_the_email_path_and_queues_nothing() {
        assert_eq!(
            request_person(Bot, Availability::Closed, ASKED).unwrap(),
            PersonRequest::OfferContact(ContactReason::OutsideHours)
        );
    }

    #[test]
    fn outside_hours_the_policy_offers_the_email_path_once_and_the_visitor_asking_again_gets_it() {
        let policy = Asking {
            asked: false,
            offered_before: false,
        };
        assert_eq!(
            request_person(Bot, Availability::Closed, policy).unwrap(),
            PersonRequest::OfferContact(ContactReason::OutsideHours)
        );
        let again = Asking {
            offered_before: true,
            ..policy
        };
        assert_eq!(
            request_person(Bot, Availability::Closed, again).unwrap(),
            PersonRequest::Unchanged,
            "the AI keeps answering instead"
        );
        let asked = Asking {
            asked: true,
            offered_before: true,
        };
        assert_eq!(
            request_person(Bot, Availability::Closed, asked).unwrap(),
            PersonRequest::OfferContact(ContactReason::OutsideHours)
        );
    }

    #[test]
    fn nobody_online_within_hours_queues_and_says_so() {
        let r = request_person(Bot, Availability::Open { agents_online: 0 }, ASKED).unwrap();
        assert_eq!(
            r,
            PersonRequest::Enqueue {
                nobody_online: true
            }
        );
    }

    #[test]
    fn a_full_round_bot_waiting_person_bot_then_resolved() {
        let mut s = Bot;
        assert!(matches!(
            request_person(s, OPEN, ASKED),
            Ok(PersonRequest::Enqueue { .. })
        ));
        s = WaitingForPerson;
        assert!(
            ai_may_answer(s),
            "the AI keeps answering FAQ questions while the visitor waits"
        );
        s = claim(s).unwrap();
        assert_eq!(s, WithPerson);
        assert!(
            !ai_may_answer(s),
            "the AI never answers after a person joined"
        );
        s = hand_back(s).unwrap();
        assert_eq!(s, Bot);
        assert!(ai_may_answer(s));
        s = resolve(s).unwrap();
        assert_eq!(s, Resolved);
        assert_eq!(accept_visitor_message(s), Err(Refusal::Resolved));
        assert_eq!(request_person(s, OPEN, ASKED), Err(Refusal::Resolved));
        assert!(!ai_may_answer(s));
    }

    #[test]
    fn a_second_claim_is_refused_with_a_clear_code() {
        let err = claim(WithPerson).unwrap_err();
        assert_eq!(err, Refusal::AlreadyClaimed);
        assert_eq!(err.code(), ErrorCode::AlreadyClaimed);
        assert_eq!(claim(Bot), Err(Refusal::NotWaiting));
    }

    #[test]
    fn a_resolved_conversation_never_reopens() {
        assert_eq!(resolve(Resolved), Err(Refusal::Resolved));
        assert_eq!(claim(Resolved), Err(Refusal::Resolved));
        assert_eq!(hand_back(Resolved), Err(Refusal::Resolved));
        assert_eq!(Refusal::Resolved.code(), ErrorCode::ConversationResolved);
    }

    #[test]
    fn a_transfer_waits_again_for_the_other_team() {
        assert_eq!(transfer(WithPerson), Ok(WaitingForPerson));
        assert_eq!(transfer(WaitingForPerson), Ok(WaitingForPerson));
        assert_eq!(transfer(Resolved), Err(Refusal::Resolved));
        assert_eq!(transfer(Bot), Err(Refusal::NotWaiting));
    }

    #[test]
    fn hand_back_needs_a_person() {
        assert_eq!(hand_back(WaitingForPerson), Err(Refusal::NotWithPerson));
    }

    #[test]
    fn the_claim_time_out_offers_email_once_and_only_while_waiting() {
        assert_eq!(
            claim_timed_out(WaitingForPerson, false),
            Some(ContactReason::NoClaimInTime)
        );
        assert_eq!(claim_timed_out(WaitingForPerson, true), None);
        assert_eq!(claim_timed_out(WithPerson, false), None);
    }

    #[test]
    fn ratings_come_once_after_resolution_from_one_to_five() {
        assert!(rate(Resolved, false, 5).is_ok());
        assert_eq!(rate(Resolved, true, 4), Err(Refusal::NotRatable));
        assert_eq!(rate(WithPerson, false, 4), Err(Refusal::NotRatable));
        assert_eq!(rate(Resolved, false, 0), Err(Refusal::NotRatable));
        assert_eq!(rate(Resolved, false, 6), Err(Refusal::NotRatable));
    }
}
