//! JSON through the browser's own parser, read into the shared protocol
//! types by small hand-written readers ([`FromJson`]). Why by hand: serde's
//! generated deserializers for the server frames cost the widget about
//! 15 KB gzip of its 100 KB budget; these readers cost a fraction. They
//! cannot drift from `shared::protocol` unnoticed: the component test
//! `every_server_frame_reads_back_as_serde_wrote_it` feeds them serde's own
//! output for every variant and optional field, and names every variant in
//! an exhaustive match, so a new one fails it.
//!
//! Encoding (few, small frames) keeps serde: `serde_json` writes what the
//! widget sends. Fieldless enums (error codes, states) are read through
//! serde's derive with a plain string deserializer, which costs little.

use crate::api::Session;
use js_sys::{Array, Object, Reflect};
use serde::de::{DeserializeOwned, IntoDeserializer};
use serde::Serialize;
use shared::protocol::{
    ApiError, Author, ConversationCreated, DisclosureRecord, Event, EventBody, Message, Note,
    Photo, PhotoLinks, QueueStatus, ServerFrame, Source, Suggestion, TicketIssued,
};
use wasm_bindgen::JsValue;

/// Reads `text` as a `T`; `None` for anything that is not one.
pub fn decode<T: FromJson>(text: &str) -> Option<T> {
    T::read(js_sys::JSON::parse(text).ok()?)
}

pub fn encode<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// A type read from a value `JSON.parse` returned, as serde's derive
/// would read it (externally tagged enums, `snake_case` names, absent or
/// `null` optional fields).
pub trait FromJson: Sized {
    fn read(value: JsValue) -> Option<Self>;
}

/// Largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A JSON object's fields.
struct Fields(JsValue);

impl Fields {
    fn of(value: JsValue) -> Option<Self> {
        (value.is_object() && !Array::is_array(&value)).then_some(Fields(value))
    }

    fn get(&self, key: &str) -> JsValue {
        Reflect::get(&self.0, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// A required field.
    fn req<T: FromJson>(&self, key: &str) -> Option<T> {
        T::read(self.get(key))
    }

    /// An optional field: absent or `null` is `Some(None)`; present but not
    /// a `T` is `None` (the whole value is invalid, as with serde).
    fn opt<T: FromJson>(&self, key: &str) -> Option<Option<T>> {
        let value = self.get(key);
        if value.is_null() || value.is_undefined() {
            Some(None)
        } else {
            T::read(value).map(Some)
        }
    }

    /// A field serde skips when it is the default (empty).
    fn or_default<T: FromJson + Default>(&self, key: &str) -> Option<T> {
        self.opt(key).map(Option::unwrap_or_default)
    }
}

/// An externally tagged enum value: `"unit"` or `{"variant": payload}`.
fn variant(value: JsValue) -> Option<(String, JsValue)> {
    if let Some(name) = value.as_string() {
        return Some((name, JsValue::UNDEFINED));
    }
    Fields::of(value.clone())?;
    let entries = Object::entries(&Object::from(value));
    if entries.length() != 1 {
        return None;
    }
    let pair = Array::from(&entries.get(0));
    Some((pair.get(0).as_string()?, pair.get(1)))
}

/// A fieldless enum by its `snake_case` name, through serde's derive (a
/// string match, small), so the names stay defined in one place.
fn named<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    let name = value.as_string()?;
    let name: serde::de::value::StrDeserializer<Invalid> = name.as_str().into_deserializer();
    T::deserialize(name).ok()
}

/// serde's error for [`named`], without a message: formatting one would
/// pull float printing and more into the download.
#[derive(Debug)]
struct Invalid;

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid")
    }
}

impl std::error::Error for Invalid {}

impl serde::de::Error for Invalid {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Invalid
    }
}

// ------------------------------------------------------------ primitives

impl FromJson for String {
    fn read(value: JsValue) -> Option<Self> {
        value.as_string()
    }
}

impl FromJson for bool {
    fn read(value: JsValue) -> Option<Self> {
        value.as_bool()
    }
}

impl FromJson for u64 {
    fn read(value: JsValue) -> Option<Self> {
        let n = value.as_f64()?;
        (n.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&n)).then_some(n as u64)
    }
}

impl FromJson for u32 {
    fn read(value: JsValue) -> Option<Self> {
        u32::try_from(u64::read(value)?).ok()
    }
}

impl FromJson for u8 {
    fn read(value: JsValue) -> Option<Self> {
        u8::try_from(u64::read(value)?).ok()
    }
}

impl FromJson for i64 {
    fn read(value: JsValue) -> Option<Self> {
        let n = value.as_f64()?;
        (n.fract() == 0.0 && n.abs() <= MAX_SAFE).then_some(n as i64)
    }
}

impl FromJson for f32 {
    fn read(value: JsValue) -> Option<Self> {
        value.as_f64().map(|n| n as f32)
    }
}

impl FromJson for uuid::Uuid {
    fn read(value: JsValue) -> Option<Self> {
        uuid(&value.as_string()?)
    }
}

/// A UUID as serde writes it (`8-4-4-4-12` hex digits). By hand: the uuid
/// crate's parser carries every error message it can explain.
pub fn uuid(text: &str) -> Option<uuid::Uuid> {
    let bytes = text.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    let mut n: u128 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return None;
            }
        } else {
            n = n << 4 | char::from(b).to_digit(16)? as u128;
        }
    }
    Some(uuid::Uuid::from_u128(n))
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read(value: JsValue) -> Option<Self> {
        if !Array::is_array(&value) {
            return None;
        }
        Array::from(&value).iter().map(T::read).collect()
    }
}

