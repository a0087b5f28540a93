//! Limits on what anonymous callers can make the edge store: new
//! conversations per address and per site, through the Workers Rate
//! Limiting binding (`[[ratelimits]]` in wrangler.toml; `wrangler dev`
//! simulates it). A refusal is `rate_limited` with `Retry-After`.

use crate::error::{EdgeError, EdgeResult};
use crate::http;
use worker::{Env, Request};

/// Binding names, each with its window in seconds (the binding's `period`).
const PER_ADDRESS: (&str, u32) = ("NEW_CONVERSATIONS_PER_ADDRESS", 60);
const PER_SITE: (&str, u32) = ("NEW_CONVERSATIONS_PER_SITE", 60);

/// May this caller open one more conversation on `site` now?
pub async fn new_conversation(env: &Env, req: &Request, site: &str) -> EdgeResult<()> {
    let address = http::client_address(req);
    take(env, PER_ADDRESS, &format!("{site}|{address}")).await?;
    take(env, PER_SITE, site).await
}

async fn take(env: &Env, (binding, period_s): (&str, u32), key: &str) -> EdgeResult<()> {
    let outcome = env.rate_limiter(binding)?.limit(key.to_string()).await?;
    if outcome.success {
        Ok(())
    } else {
        Err(EdgeError::rate_limited(
            "Too many new conversations at once. Please try again in a minute.",
            period_s,
        ))
    }
}
