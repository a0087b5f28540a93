//! The Conversation Durable Object: one per conversation, the single source
//! of truth for its transcript and its state. It stores every event in its
//! own SQLite storage with a contiguous sequence number, acknowledges only
//! after the write, and fans each event out to every socket bound to it
//! (the visitor's tabs and any agents watching).
//!
//! Every state change goes through `shared::lifecycle` and is stored as an
//! event; the escalation policy (`shared::escalation`) runs after each
//! visitor message while the AI is in charge. A hand-off stores its packet
//! here and tells the site's `Inbox`, which owns the queue.
//!
//! Nothing is kept only in memory: sockets carry their role in their
//! attachment and everything else is read from storage, so hibernation and
//! restarts lose nothing.

use crate::clock;
use crate::credentials;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{self, now_ms};
use crate::inbox::{self, FactUpdate, InboxCall};
use crate::knowledge;
use crate::object;
use serde::{Deserialize, Serialize};
use shared::assistant;
use shared::escalation::{self, Decision, PastTurn, Trigger, Turn};
use shared::faq::NOT_SURE;
use shared::handoff::{self, HandoffPacket, HandoffView, QueueEntry};
use shared::lifecycle::{self, Availability, PersonRequest};
use shared::limits::{self, TokenBucket};
use shared::protocol::{
    AgentProfile, Author, ClientFrame, ContactReason, ConversationState, DisclosureRecord,
    ErrorCode, Event, EventBody, FrameError, Message, Note, QueueStatus, Seq, ServerFrame,
    SuggestedReply, TicketIssued, MAX_REPLAY_EVENTS, PROTOCOL_VERSION, TICKET_TTL_MS,
};
use shared::site::SiteConfig;
use shared::team::{self, RouteHints};
use shared::text::{clean_message, sanitize_message, valid_email};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
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
    /// The visitor's previous conversation, proven with its secret.
    #[serde(default)]
    pub follows: Option<String>,
    /// Cleaned by the worker.
    #[serde(default)]
    pub visitor_name: Option<String>,
    /// The site's config when the conversation started (deployed config
    /// plus saved settings): it keeps it, so a later change of settings
    /// applies to new conversations only.
    #[serde(default)]
    pub config: Option<SiteConfig>,
}

/// Who is on the other end of a socket; kept in the socket's attachment so
/// it survives hibernation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Role {
    Visitor,
    Agent { id: String, name: String },
}

/// Most events an agent's view carries.
const VIEW_EVENTS: usize = 2_000;
/// Longest rating comment kept, in bytes.
const MAX_COMMENT_BYTES: usize = 1_000;

/// A checked transfer, as the worker passes it on: a team id, or the
/// colleague's profile from the directory.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferCall {
    Team(String),
    Agent(AgentProfile),
}

pub fn stub(env: &Env, conversation_id: &str) -> worker::Result<Stub> {
    env.durable_object("CONVERSATION")?
        .id_from_name(conversation_id)?
        .get_stub()
}

async fn post(
    env: &Env,
    conversation_id: &str,
    action: &str,
    body: String,
) -> EdgeResult<Response> {
    let mut request_init = RequestInit::new();
    request_init
        .with_method(Method::Post)
        .with_body(Some(JsValue::from_str(&body)));
    let req = Request::new_with_init(&format!("https://conversation/{action}"), &request_init)?;
    Ok(stub(env, conversation_id)?.fetch_with_request(req).await?)
}

/// Creates the conversation's record in its object.
pub async fn init(env: &Env, init: &Init) -> EdgeResult<()> {
    let res = post(
        env,
        &init.conversation_id,
        "init",
        serde_json::to_string(init)?,
    )
    .await?;
    match res.status_code() {
        204 => Ok(()),
        status => Err(EdgeError::new(
            ErrorCode::Internal,
            format!("init answered {status}"),
        )),
    }
}

/// The previous conversation's id if the follow-up's secret opens it (on
/// the same site); anything else is dropped, not refused, since the link
/// is a convenience for agents.
pub async fn proven_follow_up(
    env: &Env,
    site: &str,
    follow: &shared::protocol::FollowUp,
) -> Option<String> {
    let id = shared::protocol::parse_conversation_id(&follow.conversation_id)?.to_string();
    let headers = worker::Headers::new();
    headers
        .set(
            "authorization",
            &format!("Bearer {}", follow.visitor_secret),
        )
        .ok()?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers);
    let req = Request::new_with_init("https://conversation/verify", &init).ok()?;
    let mut res = stub(env, &id).ok()?.fetch_with_request(req).await.ok()?;
    let owner_site = res.text().await.ok()?;
    (res.status_code() == 200 && owner_site == site).then_some(id)
}

/// The inbox tells a waiting conversation its place in the queue.
pub async fn push_queue_status(
    env: &Env,
    conversation_id: &str,
    status: &QueueStatus,
) -> EdgeResult<()> {
    post(
        env,
        conversation_id,
        "queue-status",
        serde_json::to_string(status)?,
    )
    .await
    .map(|_| ())
}

#[durable_object]
pub struct Conversation {
    state: State,
    env: Env,
    /// New visitor messages per second. In memory on purpose: losing it to
    /// hibernation only ever lets more through, never loses a message.
    message_rate: RefCell<TokenBucket>,
    /// Frames waiting while an earlier one is handled: a handler may await
    /// (the FAQ index, the inbox), and frames must still take effect in the
    /// order they came ("send" before "request_person").
    waiting: RefCell<VecDeque<(WebSocket, WebSocketIncomingMessage)>>,
    busy: Cell<bool>,
}

