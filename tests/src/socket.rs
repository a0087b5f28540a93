//! Speaking the chat protocol over a raw WebSocket: send, receive, wait
//! for a frame, and read everything up to a barrier.

use crate::Socket;
use futures_util::{SinkExt, StreamExt};
use shared::protocol::{AgentPresence, ClientFrame, InboxFrame, QueueItem, ServerFrame};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// The next inbox frame (the agent's queue), or a panic after 10 s.
pub async fn recv_inbox(socket: &mut Socket) -> shared::protocol::InboxFrame {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let msg = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("an inbox frame within 10 s");
        if let Some(Ok(WsMessage::Text(text))) = msg {
            return serde_json::from_str(text.as_str())
                .unwrap_or_else(|e| panic!("bad inbox frame {text}: {e}"));
        }
    }
}

pub async fn send(socket: &mut Socket, frame: &ClientFrame) {
    send_raw(socket, &serde_json::to_string(frame).expect("json")).await;
}

pub async fn send_raw(socket: &mut Socket, text: &str) {
    socket
        .send(WsMessage::text(text.to_string()))
        .await
        .expect("send");
}

/// The next server frame, or a panic after 10 s.
pub async fn recv(socket: &mut Socket) -> ServerFrame {
    try_recv(socket, Duration::from_secs(10))
        .await
        .expect("a frame within 10 s")
}

/// The next server frame within `wait`, if any.
pub async fn try_recv(socket: &mut Socket, wait: Duration) -> Option<ServerFrame> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let msg = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??
            .ok()?;
        if let WsMessage::Text(text) = msg {
            return Some(
                serde_json::from_str(text.as_str())
                    .unwrap_or_else(|e| panic!("bad frame {text}: {e}")),
            );
        }
    }
}

/// Every frame the edge sends before a barrier: an unknown frame type is
/// sent, and its refusal comes after everything the conversation sent in
/// answer to earlier frames (it handles a socket's frames in order). A
/// check that something must not arrive reads these, instead of waiting
/// for a quiet moment that a late frame could outlast.
pub async fn frames_before_barrier(socket: &mut Socket) -> Vec<ServerFrame> {
    send_raw(socket, r#"{"barrier":{}}"#).await;
    let mut frames = recv_until(socket, |f| {
        matches!(
            f,
            ServerFrame::Error {
                code: shared::protocol::ErrorCode::UnknownType,
                ..
            }
        )
    })
    .await;
    frames.pop();
    frames
}

/// Frames until `stop` matches one (included), or a panic after 10 s.
pub async fn recv_until(
    socket: &mut Socket,
    stop: impl Fn(&ServerFrame) -> bool,
) -> Vec<ServerFrame> {
    let mut frames = Vec::new();
    loop {
        let frame = recv(socket).await;
        let done = stop(&frame);
        frames.push(frame);
        if done {
            return frames;
        }
    }
}

/// A site's queue as an agent's inbox socket has told it, kept as the
/// panel keeps it: the snapshot on connect, then each change, in the
/// queue's order.
#[derive(Debug, Default)]
pub struct QueueView {
    pub waiting: Vec<QueueItem>,
    pub agents: Vec<AgentPresence>,
}

impl QueueView {
    pub fn apply(&mut self, frame: InboxFrame) {
        match frame {
            InboxFrame::Queue { waiting, agents } => {
                self.waiting = waiting;
                self.agents = agents;
            }
            InboxFrame::Changed {
                upserts,
                removed,
                agents,
            } => {
                self.waiting.retain(|i| {
                    !removed.contains(&i.conversation_id)
                        && !upserts
                            .iter()
                            .any(|u| u.conversation_id == i.conversation_id)
                });
                self.waiting.extend(upserts);
                if let Some(agents) = agents {
                    self.agents = agents;
                }
            }
        }
        let rank = |i: &QueueItem| shared::handoff::queue_rank(i.base_priority, i.requested_at_ms);
        self.waiting.sort_by(|a, b| {
            rank(b)
                .total_cmp(&rank(a))
                .then(a.requested_at_ms.cmp(&b.requested_at_ms))
        });
    }

    /// Reads frames until `want` holds (a panic after 10 s without one).
    pub async fn until(&mut self, socket: &mut Socket, want: impl Fn(&QueueView) -> bool) {
        while !want(self) {
            self.apply(recv_inbox(socket).await);
        }
    }
}
