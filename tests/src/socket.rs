//! Speaking the chat protocol over a raw WebSocket: send, receive, wait
//! for a frame, and read everything up to a barrier.

use crate::{Edge, Socket, Visitor};
use futures_util::{SinkExt, StreamExt};
use shared::protocol::{
    AgentPresence, ClientFrame, ConversationState, ErrorCode, Event, EventBody, InboxFrame,
    QueueItem, ServerFrame,
};
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

/// A visitor on `site` (speaking `locale`) with a socket that has resumed
/// from the start.
pub async fn conversation_on(edge: &Edge, site: &str, locale: &str) -> (Visitor, Socket) {
    let visitor = edge.new_visitor_in(site, locale);
    let mut socket = edge.connect(&visitor).await;
    send(&mut socket, &ClientFrame::Resume { last_seq: 0 }).await;
    assert!(matches!(
        recv(&mut socket).await,
        ServerFrame::Welcome { .. }
    ));
    (visitor, socket)
}

/// The AI's answer to `question` in a new conversation on `site` in
/// `locale`: its text, and the entry it came from.
pub async fn ai_answer_in(
    edge: &Edge,
    site: &str,
    locale: &str,
    question: &str,
) -> (String, Option<String>) {
    let (_visitor, mut socket) = conversation_on(edge, site, locale).await;
    say(&mut socket, question).await;
    let event = event_where(
        &mut socket,
        |b| matches!(b, EventBody::Message(m) if m.author == shared::protocol::Author::Ai),
    )
    .await;
    match event.body {
        EventBody::Message(m) => (m.text, m.source.map(|s| s.entry_id)),
        _ => unreachable!("a message"),
    }
}

/// `agent` claims conversation `id` and writes `text` in it; returns once
/// the edge acknowledged it, with the agent's socket.
pub async fn claim_and_reply(edge: &Edge, agent: &crate::Agent, id: &str, text: &str) -> Socket {
    let claim = edge.agent_post(agent, &format!("/api/v1/agent/conversations/{id}/claim"));
    assert_eq!(claim.status, 204, "{}", claim.body);
    let mut socket = edge
        .agent_socket(agent, &format!("/api/v1/agent/conversations/{id}/ws"))
        .await;
    let sent = uuid::Uuid::new_v4();
    let reply = ClientFrame::Send {
        client_id: sent,
        text: text.into(),
    };
    send(&mut socket, &reply).await;
    loop {
        if let ServerFrame::Ack { client_id, .. } = recv(&mut socket).await {
            if client_id == sent {
                return socket;
            }
        }
    }
}

/// The visitor writes `text`; its client id.
pub async fn say(socket: &mut Socket, text: &str) -> uuid::Uuid {
    let id = uuid::Uuid::new_v4();
    let frame = ClientFrame::Send {
        client_id: id,
        text: text.into(),
    };
    send(socket, &frame).await;
    id
}

/// The next stored event, skipping live-only frames (queue, typing, acks).
pub async fn next_event(socket: &mut Socket) -> Event {
    loop {
        match recv(socket).await {
            ServerFrame::Event(e) => return e,
            ServerFrame::Error { code, message, .. } => panic!("error {code:?}: {message}"),
            _ => {}
        }
    }
}

/// Events until one matches (included).
pub async fn event_where(socket: &mut Socket, want: impl Fn(&EventBody) -> bool) -> Event {
    loop {
        let e = next_event(socket).await;
        if want(&e.body) {
            return e;
        }
    }
}

pub fn is_state(body: &EventBody, want: ConversationState) -> bool {
    matches!(body, EventBody::State { state, .. } if *state == want)
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
                presence,
                gone,
            } => {
                self.waiting.retain(|i| {
                    !removed.contains(&i.conversation_id)
                        && !upserts
                            .iter()
                            .any(|u| u.conversation_id == i.conversation_id)
                });
                self.waiting.extend(upserts);
                shared::presence::apply(&mut self.agents, presence, &gone);
            }
            // Tickets are not part of the queue.
            InboxFrame::Ticket { .. } => {}
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

/// The code and message of an error frame.
pub fn error_of(frame: &ServerFrame) -> Option<(ErrorCode, String)> {
    match frame {
        ServerFrame::Error { code, message, .. } => Some((*code, message.clone())),
        _ => None,
    }
}

/// The next error frame, skipping others.
pub async fn next_error(socket: &mut Socket) -> (ErrorCode, String) {
    loop {
        if let Some(e) = error_of(&recv(socket).await) {
            return e;
        }
    }
}
