//! Limits on what anonymous callers can make the edge do: new
//! conversations per address and per site, and the links in answer mails
//! (reopen, stop) per address, through the Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml; `wrangler dev`
//! simulates it). A refusal is `rate_limited` with `Retry-After`.

use crate::error::{EdgeError, EdgeResult};
use crate::http;
use worker::{Env, Request};

/// Binding names, each with its window in seconds (the binding's `period`).
const PER_ADDRESS: (&str, u32) = ("NEW_CONVERSATIONS_PER_ADDRESS", 60);
const PER_SITE: (&str, u32) = ("NEW_CONVERSATIONS_PER_SITE", 60);
const MAIL_LINKS: (&str, u32) = ("MAIL_LINKS_PER_ADDRESS", 60);
const REFUSED_PAGES: (&str, u32) = ("REFUSED_PAGES_PER_ADDRESS", 60);

const TOO_MANY_CONVERSATIONS: &str =
    "Too many new conversations at once. Please try again in a minute.";

/// May this caller open one more conversation on `site` now?
pub async fn new_conversation(env: &Env, req: &Request, site: &str) -> EdgeResult<()> {
    let address = http::client_address(req);
    let key = format!("{site}|{address}");
    take(env, PER_ADDRESS, &key, TOO_MANY_CONVERSATIONS).await?;
    take(env, PER_SITE, site, TOO_MANY_CONVERSATIONS).await
}

/// May this caller use one more link from an answer mail on `site` now?
/// (Their tokens cannot be guessed; this keeps trying from costing much.)
pub async fn mail_link(env: &Env, req: &Request, site: &str) -> EdgeResult<()> {
    let key = format!("{site}|{}", http::client_address(req));
    let message = "Too many tries with links from e-mails. Please try again in a minute.";
    take(env, MAIL_LINKS, &key, message).await
}

/// May the edge keep one more refused page origin this caller reported
/// for `site`? (A refusal is answered either way; this only bounds writes.)
pub async fn refused_page(env: &Env, req: &Request, site: &str) -> EdgeResult<bool> {
    let key = format!("{site}|{}", http::client_address(req));
    let outcome = env.rate_limiter(REFUSED_PAGES.0)?.limit(key).await?;
    Ok(outcome.success)
}

async fn take(
    env: &Env,
    (binding, period_s): (&str, u32),
    key: &str,
    message: &str,
) -> EdgeResult<()> {
    let outcome = env.rate_limiter(binding)?.limit(key.to_string()).await?;
    if outcome.success {
        Ok(())
    } else {
        Err(EdgeError::rate_limited(message, period_s))
    }
}
