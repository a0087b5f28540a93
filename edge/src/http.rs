//! Small HTTP helpers shared by the routes and the Durable Object.

use crate::error::{EdgeError, EdgeResult};
use serde::{de::DeserializeOwned, Serialize};
use shared::protocol::ErrorCode;
use worker::{Headers, Method, Request, Response};

pub fn require_method(req: &Request, method: Method) -> EdgeResult<()> {
    if req.method() == method {
        Ok(())
    } else {
        Err(EdgeError::new(
            ErrorCode::MethodNotAllowed,
            format!("Use {method} here."),
        ))
    }
}

/// Reads a JSON body, refusing it before parsing when it is over `max` bytes.
pub async fn read_json<T: DeserializeOwned>(req: &mut Request, max: usize) -> EdgeResult<T> {
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large(max));
    }
    let bytes = req.bytes().await?;
    if bytes.len() > max {
        return Err(too_large(max));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        EdgeError::new(
            ErrorCode::Malformed,
            format!("The request body is not valid: {e}"),
        )
    })
}

fn too_large(max: usize) -> EdgeError {
    EdgeError::new(
        ErrorCode::FrameTooLarge,
        format!("The request body is over {max} bytes."),
    )
}

pub fn json_response<T: Serialize>(value: &T, status: u16) -> EdgeResult<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    headers.set("x-content-type-options", "nosniff")?;
    Ok(Response::ok(serde_json::to_string(value)?)?
        .with_status(status)
        .with_headers(headers))
}

/// The visitor API is called only by the widget frame, which the edge itself
/// serves: a browser request from any other origin is refused. (Which host
/// pages may embed the frame is enforced by its `frame-ancestors` policy.)
/// Requests without `Origin` (not from a browser) are let through; they
/// still need the conversation's secret.
pub fn require_same_origin(req: &Request) -> EdgeResult<()> {
    let origin = req.headers().get("origin").ok().flatten();
    let Some(origin) = origin else { return Ok(()) };
    let url = req.url()?;
    if origin == url.origin().ascii_serialization() {
        Ok(())
    } else {
        Err(EdgeError::new(
            ErrorCode::ForbiddenOrigin,
            "This origin may not use the chat API.",
        ))
    }
}

pub fn require_websocket_upgrade(req: &Request) -> EdgeResult<()> {
    let upgrade = req
        .headers()
        .get("upgrade")
        .ok()
        .flatten()
        .unwrap_or_default();
    if upgrade.eq_ignore_ascii_case("websocket") {
        Ok(())
    } else {
        Err(EdgeError::new(
            ErrorCode::UpgradeRequired,
            "Open this address as a WebSocket.",
        ))
    }
}

/// A query parameter of the request, if present.
pub fn query(req: &Request, key: &str) -> EdgeResult<Option<String>> {
    Ok(query_of(&req.url()?, key))
}

/// A query parameter of an address already parsed.
pub fn query_of(url: &worker::Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// The caller's address as Cloudflare reports it (`CF-Connecting-IP`),
/// IPv6 cut to its /64 (one household or phone has the whole block), for
/// limits; "unknown" without one. Never proof of anything.
pub fn client_address(req: &Request) -> String {
    let ip = req
        .headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .unwrap_or_default();
    if ip.contains(':') {
        let groups: Vec<&str> = ip.split(':').take(4).collect();
        format!("{}::/64", groups.join(":"))
    } else if ip.is_empty() || ip.len() > 64 {
        "unknown".into()
    } else {
        ip
    }
}

/// The bearer credential of a request, if any.
pub fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get("authorization").ok().flatten()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty() && token.len() <= 256).then(|| token.to_string())
}

pub fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

/// A page of the edge's own (the widget frame, the badge frame, the mail
/// pages): HTML under its Content Security Policy, never sniffed, sending
/// no referrer.
pub fn html_response(page: String, csp: &str, cache_control: &str) -> EdgeResult<Response> {
    let headers = Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    headers.set("content-security-policy", csp)?;
    headers.set("referrer-policy", "no-referrer")?;
    headers.set("x-content-type-options", "nosniff")?;
    headers.set("cache-control", cache_control)?;
    Ok(Response::ok(page)?.with_headers(headers))
}

/// A response's whole body, read with one `arrayBuffer()` promise: the
/// worker crate's `bytes()` polls the body's stream chunk by chunk through
/// wasm and grows the vector as it goes (profiled on a cold isolate: 38 ms
/// of its first answer went to reading the 4 MB word vectors that way).
pub async fn body_bytes(res: &web_sys::Response) -> EdgeResult<Vec<u8>> {
    let buffer = wasm_bindgen_futures::JsFuture::from(res.array_buffer()?).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
