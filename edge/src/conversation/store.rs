//! The conversation's storage: its tables, the rows read from them, and
//! the few operations everything else is built from (append an event with
//! the next sequence number, read the state, fan out).

use super::Conversation;
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::object::Schema;
use serde::Deserialize;
use shared::escalation::PastTurn;
use shared::protocol::{
    ConversationState, ErrorCode, Event, EventBody, Note, QueueStatus, Seq, ServerFrame,
};
use shared::site::SiteConfig;
use std::rc::Rc;
use uuid::Uuid;
use worker::{SqlStorage, SqlStorageValue, WebSocket};

/// Up to where the visitor has seen the conversation (`Mark::SeenByVisitor`).
const SEEN: &str = "CREATE TABLE IF NOT EXISTS seen (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL)";
/// Up to where the agent who has the conversation has read it (`Mark::ReadByAgent`).
const READ_BY_AGENT: &str = "CREATE TABLE IF NOT EXISTS read_by_agent (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL)";
/// Up to where the site's search has the conversation's lines (`Mark::Indexed`).
const INDEXED: &str = "CREATE TABLE IF NOT EXISTS indexed (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL)";
/// More visitor secrets, from reopen links in answer mails.
const VISITOR_KEYS: &str = "CREATE TABLE IF NOT EXISTS visitor_keys (
    secret_hash TEXT PRIMARY KEY)";

/// The conversation's tables. Created by `init` only, so a request the
/// object refuses never creates storage.
pub(super) const SCHEMA: Schema = Schema {
    object: "conversation",
    tables: &[
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
        config TEXT,
        verified TEXT)",
        "CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY,
        client_id TEXT UNIQUE,
        kind TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        body TEXT NOT NULL)",
        // Each visitor message as the escalation policy saw it, so later
        // decisions read it instead of analyzing it again.
        "CREATE TABLE IF NOT EXISTS turns (
        seq INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        words TEXT NOT NULL,
        missed INTEGER NOT NULL,
        frustration REAL NOT NULL DEFAULT 0)",
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
        SEEN,
        VISITOR_KEYS,
        READ_BY_AGENT,
        INDEXED,
        super::photos::PHOTOS,
    ],
    migrations: &[
        "ALTER TABLE turns ADD COLUMN frustration REAL NOT NULL DEFAULT 0",
        // Tables that came later, for conversations made before.
        VISITOR_KEYS,
        SEEN,
        // Signed-in visitors came later.
        "ALTER TABLE meta ADD COLUMN verified TEXT",
        // Read receipts came later.
        READ_BY_AGENT,
        // And search.
        INDEXED,
        // And photos.
        super::photos::PHOTOS,
    ],
};

#[derive(Deserialize)]
pub(super) struct MetaRow {
    pub conversation_id: String,
    pub site: String,
    pub locale: Option<String>,
    pub page_url: Option<String>,
    pub secret_hash: String,
    pub created_ms: i64,
    pub disclosure_version: Option<i64>,
    pub follows: Option<String>,
    pub kb_version: Option<i64>,
    pub visitor_name: Option<String>,
    pub config: Option<String>,
    /// A signed identity, as JSON (`shared::identity::VerifiedVisitor`).
    pub verified: Option<String>,
}

impl MetaRow {
    pub fn verified(&self) -> Option<shared::identity::VerifiedVisitor> {
        serde_json::from_str(self.verified.as_deref()?).ok()
    }

    /// The language the visitor reads (their locale), or the knowledge
    /// base's default.
    pub fn language(&self, faq: &shared::faq::Faq) -> shared::analysis::Language {
        self.locale_language()
            .unwrap_or_else(|| faq.knowledge_base().settings.language())
    }

    /// The visitor's language, if their locale names one the product speaks.
    pub fn locale_language(&self) -> Option<shared::analysis::Language> {
        self.locale
            .as_deref()
            .and_then(shared::analysis::Language::parse)
    }

    /// A fact of this conversation for the inbox's metrics. Each carries
    /// the creation time, so whichever arrives first counts the
    /// conversation (one in which the visitor never acted is not counted).
    pub fn fact(&self) -> crate::inbox::Fact {
        crate::inbox::Fact {
            conversation_id: self.conversation_id.clone(),
            created_ms: Some(self.created_ms),
            ..Default::default()
        }
    }
}

