//! Scenario 3: a hand-off wave while others keep chatting.

use crate::client::*;
use futures_util::StreamExt;
use shared::protocol::{Author, ClientFrame, EventBody, InboxFrame, ServerFrame};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tests::{post, Edge, QueueView};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

pub struct Wave {
    pub requested: usize,
    pub queued: Samples,
    pub agent_to_visitor: Samples,
    pub other_acks: Samples,
    pub longest_gap_ms: f64,
    pub queue_frame_bytes: Samples,
    /// A change frame's bytes over the changes it carries.
    pub bytes_per_change: Samples,
    pub claimed: usize,
}

pub fn admin_post(t: &Target, admin: &tests::Agent, path: &str, body: &str) -> tests::Answer {
    post(
        &format!("{}{path}", t.base),
        body,
        &[
            ("cookie", admin.cookie.as_str()),
            ("x-csrf-token", admin.csrf.as_str()),
            ("origin", t.base.as_str()),
        ],
    )
}

/// How the visitors of a wave arrive.
#[derive(Clone, Copy, PartialEq)]
pub enum Arrival {
    /// Over time, as visitors do: the 200 chatting over the 10 s before the
    /// wave, the 100 asking for a person over its 10 s.
    Spread,
    /// Each group in one moment (the stress case): the 200 chatting at
    /// once, the 100 of the wave created and connected at once when it
    /// starts, still asking for a person over its 10 s.
    Burst,
}

