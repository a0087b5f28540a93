//! The load benchmark's visitor: create, connect, send and wait, and the
//! samples it keeps.

use futures_util::{SinkExt, StreamExt};
use shared::protocol::{
    Author, ClientFrame, ConversationCreated, EventBody, ServerFrame, TicketIssued,
};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tests::{post, visitor_address, Socket};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

/// Questions the demo knowledge base answers with confidence, all
/// different (the same question twice would hand over).
pub const QUESTIONS: [&str; 5] = [
    "How much is a puncture repair?",
    "Where can I park my car?",
    "What are your opening hours?",
    "Do you rent bikes?",
    "How can I pay?",
];

#[derive(Clone)]
pub struct Target {
    pub base: String,
    pub ws_base: String,
}

pub struct Visitor {
    pub id: String,
    pub secret: String,
}

/// Latencies in milliseconds (or sizes in bytes), and a count of failures.
#[derive(Default)]
pub struct Samples {
    pub ms: Mutex<Vec<f64>>,
    pub failed: Mutex<u64>,
}

impl Samples {
    pub fn add(&self, d: Duration) {
        self.add_value(d.as_secs_f64() * 1000.0);
    }
    /// A sample that is not a time (bytes).
    pub fn add_value(&self, v: f64) {
        self.ms.lock().expect("samples").push(v);
    }
    pub fn fail(&self) {
        *self.failed.lock().expect("failures") += 1;
    }
    pub fn count(&self) -> usize {
        self.ms.lock().expect("samples").len()
    }
    pub fn failures(&self) -> u64 {
        *self.failed.lock().expect("failures")
    }
    pub fn percentile(&self, p: f64) -> f64 {
        let mut v = self.ms.lock().expect("samples").clone();
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(f64::total_cmp);
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i]
    }
    pub fn p50_p99(&self) -> String {
        format!("{:.0} / {:.0}", self.percentile(0.5), self.percentile(0.99))
    }
}

pub fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> tokio::task::JoinHandle<T> {
    tokio::task::spawn_blocking(f)
}

/// Opens a conversation as the widget does, from an address of its own.
pub async fn create(t: &Target) -> Option<Visitor> {
    let url = format!("{}/api/v1/conversations", t.base);
    let answer = blocking(move || {
        let address = visitor_address();
        post(
            &url,
            r#"{"site":"demo","locale":"en","page_url":"https://shop.example/","disclosure_version":1}"#,
            &[("cf-connecting-ip", address.as_str())],
        )
    })
    .await
    .ok()?;
    if answer.status != 201 {
        eprintln!("create: {} {}", answer.status, answer.body);
        return None;
    }
    let c: ConversationCreated = serde_json::from_str(&answer.body).ok()?;
    Some(Visitor {
        id: c.conversation_id,
        secret: c.visitor_secret,
    })
}

/// A ticket and a socket, resumed from `last_seq`; the frames of the
/// resume (welcome and replay) are read up to the end of the replay.
pub async fn connect(t: &Target, v: &Visitor, last_seq: u64) -> Option<(Socket, Vec<ServerFrame>)> {
    let url = format!("{}/api/v1/conversations/{}/ticket", t.base, v.id);
    let auth = format!("Bearer {}", v.secret);
    let answer = blocking(move || post(&url, "{}", &[("authorization", auth.as_str())]))
        .await
        .ok()?;
    if answer.status != 200 {
        return None;
    }
    let ticket: TicketIssued = serde_json::from_str(&answer.body).ok()?;
    let url = format!(
        "{}/api/v1/conversations/{}/ws?ticket={}",
        t.ws_base, v.id, ticket.ticket
    );
    // Bounded: while the edge restarts, its proxy may accept and never answer.
    let (mut socket, _) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::connect_async(url),
    )
    .await
    .ok()?
    .ok()?;
    send(&mut socket, &ClientFrame::Resume { last_seq })
        .await
        .ok()?;
    let mut frames = Vec::new();
    loop {
        let frame = recv(&mut socket, Duration::from_secs(30)).await?;
        let done = match &frame {
            ServerFrame::Welcome { replay_until, .. } => *replay_until == last_seq,
            ServerFrame::Event(e) => frames.iter().any(|f| matches!(f, ServerFrame::Welcome { replay_until, .. } if *replay_until == e.seq)),
            _ => false,
        };
        frames.push(frame);
        if done {
            return Some((socket, frames));
        }
    }
}

pub async fn send(socket: &mut Socket, frame: &ClientFrame) -> Result<(), ()> {
    let text = serde_json::to_string(frame).map_err(|_| ())?;
    match tokio::time::timeout(Duration::from_secs(10), socket.send(WsMessage::text(text))).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

/// Closes a socket without waiting long for an edge that may be gone.
pub async fn close(socket: &mut Socket) {
    let _ = tokio::time::timeout(Duration::from_secs(2), socket.close(None)).await;
}

pub async fn recv(socket: &mut Socket, wait: Duration) -> Option<ServerFrame> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??
        {
            Ok(WsMessage::Text(text)) => return serde_json::from_str(text.as_str()).ok(),
            Ok(WsMessage::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Sends one question; records the ack's and the AI answer's latency
/// (and when the ack came, for the longest gap without any).
pub async fn ask(
    socket: &mut Socket,
    text: &str,
    acks: &Samples,
    answers: &Samples,
    ack_times: Option<&Mutex<Vec<(Instant, Duration)>>>,
) -> bool {
    let id = Uuid::new_v4();
    let sent = Instant::now();
    if send(
        socket,
        &ClientFrame::Send {
            client_id: id,
            text: text.into(),
        },
    )
    .await
    .is_err()
    {
        acks.fail();
        return false;
    }
    let mut acked = false;
    loop {
        match recv(socket, Duration::from_secs(60)).await {
            Some(ServerFrame::Ack { client_id, .. }) if client_id == id => {
                let took = sent.elapsed();
                acks.add(took);
                if let Some(times) = ack_times {
                    times.lock().expect("ack times").push((sent, took));
                }
                acked = true;
            }
            Some(ServerFrame::Event(e)) if acked => {
                if let EventBody::Message(m) = &e.body {
                    if m.author == Author::Ai {
                        answers.add(sent.elapsed());
                        return true;
                    }
                }
            }
            Some(_) => {}
            None => {
                if !acked {
                    acks.fail();
                } else {
                    answers.fail();
                }
                return false;
            }
        }
    }
}
