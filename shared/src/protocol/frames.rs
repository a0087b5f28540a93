//! WebSocket frames: what a client may send, and what the edge sends back.

use super::{Author, ErrorCode, Event, Seq, MAX_FRAME_BYTES};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
    /// The agent who has the conversation has read it up to `seq` (their
    /// panel shows it, in a visible tab). The visitor's "seen" comes from
    /// these; a colleague looking in is not the person they chat with.
    Read { seq: Seq },
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
        "read",
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
            return Err(FrameError::UnknownType(kind.chars().take(40).collect()));
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
    /// To the visitor: the person who has the conversation has read it up
    /// to `seq` (live, and after each replay; never stored as an event).
    Seen { seq: Seq },
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
