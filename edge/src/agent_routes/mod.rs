//! The agents' API under `/api/v1/agent/`. Every route but login needs a
//! session cookie (401 without); a browser request from another origin is
//! refused (403) before anything else; every state change also needs the
//! session's CSRF token in `x-csrf-token`. The agent is passed on to the
//! Durable Objects in `x-agent`, a header this module always sets itself.
//!
//! One handler per route: `session.rs` (login, logout, me, agents for
//! admins), `sites.rs` (a site's queue, lists, settings, canned replies,
//! knowledge base), `conversations.rs` (one conversation).

mod conversations;
mod session;
mod sites;

use crate::directory;
use crate::error::{EdgeError, EdgeResult};
use crate::http;
use shared::protocol::{AgentSession, ErrorCode};
use worker::{Env, Headers, Method, Request, RequestInit, Response, Stub};

const COOKIE: &str = "agent_session";

/// A request from a logged-in agent.
pub(crate) struct Caller<'a> {
    pub env: &'a Env,
    pub session: AgentSession,
    /// The session cookie's token.
    pub token: String,
    /// The session's id, passed on with the agent.
    pub session_id: String,
}

impl Caller<'_> {
    /// Admins only; `refusal` says what needs one.
    fn require_admin(&self, refusal: &str) -> EdgeResult<()> {
        if self.session.agent.admin {
            Ok(())
        } else {
            Err(EdgeError::new(ErrorCode::AdminOnly, refusal))
        }
    }
}

pub async fn route(mut req: Request, env: &Env, rest: &[&str]) -> EdgeResult<Response> {
    http::require_same_origin(&req)?;
    if rest == ["login"] {
        http::require_method(&req, Method::Post)?;
        return session::login(&mut req, env).await;
    }
    // The panel's first question: the session, or `null` when logged out
    // (an answer, not a failure, so a login screen logs no error).
    if rest == ["session"] {
        return match authenticate(&req, env, None).await {
            Ok(caller) => http::json_response(&Some(caller.session), 200),
            Err(e) if e.code == ErrorCode::Unauthorized => {
                http::json_response(&None::<AgentSession>, 200)
            }
            Err(e) => Err(e),
        };
    }
    let caller = authenticate(&req, env, socket_at(rest)).await?;
    match rest {
        ["me"] => http::json_response(&caller.session, 200),
        ["logout"] => session::logout(&req, &caller).await,
        ["admin", "agents", rest @ ..] => session::agents(req, &caller, rest).await,
        ["sites"] => sites::list(&caller),
        ["sites", site, rest @ ..] => sites::route(req, &caller, site, rest).await,
        ["conversations", id, rest @ ..] => conversations::route(req, &caller, id, rest).await,
        _ => Err(EdgeError::nothing_here()),
    }
}

/// The socket a route opens, if it is a socket route: recorded with the
/// session, so ending the session closes it.
fn socket_at(rest: &[&str]) -> Option<directory::SocketAt> {
    match rest {
        ["sites", site, "inbox"] => Some(directory::SocketAt::Inbox(site.to_string())),
        ["conversations", id, "ws"] => shared::protocol::parse_conversation_id(id)
            .map(|id| directory::SocketAt::Conversation(id.to_string())),
        _ => None,
    }
}

/// The session of the request's cookie, with the CSRF token checked on
/// anything that changes state.
async fn authenticate<'a>(
    req: &Request,
    env: &'a Env,
    socket: Option<directory::SocketAt>,
) -> EdgeResult<Caller<'a>> {
    let token = session_token(req).ok_or_else(directory::not_logged_in)?;
    let directory::SessionAnswer { session, id } = directory::call(
        env,
        directory::Session {
            token: token.clone(),
            socket,
        },
    )
    .await?;
    let changes_state = !matches!(req.method(), Method::Get | Method::Head);
    if changes_state
        && req.headers().get("x-csrf-token")?.as_deref() != Some(session.csrf_token.as_str())
    {
        return Err(EdgeError::new(
            ErrorCode::CsrfRejected,
            "This request lacks the session's CSRF token. Reload the panel.",
        ));
    }
    Ok(Caller {
        env,
        session,
        token,
        session_id: id,
    })
}

fn session_token(req: &Request) -> Option<String> {
    let cookies = req.headers().get("cookie").ok().flatten()?;
    cookies.split(';').find_map(|c| {
        let (name, value) = c.trim().split_once('=')?;
        (name == COOKIE && !value.is_empty() && value.len() <= 256).then(|| value.to_string())
    })
}

/// Passes the request on to an object with the agent in `x-agent`; only
/// the upgrade header is copied, so nothing a client sent can pose as it.
/// With `body`, a POST carrying a body this module has checked.
async fn forward(
    req: &Request,
    stub: Stub,
    caller: &Caller<'_>,
    method: Method,
    body: Option<&str>,
) -> EdgeResult<Response> {
    let body = body.map(wasm_bindgen::JsValue::from_str);
    forward_with(req, stub, method, body, agent_headers(req, caller)?).await
}

/// Passes an upload on as it came (a form with a photo; its length was
/// checked), with the agent in `x-agent`.
async fn forward_upload(mut req: Request, stub: Stub, caller: &Caller<'_>) -> EdgeResult<Response> {
    let headers = agent_headers(&req, caller)?;
    if let Some(content_type) = req.headers().get("content-type")? {
        headers.set("content-type", &content_type)?;
    }
    let bytes = req.bytes().await?;
    if bytes.len() > crate::photos::MAX_UPLOAD_BYTES {
        return Err(shared::photo::PhotoError::TooLarge.into());
    }
    let body = js_sys::Uint8Array::from(bytes.as_slice()).into();
    forward_with(&req, stub, Method::Post, Some(body), headers).await
}

fn agent_headers(req: &Request, caller: &Caller<'_>) -> EdgeResult<Headers> {
    let headers = Headers::new();
    if let Some(upgrade) = req.headers().get("upgrade")? {
        headers.set("upgrade", &upgrade)?;
    }
    let context = crate::object::AgentContext {
        agent: caller.session.agent.clone(),
        session: caller.session_id.clone(),
    };
    headers.set("x-agent", &serde_json::to_string(&context)?)?;
    Ok(headers)
}

async fn forward_with(
    req: &Request,
    stub: Stub,
    method: Method,
    body: Option<wasm_bindgen::JsValue>,
    headers: Headers,
) -> EdgeResult<Response> {
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(headers);
    if body.is_some() {
        init.with_body(body);
    }
    let inner = Request::new_with_init(req.url()?.as_str(), &init)?;
    Ok(stub.fetch_with_request(inner).await?)
}