#[derive(Deserialize)]
struct EventRow {
    seq: i64,
    at_ms: i64,
    body: String,
}

/// A one-row table that holds how far someone has got in the
/// conversation.
#[derive(Debug, Clone, Copy)]
pub(super) enum Mark {
    /// What the visitor has seen (the launcher's unread count, `mail.rs`).
    SeenByVisitor,
    /// What the agent who has the conversation has read (`agent.rs`).
    ReadByAgent,
    /// What the site's search has (`search.rs`).
    Indexed,
}

impl Mark {
    fn table(self) -> &'static str {
        match self {
            Mark::SeenByVisitor => "seen",
            Mark::ReadByAgent => "read_by_agent",
            Mark::Indexed => "indexed",
        }
    }
}

#[derive(Deserialize)]
pub(super) struct SeqRow {
    pub seq: i64,
}

/// The current (or last) hand-off.
#[derive(Deserialize)]
pub(super) struct HandoffRow {
    pub packet: String,
    pub requested_ms: i64,
    pub team: String,
    pub contact_offered: i64,
    pub assignee_id: Option<String>,
    pub claimed_ms: Option<i64>,
    pub first_reply_ms: Option<i64>,
}

impl Conversation {
    pub(super) fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    pub(super) fn meta(&self) -> EdgeResult<Option<MetaRow>> {
        let rows: Vec<MetaRow> = self
            .sql()
            .exec(
                "SELECT conversation_id, site, locale, page_url, secret_hash, created_ms, disclosure_version, follows, kb_version, visitor_name, config, verified FROM meta WHERE id = 1",
                None,
            )?
            .to_array()?;
        Ok(rows.into_iter().next())
    }

    /// Whether the object has its tables (`init` ran and nothing erased
    /// it since); found out once per instance, writing nothing.
    pub(super) fn opened(&self) -> EdgeResult<bool> {
        if !self.open.get() {
            self.open.set(SCHEMA.open(&self.sql())?);
        }
        Ok(self.open.get())
    }

    /// The conversation's record; "not found" before `init` or after
    /// erasure. Read once per instance (`Conversation::record`).
    pub(super) fn existing(&self) -> EdgeResult<Rc<MetaRow>> {
        if let Some(meta) = self.record.borrow().as_ref() {
            return Ok(meta.clone());
        }
        if !self.opened()? {
            return Err(EdgeError::not_found());
        }
        let meta = Rc::new(self.meta()?.ok_or_else(EdgeError::not_found)?);
        *self.record.borrow_mut() = Some(meta.clone());
        Ok(meta)
    }

    /// The site's config as it was when this conversation started, parsed
    /// once per instance (`Conversation::config`).
    pub(super) fn site_config(&self) -> EdgeResult<Rc<SiteConfig>> {
        if let Some(config) = self.config.borrow().as_ref() {
            return Ok(config.clone());
        }
        let meta = self.existing()?;
        let config = Rc::new(self.config_of(&meta)?);
        *self.config.borrow_mut() = Some(config.clone());
        Ok(config)
    }

    /// Conversations from before settings existed use the deployed config.
    fn config_of(&self, meta: &MetaRow) -> EdgeResult<SiteConfig> {
        match meta
            .config
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
        {
            Some(config) => Ok(config),
            None => crate::sites::load_site_config(&self.env, &meta.site),
        }
    }

    pub(super) fn handoff(&self) -> EdgeResult<Option<HandoffRow>> {
        let rows: Vec<HandoffRow> = self
            .sql()
            .exec(
                "SELECT packet, requested_ms, team, contact_offered, assignee_id, claimed_ms, first_reply_ms FROM handoff WHERE id = 1",
                None,
            )?
            .to_array()?;
        Ok(rows.into_iter().next())
    }

