//! Benchmark, not a test: `cargo xtask bench-cold`. The CPU a cold isolate
//! spends on a visitor's first FAQ answer, now that each knowledge-base
//! version's index is built once and stored in the site's inbox: the edge
//! is restarted before each run (new isolates, same stored state), a
//! conversation is opened, and workerd's CPU time (`/proc`, all its
//! threads: the worker, both objects, SQLite) is read before the question
//! and after its answer. The demo site's English index (925 phrasings,
//! with word vectors) is what is read. A second question in the same
//! isolate shows what a warm answer costs.
//!
//! `/proc` counts in clock ticks (10 ms here): single runs are coarse, the
//! mean of many is not.

use shared::protocol::{Author, EventBody};
use tests::{conversation_on, event_where, say, Edge};

const RUNS: usize = 12;

/// Asks and waits for the AI's answer; the workerd CPU it took, in ms.
async fn answer_cpu_ms(edge: &Edge, socket: &mut tests::Socket, question: &str) -> f64 {
    // Let the work of opening the conversation finish first.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let before = edge.workerd_cpu_s();
    say(socket, question).await;
    event_where(
        socket,
        |b| matches!(b, EventBody::Message(m) if m.author == Author::Ai),
    )
    .await;
    (edge.workerd_cpu_s() - before) * 1000.0
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[tokio::test]
#[ignore = "a benchmark: run with cargo xtask bench-cold"]
async fn bench_cold_isolate_first_answer_cpu() {
    let mut edge = Edge::start();
    // The first question ever stores version 1 and builds its index (once).
    let (_, mut socket) = conversation_on(&edge, "demo", "en").await;
    let first_ever = answer_cpu_ms(&edge, &mut socket, "where can I park my car").await;
    drop(socket);
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        edge.restart();
        let (_, mut socket) = conversation_on(&edge, "demo", "en").await;
        cold.push(answer_cpu_ms(&edge, &mut socket, "do you fix flat tyres").await);
        warm.push(answer_cpu_ms(&edge, &mut socket, "when are you open on saturday").await);
    }
    println!(
        "workerd CPU per answer, demo site in English, {RUNS} runs: \
         first answer ever (index built and stored) {first_ever:.0} ms; \
         cold isolate's first answer (index read) mean {:.1} ms; warm answer mean {:.1} ms\n\
         cold: {cold:?}\nwarm: {warm:?}",
        mean(&cold),
        mean(&warm),
    );
}
