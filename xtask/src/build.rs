//! Release builds of the four wasm programs, each optimized by wasm-opt.
//! Steps are skipped when their input has not changed since the last run.

use crate::tools::Tools;
use crate::{run, Fail, Project};
use std::path::Path;
use std::process::Command;

/// Front ends built with wasm-bindgen's `web` target into `public/pkg/NAME/`.
pub const FRONT_ENDS: &[&str] = &["widget", "panel", "admin", "history"];

/// Applied to every wasm build so that shared dependencies are compiled the
/// same way whichever program is built (worker-build sets it for the edge).
pub const WASM_ENV: (&str, &str) = ("WASM_BINDGEN_USE_JS_SYS", "1");

pub fn build_all(p: &Project, tools: &Tools) -> Result<(), Fail> {
    build_loader(p, tools)?;
    copy_models(p)?;
    for name in FRONT_ENDS {
        build_front_end(p, tools, name)?;
    }
    build_edge(p, tools)
}

fn build_front_end(p: &Project, tools: &Tools, name: &str) -> Result<(), Fail> {
    run(Command::new("cargo")
        .args([
            "build",
            "--quiet",
            "--profile",
            "wasm",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            name,
        ])
        .env(WASM_ENV.0, WASM_ENV.1)
        .current_dir(&p.root))?;
    let input = p
        .root
        .join(format!("target/wasm32-unknown-unknown/wasm/{name}.wasm"));
    let out_dir = p.root.join("public/pkg").join(name);
    let stamp = out_dir.join(".built-from");
    let fingerprint = fingerprint(&input)?;
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    run(Command::new(&tools.wasm_bindgen)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&out_dir)
        .arg(&input))?;
    // wasm-bindgen's glue ships unminified; esbuild keeps object keys, so
    // the wasm imports it names survive.
    let glue = out_dir.join(format!("{name}.js"));
    let text = std::fs::read_to_string(&glue).map_err(|e| Fail(e.to_string()))?;
    std::fs::write(&glue, without_stream_classes(&text)).map_err(|e| Fail(e.to_string()))?;
    run(Command::new(&tools.esbuild)
        .arg(&glue)
        .args([
            "--minify",
            "--format=esm",
            "--target=es2020",
            "--allow-overwrite",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", glue.display())))?;
    let wasm = out_dir.join(format!("{name}_bg.wasm"));
    // Rust's wasm memory starts with the stack, growing down from 1 MB:
    // the low 1 KB is never used, which lets wasm-opt fold address offsets.
    // Leptos always links server_fn, whose wasm-streams exports three JS
    // stream classes none of our front ends uses; dropping those exports
    // lets wasm-opt drop their code (1.6 KB gzip of the widget's 100 KB
    // budget). Their JS classes stay in the glue, never constructed.
    // Merging functions that differ only in constants (Rust's generics
    // make many) saves another 1.1 KB gzip there.
    run(Command::new(&tools.wasm_opt)
        .arg("--remove-exports=*intounderlying*")
        .arg("--merge-similar-functions")
        .args([
            "-Oz",
            "--converge",
            "--low-memory-unused",
            "--strip-producers",
        ])
        .arg("--enable-bulk-memory")
        .arg("--enable-nontrapping-float-to-int")
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm))?;
    std::fs::write(&stamp, fingerprint).map_err(|e| Fail(e.to_string()))?;
    Ok(())
}

/// The glue without the JS classes of wasm-streams' exports, which wasm-opt
/// removes below (`--remove-exports=*intounderlying*`): nothing constructs
/// them, and they were 370 B gzip of the widget's budget. Each class ends
/// at a `}` of its own line and is followed by its `Symbol.dispose` line;
/// each finalization registry is three lines.
fn without_stream_classes(glue: &str) -> String {
    let mut out = String::with_capacity(glue.len());
    let mut lines = glue.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("export class IntoUnderlying") {
            for inner in lines.by_ref() {
                if inner == "}" {
                    break;
                }
            }
        } else if line.starts_with("const IntoUnderlying") && line.contains("Finalization") {
            lines.next();
            lines.next();
        } else if !line.starts_with("if (Symbol.dispose) IntoUnderlying") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The loader (what every host page downloads), the frames' scripts and the
/// widget's and the panel's CSS are minified by esbuild from their readable sources into
/// `public/`.
fn build_loader(p: &Project, tools: &Tools) -> Result<(), Fail> {
    for (source, output) in [
        ("widget/loader/loader.js", "public/loader.js"),
        ("widget/loader/badge.js", "public/widget/badge.js"),
        ("widget/loader/reopen.js", "public/widget/reopen.js"),
        ("widget/loader/boot.js", "public/widget/boot.js"),
        ("widget/loader/photo.js", "public/photo.js"),
        ("widget/style/widget.css", "public/widget/widget.css"),
        ("panel/style/panel.css", "public/agent/panel.css"),
    ] {
        run(Command::new(&tools.esbuild)
            .arg(p.root.join(source))
            .args(["--minify", "--target=es2019", "--log-level=warning"])
            .arg(format!("--outfile={}", p.root.join(output).display())))?;
    }
    Ok(())
}

/// The FAQ engine's word vectors, read by the worker through its assets
/// binding (wrangler.toml keeps `/models/` off the public paths).
fn copy_models(p: &Project) -> Result<(), Fail> {
    let from = p.root.join(crate::bench_faq::WORD_VECTORS);
    let to = p.root.join("public/models/word-vectors.bin");
    let bytes = std::fs::read(&from).map_err(|e| Fail(format!("{}: {e}", from.display())))?;
    if std::fs::read(&to).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    std::fs::create_dir_all(p.root.join("public/models")).map_err(|e| Fail(e.to_string()))?;
    std::fs::write(&to, bytes).map_err(|e| Fail(format!("{}: {e}", to.display())))
}

/// worker-build compiles the edge, runs wasm-bindgen and wasm-opt and
/// bundles the shim; pointed at our tools so it downloads nothing.
fn build_edge(p: &Project, tools: &Tools) -> Result<(), Fail> {
    run(Command::new(&tools.worker_build)
        .args(["--profile", "wasm"])
        .current_dir(p.root.join("edge"))
        .env("WASM_BINDGEN_BIN", &tools.wasm_bindgen)
        .env("WASM_OPT_BIN", &tools.wasm_opt)
        .env("ESBUILD_BIN", &tools.esbuild)
        .env("PATH", tools.path_env()))
}

fn fingerprint(path: &Path) -> Result<String, Fail> {
    let meta = std::fs::metadata(path).map_err(|e| Fail(format!("{}: {e}", path.display())))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos());
    Ok(format!("{}:{:?}", meta.len(), modified))
}
