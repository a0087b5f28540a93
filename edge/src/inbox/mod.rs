//! The `Inbox` Durable Object, one per site: the single source of truth for
//! the queue of waiting hand-offs, which agents are online, the
//! tickets (questions left for the team, `tickets.rs`) and the e-mail about
//! them (`mail.rs`), the facts metrics are computed from, the knowledge-base
//! versions, canned replies, the site's saved settings, and the alerts
//! its admins set up (webhooks, `alerts.rs`).
//!
//! Conversations tell it about hand-offs, claims and outcomes; it orders
//! the queue (`shared::handoff`) and pushes it to agent sockets and each
//! waiting visitor's place to their conversation (`queue.rs`). Agents are
//! online while their inbox socket is open and they have not set
//! themselves away.

mod alerts;
mod client;
mod identity;
mod knowledge;
mod mail;
mod queue;
mod records;
mod search;
mod seed;
mod tickets;

pub use client::*;

use crate::error::{EdgeError, EdgeResult};
use crate::http;
use crate::object::{self, answer, Schema};
use std::cell::Cell;
use worker::{
    durable_object, DurableObject, Env, Request, Response, SqlStorage, State, WebSocket,
    WebSocketIncomingMessage,
};

#[durable_object]
pub struct Inbox {
    state: State,
    env: Env,
    /// A flush is scheduled on the alarm (`queue.rs`). In memory: losing it
    /// only schedules the alarm once more.
    flush_due: Cell<bool>,
}

/// E-mail about left questions (`mail.rs`): tokens by hash, for replies
/// coming back ('reply') and the link that reopens the chat ('open',
/// single use).
const MAIL_TOKENS: &str = "CREATE TABLE IF NOT EXISTS mail_tokens (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    email TEXT NOT NULL,
    expires_ms INTEGER NOT NULL)";
/// Team alerts (`alerts.rs`): the site's webhooks, and the delivery log
/// (also what is still to be sent).
const HOOKS: &str = "CREATE TABLE IF NOT EXISTS hooks (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    format TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    panel_url TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL)";
const DELIVERIES: &str = "CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    hook_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    conversation_id TEXT,
    body TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_ms INTEGER,
    status TEXT NOT NULL DEFAULT 'pending',
    result TEXT NOT NULL DEFAULT '')";
/// Pages not allowed to show the chat that asked for it (`records.rs`),
/// at most `shared::embed::MAX_REFUSED`.
const REFUSED_ORIGINS: &str = "CREATE TABLE IF NOT EXISTS refused_origins (
    origin TEXT PRIMARY KEY,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    count INTEGER NOT NULL)";
/// Signed-in visitors (`identity.rs`): the site's identity secrets, and
/// each identified conversation's user.
const IDENTITY: &str = "CREATE TABLE IF NOT EXISTS identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    json TEXT NOT NULL,
    rotated_ms INTEGER NOT NULL,
    rotated_by TEXT NOT NULL)";
const IDENTIFIED: &str = "CREATE TABLE IF NOT EXISTS identified (
    conversation_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL)";
const IDENTIFIED_BY_USER: &str =
    "CREATE INDEX IF NOT EXISTS identified_by_user ON identified (user_id, at_ms)";
/// Conversations whose visitor asked for no more e-mail.
const MAIL_STOPPED: &str = "CREATE TABLE IF NOT EXISTS mail_stopped (
    conversation_id TEXT PRIMARY KEY)";

