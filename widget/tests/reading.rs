//! The widget's hand-written JSON readers (`widget::json`) against serde's
//! own output for every frame shape, in real headless Chromium: a field
//! added to `shared::protocol` without a reader fails here.

use shared::protocol::{
    ApiError, Author, ContactReason, ConversationCreated, ConversationState, DisclosureRecord,
    ErrorCode, Event, EventBody, Message, Note, Photo, PhotoLinks, QueueStatus, ServerFrame,
    Source, Suggestion, TicketIssued,
};
use uuid::Uuid;
use wasm_bindgen_test::*;
use widget::json::{decode, FromJson};

wasm_bindgen_test_configure!(run_in_browser);

fn reads_back<T: FromJson + serde::Serialize + PartialEq + std::fmt::Debug>(value: T) {
    let json = serde_json::to_string(&value).unwrap();
    assert_eq!(decode::<T>(&json), Some(value), "{json}");
}

fn id() -> Uuid {
    Uuid::parse_str("6f1c2a4e-8d3b-4f5a-9c7e-1b2d3e4f5a6b").unwrap()
}

fn event(seq: u64, body: EventBody) -> ServerFrame {
    ServerFrame::Event(Event {
        seq,
        at_ms: 1_763_900_000_123,
        body,
    })
}

#[wasm_bindgen_test]
fn every_server_frame_reads_back_as_serde_wrote_it() {
    let full_message = Message {
        author: Author::Ai,
        text: "We open at 9. <b>not bold</b>".into(),
        client_id: Some(id()),
        source: Some(Source {
            entry_id: "hours".into(),
            title: "Opening hours".into(),
            url: Some("https://shop.example/hours".into()),
            confidence: 0.87,
        }),
        suggestions: vec![
            Suggestion {
                entry_id: "a".into(),
                question: "Returns?".into(),
            },
            Suggestion {
                entry_id: "b".into(),
                question: "Shipping?".into(),
            },
        ],
        photo: None,
    };
    let photo = |links: Option<PhotoLinks>| Message {
        photo: Some(Photo {
            id: "0123456789abcdef0123456789abcdef".into(),
            links,
        }),
        ..Message::plain(Author::Visitor, "", Some(id()))
    };
    let links = PhotoLinks {
        full: "/api/v1/photos/c1/p1/full?e=1&s=ab".into(),
        thumb: "/api/v1/photos/c1/p1/thumb?e=1&s=ab".into(),
    };
    let frames = vec![
        ServerFrame::Welcome {
            v: 1,
            conversation_id: "c1".into(),
            last_seq: 0,
            replay_until: 0,
            disclosure: None,
        },
        ServerFrame::Welcome {
            v: 1,
            conversation_id: "c1".into(),
            last_seq: 9_007_199_254_740_991,
            replay_until: 42,
            disclosure: Some(DisclosureRecord {
                version: 3,
                shown_at_ms: 1_763_900_000_000,
            }),
        },
        ServerFrame::Ack {
            client_id: id(),
            seq: 7,
        },
        event(1, EventBody::Message(full_message)),
        event(
            2,
            EventBody::Message(Message::plain(Author::Visitor, "hi", None)),
        ),
        event(
            3,
            EventBody::Message(Message::plain(
                Author::Agent {
                    name: "Anna".into(),
                },
                "Hello",
                Some(id()),
            )),
        ),
        event(
            4,
            EventBody::Message(Message::plain(Author::System, "", None)),
        ),
        event(4, EventBody::Message(photo(Some(links)))),
        event(4, EventBody::Message(photo(None))),
        event(5, EventBody::state(ConversationState::Bot)),
        event(
            6,
            EventBody::State {
                asked: false,
                state: ConversationState::WaitingForPerson,
                agent: None,
                team: Some("Billing".into()),
            },
        ),
        event(
            7,
            EventBody::State {
                asked: true,
                state: ConversationState::WithPerson,
                agent: Some("Anna".into()),
                team: None,
            },
        ),
        event(8, EventBody::state(ConversationState::Resolved)),
        event(
            9,
            EventBody::ContactOffer {
                back_at_ms: Some(1_790_000_000_000),
                reason: ContactReason::OutsideHours,
            },
        ),
        event(
            10,
            EventBody::ContactOffer {
                back_at_ms: None,
                reason: ContactReason::NoClaimInTime,
            },
        ),
        event(
            11,
            EventBody::Contact {
                email: "a@b.example".into(),
                question: "Refund?".into(),
            },
        ),
        event(
            12,
            EventBody::Rating {
                score: 5,
                comment: String::new(),
            },
        ),
        event(
            13,
            EventBody::Rating {
                score: 1,
                comment: "slow".into(),
            },
        ),
        ServerFrame::Queue(QueueStatus {
            team: "Support".into(),
            position: 2,
            expected_wait_ms: None,
            agents_online: 0,
        }),
        ServerFrame::Queue(QueueStatus {
            team: "Support".into(),
            position: 1,
            expected_wait_ms: Some(90_000),
            agents_online: 3,
        }),
        ServerFrame::Typing {
            author: Author::Agent { name: "Ben".into() },
        },
        ServerFrame::Typing {
            author: Author::Visitor,
        },
        ServerFrame::Note(Note {
            id: 4,
            client_id: id(),
            author: "Anna".into(),
            text: "VIP".into(),
            at_ms: 5,
        }),
        ServerFrame::Error {
            code: ErrorCode::InvalidEmail,
            message: "not an address".into(),
            client_id: None,
        },
        ServerFrame::Error {
            code: ErrorCode::FrameTooLarge,
            message: "too long".into(),
            client_id: Some(id()),
        },
        ServerFrame::Seen { seq: 12 },
    ];
    let shown: std::collections::BTreeSet<&str> = frames.iter().map(shape).collect();
    let all: std::collections::BTreeSet<&str> = SHAPES.iter().copied().collect();
    assert_eq!(shown, all, "an example of every frame shape");
    for frame in frames {
        reads_back(frame);
    }
}

