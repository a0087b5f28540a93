//! Wire protocol between the widget, the agent panel and the edge.
//!
//! HTTP bodies and WebSocket frames are JSON. A frame is an object with one
//! key, its type: `{"send":{"client_id":"…","text":"Hi"}}`. (This is serde's
//! default enum form; it decodes with far less code in the widget than a
//! `type` field would.)
//! The protocol is versioned by [`PROTOCOL_VERSION`]; a change that an older
//! client cannot read bumps it.
//!
//! Delivery without loss (see ARCHITECTURE.md): every client message carries
//! a client id; the conversation stores it idempotently and gives it the next
//! sequence number in the same write; it acknowledges after the write; every
//! fan-out carries the sequence number; a client resumes with the last
//! sequence number it saw. Authors are set by the server, never the client.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Version of this protocol, sent in [`ServerFrame::Welcome`].
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest WebSocket frame the edge reads, checked before parsing.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;

/// Largest HTTP request body the edge reads, checked before parsing.
pub const MAX_BODY_BYTES: usize = 8 * 1024;

/// Largest message text, in UTF-8 bytes after sanitising.
pub const MAX_MESSAGE_BYTES: usize = 2_000;

/// Most events sent in one replay; the client asks again from where it got to.
pub const MAX_REPLAY_EVENTS: usize = 200;

/// How long a WebSocket ticket stays valid, in milliseconds.
pub const TICKET_TTL_MS: i64 = 60_000;

/// Per-conversation sequence number: 1, 2, 3… with no gaps.
pub type Seq = u64;

// ---------------------------------------------------------------- HTTP API

/// `POST /api/v1/conversations`: a visitor opens the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateConversation {
    /// The site id from the script tag.
    pub site: String,
    /// BCP 47 language tag the widget shows, e.g. `de-DE`.
    #[serde(default)]
    pub locale: Option<String>,
    /// The host page the chat was opened on.
    #[serde(default)]
    pub page_url: Option<String>,
    /// Version of the AI disclosure the widget showed when the visitor
    /// opened the chat (`shared::disclosure::DISCLOSURE_VERSION`). Stored
    /// with the conversation and the time it was opened.
    #[serde(default)]
    pub disclosure_version: Option<u32>,
    /// The resolved conversation this one follows (the visitor wrote again
    /// after a resolution), proved with that conversation's secret. Agents
    /// see the link; an unprovable one is dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<FollowUp>,
    /// The visitor's name, when the host site knows it (the script tag's
    /// `data-visitor-name`). Only ever shown as text, beside a "visitor" label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_name: Option<String>,
}

/// A link to the visitor's previous conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub conversation_id: String,
    pub visitor_secret: String,
}

/// `POST /api/v1/agent/conversations/{id}/transfer`: to another team
/// (`{"team": id}`: it waits again, for that team) or to a colleague
/// (`{"agent": id}`: they take it over at once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// The team id to hand the conversation to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The agent id to hand the conversation to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
}

/// Where a [`Transfer`] goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferTo<'a> {
    Team(&'a str),
    Agent(&'a str),
}

impl Transfer {
    /// Exactly one of team and agent.
    pub fn target(&self) -> Result<TransferTo<'_>, &'static str> {
        match (&self.team, &self.agent) {
            (Some(team), None) => Ok(TransferTo::Team(team)),
            (None, Some(agent)) => Ok(TransferTo::Agent(agent)),
            _ => Err("A transfer names a team or an agent, not both."),
        }
    }
}

/// `GET /api/v1/agent/conversations/{id}/suggestions`: FAQ entries that
/// match the visitor's last question, offered to the agent as replies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedReply {
    pub entry_id: String,
    pub question: String,
    pub answer: String,
    /// The entry's match score against the question, 0..=1 (not calibrated).
    pub score: f32,
}

/// A conversation in an agent's "mine" or "resolved today" list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationRef {
    pub conversation_id: String,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub handoff_ms: Option<i64>,
    #[serde(default)]
    pub resolved_ms: Option<i64>,
}

