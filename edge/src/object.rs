//! What the edge's Durable Objects share: their tables, the end of a
//! socket, the agent a route vouched for, and how the worker (or another
//! object) calls one with a typed request and gets a typed answer.

use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use serde::{de::DeserializeOwned, Serialize};
use shared::protocol::{AgentProfile, ApiError, ErrorCode};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use worker::{Method, Request, RequestInit, SqlStorage, Storage, Stub, WebSocket};

const SCHEMA_VERSION: &str = "CREATE TABLE IF NOT EXISTS schema_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL)";

/// An object's tables, created together at the newest version and brought
/// up to date when an object made by an earlier version wakes. The version
/// (how many `migrations` have run) is kept in the object's own
/// `schema_version` table, so waking costs one small read, not the DDL.
pub struct Schema {
    pub object: &'static str,
    /// `CREATE TABLE IF NOT EXISTS …` with every column of the newest version.
    pub tables: &'static [&'static str],
    /// Columns added after a table was first created, oldest first. Never
    /// reordered or removed: the stored version counts them.
    pub migrations: &'static [&'static str],
}

impl Schema {
    /// Creates the tables of a brand-new object at the newest version, in
    /// one statement batch: a new conversation pays one call into SQLite,
    /// not one per table and failing migration (profiled: `SqlStorage.exec`
    /// 1.85 → 1.06 ms per create; docs/create-cpu.md).
    pub fn create_new(&self, sql: &SqlStorage) -> EdgeResult<()> {
        let mut batch = self.tables.join(";\n");
        batch.push_str(&format!(
            ";\n{SCHEMA_VERSION};\nINSERT OR REPLACE INTO schema_version (id, version) VALUES (1, {})",
            self.migrations.len()
        ));
        sql.exec(&batch, None)?;
        Ok(())
    }

    /// Creates the tables and records the newest version on an object that
    /// may hold tables of an older version and no version (made before
    /// versions were kept): the migrations add what is missing; a column
    /// that exists already fails harmlessly.
    fn create_or_upgrade(&self, sql: &SqlStorage) -> EdgeResult<()> {
        for ddl in self.tables {
            sql.exec(ddl, None)?;
        }
        for ddl in self.migrations {
            let _ = sql.exec(ddl, None);
        }
        sql.exec(SCHEMA_VERSION, None)?;
        self.set_version(sql)
    }

    fn set_version(&self, sql: &SqlStorage) -> EdgeResult<()> {
        sql.exec(
            "INSERT OR REPLACE INTO schema_version (id, version) VALUES (1, ?)",
            vec![(self.migrations.len() as i64).into()],
        )?;
        Ok(())
    }

    /// Whether the object has its tables (it writes nothing to find out),
    /// bringing them up to date if they are older.
    pub fn open(&self, sql: &SqlStorage) -> EdgeResult<bool> {
        #[derive(serde::Deserialize)]
        struct Row {
            version: i64,
        }
        let stored = sql
            .exec("SELECT version FROM schema_version WHERE id = 1", None)
            .and_then(|c| c.to_array::<Row>());
        let Some(version) = stored.ok().and_then(|rows| rows.first().map(|r| r.version)) else {
            return Ok(false);
        };
        let done = usize::try_from(version).unwrap_or(0);
        if done < self.migrations.len() {
            for ddl in &self.migrations[done..] {
                if let Err(e) = sql.exec(ddl, None) {
                    worker::console_log!("{} migration: {e}", self.object);
                }
            }
            self.set_version(sql)?;
        }
        Ok(true)
    }

    /// For objects that always have their tables (a site's inbox, the
    /// directory): opened, or created.
    pub fn open_or_create(&self, sql: &SqlStorage) -> EdgeResult<()> {
        if !self.open(sql)? {
            self.create_or_upgrade(sql)?;
        }
        Ok(())
    }
}

/// The earliest time a query answers as `at` (`SELECT MIN(…) AS at …`):
/// when an object's one alarm is next due.
pub fn earliest(sql: &SqlStorage, query: &str) -> EdgeResult<Option<i64>> {
    #[derive(serde::Deserialize)]
    struct Next {
        at: Option<i64>,
    }
    let next: Vec<Next> = sql.exec(query, None)?.to_array()?;
    Ok(next.first().and_then(|n| n.at))
}

