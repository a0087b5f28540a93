//! The queue of waiting hand-offs and the agents watching it.
//!
//! A change (a hand-off queued or leaving, an agent coming, going or
//! setting themselves away) is written down in `pending` and answered at
//! once; the object's alarm flushes what is pending a moment later, so a
//! burst of changes costs one flush. A flush sends each agent socket only
//! what changed within the agent's teams, and each waiting conversation its
//! place only when that place (or the team's wait) changed. Nobody waits
//! for the fan-out: a hand-off is acknowledged once it is stored.

use super::{Dequeue, Enqueue, Inbox};
use crate::conversation;
use crate::directory;
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::object::{self, AgentContext};
use serde::{Deserialize, Serialize};
use shared::access;
use shared::handoff::{self, PlaceNews, QueueEntry};
use shared::presence;
use shared::protocol::{
    AgentPresence, AgentProfile, ErrorCode, InboxClientFrame, InboxFrame, PresenceStatus,
    QueueItem, QueueStatus, ServerFrame, MAX_FRAME_BYTES,
};
use worker::{Request, Response, WebSocket, WebSocketIncomingMessage, WebSocketPair};

/// How many recent claims the expected wait is taken from.
const RECENT_CLAIMS: i64 = 20;
/// A flush follows a change by this much; changes meanwhile join it.
const FLUSH_AFTER_MS: i64 = 200;
/// Conversations told their place at once during a flush.
const PLACES_AT_ONCE: usize = 16;
/// Agents whose presence changed since the last flush (each is sent as
/// its line now, or as gone).
pub(super) const PRESENCE_PENDING: &str =
    "CREATE TABLE IF NOT EXISTS presence_pending (agent_id TEXT PRIMARY KEY)";

/// An agent socket's attachment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Watcher {
    pub agent: AgentProfile,
    pub status: PresenceStatus,
    /// The session it was opened in: revoking it closes the socket.
    pub session: String,
}

#[derive(Deserialize)]
struct WaitingRow {
    conversation_id: String,
    team: String,
    team_name: String,
    base_priority: f64,
    requested_at_ms: i64,
    /// The queue status last told, and when.
    status: Option<String>,
    told_ms: Option<i64>,
}

impl WaitingRow {
    fn entry(&self) -> QueueEntry {
        QueueEntry {
            conversation_id: self.conversation_id.clone(),
            team: self.team.clone(),
            trigger: shared::protocol::Trigger::PersonButton,
            frustration: 0.0,
            requested_at_ms: self.requested_at_ms,
            base_priority: self.base_priority as f32,
        }
    }
}

