//! The Conversation Durable Object: one per conversation, the single source
//! of truth for its transcript. It stores every event in its own SQLite
//! storage with a contiguous sequence number, acknowledges only after the
//! write, and fans each event out to every socket bound to it.
//!
//! Nothing is kept only in memory: sockets carry their role in their
//! attachment and everything else is read from storage, so hibernation and
//! restarts lose nothing.

use crate::credentials;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{self, now_ms};
use serde::{Deserialize, Serialize};
use crate::knowledge;
use shared::assistant;
use shared::limits::{self, TokenBucket};
use std::cell::RefCell;
use shared::protocol::{
    Author, ClientFrame, ConversationState, DisclosureRecord, ErrorCode, Event, EventBody, FrameError, Message, Seq, ServerFrame,
    TicketIssued, MAX_REPLAY_EVENTS, PROTOCOL_VERSION, TICKET_TTL_MS,
};
use shared::text::sanitize_message;
use uuid::Uuid;
use wasm_bindgen::JsValue;
use worker::{
    durable_object, DurableObject, Env, Method, Request, RequestInit, Response, SqlStorage,
    SqlStorageValue, State, Stub, WebSocket, WebSocketIncomingMessage, WebSocketPair,
};

/// What the worker hands the object when a visitor opens the chat.
#[derive(Debug, Serialize, Deserialize)]
pub struct Init {
    pub conversation_id: String,
    pub site: String,
    pub locale: Option<String>,
    pub page_url: Option<String>,
    pub secret_hash: String,
    pub disclosure_version: Option<u32>,
}

/// Who is on the other end of a socket; kept in the socket's attachment so
/// it survives hibernation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Role {
    Visitor,
}

pub fn stub(env: &Env, conversation_id: &str) -> worker::Result<Stub> {
    env.durable_object("CONVERSATION")?.id_from_name(conversation_id)?.get_stub()
}

/// Creates the conversation's record in its object.
pub async fn init(env: &Env, init: &Init) -> EdgeResult<()> {
    let mut request_init = RequestInit::new();
    request_init
        .with_method(Method::Post)
        .with_body(Some(JsValue::from_str(&serde_json::to_string(init)?)));
    let req = Request::new_with_init("https://conversation/init", &request_init)?;
    let res = stub(env, &init.conversation_id)?.fetch_with_request(req).await?;
    match res.status_code() {
        204 => Ok(()),
        status => Err(EdgeError::new(ErrorCode::Internal, format!("init answered {status}"))),
    }
}

#[durable_object]
pub struct Conversation {
    state: State,
    /// New visitor messages per second. In memory on purpose: losing it to
    /// hibernation only ever lets more through, never loses a message.
    message_rate: RefCell<TokenBucket>,
}

#[derive(Deserialize)]
struct MetaRow {
    conversation_id: String,
    site: String,
    secret_hash: String,
    created_ms: i64,
    disclosure_version: Option<i64>,
}

#[derive(Deserialize)]
struct EventRow {
    seq: i64,
    at_ms: i64,
    body: String,
}

#[derive(Deserialize)]
struct SeqRow {
    seq: i64,
}

impl DurableObject for Conversation {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        for ddl in SCHEMA {
            if let Err(e) = sql.exec(ddl, None) {
                worker::console_error!("schema: {e}");
            }
        }
        Self { state, message_rate: RefCell::new(TokenBucket::new(limits::MESSAGES, now_ms())) }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        let path = req.path();
        let action = path.rsplit('/').next().unwrap_or_default();
        let result = match action {
            "init" => self.init(req).await,
            "ticket" => self.issue_ticket(&req),
            _ if req.method() == Method::Delete => self.erase(&req).await,
            "ws" => self.accept_socket(&req),
            _ => Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
        };
        Ok(result.unwrap_or_else(EdgeError::into_response))
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> worker::Result<()> {
        let frame = match message {
            WebSocketIncomingMessage::String(text) => ClientFrame::parse(&text),
            WebSocketIncomingMessage::Binary(_) => Err(FrameError::Binary),
        };
        let outcome = match frame {
            Ok(frame) => self.handle(&ws, frame),
            Err(e) => Err(EdgeError::new(e.code(), e.to_string())),
        };
        if let Err(e) = outcome {
            if e.code == ErrorCode::Internal {
                worker::console_error!("conversation: {}", e.message);
            }
            send(&ws, &ServerFrame::Error { code: e.code, message: e.message, client_id: None });
        }
        Ok(())
    }

