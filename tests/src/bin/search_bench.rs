//! `cargo xtask bench-search`: searches on 10,000 conversations of one site
//! against the real edge (`wrangler dev`, workerd) on this machine. Not a
//! test: it measures and reports, into `docs/search.md`.
//!
//! The conversations are made up by the inbox itself (`edge/src/inbox/
//! seed.rs`, reachable only on a worker started with `SEARCH_SEED=1`, as
//! this one is): 8 lines each, words drawn from the demo knowledge base,
//! some common and most rare, with names, teams, reasons, ratings and
//! dates over 90 days. They go through the same index and facts as real
//! ones; the searches are the panel's own requests, as an admin (every
//! conversation) and as an agent of one team.

use shared::protocol::{ConversationState, SearchHit, SearchRequest};
use std::time::{Duration, Instant};
use tests::{repo_root, Agent, Edge};

const CONVERSATIONS: u64 = 10_000;
const BATCH: u64 = 250;
const RUNS: usize = 40;

fn main() {
    let edge = Edge::start_with_config(|toml| {
        toml.replacen("[vars]\n", "[vars]\nSEARCH_SEED = \"1\"\n", 1)
    });
    let anna = edge.anna();
    let ben = edge.login("ben@example.test", "ben-test-password");
    let now = tests::now_ms();

    // Seeding: what indexing a conversation of 8 lines costs.
    let cpu = edge.workerd_cpu_s();
    let start = Instant::now();
    let mut database: u64 = 0;
    for first in (0..CONVERSATIONS).step_by(BATCH as usize) {
        let body = serde_json::json!({"start": first, "count": BATCH, "now_ms": now}).to_string();
        let seeded = edge.agent_post_json(&anna, "/api/v1/agent/sites/demo/search/seed", &body);
        assert_eq!(seeded.status, 200, "seeding: {}", seeded.body);
        database = seeded.json();
    }
    let seed_wall_ms = start.elapsed().as_secs_f64() * 1000.0 / CONVERSATIONS as f64;
    let seed_cpu_ms = (edge.workerd_cpu_s() - cpu) * 1000.0 / CONVERSATIONS as f64;
    let stored = folder_bytes(edge.persist());

    let week_ago = now - 7 * 86_400_000;
    let queries: Vec<(&str, &Agent, SearchRequest)> = vec![
        ("a common word", &anna, words("bike")),
        ("a rarer word", &anna, words("chain")),
        ("two words", &anna, words("bike repair")),
        ("the start of a word", &anna, words("rep")),
        ("a word, one team's agent", &ben, words("bike")),
        (
            "a word, last 7 days, resolved",
            &anna,
            SearchRequest {
                words: "bike".into(),
                from_ms: Some(week_ago),
                state: Some(ConversationState::Resolved),
                ..Default::default()
            },
        ),
        (
            "visitor name",
            &anna,
            SearchRequest {
                visitor: "ruiz".into(),
                ..Default::default()
            },
        ),
        (
            "no words: rated 1, billing",
            &anna,
            SearchRequest {
                rating: Some(1),
                team: Some("billing".into()),
                ..Default::default()
            },
        ),
        ("a word in no conversation", &anna, words("zzyzx")),
    ];

    let mut rows = Vec::new();
    for (name, agent, query) in &queries {
        for _ in 0..3 {
            search(&edge, agent, query); // warm the isolate and the object
        }
        std::thread::sleep(Duration::from_millis(500));
        let cpu = edge.workerd_cpu_s();
        let mut times = Vec::with_capacity(RUNS);
        let mut found = 0;
        for _ in 0..RUNS {
            let start = Instant::now();
            found = search(&edge, agent, query).len();
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        let cpu_ms = (edge.workerd_cpu_s() - cpu) * 1000.0 / RUNS as f64;
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        rows.push(format!(
            "| {name} | {found} | {:.1} | {:.1} | {cpu_ms:.1} |",
            at(0.5),
            at(0.95)
        ));
    }

    // The runtime's own cost of a request: a static file.
    let cpu = edge.workerd_cpu_s();
    for _ in 0..RUNS {
        tests::get(&format!("{}/loader.js", edge.base()), &[]);
    }
    let static_cpu_ms = (edge.workerd_cpu_s() - cpu) * 1000.0 / RUNS as f64;

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let report = format!(
        "# Search on 10,000 conversations\n\n\
         Written by `cargo xtask bench-search` on this machine ({cores} cores), against one local \
         workerd under `wrangler dev`: {CONVERSATIONS} made-up conversations of 8 lines each in one \
         site's inbox (SQLite FTS5 in its Durable Object storage; words from the demo knowledge \
         base, names, teams, reasons, ratings and dates over 90 days; `edge/src/inbox/seed.rs`). \
         Each search is the panel's own request, {RUNS} times after 3 to warm up; at most 50 \
         results come back, each with its best line cut around the match. CPU is workerd's, from \
         `/proc`, per request, and includes the runtime's own cost of a request under `wrangler \
         dev` (a static file costs {static_cpu_ms:.1} ms here).\n\n\
         | search | results | ms p50 | ms p95 | CPU ms |\n| --- | --- | --- | --- | --- |\n{}\n\n\
         Indexing: {seed_cpu_ms:.2} ms of CPU and {seed_wall_ms:.2} ms per conversation (8 lines, \
         in batches of {BATCH}); a real conversation tells the inbox a few seconds after it \
         changes, one call per burst of messages. Storage after seeding: the site inbox's \
         database is {:.1} MB (its `databaseSize`, the size Durable Objects bill), the whole persist \
         folder {:.1} MB on disk.\n",
        rows.join("\n"),
        database as f64 / 1_048_576.0,
        stored as f64 / 1_048_576.0,
    );
    print!("{report}");
    std::fs::write(repo_root().join("docs/search.md"), report).expect("write docs/search.md");
}

fn words(w: &str) -> SearchRequest {
    SearchRequest {
        words: w.into(),
        ..Default::default()
    }
}

fn search(edge: &Edge, agent: &Agent, query: &SearchRequest) -> Vec<SearchHit> {
    let mut url =
        url::Url::parse(&format!("{}/api/v1/agent/sites/demo/search", edge.base())).expect("url");
    url.query_pairs_mut()
        .extend_pairs(query.to_pairs().iter().map(|(n, v)| (*n, v.as_str())));
    let answer = edge.agent_get(agent, &url.as_str()[edge.base().len()..]);
    assert_eq!(answer.status, 200, "{query:?}: {}", answer.body);
    answer.json()
}

fn folder_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => folder_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
