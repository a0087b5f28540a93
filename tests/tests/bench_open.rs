//! Benchmark, not a test: `cargo xtask bench-widget`. Time from the click
//! on the launcher to the widget's input being in place and focused, in
//! headless Chromium on loopback, each run in a fresh browser (cold cache).
//! Timed inside the page with `performance.now()`; the demo page and the
//! frame share the edge's origin, so the page can see into the frame.

use fantoccini::Locator;
use tests::{browser, eventually, Edge};

const RUNS: usize = 20;

#[tokio::test]
#[ignore = "a benchmark: run with cargo xtask bench-widget"]
async fn bench_launcher_click_to_input_ready() {
    let edge = Edge::start();
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let client = browser(1280, 900).await;
        client
            .goto(&format!("{}/demo/", edge.base()))
            .await
            .expect("demo page");
        eventually(20, "the launcher", || async {
            client.find(Locator::Css("#chat-widget")).await.ok()
        })
        .await;
        let ms = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const root = document.querySelector('#chat-widget').shadowRoot;
                 const t0 = performance.now();
                 root.querySelector('button').click();
                 (function check() {
                   const f = root.querySelector('iframe');
                   const d = f && f.contentDocument;
                   const input = d && d.querySelector('#chat-input');
                   if (input && d.activeElement === input) return done(performance.now() - t0);
                   setTimeout(check, 1);
                 })();",
                vec![],
            )
            .await
            .expect("timing");
        times.push(ms.as_f64().expect("milliseconds"));
        client.close().await.ok();
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = (sorted[RUNS / 2 - 1] + sorted[RUNS / 2]) / 2.0;
    println!(
        "launcher click to focused input, {RUNS} cold runs: median {median:.0} ms, min {:.0} ms, max {:.0} ms; all: {:?}",
        sorted[0],
        sorted[RUNS - 1],
        times.iter().map(|t| t.round() as i64).collect::<Vec<_>>()
    );
}
