//! Scenario 5: `kill -9` of the edge mid-traffic, every client resending
//! its outbox.

use crate::client::*;
use futures_util::StreamExt;
use shared::protocol::{Author, ClientFrame, EventBody, ServerFrame};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};
use tests::Edge;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

pub struct Crash {
    pub visitors: usize,
    pub acked: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub gaps: usize,
}

/// A visitor that writes `n` messages, keeping unacknowledged ones in an
/// outbox it resends on every reconnect, as the widget does.
pub async fn resilient_writer(t: Target, v: Visitor, n: usize) -> HashSet<Uuid> {
    let mut outbox: BTreeMap<Uuid, String> = BTreeMap::new();
    let mut acked: HashSet<Uuid> = HashSet::new();
    let mut written = 0;
    let mut last_seq = 0;
    let give_up = Instant::now() + Duration::from_secs(180);
    while (written < n || !outbox.is_empty()) && Instant::now() < give_up {
        let Some((mut s, frames)) = connect(&t, &v, last_seq).await else {
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        };
        for f in &frames {
            if let ServerFrame::Event(e) = f {
                last_seq = last_seq.max(e.seq);
            }
        }
        for (id, text) in &outbox {
            let _ = send(
                &mut s,
                &ClientFrame::Send {
                    client_id: *id,
                    text: text.clone(),
                },
            )
            .await;
        }
        loop {
            if Instant::now() >= give_up {
                break;
            }
            if written < n {
                let id = Uuid::new_v4();
                let text = format!("message {written} from a busy visitor");
                outbox.insert(id, text.clone());
                written += 1;
                if send(
                    &mut s,
                    &ClientFrame::Send {
                        client_id: id,
                        text,
                    },
                )
                .await
                .is_err()
                {
                    break;
                }
            } else if outbox.is_empty() {
                break;
            }
            let until = tokio::time::Instant::now() + Duration::from_millis(150);
            let mut broken = false;
            // Refused for now (the per-conversation rate limit after a
            // burst of resends): sent again after this window, as the
            // widget's retry would.
            let mut refused = Vec::new();
            loop {
                match tokio::time::timeout_at(until, s.next()).await {
                    Err(_) => break,
                    Ok(Some(Ok(WsMessage::Text(text)))) => {
                        match serde_json::from_str::<ServerFrame>(text.as_str()) {
                            Ok(ServerFrame::Ack { client_id, .. }) => {
                                outbox.remove(&client_id);
                                acked.insert(client_id);
                            }
                            Ok(ServerFrame::Event(e)) => last_seq = last_seq.max(e.seq),
                            Ok(ServerFrame::Error {
                                client_id: Some(id),
                                ..
                            }) => refused.push(id),
                            _ => {}
                        }
                    }
                    Ok(Some(Ok(_))) => {}
                    _ => {
                        broken = true;
                        break;
                    }
                }
            }
            if broken {
                break;
            }
            if written >= n && !refused.is_empty() {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            for id in refused {
                if let Some(text) = outbox.get(&id) {
                    let frame = ClientFrame::Send {
                        client_id: id,
                        text: text.clone(),
                    };
                    if send(&mut s, &frame).await.is_err() {
                        broken = true;
                        break;
                    }
                }
            }
            if broken {
                break;
            }
        }
        close(&mut s).await;
    }
    acked
}

pub async fn crash(edge: &mut Edge, t: &Target) -> Crash {
    const N: usize = 100;
    const MESSAGES: usize = 20;
    let mut visitors = Vec::new();
    for _ in 0..N {
        if let Some(v) = create(t).await {
            visitors.push(v);
        }
    }
    let mut tasks = JoinSet::new();
    for v in &visitors {
        let (t, v) = (
            t.clone(),
            Visitor {
                id: v.id.clone(),
                secret: v.secret.clone(),
            },
        );
        tasks.spawn(async move { (v.id.clone(), resilient_writer(t, v, MESSAGES).await) });
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    edge.restart();
    let mut acked: HashMap<String, HashSet<Uuid>> = HashMap::new();
    while let Some(r) = tasks.join_next().await {
        if let Ok((id, a)) = r {
            acked.insert(id, a);
        }
    }
    // What is stored: every event of every conversation, by replay.
    let (mut lost, mut duplicated, mut gaps, mut total_acked) = (0, 0, 0, 0);
    for v in &visitors {
        let Some((mut s, mut frames)) = connect(t, v, 0).await else {
            continue;
        };
        // Replays are bounded: ask again from where each ended.
        loop {
            let last = frames.iter().rev().find_map(|f| match f {
                ServerFrame::Event(e) => Some(e.seq),
                _ => None,
            });
            let head = frames.iter().find_map(|f| match f {
                ServerFrame::Welcome { last_seq, .. } => Some(*last_seq),
                _ => None,
            });
            match (last, head) {
                (Some(l), Some(h)) if l < h => {
                    let _ = send(&mut s, &ClientFrame::Resume { last_seq: l }).await;
                    while let Some(f) = recv(&mut s, Duration::from_secs(10)).await {
                        let end = matches!(&f, ServerFrame::Event(e) if e.seq >= h);
                        frames.push(f);
                        if end {
                            break;
                        }
                    }
                    if frames.iter().rev().find_map(|f| match f {
                        ServerFrame::Event(e) => Some(e.seq),
                        _ => None,
                    }) == Some(l)
                    {
                        break;
                    }
                }
                _ => break,
            }
        }
        let mut seqs = Vec::new();
        let mut stored: HashMap<Uuid, usize> = HashMap::new();
        for f in &frames {
            if let ServerFrame::Event(e) = f {
                seqs.push(e.seq);
                if let EventBody::Message(m) = &e.body {
                    if let (Author::Visitor, Some(id)) = (&m.author, m.client_id) {
                        *stored.entry(id).or_default() += 1;
                    }
                }
            }
        }
        seqs.sort_unstable();
        seqs.dedup();
        gaps += seqs.windows(2).filter(|w| w[1] != w[0] + 1).count();
        let mine = acked.get(&v.id).cloned().unwrap_or_default();
        total_acked += mine.len();
        lost += mine.iter().filter(|id| !stored.contains_key(id)).count();
        duplicated += stored.values().filter(|&&n| n > 1).count();
        close(&mut s).await;
    }
    Crash {
        visitors: visitors.len(),
        acked: total_acked,
        lost,
        duplicated,
        gaps,
    }
}