#[derive(Deserialize)]
struct MetaRow {
    conversation_id: String,
    site: String,
    locale: Option<String>,
    page_url: Option<String>,
    secret_hash: String,
    created_ms: i64,
    disclosure_version: Option<i64>,
    follows: Option<String>,
    kb_version: Option<i64>,
    visitor_name: Option<String>,
    config: Option<String>,
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

/// The current (or last) hand-off.
#[derive(Deserialize)]
struct HandoffRow {
    packet: String,
    requested_ms: i64,
    team: String,
    contact_offered: i64,
    assignee_id: Option<String>,
    claimed_ms: Option<i64>,
    first_reply_ms: Option<i64>,
}

#[derive(Deserialize)]
struct JsonRow {
    body: String,
}

/// Columns added after a table was first created (`object::create_tables`).
const MIGRATIONS: &[&str] = &[
    "ALTER TABLE meta ADD COLUMN follows TEXT",
    "ALTER TABLE meta ADD COLUMN kb_version INTEGER",
    "ALTER TABLE meta ADD COLUMN visitor_name TEXT",
    "ALTER TABLE meta ADD COLUMN config TEXT",
];

impl DurableObject for Conversation {
    fn new(state: State, env: Env) -> Self {
        object::create_tables(&state.storage().sql(), "conversation", SCHEMA, MIGRATIONS);
        Self {
            state,
            env,
            message_rate: RefCell::new(TokenBucket::new(limits::MESSAGES, now_ms())),
            waiting: RefCell::new(VecDeque::new()),
            busy: Cell::new(false),
        }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        let path = req.path();
        let action = path.rsplit('/').next().unwrap_or_default().to_string();
        // Agent routes: the worker checked the session and sets `x-agent`
        // itself; on any other path that header is ignored.
        let result = if path.starts_with("/api/v1/agent/") {
            match agent_of(&req) {
                Ok(agent) => match (req.method(), action.as_str()) {
                    (Method::Post, "claim") => self.claim(&agent).await,
                    (Method::Post, "hand-back") => self.hand_back(&agent).await,
                    (Method::Post, "resolve") => self.resolve(&agent).await,
                    (Method::Post, "transfer") => self.transfer(&agent, req).await,
                    (Method::Get, "suggestions") => self.suggestions().await,
                    (_, "ws") => self.accept_agent_socket(agent),
                    (Method::Get, "export") => self.export(),
                    (Method::Delete, _) => self.erase_by_agent(&agent).await,
                    (Method::Get, _) => self.view(),
                    _ => Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
                },
                Err(e) => Err(e),
            }
        } else {
            match action.as_str() {
                "init" => self.init(req).await,
                "queue-status" => self.queue_status(req).await,
                "verify" => self
                    .authorised(&req)
                    .and_then(|meta| Ok(Response::ok(meta.site)?)),
                "ticket" => self.issue_ticket(&req),
                _ if req.method() == Method::Delete => self.erase(&req).await,
                "ws" => self.accept_socket(&req),
                _ => Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
            }
        };
        Ok(result.unwrap_or_else(EdgeError::into_response))
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        self.waiting.borrow_mut().push_back((ws, message));
        if self.busy.replace(true) {
            return Ok(()); // the running handler takes it in turn
        }
        loop {
            let next = self.waiting.borrow_mut().pop_front();
            let Some((ws, message)) = next else { break };
            self.handle_message(ws, message).await;
        }
        self.busy.set(false);
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        code: usize,
        _reason: String,
        _clean: bool,
    ) -> worker::Result<()> {
        object::finish_close(&ws, code);
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, error: worker::Error) -> worker::Result<()> {
        worker::console_log!("socket error: {error}");
        Ok(())
    }