const SCHEMA: Schema = Schema {
    object: "inbox",
    tables: &[
        "CREATE TABLE IF NOT EXISTS settings (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        json TEXT NOT NULL,
        updated_ms INTEGER NOT NULL,
        updated_by TEXT NOT NULL)",
        // Waiting hand-offs: the queue item agents see, the packet, and the
        // place last told to the conversation.
        "CREATE TABLE IF NOT EXISTS waiting (
        conversation_id TEXT PRIMARY KEY,
        team TEXT NOT NULL,
        team_name TEXT NOT NULL,
        base_priority REAL NOT NULL,
        requested_at_ms INTEGER NOT NULL,
        item TEXT NOT NULL,
        packet TEXT NOT NULL,
        status TEXT,
        told_ms INTEGER)",
        // Changes not yet sent out (`queue.rs`).
        "CREATE TABLE IF NOT EXISTS pending (
        conversation_id TEXT PRIMARY KEY,
        removed_from TEXT)",
        queue::PRESENCE_PENDING,
        "CREATE TABLE IF NOT EXISTS claims (
        team TEXT NOT NULL,
        wait_ms INTEGER NOT NULL,
        at_ms INTEGER NOT NULL)",
        // Questions visitors left (`tickets.rs`): open, answered, closed.
        "CREATE TABLE IF NOT EXISTS tickets (
        id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        team TEXT NOT NULL,
        email TEXT NOT NULL,
        question TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'open',
        agent_id TEXT,
        agent_name TEXT,
        answered_ms INTEGER,
        closed_ms INTEGER)",
        MAIL_TOKENS,
        MAIL_STOPPED,
        HOOKS,
        DELIVERIES,
        REFUSED_ORIGINS,
        IDENTITY,
        IDENTIFIED,
        IDENTIFIED_BY_USER,
        search::SUMMARIES,
        search::SUMMARIES_BY_KEY,
        search::SUMMARIES_BY_EMAIL,
        search::SUMMARIES_BY_LAST,
        search::SEARCH_DOCS,
        search::SEARCH_LINES,
        "CREATE TABLE IF NOT EXISTS kb_versions (
        version INTEGER PRIMARY KEY,
        toml TEXT NOT NULL,
        author TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        change TEXT NOT NULL)",
        knowledge::KB_INDEXES,
        "CREATE TABLE IF NOT EXISTS canned (
        id INTEGER PRIMARY KEY,
        team TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS erasures (
        id INTEGER PRIMARY KEY,
        conversation_hash TEXT NOT NULL,
        by TEXT NOT NULL,
        at_ms INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS facts (
        conversation_id TEXT PRIMARY KEY,
        created_ms INTEGER,
        team TEXT,
        trigger TEXT,
        handoff_ms INTEGER,
        first_reply_ms INTEGER,
        resolved_ms INTEGER,
        rating INTEGER,
        agent TEXT,
        unmet TEXT,
        ticket_ms INTEGER,
        ticket_answered_ms INTEGER)",
    ],
    migrations: &[
        "ALTER TABLE facts ADD COLUMN agent TEXT",
        // The queue became `waiting` (small items, places kept).
        "DROP TABLE IF EXISTS queue",
        // Tickets got a life of their own.
        "ALTER TABLE tickets ADD COLUMN status TEXT NOT NULL DEFAULT 'open'",
        "ALTER TABLE tickets ADD COLUMN agent_id TEXT",
        "ALTER TABLE tickets ADD COLUMN agent_name TEXT",
        "ALTER TABLE tickets ADD COLUMN answered_ms INTEGER",
        "ALTER TABLE tickets ADD COLUMN closed_ms INTEGER",
        "ALTER TABLE facts ADD COLUMN unmet TEXT",
        "ALTER TABLE facts ADD COLUMN ticket_ms INTEGER",
        "ALTER TABLE facts ADD COLUMN ticket_answered_ms INTEGER",
        // E-mail came later: its tables for inboxes made before.
        MAIL_TOKENS,
        MAIL_STOPPED,
        // So did alerts.
        HOOKS,
        DELIVERIES,
        // And the pages refused the chat, and signed-in visitors.
        REFUSED_ORIGINS,
        IDENTITY,
        IDENTIFIED,
        IDENTIFIED_BY_USER,
        // And search.
        search::SUMMARIES,
        search::SUMMARIES_BY_KEY,
        search::SUMMARIES_BY_EMAIL,
        search::SUMMARIES_BY_LAST,
        search::SEARCH_DOCS,
        search::SEARCH_LINES,
        // Presence changes became per agent, and places far back are told
        // less often.
        queue::PRESENCE_PENDING,
        "ALTER TABLE waiting ADD COLUMN told_ms INTEGER",
        // Built indexes came to be stored with their versions.
        knowledge::KB_INDEXES,
    ],
};

