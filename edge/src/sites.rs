//! The sites this edge serves: the deployed `SITES` setting (parsed once
//! per isolate) and, over it, the settings admins saved in each site's
//! inbox.

use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::inbox::{self, SiteStateAnswer};
use shared::protocol::ErrorCode;
use shared::site::{
    is_valid_site_id, parse_deployment, EmailSettings, SiteConfig, SiteSettings, Sites,
};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::rc::Rc;
use worker::Env;

/// Each site's e-mail settings, by site id.
type EmailBySite = BTreeMap<String, EmailSettings>;

/// The `SITES` setting as read: the sites, and apart from them their
/// e-mail settings.
struct Deployed {
    raw: String,
    sites: Rc<Sites>,
    email: Rc<EmailBySite>,
}

thread_local! {
    /// The parsed `SITES` setting and the text it came from: every visitor
    /// message reads its site's policy, so it is parsed once per isolate.
    static SITES_PARSED: RefCell<Option<Rc<Deployed>>> = const { RefCell::new(None) };
}

fn deployed(env: &Env) -> EdgeResult<Rc<Deployed>> {
    let raw = env.var("SITES").map(|v| v.to_string()).unwrap_or_default();
    if let Some(d) = SITES_PARSED.with(|c| c.borrow().as_ref().filter(|d| d.raw == raw).cloned()) {
        return Ok(d);
    }
    let parsed = parse_deployment(&raw).map_err(|e| EdgeError::new(ErrorCode::Internal, e))?;
    let d = Rc::new(Deployed {
        sites: Rc::new(parsed.sites),
        email: Rc::new(parsed.email),
        raw,
    });
    SITES_PARSED.with(|c| *c.borrow_mut() = Some(d.clone()));
    Ok(d)
}

pub fn load_sites(env: &Env) -> EdgeResult<Rc<Sites>> {
    Ok(deployed(env)?.sites.clone())
}

/// How the site sends e-mail, if it does: its settings in `SITES` and the
/// edge's `EMAIL` binding (Cloudflare Email Service) both there.
pub fn email_settings(env: &Env, site: &str) -> EdgeResult<Option<EmailSettings>> {
    if env.send_email("EMAIL").is_err() {
        return Ok(None);
    }
    Ok(deployed(env)?.email.get(site).cloned())
}

fn unknown_site() -> EdgeError {
    EdgeError::new(ErrorCode::UnknownSite, "Unknown site.")
}

/// A site as deployed; "unknown site" for anything else.
pub fn load_site_config(env: &Env, site: &str) -> EdgeResult<SiteConfig> {
    if !is_valid_site_id(site) {
        return Err(unknown_site());
    }
    load_sites(env)?.get(site).cloned().ok_or_else(unknown_site)
}

/// How long an isolate trusts what it learned of a site's inbox: a saved
/// setting or knowledge-base version reaches other isolates within this.
const SITE_STATE_TTL_MS: i64 = 5_000;

thread_local! {
    static SITE_STATES: RefCell<HashMap<String, (i64, Rc<SiteStateAnswer>)>> =
        RefCell::new(HashMap::new());
}

/// The site's saved settings and knowledge-base version, asked of its
/// inbox at most every few seconds per isolate (the frame page and every
/// new conversation need them).
pub async fn site_state(env: &Env, site: &str) -> EdgeResult<Rc<SiteStateAnswer>> {
    let now = now_ms();
    let cached = SITE_STATES.with(|c| {
        c.borrow()
            .get(site)
            .filter(|(at, _)| now - at < SITE_STATE_TTL_MS)
            .map(|(_, s)| s.clone())
    });
    if let Some(state) = cached {
        return Ok(state);
    }
    let ask = inbox::SiteState {
        site: site.to_string(),
    };
    let state = Rc::new(inbox::call(env, site, ask).await?);
    SITE_STATES.with(|c| {
        c.borrow_mut()
            .insert(site.to_string(), (now, state.clone()))
    });
    Ok(state)
}

/// Forgets what this isolate knew of a site (after an admin saved
/// something), so its next request asks again.
pub fn forget_site_state(site: &str) {
    SITE_STATES.with(|c| c.borrow_mut().remove(site));
}

/// The site as new conversations get it: the deployed `SITES` entry with
/// the settings admins saved in the panel (kept in the site's inbox), and
/// the knowledge-base version they answer from.
pub async fn effective_site_config(env: &Env, site: &str) -> EdgeResult<(SiteConfig, i64)> {
    let base = load_site_config(env, site)?;
    let state = site_state(env, site).await?;
    Ok((
        apply_settings(site, base, &state.settings),
        state.kb_version,
    ))
}

/// Saved settings were checked against the config of their day; if a
/// redeploy made them invalid since, the deployed config stands.
pub fn apply_settings(site: &str, base: SiteConfig, settings: &SiteSettings) -> SiteConfig {
    base.with_settings(settings).unwrap_or_else(|e| {
        worker::console_error!("site {site}: saved settings no longer apply: {e}");
        base
    })
}
