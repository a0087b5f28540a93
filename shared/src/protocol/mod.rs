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

//!
//! This module is the bottom layer of `shared`: it imports none of the
//! decision modules, which all speak its vocabulary.

mod agent;
mod errors;
mod events;
mod frames;
mod handoff;
mod search;
mod visitor;

pub use agent::*;
pub use errors::*;
pub use events::*;
pub use frames::*;
pub use handoff::*;
pub use search::*;
pub use visitor::*;

/// Version of this protocol, sent in [`ServerFrame::Welcome`].
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest WebSocket frame the edge reads, checked before parsing.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;

/// Largest HTTP request body the edge reads, checked before parsing.
pub const MAX_BODY_BYTES: usize = 8 * 1024;

/// Largest message text, in UTF-8 bytes after sanitizing.
pub const MAX_MESSAGE_BYTES: usize = 2_000;

/// Most events sent in one replay; the client asks again from where it got to.
pub const MAX_REPLAY_EVENTS: usize = 200;

/// How long a WebSocket ticket stays valid, in milliseconds.
pub const TICKET_TTL_MS: i64 = 60_000;

/// Per-conversation sequence number: 1, 2, 3… with no gaps.
pub type Seq = u64;

/// Site ids appear in URLs and storage keys, so they are kept plain:
/// 1–40 of a-z, 0-9 and '-'.
pub fn is_valid_site_id(id: &str) -> bool {
    (1..=40).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Conversation ids are made by the edge (a Durable Object id: 64
/// lower-case hex digits); anything else is refused before it reaches
/// storage.
pub fn parse_conversation_id(raw: &str) -> Option<&str> {
    (raw.len() == 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(raw)
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    #[test]
    fn a_transfer_names_a_team_or_an_agent_but_not_both_or_neither() {
        let t = |json: &str| serde_json::from_str::<Transfer>(json);
        assert_eq!(
            t(r#"{"team":"billing"}"#).unwrap(),
            Transfer::Team("billing".into())
        );
        assert_eq!(
            t(r#"{"agent":"a1"}"#).unwrap(),
            Transfer::Agent("a1".into())
        );
        assert!(t(r#"{"team":"billing","agent":"a1"}"#).is_err());
        assert!(t("{}").is_err());
        assert!(t(r#"{"person":"a1"}"#).is_err());
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
    fn error_codes_serialize_as_their_names() {
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
    fn conversation_ids_are_64_hex_digits() {
        let id = "5f0c1f2e3a4b4c5d8e9f0a1b2c3d4e5f5f0c1f2e3a4b4c5d8e9f0a1b2c3d4e5f";
        assert_eq!(parse_conversation_id(id), Some(id));
        assert!(parse_conversation_id("../../etc").is_none());
        assert!(parse_conversation_id("5f0c1f2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f").is_none());
        assert!(parse_conversation_id(&id.to_uppercase()).is_none());
    }
}