    /// The latest state event, `Bot` when there is none.
    pub(super) fn state(&self) -> EdgeResult<ConversationState> {
        if let Some(state) = self.current.get() {
            return Ok(state);
        }
        let rows: Vec<EventRow> = self
            .sql()
            .exec("SELECT seq, at_ms, body FROM events WHERE kind = 'state' ORDER BY seq DESC LIMIT 1", None)?
            .to_array()?;
        let state = rows
            .first()
            .and_then(|r| serde_json::from_str::<EventBody>(&r.body).ok())
            .and_then(|b| match b {
                EventBody::State { state, .. } => Some(state),
                _ => None,
            })
            .unwrap_or(ConversationState::Bot);
        self.current.set(Some(state));
        Ok(state)
    }

    /// The kind of the newest event among `kinds`.
    pub(super) fn last_kind_of(&self, kinds: &[&str]) -> EdgeResult<Option<String>> {
        #[derive(Deserialize)]
        struct KindRow {
            kind: String,
        }
        let placeholders = vec!["?"; kinds.len()].join(", ");
        let rows: Vec<KindRow> = self
            .sql()
            .exec(
                &format!("SELECT kind FROM events WHERE kind IN ({placeholders}) ORDER BY seq DESC LIMIT 1"),
                kinds.iter().map(|k| SqlStorageValue::from(*k)).collect::<Vec<_>>(),
            )?
            .to_array()?;
        Ok(rows.into_iter().next().map(|r| r.kind))
    }

    pub(super) fn seq_of(&self, client_id: Uuid) -> EdgeResult<Option<Seq>> {
        let rows: Vec<SeqRow> = self
            .sql()
            .exec(
                "SELECT seq FROM events WHERE client_id = ?",
                vec![client_id.to_string().into()],
            )?
            .to_array()?;
        Ok(rows.first().map(|r| r.seq as Seq))
    }

    /// How far `mark` has got (0 before it was ever set).
    pub(super) fn mark(&self, mark: Mark) -> EdgeResult<Seq> {
        let query = format!("SELECT seq FROM {} WHERE id = 1", mark.table());
        let rows: Vec<SeqRow> = self.sql().exec(&query, None)?.to_array()?;
        Ok(rows.first().map_or(0, |r| r.seq.max(0) as Seq))
    }

    pub(super) fn set_mark(&self, mark: Mark, seq: Seq) -> EdgeResult<()> {
        let query = format!(
            "INSERT OR REPLACE INTO {} (id, seq) VALUES (1, ?)",
            mark.table()
        );
        let seq = seq.min(i64::MAX as u64) as i64;
        self.sql().exec(&query, vec![seq.into()])?;
        Ok(())
    }

    pub(super) fn last_seq(&self) -> EdgeResult<Seq> {
        let rows: Vec<SeqRow> = self
            .sql()
            .exec("SELECT COALESCE(MAX(seq), 0) AS seq FROM events", None)?
            .to_array()?;
        Ok(rows.first().map_or(0, |r| r.seq as Seq))
    }

    /// Stores an event with the next sequence number, in one statement.
    pub(super) fn append(&self, client_id: Option<Uuid>, body: EventBody) -> EdgeResult<Event> {
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
        self.changed.set(true);
        if let EventBody::State { state, .. } = &body {
            self.current.set(Some(*state));
        }
        Ok(Event { seq, at_ms, body })
    }

    pub(super) fn append_and_broadcast(
        &self,
        client_id: Option<Uuid>,
        body: EventBody,
    ) -> EdgeResult<Event> {
        let event = self.append(client_id, body)?;
        self.broadcast(&ServerFrame::Event(event.clone()));
        Ok(event)
    }

    pub(super) fn events_after(&self, after: Seq, limit: usize) -> EdgeResult<Vec<Event>> {
        let rows: Vec<EventRow> = self
            .sql()
            .exec(
                "SELECT seq, at_ms, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                vec![
                    (after.min(i64::MAX as u64) as i64).into(),
                    (limit.min(i64::MAX as usize) as i64).into(),
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

    /// Records a visitor message as the policy saw it.
    pub(super) fn record_turn(&self, seq: Seq, turn: &PastTurn) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT OR REPLACE INTO turns (seq, text, words, missed, frustration) VALUES (?, ?, ?, ?, ?)",
            vec![
                (seq as i64).into(),
                turn.text.clone().into(),
                turn.words.join(" ").into(),
                i64::from(turn.missed).into(),
                f64::from(turn.frustration).into(),
            ],
        )?;
        Ok(())
    }

