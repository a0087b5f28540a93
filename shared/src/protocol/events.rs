//! A conversation's stored events: messages, state changes, contact
//! offers and ratings, each with its sequence number.

use super::Seq;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One stored, sequenced event of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: Seq,
    /// Unix time in milliseconds, set by the edge.
    pub at_ms: i64,
    pub body: EventBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventBody {
    Message(Message),
    /// The conversation moved to another state. `agent` names the person who
    /// joined (`with_person`) or left (back to `bot`); `team` whom a waiting
    /// visitor waits for.
    State {
        state: ConversationState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team: Option<String>,
        /// Waiting for a person: did the visitor ask (the button, or in
        /// words)? If not, the policy decided, and the visitor is told so.
        #[serde(default = "yes", skip_serializing_if = "is_yes")]
        asked: bool,
    },
    /// The visitor is offered to leave an e-mail address and a question.
    ContactOffer {
        reason: ContactReason,
        /// Outside hours: when the team opens again (Unix ms), if it does.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        back_at_ms: Option<i64>,
    },
    /// The visitor left an e-mail address and a question (a ticket for the team).
    Contact {
        email: String,
        question: String,
    },
    /// The visitor's rating of a resolved conversation.
    Rating {
        score: u8,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        comment: String,
    },
}

impl EventBody {
    /// The `kind` column an event is stored under.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Message(_) => "message",
            EventBody::State { .. } => "state",
            EventBody::ContactOffer { .. } => "contact_offer",
            EventBody::Contact { .. } => "contact",
            EventBody::Rating { .. } => "rating",
        }
    }

    pub fn state(state: ConversationState) -> Self {
        EventBody::State {
            state,
            agent: None,
            team: None,
            asked: true,
        }
    }

    pub fn contact_offer(reason: ContactReason) -> Self {
        EventBody::ContactOffer {
            reason,
            back_at_ms: None,
        }
    }
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

/// Where the conversation stands. Changes only through stored events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationState {
    /// The AI assistant answers.
    Bot,
    /// In the queue for a person; the AI may still answer FAQ questions.
    WaitingForPerson,
    /// A person has claimed the conversation; the AI is silent.
    WithPerson,
    /// Closed by a person. Never reopens: the visitor's next message starts
    /// a new conversation linked to this one.
    Resolved,
}

impl ConversationState {
    pub const ALL: [ConversationState; 4] = [
        ConversationState::Bot,
        ConversationState::WaitingForPerson,
        ConversationState::WithPerson,
        ConversationState::Resolved,
    ];

    /// Its name on the wire (and in the site's search index).
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationState::Bot => "bot",
            ConversationState::WaitingForPerson => "waiting_for_person",
            ConversationState::WithPerson => "with_person",
            ConversationState::Resolved => "resolved",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Why the visitor is offered to leave an e-mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactReason {
    /// The team is outside its business hours: nobody is queued.
    OutsideHours,
    /// Within hours but nobody is online: queued all the same.
    NobodyOnline,
    /// Nobody claimed within the site's time-out: the place is kept.
    NoClaimInTime,
}

/// A message in the transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Set by the edge from the connection's role, never by the sender.
    pub author: Author,
    /// Plain text, already sanitized. Always rendered as text.
    pub text: String,
    /// The sender's id for this message (visitor and agent messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Uuid>,
    /// For an AI answer: the FAQ entry it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// For an AI that is not sure: the closest entries, offered as choices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    /// A photo (visitor and agent messages); `text` is then its
    /// description, possibly empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<Photo>,
}

impl Message {
    /// A message with no source or suggestions.
    pub fn plain(author: Author, text: impl Into<String>, client_id: Option<Uuid>) -> Self {
        Self {
            author,
            text: text.into(),
            client_id,
            source: None,
            suggestions: Vec::new(),
            photo: None,
        }
    }
}

/// A photo in the transcript, checked and without metadata
/// (`shared::photo`). Its bytes are in R2 and what it is (type, size, a
/// thumbnail or not) in the conversation's `photos` table, never in events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    /// 32 hex digits, unique in the conversation.
    pub id: String,
    /// Signed addresses of the photo and its thumbnail, made each time the
    /// event is sent to someone allowed to see it; never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<PhotoLinks>,
}

/// Where a photo and its thumbnail can be fetched, for a while.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoLinks {
    pub full: String,
    pub thumb: String,
}

/// The FAQ entry an AI answer comes from, shown with the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub entry_id: String,
    /// The entry's main question.
    pub title: String,
    /// An `https://` link, or a path on the host site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Calibrated confidence of the match, 0..=1.
    pub confidence: f32,
}

/// A "Did you mean …?" choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub entry_id: String,
    pub question: String,
}

/// Who wrote a message. The widget and panel draw the badge from this, never
/// from the text or a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    Visitor,
    Ai,
    Agent { name: String },
    System,
}