/// A team's canned reply, inserted into the composer and edited before
/// sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedReply {
    #[serde(default)]
    pub id: u64,
    pub team: String,
    pub title: String,
    pub text: String,
}

/// Answer to [`CreateConversation`]. Both values are made by the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationCreated {
    pub conversation_id: String,
    /// Long-lived secret that binds the conversation to this visitor. Sent
    /// back only as `Authorization: Bearer …`, never in a URL.
    pub visitor_secret: String,
}

/// Answer to `POST /api/v1/conversations/{id}/ticket`: a single-use,
/// short-lived credential for opening the WebSocket (browsers cannot set
/// headers on `new WebSocket()`, and the long-lived secret stays out of URLs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketIssued {
    pub ticket: String,
    pub expires_in_ms: i64,
}

/// Body of every HTTP error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

// ---------------------------------------------------------------- agents

/// `POST /api/v1/agent/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Who is logged in. Sent by login and `GET /api/v1/agent/me`, with the
/// session's CSRF token, which every state-changing request must carry in
/// the `x-csrf-token` header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSession {
    pub agent: AgentProfile,
    pub csrf_token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentProfile {
    pub id: String,
    pub name: String,
    pub email: String,
    /// Team ids the agent takes hand-offs for; empty means every team.
    pub teams: Vec<String>,
    pub admin: bool,
}

/// An agent account as an admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentAccount {
    pub profile: AgentProfile,
    pub disabled: bool,
}

/// `POST /api/v1/agent/admin/agents`: an admin adds an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub name: String,
    pub email: String,
    /// At least 12 characters.
    pub password: String,
    #[serde(default)]
    pub teams: Vec<String>,
    #[serde(default)]
    pub admin: bool,
}

/// What the agent inbox socket sends: the whole queue and who is online,
/// again after every change (small, and never out of step).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxFrame {
    Queue {
        waiting: Vec<QueueItem>,
        agents: Vec<AgentPresence>,
    },
}

/// One waiting hand-off in an agent's queue, highest priority first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    pub conversation_id: String,
    pub team: String,
    pub team_name: String,
    /// 1 is next, within the team.
    pub position: u32,
    pub trigger: crate::escalation::Trigger,
    pub reasons: Vec<String>,
    pub sentiment: crate::escalation::Sentiment,
    pub wants: String,
    pub requested_at_ms: i64,
    pub priority: f32,
    #[serde(default)]
    pub page_url: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    /// The name the host site gave for the visitor, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresence {
    pub id: String,
    pub name: String,
    pub teams: Vec<String>,
    pub status: PresenceStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceStatus {
    Online,
    Away,
}

/// What an agent may send on the inbox socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum InboxClientFrame {
    /// Set by the agent: away agents do not count as online.
    Presence { status: PresenceStatus },
}

// ---------------------------------------------------------------- frames

/// What a client may send over the WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// First frame after connecting, and again whenever the client sees a
    /// gap: "send me every event after `last_seq`".
    Resume { last_seq: Seq },
    /// A visitor's message. `client_id` makes resending safe.
    Send { client_id: Uuid, text: String },
    /// The visitor pressed "Talk to a person". Pressing again while waiting
    /// changes nothing.
    RequestPerson {},
    /// The sender is typing; sent at most every few seconds while it lasts.
    Typing {},
    /// The visitor leaves an e-mail address and a question for the team
    /// (nobody online, outside hours, or no claim in time).
    LeaveContact { email: String, question: String },
    /// An agent's internal note: stored beside the transcript, shown to
    /// agents only, never sent to the visitor.
    Note { client_id: Uuid, text: String },
    /// The visitor rates a resolved conversation, once.
    Rate {
        score: u8,
        #[serde(default)]
        comment: String,
    },
}