    async fn websocket_close(&self, ws: WebSocket, code: usize, _reason: String, _clean: bool) -> worker::Result<()> {
        // Complete the closing handshake; 1005/1006 may not be sent back.
        let code = if code == 1005 || code == 1006 { 1000 } else { code as u16 };
        let _ = ws.close(Some(code), Some("bye"));
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, error: worker::Error) -> worker::Result<()> {
        worker::console_log!("socket error: {error}");
        Ok(())
    }
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        conversation_id TEXT NOT NULL,
        site TEXT NOT NULL,
        locale TEXT,
        page_url TEXT,
        secret_hash TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        disclosure_version INTEGER)",
    "CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY,
        client_id TEXT UNIQUE,
        kind TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tickets (
        ticket_hash TEXT PRIMARY KEY,
        expires_ms INTEGER NOT NULL)",
];

impl Conversation {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn meta(&self) -> EdgeResult<Option<MetaRow>> {
        let rows: Vec<MetaRow> =
            self.sql().exec("SELECT conversation_id, site, secret_hash, created_ms, disclosure_version FROM meta WHERE id = 1", None)?.to_array()?;
        Ok(rows.into_iter().next())
    }

    async fn init(&self, mut req: Request) -> EdgeResult<Response> {
        if req.method() != Method::Post {
            return Err(EdgeError::new(ErrorCode::MethodNotAllowed, "Use POST here."));
        }
        let init: Init = serde_json::from_str(&req.text().await?)?;
        if self.meta()?.is_some() {
            return Err(EdgeError::new(ErrorCode::Internal, "conversation exists already"));
        }
        self.sql().exec(
            "INSERT INTO meta (id, conversation_id, site, locale, page_url, secret_hash, created_ms, disclosure_version)
             VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                init.conversation_id.into(),
                init.site.into(),
                init.locale.into(),
                init.page_url.into(),
                init.secret_hash.into(),
                now_ms().into(),
                init.disclosure_version.map(i64::from).into(),
            ],
        )?;
        Ok(Response::empty()?.with_status(204))
    }

    /// The conversation, if the request carries its visitor's secret.
    fn authorised(&self, req: &Request) -> EdgeResult<MetaRow> {
        let secret = http::bearer(req)
            .ok_or_else(|| EdgeError::new(ErrorCode::Unauthorized, "Send the visitor secret as a bearer token."))?;
        let meta = self.meta()?.ok_or_else(EdgeError::not_found)?;
        if !credentials::same_hash(&credentials::hash(&secret), &meta.secret_hash) {
            return Err(EdgeError::not_found());
        }
        Ok(meta)
    }

    /// The visitor erases the conversation (GDPR Art. 17): every socket is
    /// closed and all of the object's storage deleted, at once.
    async fn erase(&self, req: &Request) -> EdgeResult<Response> {
        self.authorised(req)?;
        for ws in self.state.get_websockets() {
            let _ = ws.close(Some(4404), Some("conversation erased"));
        }
        self.state.storage().delete_all().await?;
        // An erased conversation reads as one that never existed.
        let sql = self.sql();
        for ddl in SCHEMA {
            sql.exec(ddl, None)?;
        }
        Ok(Response::empty()?.with_status(204))
    }

    /// Exchanges the visitor's secret for a single-use WebSocket ticket.
    fn issue_ticket(&self, req: &Request) -> EdgeResult<Response> {
        self.authorised(req)?;
        let now = now_ms();
        let ticket = credentials::new_secret();
        let sql = self.sql();
        sql.exec("DELETE FROM tickets WHERE expires_ms <= ?", vec![now.into()])?;
        sql.exec(
            "INSERT INTO tickets (ticket_hash, expires_ms) VALUES (?, ?)",
            vec![credentials::hash(&ticket).into(), (now + TICKET_TTL_MS).into()],
        )?;
        http::json_response(&TicketIssued { ticket, expires_in_ms: TICKET_TTL_MS }, 200)
    }

    /// Opens a visitor socket if the request carries a valid, unused ticket.
    fn accept_socket(&self, req: &Request) -> EdgeResult<Response> {
        let url = req.url()?;
        let ticket = url
            .query_pairs()
            .find(|(k, _)| k == "ticket")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| EdgeError::new(ErrorCode::Unauthorized, "A ticket is needed to connect."))?;
        if self.meta()?.is_none() {
            return Err(EdgeError::not_found());
        }
        let used: Vec<SeqRow> = self
            .sql()
            .exec(
                "DELETE FROM tickets WHERE ticket_hash = ? AND expires_ms > ? RETURNING 1 AS seq",
                vec![credentials::hash(&ticket).into(), now_ms().into()],
            )?
            .to_array()?;
        if used.is_empty() {
            return Err(EdgeError::not_found());
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_websocket_with_tags(&pair.server, &["visitor"]);
        pair.server.serialize_attachment(Role::Visitor)?;
        Ok(Response::from_websocket(pair.client)?)
    }

    fn handle(&self, ws: &WebSocket, frame: ClientFrame) -> EdgeResult<()> {
        let role: Role = ws.deserialize_attachment()?.ok_or_else(|| EdgeError::new(ErrorCode::Unauthorized, "Unbound socket."))?;
        match frame {
            ClientFrame::Resume { last_seq } => self.replay(ws, last_seq),
            ClientFrame::Send { client_id, text } => match role {
                Role::Visitor => self.visitor_message(ws, client_id, &text),
            },
            ClientFrame::RequestPerson {} => self.request_person(),
        }
    }

    fn replay(&self, ws: &WebSocket, after: Seq) -> EdgeResult<()> {
        let meta = self.meta()?.ok_or_else(EdgeError::not_found)?;
        let events = self.events_after(after, MAX_REPLAY_EVENTS)?;
        let replay_until = events.last().map_or(after, |e| e.seq);
        let last_seq = self.last_seq()?;
        let disclosure = meta
            .disclosure_version
            .map(|version| DisclosureRecord { version: version as u32, shown_at_ms: meta.created_ms });
        let welcome = ServerFrame::Welcome {
            v: PROTOCOL_VERSION,
            conversation_id: meta.conversation_id,
            last_seq,
            replay_until,
            disclosure,
        };
        send(ws, &welcome);
        for event in events {
            send(ws, &ServerFrame::Event(event));
        }
        Ok(())
    }

    fn visitor_message(&self, ws: &WebSocket, client_id: Uuid, raw: &str) -> EdgeResult<()> {
        let text = match sanitize_message(raw) {
            Ok(text) => text,
            Err(e) => {
                // Refused with the message's client id, so the widget marks it failed.
                send(ws, &ServerFrame::Error { code: e.code(), message: e.to_string(), client_id: Some(client_id) });
                return Ok(());
            }
        };
        if let Some(seq) = self.seq_of(client_id)? {
            // A resend after a lost ack: same answer, nothing stored again.
            send(ws, &ServerFrame::Ack { client_id, seq });
            return Ok(());
        }
        if !self.message_rate.borrow_mut().take(now_ms()) {
            let message = "Too many messages at once. Please wait a moment and send it again.".to_string();
            send(ws, &ServerFrame::Error { code: ErrorCode::RateLimited, message, client_id: Some(client_id) });
            return Ok(());
        }
        let visitor = Message::plain(Author::Visitor, text.clone(), Some(client_id));
        let event = self.append(Some(client_id), EventBody::Message(visitor))?;
        send(ws, &ServerFrame::Ack { client_id, seq: event.seq });
        self.broadcast(&ServerFrame::Event(event));

        let meta = self.meta()?.ok_or_else(EdgeError::not_found)?;
        let reply = assistant::reply(&knowledge::index(&meta.site), &text);
        let event = self.append(None, EventBody::Message(reply.message))?;
        self.broadcast(&ServerFrame::Event(event));
        if reply.hand_off {
            self.request_person()?;
        }
        Ok(())
    }

    /// The visitor wants a person: the state changes once, however often
    /// the button is pressed. (The queue that agents claim from is built on
    /// this state by the hand-off work.)
    fn request_person(&self) -> EdgeResult<()> {
        if self.state()? == ConversationState::WaitingForPerson {
            return Ok(());
        }
        let event = self.append(None, EventBody::State { state: ConversationState::WaitingForPerson })?;
        self.broadcast(&ServerFrame::Event(event));
        Ok(())
    }

    /// The latest state event, `Bot` when there is none.
    fn state(&self) -> EdgeResult<ConversationState> {
        let rows: Vec<EventRow> = self
            .sql()
            .exec(
                "SELECT seq, at_ms, body FROM events WHERE kind = 'state' ORDER BY seq DESC LIMIT 1",
                None,
            )?
            .to_array()?;
        Ok(rows
            .first()
            .and_then(|r| serde_json::from_str::<EventBody>(&r.body).ok())
            .and_then(|b| match b {
                EventBody::State { state } => Some(state),
                EventBody::Message(_) => None,
            })
            .unwrap_or(ConversationState::Bot))
    }

    fn seq_of(&self, client_id: Uuid) -> EdgeResult<Option<Seq>> {
        let rows: Vec<SeqRow> = self
            .sql()
            .exec("SELECT seq FROM events WHERE client_id = ?", vec![client_id.to_string().into()])?
            .to_array()?;
        Ok(rows.first().map(|r| r.seq as Seq))
    }

    fn last_seq(&self) -> EdgeResult<Seq> {
        let rows: Vec<SeqRow> =
            self.sql().exec("SELECT COALESCE(MAX(seq), 0) AS seq FROM events", None)?.to_array()?;
        Ok(rows.first().map_or(0, |r| r.seq as Seq))
    }

    /// Stores an event with the next sequence number, in one statement.
    fn append(&self, client_id: Option<Uuid>, body: EventBody) -> EdgeResult<Event> {
        let at_ms = now_ms();
        let json = serde_json::to_string(&body)?;
        let kind = match body {
            EventBody::Message(_) => "message",
            EventBody::State { .. } => "state",
        };
        let client_id: SqlStorageValue = client_id.map(|c| c.to_string()).into();
        let rows: Vec<SeqRow> = self
            .sql()
            .exec(
                "INSERT INTO events (seq, client_id, kind, at_ms, body)
                 VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM events), ?, ?, ?, ?) RETURNING seq",
                vec![client_id, kind.into(), at_ms.into(), json.into()],
            )?
            .to_array()?;
        let seq = rows.first().map(|r| r.seq as Seq).ok_or_else(|| EdgeError::new(ErrorCode::Internal, "insert returned no row"))?;
        Ok(Event { seq, at_ms, body })
    }

    fn events_after(&self, after: Seq, limit: usize) -> EdgeResult<Vec<Event>> {
        let rows: Vec<EventRow> = self
            .sql()
            .exec(
                "SELECT seq, at_ms, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                vec![(after.min(i64::MAX as u64) as i64).into(), (limit as i64).into()],
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .filter_map(|r| match serde_json::from_str(&r.body) {
                Ok(body) => Some(Event { seq: r.seq as Seq, at_ms: r.at_ms, body }),
                Err(e) => {
                    worker::console_error!("event {} unreadable: {e}", r.seq);
                    None
                }
            })
            .collect())
    }

    fn broadcast(&self, frame: &ServerFrame) {
        let Ok(json) = serde_json::to_string(frame) else { return };
        for ws in self.state.get_websockets() {
            let _ = ws.send_with_str(&json);
        }
    }
}

/// Sends one frame; a socket that has gone away is not an error here (the
/// client resumes from its last sequence number).
fn send(ws: &WebSocket, frame: &ServerFrame) {
    if let Ok(json) = serde_json::to_string(frame) {
        let _ = ws.send_with_str(&json);
    }
}
