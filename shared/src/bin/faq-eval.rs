//! Evaluates the FAQ engine on any labeled data.
//!
//!   cargo run --release -p shared --bin faq-eval -- --kb-csv KB.csv --queries Q.csv [--threshold T]
//!   cargo run --release -p shared --bin faq-eval -- --kb-toml faq.toml --language de --queries Q.csv
//!
//! Query files have the header `text,category`: a visitor question and
//! the entry it should get, `oos` meaning none fits (the engine should
//! abstain). A CSV knowledge base has one phrasing of entry `category` per
//! row; a TOML one is a site's knowledge base, read in `--language`.
//! `--vectors FILE` (shared/models/word-vectors.bin) adds the English word
//! vectors. Prints one JSON object. Latencies are per query, on this one thread.

use shared::analysis::Language;
use shared::faq::{read_csv, FaqIndex, KnowledgeBase, WordVectors};
use std::time::Instant;

fn main() {
    if let Err(message) = run() {
        eprintln!("faq-eval: {message}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut kb_path = None;
    let mut toml_path = None;
    let mut language = Language::English;
    let mut queries_path = None;
    let mut threshold = None;
    let mut vectors_path = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--kb-csv" => kb_path = args.next(),
            "--kb-toml" => toml_path = args.next(),
            "--language" => {
                let code = args.next().ok_or("--language needs a value")?;
                language = Language::parse(&code)
                    .ok_or_else(|| format!("--language: `{code}` is not en, de or es"))?;
            }
            "--queries" => queries_path = args.next(),
            "--vectors" => vectors_path = args.next(),
            "--threshold" => {
                let t = args.next().ok_or("--threshold needs a value")?;
                threshold = Some(
                    t.parse::<f32>()
                        .map_err(|_| format!("--threshold: `{t}` is not a number"))?,
                );
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}`; use --kb-csv FILE --queries FILE [--threshold T]"
                ))
            }
        }
    }
    let queries_path = queries_path.ok_or("--queries FILE is required")?;
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"));
    let kb = match (kb_path, toml_path) {
        (Some(p), None) => KnowledgeBase::from_csv(&p, &read(&p)?),
        (None, Some(p)) => {
            KnowledgeBase::from_toml(&p, &read(&p)?).map(|kb| kb.in_language(language))
        }
        _ => return Err("one of --kb-csv FILE or --kb-toml FILE is required".into()),
    }
    .map_err(|e| e.to_string())?;
    let queries = read_csv(&queries_path, &read(&queries_path)?).map_err(|e| e.to_string())?;

    let show = std::env::var_os("SHOW").is_some();
    let vector_bytes = match &vectors_path {
        Some(p) => Some(std::fs::read(p).map_err(|e| format!("{p}: {e}"))?),
        None => None,
    };
    let load_vectors = || -> Result<_, String> {
        vector_bytes
            .as_deref()
            .map(|bytes| WordVectors::from_bytes(bytes).map(std::sync::Arc::new))
            .transpose()
            .map_err(|e| format!("word vectors: {e}"))
    };
    let started = Instant::now();
    let vectors = load_vectors()?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let built = FaqIndex::build_with(&kb, vectors);
    let index_ms = started.elapsed().as_secs_f64() * 1000.0;
    // What a cold isolate does with a stored index: decode the vectors,
    // read the index's bytes, answer its first question. The questions
    // below are answered by the index read back, as the worker would.
    let stored = built.to_bytes();
    let first = shared::analysis::Analysis::new(queries.first().map_or("", |(_, (q, _))| q));
    let started = Instant::now();
    let vectors = load_vectors()?;
    let read_started = Instant::now();
    let index = FaqIndex::from_bytes(&kb, vectors, &stored).map_err(|e| e.to_string())?;
    let read_ms = read_started.elapsed().as_secs_f64() * 1000.0;
    index.search(&first);
    let cold_start_ms = started.elapsed().as_secs_f64() * 1000.0;
    let threshold = threshold.unwrap_or(index.settings().answer_threshold);

    let (mut in_scope, mut out_of_scope) = (0usize, 0usize);
    let (mut top1, mut answered_correct, mut wrong, mut abstained_oos) =
        (0usize, 0usize, 0usize, 0usize);
    let mut latencies = Vec::with_capacity(queries.len());
    // "Did you mean" choices when it abstains: how often the right entry
    // is among them, and how often an out-of-scope question gets any.
    let (mut abstained, mut right_offered, mut oos_choices) = (0usize, 0usize, 0usize);
    for (_, (text, category)) in &queries {
        let t = Instant::now();
        let search = index.search_with_threshold(&shared::analysis::Analysis::new(text), threshold);
        latencies.push(t.elapsed().as_secs_f64() * 1e6);
        let best = search.best().map(|c| index.entries()[c.entry].id.as_str());
        if show && (best != Some(category.as_str()) || !search.answered) {
            // What went wrong, for working on the knowledge base (dev only):
            // expected <- best, confidence, the best's score, answered.
            eprintln!(
                "{category:>22} <- {:<22} {:.2} {:.2} {} {text}",
                best.unwrap_or("-"),
                search.confidence,
                search.best().map_or(0.0, |c| c.score),
                if search.answered { "A" } else { "-" },
            );
        }
        let offered: Vec<&str> = search
            .candidates
            .iter()
            .filter(|c| c.score >= index.suggestion_floor())
            .take(index.settings().suggestions)
            .map(|c| index.entries()[c.entry].id.as_str())
            .collect();
        if category == "oos" {
            out_of_scope += 1;
            if search.answered {
                wrong += 1;
            } else {
                abstained_oos += 1;
                oos_choices += usize::from(!offered.is_empty());
            }
        } else {
            if !search.answered {
                abstained += 1;
                right_offered += usize::from(offered.contains(&category.as_str()));
            }
            in_scope += 1;
            let right = best == Some(category.as_str());
            top1 += right as usize;
            if search.answered {
                if right {
                    answered_correct += 1;
                } else {
                    wrong += 1;
                }
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let share = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    let round = |x: f64, places: i32| (x * 10f64.powi(places)).round() / 10f64.powi(places);
    let report = serde_json::json!({
        "queries": queries.len(),
        "in_scope": in_scope,
        "out_of_scope": out_of_scope,
        "top1": round(share(top1, in_scope), 4),
        "right_among_choices": round(share(right_offered, abstained), 4),
        "oos_with_choices": round(share(oos_choices, abstained_oos), 4),
        "answered_correct": round(share(answered_correct, in_scope), 4),
        "wrong_answers": round(share(wrong, queries.len()), 4),
        "oos_recall": round(share(abstained_oos, out_of_scope), 4),
        "p50_us": round(pct(0.50), 1),
        "p99_us": round(pct(0.99), 1),
        "index_ms": round(index_ms, 1),
        "vectors_load_ms": round(load_ms, 1),
        "stored_bytes": stored.len(),
        "read_ms": round(read_ms, 1),
        "cold_start_ms": round(cold_start_ms, 1),
        "kb_entries": index.entries().len(),
        "kb_variants": index.phrasing_count(),
        "threshold": round(threshold as f64, 3),
        "calibration": {
            "a": index.calibration().a, "b": index.calibration().b, "c": index.calibration().c,
            "fitted_on_kb": index.calibration().fitted,
        },
    });
    println!("{report}");
    Ok(())
}
