//! The edge: one Cloudflare Worker that serves the widget frame and the
//! visitor API, and forwards each conversation to its Durable Object.
//! Static files (loader, demo page, built wasm) are served by the assets
//! binding before this code runs.

mod agent_routes;
mod clock;
mod conversation;
mod credentials;
mod directory;
mod embed;
mod error;
mod frame;
mod http;
mod identity;
mod inbox;
mod knowledge;
mod limits;
mod mail;
mod object;
mod password;
mod photos;
mod sites;

pub use conversation::Conversation;
pub use directory::Directory;
pub use inbox::Inbox;

use error::{EdgeError, EdgeResult};
use shared::analysis::Language;
use shared::disclosure::DISCLOSURE_VERSION;
use shared::protocol::{
    parse_conversation_id, ConversationCreated, CreateConversation, ErrorCode, MAX_BODY_BYTES,
};
use shared::text::{clean_name, clean_page_url};
use worker::{event, Context, Env, ForwardableEmailMessage, Method, Request, Response};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    Ok(route(req, &env)
        .await
        .unwrap_or_else(EdgeError::into_response))
}

/// A visitor's reply to an answer mail (Email Routing hands the reply
/// domain's mail to this worker). Never an `Err`: the glue would abort the
/// module; a refused mail is bounced with its reason.
#[event(email)]
async fn email(message: ForwardableEmailMessage, env: Env, _ctx: Context) -> worker::Result<()> {
    if let Err(reason) = mail::receive(&message, &env).await {
        message.set_reject(reason);
    }
    Ok(())
}

async fn route(req: Request, env: &Env) -> EdgeResult<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["chat", site] => {
            let color = http::query(&req, "color")?;
            let locale = http::query(&req, "lang")?;
            let config = sites::effective_site_config(env, site).await?.0;
            let signed_in = frame_identity(&req, env, site).await?;
            frame::serve(&config, color.as_deref(), locale.as_deref(), signed_in)
        }
        ["chat", site, "badge"] => {
            let config = sites::effective_site_config(env, site).await?.0;
            let signed_in = frame_identity(&req, env, site).await?;
            frame::serve_badge(&config, signed_in)
        }
        // May this page show the chat, and how its launcher looks.
        ["api", "v1", "sites", site, "launcher"] => {
            http::require_method(&req, Method::Get)?;
            Ok(embed::launcher(&req, env, site).await)
        }
        ["api", "v1", "conversations"] => {
            http::require_method(&req, Method::Post)?;
            create_conversation(req, env).await
        }
        // One conversation: erase it, get a socket ticket, open the socket,
        // send a photo.
        ["api", "v1", "conversations", id, action @ ..] => {
            let id = parse_conversation_id(id).ok_or_else(EdgeError::not_found)?;
            http::require_same_origin(&req)?;
            match action {
                [] => http::require_method(&req, Method::Delete)?,
                ["ticket"] => http::require_method(&req, Method::Post)?,
                ["unread"] => http::require_method(&req, Method::Get)?,
                ["ws"] => http::require_websocket_upgrade(&req)?,
                ["photos"] => {
                    http::require_method(&req, Method::Post)?;
                    photos::check_upload(env, &req).await?;
                }
                _ => return Err(EdgeError::nothing_here()),
            }
            Ok(conversation::stub(env, id)?.fetch_with_request(req).await?)
        }
        // A photo, through a signed link the conversation gave out.
        ["api", "v1", "photos", id, photo, variant] => {
            photos::serve(&req, env, id, photo, variant).await
        }
        ["api", "v1", "mail", "reopen"] => mail::reopen(req, env).await,
        ["mail", site, "open"] => mail::open(&req, env, site),
        ["mail", site, token, "stop"] => mail::stop(&req, env, site, token).await,
        ["api", "v1", "agent", rest @ ..] => agent_routes::route(req, env, rest).await,
        _ => Err(EdgeError::nothing_here()),
    }
}

/// The identity the host page gave the frame (`?identity=`), checked.
async fn frame_identity(
    req: &Request,
    env: &Env,
    site: &str,
) -> EdgeResult<Option<frame::SignedIn>> {
    let Some(token) = http::query(req, "identity")? else {
        return Ok(None);
    };
    Ok(Some(match identity::check(env, site, &token).await? {
        Ok(visitor) => frame::SignedIn::Verified {
            key: identity::storage_key(site, &visitor.user_id),
            token,
        },
        Err(refusal) => frame::SignedIn::Refused(refusal),
    }))
}

/// A visitor opened the chat: the edge makes the conversation id and the
/// visitor's secret, and the Durable Object keeps only the secret's hash.
/// Limited per address and site; everything the widget reports about the
/// visitor is checked and cleaned here, once.
async fn create_conversation(mut req: Request, env: &Env) -> EdgeResult<Response> {
    http::require_same_origin(&req)?;
    let body: CreateConversation = http::read_json(&mut req, MAX_BODY_BYTES).await?;
    let (config, kb_version) = sites::effective_site_config(env, &body.site).await?;
    let locale = match body.locale.as_deref().map(Language::from_tag) {
        None => None,
        Some(Some(language)) => Some(language.code().to_string()),
        Some(None) => {
            return Err(EdgeError::new(
                ErrorCode::Malformed,
                "locale: a language this chat speaks (en, de or es), like `de` or `de-AT`.",
            ))
        }
    };
    let disclosure_version = match body.disclosure_version {
        None | Some(DISCLOSURE_VERSION) => DISCLOSURE_VERSION,
        Some(other) => {
            return Err(EdgeError::new(
                ErrorCode::Malformed,
                format!("disclosure_version: {other} is not a disclosure this edge shows."),
            ))
        }
    };
    let verified = match body.identity.as_deref() {
        Some(token) => identity::check(env, &body.site, token).await?.ok(),
        None => None,
    };
    limits::new_conversation(env, &req, &body.site).await?;
    // A signed-in visitor in another browser continues their conversation
    // (unless they are starting a new one after a resolved one).
    if let (Some(visitor), None) = (&verified, &body.follows) {
        if let Some(joined) = identity::join_latest(env, &body.site, &visitor.user_id).await {
            return http::json_response(&joined, 200);
        }
    }
    let follows = match &body.follows {
        Some(f) => conversation::proven_follow_up(env, &body.site, f).await,
        None => None,
    };
    let conversation_id = conversation::new_id(env)?;
    let visitor_secret = credentials::new_secret();
    let init = conversation::Init {
        conversation_id: conversation_id.clone(),
        site: body.site,
        locale,
        page_url: body.page_url.as_deref().and_then(clean_page_url),
        secret_hash: credentials::hash(&visitor_secret),
        disclosure_version,
        kb_version: Some(kb_version),
        follows,
        visitor_name: verified
            .as_ref()
            .and_then(|v| v.name.clone())
            .or_else(|| body.visitor_name.map(|n| clean_name(&n, 60)))
            .filter(|n| !n.is_empty()),
        config: Some(config),
        verified: verified.clone(),
    };
    let site = init.site.clone();
    conversation::init(env, init).await?;
    if let Some(visitor) = &verified {
        identity::remember(env, &site, &conversation_id, visitor).await?;
    }
    let created = ConversationCreated {
        conversation_id,
        visitor_secret,
    };
    http::json_response(&created, 201)
}