impl ClientFrame {
    /// The frame types this version understands.
    pub const TYPES: &'static [&'static str] = &[
        "resume",
        "send",
        "request_person",
        "typing",
        "leave_contact",
        "note",
        "rate",
    ];

    /// Parses one frame, telling oversized, malformed and unknown frames
    /// apart so the sender gets a precise error code.
    pub fn parse(raw: &str) -> Result<Self, FrameError> {
        if raw.len() > MAX_FRAME_BYTES {
            return Err(FrameError::TooLarge { bytes: raw.len() });
        }
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| FrameError::Malformed(e.to_string()))?;
        let kind = match value.as_object() {
            Some(object) if object.len() == 1 => object.keys().next().cloned().unwrap_or_default(),
            _ => {
                return Err(FrameError::Malformed(
                    "a frame is an object with one key, its type".into(),
                ))
            }
        };
        if !Self::TYPES.contains(&kind.as_str()) {
            return Err(FrameError::UnknownType(truncate(&kind, 40)));
        }
        serde_json::from_value(value).map_err(|e| FrameError::Malformed(e.to_string()))
    }
}

/// Why a client frame was refused. Each maps to one [`ErrorCode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {bytes} bytes is over the limit of {MAX_FRAME_BYTES}")]
    TooLarge { bytes: usize },
    #[error("frame is not valid: {0}")]
    Malformed(String),
    #[error("unknown frame type `{0}`")]
    UnknownType(String),
    #[error("binary frames are not supported")]
    Binary,
}

impl FrameError {
    pub fn code(&self) -> ErrorCode {
        match self {
            FrameError::TooLarge { .. } => ErrorCode::FrameTooLarge,
            FrameError::Malformed(_) => ErrorCode::Malformed,
            FrameError::UnknownType(_) => ErrorCode::UnknownType,
            FrameError::Binary => ErrorCode::Malformed,
        }
    }
}

/// What the edge sends over the WebSocket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerFrame {
    /// Answer to [`ClientFrame::Resume`], sent before the replayed events.
    /// `replay_until` is the last event this replay sends; `last_seq` is the
    /// newest event stored. A client that reaches `replay_until` while it is
    /// below `last_seq` resumes again from there (replays are bounded).
    Welcome {
        v: u32,
        conversation_id: String,
        last_seq: Seq,
        replay_until: Seq,
        /// Which disclosure text the visitor was shown, and when.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disclosure: Option<DisclosureRecord>,
    },
    /// The message with `client_id` is stored as event `seq`. Sent after the
    /// write is durable; a duplicate send gets the original `seq`.
    Ack { client_id: Uuid, seq: Seq },
    /// A stored event, live or replayed.
    Event(Event),
    /// Where a waiting visitor stands in the queue; sent whenever it
    /// changes and on every resume while waiting. Not stored as an event.
    Queue(QueueStatus),
    /// Someone on the other side is typing (live only, never stored).
    Typing { author: Author },
    /// An internal note, to agent sockets only.
    Note(Note),
    /// A refused frame. The connection stays open.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<Uuid>,
    },
}

/// An agent's internal note on a conversation. Not part of the visitor's
/// event sequence, so it can never reach a visitor by replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: u64,
    pub client_id: Uuid,
    pub author: String,
    pub text: String,
    pub at_ms: i64,
}

/// The AI disclosure a conversation's visitor was shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureRecord {
    pub version: u32,
    pub shown_at_ms: i64,
}

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
    },
    /// The visitor is offered to leave an e-mail address and a question.
    ContactOffer {
        reason: ContactReason,
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
        }
    }
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

/// A waiting visitor's place in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueStatus {
    /// The team's display name.
    pub team: String,
    /// 1 is next.
    pub position: u32,
    /// From the team's recent claim times; `None` when there is no history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_wait_ms: Option<u64>,
    /// People of that team online now.
    pub agents_online: u32,
}

/// A message in the transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Set by the edge from the connection's role, never by the sender.
    pub author: Author,
    /// Plain text, already sanitised. Always rendered as text.
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
        }
    }
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