// ------------------------------------------------------------ protocol

impl FromJson for ServerFrame {
    fn read(value: JsValue) -> Option<Self> {
        let (tag, payload) = variant(value)?;
        Some(match tag.as_str() {
            "event" => ServerFrame::Event(Event::read(payload)?),
            "queue" => ServerFrame::Queue(QueueStatus::read(payload)?),
            "note" => ServerFrame::Note(Note::read(payload)?),
            _ => {
                let f = Fields::of(payload)?;
                match tag.as_str() {
                    "welcome" => ServerFrame::Welcome {
                        v: f.req("v")?,
                        conversation_id: f.req("conversation_id")?,
                        last_seq: f.req("last_seq")?,
                        replay_until: f.req("replay_until")?,
                        disclosure: f.opt("disclosure")?,
                    },
                    "ack" => ServerFrame::Ack {
                        client_id: f.req("client_id")?,
                        seq: f.req("seq")?,
                    },
                    "seen" => ServerFrame::Seen { seq: f.req("seq")? },
                    "typing" => ServerFrame::Typing {
                        author: f.req("author")?,
                    },
                    "error" => ServerFrame::Error {
                        code: named(f.get("code"))?,
                        message: f.req("message")?,
                        client_id: f.opt("client_id")?,
                    },
                    _ => return None,
                }
            }
        })
    }
}

impl FromJson for Event {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Event {
            seq: f.req("seq")?,
            at_ms: f.req("at_ms")?,
            body: f.req("body")?,
        })
    }
}

impl FromJson for EventBody {
    fn read(value: JsValue) -> Option<Self> {
        let (tag, payload) = variant(value)?;
        if tag == "message" {
            return Message::read(payload).map(EventBody::Message);
        }
        let f = Fields::of(payload)?;
        Some(match tag.as_str() {
            "state" => EventBody::State {
                asked: f.opt("asked")?.unwrap_or(true),
                state: named(f.get("state"))?,
                agent: f.opt("agent")?,
                team: f.opt("team")?,
            },
            "contact_offer" => EventBody::ContactOffer {
                back_at_ms: f.opt("back_at_ms")?,
                reason: named(f.get("reason"))?,
            },
            "contact" => EventBody::Contact {
                email: f.req("email")?,
                question: f.req("question")?,
            },
            "rating" => EventBody::Rating {
                score: f.req("score")?,
                comment: f.or_default("comment")?,
            },
            _ => return None,
        })
    }
}

impl FromJson for Message {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Message {
            author: f.req("author")?,
            text: f.req("text")?,
            client_id: f.opt("client_id")?,
            source: f.opt("source")?,
            suggestions: f.or_default("suggestions")?,
            photo: f.opt("photo")?,
        })
    }
}

impl FromJson for Photo {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Photo {
            id: f.req("id")?,
            links: f.opt("links")?,
        })
    }
}

impl FromJson for PhotoLinks {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(PhotoLinks {
            full: f.req("full")?,
            thumb: f.req("thumb")?,
        })
    }
}

impl FromJson for Author {
    fn read(value: JsValue) -> Option<Self> {
        let (tag, payload) = variant(value)?;
        Some(match tag.as_str() {
            "visitor" => Author::Visitor,
            "ai" => Author::Ai,
            "system" => Author::System,
            "agent" => Author::Agent {
                name: Fields::of(payload)?.req("name")?,
            },
            _ => return None,
        })
    }
}

impl FromJson for Source {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Source {
            entry_id: f.req("entry_id")?,
            title: f.req("title")?,
            url: f.opt("url")?,
            confidence: f.req("confidence")?,
        })
    }
}

impl FromJson for Suggestion {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Suggestion {
            entry_id: f.req("entry_id")?,
            question: f.req("question")?,
        })
    }
}

impl FromJson for QueueStatus {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(QueueStatus {
            team: f.req("team")?,
            position: f.req("position")?,
            expected_wait_ms: f.opt("expected_wait_ms")?,
            agents_online: f.req("agents_online")?,
        })
    }
}

impl FromJson for DisclosureRecord {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(DisclosureRecord {
            version: f.req("version")?,
            shown_at_ms: f.req("shown_at_ms")?,
        })
    }
}

impl FromJson for Note {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Note {
            id: f.req("id")?,
            client_id: f.req("client_id")?,
            author: f.req("author")?,
            text: f.req("text")?,
            at_ms: f.req("at_ms")?,
        })
    }
}

impl FromJson for ConversationCreated {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(ConversationCreated {
            conversation_id: f.req("conversation_id")?,
            visitor_secret: f.req("visitor_secret")?,
        })
    }
}

impl FromJson for TicketIssued {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(TicketIssued {
            ticket: f.req("ticket")?,
            expires_in_ms: f.req("expires_in_ms")?,
        })
    }
}

impl FromJson for ApiError {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(ApiError {
            code: named(f.get("code"))?,
            message: f.req("message")?,
        })
    }
}

impl FromJson for Session {
    fn read(value: JsValue) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Session {
            conversation_id: f.req("conversation_id")?,
            secret: f.req("secret")?,
        })
    }
}
