//! The sites this edge serves: the deployed `SITES` setting (parsed once
//! per isolate) and, over it, the settings admins saved in each site's
//! inbox.

use crate::error::{EdgeError, EdgeResult};
use crate::inbox;
use shared::protocol::ErrorCode;
use shared::site::{is_valid_site_id, parse_sites, SiteConfig, SiteSettings, Sites};
use std::cell::RefCell;
use std::rc::Rc;
use worker::Env;

thread_local! {
    /// The parsed `SITES` setting and the text it came from: every visitor
    /// message reads its site's policy, so it is parsed once per isolate.
    static SITES_PARSED: RefCell<Option<(String, Rc<Sites>)>> = const { RefCell::new(None) };
}

pub fn load_sites(env: &Env) -> EdgeResult<Rc<Sites>> {
    let raw = env.var("SITES").map(|v| v.to_string()).unwrap_or_default();
    if let Some(sites) = SITES_PARSED.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(r, _)| *r == raw)
            .map(|(_, s)| s.clone())
    }) {
        return Ok(sites);
    }
    let sites = Rc::new(parse_sites(&raw).map_err(|e| EdgeError::new(ErrorCode::Internal, e))?);
    SITES_PARSED.with(|c| *c.borrow_mut() = Some((raw, sites.clone())));
    Ok(sites)
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

/// The site as new conversations get it: the deployed `SITES` entry with
/// the settings admins saved in the panel (kept in the site's inbox).
pub async fn effective_site_config(env: &Env, site: &str) -> EdgeResult<SiteConfig> {
    let base = load_site_config(env, site)?;
    let settings = inbox::call(env, site, inbox::Settings).await?;
    Ok(apply_settings(site, base, &settings))
}

/// Saved settings were checked against the config of their day; if a
/// redeploy made them invalid since, the deployed config stands.
pub fn apply_settings(site: &str, base: SiteConfig, settings: &SiteSettings) -> SiteConfig {
    base.with_settings(settings).unwrap_or_else(|e| {
        worker::console_error!("site {site}: saved settings no longer apply: {e}");
        base
    })
}
