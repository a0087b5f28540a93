//! Trains and measures the escalation model on the project's corpus.
//!
//! `escalation-eval <data/escalation> train <model.bin>`: trains on the
//! train split and writes the model file.
//! `escalation-eval <data/escalation> bench <model.bin> [split]`: the
//! first-message decision (`escalation::decide`, with the model in the
//! file) on `dev` or `test`: recall per category and language, false
//! hand-offs, the categories confused, p99 time per decision.
//!
//! The split: the files `<lang>*.tsv` (`label<TAB>kind<TAB>text`), rows
//! grouped by language and label, shuffled with a fixed seed, 60% train,
//! 20% dev, 20% test. Files named `<lang>-train*.tsv` are training data
//! only: added later, they leave the dev and test rows as they were. Files
//! named `<lang>-dev*.tsv` are dev only (split `fresh`, which `dev`
//! includes): written after dev had steered training data, by writers who
//! read none of the corpus, so a threshold chosen on them is chosen on
//! messages nothing was written from. A training row that repeats a dev or
//! test row is left out.

use shared::analysis::Analysis;
use shared::escalation::model::{self, Category, Model, Training, CATEGORIES};
use shared::escalation::{self, EscalationPolicy, Turn};
use std::collections::BTreeMap;
use std::time::Instant;

struct Row {
    lang: String,
    label: Category,
    kind: String,
    text: String,
}

/// Every `<lang>*.tsv` of the folder (`en.tsv`, `en-b.tsv`…), in name order.
fn load(dir: &str) -> Vec<(String, Row)> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tsv"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for name in files {
        let lang = name
            .split(['-', '.'])
            .next()
            .unwrap_or_default()
            .to_string();
        let fixed_split = if name.contains("-train") {
            "train"
        } else if name.contains("-dev") {
            "fresh"
        } else {
            ""
        };
        let path = format!("{dir}/{name}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        for (n, line) in text.lines().enumerate().skip(1) {
            let mut parts = line.splitn(3, '\t');
            let (Some(label), Some(kind), Some(text)) = (parts.next(), parts.next(), parts.next())
            else {
                panic!("{path}:{}: three columns", n + 1);
            };
            let label = Category::from_label(label)
                .unwrap_or_else(|| panic!("{path}:{}: unknown label {label}", n + 1));
            out.push((
                fixed_split.to_string(),
                Row {
                    lang: lang.clone(),
                    label,
                    kind: kind.into(),
                    text: text.into(),
                },
            ));
        }
    }
    split(out)
}

