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
//!
//! The parts: `client` (how the worker and the inbox call it), `store`
//! (schema, rows, storage), `visitor` (the visitor's frames and
//! credentials), `handoff` (to a person, claims and transfers), `agent`
//! (what agents do), `deadlines` (its one alarm), `privacy` (erasure and
//! export).

mod agent;
mod client;
mod deadlines;
mod handoff;
mod mail;
mod photos;
mod privacy;
mod search;
mod store;
mod visitor;

pub use client::*;
pub(crate) use deadlines::seconds_var;

use crate::directory;
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::inbox::TicketStep;
use crate::knowledge;
use crate::object::{self, answer, AgentContext};
use serde::{Deserialize, Serialize};
use shared::access;
use shared::analysis::Language;
use shared::escalation::Decision;
use shared::faq::Faq;
use shared::limits::{self, TokenBucket};
use shared::protocol::{
    AgentProfile, ClientFrame, ConversationState, ErrorCode, FrameError, ServerFrame,
};
use shared::site::SiteConfig;
use shared::team::RouteHints;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use store::send;
use store::MetaRow;
use worker::{
    durable_object, DurableObject, Env, Method, Request, Response, State, WebSocket,
    WebSocketIncomingMessage,
};

/// Most events an agent's view (and a hand-off's summary) carries.
const VIEW_EVENTS: usize = 2_000;

/// Who is on the other end of a socket; kept in the socket's attachment so
/// it survives hibernation. An agent's socket carries the session it was
/// opened in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Role {
    Visitor,
    Agent {
        id: String,
        name: String,
        session: String,
    },
}

#[durable_object]
pub struct Conversation {
    state: State,
    env: Env,
    /// New visitor messages per second. In memory on purpose: losing it to
    /// hibernation only ever lets more through, never loses a message.
    message_rate: RefCell<TokenBucket>,
    /// A photo upload is under way (`photos.rs`: one at a time).
    uploading: Cell<bool>,
    /// Frames waiting while an earlier one is handled: a handler may await
    /// (the FAQ index, the inbox), and frames must still take effect in the
    /// order they came ("send" before "request_person").
    waiting: RefCell<VecDeque<(WebSocket, WebSocketIncomingMessage)>>,
    busy: Cell<bool>,
    /// Its tables exist (known once per instance; see `store::opened`).
    open: Cell<bool>,
    /// Its record, and the site config it started with (parsed when first
    /// asked for), each read once per instance: written only by `init`,
    /// gone only with an erasure, and read by nearly every frame.
    record: RefCell<Option<Rc<MetaRow>>>,
    config: RefCell<Option<Rc<SiteConfig>>>,
    /// The state as the newest state event says, once read: kept up to
    /// date by `append`, the one writer of events.
    current: Cell<Option<ConversationState>>,
    /// When a visitor's typing notice was last relayed. In memory: losing
    /// it lets one more through.
    visitor_typing_ms: Cell<i64>,
    /// An event was stored since the search was last told (`search.rs`).
    changed: Cell<bool>,
    /// The search's deadline is set. In memory: losing it sets it again.
    index_due: Cell<bool>,
}

impl DurableObject for Conversation {
    fn new(state: State, env: Env) -> Self {
        // No storage is touched here: a conversation's tables are created by
        // `init`, and every other request first checks they exist.
        Self {
            state,
            env,
            message_rate: RefCell::new(TokenBucket::new(limits::MESSAGES, now_ms())),
            uploading: Cell::new(false),
            waiting: RefCell::new(VecDeque::new()),
            busy: Cell::new(false),
            open: Cell::new(false),
            record: RefCell::new(None),
            config: RefCell::new(None),
            current: Cell::new(None),
            visitor_typing_ms: Cell::new(0),
            changed: Cell::new(false),
            index_due: Cell::new(false),
        }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        let path = req.path();
        let result = if path.starts_with("/api/v1/agent/") {
            self.agent_request(req).await
        } else if path == "/call" {
            self.call(req).await
        } else {
            self.visitor_request(req).await
        };
        self.index_soon().await;
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
        self.index_soon().await;
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
        if let Err(e) = self.visitor_may_have_left(&ws).await {
            worker::console_error!("socket closed: {}", e.message);
        }
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, error: worker::Error) -> worker::Result<()> {
        worker::console_log!("socket error: {error}");
        Ok(())
    }

