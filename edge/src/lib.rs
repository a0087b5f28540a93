//! The edge: one Cloudflare Worker that serves the widget frame and the
//! visitor API, and forwards each conversation to its Durable Object.
//! Static files (loader, demo page, built wasm) are served by the assets
//! binding before this code runs.

mod agent_routes;
mod clock;
mod conversation;
mod credentials;
mod directory;
mod error;
mod frame;
mod http;
mod inbox;
mod knowledge;
mod object;
mod password;

pub use conversation::Conversation;
pub use directory::Directory;
pub use inbox::Inbox;

use error::{EdgeError, EdgeResult};
use shared::protocol::{
    parse_conversation_id, ConversationCreated, CreateConversation, ErrorCode, MAX_BODY_BYTES,
};
use shared::site::{is_valid_site_id, parse_sites, Sites};
use worker::{event, Context, Env, Method, Request, Response};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    Ok(route(req, &env)
        .await
        .unwrap_or_else(EdgeError::into_response))
}

async fn route(req: Request, env: &Env) -> EdgeResult<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["chat", site] => frame::serve(&effective_site_config(env, site).await?),
        ["api", "v1", "conversations"] => {
            require_method(&req, Method::Post)?;
            create_conversation(req, env).await
        }
        // One conversation: erase it, get a socket ticket, open the socket.
        ["api", "v1", "conversations", id, action @ ..] => {
            let id = parse_conversation_id(id).ok_or_else(EdgeError::not_found)?;
            http::require_same_origin(&req)?;
            match action {
                [] => require_method(&req, Method::Delete)?,
                ["ticket"] => require_method(&req, Method::Post)?,
                ["ws"] => http::require_websocket_upgrade(&req)?,
                _ => return Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
            }
            conversation::stub(env, &id.to_string())?
                .fetch_with_request(req)
                .await
                .map_err(EdgeError::from)
        }
        ["api", "v1", "agent", rest @ ..] => agent_routes::route(req, env, rest).await,
        _ => Err(EdgeError::new(ErrorCode::NotFound, "Nothing here.")),
    }
}

pub(crate) fn require_method(req: &Request, method: Method) -> EdgeResult<()> {
    if req.method() == method {
        Ok(())
    } else {
        Err(EdgeError::new(
            ErrorCode::MethodNotAllowed,
            format!("Use {method} here."),
        ))
    }
}

thread_local! {
    /// The parsed `SITES` setting and the text it came from: every visitor
    /// message reads its site's policy, so it is parsed once per isolate.
    static SITES_PARSED: std::cell::RefCell<Option<(String, std::rc::Rc<Sites>)>> =
        const { std::cell::RefCell::new(None) };
}

pub(crate) fn load_sites(env: &Env) -> EdgeResult<std::rc::Rc<Sites>> {
    let raw = env.var("SITES").map(|v| v.to_string()).unwrap_or_default();
    if let Some(sites) = SITES_PARSED.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(r, _)| *r == raw)
            .map(|(_, s)| s.clone())
    }) {
        return Ok(sites);
    }
    let sites =
        std::rc::Rc::new(parse_sites(&raw).map_err(|e| EdgeError::new(ErrorCode::Internal, e))?);
    SITES_PARSED.with(|c| *c.borrow_mut() = Some((raw, sites.clone())));
    Ok(sites)
}

pub(crate) fn load_site_config(env: &Env, site: &str) -> EdgeResult<shared::site::SiteConfig> {
    if !is_valid_site_id(site) {
        return Err(EdgeError::new(ErrorCode::UnknownSite, "Unknown site."));
    }
    load_sites(env)?
        .get(site)
        .cloned()
        .ok_or_else(|| EdgeError::new(ErrorCode::UnknownSite, "Unknown site."))
}

/// The site as new conversations get it: the deployed `SITES` entry with
/// the settings admins saved in the panel (kept in the site's inbox).
pub(crate) async fn effective_site_config(
    env: &Env,
    site: &str,
) -> EdgeResult<shared::site::SiteConfig> {
    let base = load_site_config(env, site)?;
    let settings = inbox::call(env, site, &inbox::InboxCall::Settings).await?;
    Ok(apply_settings(site, base, &settings))
}

/// Saved settings were checked against the config of their day; if a
/// redeploy made them invalid since, the deployed config stands.
pub(crate) fn apply_settings(
    site: &str,
    base: shared::site::SiteConfig,
    settings: &shared::site::SiteSettings,
) -> shared::site::SiteConfig {
    base.with_settings(settings).unwrap_or_else(|e| {
        worker::console_error!("site {site}: saved settings no longer apply: {e}");
        base
    })
}

/// A visitor opened the chat: the edge makes the conversation id and the
/// visitor's secret, and the Durable Object keeps only the secret's hash.
async fn create_conversation(mut req: Request, env: &Env) -> EdgeResult<Response> {
    http::require_same_origin(&req)?;
    let body: CreateConversation = http::read_json(&mut req, MAX_BODY_BYTES).await?;
    let config = effective_site_config(env, &body.site).await?;
    let follows = match &body.follows {
        Some(f) => conversation::proven_follow_up(env, &body.site, f).await,
        None => None,
    };
    let conversation_id = uuid::Uuid::new_v4().to_string();
    let visitor_secret = credentials::new_secret();
    let init = conversation::Init {
        conversation_id: conversation_id.clone(),
        site: body.site,
        locale: body.locale.map(|l| l.chars().take(35).collect()),
        page_url: body.page_url.map(|u| u.chars().take(2048).collect()),
        secret_hash: credentials::hash(&visitor_secret),
        disclosure_version: body.disclosure_version,
        follows,
        visitor_name: body
            .visitor_name
            .map(|n| shared::text::clean_name(&n, 60))
            .filter(|n| !n.is_empty()),
        config: Some(config),
    };
    conversation::init(env, &init).await?;
    let created = ConversationCreated {
        conversation_id,
        visitor_secret,
    };
    http::json_response(&created, 201)
}
