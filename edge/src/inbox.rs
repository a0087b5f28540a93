//! The `Inbox` Durable Object, one per site: the single source of truth for
//! the queue of waiting hand-offs, which agents are online, the e-mail
//! tickets, and the facts metrics are computed from.
//!
//! Conversations tell it about hand-offs, claims and outcomes; it orders
//! the queue (`shared::handoff`), pushes the whole queue to every agent
//! socket and each waiting visitor's place to their conversation after
//! every change. Agents are online while their inbox socket is open and
//! they have not set themselves away.

use crate::conversation;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{self, now_ms};
use crate::knowledge;
use crate::object;
use serde::{Deserialize, Serialize};
use shared::escalation::Trigger;
use shared::handoff::{self, HandoffPacket, QueueEntry};
use shared::metrics::{self, ConversationFacts};
use shared::protocol::{
    AgentPresence, AgentProfile, ConversationRef, ErrorCode, InboxClientFrame, InboxFrame,
    PresenceStatus, QueueItem, QueueStatus,
};
use worker::{
    durable_object, DurableObject, Env, Request, Response, SqlStorage, SqlStorageValue, State,
    Stub, WebSocket, WebSocketIncomingMessage, WebSocketPair,
};

/// How many recent claims the expected wait is taken from.
const RECENT_CLAIMS: i64 = 20;

/// Calls from conversations and routes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxCall {
    /// How many people of `team` are online.
    Online {
        team: String,
    },
    Enqueue {
        entry: QueueEntry,
        packet: Box<HandoffPacket>,
    },
    /// Leaves the queue; `claimed` records the wait for expected waits.
    Dequeue {
        conversation_id: String,
        claimed: bool,
    },
    Fact(FactUpdate),
    Ticket {
        conversation_id: String,
        team: String,
        email: String,
        question: String,
    },
    /// The current knowledge-base version (seeded from the bundled file).
    KnowledgeVersion {
        site: String,
    },
    /// The text of one knowledge-base version.
    Knowledge {
        site: String,
        version: i64,
    },
    /// An agent adds an entry: a new version.
    AddEntry {
        site: String,
        author: String,
        entry: shared::faq::NewEntry,
    },
    /// The current version's number and text.
    KnowledgeText {
        site: String,
    },
    /// An admin saves an edited text: a new version, if it loads.
    SaveKnowledge {
        site: String,
        author: String,
        toml: String,
    },
    /// The edit history, newest first.
    KnowledgeHistory {
        site: String,
    },
    /// A conversation was erased: forget its queue entry and e-mail
    /// tickets, keep its metrics row without the id, log who did it.
    Forget {
        conversation_id: String,
        by: String,
    },
    /// Conversations whose visitor left this e-mail address.
    FindVisitor {
        email: String,
    },
    /// Claimed by this agent and not resolved.
    Mine {
        agent: String,
    },
    /// Resolved since this time.
    ResolvedSince {
        since_ms: i64,
    },
    /// Canned replies, of one team or all.
    CannedReplies {
        team: Option<String>,
    },
    AddCanned(shared::protocol::CannedReply),
    RemoveCanned {
        id: u64,
    },
    /// The site's saved settings (empty if never saved).
    Settings,
    /// An admin saves the site's settings (checked by the worker first).
    SaveSettings {
        settings: shared::site::SiteSettings,
        by: String,
    },
}

/// One version of a site's knowledge base, without its text.
#[derive(Debug, Serialize, Deserialize)]
pub struct KnowledgeVersion {
    pub version: i64,
    pub author: String,
    pub at_ms: i64,
    pub change: String,
}

/// Facts of one conversation; absent fields stay as they are.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FactUpdate {
    pub conversation_id: String,
    #[serde(default)]
    pub created_ms: Option<i64>,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub trigger: Option<Trigger>,
    #[serde(default)]
    pub handoff_ms: Option<i64>,
    #[serde(default)]
    pub first_reply_ms: Option<i64>,
    #[serde(default)]
    pub resolved_ms: Option<i64>,
    #[serde(default)]
    pub rating: Option<u8>,
    /// The agent who last claimed it (their id), for "mine".
    #[serde(default)]
    pub agent: Option<String>,
}