/// Typed error codes, shared by HTTP answers and WebSocket frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame or body is larger than the limit.
    FrameTooLarge,
    /// Not JSON, or JSON of the wrong shape.
    Malformed,
    /// A frame `type` this version does not know.
    UnknownType,
    /// The message is empty after sanitising.
    EmptyMessage,
    /// The message is over [`MAX_MESSAGE_BYTES`].
    MessageTooLong,
    /// No credential was sent.
    Unauthorized,
    /// The conversation does not exist or is not yours: deliberately the
    /// same answer for both.
    NotFound,
    /// The request's `Origin` is not allowed.
    ForbiddenOrigin,
    /// The site id is not known.
    UnknownSite,
    /// Too many requests; try again later.
    RateLimited,
    /// The method is not allowed on this path.
    MethodNotAllowed,
    /// A WebSocket route was called without `Upgrade: websocket`.
    UpgradeRequired,
    /// Not a valid e-mail address.
    InvalidEmail,
    /// A rating outside 1..=5, or a second rating.
    InvalidRating,
    /// The conversation is resolved; start a new one.
    ConversationResolved,
    /// Another agent has claimed the conversation already.
    AlreadyClaimed,
    /// The action does not fit the conversation's state (e.g. resolving twice).
    WrongState,
    /// A state-changing agent request without the session's CSRF token.
    CsrfRejected,
    /// E-mail and password do not match an active agent.
    BadLogin,
    /// Only an admin may do that.
    AdminOnly,
    /// Something with that name or address exists already.
    AlreadyExists,
    /// Something failed at the edge; nothing was stored.
    Internal,
}

impl ErrorCode {
    /// The HTTP status for this code: the one place where the mapping lives.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::FrameTooLarge => 413,
            ErrorCode::Malformed
            | ErrorCode::UnknownType
            | ErrorCode::EmptyMessage
            | ErrorCode::MessageTooLong
            | ErrorCode::InvalidEmail
            | ErrorCode::InvalidRating => 400,
            ErrorCode::Unauthorized | ErrorCode::BadLogin => 401,
            ErrorCode::ForbiddenOrigin | ErrorCode::CsrfRejected | ErrorCode::AdminOnly => 403,
            ErrorCode::ConversationResolved
            | ErrorCode::AlreadyClaimed
            | ErrorCode::WrongState
            | ErrorCode::AlreadyExists => 409,
            ErrorCode::NotFound | ErrorCode::UnknownSite => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::UpgradeRequired => 426,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::Malformed => "malformed",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::EmptyMessage => "empty_message",
            ErrorCode::MessageTooLong => "message_too_long",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::NotFound => "not_found",
            ErrorCode::ForbiddenOrigin => "forbidden_origin",
            ErrorCode::UnknownSite => "unknown_site",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::UpgradeRequired => "upgrade_required",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::InvalidRating => "invalid_rating",
            ErrorCode::ConversationResolved => "conversation_resolved",
            ErrorCode::AlreadyClaimed => "already_claimed",
            ErrorCode::WrongState => "wrong_state",
            ErrorCode::CsrfRejected => "csrf_rejected",
            ErrorCode::BadLogin => "bad_login",
            ErrorCode::AdminOnly => "admin_only",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::Internal => "internal",
        }
    }
}

