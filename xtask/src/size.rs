//! `cargo xtask size`: what each part costs a visitor or the worker, in
//! gzip bytes (level 9), against its budget. Reads the built files.

use crate::{Fail, Project};
use flate2::{write::GzEncoder, Compression};
use std::io::Write;

struct Part {
    name: &'static str,
    files: &'static [&'static str],
    /// Plus the widget's words the edge puts in the frame page, in the
    /// language that weighs most (`shared::widget_text`).
    words: bool,
    budget_gzip: Option<usize>,
}

const PARTS: &[Part] = &[
    Part {
        name: "loader (minified)",
        files: &["public/loader.js"],
        // 3 KB since the unread badge (issues #15 and #17 set it).
        words: false,
        budget_gzip: Some(3 * 1024),
    },
    Part {
        // The badge's hidden frame, on every page with the launcher
        // (one request more only when the visitor has a conversation).
        name: "badge frame",
        files: &["public/widget/badge.js"],
        words: false,
        budget_gzip: Some(512),
    },
    Part {
        name: "widget (on open)",
        files: &[
            "edge/src/frame.html",
            "public/pkg/widget/widget_bg.wasm",
            "public/pkg/widget/widget.js",
            "public/widget/widget.css",
            "public/widget/boot.js",
        ],
        words: true,
        budget_gzip: Some(100 * 1024),
    },
    Part {
        name: "panel desk",
        files: &[
            "public/pkg/panel/panel_bg.wasm",
            "public/pkg/panel/panel.js",
            "public/agent/panel.css",
            "public/agent/boot.js",
        ],
        words: false,
        budget_gzip: Some(250 * 1024),
    },
    Part {
        // A page of its own (#17, #18: load what a page needs when it is
        // opened), under the same budget.
        name: "panel admin",
        files: &[
            "public/pkg/admin/admin_bg.wasm",
            "public/pkg/admin/admin.js",
            "public/agent/panel.css",
            "public/agent/admin/boot.js",
        ],
        words: false,
        budget_gzip: Some(250 * 1024),
    },
    Part {
        // Search, loaded into the desk when the agent opens it (#18).
        name: "search (on open)",
        files: &[
            "public/pkg/history/history_bg.wasm",
            "public/pkg/history/history.js",
        ],
        words: false,
        budget_gzip: Some(128 * 1024),
    },
    Part {
        // Sending photos (widget and panel), loaded with the first one (#18).
        name: "photos (on send)",
        files: &["public/photo.js"],
        words: false,
        budget_gzip: Some(4 * 1024),
    },
    Part {
        name: "worker",
        files: &["edge/build/index_bg.wasm", "edge/build/index.js"],
        words: false,
        budget_gzip: Some(3 * 1024 * 1024),
    },
];

pub fn report(p: &Project) -> Result<(), Fail> {
    println!(
        "{:<18} {:>10} {:>10} {:>10}",
        "part", "raw B", "gzip B", "budget B"
    );
    let mut over = Vec::new();
    for part in PARTS {
        let (mut raw, mut gz) = (0, 0);
        for file in part.files {
            let bytes = std::fs::read(p.root.join(file))
                .map_err(|e| Fail(format!("{file}: {e} (run `cargo xtask build` first)")))?;
            raw += bytes.len();
            gz += gzip_len(&bytes);
        }
        if part.words {
            let heaviest = shared::widget_text::LANGUAGES
                .iter()
                .map(|(code, _)| {
                    shared::widget_text::values_for(code)
                        .to_string()
                        .into_bytes()
                })
                .max_by_key(|words| gzip_len(words))
                .unwrap_or_default();
            raw += heaviest.len();
            gz += gzip_len(&heaviest);
        }
        let budget = part.budget_gzip.map_or("-".into(), |b| b.to_string());
        println!("{:<18} {:>10} {:>10} {:>10}", part.name, raw, gz, budget);
        if part.budget_gzip.is_some_and(|b| gz > b) {
            over.push(part.name);
        }
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(Fail(format!("over budget: {}", over.join(", "))))
    }
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    let _ = enc.write_all(bytes);
    enc.finish().map(|v| v.len()).unwrap_or(0)
}
