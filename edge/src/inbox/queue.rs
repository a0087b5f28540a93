//! The queue of waiting hand-offs and the agents watching it: who is
//! online, the order (`shared::handoff`), and what each socket is told
//! after a change.

use super::{Dequeue, Enqueue, Inbox};
use crate::conversation;
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::object;
use serde::{Deserialize, Serialize};
use shared::handoff::{self, HandoffPacket, QueueEntry};
use shared::protocol::{
    AgentPresence, AgentProfile, ErrorCode, InboxClientFrame, InboxFrame, PresenceStatus,
    QueueItem, QueueStatus, MAX_FRAME_BYTES,
};
use worker::{Request, Response, WebSocket, WebSocketIncomingMessage, WebSocketPair};

/// How many recent claims the expected wait is taken from.
const RECENT_CLAIMS: i64 = 20;

/// An agent socket's attachment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Watcher {
    pub agent: AgentProfile,
    pub status: PresenceStatus,
}

#[derive(Deserialize)]
struct QueueRow {
    entry: String,
    packet: String,
}

#[derive(Deserialize)]
struct WaitRow {
    wait_ms: i64,
}

impl Inbox {
    pub(super) async fn enqueue(&self, c: Enqueue) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT OR IGNORE INTO queue (conversation_id, entry, packet) VALUES (?, ?, ?)",
            vec![
                c.entry.conversation_id.clone().into(),
                serde_json::to_string(&c.entry)?.into(),
                serde_json::to_string(&c.packet)?.into(),
            ],
        )?;
        self.push(None).await;
        Ok(())
    }

    pub(super) async fn dequeue(&self, c: Dequeue) -> EdgeResult<()> {
        let rows: Vec<QueueRow> = self
            .sql()
            .exec(
                "DELETE FROM queue WHERE conversation_id = ? RETURNING entry, packet",
                vec![c.conversation_id.into()],
            )?
            .to_array()?;
        if let (true, Some(row)) = (c.claimed, rows.first()) {
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
        Ok(())
    }

    /// An agent's live queue socket; the route checked the session.
    pub(super) async fn accept_agent(&self, req: &Request) -> EdgeResult<Response> {
        let agent = object::agent_of(req)?;
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

    /// A frame from an agent's socket: only presence changes.
    pub(super) async fn agent_frame(&self, ws: &WebSocket, message: WebSocketIncomingMessage) {
        let refusal = match message {
            WebSocketIncomingMessage::String(text) if text.len() <= MAX_FRAME_BYTES => {
                match serde_json::from_str::<InboxClientFrame>(&text) {
                    Ok(InboxClientFrame::Presence { status }) => {
                        match self.set_presence(ws, status) {
                            Ok(()) => {
                                self.push(None).await;
                                return;
                            }
                            Err(e) => e,
                        }
                    }
                    Err(e) => {
                        EdgeError::new(ErrorCode::Malformed, format!("frame is not valid: {e}"))
                    }
                }
            }
            WebSocketIncomingMessage::String(text) => {
                shared::protocol::FrameError::TooLarge { bytes: text.len() }.into()
            }
            WebSocketIncomingMessage::Binary(_) => shared::protocol::FrameError::Binary.into(),
        };
        let frame = shared::protocol::ServerFrame::Error {
            code: refusal.code,
            message: refusal.message,
            client_id: None,
        };
        if let Ok(json) = serde_json::to_string(&frame) {
            let _ = ws.send_with_str(json);
        }
    }

    fn set_presence(&self, ws: &WebSocket, status: PresenceStatus) -> EdgeResult<()> {
        if let Some(mut watcher) = ws.deserialize_attachment::<Watcher>()? {
            watcher.status = status;
            ws.serialize_attachment(&watcher)?;
        }
        Ok(())
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

    /// People of `team` online now (each once, however many tabs).
    pub(super) fn online(&self, team: &str, closing: Option<&WebSocket>) -> u32 {
        let mut ids: Vec<String> = self
            .watchers(closing)
            .into_iter()
            .filter(|(_, w)| w.status == PresenceStatus::Online)
            .filter(|(_, w)| w.agent.teams.is_empty() || w.agent.teams.iter().any(|t| t == team))
            .map(|(_, w)| w.agent.id)
            .collect();
        ids.sort();
        ids.dedup();
        ids.len() as u32
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
        let now = now_ms();
        pairs.sort_by(|(a, _), (b, _)| handoff::queue_order(a, b, now));
        Ok(pairs)
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

    pub(super) fn snapshot(&self) -> EdgeResult<InboxFrame> {
        self.snapshot_for(None)
    }

    /// After any change: the queue to every agent, each waiting visitor's
    /// place to their conversation.
    pub(super) async fn push(&self, closing: Option<&WebSocket>) {
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
                conversation::push_queue_status(&self.env, &item.conversation_id, status).await
            {
                worker::console_error!("queue status to {}: {}", item.conversation_id, e.message);
            }
        }
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
}
