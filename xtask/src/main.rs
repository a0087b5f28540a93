//! `cargo xtask <command>`: the project's commands, so a fresh machine with
//! only Rust, Node/npm and this repository needs nothing done by hand.

mod bench_faq;
mod build;
mod escalation;
mod size;
mod tools;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const USAGE: &str = "usage: cargo xtask <command>

  dev        install what is missing, build, and serve on http://127.0.0.1:8787
  build      install what is missing and build widget, panel (desk, admin, history) and edge (release, wasm-opt)
  test       style (fmt, clippy), native tests, component tests in headless Chromium, end-to-end tests
  e2e [ARGS]  only the end-to-end tests (cargo test arguments after them)
  style      cargo fmt --check and clippy with warnings denied (native and wasm32)
  size       gzip sizes of loader, widget, panel and worker against their budgets
  bench-faq  the FAQ engine on Banking77 (../shared/data/banking77), into docs/faq-benchmark.md
  bench-demo the demo knowledge base answering questions in English, German and Spanish, into docs/faq-languages.md
  bench-widget  launcher click to a focused input, median of 20 cold runs in headless Chromium
  bench-cold    workerd CPU of a cold isolate's first FAQ answer (stored index) and of a warm one
  train-escalation  the escalation model from data/escalation into shared/models/escalation.bin
  bench-escalation  the escalation model on the test split, into docs/escalation-benchmark.md
  load       a load benchmark against the real edge (not a test), into docs/load.md
  bench-search  searches on 10,000 conversations on the real edge, into docs/search.md
  profile-create [N]  where the worker's CPU goes while N conversations (200) are created: V8's profiler in workerd
  profile-message [N] the same while N FAQ questions (200) are answered, four per conversation
  profile-cold        the same for a new isolate's first FAQ answer (the index stored before a restart)
";

/// A failed step, with a message for a person.
#[derive(Debug)]
pub struct Fail(pub String);

pub struct Project {
    pub root: PathBuf,
}

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let project = Project { root };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev(&project),
        Some("build") => {
            tools::ensure_build_tools(&project).and_then(|t| build::build_all(&project, &t))
        }
        Some("test") => test(&project),
        Some("e2e") => end_to_end(&project, &args[1..]),
        Some("style") => style(&project),
        Some("size") => size::report(&project),
        Some("bench-faq") => bench_faq::bench(&project, args.get(1).map(String::as_str)),
        Some("bench-demo") => bench_faq::bench_demo(&project),
        Some("bench-widget") => bench_widget(&project),
        Some("bench-cold") => bench_cold(&project),
        Some("load") => load(&project),
        Some("bench-search") => bench_search(&project),
        Some("profile-create") => profile(&project, args.get(1).map(String::as_str), "create"),
        Some("profile-message") => profile(&project, args.get(1).map(String::as_str), "message"),
        Some("profile-cold") => profile(&project, Some("1"), "cold"),
        Some("train-escalation") => escalation::train(&project),
        Some("bench-escalation") => escalation::bench(&project),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(message)) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a command, failing with its name when it fails.
pub fn run(cmd: &mut Command) -> Result<(), Fail> {
    let status = cmd
        .status()
        .map_err(|e| Fail(format!("could not start {:?}: {e}", cmd.get_program())))?;
    if status.success() {
        Ok(())
    } else {
        Err(Fail(format!(
            "{:?} {:?} failed ({status})",
            cmd.get_program(),
            cmd.get_args().collect::<Vec<_>>()
        )))
    }
}

/// Builds one of `shared`'s measuring binaries (`faq-eval`,
/// `escalation-eval`) in release and returns its path.
pub fn shared_bin(p: &Project, name: &str) -> Result<PathBuf, Fail> {
    run(Command::new("cargo")
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "shared",
            "--bin",
            name,
        ])
        .current_dir(&p.root))?;
    Ok(p.root.join("target/release").join(name))
}