pub fn stub(env: &Env, site: &str) -> worker::Result<Stub> {
    env.durable_object("INBOX")?.id_from_name(site)?.get_stub()
}

/// Sends one call to a site's inbox and returns its JSON answer.
pub async fn call<R: for<'de> Deserialize<'de>>(
    env: &Env,
    site: &str,
    call: &InboxCall,
) -> EdgeResult<R> {
    object::call(&stub(env, site)?, "https://inbox/call", call).await
}

/// A call whose answer does not matter; a failure is logged, because a
/// visitor's message must not fail over bookkeeping.
pub async fn tell(env: &Env, site: &str, c: InboxCall) {
    if let Err(e) = call::<serde_json::Value>(env, site, &c).await {
        worker::console_error!("inbox: {}", e.message);
    }
}

#[durable_object]
pub struct Inbox {
    state: State,
    env: Env,
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS settings (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        json TEXT NOT NULL,
        updated_ms INTEGER NOT NULL,
        updated_by TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS queue (
        conversation_id TEXT PRIMARY KEY,
        entry TEXT NOT NULL,
        packet TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS claims (
        team TEXT NOT NULL,
        wait_ms INTEGER NOT NULL,
        at_ms INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tickets (
        id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        team TEXT NOT NULL,
        email TEXT NOT NULL,
        question TEXT NOT NULL,
        at_ms INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS kb_versions (
        version INTEGER PRIMARY KEY,
        toml TEXT NOT NULL,
        author TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        change TEXT NOT NULL)",
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
        agent TEXT)",
];

#[derive(Deserialize)]
struct QueueRow {
    entry: String,
    packet: String,
}

#[derive(Deserialize)]
struct WaitRow {
    wait_ms: i64,
}

#[derive(Deserialize)]
struct FactRow {
    conversation_id: String,
    created_ms: Option<i64>,
    team: Option<String>,
    trigger: Option<String>,
    handoff_ms: Option<i64>,
    first_reply_ms: Option<i64>,
    resolved_ms: Option<i64>,
    rating: Option<i64>,
}

/// Columns added after a table was first created (`object::create_tables`).
const MIGRATIONS: &[&str] = &["ALTER TABLE facts ADD COLUMN agent TEXT"];

const BUNDLED_AUTHOR: &str = "(bundled with the worker)";

#[derive(Deserialize)]
struct TomlRow {
    version: i64,
    toml: String,
}

#[derive(Deserialize)]
struct HeadRow {
    version: i64,
    toml: String,
    author: String,
}

/// An agent socket's attachment.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Watcher {
    agent: AgentProfile,
    status: PresenceStatus,
}

impl DurableObject for Inbox {
    fn new(state: State, env: Env) -> Self {
        object::create_tables(&state.storage().sql(), "inbox", SCHEMA, MIGRATIONS);
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let path = req.path();
        let result = match path.rsplit('/').next().unwrap_or_default() {
            "call" => match serde_json::from_str::<InboxCall>(&req.text().await?) {
                Ok(c) => self.handle(c).await,
                Err(e) => Err(EdgeError::from(e)),
            },
            "inbox" => self.accept_agent(&req).await,
            "queue" => self.snapshot().and_then(|s| http::json_response(&s, 200)),
            "metrics" => self.metrics(),
            _ => Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
        };
        Ok(result.unwrap_or_else(EdgeError::into_response))
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        let WebSocketIncomingMessage::String(text) = message else {
            return Ok(());
        };
        match serde_json::from_str::<InboxClientFrame>(&text) {
            Ok(InboxClientFrame::Presence { status }) => {
                if let Some(mut watcher) = ws.deserialize_attachment::<Watcher>()? {
                    watcher.status = status;
                    ws.serialize_attachment(&watcher)?;
                }
                self.push(None).await;
            }
            Err(e) => {
                let frame = shared::protocol::ServerFrame::Error {
                    code: ErrorCode::Malformed,
                    message: format!("frame is not valid: {e}"),
                    client_id: None,
                };
                let _ = ws.send_with_str(serde_json::to_string(&frame)?);
            }
        }
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
        self.push(Some(&ws)).await;
        Ok(())
    }
}

impl Inbox {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    async fn handle(&self, call: InboxCall) -> EdgeResult<Response> {
        let answer = match call {
            InboxCall::Online { team } => {
                serde_json::json!({ "agents_online": self.online(&team, None) })
            }
            InboxCall::Enqueue { entry, packet } => {
                self.sql().exec(
                    "INSERT OR IGNORE INTO queue (conversation_id, entry, packet) VALUES (?, ?, ?)",
                    vec![
                        entry.conversation_id.clone().into(),
                        serde_json::to_string(&entry)?.into(),
                        serde_json::to_string(&packet)?.into(),
                    ],
                )?;
                self.push(None).await;
                serde_json::json!({})
            }
            InboxCall::Dequeue {
                conversation_id,
                claimed,
            } => {
                let rows: Vec<QueueRow> = self
                    .sql()
                    .exec(
                        "DELETE FROM queue WHERE conversation_id = ? RETURNING entry, packet",
                        vec![conversation_id.into()],
                    )?
                    .to_array()?;
                if let (true, Some(row)) = (claimed, rows.first()) {
                    let entry: QueueEntry = serde_json::from_str(&row.entry)?;
                    let now = now_ms();
                    self.sql().exec(
                        "INSERT INTO claims (team, wait_ms, at_ms) VALUES (?, ?, ?)",
                        vec![
                            entry.team.into(),
                            (now - entry.requested_at_ms).max(0).into(),
                            now.into(),
                        ],
                    )?;
                }
                self.push(None).await;
                serde_json::json!({})
            }
            InboxCall::Fact(f) => {
                self.sql().exec(
                    "INSERT INTO facts (conversation_id, created_ms, team, trigger, handoff_ms, first_reply_ms, resolved_ms, rating, agent)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (conversation_id) DO UPDATE SET
                       created_ms = COALESCE(facts.created_ms, excluded.created_ms),
                       team = COALESCE(excluded.team, facts.team),
                       trigger = COALESCE(facts.trigger, excluded.trigger),
                       handoff_ms = COALESCE(facts.handoff_ms, excluded.handoff_ms),
                       first_reply_ms = COALESCE(facts.first_reply_ms, excluded.first_reply_ms),
                       resolved_ms = COALESCE(facts.resolved_ms, excluded.resolved_ms),
                       rating = COALESCE(facts.rating, excluded.rating),
                       agent = COALESCE(excluded.agent, facts.agent)",
                    vec![
                        f.conversation_id.into(),
                        f.created_ms.into(),
                        f.team.into(),
                        f.trigger.map(|t| t.as_str().to_string()).into(),
                        f.handoff_ms.into(),
                        f.first_reply_ms.into(),
                        f.resolved_ms.into(),
                        f.rating.map(i64::from).into(),
                        f.agent.into(),
                    ],
                )?;
                serde_json::json!({})
            }
            InboxCall::Forget {
                conversation_id,
                by,
            } => {
                let id: SqlStorageValue = conversation_id.clone().into();
                self.sql().exec(
                    "DELETE FROM queue WHERE conversation_id = ?",
                    vec![id.clone()],
                )?;
                self.sql().exec(
                    "DELETE FROM tickets WHERE conversation_id = ?",
                    vec![id.clone()],
                )?;
                let anonymous = format!("erased-{}", uuid::Uuid::new_v4());
                self.sql().exec(
                    "UPDATE facts SET conversation_id = ? WHERE conversation_id = ?",
                    vec![anonymous.into(), id],
                )?;
                self.sql().exec(
                    "INSERT INTO erasures (conversation_hash, by, at_ms) VALUES (?, ?, ?)",
                    vec![
                        crate::credentials::hash(&conversation_id).into(),
                        by.into(),
                        now_ms().into(),
                    ],
                )?;
                self.push(None).await;
                serde_json::json!({})
            }
            InboxCall::Mine { agent } => serde_json::to_value(self.refs(
                "SELECT conversation_id, team, handoff_ms, resolved_ms FROM facts
                 WHERE agent = ? AND resolved_ms IS NULL ORDER BY handoff_ms DESC LIMIT 100",
                vec![agent.into()],
            )?)?,
            InboxCall::ResolvedSince { since_ms } => serde_json::to_value(self.refs(
                "SELECT conversation_id, team, handoff_ms, resolved_ms FROM facts
                 WHERE resolved_ms >= ? ORDER BY resolved_ms DESC LIMIT 200",
                vec![since_ms.into()],
            )?)?,
            InboxCall::CannedReplies { team } => {
                #[derive(Deserialize)]
                struct Row {
                    id: i64,
                    team: String,
                    title: String,
                    text: String,
                }
                let rows: Vec<Row> = self
                    .sql()
                    .exec(
                        "SELECT id, team, title, text FROM canned WHERE ?1 IS NULL OR team = ?1 ORDER BY team, title",
                        vec![team.into()],
                    )?
                    .to_array()?;
                let replies: Vec<shared::protocol::CannedReply> = rows
                    .into_iter()
                    .map(|r| shared::protocol::CannedReply {
                        id: r.id as u64,
                        team: r.team,
                        title: r.title,
                        text: r.text,
                    })
                    .collect();
                serde_json::to_value(replies)?
            }
            InboxCall::AddCanned(reply) => {
                let title = shared::text::clean_name(&reply.title, 80);
                let text = shared::text::sanitize_message(&reply.text)
                    .map_err(|e| EdgeError::new(e.code(), e.to_string()))?;
                if title.is_empty() {
                    return Err(EdgeError::new(
                        ErrorCode::Malformed,
                        "A canned reply needs a title.",
                    ));
                }
                #[derive(Deserialize)]
                struct Id {
                    id: i64,
                }
                let rows: Vec<Id> = self
                    .sql()
                    .exec(
                        "INSERT INTO canned (team, title, text) VALUES (?, ?, ?) RETURNING id",
                        vec![reply.team.into(), title.into(), text.into()],
                    )?
                    .to_array()?;
                serde_json::json!({ "id": rows.first().map_or(0, |r| r.id) })
            }
            InboxCall::RemoveCanned { id } => {
                self.sql()
                    .exec("DELETE FROM canned WHERE id = ?", vec![(id as i64).into()])?;
                serde_json::json!({})
            }
            InboxCall::FindVisitor { email } => {
                #[derive(Deserialize)]
                struct IdRow {
                    conversation_id: String,
                }
                let email = email.trim().to_lowercase();
                let rows: Vec<IdRow> = self
                    .sql()
                    .exec(
                        "SELECT DISTINCT conversation_id FROM tickets WHERE lower(email) = ?",
                        vec![email.into()],
                    )?
                    .to_array()?;
                serde_json::to_value(
                    rows.into_iter()
                        .map(|r| r.conversation_id)
                        .collect::<Vec<_>>(),
                )?
            }
            InboxCall::Settings => {
                #[derive(Deserialize)]
                struct Row {
                    json: String,
                }
                let rows: Vec<Row> = self
                    .sql()
                    .exec("SELECT json FROM settings WHERE id = 1", None)?
                    .to_array()?;
                match rows.first() {
                    Some(row) => serde_json::from_str(&row.json)?,
                    None => serde_json::to_value(shared::site::SiteSettings::default())?,
                }
            }
            InboxCall::SaveSettings { settings, by } => {
                self.sql().exec(
                    "INSERT OR REPLACE INTO settings (id, json, updated_ms, updated_by) VALUES (1, ?, ?, ?)",
                    vec![
                        serde_json::to_string(&settings)?.into(),
                        now_ms().into(),
                        by.into(),
                    ],
                )?;
                serde_json::json!({})
            }
            InboxCall::KnowledgeVersion { site } => {
                serde_json::json!({ "version": self.knowledge_head(&site)?.0 })
            }
            InboxCall::Knowledge { site, version } => {
                self.knowledge_head(&site)?;
                let rows: Vec<TomlRow> = self
                    .sql()
                    .exec(
                        "SELECT version, toml FROM kb_versions WHERE version = ?",
                        vec![version.into()],
                    )?
                    .to_array()?;
                let row = rows
                    .into_iter()
                    .next()
                    .ok_or_else(|| EdgeError::new(ErrorCode::NotFound, "No such version."))?;
                serde_json::json!({ "version": row.version, "toml": row.toml })
            }
            InboxCall::AddEntry {
                site,
                author,
                entry,
            } => {
                let (version, text) = self.knowledge_head(&site)?;
                let (file, _) = knowledge::bundled(&site);
                let (next, id) = shared::faq::append_entry(file, &text, &entry)
                    .map_err(|e| EdgeError::new(ErrorCode::Malformed, e.to_string()))?;
                self.sql().exec(
                    "INSERT INTO kb_versions (version, toml, author, at_ms, change) VALUES (?, ?, ?, ?, ?)",
                    vec![(version + 1).into(), next.into(), author.into(), now_ms().into(), format!("added entry {id}").into()],
                )?;
                serde_json::json!({ "version": version + 1, "entry_id": id })
            }
            InboxCall::KnowledgeText { site } => {
                let (version, toml) = self.knowledge_head(&site)?;
                serde_json::json!({ "version": version, "toml": toml })
            }
            InboxCall::SaveKnowledge { site, author, toml } => {
                let (version, current) = self.knowledge_head(&site)?;
                let (file, _) = knowledge::bundled(&site);
                // Stored only if it loads, so every version can answer.
                shared::faq::KnowledgeBase::from_toml(file, &toml)
                    .map_err(|e| EdgeError::new(ErrorCode::Malformed, e.to_string()))?;
                if toml == current {
                    serde_json::json!({ "version": version })
                } else {
                    self.sql().exec(
                        "INSERT INTO kb_versions (version, toml, author, at_ms, change) VALUES (?, ?, ?, ?, ?)",
                        vec![(version + 1).into(), toml.into(), author.into(), now_ms().into(), "edited the text".into()],
                    )?;
                    serde_json::json!({ "version": version + 1 })
                }
            }
            InboxCall::KnowledgeHistory { site } => {
                self.knowledge_head(&site)?;
                let rows: Vec<KnowledgeVersion> = self
                    .sql()
                    .exec("SELECT version, author, at_ms, change FROM kb_versions ORDER BY version DESC LIMIT 100", None)?
                    .to_array()?;
                serde_json::to_value(rows)?
            }
            InboxCall::Ticket {
                conversation_id,
                team,
                email,
                question,
            } => {
                self.sql().exec(
                    "INSERT INTO tickets (conversation_id, team, email, question, at_ms) VALUES (?, ?, ?, ?, ?)",
                    vec![conversation_id.into(), team.into(), email.into(), question.into(), now_ms().into()],
                )?;
                serde_json::json!({})
            }
        };
        http::json_response(&answer, 200)
    }

    /// An agent's live queue socket; the route checked the session and
    /// passes the agent in `x-agent`.
    async fn accept_agent(&self, req: &Request) -> EdgeResult<Response> {
        let agent: AgentProfile = req
            .headers()
            .get("x-agent")?
            .and_then(|h| serde_json::from_str(&h).ok())
            .ok_or_else(crate::directory::not_logged_in)?;
        let pair = WebSocketPair::new()?;
        self.state
            .accept_websocket_with_tags(&pair.server, &["agent"]);
        pair.server.serialize_attachment(&Watcher {
            agent,
            status: PresenceStatus::Online,
        })?;
        let response = Response::from_websocket(pair.client)?;
        self.push(None).await;
        Ok(response)
    }

    fn watchers(&self, closing: Option<&WebSocket>) -> Vec<(WebSocket, Watcher)> {
        self.state
            .get_websockets()
            .into_iter()
            .filter(|ws| closing != Some(ws))
            .filter_map(|ws| {
                ws.deserialize_attachment::<Watcher>()
                    .ok()
                    .flatten()
                    .map(|w| (ws, w))
            })
            .collect()
    }

    fn online(&self, team: &str, closing: Option<&WebSocket>) -> u32 {
        let mut names: Vec<String> = self
            .watchers(closing)
            .into_iter()
            .filter(|(_, w)| w.status == PresenceStatus::Online)
            .filter(|(_, w)| w.agent.teams.is_empty() || w.agent.teams.iter().any(|t| t == team))
            .map(|(_, w)| w.agent.id)
            .collect();
        names.sort();
        names.dedup();
        names.len() as u32
    }

    fn ordered(&self) -> EdgeResult<Vec<(QueueEntry, HandoffPacket)>> {
        let rows: Vec<QueueRow> = self
            .sql()
            .exec("SELECT entry, packet FROM queue", None)?
            .to_array()?;
        let mut pairs = Vec::with_capacity(rows.len());
        for row in rows {
            pairs.push((
                serde_json::from_str::<QueueEntry>(&row.entry)?,
                serde_json::from_str::<HandoffPacket>(&row.packet)?,
            ));
        }
        let mut entries: Vec<QueueEntry> = pairs.iter().map(|(e, _)| e.clone()).collect();
        handoff::order_queue(&mut entries, now_ms());
        Ok(entries
            .into_iter()
            .filter_map(|e| {
                let packet = pairs
                    .iter()
                    .find(|(p, _)| p.conversation_id == e.conversation_id)?
                    .1
                    .clone();
                Some((e, packet))
            })
            .collect())
    }

    fn snapshot_for(&self, closing: Option<&WebSocket>) -> EdgeResult<InboxFrame> {
        let now = now_ms();
        let ordered = self.ordered()?;
        let entries: Vec<QueueEntry> = ordered.iter().map(|(e, _)| e.clone()).collect();
        let positions = handoff::positions(&entries);
        let waiting = ordered
            .into_iter()
            .zip(positions)
            .map(|((e, p), position)| QueueItem {
                conversation_id: e.conversation_id,
                team: e.team,
                team_name: p.team_name,
                position,
                trigger: e.trigger,
                reasons: p.reasons,
                sentiment: p.sentiment,
                wants: p.summary.wants,
                requested_at_ms: e.requested_at_ms,
                priority: e.base_priority + (now - e.requested_at_ms).max(0) as f32 / 60_000.0,
                page_url: p.page_url,
                locale: p.locale,
                visitor_name: p.visitor_name,
            })
            .collect();
        // One line per agent however many tabs they have open; online wins.
        let mut agents: Vec<AgentPresence> = self
            .watchers(closing)
            .into_iter()
            .map(|(_, w)| AgentPresence {
                id: w.agent.id,
                name: w.agent.name,
                teams: w.agent.teams,
                status: w.status,
            })
            .collect();
        agents.sort_by(|a, b| {
            (&a.name, &a.id, a.status != PresenceStatus::Online).cmp(&(
                &b.name,
                &b.id,
                b.status != PresenceStatus::Online,
            ))
        });
        agents.dedup_by(|a, b| a.id == b.id);
        Ok(InboxFrame::Queue { waiting, agents })
    }

    fn snapshot(&self) -> EdgeResult<InboxFrame> {
        self.snapshot_for(None)
    }

    /// After any change: the queue to every agent, each waiting visitor's
    /// place to their conversation.
    async fn push(&self, closing: Option<&WebSocket>) {
        let snapshot = match self.snapshot_for(closing) {
            Ok(s) => s,
            Err(e) => {
                worker::console_error!("inbox snapshot: {}", e.message);
                return;
            }
        };
        if let Ok(json) = serde_json::to_string(&snapshot) {
            for (ws, _) in self.watchers(closing) {
                let _ = ws.send_with_str(&json);
            }
        }
        let InboxFrame::Queue { waiting, .. } = snapshot;
        for item in waiting {
            let online = self.online(&item.team, closing);
            let status = QueueStatus {
                team: item.team_name.clone(),
                position: item.position,
                expected_wait_ms: handoff::expected_wait_ms(
                    &self.recent_waits(&item.team),
                    item.position,
                    online,
                ),
                agents_online: online,
            };
            if let Err(e) =
                conversation::push_queue_status(&self.env, &item.conversation_id, &status).await
            {
                worker::console_error!("queue status to {}: {}", item.conversation_id, e.message);
            }
        }
    }

    /// The latest knowledge-base version and its text. The bundled file is
    /// version 1, and again a new version when a deploy changes it while
    /// nobody has edited the knowledge base since.
    fn knowledge_head(&self, site: &str) -> EdgeResult<(i64, String)> {
        let rows: Vec<HeadRow> = self
            .sql()
            .exec(
                "SELECT version, toml, author FROM kb_versions ORDER BY version DESC LIMIT 1",
                None,
            )?
            .to_array()?;
        let (_, bundled) = knowledge::bundled(site);
        match rows.into_iter().next() {
            Some(head) if head.author != BUNDLED_AUTHOR || head.toml == bundled => {
                Ok((head.version, head.toml))
            }
            head => {
                let version = head.map_or(1, |h| h.version + 1);
                self.sql().exec(
                    "INSERT INTO kb_versions (version, toml, author, at_ms, change) VALUES (?, ?, ?, ?, ?)",
                    vec![version.into(), bundled.into(), BUNDLED_AUTHOR.into(), now_ms().into(), "the bundled file".into()],
                )?;
                Ok((version, bundled.to_string()))
            }
        }
    }

    fn refs(&self, query: &str, args: Vec<SqlStorageValue>) -> EdgeResult<Vec<ConversationRef>> {
        Ok(self.sql().exec(query, args)?.to_array()?)
    }

    fn recent_waits(&self, team: &str) -> Vec<u64> {
        self.sql()
            .exec(
                "SELECT wait_ms FROM claims WHERE team = ? ORDER BY at_ms DESC LIMIT ?",
                vec![team.into(), RECENT_CLAIMS.into()],
            )
            .and_then(|c| c.to_array::<WaitRow>())
            .map(|rows| rows.into_iter().map(|r| r.wait_ms.max(0) as u64).collect())
            .unwrap_or_default()
    }

    fn metrics(&self) -> EdgeResult<Response> {
        let rows: Vec<FactRow> = self
            .sql()
            .exec(
                "SELECT conversation_id, created_ms, team, trigger, handoff_ms, first_reply_ms, resolved_ms, rating FROM facts",
                None,
            )?
            .to_array()?;
        let facts: Vec<ConversationFacts> = rows
            .into_iter()
            .filter_map(|r| {
                Some(ConversationFacts {
                    conversation_id: r.conversation_id,
                    created_ms: r.created_ms?,
                    team: r.team,
                    trigger: r
                        .trigger
                        .and_then(|t| Trigger::ALL.into_iter().find(|x| x.as_str() == t)),
                    handoff_ms: r.handoff_ms,
                    first_reply_ms: r.first_reply_ms,
                    resolved_ms: r.resolved_ms,
                    rating: r.rating.and_then(|r| u8::try_from(r).ok()),
                })
            })
            .collect();
        http::json_response(&metrics::compute(&facts), 200)
    }
}