/// Conversation ids are UUIDs made by the edge; anything else is refused
/// before it reaches storage.
pub fn parse_conversation_id(raw: &str) -> Option<Uuid> {
    if raw.len() != 36 {
        return None;
    }
    Uuid::parse_str(raw).ok()
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_transfer_names_a_team_or_an_agent_but_not_both_or_neither() {
        let t = |json: &str| serde_json::from_str::<Transfer>(json).unwrap();
        assert_eq!(
            t(r#"{"team":"billing"}"#).target(),
            Ok(TransferTo::Team("billing"))
        );
        assert_eq!(t(r#"{"agent":"a1"}"#).target(), Ok(TransferTo::Agent("a1")));
        assert!(t(r#"{"team":"billing","agent":"a1"}"#).target().is_err());
        assert!(t("{}").target().is_err());
        assert!(serde_json::from_str::<Transfer>(r#"{"person":"a1"}"#).is_err());
    }
    use super::*;

    #[test]
    fn send_frame_round_trips_through_json() {
        let id = Uuid::from_u128(7);
        let frame = ClientFrame::Send {
            client_id: id,
            text: "hi".into(),
        };
        let json = serde_json::to_string(&frame).unwrap();
        assert_eq!(
            json,
            r#"{"send":{"client_id":"00000000-0000-0000-0000-000000000007","text":"hi"}}"#
        );
        assert_eq!(ClientFrame::parse(&json).unwrap(), frame);
    }

    #[test]
    fn oversized_frame_is_refused_before_parsing() {
        let raw = format!(r#"{{"send":{{"text":"{}"}}}}"#, "a".repeat(MAX_FRAME_BYTES));
        let err = ClientFrame::parse(&raw).unwrap_err();
        assert_eq!(err.code(), ErrorCode::FrameTooLarge);
    }

    #[test]
    fn invalid_json_is_malformed() {
        assert_eq!(
            ClientFrame::parse("{nope").unwrap_err().code(),
            ErrorCode::Malformed
        );
        assert_eq!(
            ClientFrame::parse("[1,2]").unwrap_err().code(),
            ErrorCode::Malformed
        );
    }

    #[test]
    fn unknown_type_is_told_apart_from_malformed() {
        let err = ClientFrame::parse(r#"{"become_agent":{}}"#).unwrap_err();
        assert_eq!(err, FrameError::UnknownType("become_agent".into()));
        assert_eq!(err.code(), ErrorCode::UnknownType);
    }

    #[test]
    fn known_type_with_wrong_fields_is_malformed() {
        let err = ClientFrame::parse(r#"{"send":{"client_id":"x","text":"hi"}}"#).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Malformed);
        let two_types = ClientFrame::parse(r#"{"send":{},"resume":{"last_seq":0}}"#).unwrap_err();
        assert_eq!(two_types.code(), ErrorCode::Malformed);
    }

    #[test]
    fn client_cannot_set_the_author() {
        let raw = r#"{"send":{"client_id":"00000000-0000-0000-0000-000000000007","text":"hi","author":{"agent":{"name":"x"}}}}"#;
        assert_eq!(
            ClientFrame::parse(raw).unwrap_err().code(),
            ErrorCode::Malformed
        );
    }

    #[test]
    fn server_event_frame_names_its_type_and_author() {
        let frame = ServerFrame::Event(Event {
            seq: 3,
            at_ms: 10,
            body: EventBody::Message(Message::plain(Author::Ai, "Hello", None)),
        });
        let json = serde_json::to_value(&frame).unwrap();
        assert_eq!(json["event"]["seq"], 3);
        assert_eq!(json["event"]["body"]["message"]["author"], "ai");
        let back: ServerFrame = serde_json::from_value(json).unwrap();
        assert_eq!(back, frame);
        let agent = serde_json::to_value(Author::Agent {
            name: "Anna".into(),
        })
        .unwrap();
        assert_eq!(agent, serde_json::json!({"agent": {"name": "Anna"}}));
    }

    #[test]
    fn error_codes_serialise_as_their_names() {
        for code in [
            ErrorCode::FrameTooLarge,
            ErrorCode::NotFound,
            ErrorCode::UnknownType,
            ErrorCode::Internal,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn client_errors_map_to_4xx() {
        for code in [
            ErrorCode::Malformed,
            ErrorCode::Unauthorized,
            ErrorCode::NotFound,
            ErrorCode::ForbiddenOrigin,
        ] {
            assert!((400..500).contains(&code.http_status()));
        }
    }

    #[test]
    fn conversation_ids_must_be_uuids() {
        assert!(parse_conversation_id("5f0c1f2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f").is_some());
        assert!(parse_conversation_id("../../etc").is_none());
        assert!(parse_conversation_id("5f0c1f2e3a4b4c5d8e9f0a1b2c3d4e5f").is_none());
    }
}
