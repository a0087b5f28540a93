//! Signed-in visitors at the edge (`shared::identity` decides). The token
//! the host page gave is checked when the frame page is served: a verified
//! visitor's frame keeps its conversation under a key of its own (a second
//! person signing in on the same browser never sees the first one's), and
//! a refusal becomes the console message the frame writes. It is checked
//! again when the conversation is made, where a verified visitor's latest
//! conversation is joined from any browser with a secret of its own.

use crate::credentials;
use crate::error::EdgeResult;
use crate::http::now_ms;
use crate::{conversation, inbox, sites};
use shared::identity::{self, IdentityRefusal, VerifiedVisitor};
use shared::protocol::ConversationCreated;
use worker::Env;

/// Who `token` says the visitor is, if the site's secrets agree.
pub async fn check(
    env: &Env,
    site: &str,
    token: &str,
) -> EdgeResult<Result<VerifiedVisitor, IdentityRefusal>> {
    let state = sites::site_state(env, site).await?;
    Ok(identity::verify(token, &state.identity, now_ms()))
}

/// The name a browser keeps a verified visitor's conversation under: the
/// same for the same user of the same site, telling nothing about them.
pub fn storage_key(site: &str, user_id: &str) -> String {
    credentials::hash(&format!("{site}\n{user_id}"))[..16].to_string()
}

/// The user's latest conversation, opened for this browser with a secret
/// of its own; `None` if the site keeps none of theirs.
pub async fn join_latest(env: &Env, site: &str, user_id: &str) -> Option<ConversationCreated> {
    let latest = inbox::LatestOfUser {
        user_id: user_id.to_string(),
    };
    let conversation_id = inbox::call(env, site, latest).await.ok()??;
    let visitor_secret = credentials::new_secret();
    let key = conversation::AddVisitorKey {
        secret_hash: credentials::hash(&visitor_secret),
    };
    conversation::call(env, &conversation_id, key).await.ok()?;
    Some(ConversationCreated {
        conversation_id,
        visitor_secret,
    })
}

/// A new conversation belongs to `visitor`.
pub async fn remember(
    env: &Env,
    site: &str,
    conversation_id: &str,
    visitor: &VerifiedVisitor,
) -> EdgeResult<()> {
    let identify = inbox::Identify {
        conversation_id: conversation_id.to_string(),
        user_id: visitor.user_id.clone(),
        at_ms: now_ms(),
    };
    inbox::call(env, site, identify).await
}