    /// The claim time-out: still waiting, so offer the e-mail path (the
    /// place in the queue is kept).
    /// Deadlines due: the claim time-out (still waiting: offer the e-mail
    /// path, the place in the queue is kept) and the site's retention
    /// (erase, unless the conversation was active since: then later).
    /// Safe to run twice: each step checks the stored state first.
    async fn alarm(&self) -> worker::Result<Response> {
        if let Err(e) = self.run_deadlines().await {
            worker::console_error!("alarm: {}", e.message);
        }
        Response::empty()
    }
}

/// Deadline kinds, kept in the `deadlines` table; the object's one alarm
/// is set to the earliest.
const CLAIM: &str = "claim";
const RETENTION: &str = "retention";

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        conversation_id TEXT NOT NULL,
        site TEXT NOT NULL,
        locale TEXT,
        page_url TEXT,
        secret_hash TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        disclosure_version INTEGER,
        follows TEXT,
        kb_version INTEGER,
        visitor_name TEXT,
        config TEXT)",
    "CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY,
        client_id TEXT UNIQUE,
        kind TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tickets (
        ticket_hash TEXT PRIMARY KEY,
        expires_ms INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS handoff (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        packet TEXT NOT NULL,
        requested_ms INTEGER NOT NULL,
        team TEXT NOT NULL,
        contact_offered INTEGER NOT NULL DEFAULT 0,
        assignee_id TEXT,
        claimed_ms INTEGER,
        first_reply_ms INTEGER)",
    "CREATE TABLE IF NOT EXISTS notes (
        id INTEGER PRIMARY KEY,
        client_id TEXT NOT NULL UNIQUE,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        at_ms INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS deadlines (
        kind TEXT PRIMARY KEY,
        at_ms INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS queue_status (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        body TEXT NOT NULL)",
];

/// The agent the worker vouched for.
fn agent_of(req: &Request) -> EdgeResult<AgentProfile> {
    req.headers()
        .get("x-agent")?
        .and_then(|h| serde_json::from_str(&h).ok())
        .ok_or_else(crate::directory::not_logged_in)
}

impl Conversation {
    /// One frame, after every earlier one.
    async fn handle_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) {
        let frame = match message {
            WebSocketIncomingMessage::String(text) => ClientFrame::parse(&text),
            WebSocketIncomingMessage::Binary(_) => Err(FrameError::Binary),
        };
        let outcome = match frame {
            Ok(frame) => self.handle(&ws, frame).await,
            Err(e) => Err(EdgeError::new(e.code(), e.to_string())),
        };
        if let Err(e) = outcome {
            if e.code == ErrorCode::Internal {
                worker::console_error!("conversation: {}", e.message);
            }
            send(
                &ws,
                &ServerFrame::Error {
                    code: e.code,
                    message: e.message,
                    client_id: None,
                },
            );
        }
    }

    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn meta(&self) -> EdgeResult<Option<MetaRow>> {
        let rows: Vec<MetaRow> = self
            .sql()
            .exec(
                "SELECT conversation_id, site, locale, page_url, secret_hash, created_ms, disclosure_version, follows, kb_version, visitor_name, config FROM meta WHERE id = 1",
                None,
            )?
            .to_array()?;
        Ok(rows.into_iter().next())
    }

    fn existing(&self) -> EdgeResult<MetaRow> {
        self.meta()?.ok_or_else(EdgeError::not_found)
    }

    /// The site's config as it was when this conversation started;
    /// conversations from before settings existed use the deployed one.
    fn site_config(&self, meta: &MetaRow) -> EdgeResult<SiteConfig> {
        match meta
            .config
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
        {
            Some(config) => Ok(config),
            None => crate::load_site_config(&self.env, &meta.site),
        }
    }

    fn handoff(&self) -> EdgeResult<Option<HandoffRow>> {
        let rows: Vec<HandoffRow> = self
            .sql()
            .exec(
                "SELECT packet, requested_ms, team, contact_offered, assignee_id, claimed_ms, first_reply_ms FROM handoff WHERE id = 1",
                None,
            )?
            .to_array()?;
        Ok(rows.into_iter().next())
    }

    async fn init(&self, mut req: Request) -> EdgeResult<Response> {
        if req.method() != Method::Post {
            return Err(EdgeError::new(
                ErrorCode::MethodNotAllowed,
                "Use POST here.",
            ));
        }
        let init: Init = serde_json::from_str(&req.text().await?)?;
        if self.meta()?.is_some() {
            return Err(EdgeError::new(
                ErrorCode::Internal,
                "conversation exists already",
            ));
        }
        // The knowledge-base version this conversation answers from.
        let kb_call = InboxCall::KnowledgeVersion {
            site: init.site.clone(),
        };
        let kb_version =
            match inbox::call::<serde_json::Value>(&self.env, &init.site, &kb_call).await {
                Ok(v) => v["version"].as_i64(),
                Err(e) => {
                    worker::console_error!("knowledge version: {}", e.message);
                    None
                }
            };
        if self.meta()?.is_some() {
            // Checked again after the await: another init may have run.
            return Err(EdgeError::new(
                ErrorCode::Internal,
                "conversation exists already",
            ));
        }
        let now = now_ms();
        self.sql().exec(
            "INSERT INTO meta (id, conversation_id, site, locale, page_url, secret_hash, created_ms, disclosure_version, follows, kb_version, visitor_name, config)
             VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                init.conversation_id.clone().into(),
                init.site.clone().into(),
                init.locale.into(),
                init.page_url.into(),
                init.secret_hash.into(),
                now.into(),
                init.disclosure_version.map(i64::from).into(),
                init.follows.into(),
                kb_version.into(),
                init.visitor_name.into(),
                init.config.as_ref().map(serde_json::to_string).transpose()?.into(),
            ],
        )?;
        if let Some(keep_ms) = self.site_config(&self.existing()?)?.retention_ms() {
            self.set_deadline(RETENTION, now + keep_ms).await?;
        }
        let fact = FactUpdate {
            conversation_id: init.conversation_id,
            created_ms: Some(now),
            ..Default::default()
        };
        inbox::tell(&self.env, &init.site, InboxCall::Fact(fact)).await;
        Ok(Response::empty()?.with_status(204))
    }

    /// The conversation, if the request carries its visitor's secret.
    fn authorised(&self, req: &Request) -> EdgeResult<MetaRow> {
        let secret = http::bearer(req).ok_or_else(|| {
            EdgeError::new(
                ErrorCode::Unauthorized,
                "Send the visitor secret as a bearer token.",
            )
        })?;
        let meta = self.existing()?;
        if !credentials::same_hash(&credentials::hash(&secret), &meta.secret_hash) {
            return Err(EdgeError::not_found());
        }
        Ok(meta)
    }

    /// The visitor erases the conversation (GDPR Art. 17): every socket is
    /// closed, it leaves the queue, and all of the object's storage is
    /// deleted at once.
    async fn erase(&self, req: &Request) -> EdgeResult<Response> {
        let meta = self.authorised(req)?;
        self.erase_all(meta, "the visitor").await
    }

    /// Closes every socket, deletes all of the object's storage, and has the
    /// site's inbox forget it (queue entry, e-mail tickets; its metrics row
    /// is kept without the id). Afterwards it reads as one that never existed.
    async fn erase_all(&self, meta: MetaRow, by: &str) -> EdgeResult<Response> {
        for ws in self.state.get_websockets() {
            let _ = ws.close(Some(4404), Some("conversation erased"));
        }
        let _ = self.state.storage().delete_alarm().await;
        self.state.storage().delete_all().await?;
        object::create_tables(&self.sql(), "conversation", SCHEMA, MIGRATIONS);
        let forget = InboxCall::Forget {
            conversation_id: meta.conversation_id,
            by: by.to_string(),
        };
        inbox::tell(&self.env, &meta.site, forget).await;
        Ok(Response::empty()?.with_status(204))
    }

    async fn run_deadlines(&self) -> EdgeResult<()> {
        let now = now_ms();
        #[derive(Deserialize)]
        struct Due {
            kind: String,
        }
        let due: Vec<Due> = self
            .sql()
            .exec(
                "SELECT kind FROM deadlines WHERE at_ms <= ?",
                vec![now.into()],
            )?
            .to_array()?;
        for d in due {
            self.sql().exec(
                "DELETE FROM deadlines WHERE kind = ?",
                vec![d.kind.clone().into()],
            )?;
            match d.kind.as_str() {
                CLAIM => {
                    let offered = self.handoff()?.is_some_and(|h| h.contact_offered != 0);
                    if let Some(reason) = lifecycle::claim_timed_out(self.state()?, offered) {
                        self.sql()
                            .exec("UPDATE handoff SET contact_offered = 1", None)?;
                        self.append_and_broadcast(None, EventBody::ContactOffer { reason })?;
                    }
                }
                RETENTION => {
                    let Some(meta) = self.meta()? else { continue };
                    let Some(keep_ms) = self.site_config(&meta)?.retention_ms() else {
                        continue;
                    };
                    let last = self
                        .events_after(self.last_seq()?.saturating_sub(1), 1)?
                        .first()
                        .map_or(meta.created_ms, |e| e.at_ms);
                    if last + keep_ms > now {
                        self.sql().exec(
                            "INSERT OR REPLACE INTO deadlines (kind, at_ms) VALUES (?, ?)",
                            vec![RETENTION.into(), (last + keep_ms).into()],
                        )?;
                    } else {
                        self.erase_all(meta, "retention period").await?;
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        self.arm().await
    }

    /// Sets (or moves) one deadline and the alarm.
    async fn set_deadline(&self, kind: &str, at_ms: i64) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT OR REPLACE INTO deadlines (kind, at_ms) VALUES (?, ?)",
            vec![kind.into(), at_ms.into()],
        )?;
        self.arm().await
    }

    async fn clear_deadline(&self, kind: &str) -> EdgeResult<()> {
        self.sql()
            .exec("DELETE FROM deadlines WHERE kind = ?", vec![kind.into()])?;
        self.arm().await
    }

    /// The alarm at the earliest deadline, or none.
    async fn arm(&self) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct Next {
            at_ms: Option<i64>,
        }
        let next: Vec<Next> = self
            .sql()
            .exec("SELECT MIN(at_ms) AS at_ms FROM deadlines", None)?
            .to_array()?;
        match next.first().and_then(|n| n.at_ms) {
            Some(at) => {
                self.state
                    .storage()
                    .set_alarm((at - now_ms()).max(1))
                    .await?
            }
            None => self.state.storage().delete_alarm().await?,
        }
        Ok(())
    }

    /// An agent erases the conversation (a visitor's erasure request).
    async fn erase_by_agent(&self, agent: &AgentProfile) -> EdgeResult<Response> {
        let meta = self.existing()?;
        self.erase_all(meta, &format!("agent {} ({})", agent.name, agent.id))
            .await
    }

    /// Everything stored about the conversation, for a visitor's access
    /// request (GDPR Art. 15): its record, transcript, notes and packet.
    fn export(&self) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let packet: Option<HandoffPacket> = self
            .handoff()?
            .and_then(|h| serde_json::from_str(&h.packet).ok());
        let export = serde_json::json!({
            "conversation_id": meta.conversation_id,
            "site": meta.site,
            "locale": meta.locale,
            "page_url": meta.page_url,
            "created_ms": meta.created_ms,
            "disclosure_version": meta.disclosure_version,
            "follows": meta.follows,
            "visitor_name": meta.visitor_name,
            "transcript": self.events_after(0, usize::MAX >> 1)?,
            "notes": self.notes()?,
            "handoff": packet,
        });
        http::json_response(&export, 200)
    }

    /// Exchanges the visitor's secret for a single-use WebSocket ticket.
    fn issue_ticket(&self, req: &Request) -> EdgeResult<Response> {
        self.authorised(req)?;
        let now = now_ms();
        let ticket = credentials::new_secret();
        let sql = self.sql();
        sql.exec(
            "DELETE FROM tickets WHERE expires_ms <= ?",
            vec![now.into()],
        )?;
        sql.exec(
            "INSERT INTO tickets (ticket_hash, expires_ms) VALUES (?, ?)",
            vec![
                credentials::hash(&ticket).into(),
                (now + TICKET_TTL_MS).into(),
            ],
        )?;
        http::json_response(
            &TicketIssued {
                ticket,
                expires_in_ms: TICKET_TTL_MS,
            },
            200,
        )
    }

    /// Opens a visitor socket if the request carries a valid, unused ticket.
    fn accept_socket(&self, req: &Request) -> EdgeResult<Response> {
        let url = req.url()?;
        let ticket = url
            .query_pairs()
            .find(|(k, _)| k == "ticket")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| {
                EdgeError::new(ErrorCode::Unauthorized, "A ticket is needed to connect.")
            })?;
        self.existing()?;
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
        self.accept(Role::Visitor, "visitor")
    }

    fn accept_agent_socket(&self, agent: AgentProfile) -> EdgeResult<Response> {
        self.existing()?;
        self.accept(
            Role::Agent {
                id: agent.id,
                name: agent.name,
            },
            "agent",
        )
    }

    fn accept(&self, role: Role, tag: &str) -> EdgeResult<Response> {
        let pair = WebSocketPair::new()?;
        self.state.accept_websocket_with_tags(&pair.server, &[tag]);
        pair.server.serialize_attachment(&role)?;
        Ok(Response::from_websocket(pair.client)?)
    }

    async fn handle(&self, ws: &WebSocket, frame: ClientFrame) -> EdgeResult<()> {
        let role: Role = ws
            .deserialize_attachment()?
            .ok_or_else(|| EdgeError::new(ErrorCode::Unauthorized, "Unbound socket."))?;
        let visitor_only =
            || EdgeError::new(ErrorCode::WrongState, "Only the visitor can do that.");
        match (frame, role) {
            (ClientFrame::Resume { last_seq }, role) => {
                self.replay(ws, last_seq)?;
                if matches!(role, Role::Agent { .. }) {
                    for note in self.notes()? {
                        send(ws, &ServerFrame::Note(note));
                    }
                }
                Ok(())
            }
            (ClientFrame::Typing {}, role) => {
                let (author, to) = match role {
                    Role::Visitor => (Author::Visitor, "agent"),
                    Role::Agent { name, .. } => (Author::Agent { name }, "visitor"),
                };
                let json = serde_json::to_string(&ServerFrame::Typing { author })?;
                for other in self.state.get_websockets_with_tag(to) {
                    let _ = other.send_with_str(&json);
                }
                Ok(())
            }
            (ClientFrame::Send { client_id, text }, Role::Visitor) => {
                self.visitor_message(ws, client_id, &text).await
            }
            (ClientFrame::Send { client_id, text }, Role::Agent { id, name }) => {
                self.agent_message(ws, &id, &name, client_id, &text).await
            }
            (ClientFrame::RequestPerson {}, Role::Visitor) => {
                self.hand_off(Decision::button(), RouteHints::default())
                    .await
            }
            (ClientFrame::LeaveContact { email, question }, Role::Visitor) => {
                self.leave_contact(&email, &question).await
            }
            (ClientFrame::Rate { score, comment }, Role::Visitor) => {
                self.rate(score, &comment).await
            }
            (ClientFrame::Note { client_id, text }, Role::Agent { name, .. }) => {
                self.note(&name, client_id, &text)
            }
            (ClientFrame::Note { .. }, Role::Visitor) => Err(EdgeError::new(
                ErrorCode::WrongState,
                "Only agents can add notes.",
            )),
            (_, Role::Agent { .. }) => Err(visitor_only()),
        }
    }

    fn replay(&self, ws: &WebSocket, after: Seq) -> EdgeResult<()> {
        let meta = self.existing()?;
        let events = self.events_after(after, MAX_REPLAY_EVENTS)?;
        let replay_until = events.last().map_or(after, |e| e.seq);
        let last_seq = self.last_seq()?;
        let disclosure = meta.disclosure_version.map(|version| DisclosureRecord {
            version: version as u32,
            shown_at_ms: meta.created_ms,
        });
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
        if self.state()? == ConversationState::WaitingForPerson {
            if let Some(status) = self.stored_queue_status()? {
                send(ws, &ServerFrame::Queue(status));
            }
        }
        Ok(())
    }

    async fn visitor_message(&self, ws: &WebSocket, client_id: Uuid, raw: &str) -> EdgeResult<()> {
        let refuse = |code: ErrorCode, message: String| {
            // Refused with the message's client id, so the widget marks it failed.
            send(
                ws,
                &ServerFrame::Error {
                    code,
                    message,
                    client_id: Some(client_id),
                },
            );
            Ok(())
        };
        let text = match sanitize_message(raw) {
            Ok(text) => text,
            Err(e) => return refuse(e.code(), e.to_string()),
        };
        if let Some(seq) = self.seq_of(client_id)? {
            // A resend after a lost ack: same answer, nothing stored again.
            send(ws, &ServerFrame::Ack { client_id, seq });
            return Ok(());
        }
        // The index may have to be fetched (first message in this isolate):
        // done before anything is stored, so the visitor's message and the
        // AI's answer are stored in one turn and a crash cannot split them.
        let meta = self.existing()?;
        let index = knowledge::index(&self.env, &meta.site, meta.kb_version).await;
        if let Some(seq) = self.seq_of(client_id)? {
            // Stored by a resend while the index loaded.
            send(ws, &ServerFrame::Ack { client_id, seq });
            return Ok(());
        }
        let state = self.state()?;
        if let Err(refusal) = lifecycle::accept_visitor_message(state) {
            return refuse(refusal.code(), refusal.to_string());
        }
        if !self.message_rate.borrow_mut().take(now_ms()) {
            return refuse(
                ErrorCode::RateLimited,
                "Too many messages at once. Please wait a moment and send it again.".into(),
            );
        }
        let history = self.past_turns()?;
        let visitor = Message::plain(Author::Visitor, text.clone(), Some(client_id));
        let event = self.append(Some(client_id), EventBody::Message(visitor))?;
        send(
            ws,
            &ServerFrame::Ack {
                client_id,
                seq: event.seq,
            },
        );
        self.broadcast(&ServerFrame::Event(event));
        if !lifecycle::ai_may_answer(state) {
            return Ok(()); // a person is there: the AI stays silent
        }

        let reply = assistant::reply(&index, &text);
        let entry = reply
            .message
            .source
            .as_ref()
            .and_then(|s| index.entries().iter().find(|e| e.id == s.entry_id));
        let decision = (state == ConversationState::Bot).then(|| {
            let policy = self
                .site_config(&meta)
                .map(|c| c.handoff.policy)
                .unwrap_or_default();
            let turn = Turn {
                text: &text,
                answered: reply.message.source.is_some(),
                handoff_entry: entry.filter(|e| e.handoff).map(|e| e.id.as_str()),
            };
            escalation::decide(&policy, &history, &turn)
        });
        // Asked for a person in words, or not sure and handing over anyway:
        // the hand-off notice speaks, not a "did you mean".
        let handing_off = decision.as_ref().is_some_and(Decision::hand_off);
        let silent = handing_off
            && (decision.as_ref().and_then(|d| d.trigger) == Some(Trigger::AskedInWords)
                || reply.message.text == NOT_SURE);
        // Checked again right before storing: a person may have joined.
        if !silent && lifecycle::ai_may_answer(self.state()?) {
            self.append_and_broadcast(None, EventBody::Message(reply.message.clone()))?;
        }
        if let Some(decision) = decision.filter(Decision::hand_off) {
            let topic = decision.topic.clone();
            let hints = RouteHints {
                entry_id: entry.map(|e| e.id.as_str()),
                entry_tags: entry.map_or(&[], |e| e.tags.as_slice()),
                entry_team: entry.and_then(|e| e.team.as_deref()),
                topic: topic.as_deref(),
            };
            self.hand_off(decision, hints).await?;
        }
        Ok(())
    }

    /// The visitor's earlier questions and whether the AI answered them.
    fn past_turns(&self) -> EdgeResult<Vec<PastTurn>> {
        let events = self.events_after(0, VIEW_EVENTS)?;
        let mut turns: Vec<PastTurn> = Vec::new();
        for event in events {
            if let EventBody::Message(m) = event.body {
                match m.author {
                    Author::Visitor => turns.push(PastTurn {
                        text: m.text,
                        answered: false,
                    }),
                    Author::Ai => {
                        if let Some(last) = turns.last_mut() {
                            last.answered = m.source.is_some();
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(turns)
    }

    /// Hands the conversation to a person, if the lifecycle allows: routed
    /// to a team, queued in the site's inbox with its packet, or, outside
    /// the team's hours, the e-mail path offered instead.
    async fn hand_off(&self, decision: Decision, hints: RouteHints<'_>) -> EdgeResult<()> {
        let meta = self.existing()?;
        let config = self.site_config(&meta)?.handoff;
        let team = team::route(
            &config.teams,
            config.default_team.as_deref(),
            &config.routes,
            &hints,
        )
        .cloned()
        .ok_or_else(|| EdgeError::new(ErrorCode::Internal, "site has no team"))?;
        let now = now_ms();
        let open = match clock::local_time(&team.time_zone, now) {
            Some(local) => team.is_open(local),
            None => {
                worker::console_error!("team {}: unknown time zone {}", team.id, team.time_zone);
                true
            }
        };
        let availability = if open {
            let online: serde_json::Value = inbox::call(
                &self.env,
                &meta.site,
                &InboxCall::Online {
                    team: team.id.clone(),
                },
            )
            .await
            .unwrap_or_default();
            Availability::Open {
                agents_online: online["agents_online"].as_u64().unwrap_or(0) as u32,
            }
        } else {
            Availability::Closed
        };
        // Decided on the state as stored now, after the await.
        let outcome = lifecycle::request_person(self.state()?, availability)
            .map_err(|r| EdgeError::new(r.code(), r.to_string()))?;
        let nobody_online = match outcome {
            PersonRequest::Unchanged => return Ok(()),
            PersonRequest::OfferContact(reason) => {
                self.append_and_broadcast(None, EventBody::ContactOffer { reason })?;
                return Ok(());
            }
            PersonRequest::Enqueue { nobody_online } => nobody_online,
        };
        let waiting = EventBody::State {
            state: ConversationState::WaitingForPerson,
            agent: None,
            team: Some(team.name.clone()),
        };
        self.append_and_broadcast(None, waiting)?;
        let trigger = decision.trigger.unwrap_or(Trigger::PersonButton);
        let packet = HandoffPacket {
            conversation_id: meta.conversation_id.clone(),
            site: meta.site.clone(),
            team: team.id.clone(),
            team_name: team.name.clone(),
            trigger,
            reasons: decision.reasons.iter().map(|r| r.detail.clone()).collect(),
            sentiment: decision.sentiment,
            summary: handoff::summarize(&self.events_after(0, VIEW_EVENTS)?),
            page_url: meta.page_url.clone(),
            locale: meta.locale.clone(),
            requested_at_ms: now,
            follows: meta.follows.clone(),
            visitor_name: meta.visitor_name.clone(),
        };
        self.sql().exec(
            "INSERT OR REPLACE INTO handoff (id, packet, requested_ms, team, contact_offered) VALUES (1, ?, ?, ?, ?)",
            vec![serde_json::to_string(&packet)?.into(), now.into(), team.id.clone().into(), i64::from(nobody_online).into()],
        )?;
        if nobody_online {
            self.append_and_broadcast(
                None,
                EventBody::ContactOffer {
                    reason: ContactReason::NobodyOnline,
                },
            )?;
        }
        self.set_deadline(CLAIM, now_ms() + i64::from(config.claim_timeout_s) * 1000)
            .await?;
        let entry = QueueEntry {
            conversation_id: meta.conversation_id.clone(),
            team: team.id.clone(),
            trigger,
            frustration: decision.sentiment.frustration,
            requested_at_ms: now,
            base_priority: handoff::priority(trigger, &decision.sentiment, 0),
        };
        let fact = FactUpdate {
            conversation_id: meta.conversation_id,
            team: Some(team.id),
            trigger: Some(trigger),
            handoff_ms: Some(now),
            ..Default::default()
        };
        inbox::tell(&self.env, &meta.site, InboxCall::Fact(fact)).await;
        inbox::tell(
            &self.env,
            &meta.site,
            InboxCall::Enqueue {
                entry,
                packet: Box::new(packet),
            },
        )
        .await;
        Ok(())
    }

    /// The visitor leaves an e-mail address and a question for the team,
    /// once it has been offered.
    async fn leave_contact(&self, email: &str, question: &str) -> EdgeResult<()> {
        let state = self.state()?;
        lifecycle::accept_visitor_message(state)
            .map_err(|r| EdgeError::new(r.code(), r.to_string()))?;
        if !self.offered_contact()? {
            return Err(EdgeError::new(
                ErrorCode::WrongState,
                "Leaving an e-mail address is offered when nobody can answer now.",
            ));
        }
        let email = valid_email(email)
            .map_err(|e| EdgeError::new(ErrorCode::InvalidEmail, e.to_string()))?;
        let question = match sanitize_message(question) {
            Ok(q) => q,
            Err(e) if e.code() == ErrorCode::EmptyMessage => self.summary_wants()?,
            Err(e) => return Err(EdgeError::new(e.code(), e.to_string())),
        };
        let meta = self.existing()?;
        let team = match self.handoff()? {
            Some(h) => h.team,
            None => self
                .site_config(&meta)?
                .handoff
                .teams
                .first()
                .map(|t| t.id.clone())
                .unwrap_or_default(),
        };
        self.append_and_broadcast(
            None,
            EventBody::Contact {
                email: email.clone(),
                question: question.clone(),
            },
        )?;
        let ticket = InboxCall::Ticket {
            conversation_id: meta.conversation_id,
            team,
            email,
            question,
        };
        inbox::tell(&self.env, &meta.site, ticket).await;
        Ok(())
    }

    /// Was the e-mail path offered, and not taken since?
    fn offered_contact(&self) -> EdgeResult<bool> {
        let rows: Vec<EventRow> = self
            .sql()
            .exec(
                "SELECT seq, at_ms, body FROM events WHERE kind IN ('contact_offer', 'contact') ORDER BY seq DESC LIMIT 1",
                None,
            )?
            .to_array()?;
        Ok(rows
            .first()
            .is_some_and(|r| r.body.starts_with("{\"contact_offer\"")))
    }

    fn summary_wants(&self) -> EdgeResult<String> {
        Ok(handoff::summarize(&self.events_after(0, VIEW_EVENTS)?).wants)
    }

    async fn rate(&self, score: u8, comment: &str) -> EdgeResult<()> {
        let rated: Vec<SeqRow> = self
            .sql()
            .exec("SELECT seq FROM events WHERE kind = 'rating' LIMIT 1", None)?
            .to_array()?;
        lifecycle::rate(self.state()?, !rated.is_empty(), score)
            .map_err(|r| EdgeError::new(r.code(), r.to_string()))?;
        let mut comment = clean_message(comment);
        while comment.len() > MAX_COMMENT_BYTES {
            comment.pop();
        }
        self.append_and_broadcast(None, EventBody::Rating { score, comment })?;
        let meta = self.existing()?;
        let fact = FactUpdate {
            conversation_id: meta.conversation_id,
            rating: Some(score),
            ..Default::default()
        };
        inbox::tell(&self.env, &meta.site, InboxCall::Fact(fact)).await;
        Ok(())
    }

    /// A message from the agent who claimed the conversation.
    async fn agent_message(
        &self,
        ws: &WebSocket,
        agent_id: &str,
        name: &str,
        client_id: Uuid,
        raw: &str,
    ) -> EdgeResult<()> {
        let text = match sanitize_message(raw) {
            Ok(text) => text,
            Err(e) => {
                send(
                    ws,
                    &ServerFrame::Error {
                        code: e.code(),
                        message: e.to_string(),
                        client_id: Some(client_id),
                    },
                );
                return Ok(());
            }
        };
        if let Some(seq) = self.seq_of(client_id)? {
            send(ws, &ServerFrame::Ack { client_id, seq });
            return Ok(());
        }
        let handoff = self.handoff()?;
        let assigned = handoff.as_ref().and_then(|h| h.assignee_id.as_deref()) == Some(agent_id);
        if self.state()? != ConversationState::WithPerson || !assigned {
            let message = "Claim the conversation before replying.".to_string();
            send(
                ws,
                &ServerFrame::Error {
                    code: ErrorCode::WrongState,
                    message,
                    client_id: Some(client_id),
                },
            );
            return Ok(());
        }
        let message = Message::plain(
            Author::Agent {
                name: name.to_string(),
            },
            text,
            Some(client_id),
        );
        let event = self.append(Some(client_id), EventBody::Message(message))?;
        send(
            ws,
            &ServerFrame::Ack {
                client_id,
                seq: event.seq,
            },
        );
        let at = event.at_ms;
        self.broadcast(&ServerFrame::Event(event));
        if handoff.is_some_and(|h| h.first_reply_ms.is_none()) {
            self.sql()
                .exec("UPDATE handoff SET first_reply_ms = ?", vec![at.into()])?;
            let meta = self.existing()?;
            let fact = FactUpdate {
                conversation_id: meta.conversation_id,
                first_reply_ms: Some(at),
                ..Default::default()
            };
            inbox::tell(&self.env, &meta.site, InboxCall::Fact(fact)).await;
        }
        Ok(())
    }

    /// An agent takes the conversation. The check and the state event are
    /// one synchronous step, so of two agents claiming at once exactly one
    /// wins; the other gets `already_claimed`.
    async fn claim(&self, agent: &AgentProfile) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let next =
            lifecycle::claim(self.state()?).map_err(|r| EdgeError::new(r.code(), r.to_string()))?;
        self.join(meta, agent, next, true).await?;
        Ok(Response::empty()?.with_status(204))
    }

    /// `person` is in the conversation now (a claim, or a transfer to
    /// them): the visitor is told, the hand-off is theirs (first claim time
    /// kept), the claim time-out ends, and the inbox learns it (and takes
    /// it off the queue if it was waiting there).
    async fn join(
        &self,
        meta: MetaRow,
        person: &AgentProfile,
        next: ConversationState,
        from_queue: bool,
    ) -> EdgeResult<()> {
        let joined = EventBody::State {
            state: next,
            agent: Some(person.name.clone()),
            team: None,
        };
        self.append_and_broadcast(None, joined)?;
        self.sql().exec(
            "UPDATE handoff SET assignee_id = ?, claimed_ms = COALESCE(claimed_ms, ?)",
            vec![person.id.clone().into(), now_ms().into()],
        )?;
        self.sql().exec("DELETE FROM queue_status", None)?;
        self.clear_deadline(CLAIM).await?;
        let fact = FactUpdate {
            conversation_id: meta.conversation_id.clone(),
            agent: Some(person.id.clone()),
            ..Default::default()
        };
        inbox::tell(&self.env, &meta.site, InboxCall::Fact(fact)).await;
        if from_queue {
            let dequeue = InboxCall::Dequeue {
                conversation_id: meta.conversation_id,
                claimed: true,
            };
            inbox::tell(&self.env, &meta.site, dequeue).await;
        }
        Ok(())
    }

    /// The agent hands the conversation back to the AI; the visitor is told.
    async fn hand_back(&self, agent: &AgentProfile) -> EdgeResult<Response> {
        let next = lifecycle::hand_back(self.state()?)
            .map_err(|r| EdgeError::new(r.code(), r.to_string()))?;
        self.require_assignee(agent)?;
        self.append_and_broadcast(
            None,
            EventBody::State {
                state: next,
                agent: Some(agent.name.clone()),
                team: None,
            },
        )?;
        self.sql()
            .exec("UPDATE handoff SET assignee_id = NULL", None)?;
        Ok(Response::empty()?.with_status(204))
    }

    /// An agent resolves: the visitor is asked for a rating, and the next
    /// message starts a new conversation.
    async fn resolve(&self, agent: &AgentProfile) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let state = self.state()?;
        let next =
            lifecycle::resolve(state).map_err(|r| EdgeError::new(r.code(), r.to_string()))?;
        if state == ConversationState::WithPerson {
            self.require_assignee(agent)?;
        }
        let now = now_ms();
        self.append_and_broadcast(
            None,
            EventBody::State {
                state: next,
                agent: Some(agent.name.clone()),
                team: None,
            },
        )?;
        self.clear_deadline(CLAIM).await?;
        if state == ConversationState::WaitingForPerson {
            let dequeue = InboxCall::Dequeue {
                conversation_id: meta.conversation_id.clone(),
                claimed: false,
            };
            inbox::tell(&self.env, &meta.site, dequeue).await;
        }
        let fact = FactUpdate {
            conversation_id: meta.conversation_id,
            resolved_ms: Some(now),
            ..Default::default()
        };
        inbox::tell(&self.env, &meta.site, InboxCall::Fact(fact)).await;
        Ok(Response::empty()?.with_status(204))
    }

    fn require_assignee(&self, agent: &AgentProfile) -> EdgeResult<()> {
        let assignee = self.handoff()?.and_then(|h| h.assignee_id);
        if assignee.as_deref() == Some(agent.id.as_str()) || agent.admin {
            Ok(())
        } else {
            Err(EdgeError::new(
                ErrorCode::AlreadyClaimed,
                "Another person has this conversation.",
            ))
        }
    }

    /// The hand-off packet with the full transcript, for an agent.
    fn view(&self) -> EdgeResult<Response> {
        self.existing()?;
        let handoff = self.handoff()?.ok_or_else(|| {
            EdgeError::new(
                ErrorCode::NotFound,
                "This conversation has not been handed to a person.",
            )
        })?;
        let packet: HandoffPacket = serde_json::from_str(&handoff.packet)?;
        let until = handoff.claimed_ms.unwrap_or_else(now_ms);
        let view = HandoffView {
            packet,
            waited_ms: (until - handoff.requested_ms).max(0) as u64,
            transcript: self.events_after(0, VIEW_EVENTS)?,
        };
        http::json_response(&view, 200)
    }

    /// An internal note: kept in its own table (never in the visitor's
    /// event sequence) and sent to agent sockets only.
    fn note(&self, author: &str, client_id: Uuid, raw: &str) -> EdgeResult<()> {
        let text = sanitize_message(raw).map_err(|e| EdgeError::new(e.code(), e.to_string()))?;
        self.sql().exec(
            "INSERT OR IGNORE INTO notes (client_id, author, text, at_ms) VALUES (?, ?, ?, ?)",
            vec![
                client_id.to_string().into(),
                author.into(),
                text.into(),
                now_ms().into(),
            ],
        )?;
        let note = self
            .notes()?
            .into_iter()
            .find(|n| n.client_id == client_id)
            .ok_or_else(|| EdgeError::new(ErrorCode::Internal, "note not stored"))?;
        let json = serde_json::to_string(&ServerFrame::Note(note))?;
        for agent in self.state.get_websockets_with_tag("agent") {
            let _ = agent.send_with_str(&json);
        }
        Ok(())
    }

    fn notes(&self) -> EdgeResult<Vec<Note>> {
        #[derive(Deserialize)]
        struct NoteRow {
            id: i64,
            client_id: String,
            author: String,
            text: String,
            at_ms: i64,
        }
        let rows: Vec<NoteRow> = self
            .sql()
            .exec(
                "SELECT id, client_id, author, text, at_ms FROM notes ORDER BY id LIMIT 500",
                None,
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(Note {
                    id: r.id as u64,
                    client_id: Uuid::parse_str(&r.client_id).ok()?,
                    author: r.author,
                    text: r.text,
                    at_ms: r.at_ms,
                })
            })
            .collect())
    }

    /// Hands the conversation to a colleague (the worker looked them up) or
    /// to another team of the site.
    async fn transfer(&self, agent: &AgentProfile, mut req: Request) -> EdgeResult<Response> {
        let body: TransferCall = serde_json::from_str(&req.text().await?)?;
        match body {
            TransferCall::Agent(colleague) => self.transfer_to_person(agent, &colleague).await,
            TransferCall::Team(team) => self.transfer_to_team(agent, &team).await,
        }
    }

    /// The colleague takes the conversation over at once: the visitor is
    /// told who joined; the packet says who passed it on.
    async fn transfer_to_person(
        &self,
        agent: &AgentProfile,
        colleague: &AgentProfile,
    ) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let state = self.state()?;
        let next = lifecycle::transfer_to_person(state)
            .map_err(|r| EdgeError::new(r.code(), r.to_string()))?;
        let handoff = self
            .handoff()?
            .ok_or_else(|| EdgeError::new(ErrorCode::WrongState, "Not handed over."))?;
        if state == ConversationState::WithPerson {
            self.require_assignee(agent)?;
            if handoff.assignee_id.as_deref() == Some(colleague.id.as_str()) {
                return Err(EdgeError::new(
                    ErrorCode::WrongState,
                    format!("{} has this conversation already.", colleague.name),
                ));
            }
        }
        let mut packet: HandoffPacket = serde_json::from_str(&handoff.packet)?;
        packet.reasons.push(format!(
            "transferred by {} to {}",
            agent.name, colleague.name
        ));
        self.sql().exec(
            "UPDATE handoff SET packet = ?",
            vec![serde_json::to_string(&packet)?.into()],
        )?;
        let from_queue = state == ConversationState::WaitingForPerson;
        self.join(meta, colleague, next, from_queue).await?;
        Ok(Response::empty()?.with_status(204))
    }

    /// Hands the conversation to another team of the site: it waits again,
    /// for that team, with its original request time (its place is fair).
    async fn transfer_to_team(&self, agent: &AgentProfile, team_id: &str) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let config = self.site_config(&meta)?.handoff;
        let team = config
            .teams
            .iter()
            .find(|t| t.id == team_id)
            .cloned()
            .ok_or_else(|| {
                EdgeError::new(
                    ErrorCode::NotFound,
                    format!("This site has no team `{team_id}`."),
                )
            })?;
        let state = self.state()?;
        let next =
            lifecycle::transfer(state).map_err(|r| EdgeError::new(r.code(), r.to_string()))?;
        if state == ConversationState::WithPerson {
            self.require_assignee(agent)?;
        }
        let handoff = self
            .handoff()?
            .ok_or_else(|| EdgeError::new(ErrorCode::WrongState, "Not handed over."))?;
        let mut packet: HandoffPacket = serde_json::from_str(&handoff.packet)?;
        packet.team = team.id.clone();
        packet.team_name = team.name.clone();
        packet
            .reasons
            .push(format!("transferred by {} to {}", agent.name, team.name));
        let waiting = EventBody::State {
            state: next,
            agent: None,
            team: Some(team.name.clone()),
        };
        self.append_and_broadcast(None, waiting)?;
        self.sql().exec(
            "UPDATE handoff SET packet = ?, team = ?, assignee_id = NULL, claimed_ms = NULL, contact_offered = 0",
            vec![serde_json::to_string(&packet)?.into(), team.id.clone().into()],
        )?;
        self.set_deadline(CLAIM, now_ms() + i64::from(config.claim_timeout_s) * 1000)
            .await?;
        let entry = QueueEntry {
            conversation_id: meta.conversation_id.clone(),
            team: team.id.clone(),
            trigger: packet.trigger,
            frustration: packet.sentiment.frustration,
            requested_at_ms: handoff.requested_ms,
            base_priority: handoff::priority(packet.trigger, &packet.sentiment, 0),
        };
        let id = meta.conversation_id.clone();
        inbox::tell(
            &self.env,
            &meta.site,
            InboxCall::Dequeue {
                conversation_id: id,
                claimed: false,
            },
        )
        .await;
        let fact = FactUpdate {
            conversation_id: meta.conversation_id,
            team: Some(team.id),
            ..Default::default()
        };
        inbox::tell(&self.env, &meta.site, InboxCall::Fact(fact)).await;
        inbox::tell(
            &self.env,
            &meta.site,
            InboxCall::Enqueue {
                entry,
                packet: Box::new(packet),
            },
        )
        .await;
        Ok(Response::empty()?.with_status(204))
    }

    /// FAQ entries matching the visitor's last message, as replies an agent
    /// can insert, edit and send.
    async fn suggestions(&self) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let last = self.past_turns()?.pop().map(|t| t.text).unwrap_or_default();
        let index = knowledge::index(&self.env, &meta.site, meta.kb_version).await;
        let search = index.search(&last);
        let replies: Vec<SuggestedReply> = search
            .candidates
            .iter()
            .take(3)
            .map(|c| {
                let e = &index.entries()[c.entry];
                SuggestedReply {
                    entry_id: e.id.clone(),
                    question: e.question.clone(),
                    answer: e.answer.clone(),
                    score: (c.score * 100.0).round() / 100.0,
                }
            })
            .collect();
        http::json_response(&replies, 200)
    }

    /// The inbox's word on where the visitor stands; kept for resumes.
    async fn queue_status(&self, mut req: Request) -> EdgeResult<Response> {
        let body = req.text().await?;
        let status: QueueStatus = serde_json::from_str(&body)?;
        if self.state()? == ConversationState::WaitingForPerson {
            self.sql().exec(
                "INSERT OR REPLACE INTO queue_status (id, body) VALUES (1, ?)",
                vec![body.into()],
            )?;
            let json = serde_json::to_string(&ServerFrame::Queue(status))?;
            for ws in self.state.get_websockets_with_tag("visitor") {
                let _ = ws.send_with_str(&json);
            }
        }
        Ok(Response::empty()?.with_status(204))
    }

    fn stored_queue_status(&self) -> EdgeResult<Option<QueueStatus>> {
        let rows: Vec<JsonRow> = self
            .sql()
            .exec("SELECT body FROM queue_status WHERE id = 1", None)?
            .to_array()?;
        Ok(rows
            .first()
            .and_then(|r| serde_json::from_str(&r.body).ok()))
    }

    /// The latest state event, `Bot` when there is none.
    fn state(&self) -> EdgeResult<ConversationState> {
        let rows: Vec<EventRow> = self
            .sql()
            .exec("SELECT seq, at_ms, body FROM events WHERE kind = 'state' ORDER BY seq DESC LIMIT 1", None)?
            .to_array()?;
        Ok(rows
            .first()
            .and_then(|r| serde_json::from_str::<EventBody>(&r.body).ok())
            .and_then(|b| match b {
                EventBody::State { state, .. } => Some(state),
                _ => None,
            })
            .unwrap_or(ConversationState::Bot))
    }

    fn seq_of(&self, client_id: Uuid) -> EdgeResult<Option<Seq>> {
        let rows: Vec<SeqRow> = self
            .sql()
            .exec(
                "SELECT seq FROM events WHERE client_id = ?",
                vec![client_id.to_string().into()],
            )?
            .to_array()?;
        Ok(rows.first().map(|r| r.seq as Seq))
    }

    fn last_seq(&self) -> EdgeResult<Seq> {
        let rows: Vec<SeqRow> = self
            .sql()
            .exec("SELECT COALESCE(MAX(seq), 0) AS seq FROM events", None)?
            .to_array()?;
        Ok(rows.first().map_or(0, |r| r.seq as Seq))
    }

    /// Stores an event with the next sequence number, in one statement.
    fn append(&self, client_id: Option<Uuid>, body: EventBody) -> EdgeResult<Event> {
        let at_ms = now_ms();
        let json = serde_json::to_string(&body)?;
        let client_id: SqlStorageValue = client_id.map(|c| c.to_string()).into();
        let rows: Vec<SeqRow> = self
            .sql()
            .exec(
                "INSERT INTO events (seq, client_id, kind, at_ms, body)
                 VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM events), ?, ?, ?, ?) RETURNING seq",
                vec![client_id, body.kind().into(), at_ms.into(), json.into()],
            )?
            .to_array()?;
        let seq = rows
            .first()
            .map(|r| r.seq as Seq)
            .ok_or_else(|| EdgeError::new(ErrorCode::Internal, "insert returned no row"))?;
        Ok(Event { seq, at_ms, body })
    }

    fn append_and_broadcast(&self, client_id: Option<Uuid>, body: EventBody) -> EdgeResult<Event> {
        let event = self.append(client_id, body)?;
        self.broadcast(&ServerFrame::Event(event.clone()));
        Ok(event)
    }

    fn events_after(&self, after: Seq, limit: usize) -> EdgeResult<Vec<Event>> {
        let rows: Vec<EventRow> = self
            .sql()
            .exec(
                "SELECT seq, at_ms, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                vec![
                    (after.min(i64::MAX as u64) as i64).into(),
                    (limit as i64).into(),
                ],
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .filter_map(|r| match serde_json::from_str(&r.body) {
                Ok(body) => Some(Event {
                    seq: r.seq as Seq,
                    at_ms: r.at_ms,
                    body,
                }),
                Err(e) => {
                    worker::console_error!("event {} unreadable: {e}", r.seq);
                    None
                }
            })
            .collect())
    }

    fn broadcast(&self, frame: &ServerFrame) {
        let Ok(json) = serde_json::to_string(frame) else {
            return;
        };
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