impl DurableObject for Inbox {
    fn new(state: State, env: Env) -> Self {
        if let Err(e) = SCHEMA.open_or_create(&state.storage().sql()) {
            worker::console_error!("inbox schema: {}", e.message);
        }
        Self {
            state,
            env,
            flush_due: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let path = req.path();
        let result = match path.rsplit('/').next().unwrap_or_default() {
            "call" => match serde_json::from_str::<InboxCall>(&req.text().await?) {
                Ok(c) => self.handle(c).await,
                Err(e) => Err(EdgeError::from(e)),
            },
            "index" => match serde_json::from_str::<IndexOf>(&req.text().await?) {
                Ok(c) => self.stored_faq(c).await,
                Err(e) => Err(EdgeError::from(e)),
            },
            "inbox" => self.accept_agent(&req).await,
            "queue" => object::agent_of(&req)
                .and_then(|c| self.snapshot_for(&c.agent))
                .and_then(|s| http::json_response(&s, 200)),
            "metrics" => object::agent_of(&req).and_then(|c| self.metrics(&c.agent)),
            _ => Err(EdgeError::nothing_here()),
        };
        Ok(result.unwrap_or_else(EdgeError::into_response))
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        self.agent_frame(&ws, message).await;
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
        self.agent_left(&ws).await;
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, error: worker::Error) -> worker::Result<()> {
        worker::console_log!("inbox socket error: {error}");
        Ok(())
    }

    /// The queue's changes go out (`queue.rs`), and the alerts that are
    /// due (`alerts.rs`), which set the alarm again for their next one.
    async fn alarm(&self) -> worker::Result<Response> {
        if let Err(e) = self.flush().await {
            worker::console_error!("inbox flush: {}", e.message);
        }
        if let Err(e) = self.deliver_due().await {
            worker::console_error!("inbox alerts: {}", e.message);
        }
        Response::empty()
    }
}

impl Inbox {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    /// One call, answered with the type its callers expect.
    async fn handle(&self, call: InboxCall) -> EdgeResult<Response> {
        match call {
            InboxCall::Online(c) => answer::<Online>(Ok(self.online(&c.team))),
            InboxCall::Revoke(c) => answer::<Revoke>(self.revoke(&c.sessions).await),
            InboxCall::Enqueue(c) => answer::<Enqueue>(self.enqueue(c).await),
            InboxCall::Alerts(_) => answer::<Alerts>(self.alerts()),
            InboxCall::AddHook(c) => answer::<AddHook>(self.add_hook(c)),
            InboxCall::RemoveHook(c) => answer::<RemoveHook>(self.remove_hook(c)),
            InboxCall::TestHook(c) => answer::<TestHook>(self.test_hook(c).await),
            InboxCall::Dequeue(c) => answer::<Dequeue>(self.dequeue(c).await),
            InboxCall::Fact(c) => {
                let rated = c.rating.map(|r| (c.conversation_id.clone(), r));
                let done = self.record_fact(c);
                if let (Ok(()), Some((id, rating))) = (&done, rated) {
                    self.raise_rating(id, rating).await;
                }
                answer::<Fact>(done)
            }
            InboxCall::Ticket(c) => {
                let (id, team) = (c.conversation_id.clone(), c.team.clone());
                let done = self.add_ticket(c);
                if done.is_ok() {
                    self.raise(alerts::Happened::ticket(id, team)).await;
                }
                answer::<Ticket>(done)
            }
            InboxCall::Tickets(c) => answer::<Tickets>(self.tickets(c)),
            InboxCall::TicketAction(c) => answer::<TicketAction>(self.ticket_action(c)),
            InboxCall::SendAnswer(c) => answer::<SendAnswer>(self.send_answer(c).await),
            InboxCall::MailIn(c) => answer::<MailIn>(self.mail_in(c).await),
            InboxCall::Reopen(c) => answer::<Reopen>(self.reopen(c).await),
            InboxCall::StopMail(c) => answer::<StopMail>(self.stop_mail(c)),
            InboxCall::HeadVersion(c) => {
                answer::<HeadVersion>(self.knowledge_head(&c.site).map(|(v, _)| v))
            }
            InboxCall::KnowledgeAt(c) => answer::<KnowledgeAt>(self.knowledge_at(c)),
            InboxCall::AddEntry(c) => {
                let (site, saved) = (c.site.clone(), self.add_entry(c));
                self.index_saved(&site, &saved).await;
                answer::<AddEntry>(saved)
            }
            InboxCall::Head(c) => answer::<Head>(self.head(c)),
            InboxCall::SaveKnowledge(c) => {
                let (site, saved) = (c.site.clone(), self.save_knowledge(c));
                self.index_saved(&site, &saved).await;
                answer::<SaveKnowledge>(saved)
            }
            InboxCall::SaveEntries(c) => {
                let (site, saved) = (c.site.clone(), self.save_entries(c));
                self.index_saved(&site, &saved).await;
                answer::<SaveEntries>(saved)
            }
            InboxCall::History(c) => answer::<History>(self.history(c)),
            InboxCall::Forget(c) => answer::<Forget>(self.forget(c).await),
            InboxCall::FindVisitor(c) => answer::<FindVisitor>(self.find_visitor(c)),
            InboxCall::Mine(c) => answer::<Mine>(self.mine(c)),
            InboxCall::ResolvedSince(c) => answer::<ResolvedSince>(self.resolved_since(c)),
            InboxCall::CannedReplies(c) => answer::<CannedReplies>(self.canned_replies(c)),
            InboxCall::AddCanned(c) => answer::<AddCanned>(self.add_canned(c)),
            InboxCall::RemoveCanned(c) => answer::<RemoveCanned>(self.remove_canned(c)),
            InboxCall::Settings(_) => answer::<Settings>(self.settings()),
            InboxCall::SaveSettings(c) => answer::<SaveSettings>(self.save_settings(c)),
            InboxCall::RefuseOrigin(c) => answer::<RefuseOrigin>(self.refuse_origin(c)),
            InboxCall::RefusedOrigins(_) => answer::<RefusedOrigins>(self.refused_origins()),
            InboxCall::SiteState(c) => answer::<SiteState>(self.settings().and_then(|settings| {
                let (kb_version, _) = self.knowledge_head(&c.site)?;
                Ok(SiteStateAnswer {
                    settings,
                    kb_version,
                    identity: self.identity_keys()?,
                })
            })),
            InboxCall::RotateIdentity(c) => answer::<RotateIdentity>(self.rotate_identity(c)),
            InboxCall::LatestOfUser(c) => answer::<LatestOfUser>(self.latest_of_user(c)),
            InboxCall::Identify(c) => answer::<Identify>(self.identify(c)),
            InboxCall::Index(c) => answer::<Index>(self.index(c)),
            InboxCall::Search(c) => answer::<Search>(self.search(&c.agent, &c.search)),
            InboxCall::Profile(c) => answer::<Profile>(self.profile(c)),
            InboxCall::SeedSearch(c) => answer::<SeedSearch>(
                self.seed_search(c)
                    .map(|()| self.state.storage().sql().database_size()),
            ),
        }
    }
}