/// Assigns each row its split: within each (language, label) group, a
/// fixed shuffle, then 60 / 20 / 20.
fn split(rows: Vec<(String, Row)>) -> Vec<(String, Row)> {
    let mut groups: BTreeMap<(String, &'static str), Vec<Row>> = BTreeMap::new();
    let mut out = Vec::new();
    for (split, row) in rows {
        if !split.is_empty() {
            out.push((split, row));
            continue;
        }
        groups
            .entry((row.lang.clone(), row.label.label()))
            .or_default()
            .push(row);
    }
    let mut seed: u64 = 20_261_130;
    for (_, mut group) in groups {
        for i in (1..group.len()).rev() {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            group.swap(i, ((seed >> 33) % (i as u64 + 1)) as usize);
        }
        let n = group.len();
        for (i, row) in group.into_iter().enumerate() {
            let split = if i * 5 < n * 3 {
                "train"
            } else if i * 5 < n * 4 {
                "dev"
            } else {
                "test"
            };
            out.push((split.to_string(), row));
        }
    }
    without_repeats_of_dev_and_test(out)
}

/// Training rows that say what a dev or test row says (compared by their
/// letters and digits, lowercased) are left out: written independently,
/// short messages ("hi", "is this an AI") do come out the same, and the
/// model must not have seen what it is measured on.
fn without_repeats_of_dev_and_test(rows: Vec<(String, Row)>) -> Vec<(String, Row)> {
    let key = |text: &str| -> String {
        text.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let measured: std::collections::HashSet<String> = rows
        .iter()
        .filter(|(split, _)| split != "train")
        .map(|(_, row)| key(&row.text))
        .collect();
    let before = rows.len();
    let kept: Vec<(String, Row)> = rows
        .into_iter()
        .filter(|(split, row)| split != "train" || !measured.contains(&key(&row.text)))
        .collect();
    eprintln!(
        "left out {} training rows that repeat a dev or test row",
        before - kept.len()
    );
    kept
}

/// What the model learns a row as: ordinary messages of a kind of their
/// own (questions about the AI; greetings, thanks, small talk) are their
/// own categories, which count as "nothing for a person" when it decides.
fn training_label(row: &Row) -> Category {
    match (row.label, row.kind.as_str()) {
        (Category::None, "disclosure") => Category::Disclosure,
        (Category::None, "smalltalk") => Category::Smalltalk,
        (Category::None, "alarming") => Category::Alarming,
        (Category::None, "negated") => Category::Negated,
        (Category::None, "greeting") => Category::Greeting,
        (Category::None, "thanks") => Category::Thanks,
        (label, _) => label,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(command), Some(file)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("usage: escalation-eval <data dir> train|bench|read|export <model or output file> [dev|fresh|test]");
        std::process::exit(2);
    };
    let rows = load(dir);
    match command.as_str() {
        "train" => {
            let examples: Vec<(&str, Category)> = rows
                .iter()
                .filter(|(s, _)| s == "train")
                .map(|(_, r)| (r.text.as_str(), training_label(r)))
                .collect();
            let started = Instant::now();
            // Tuning on dev: the defaults can be overridden from the
            // environment (EPOCHS, LR, C, MIN_DF).
            let var = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<f64>().ok());
            let d = Training::default();
            let t = Training {
                epochs: var("EPOCHS").map_or(d.epochs, |v| v as usize),
                learning_rate: var("LR").map_or(d.learning_rate, |v| v as f32),
                c: var("C").map_or(d.c, |v| v as f32),
                min_df: var("MIN_DF").map_or(d.min_df, |v| v as u32),
            };
            let m = model::train(&examples, t);
            let bytes = m.to_bytes();
            std::fs::write(file, &bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
            println!(
                "trained on {} messages in {:.1} s: {} features, {} bytes -> {file}",
                examples.len(),
                started.elapsed().as_secs_f64(),
                m.feature_count(),
                bytes.len()
            );
        }
        "bench" => {
            let split = args.get(3).map_or("dev", String::as_str);
            let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
            let m = Model::from_bytes(&bytes).expect("model");
            bench(&rows, split, &m);
        }
        // Each line of standard input read by the model: the category, the
        // probability of none and of frustration, the evidence.
        "read" => {
            let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
            let m = Model::from_bytes(&bytes).expect("model");
            for line in std::io::stdin().lines().map_while(Result::ok) {
                let c = m.classify(&Analysis::new(&line));
                println!(
                    "{:?}\tnone {:.2}\tfrustration {:.2}\t{:?}\t{line}",
                    c.category,
                    c.none_probability(),
                    c.probability(Category::Frustration),
                    c.evidence
                );
            }
        }
        // The split as a file (`split, lang, label, kind, text`), for
        // experiments outside Rust on exactly these rows.
        "export" => {
            let mut out = String::from("split\tlang\tlabel\tkind\ttext\n");
            for (split, r) in &rows {
                out.push_str(&format!(
                    "{split}\t{}\t{}\t{}\t{}\n",
                    r.lang,
                    r.label.label(),
                    r.kind,
                    r.text
                ));
            }
            std::fs::write(file, out).unwrap_or_else(|e| panic!("{file}: {e}"));
        }
        _ => {
            eprintln!("unknown command {command}");
            std::process::exit(2);
        }
    }
}

/// Whether a row of `row_split` is measured when `split` is asked for:
/// `dev` is the cut of the first files and the fresh files together.
fn in_split(row_split: &str, split: &str) -> bool {
    row_split == split || (split == "dev" && row_split == "fresh")
}

fn bench(rows: &[(String, Row)], split: &str, m: &Model) {
    let policy = EscalationPolicy::default();
    let mut by_label: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut by_lang: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut by_kind_false: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let (mut need, mut caught, mut ordinary, mut false_handoffs, mut right_category) =
        (0, 0, 0, 0, 0);
    let mut times = Vec::new();
    let mut missed = Vec::new();
    let mut wrongly = Vec::new();
    for (_, row) in rows.iter().filter(|(s, _)| in_split(s, split)) {
        let message = Analysis::new(&row.text);
        let started = Instant::now();
        let reading = m.classify(&message);
        let turn = Turn {
            message: &message,
            reading: &reading,
            answered: true,
            handoff_entry: None,
        };
        let d = escalation::decide(&policy, &[], &turn);
        times.push(started.elapsed().as_secs_f64() * 1e6);
        if row.label == Category::None {
            ordinary += 1;
            let e = by_kind_false.entry(leak(&row.kind)).or_default();
            e.0 += 1;
            if d.hand_off() {
                false_handoffs += 1;
                e.1 += 1;
                wrongly.push(format!("{} [{}] {}", row.lang, d.summary(), row.text));
            }
        } else {
            need += 1;
            let l = by_label.entry(row.label.label()).or_default();
            l.0 += 1;
            let g = by_lang.entry(leak(&row.lang)).or_default();
            g.0 += 1;
            if d.hand_off() {
                caught += 1;
                l.1 += 1;
                g.1 += 1;
                if d.category == row.label {
                    right_category += 1;
                }
            } else {
                missed.push(format!("{} {} {}", row.lang, row.label.label(), row.text));
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!("split: {split}");
    println!(
        "recall {:.3} ({caught}/{need}); right category {:.3}; false hand-offs {:.3} ({false_handoffs}/{ordinary})",
        caught as f64 / need as f64,
        right_category as f64 / caught.max(1) as f64,
        false_handoffs as f64 / ordinary as f64
    );
    println!("per category:");
    for (k, (n, c)) in &by_label {
        println!("  {k:<14} {:.3} ({c}/{n})", *c as f64 / *n as f64);
    }
    println!("per language:");
    for (k, (n, c)) in &by_lang {
        println!("  {k:<14} {:.3} ({c}/{n})", *c as f64 / *n as f64);
    }
    println!("false hand-offs per kind of ordinary message:");
    for (k, (n, c)) in &by_kind_false {
        println!("  {k:<14} {:.3} ({c}/{n})", *c as f64 / *n as f64);
    }
    println!("per decision: p50 {:.0} µs, p99 {:.0} µs", p(0.5), p(0.99));
    if std::env::var_os("SWEEP").is_some() {
        // The model alone, at other thresholds of P(none).
        println!("threshold sweep (model alone): t recall false");
        let scored: Vec<(f32, bool)> = rows
            .iter()
            .filter(|(s, _)| in_split(s, split))
            .map(|(_, r)| {
                let a = Analysis::new(&r.text);
                let none = if shared::disclosure::asks_if_bot(&a).is_some() {
                    1.0
                } else {
                    m.classify(&a).none_probability()
                };
                (none, r.label != Category::None)
            })
            .collect();
        for t in [
            0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.725, 0.75, 0.775, 0.8, 0.825, 0.85,
            0.9,
        ] {
            let pos = scored.iter().filter(|(_, p)| *p).count() as f64;
            let neg = scored.iter().filter(|(_, p)| !*p).count() as f64;
            let tp = scored.iter().filter(|(n, p)| *p && *n < t).count() as f64;
            let fp = scored.iter().filter(|(n, p)| !*p && *n < t).count() as f64;
            println!("  {t:.3} {:.3} {:.3}", tp / pos, fp / neg);
        }
    }
    if std::env::var_os("SHOW").is_some() {
        println!("\nmissed:");
        for m in &missed {
            println!("  {m}");
        }
        println!("\nhanded over by mistake:");
        for w in &wrongly {
            println!("  {w}");
        }
    }
    let _ = CATEGORIES;
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}