/// Runs `cmd` and returns what it printed; a failure carries its stderr.
pub fn output_of(cmd: &mut Command) -> Result<Vec<u8>, Fail> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let output = cmd.output().map_err(|e| Fail(format!("{program}: {e}")))?;
    if !output.status.success() {
        return Err(Fail(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(output.stdout)
}

pub const DEV_PORT: u16 = 8787;

fn dev(p: &Project) -> Result<(), Fail> {
    let tools = tools::ensure_build_tools(p)?;
    build::build_all(p, &tools)?;
    size::report(p).ok();
    let (email, password) = dev_agent(p)?;
    let base = format!("http://127.0.0.1:{DEV_PORT}");
    println!();
    println!("  Demo site (the script tag as a marketer pastes it): {base}/demo/");
    println!("  Agent panel:                                          {base}/agent/");
    println!("  Development agent login:                              {email} / {password}");
    println!("  State is kept in .state/ (delete it to start afresh). Ctrl-C stops.");
    println!();
    let mut cmd = wrangler_dev(p, &tools, DEV_PORT, &p.root.join(".state"));
    run(&mut cmd)
}

/// The development agent: `.dev.vars` (ignored, read by wrangler dev) gets
/// an `AGENTS` setting with a random password the first time, and a
/// `PHOTO_KEY`; the directory creates the account from it when it has none.
fn dev_agent(p: &Project) -> Result<(String, String), Fail> {
    const EMAIL: &str = "agent@localhost.test";
    let path = p.root.join(".dev.vars");
    let write = |text: &str| {
        std::fs::write(&path, text)
            .map_err(|e| Fail(format!("cannot write {}: {e}", path.display())))
    };
    if let Ok(text) = std::fs::read_to_string(&path) {
        if let Some(pw) = text.lines().find_map(|l| l.strip_prefix("# password: ")) {
            let password = pw.trim().to_string();
            // Settings made before photos: add a key to sign their links.
            if !text.contains("PHOTO_KEY=") {
                write(&format!("{text}PHOTO_KEY='{}'\n", random_hex(16)?))?;
            }
            return Ok((EMAIL.into(), password));
        }
    }
    let password = random_hex(12)?;
    let agents = format!(
        r#"[{{"name":"Dev Agent","email":"{EMAIL}","password":"{password}","admin":true}}]"#
    );
    let photo_key = random_hex(16)?;
    write(&format!("# Development settings for wrangler dev (not committed).\n# password: {password}\nAGENTS='{agents}'\nPHOTO_KEY='{photo_key}'\n"))?;
    Ok((EMAIL.into(), password))
}

/// `n` random bytes as hex.
fn random_hex(n: usize) -> Result<String, Fail> {
    let mut bytes = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .map_err(|e| Fail(format!("no randomness for the dev settings: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `wrangler dev` on the real workerd, on loopback, with local persistence.
pub fn wrangler_dev(
    p: &Project,
    tools: &tools::Tools,
    port: u16,
    persist: &std::path::Path,
) -> Command {
    let mut cmd = Command::new(tools.node22_bin.join("node"));
    cmd.arg(&tools.wrangler_js)
        .args([
            "dev",
            "--ip",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--show-interactive-dev-session=false",
            // Local development only: alerts may go to a receiver on this
            // machine (`shared::alerts::check_target`).
            "--var",
            "WEBHOOKS_TO_LOOPBACK:allowed",
        ])
        .arg("--persist-to")
        .arg(persist)
        .current_dir(&p.root)
        .env("PATH", tools.path_env())
        .env("WRANGLER_SEND_METRICS", "false")
        .env("WRANGLER_LOG_PATH", p.root.join(".tools/wrangler-logs"));
    cmd
}

fn bench_widget(p: &Project) -> Result<(), Fail> {
    ignored_bench(p, "bench_open")
}

fn bench_cold(p: &Project) -> Result<(), Fail> {
    ignored_bench(p, "bench_cold")
}

/// A benchmark kept among the end-to-end tests as an ignored test.
fn ignored_bench(p: &Project, test: &str) -> Result<(), Fail> {
    let tools = tools::ensure_build_tools(p)?;
    let browser = tools::ensure_browser()?;
    build::build_all(p, &tools)?;
    let mut cmd = Command::new("cargo");
    cmd.args([
        "test",
        "-p",
        "tests",
        "--test",
        test,
        "--",
        "--ignored",
        "--nocapture",
    ])
    .current_dir(&p.root);
    run(with_end_to_end_env(&mut cmd, &tools, &browser))
}

/// Only the end-to-end tests (after a build), with cargo test's own
/// arguments after `--`: for working on one test.
fn end_to_end(p: &Project, args: &[String]) -> Result<(), Fail> {
    let tools = tools::ensure_build_tools(p)?;
    let browser = tools::ensure_browser()?;
    build::build_all(p, &tools)?;
    let mut cmd = Command::new("cargo");
    cmd.args(["test", "--no-fail-fast", "-p", "tests"])
        .args(args)
        .current_dir(&p.root);
    run(with_end_to_end_env(&mut cmd, &tools, &browser))
}

/// The load benchmark (`tests/src/bin/load/`) on a fresh edge.
fn load(p: &Project) -> Result<(), Fail> {
    let tools = tools::ensure_build_tools(p)?;
    let browser = tools::ensure_browser()?;
    build::build_all(p, &tools)?;
    let mut cmd = Command::new("cargo");
    cmd.args(["run", "--release", "-p", "tests", "--bin", "load"])
        .current_dir(&p.root);
    run(with_end_to_end_env(&mut cmd, &tools, &browser))
}

/// The search benchmark (`tests/src/bin/search_bench.rs`) on a fresh edge.
fn bench_search(p: &Project) -> Result<(), Fail> {
    let tools = tools::ensure_build_tools(p)?;
    let browser = tools::ensure_browser()?;
    build::build_all(p, &tools)?;
    let mut cmd = Command::new("cargo");
    cmd.args(["run", "--release", "-p", "tests", "--bin", "search_bench"])
        .current_dir(&p.root);
    run(with_end_to_end_env(&mut cmd, &tools, &browser))
}

/// V8's sampling profiler on the worker's isolate while conversations are
/// created, or messages answered (`xtask/profile.mjs`), on a fresh edge of
/// its own.
fn profile(p: &Project, count: Option<&str>, mode: &str) -> Result<(), Fail> {
    let tools = tools::ensure_build_tools(p)?;
    build::build_all(p, &tools)?;
    let state = p.root.join("target/profile-state");
    let _ = std::fs::remove_dir_all(&state);
    if mode == "cold" {
        // The index stored by one edge, profiled in the next one's new isolate.
        profile_run(p, &tools, &state, "1", "cold-setup")?;
    }
    profile_run(p, &tools, &state, count.unwrap_or("200"), mode)
}

/// Starts an edge on `state`, runs `xtask/profile.mjs` against it, stops it.
fn profile_run(
    p: &Project,
    tools: &tools::Tools,
    state: &Path,
    count: &str,
    mode: &str,
) -> Result<(), Fail> {
    const PORT: u16 = 8899;
    const INSPECTOR: u16 = 9339;
    let mut edge = wrangler_dev(p, tools, PORT, state)
        .args(["--inspector-port", &INSPECTOR.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| Fail(format!("wrangler dev: {e}")))?;
    let ready = (0..120).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(500));
        std::net::TcpStream::connect(("127.0.0.1", PORT)).is_ok()
    });
    let result = if ready {
        run(Command::new(tools.node22_bin.join("node"))
            .arg(p.root.join("xtask/profile.mjs"))
            .arg(format!("http://127.0.0.1:{PORT}"))
            .arg(INSPECTOR.to_string())
            .arg(count)
            .arg(mode))
    } else {
        Err(Fail("the edge did not start within a minute".into()))
    };
    // wrangler and its workerd, together.
    let _ = Command::new("kill")
        .args(["--", &format!("-{}", edge.id())])
        .status();
    let _ = edge.wait();
    result
}

/// Where the end-to-end harness finds wrangler, Node 22 and the browser.
fn with_end_to_end_env<'c>(
    cmd: &'c mut Command,
    tools: &tools::Tools,
    browser: &tools::Browser,
) -> &'c mut Command {
    cmd.env("CHAT_NODE", tools.node22_bin.join("node"))
        .env("CHAT_WRANGLER_JS", &tools.wrangler_js)
        .env("CHAT_CHROMIUM", &browser.chromium)
        .env("CHROMEDRIVER", &browser.chromedriver)
        .env("PATH", tools.path_env())
}

/// Style first (seconds, before any slow stage): formatting and clippy with
/// warnings denied, for the native crates and for the wasm ones on their
/// target. Stops at the first that fails and names it.
fn style(p: &Project) -> Result<(), Fail> {
    tools::ensure_wasm_target()?;
    let checks: [(&str, &[&str]); 3] = [
        ("cargo fmt --check", &["fmt", "--all", "--check"]),
        (
            "clippy (native: shared, tests, xtask)",
            &[
                "clippy",
                "--all-targets",
                "-p",
                "shared",
                "-p",
                "tests",
                "-p",
                "xtask",
                "--",
                "-D",
                "warnings",
            ],
        ),
        (
            "clippy (wasm32: shared, edge, widget, panel, admin, history)",
            &[
                "clippy",
                "--all-targets",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "shared",
                "-p",
                "edge",
                "-p",
                "widget",
                "-p",
                "panel",
                "-p",
                "admin",
                "-p",
                "history",
                "--",
                "-D",
                "warnings",
            ],
        ),
    ];
    for (name, args) in checks {
        println!("\n== style: {name} ==");
        run(Command::new("cargo").args(args).current_dir(&p.root))
            .map_err(|_| Fail(format!("style check failed: {name}")))?;
    }
    Ok(())
}

/// Every test group, run in one go; a failing group does not stop the
/// others, and the exit code says whether all passed.
fn test(p: &Project) -> Result<(), Fail> {
    style(p)?;
    let tools = tools::ensure_build_tools(p)?;
    let browser = tools::ensure_browser()?;
    build::build_all(p, &tools)?;

    let webdriver_json = p.root.join("xtask/webdriver.json");
    let mut totals = Totals::default();

    let mut native = Command::new("cargo");
    native.args(["test", "--no-fail-fast", "-p", "shared", "-p", "xtask"]);
    totals.group("native", &mut native, p);

    let mut components = Command::new("cargo");
    components
        .args([
            "test",
            "--no-fail-fast",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "widget",
            "-p",
            "panel",
        ])
        .env(build::WASM_ENV.0, build::WASM_ENV.1)
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            tools
                .wasm_bindgen
                .with_file_name("wasm-bindgen-test-runner"),
        )
        .env("CHROMEDRIVER", &browser.chromedriver)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver_json)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    totals.group("components", &mut components, p);

    let mut end_to_end = Command::new("cargo");
    end_to_end.args([
        "test",
        "--no-fail-fast",
        "-p",
        "tests",
        "--",
        "--test-threads",
        "2",
    ]);
    totals.group(
        "end-to-end",
        with_end_to_end_env(&mut end_to_end, &tools, &browser),
        p,
    );

    // The size budgets are part of the test: a download over its budget
    // fails the run like a failing test.
    println!("\n== size budgets ==");
    let sizes = size::report(p);
    if let Err(Fail(why)) = &sizes {
        eprintln!("xtask: {why}");
    }
    totals.groups.push(("size", sizes.is_ok()));

    println!();
    for (name, ok) in &totals.groups {
        println!("  {name:<12} {}", if *ok { "ok" } else { "FAILED" });
    }
    println!("total: {} passed, {} failed", totals.passed, totals.failed);
    if totals.groups.iter().all(|(_, ok)| *ok) {
        Ok(())
    } else {
        Err(Fail("some tests failed".into()))
    }
}

