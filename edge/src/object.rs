//! What the edge's Durable Objects share: their tables, the end of a
//! socket, the agent a route vouched for, and how the worker (or another
//! object) calls one with a typed request and gets a typed answer.

use crate::error::{EdgeError, EdgeResult};
use serde::{de::DeserializeOwned, Serialize};
use shared::protocol::{AgentProfile, ApiError, ErrorCode};
use wasm_bindgen::JsValue;
use worker::{Method, Request, RequestInit, SqlStorage, Stub, WebSocket};

/// Creates missing tables, then adds the columns of `migrations` (each
/// fails harmlessly with "duplicate column" where it exists already), so
/// objects made by an earlier version keep working.
pub fn create_tables(sql: &SqlStorage, object: &str, schema: &[&str], migrations: &[&str]) {
    for ddl in schema {
        if let Err(e) = sql.exec(ddl, None) {
            worker::console_error!("{object} schema: {e}");
        }
    }
    for ddl in migrations {
        let _ = sql.exec(ddl, None);
    }
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
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(JsValue::from_str(&serde_json::to_string(body)?)));
    let mut res = stub
        .fetch_with_request(Request::new_with_init(url, &init)?)
        .await?;
    let text = res.text().await?;
    if res.status_code() == 200 {
        return Ok(serde_json::from_str(&text)?);
    }
    Err(match serde_json::from_str::<ApiError>(&text) {
        Ok(e) if e.code != ErrorCode::Internal => EdgeError::new(e.code, e.message),
        _ => EdgeError::new(
            ErrorCode::Internal,
            format!("{url} answered {}: {text}", res.status_code()),
        ),
    })
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

/// The agent a route checked and passed on in `x-agent`, a header only the
/// worker's agent routes set (on any other path it is ignored).
pub fn agent_of(req: &Request) -> EdgeResult<AgentProfile> {
    req.headers()
        .get("x-agent")?
        .and_then(|h| serde_json::from_str(&h).ok())
        .ok_or_else(crate::directory::not_logged_in)
}