    /// The visitor's earlier messages, oldest first, as the policy saw them.
    pub(super) fn past_turns(&self) -> EdgeResult<Vec<PastTurn>> {
        #[derive(Deserialize)]
        struct TurnRow {
            text: String,
            words: String,
            missed: i64,
            frustration: f64,
        }
        let rows: Vec<TurnRow> = self
            .sql()
            .exec(
                "SELECT text, words, missed, frustration FROM turns ORDER BY seq DESC LIMIT ?",
                vec![(super::VIEW_EVENTS as i64).into()],
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .rev()
            .map(|r| PastTurn {
                text: r.text,
                words: r
                    .words
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect(),
                missed: r.missed != 0,
                frustration: r.frustration as f32,
            })
            .collect())
    }

    pub(super) fn notes(&self) -> EdgeResult<Vec<Note>> {
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

    pub(super) fn stored_queue_status(&self) -> EdgeResult<Option<QueueStatus>> {
        #[derive(Deserialize)]
        struct JsonRow {
            body: String,
        }
        let rows: Vec<JsonRow> = self
            .sql()
            .exec("SELECT body FROM queue_status WHERE id = 1", None)?
            .to_array()?;
        Ok(rows
            .first()
            .and_then(|r| serde_json::from_str(&r.body).ok()))
    }

    pub(super) fn broadcast(&self, frame: &ServerFrame) {
        let Ok(json) = serde_json::to_string(frame) else {
            return;
        };
        for ws in self.state.get_websockets() {
            let _ = ws.send_with_str(&json);
        }
    }

    /// A metrics fact for the site's inbox: bookkeeping nobody waits for.
    /// It is sent after the frame or request is answered (the runtime keeps
    /// the object alive for it), and a failure is logged.
    pub(super) fn report(&self, site: &str, fact: crate::inbox::Fact) {
        let env = self.env.clone();
        let site = site.to_string();
        self.state.wait_until(async move {
            crate::inbox::tell(&env, &site, fact).await;
        });
    }

    /// Sends a frame to every socket with `tag` ("visitor" or "agent").
    pub(super) fn send_to(&self, tag: &str, frame: &ServerFrame) {
        let Ok(json) = serde_json::to_string(frame) else {
            return;
        };
        for ws in self.state.get_websockets_with_tag(tag) {
            let _ = ws.send_with_str(&json);
        }
    }
}

impl Conversation {
    /// The first steps of every message sent on a socket: the text cleaned
    /// and checked, and a resend of a stored one acknowledged again.
    /// `None` when there is nothing more to do (refused with the message's
    /// client id, so the sender marks it failed, or acknowledged again).
    pub(super) fn new_message_text(
        &self,
        ws: &WebSocket,
        client_id: Uuid,
        raw: &str,
    ) -> EdgeResult<Option<String>> {
        let text = match shared::text::sanitize_message(raw) {
            Ok(text) => text,
            Err(e) => {
                refuse(ws, client_id, e.into());
                return Ok(None);
            }
        };
        if let Some(seq) = self.seq_of(client_id)? {
            // A resend after a lost ack: same answer, nothing stored again.
            send(ws, &ServerFrame::Ack { client_id, seq });
            return Ok(None);
        }
        Ok(Some(text))
    }
}

/// Refuses one message, naming its client id so the sender marks it failed.
pub(super) fn refuse(ws: &WebSocket, client_id: Uuid, e: EdgeError) {
    send(
        ws,
        &ServerFrame::Error {
            code: e.code,
            message: e.message,
            client_id: Some(client_id),
        },
    );
}

/// Sends one frame; a socket that has gone away is not an error here (the
/// client resumes from its last sequence number).
pub(super) fn send(ws: &WebSocket, frame: &ServerFrame) {
    if let Ok(json) = serde_json::to_string(frame) {
        let _ = ws.send_with_str(&json);
    }
}
