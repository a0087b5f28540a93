//! The widget's HTTP calls to the edge, and where it keeps its credentials.

use crate::json::FromJson;
use serde::Serialize;
use shared::protocol::{
    ApiError, ConversationCreated, CreateConversation, ErrorCode, TicketIssued,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

/// What the visitor's browser keeps: created by the edge when the visitor
/// first opens the chat, never before.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub conversation_id: String,
    pub secret: String,
}

/// Why a call failed: refused by the edge (with its code), or the network.
#[derive(Debug, Clone)]
pub enum ApiFailure {
    Refused(ApiError),
    Network,
}

impl ApiFailure {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiFailure::Refused(e) => Some(e.code),
            ApiFailure::Network => None,
        }
    }
}

fn storage_key(site: &str) -> String {
    format!("chat.v1.{site}")
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load_session(site: &str) -> Option<Session> {
    let raw = local_storage()?
        .get_item(&storage_key(site))
        .ok()
        .flatten()?;
    crate::json::decode(&raw)
}

pub fn save_session(site: &str, session: &Session) {
    if let (Some(storage), Some(raw)) = (local_storage(), crate::json::encode(session)) {
        let _ = storage.set_item(&storage_key(site), &raw);
    }
}

pub fn forget_session(site: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&storage_key(site));
        let _ = storage.remove_item(&seen_key(site));
    }
}

fn seen_key(site: &str) -> String {
    format!("chat.v1.{site}.seen")
}

/// The last event this browser showed the visitor (the team's messages
/// after it waited for them, `shared::transcript::waited_for_visitor`).
pub fn load_seen(site: &str) -> Option<u64> {
    crate::json::decode(&local_storage()?.get_item(&seen_key(site)).ok()??)
}

pub fn save_seen(site: &str, seq: u64) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(&seen_key(site), &seq.to_string());
    }
}

pub async fn create_conversation(body: &CreateConversation) -> Result<Session, ApiFailure> {
    let created: ConversationCreated =
        post("/api/v1/conversations", crate::json::encode(body), None).await?;
    Ok(Session {
        conversation_id: created.conversation_id,
        secret: created.visitor_secret,
    })
}

pub async fn ticket(session: &Session) -> Result<TicketIssued, ApiFailure> {
    let path = format!("/api/v1/conversations/{}/ticket", session.conversation_id);
    post(&path, None, Some(&session.secret)).await
}

/// Erases the conversation at the edge.
pub async fn erase(session: &Session) -> Result<(), ApiFailure> {
    let path = format!("/api/v1/conversations/{}", session.conversation_id);
    let response = fetch("DELETE", &path, None, Some(&session.secret))
        .await
        .map_err(|_| ApiFailure::Network)?;
    match response.status() {
        204 => Ok(()),
        404 => Err(ApiFailure::Refused(ApiError {
            code: ErrorCode::NotFound,
            message: String::new(),
        })),
        _ => Err(ApiFailure::Network),
    }
}

async fn post<T: FromJson>(
    path: &str,
    body: Option<String>,
    bearer: Option<&str>,
) -> Result<T, ApiFailure> {
    let text = post_text(path, body, bearer).await?;
    crate::json::decode(&text).ok_or(ApiFailure::Network)
}

/// The answer's body, or the edge's refusal. Not generic: one copy of the
/// request code however many answer types there are.
async fn post_text(
    path: &str,
    body: Option<String>,
    bearer: Option<&str>,
) -> Result<String, ApiFailure> {
    let response = fetch("POST", path, body, bearer)
        .await
        .map_err(|_| ApiFailure::Network)?;
    let text = JsFuture::from(response.text().map_err(|_| ApiFailure::Network)?)
        .await
        .map_err(|_| ApiFailure::Network)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        let error = crate::json::decode(&text).unwrap_or(ApiError {
            code: ErrorCode::Internal,
            message: format!("HTTP {}", response.status()),
        });
        Err(ApiFailure::Refused(error))
    }
}

async fn fetch(
    method: &str,
    path: &str,
    json: Option<String>,
    bearer: Option<&str>,
) -> Result<Response, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let headers = Headers::new()?;
    headers.set("content-type", "application/json")?;
    if let Some(secret) = bearer {
        headers.set("authorization", &format!("Bearer {secret}"))?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers);
    if let Some(json) = json {
        init.set_body(&JsValue::from_str(&json));
    }
    let request = Request::new_with_str_and_init(path, &init)?;
    let response = JsFuture::from(window.fetch_with_request(&request)).await?;
    response.dyn_into::<Response>()
}