    /// Deadlines due (`deadlines.rs`); safe to run twice.
    async fn alarm(&self) -> worker::Result<Response> {
        if let Err(e) = self.run_deadlines().await {
            worker::console_error!("alarm: {}", e.message);
            // The deadlines not reached keep an alarm.
            if self.open.get() {
                if let Err(e) = self.arm().await {
                    worker::console_error!("alarm: {}", e.message);
                }
            }
        }
        self.index_soon().await;
        Response::empty()
    }
}

impl Conversation {
    /// The knowledge base this conversation answers from, ready for its
    /// visitor's language, and that language.
    async fn knowledge(&self, meta: &MetaRow) -> (Rc<Faq>, Language) {
        let faq = knowledge::faq(
            &self.env,
            &meta.site,
            meta.kb_version,
            meta.locale_language(),
        )
        .await;
        let language = meta.language(&faq);
        (faq, language)
    }

    /// A typed call from the worker or the site's inbox.
    async fn call(&self, mut req: Request) -> EdgeResult<Response> {
        match serde_json::from_str::<ConversationCall>(&req.text().await?)? {
            ConversationCall::Init(c) => answer::<Init>(self.init(*c).await),
            ConversationCall::Owner(c) => answer::<Owner>(self.owner(&c)),
            ConversationCall::QueuePlace(c) => answer::<QueuePlace>(self.queue_place(c)),
            ConversationCall::Revoke(c) => {
                self.revoke(&c.sessions);
                answer::<Revoke>(Ok(()))
            }
            ConversationCall::VisitorMail(c) => answer::<VisitorMail>(self.visitor_mail(c)),
            ConversationCall::AddVisitorKey(c) => {
                answer::<AddVisitorKey>(self.add_visitor_key(&c.secret_hash))
            }
        }
    }

    /// The visitor API, with the visitor's secret or a socket ticket.
    async fn visitor_request(&self, req: Request) -> EdgeResult<Response> {
        let action = last_segment(&req);
        match (req.method(), action.as_str()) {
            (Method::Post, "ticket") => self.issue_ticket(&req),
            (Method::Get, "unread") => self.unread(&req),
            (Method::Post, "photos") => self.visitor_photo(req).await,
            (_, "ws") => self.accept_socket(&req),
            (Method::Delete, _) => self.erase(&req).await,
            _ => Err(EdgeError::nothing_here()),
        }
    }

    /// The agents' API: the worker checked the session and vouches for the
    /// agent in `x-agent`. An agent outside the conversation's site or team
    /// gets what a conversation that does not exist gets.
    async fn agent_request(&self, req: Request) -> EdgeResult<Response> {
        let AgentContext { agent, session } = object::agent_of(&req)?;
        self.require_reader(&agent)?;
        let action = last_segment(&req);
        match (req.method(), action.as_str()) {
            (Method::Post, "claim") => self.claim(&agent).await,
            (Method::Post, "hand-back") => self.hand_back(&agent).await,
            (Method::Post, "resolve") => self.resolve(&agent).await,
            (Method::Post, "transfer") => self.transfer(&agent, req).await,
            (Method::Post, "reply") => self.ticket_reply(&agent, req).await,
            (Method::Post, "photos") => self.agent_photo(&agent, req).await,
            (Method::Post, "take-question") => self.ticket_step(&agent, TicketStep::Take).await,
            (Method::Post, "close-question") => self.ticket_step(&agent, TicketStep::Close).await,
            (Method::Get, "suggestions") => self.suggestions().await,
            (Method::Get, "faq-draft") => self.faq_draft(),
            (_, "ws") => self.accept_agent_socket(agent, session),
            (Method::Get, "export") => self.export(),
            (Method::Get, "visitor") => self.visitor_profile(&agent).await,
            (Method::Delete, _) => self.erase_by_agent(&agent).await,
            (Method::Get, _) => self.view(),
            _ => Err(EdgeError::nothing_here()),
        }
    }

    /// The agent may read this conversation (`shared::access`); "not
    /// found" otherwise, as for one that does not exist.
    fn require_reader(&self, agent: &AgentProfile) -> EdgeResult<()> {
        let meta = self.existing()?;
        let team = self.handoff()?.map(|h| h.team);
        if access::may_read(agent, &meta.site, team.as_deref()) {
            Ok(())
        } else {
            Err(EdgeError::not_found())
        }
    }

