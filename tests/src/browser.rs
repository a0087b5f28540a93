//! Headless Chromium through chromedriver, and the steps every browser
//! test shares: open a page with the widget, open the chat, read what it
//! shows, screenshots and axe-core.

use crate::{env_path, free_port, out_dir, repo_root, spawn_group, Edge};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// chromedriver, started once per test binary.
fn chromedriver_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let driver = env_path("CHROMEDRIVER", || PathBuf::from("/usr/bin/chromedriver"));
        let port = free_port();
        let mut cmd = Command::new(&driver);
        cmd.arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = spawn_group(&mut cmd);
        if let Some(out) = child.stdout.take() {
            let mut lines = BufReader::new(out).lines();
            while let Some(Ok(line)) = lines.next() {
                if line.contains("started successfully") {
                    break;
                }
            }
            std::thread::spawn(move || for _ in lines {});
        }
        std::mem::forget(child);
        format!("http://127.0.0.1:{port}")
    })
}

/// A new headless Chromium session with its own empty profile; below 500
/// CSS pixels wide it emulates a phone.
pub async fn browser(width: u32, height: u32) -> fantoccini::Client {
    let chromium = env_path("CHAT_CHROMIUM", || PathBuf::from("/usr/bin/chromium"));
    let profile = tempfile::tempdir().expect("profile dir").keep();
    let args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        "--disable-default-apps".into(),
        format!("--window-size={width},{height}"),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut options = serde_json::json!({ "binary": chromium, "args": args });
    if width < 500 {
        // Headless windows are at least 500 px wide: emulate the phone instead.
        options["mobileEmulation"] = serde_json::json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2.0, "touch": true } });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    caps.insert(
        "goog:loggingPrefs".into(),
        serde_json::json!({ "browser": "ALL" }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    fantoccini::ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(chromedriver_url())
        .await
        .expect("a WebDriver session")
}

// ------------------------------------------------------------ the widget in a page

/// The launcher button inside the loader's shadow root.
pub async fn launcher(client: &fantoccini::Client) -> fantoccini::elements::Element {
    let host = eventually(20, "the loader's launcher", || async {
        client
            .find(fantoccini::Locator::Css("#chat-widget"))
            .await
            .ok()
    })
    .await;
    let root = host.shadow_root().await.expect("shadow root");
    root.find(fantoccini::Locator::Css("button"))
        .await
        .expect("launcher button")
}

/// The texts of every element `css` finds.
pub async fn texts(client: &fantoccini::Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for el in client
        .find_all(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_default()
    {
        out.push(el.text().await.unwrap_or_default());
    }
    out
}

/// Clicks the element `css` finds (it must be there).
pub async fn click(client: &fantoccini::Client, css: &str) {
    client
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css}"))
        .click()
        .await
        .expect("click");
}

/// The conversation the widget keeps in this frame's storage under
/// `store` (the site, or the site and a signed-in visitor's key).
pub async fn stored_session(client: &fantoccini::Client, store: &str) -> crate::Visitor {
    let stored = client
        .execute(
            &format!("return localStorage.getItem('chat.v1.{store}')"),
            vec![],
        )
        .await
        .expect("session");
    let session: serde_json::Value =
        serde_json::from_str(stored.as_str().unwrap_or_default()).expect("the session");
    crate::Visitor {
        conversation_id: session["conversation_id"].as_str().expect("id").to_string(),
        secret: session["secret"].as_str().expect("secret").to_string(),
    }
}

/// The visitor gives a resolved conversation `score` (of 5) in the widget's
/// rating form (the client is inside the chat's frame).
pub async fn rate(client: &fantoccini::Client, score: u8) {
    let label = eventually(20, "the rating form", || async {
        client
            .find(fantoccini::Locator::Css(&format!(
                ".rating-form label[for=score-{score}]"
            )))
            .await
            .ok()
    })
    .await;
    label.click().await.expect("a score");
    click(client, ".rating-form .send-button").await;
}

/// Anna (an admin) logged in to the panel's desk for `site`.
pub async fn log_in_to(edge: &Edge, site: &str) -> fantoccini::Client {
    log_in_with(browser(1280, 900).await, edge, site).await
}

/// Anna logged in to the desk for `site` in `agent` (a phone's, say).
pub async fn log_in_with(agent: fantoccini::Client, edge: &Edge, site: &str) -> fantoccini::Client {
    use fantoccini::Locator;
    agent
        .goto(&format!("{}/agent/?site={site}", edge.base()))
        .await
        .expect("panel");
    let email = eventually(20, "the login form", || async {
        agent.find(Locator::Css("#email")).await.ok()
    })
    .await;
    email.send_keys("anna@example.test").await.expect("email");
    agent
        .find(Locator::Css("#password"))
        .await
        .expect("password")
        .send_keys("anna-test-password")
        .await
        .expect("pw");
    agent
        .find(Locator::Css(".login-form button[type=submit]"))
        .await
        .expect("log in")
        .click()
        .await
        .expect("click");
    eventually(20, "the desk after login", || async {
        agent.find(Locator::Css(".desk .me")).await.ok()
    })
    .await;
    agent
}

/// Opens the chat if it is closed, switches into the widget frame, and
/// returns its input once the widget has drawn it.
pub async fn open_chat(client: &fantoccini::Client) -> fantoccini::elements::Element {
    let button = launcher(client).await;
    if button.attr("aria-expanded").await.ok().flatten().as_deref() != Some("true") {
        button.click().await.expect("click launcher");
    }
    let host = client
        .find(fantoccini::Locator::Css("#chat-widget"))
        .await
        .expect("host");
    let frame = host
        .shadow_root()
        .await
        .expect("shadow")
        .find(fantoccini::Locator::Css("iframe[title=Chat]"))
        .await
        .expect("frame");
    frame.enter_frame().await.expect("enter frame");
    eventually(20, "the chat input", || async {
        client
            .find(fantoccini::Locator::Css("#chat-input"))
            .await
            .ok()
    })
    .await
}

/// Types `text` into the chat input and presses Send, as a visitor does.
pub async fn send_message(
    client: &fantoccini::Client,
    input: &fantoccini::elements::Element,
    text: &str,
) {
    input.send_keys(text).await.expect("type");
    client
        .find(fantoccini::Locator::Css(".send-button"))
        .await
        .expect("send")
        .click()
        .await
        .expect("click send");
}

/// `(seq, author class, badge text, message text)` of every stored message shown.
pub async fn messages(client: &fantoccini::Client) -> Vec<(u64, String, String, String)> {
    let mut out = Vec::new();
    for el in client
        .find_all(fantoccini::Locator::Css(".msg[data-seq]"))
        .await
        .unwrap_or_default()
    {
        let seq = el
            .attr("data-seq")
            .await
            .ok()
            .flatten()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let class = el.attr("class").await.ok().flatten().unwrap_or_default();
        let badge = match el.find(fantoccini::Locator::Css(".badge")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        let text = match el.find(fantoccini::Locator::Css(".msg-text")).await {
            Ok(t) => t.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        out.push((seq, class, badge, text));
    }
    out
}

/// Polls `check` until it returns `Some`, for up to `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out after {secs} s waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text of the first element matching `css`, once there is one (or a
/// panic after `secs` naming `what`).
pub async fn text_when(client: &fantoccini::Client, css: &str, secs: u64, what: &str) -> String {
    eventually(secs, what, || async {
        client
            .find(fantoccini::Locator::Css(css))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await
}

/// Saves a screenshot of the whole window into `tests/out/`.
pub async fn screenshot(client: &fantoccini::Client, name: &str) {
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(out_dir().join(format!("{name}.png")), png);
    }
}

/// Runs axe-core (from the project's npm tools) in the current frame at
/// WCAG 2.2 AA and returns the violations as `id: target` lines.
pub async fn axe_violations(client: &fantoccini::Client) -> Vec<String> {
    let path = std::env::var("CHAT_AXE_JS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| repo_root().join(".tools/npm/node_modules/axe-core/axe.min.js"));
    let source = std::fs::read_to_string(&path).expect("axe-core is installed by cargo xtask");
    client.execute(&source, vec![]).await.expect("load axe");
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
               .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe");
    serde_json::from_value(result).unwrap_or_default()
}

/// A visitor in a fresh browser of `width` × `height` on `path` of the
/// edge (a page with the script tag), with the chat open: the browser and
/// the chat's input.
pub async fn visitor_on(
    edge: &Edge,
    path: &str,
    width: u32,
    height: u32,
) -> (fantoccini::Client, fantoccini::elements::Element) {
    let client = browser(width, height).await;
    client
        .goto(&format!("{}{path}", edge.base()))
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let input = open_chat(&client).await;
    (client, input)
}

/// chromedriver's log of the browser's console (`goog:loggingPrefs`
/// asks for it), read and emptied by each call.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// The console errors (and uncaught exceptions, a wasm panic included)
/// of every frame since the last call.
pub async fn console_errors(client: &fantoccini::Client) -> Vec<String> {
    let log = client
        .issue_cmd(BrowserLog)
        .await
        .expect("the browser's log");
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .filter_map(|e| e["message"].as_str().map(str::to_string))
        .collect()
}

/// Ends a browser test: fails on any console error or panic that is not
/// one of `expected` (substrings of errors the test itself provokes), then
/// closes the browser.
pub async fn finish(client: fantoccini::Client, expected: &[&str]) {
    let unexpected: Vec<String> = console_errors(&client)
        .await
        .into_iter()
        .filter(|e| !expected.iter().any(|x| e.contains(x)))
        .collect();
    client.close().await.ok();
    assert!(
        unexpected.is_empty(),
        "console errors in the browser:\n{}",
        unexpected.join("\n")
    );
}
