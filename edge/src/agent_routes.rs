//! The agents' API under `/api/v1/agent/`. Every route but login needs a
//! session cookie (401 without); a browser request from another origin is
//! refused (403) before anything else; every state change also needs the
//! session's CSRF token in `x-csrf-token`. The agent is passed on to the
//! Durable Objects in `x-agent`, a header this module always sets itself.

use crate::directory::{self, AdminCall, LoginCall};
use crate::error::{EdgeError, EdgeResult};
use crate::http;
use crate::inbox::InboxCall;
use crate::{conversation, inbox, require_method};
use shared::protocol::{
    parse_conversation_id, AgentSession, ErrorCode, LoginRequest, TransferTo, MAX_BODY_BYTES,
};
use shared::site::{is_valid_site_id, SiteSettings, SiteSettingsView};
use worker::{Env, Headers, Method, Request, RequestInit, Response, Stub};

/// Largest knowledge-base text an admin may save (the demo's is 14 KB).
const MAX_KB_BYTES: usize = 256 * 1024;

const COOKIE: &str = "agent_session";

pub async fn route(mut req: Request, env: &Env, rest: &[&str]) -> EdgeResult<Response> {
    http::require_same_origin(&req)?;
    if rest == ["login"] {
        require_method(&req, Method::Post)?;
        return login(&mut req, env).await;
    }
    let token = session_token(&req).ok_or_else(directory::not_logged_in)?;
    let session = directory::session(env, &token).await?;
    let changes_state = !matches!(req.method(), Method::Get | Method::Head);
    if changes_state
        && req.headers().get("x-csrf-token")?.as_deref() != Some(session.csrf_token.as_str())
    {
        return Err(EdgeError::new(
            ErrorCode::CsrfRejected,
            "This request lacks the session's CSRF token. Reload the panel.",
        ));
    }
    match rest {
        ["me"] => http::json_response(&session, 200),
        ["admin", "agents", rest @ ..] => {
            require_admin(&session, "Only an admin can manage agents.")?;
            let by = session.agent.id.clone();
            let call = match (req.method(), rest) {
                (Method::Get, []) => AdminCall::List,
                (Method::Post, []) => {
                    AdminCall::Add(http::read_json(&mut req, MAX_BODY_BYTES).await?)
                }
                (Method::Post, [id, "disable"]) => AdminCall::SetDisabled {
                    id: id.to_string(),
                    disabled: true,
                },
                (Method::Post, [id, "enable"]) => AdminCall::SetDisabled {
                    id: id.to_string(),
                    disabled: false,
                },
                (Method::Delete, [id]) => AdminCall::Remove { id: id.to_string() },
                _ => return Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
            };
            let status = if matches!(call, AdminCall::Add(_)) {
                201
            } else {
                200
            };
            http::json_response(&directory::admin(env, &by, call).await?, status)
        }
        ["sites"] => {
            let sites: Vec<String> = crate::load_sites(env)?.keys().cloned().collect();
            http::json_response(&sites, 200)
        }
        ["logout"] => {
            require_method(&req, Method::Post)?;
            directory::logout(env, &token).await?;
            let res = Response::empty()?.with_status(204);
            res.headers().set(
                "set-cookie",
                &format!("{COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0"),
            )?;
            Ok(res)
        }
        ["sites", site, "faq", rest @ ..] => {
            if !is_valid_site_id(site) {
                return Err(EdgeError::new(ErrorCode::UnknownSite, "Unknown site."));
            }
            crate::load_site_config(env, site)?;
            let site = site.to_string();
            match (req.method(), rest) {
                // "Turn this answer into an FAQ entry": a new version.
                (Method::Post, []) => {
                    let entry: shared::faq::NewEntry =
                        http::read_json(&mut req, MAX_BODY_BYTES).await?;
                    let call = InboxCall::AddEntry {
                        site: site.clone(),
                        author: session.agent.name.clone(),
                        entry,
                    };
                    let added: serde_json::Value = inbox::call(env, &site, &call).await?;
                    http::json_response(&added, 201)
                }
                (Method::Get, []) => {
                    let text: serde_json::Value =
                        inbox::call(env, &site, &InboxCall::KnowledgeText { site: site.clone() })
                            .await?;
                    http::json_response(&text, 200)
                }
                // An admin edits the whole text: a new version if it loads.
                (Method::Post, ["text"]) => {
                    require_admin(
                        &session,
                        "Only an admin can edit the knowledge base's text.",
                    )?;
                    #[derive(serde::Deserialize)]
                    struct Text {
                        toml: String,
                    }
                    let body: Text = http::read_json(&mut req, MAX_KB_BYTES).await?;
                    let call = InboxCall::SaveKnowledge {
                        site: site.clone(),
                        author: session.agent.name.clone(),
                        toml: body.toml,
                    };
                    let saved: serde_json::Value = inbox::call(env, &site, &call).await?;
                    http::json_response(&saved, 200)
                }
                (Method::Get, ["versions"]) => {
                    let history: serde_json::Value = inbox::call(
                        env,
                        &site,
                        &InboxCall::KnowledgeHistory { site: site.clone() },
                    )
                    .await?;
                    http::json_response(&history, 200)
                }
                _ => Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
            }
        }
        ["sites", site, "settings"] => {
            let base = crate::load_site_config(env, site)?;
            let (settings, effective) = match req.method() {
                Method::Get => {
                    let settings = inbox::call(env, site, &InboxCall::Settings).await?;
                    let effective = crate::apply_settings(site, base, &settings);
                    (settings, effective)
                }
                Method::Post => {
                    require_admin(&session, "Only an admin can change the site's settings.")?;
                    let settings: SiteSettings = http::read_json(&mut req, MAX_BODY_BYTES).await?;
                    let effective = base
                        .with_settings(&settings)
                        .map_err(|e| EdgeError::new(ErrorCode::Malformed, e))?;
                    let save = InboxCall::SaveSettings {
                        settings: settings.clone(),
                        by: session.agent.name.clone(),
                    };
                    inbox::call::<serde_json::Value>(env, site, &save).await?;
                    (settings, effective)
                }
                _ => return Err(EdgeError::new(ErrorCode::MethodNotAllowed, "GET or POST.")),
            };
            http::json_response(
                &SiteSettingsView {
                    settings,
                    effective,
                },
                200,
            )
        }
        ["sites", site, "canned", rest @ ..] => {
            let config = crate::effective_site_config(env, site).await?;
            let call = match (req.method(), rest) {
                (Method::Get, []) => {
                    let url = req.url()?;
                    let team = url
                        .query_pairs()
                        .find(|(k, _)| k == "team")
                        .map(|(_, v)| v.into_owned());
                    InboxCall::CannedReplies { team }
                }
                (Method::Post, []) => {
                    let reply: shared::protocol::CannedReply =
                        http::read_json(&mut req, MAX_BODY_BYTES).await?;
                    if !config.handoff.teams.iter().any(|t| t.id == reply.team) {
                        return Err(EdgeError::new(
                            ErrorCode::NotFound,
                            format!("This site has no team `{}`.", reply.team),
                        ));
                    }
                    InboxCall::AddCanned(reply)
                }
                (Method::Delete, [id]) => InboxCall::RemoveCanned {
                    id: id.parse().map_err(|_| {
                        EdgeError::new(ErrorCode::NotFound, "No such canned reply.")
                    })?,
                },
                _ => return Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
            };
            let status = if matches!(call, InboxCall::AddCanned(_)) {
                201
            } else {
                200
            };
            let answer: serde_json::Value = inbox::call(env, site, &call).await?;
            http::json_response(&answer, status)
        }
        ["sites", site, what] => {
            if !is_valid_site_id(site) {
                return Err(EdgeError::new(ErrorCode::UnknownSite, "Unknown site."));
            }
            crate::load_site_config(env, site)?;
            if *what == "teams" {
                let config = crate::effective_site_config(env, site).await?;
                return http::json_response(&config.handoff.teams, 200);
            }
            if *what == "mine" || *what == "resolved" {
                // "Mine": claimed by me, open. "Resolved": since the start of today (UTC).
                let call = if *what == "mine" {
                    InboxCall::Mine {
                        agent: session.agent.id.clone(),
                    }
                } else {
                    let now = http::now_ms();
                    InboxCall::ResolvedSince {
                        since_ms: now - now.rem_euclid(86_400_000),
                    }
                };
                let list: serde_json::Value = inbox::call(env, site, &call).await?;
                return http::json_response(&list, 200);
            }
            if *what == "visitors" {
                // A visitor's conversations, found by the e-mail address they left.
                let url = req.url()?;
                let email = url
                    .query_pairs()
                    .find(|(k, _)| k == "email")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                let found: serde_json::Value =
                    inbox::call(env, site, &InboxCall::FindVisitor { email }).await?;
                return http::json_response(&found, 200);
            }
            let stub = inbox::stub(env, site)?;
            match *what {
                "queue" | "metrics" => forward(&req, stub, &session, Method::Get).await,
                "inbox" => {
                    http::require_websocket_upgrade(&req)?;
                    forward(&req, stub, &session, Method::Get).await
                }
                _ => Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
            }
        }
        ["conversations", id, action @ ..] => {
            let id = parse_conversation_id(id).ok_or_else(EdgeError::not_found)?;
            let stub = conversation::stub(env, &id.to_string())?;
            match action {
                // The packet and transcript; or, with DELETE, erase it.
                [] if req.method() == Method::Delete => {
                    forward(&req, stub, &session, Method::Delete).await
                }
                [] => forward(&req, stub, &session, Method::Get).await,
                ["export"] => forward(&req, stub, &session, Method::Get).await,
                ["claim" | "hand-back" | "resolve"] => {
                    require_method(&req, Method::Post)?;
                    forward(&req, stub, &session, Method::Post).await
                }
                ["transfer"] => {
                    require_method(&req, Method::Post)?;
                    // Checked here, before it is passed on.
                    let body: shared::protocol::Transfer =
                        http::read_json(&mut req, MAX_BODY_BYTES).await?;
                    let call = match body.target() {
                        Err(why) => return Err(EdgeError::new(ErrorCode::Malformed, why)),
                        Ok(TransferTo::Team(team)) => conversation::TransferCall::Team(team.into()),
                        // The colleague must be an active agent.
                        Ok(TransferTo::Agent(id)) => {
                            conversation::TransferCall::Agent(directory::colleague(env, id).await?)
                        }
                    };
                    forward_with_body(&req, stub, &session, &serde_json::to_string(&call)?).await
                }
                ["suggestions"] => forward(&req, stub, &session, Method::Get).await,
                ["ws"] => {
                    http::require_websocket_upgrade(&req)?;
                    forward(&req, stub, &session, Method::Get).await
                }
                _ => Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
            }
        }
        _ => Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
    }
}