    /// A visitor's last socket closed while they wait: if they stay away,
    /// they leave the queue (`deadlines.rs`).
    async fn visitor_may_have_left(&self, closed: &WebSocket) -> EdgeResult<()> {
        let was_visitor = matches!(
            closed.deserialize_attachment::<Role>(),
            Ok(Some(Role::Visitor))
        );
        let others = self
            .state
            .get_websockets_with_tag("visitor")
            .into_iter()
            .any(|ws| ws != *closed);
        if was_visitor && !others {
            self.mark_seen()?;
        }
        if was_visitor
            && !others
            && self.opened()?
            && self.state()? == ConversationState::WaitingForPerson
        {
            self.set_deadline(
                deadlines::AWAY,
                now_ms() + deadlines::away_after_ms(&self.env),
            )
            .await?;
        }
        Ok(())
    }

    /// Closes the agent sockets of ended sessions.
    fn revoke(&self, sessions: &[String]) {
        for ws in self.state.get_websockets_with_tag("agent") {
            if let Ok(Some(Role::Agent { session, .. })) = ws.deserialize_attachment::<Role>() {
                if sessions.contains(&session) {
                    let _ = ws.close(Some(4401), Some("session ended"));
                }
            }
        }
    }

    /// Before an agent's frame takes effect: the session still valid, and
    /// the agent (as their account is now) still allowed here. Otherwise
    /// the socket is closed and nothing happens.
    async fn require_live_agent(&self, ws: &WebSocket, session: &str) -> EdgeResult<AgentProfile> {
        let alive = directory::call(
            &self.env,
            directory::Alive {
                session: session.to_string(),
            },
        )
        .await
        .and_then(|agent| self.require_reader(&agent).map(|()| agent));
        if alive.is_err() {
            let _ = ws.close(Some(4401), Some("session ended"));
        }
        alive
    }

    /// One frame, after every earlier one.
    async fn handle_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) {
        let frame = match message {
            WebSocketIncomingMessage::String(text) => ClientFrame::parse(&text),
            WebSocketIncomingMessage::Binary(_) => Err(FrameError::Binary),
        };
        let outcome = match frame {
            Ok(frame) => self.handle(&ws, frame).await,
            Err(e) => Err(e.into()),
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

    async fn handle(&self, ws: &WebSocket, frame: ClientFrame) -> EdgeResult<()> {
        let role: Role = ws
            .deserialize_attachment()?
            .ok_or_else(|| EdgeError::new(ErrorCode::Unauthorized, "Unbound socket."))?;
        if let Role::Agent { session, .. } = &role {
            self.require_live_agent(ws, session).await?;
        }
        let visitor_only =
            || EdgeError::new(ErrorCode::WrongState, "Only the visitor can do that.");
        match (frame, role) {
            (ClientFrame::Resume { last_seq }, role) => {
                self.replay(ws, last_seq, matches!(role, Role::Visitor))?;
                if matches!(role, Role::Agent { .. }) {
                    for note in self.notes()? {
                        send(ws, &ServerFrame::Note(note));
                    }
                }
                Ok(())
            }
            (ClientFrame::Typing {}, role) => self.relay_typing(role),
            (ClientFrame::Send { client_id, text }, Role::Visitor) => {
                self.visitor_message(ws, client_id, &text).await
            }
            (ClientFrame::Send { client_id, text }, Role::Agent { id, name, .. }) => {
                self.agent_message(ws, &id, &name, client_id, &text).await
            }
            (ClientFrame::RequestPerson {}, Role::Visitor) => self
                .hand_off(Decision::button(), RouteHints::default())
                .await
                .map(|_| ()),
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
            (ClientFrame::Read { seq }, Role::Agent { id, .. }) => self.agent_read(&id, seq),
            (ClientFrame::Read { .. }, Role::Visitor) => Err(EdgeError::new(
                ErrorCode::WrongState,
                "Only agents send read receipts.",
            )),
            (_, Role::Agent { .. }) => Err(visitor_only()),
        }
    }
}

/// The last segment of the request's path: the action asked for.
fn last_segment(req: &Request) -> String {
    req.path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}