/// Sets an object's one alarm at `at_ms` (at once if past), or removes it
/// when nothing is due.
pub async fn alarm_at(storage: &Storage, at_ms: Option<i64>) -> EdgeResult<()> {
    match at_ms {
        Some(at) => storage.set_alarm((at - now_ms()).max(1)).await?,
        None => storage.delete_alarm().await?,
    }
    Ok(())
}

/// Completes a socket's closing handshake; 1005/1006 may not be sent back.
pub fn finish_close(ws: &WebSocket, code: usize) {
    let code = if code == 1005 || code == 1006 {
        1000
    } else {
        code as u16
    };
    let _ = ws.close(Some(code), Some("bye"));
}

/// POSTs `body` as JSON to an object and decodes its JSON answer. A refusal
/// keeps its code and message; anything else unreadable is `internal`.
pub async fn call<R: DeserializeOwned>(
    stub: &Stub,
    url: &str,
    body: &impl Serialize,
) -> EdgeResult<R> {
    let res = post(stub, url, body).await?;
    // One `text()` promise: worker's own reader polls the body's stream
    // chunk by chunk through wasm (the profiler put 0.7 ms of a create
    // there; the end-to-end change was within run-to-run noise).
    let text = JsFuture::from(res.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    match res.status() {
        200 => Ok(serde_json::from_str(&text)?),
        _ => Err(refusal(&res, url, &text)),
    }
}

/// Like [`call`], for an answer that is bytes (a stored index: megabytes,
/// which JSON would quadruple).
pub async fn call_for_bytes(stub: &Stub, url: &str, body: &impl Serialize) -> EdgeResult<Vec<u8>> {
    let res = post(stub, url, body).await?;
    if res.status() != 200 {
        let text = JsFuture::from(res.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        return Err(refusal(&res, url, &text));
    }
    crate::http::body_bytes(&res).await
}

async fn post(stub: &Stub, url: &str, body: &impl Serialize) -> EdgeResult<web_sys::Response> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(JsValue::from_str(&serde_json::to_string(body)?)));
    Ok(stub
        .fetch_with_request(Request::new_with_init(url, &init)?)
        .await?
        .into())
}

/// An object's refusal as the caller's error. The wait of a refusal
/// travels in its header, as it will to the caller.
fn refusal(res: &web_sys::Response, url: &str, text: &str) -> EdgeError {
    let retry_after_s = res
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok());
    match serde_json::from_str::<ApiError>(text) {
        Ok(e) if e.code != ErrorCode::Internal => EdgeError {
            retry_after_s,
            ..EdgeError::new(e.code, e.message)
        },
        _ => EdgeError::new(
            ErrorCode::Internal,
            format!("{url} answered {}: {text}", res.status()),
        ),
    }
}

/// One call an object answers, and the type of its answer: callers never
/// read an answer by field name.
pub trait Call: Serialize {
    type Answer: DeserializeOwned + Serialize;
}

/// Declares, for each call struct, the variant of the object's call enum
/// that carries it and the type of its answer.
macro_rules! calls {
    ($wire:ident { $($call:ident => $answer:ty),* $(,)? }) => {$(
        impl From<$call> for $wire {
            fn from(c: $call) -> Self {
                $wire::$call(c)
            }
        }
        impl $crate::object::Call for $call {
            type Answer = $answer;
        }
    )*};
}
pub(crate) use calls;

/// The object's side of a call: its handler's result as the JSON answer.
/// The type parameter ties the handler to the answer its callers expect.
pub fn answer<C: Call>(result: EdgeResult<C::Answer>) -> EdgeResult<worker::Response> {
    crate::http::json_response(&result?, 200)
}

/// The agent a route checked, with the session they act in: passed on in
/// `x-agent`, a header only the worker's agent routes set (on any other
/// path it is ignored).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AgentContext {
    pub agent: AgentProfile,
    /// The session's id: revoking it closes the sockets it opened.
    pub session: String,
}

pub fn agent_of(req: &Request) -> EdgeResult<AgentContext> {
    req.headers()
        .get("x-agent")?
        .and_then(|h| serde_json::from_str(&h).ok())
        .ok_or_else(crate::directory::not_logged_in)
}