fn require_admin(session: &AgentSession, refusal: &str) -> EdgeResult<()> {
    if session.agent.admin {
        Ok(())
    } else {
        Err(EdgeError::new(ErrorCode::AdminOnly, refusal))
    }
}

async fn login(req: &mut Request, env: &Env) -> EdgeResult<Response> {
    let body: LoginRequest = http::read_json(req, MAX_BODY_BYTES).await?;
    let address = req
        .headers()
        .get("cf-connecting-ip")?
        .unwrap_or_else(|| "local".into());
    let logged_in = directory::login(
        env,
        &LoginCall {
            email: body.email,
            password: body.password,
            address,
        },
    )
    .await?;
    let res = http::json_response::<AgentSession>(&logged_in.session, 200)?;
    let max_age = directory::SESSION_TTL_MS / 1000;
    res.headers().set(
        "set-cookie",
        &format!(
            "{COOKIE}={}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={max_age}",
            logged_in.token
        ),
    )?;
    Ok(res)
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
async fn forward(
    req: &Request,
    stub: Stub,
    session: &AgentSession,
    method: Method,
) -> EdgeResult<Response> {
    let inner = Request::new_with_init(req.url()?.as_str(), &inner_init(req, session, method)?)?;
    Ok(stub.fetch_with_request(inner).await?)
}

/// A POST passed on with a body this module has already checked.
async fn forward_with_body(
    req: &Request,
    stub: Stub,
    session: &AgentSession,
    body: &str,
) -> EdgeResult<Response> {
    let mut init = inner_init(req, session, Method::Post)?;
    init.with_body(Some(wasm_bindgen::JsValue::from_str(body)));
    let inner = Request::new_with_init(req.url()?.as_str(), &init)?;
    Ok(stub.fetch_with_request(inner).await?)
}

fn inner_init(req: &Request, session: &AgentSession, method: Method) -> EdgeResult<RequestInit> {
    let headers = Headers::new();
    if let Some(upgrade) = req.headers().get("upgrade")? {
        headers.set("upgrade", &upgrade)?;
    }
    headers.set("x-agent", &serde_json::to_string(&session.agent)?)?;
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(headers);
    Ok(init)
}