pub async fn handoff_wave(edge: &Edge, t: &Target, arrival: Arrival) -> Wave {
    const AGENTS: usize = 20;
    const WAVE: usize = 100;
    const CHATTING: usize = 200;
    let anna = edge.anna();
    let mut agents = Vec::new();
    for i in 0..AGENTS {
        let email = format!("load-agent-{i}@example.test");
        let body = serde_json::json!({"name": format!("Agent {i}"), "email": email, "password": "load-test-password"}).to_string();
        let added = admin_post(t, &anna, "/api/v1/agent/admin/agents", &body);
        assert!(
            added.status == 201 || added.status == 409,
            "add agent: {}",
            added.body
        );
        agents.push(edge.login(&email, "load-test-password"));
    }
    let requested_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let replied_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let queued = Arc::new(Samples::default());
    let frame_bytes = Arc::new(Samples::default());
    let per_change = Arc::new(Samples::default());
    let claimed = Arc::new(Mutex::new(HashSet::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));

    // Agents: watch the queue, claim in order, reply once.
    let mut agent_tasks = JoinSet::new();
    for agent in agents {
        let (t, requested_at, replied_at, queued, frame_bytes, per_change, claimed, stop) = (
            t.clone(),
            requested_at.clone(),
            replied_at.clone(),
            queued.clone(),
            frame_bytes.clone(),
            per_change.clone(),
            claimed.clone(),
            stop.clone(),
        );
        let inbox = edge
            .agent_socket(&agent, "/api/v1/agent/sites/demo/inbox")
            .await;
        agent_tasks.spawn(async move {
            let mut inbox = inbox;
            let mut view = QueueView::default();
            let mut tried = HashSet::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let msg = tokio::time::timeout(Duration::from_millis(500), inbox.next()).await;
                let Ok(Some(Ok(WsMessage::Text(text)))) = msg else {
                    continue;
                };
                frame_bytes.add_value(text.len() as f64);
                let Ok(frame) = serde_json::from_str::<InboxFrame>(text.as_str()) else {
                    continue;
                };
                if let InboxFrame::Changed {
                    upserts,
                    removed,
                    presence,
                    gone,
                } = &frame
                {
                    let changes = upserts.len() + removed.len() + presence.len() + gone.len();
                    per_change.add_value(text.len() as f64 / changes.max(1) as f64);
                }
                view.apply(frame);
                for item in &view.waiting {
                    let at = requested_at
                        .lock()
                        .expect("requests")
                        .get(&item.conversation_id)
                        .copied();
                    if let Some(at) = at {
                        let first = claimed
                            .lock()
                            .expect("claimed")
                            .insert(format!("seen:{}", item.conversation_id));
                        if first {
                            queued.add(at.elapsed());
                        }
                    }
                }
                let next = view
                    .waiting
                    .iter()
                    .map(|i| i.conversation_id.clone())
                    .find(|id| !tried.contains(id));
                let Some(id) = next else { continue };
                tried.insert(id.clone());
                let url = format!("{}/api/v1/agent/conversations/{id}/claim", t.base);
                let (cookie, csrf, origin) =
                    (agent.cookie.clone(), agent.csrf.clone(), t.base.clone());
                let answer = blocking(move || {
                    post(
                        &url,
                        "{}",
                        &[
                            ("cookie", cookie.as_str()),
                            ("x-csrf-token", csrf.as_str()),
                            ("origin", origin.as_str()),
                        ],
                    )
                })
                .await;
                if !matches!(answer, Ok(ref a) if a.status == 204) {
                    continue;
                }
                claimed.lock().expect("claimed").insert(id.clone());
                let (t2, agent2, replied_at) = (t.clone(), agent.clone(), replied_at.clone());
                tokio::spawn(async move {
                    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
                    let mut req = format!("{}/api/v1/agent/conversations/{id}/ws", t2.ws_base)
                        .into_client_request()
                        .expect("request");
                    req.headers_mut()
                        .insert("cookie", agent2.cookie.parse().expect("cookie"));
                    let Ok((mut s, _)) = tokio_tungstenite::connect_async(req).await else {
                        return;
                    };
                    replied_at
                        .lock()
                        .expect("replies")
                        .insert(id.clone(), Instant::now());
                    let _ = send(
                        &mut s,
                        &ClientFrame::Send {
                            client_id: Uuid::new_v4(),
                            text: "Hello, a person here.".into(),
                        },
                    )
                    .await;
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    close(&mut s).await;
                });
            }
        });
    }

    // 200 others keep chatting through the wave. Kept: (sent, time to ack)
    // of each of their messages; what counts is those sent during the wave.
    let ack_times: Arc<Mutex<Vec<(Instant, Duration)>>> = Arc::default();
    let mut chatters = JoinSet::new();
    for i in 0..CHATTING {
        let (t, ack_times, stop) = (t.clone(), ack_times.clone(), stop.clone());
        chatters.spawn(async move {
            if arrival == Arrival::Spread {
                tokio::time::sleep(Duration::from_millis((i * 10_000 / CHATTING) as u64)).await;
            }
            let Some(v) = create(&t).await else { return };
            let Some((mut s, _)) = connect(&t, &v, 0).await else {
                return;
            };
            let (acks, answers) = (Samples::default(), Samples::default());
            let mut k = i;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Answered questions, none twice in a row, never the same twice.
                let q = format!(
                    "{} ({})",
                    QUESTIONS[k % QUESTIONS.len()],
                    k / QUESTIONS.len()
                );
                k += 1;
                if !ask(&mut s, &q, &acks, &answers, Some(&ack_times)).await {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(1000 + (i as u64 * 37) % 1000)).await;
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(12)).await;

    // The wave: 100 visitors arrive within 10 s, ask a question, and ask for
    // a person.
    let agent_to_visitor = Arc::new(Samples::default());
    let mut wave = JoinSet::new();
    let wave_start = Instant::now();
    for i in 0..WAVE {
        let (t, requested_at, replied_at, agent_to_visitor) = (
            t.clone(),
            requested_at.clone(),
            replied_at.clone(),
            agent_to_visitor.clone(),
        );
        wave.spawn(async move {
            let asks_after = Duration::from_millis((i as u64 * 10_000) / WAVE as u64);
            if arrival == Arrival::Spread {
                tokio::time::sleep(asks_after).await;
            }
            let Some(v) = create(&t).await else { return };
            let Some((mut s, _)) = connect(&t, &v, 0).await else {
                return;
            };
            if arrival == Arrival::Burst {
                tokio::time::sleep(asks_after.saturating_sub(wave_start.elapsed())).await;
            }
            let (acks, answers) = (Samples::default(), Samples::default());
            if !ask(
                &mut s,
                QUESTIONS[i % QUESTIONS.len()],
                &acks,
                &answers,
                None,
            )
            .await
            {
                return;
            }
            requested_at
                .lock()
                .expect("requests")
                .insert(v.id.clone(), Instant::now());
            let _ = send(&mut s, &ClientFrame::RequestPerson {}).await;
            let deadline = Instant::now() + Duration::from_secs(90);
            while Instant::now() < deadline {
                match recv(&mut s, Duration::from_secs(90)).await {
                    Some(ServerFrame::Event(e)) => {
                        if let EventBody::Message(m) = &e.body {
                            if matches!(m.author, Author::Agent { .. }) {
                                if let Some(at) = replied_at.lock().expect("replies").get(&v.id) {
                                    agent_to_visitor.add(at.elapsed());
                                }
                                return;
                            }
                        }
                    }
                    Some(_) => {}
                    None => return,
                }
            }
        });
    }
    while wave.join_next().await.is_some() {}
    let wave_end = Instant::now();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    while chatters.join_next().await.is_some() {}
    while agent_tasks.join_next().await.is_some() {}

    // The chatters' messages sent during the wave: their acks, and the
    // longest time without any ack.
    let during: Vec<(Instant, Duration)> = ack_times
        .lock()
        .expect("ack times")
        .iter()
        .copied()
        .filter(|(sent, _)| *sent >= wave_start && *sent <= wave_end)
        .collect();
    let other_acks = Samples::default();
    for (_, took) in &during {
        other_acks.add(*took);
    }
    let mut times: Vec<Instant> = during.iter().map(|(sent, took)| *sent + *took).collect();
    times.sort();
    let longest_gap_ms = times
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64() * 1000.0)
        .fold(0.0, f64::max);
    let claimed_count = claimed
        .lock()
        .expect("claimed")
        .iter()
        .filter(|k| !k.starts_with("seen:"))
        .count();
    let requested = requested_at.lock().expect("requests").len();
    Wave {
        requested,
        queued: Arc::try_unwrap(queued).unwrap_or_default(),
        agent_to_visitor: Arc::try_unwrap(agent_to_visitor).unwrap_or_default(),
        other_acks,
        longest_gap_ms,
        queue_frame_bytes: Arc::try_unwrap(frame_bytes).unwrap_or_default(),
        bytes_per_change: Arc::try_unwrap(per_change).unwrap_or_default(),
        claimed: claimed_count,
    }
}