/// Every shape a server frame can take. `shape` names each with an
/// exhaustive match, so a new `ServerFrame` or `EventBody` variant does not
/// compile here until it is named (and listed in `SHAPES`, and given an
/// example above, or the test fails).
const SHAPES: &[&str] = &[
    "welcome",
    "ack",
    "event/message",
    "event/state",
    "event/contact_offer",
    "event/contact",
    "event/rating",
    "queue",
    "typing",
    "note",
    "error",
    "seen",
];

fn shape(frame: &ServerFrame) -> &'static str {
    match frame {
        ServerFrame::Welcome { .. } => "welcome",
        ServerFrame::Ack { .. } => "ack",
        ServerFrame::Seen { .. } => "seen",
        ServerFrame::Event(e) => match e.body {
            EventBody::Message(_) => "event/message",
            EventBody::State { .. } => "event/state",
            EventBody::ContactOffer { .. } => "event/contact_offer",
            EventBody::Contact { .. } => "event/contact",
            EventBody::Rating { .. } => "event/rating",
        },
        ServerFrame::Queue(_) => "queue",
        ServerFrame::Typing { .. } => "typing",
        ServerFrame::Note(_) => "note",
        ServerFrame::Error { .. } => "error",
    }
}

#[wasm_bindgen_test]
fn http_answers_read_back_as_serde_wrote_them() {
    reads_back(ConversationCreated {
        conversation_id: "c".into(),
        visitor_secret: "s".into(),
    });
    reads_back(TicketIssued {
        ticket: "t".into(),
        expires_in_ms: 30_000,
    });
    reads_back(ApiError {
        code: ErrorCode::RateLimited,
        message: "slow down".into(),
    });
}

#[wasm_bindgen_test]
fn anything_else_is_not_a_frame() {
    for text in [
        "",
        "not json",
        "null",
        "[]",
        r#""welcome""#,
        r#"{"unknown":{}}"#,
        r#"{"ack":{"client_id":"6f1c2a4e-8d3b-4f5a-9c7e-1b2d3e4f5a6b"}}"#,
        r#"{"ack":{"client_id":"not a uuid","seq":1}}"#,
        r#"{"ack":{"client_id":"6f1c2a4e-8d3b-4f5a-9c7e-1b2d3e4f5a6b","seq":-1}}"#,
        r#"{"ack":{"client_id":"6f1c2a4e-8d3b-4f5a-9c7e-1b2d3e4f5a6b","seq":1.5}}"#,
        r#"{"ack":{"client_id":"6f1c2a4e-8d3b-4f5a-9c7e-1b2d3e4f5a6b","seq":"1"}}"#,
        r#"{"ack":{},"event":{}}"#,
        r#"{"event":{"seq":1,"at_ms":1,"body":{"message":{"author":"robot","text":"x"}}}}"#,
        r#"{"event":{"seq":1,"at_ms":1,"body":{"message":{"author":"ai","text":"x","source":"yes"}}}}"#,
        r#"{"event":{"seq":1,"at_ms":1,"body":{"state":{"state":"gone"}}}}"#,
        r#"{"event":{"seq":1,"at_ms":1,"body":{"rating":{"score":300}}}}"#,
        r#"{"error":{"code":"no_such_code","message":""}}"#,
    ] {
        assert_eq!(decode::<ServerFrame>(text), None, "{text}");
    }
}

#[wasm_bindgen_test]
fn what_the_widget_encodes_the_edge_reads() {
    let frame = shared::protocol::ClientFrame::Send {
        client_id: id(),
        text: "Hi <there>".into(),
    };
    let json = widget::json::encode(&frame).unwrap();
    assert_eq!(shared::protocol::ClientFrame::parse(&json), Ok(frame));
}
