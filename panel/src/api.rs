//! The agents' HTTP API: same-origin `fetch` with the session cookie, and
//! the CSRF token on every state change.

use serde::de::DeserializeOwned;
use shared::protocol::{ApiError, ErrorCode};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCredentials, RequestInit, Response};

thread_local! {
    static CSRF: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Kept from login or `me` for the `x-csrf-token` header.
pub fn set_csrf(token: &str) {
    CSRF.with(|c| *c.borrow_mut() = token.to_string());
}

/// The session's CSRF token, for requests made outside this module.
pub fn csrf() -> String {
    CSRF.with(|c| c.borrow().clone())
}

/// A refusal from the edge, or the network failing (`Internal`).
pub fn network_error() -> ApiError {
    ApiError {
        code: ErrorCode::Internal,
        message: "The edge cannot be reached. Check the connection and try again.".into(),
    }
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let text = request("GET", path, None).await?;
    crate::json::decode(&text).ok_or_else(network_error)
}

/// The body as text, as the edge sent it (an export is passed on as is).
pub async fn get_text(path: &str) -> Result<String, ApiError> {
    request("GET", path, None).await
}

/// A state change; the answer body, if any, is returned as text.
pub async fn post(path: &str, body: &str) -> Result<String, ApiError> {
    request("POST", path, Some(body)).await
}

pub async fn delete(path: &str) -> Result<String, ApiError> {
    request("DELETE", path, None).await
}

/// A state change without a body: `DELETE`, or `POST` with `{}`.
pub async fn act(method: &str, path: &str) -> Result<String, ApiError> {
    match method {
        "DELETE" => delete(path).await,
        _ => post(path, "{}").await,
    }
}

async fn request(method: &str, path: &str, body: Option<&str>) -> Result<String, ApiError> {
    let response = fetch(method, path, body)
        .await
        .map_err(|_| network_error())?;
    let text = JsFuture::from(response.text().map_err(|_| network_error())?)
        .await
        .map_err(|_| network_error())?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(crate::json::decode(&text).unwrap_or_else(network_error))
    }
}

async fn fetch(method: &str, path: &str, body: Option<&str>) -> Result<Response, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let headers = Headers::new()?;
    headers.set("content-type", "application/json")?;
    if method != "GET" {
        CSRF.with(|c| headers.set("x-csrf-token", &c.borrow()))?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers);
    init.set_credentials(RequestCredentials::SameOrigin);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    let response = JsFuture::from(window.fetch_with_str_and_init(path, &init)).await?;
    response.dyn_into()
}