impl Inbox {
    pub(super) async fn enqueue(&self, c: Enqueue) -> EdgeResult<()> {
        let item = handoff::queue_item(&c.entry, &c.packet);
        let added = self.sql().exec(
            "INSERT OR IGNORE INTO waiting (conversation_id, team, team_name, base_priority, requested_at_ms, item, packet)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                c.entry.conversation_id.clone().into(),
                c.entry.team.clone().into(),
                c.packet.team_name.clone().into(),
                f64::from(c.entry.base_priority).into(),
                c.entry.requested_at_ms.into(),
                serde_json::to_string(&item)?.into(),
                serde_json::to_string(&c.packet)?.into(),
            ],
        )?;
        let added = added.rows_written() > 0;
        self.changed(&c.entry.conversation_id, None).await?;
        if added {
            self.raise(super::alerts::Happened::handoff(&c.entry)).await;
        }
        Ok(())
    }

    pub(super) async fn dequeue(&self, c: Dequeue) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct Gone {
            team: String,
            requested_at_ms: i64,
        }
        let rows: Vec<Gone> = self
            .sql()
            .exec(
                "DELETE FROM waiting WHERE conversation_id = ? RETURNING team, requested_at_ms",
                vec![c.conversation_id.clone().into()],
            )?
            .to_array()?;
        let Some(gone) = rows.into_iter().next() else {
            return Ok(());
        };
        let team = gone.team.clone();
        if c.claimed {
            let now = now_ms();
            self.sql().exec(
                "INSERT INTO claims (team, wait_ms, at_ms) VALUES (?, ?, ?)",
                vec![
                    gone.team.into(),
                    (now - gone.requested_at_ms).max(0).into(),
                    now.into(),
                ],
            )?;
        }
        self.changed(&c.conversation_id, Some(&team)).await
    }

    /// Writes a change down and makes sure a flush follows. `removed_from`
    /// is the team a conversation left the queue of.
    pub(super) async fn changed(&self, id: &str, removed_from: Option<&str>) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT OR REPLACE INTO pending (conversation_id, removed_from) VALUES (?, ?)",
            vec![id.into(), removed_from.into()],
        )?;
        self.flush_soon().await
    }

    /// An agent came, went or changed their status.
    async fn presence_changed(&self, agent_id: &str) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT OR IGNORE INTO presence_pending (agent_id) VALUES (?)",
            vec![agent_id.into()],
        )?;
        self.flush_soon().await
    }

    async fn flush_soon(&self) -> EdgeResult<()> {
        if !self.flush_due.replace(true) {
            self.state.storage().set_alarm(FLUSH_AFTER_MS).await?;
        }
        Ok(())
    }

    /// An agent's live queue socket; the route checked the session and the
    /// site. It gets the queue of the agent's teams at once.
    pub(super) async fn accept_agent(&self, req: &Request) -> EdgeResult<Response> {
        let AgentContext { agent, session } = object::agent_of(req)?;
        let pair = WebSocketPair::new()?;
        self.state
            .accept_websocket_with_tags(&pair.server, &["agent"]);
        let watcher = Watcher {
            agent,
            status: PresenceStatus::Online,
            session,
        };
        pair.server.serialize_attachment(&watcher)?;
        let snapshot = self.snapshot_for(&watcher.agent)?;
        if let Ok(json) = serde_json::to_string(&snapshot) {
            let _ = pair.server.send_with_str(&json);
        }
        self.presence_changed(&watcher.agent.id).await?;
        Ok(Response::from_websocket(pair.client)?)
    }

    /// A frame from an agent's socket: only presence changes, from a
    /// session that is still valid.
    pub(super) async fn agent_frame(&self, ws: &WebSocket, message: WebSocketIncomingMessage) {
        let result = match message {
            WebSocketIncomingMessage::String(text) if text.len() <= MAX_FRAME_BYTES => {
                match serde_json::from_str::<InboxClientFrame>(&text) {
                    Ok(InboxClientFrame::Presence { status }) => {
                        self.set_presence(ws, status).await
                    }
                    Err(e) => Err(EdgeError::new(
                        ErrorCode::Malformed,
                        format!("frame is not valid: {e}"),
                    )),
                }
            }
            WebSocketIncomingMessage::String(text) => {
                Err(shared::protocol::FrameError::TooLarge { bytes: text.len() }.into())
            }
            WebSocketIncomingMessage::Binary(_) => Err(shared::protocol::FrameError::Binary.into()),
        };
        if let Err(refusal) = result {
            let frame = ServerFrame::Error {
                code: refusal.code,
                message: refusal.message,
                client_id: None,
            };
            if let Ok(json) = serde_json::to_string(&frame) {
                let _ = ws.send_with_str(json);
            }
        }
    }

    async fn set_presence(&self, ws: &WebSocket, status: PresenceStatus) -> EdgeResult<()> {
        let Some(mut watcher) = ws.deserialize_attachment::<Watcher>()? else {
            return Ok(());
        };
        let alive = directory::Alive {
            session: watcher.session.clone(),
        };
        match directory::call(&self.env, alive).await {
            Ok(agent) => watcher.agent = agent,
            Err(e) => {
                // Revoked meanwhile: no presence from it, and it closes.
                let _ = ws.close(Some(4401), Some("session ended"));
                self.presence_changed(&watcher.agent.id).await?;
                return Err(e);
            }
        }
        watcher.status = status;
        ws.serialize_attachment(&watcher)?;
        self.presence_changed(&watcher.agent.id).await
    }

    /// A socket closed (or was closed): its agent may have gone.
    pub(super) async fn agent_left(&self, ws: &WebSocket) {
        // A revoked socket lost its attachment: `revoke` noted its agent.
        let Ok(Some(watcher)) = ws.deserialize_attachment::<Watcher>() else {
            return;
        };
        // Until the runtime lets go of it, a closed socket is still listed.
        let _ = ws.serialize_attachment(Option::<Watcher>::None);
        if let Err(e) = self.presence_changed(&watcher.agent.id).await {
            worker::console_error!("inbox presence: {}", e.message);
        }
    }

    /// Closes the sockets of ended sessions.
    pub(super) async fn revoke(&self, sessions: &[String]) -> EdgeResult<()> {
        for (ws, watcher) in self.watchers(None) {
            if sessions.contains(&watcher.session) {
                // A closing socket is still listed until the runtime lets
                // go of it: without its attachment it no longer counts.
                let _ = ws.serialize_attachment(Option::<Watcher>::None);
                let _ = ws.close(Some(4401), Some("session ended"));
                self.presence_changed(&watcher.agent.id).await?;
            }
        }
        Ok(())
    }

    pub(super) fn watchers(&self, closing: Option<&WebSocket>) -> Vec<(WebSocket, Watcher)> {
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

    /// People of `team` online now (each once, however many tabs).
    pub(super) fn online(&self, team: &str) -> u32 {
        let mut ids: Vec<String> = self
            .watchers(None)
            .into_iter()
            .filter(|(_, w)| w.status == PresenceStatus::Online && access::in_team(&w.agent, team))
            .map(|(_, w)| w.agent.id)
            .collect();
        ids.sort();
        ids.dedup();
        ids.len() as u32
    }

    /// One line per agent however many tabs they have open; online wins.
    fn presence(&self) -> Vec<AgentPresence> {
        presence::one_line_per_agent(
            self.watchers(None)
                .into_iter()
                .map(|(_, w)| AgentPresence {
                    id: w.agent.id,
                    name: w.agent.name,
                    teams: w.agent.teams,
                    status: w.status,
                })
                .collect(),
        )
    }

    fn items(&self, query: &str, args: Vec<worker::SqlStorageValue>) -> EdgeResult<Vec<QueueItem>> {
        #[derive(Deserialize)]
        struct ItemRow {
            item: String,
        }
        let rows: Vec<ItemRow> = self.sql().exec(query, args)?.to_array()?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            items.push(serde_json::from_str(&row.item)?);
        }
        Ok(items)
    }

    /// The queue as `agent` may see it, and who is online.
    pub(super) fn snapshot_for(&self, agent: &AgentProfile) -> EdgeResult<InboxFrame> {
        let mut waiting: Vec<QueueItem> = self
            .items("SELECT item FROM waiting", Vec::new())?
            .into_iter()
            .filter(|i| access::in_team(agent, &i.team))
            .collect();
        waiting.sort_by(|a, b| {
            handoff::queue_rank(b.base_priority, b.requested_at_ms)
                .total_cmp(&handoff::queue_rank(a.base_priority, a.requested_at_ms))
                .then(a.requested_at_ms.cmp(&b.requested_at_ms))
        });
        Ok(InboxFrame::Queue {
            waiting,
            agents: self.presence(),
        })
    }

    /// What is pending goes out: changes to the agents, new places to the
    /// conversations whose place changed. Run by the alarm.
    pub(super) async fn flush(&self) -> EdgeResult<()> {
        self.flush_due.set(false);
        #[derive(Deserialize)]
        struct PendingRow {
            conversation_id: String,
            removed_from: Option<String>,
        }
        let pending: Vec<PendingRow> = self
            .sql()
            .exec(
                "DELETE FROM pending RETURNING conversation_id, removed_from",
                None,
            )?
            .to_array()?;
        #[derive(Deserialize)]
        struct PresenceRow {
            agent_id: String,
        }
        let touched: Vec<String> = self
            .sql()
            .exec("DELETE FROM presence_pending RETURNING agent_id", None)?
            .to_array::<PresenceRow>()?
            .into_iter()
            .map(|r| r.agent_id)
            .collect();
        if pending.is_empty() && touched.is_empty() {
            // Places held back (`handoff::place_news`) may be due.
            return self.tell_places().await;
        }
        let (presence, gone) = if touched.is_empty() {
            Default::default()
        } else {
            presence::changes(&self.presence(), &touched)
        };
        let removed: Vec<(&str, &str)> = pending
            .iter()
            .filter_map(|p| Some((p.conversation_id.as_str(), p.removed_from.as_deref()?)))
            .collect();
        let mut upserts = Vec::new();
        for p in pending.iter().filter(|p| p.removed_from.is_none()) {
            upserts.extend(self.items(
                "SELECT item FROM waiting WHERE conversation_id = ?",
                vec![p.conversation_id.clone().into()],
            )?);
        }
        for (ws, watcher) in self.watchers(None) {
            let mine = |team: &str| access::in_team(&watcher.agent, team);
            let frames = InboxFrame::changes(
                upserts.iter().filter(|i| mine(&i.team)).cloned().collect(),
                removed
                    .iter()
                    .filter(|(_, team)| mine(team))
                    .map(|(id, _)| id.to_string())
                    .collect(),
                presence.clone(),
                gone.clone(),
            );
            for frame in frames {
                if let Ok(json) = serde_json::to_string(&frame) {
                    let _ = ws.send_with_str(&json);
                }
            }
        }
        self.tell_places().await
    }

    /// Each waiting conversation whose place, or whose team's wait, is not
    /// what it was last told, is told anew (a few at a time), or later if
    /// `handoff::place_news` holds it back: then the alarm comes back for it.
    async fn tell_places(&self) -> EdgeResult<()> {
        let rows: Vec<WaitingRow> = self
            .sql()
            .exec(
                "SELECT conversation_id, team, team_name, base_priority, requested_at_ms, status, told_ms FROM waiting",
                None,
            )?
            .to_array()?;
        let mut entries: Vec<(QueueEntry, &WaitingRow)> =
            rows.iter().map(|r| (r.entry(), r)).collect();
        entries.sort_by(|(a, _), (b, _)| handoff::queue_order(a, b));
        let ordered: Vec<QueueEntry> = entries.iter().map(|(e, _)| e.clone()).collect();
        let positions = handoff::positions(&ordered);
        let mut team_waits: std::collections::BTreeMap<&str, (Vec<u64>, u32)> = Default::default();
        let mut to_tell: Vec<(String, QueueStatus)> = Vec::new();
        let now = now_ms();
        let mut held_back = false;
        for ((_, row), position) in entries.iter().zip(positions) {
            let (waits, online) = team_waits
                .entry(row.team.as_str())
                .or_insert_with(|| (self.recent_waits(&row.team), self.online(&row.team)));
            let status = QueueStatus {
                team: row.team_name.clone(),
                position,
                expected_wait_ms: handoff::expected_wait_ms(waits, position, *online),
                agents_online: *online,
            };
            let last: Option<QueueStatus> = row
                .status
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok());
            let told_ms = row.told_ms.unwrap_or(0);
            match handoff::place_news(last.as_ref(), told_ms, &status, now) {
                PlaceNews::Nothing => continue,
                PlaceNews::HoldBack => {
                    held_back = true;
                    continue;
                }
                PlaceNews::Tell => {}
            }
            self.sql().exec(
                "UPDATE waiting SET status = ?, told_ms = ? WHERE conversation_id = ?",
                vec![
                    serde_json::to_string(&status)?.into(),
                    now.into(),
                    row.conversation_id.clone().into(),
                ],
            )?;
            to_tell.push((row.conversation_id.clone(), status));
        }
        if held_back {
            self.wake_at(now + handoff::PLACE_REFRESH_MS).await?;
        }
        for chunk in to_tell.chunks(PLACES_AT_ONCE) {
            let calls = chunk
                .iter()
                .map(|(id, status)| conversation::push_queue_status(&self.env, id, status.clone()));
            for (result, (id, _)) in futures_util::future::join_all(calls)
                .await
                .into_iter()
                .zip(chunk)
            {
                if let Err(e) = result {
                    worker::console_error!("queue status to {id}: {}", e.message);
                }
            }
        }
        Ok(())
    }

    fn recent_waits(&self, team: &str) -> Vec<u64> {
        #[derive(Deserialize)]
        struct WaitRow {
            wait_ms: i64,
        }
        self.sql()
            .exec(
                "SELECT wait_ms FROM claims WHERE team = ? ORDER BY at_ms DESC LIMIT ?",
                vec![team.into(), RECENT_CLAIMS.into()],
            )
            .and_then(|c| c.to_array::<WaitRow>())
            .map(|rows| rows.into_iter().map(|r| r.wait_ms.max(0) as u64).collect())
            .unwrap_or_default()
    }
}