#[derive(Default)]
struct Totals {
    passed: u64,
    failed: u64,
    groups: Vec<(&'static str, bool)>,
}

impl Totals {
    /// Runs one `cargo test`, echoing its output and adding up its
    /// `test result:` lines.
    fn group(&mut self, name: &'static str, cmd: &mut Command, p: &Project) {
        println!("\n== {name} tests ==");
        cmd.current_dir(&p.root).stdout(Stdio::piped());
        let ok = match cmd.spawn() {
            Ok(mut child) => {
                if let Some(out) = child.stdout.take() {
                    for line in BufReader::new(out).lines().map_while(Result::ok) {
                        println!("{line}");
                        if let Some((passed, failed)) = parse_result_line(&line) {
                            self.passed += passed;
                            self.failed += failed;
                        }
                    }
                }
                child.wait().map(|s| s.success()).unwrap_or(false)
            }
            Err(e) => {
                eprintln!("xtask: could not start cargo: {e}");
                false
            }
        };
        self.groups.push((name, ok));
    }
}

/// Reads `test result: ok. 3 passed; 0 failed; ...`.
fn parse_result_line(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let count = |word: &str| {
        rest.split(';')
            .find_map(|part| {
                part.trim()
                    .trim_start_matches("ok. ")
                    .trim_start_matches("FAILED. ")
                    .strip_suffix(word)
            })
            .and_then(|n| n.trim().parse::<u64>().ok())
    };
    Some((count(" passed")?, count(" failed")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_are_added_up() {
        assert_eq!(
            parse_result_line("test result: ok. 18 passed; 0 failed; 0 ignored; 0 measured"),
            Some((18, 0))
        );
        assert_eq!(
            parse_result_line("test result: FAILED. 3 passed; 2 failed; 0 ignored"),
            Some((3, 2))
        );
        assert_eq!(parse_result_line("running 3 tests"), None);
    }
}
