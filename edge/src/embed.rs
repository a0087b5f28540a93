//! `GET /api/v1/sites/{site}/launcher`: before the loader draws anything it
//! asks whether this page may show the chat (`shared::embed`) and gets the
//! launcher's saved look and the page's proactive message
//! (`shared::proactive`), so a marketer's changes apply without a new tag
//! and a page the site does not list shows nothing broken. A refused page's
//! origin is kept in the site's inbox for the Settings page: capped there,
//! limited per address, and remembered per isolate so that busy pages do
//! not write on every view.

use crate::error::{EdgeError, EdgeResult};
use crate::http::{self, now_ms};
use crate::{inbox, limits, sites};
use shared::analysis::Language;
use shared::embed::{self, Launcher, Page};
use std::cell::RefCell;
use std::collections::HashMap;
use worker::{Env, Request, Response};

/// How long an isolate keeps an allowed answer in the browser's cache: a
/// saved look reaches pages within this. Refusals are never cached, so an
/// origin works as soon as it is allowed.
const ALLOWED_MAX_AGE_S: u32 = 60;

/// A refused origin is written at most this often per isolate.
const REMEMBER_EVERY_MS: i64 = 60_000;

thread_local! {
    static RECENTLY_REFUSED: RefCell<HashMap<String, i64>> = RefCell::new(HashMap::new());
}

/// The answer, readable by any page (it is what the browser would decide
/// anyway); errors too, so the loader can name them.
pub async fn launcher(req: &Request, env: &Env, site: &str) -> Response {
    let (answer, cache) = match decide(req, env, site).await {
        Ok(Answer::Allowed(l)) => (
            http::json_response(&l, 200),
            format!("max-age={ALLOWED_MAX_AGE_S}"),
        ),
        Ok(Answer::Refused) => (
            http::json_response(&Launcher::refused(), 200),
            "no-store".into(),
        ),
        Err(e) => (Err(e), "no-store".into()),
    };
    let mut response = answer.unwrap_or_else(EdgeError::into_response);
    let headers = response.headers_mut();
    let _ = headers.set("access-control-allow-origin", "*");
    let _ = headers.set("vary", "origin");
    let _ = headers.set("cache-control", &cache);
    response
}

enum Answer {
    Allowed(Launcher),
    Refused,
}

async fn decide(req: &Request, env: &Env, site: &str) -> EdgeResult<Answer> {
    let (config, _) = sites::effective_site_config(env, site).await?;
    let url = req.url()?;
    let own = url.origin().ascii_serialization();
    let page = req.headers().get("origin")?;
    // Browsers send no Origin on a same-origin GET: the edge's own pages.
    let allowed = match page.as_deref() {
        None => true,
        Some(o) => o == own || embed::allows(&config.embed_origins, o),
    };
    if allowed {
        let asked = |key: &str| http::query_of(&url, key);
        let (color, position) = (asked("color"), asked("position"));
        let (path, lang) = (asked("path"), asked("lang"));
        let page = Page {
            color: color.as_deref(),
            position: position.as_deref(),
            path: path.as_deref().unwrap_or("/"),
            language: lang.as_deref().and_then(Language::from_tag),
        };
        return Ok(Answer::Allowed(Launcher::allowed(&config, &page)));
    }
    if let Some(origin) = page.as_deref().and_then(embed::page_origin) {
        if let Err(e) = remember(req, env, site, origin).await {
            worker::console_log!("refused origin not kept: {}", e.message);
        }
    }
    Ok(Answer::Refused)
}

async fn remember(req: &Request, env: &Env, site: &str, origin: String) -> EdgeResult<()> {
    let now = now_ms();
    let key = format!("{site} {origin}");
    let recent = RECENTLY_REFUSED.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() > 1_000 {
            r.clear();
        }
        let recent = r.get(&key).is_some_and(|at| now - at < REMEMBER_EVERY_MS);
        if !recent {
            r.insert(key, now);
        }
        recent
    });
    if recent || !limits::refused_page(env, req, site).await? {
        return Ok(());
    }
    let refuse = inbox::RefuseOrigin { origin, at_ms: now };
    inbox::call(env, site, refuse).await
}
