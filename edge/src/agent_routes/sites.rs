//! A site's routes: its live queue and metrics, the agent's lists, the
//! tickets (questions visitors left), the visitors found by e-mail, settings, alerts, canned replies and
//! the knowledge base.

use super::{forward, Caller};
use crate::error::{EdgeError, EdgeResult};
use crate::http;
use crate::inbox;
use crate::knowledge;
use crate::sites;
use shared::access;
use shared::alerts::{self, AlertEvent, NewHook, Target, TargetHost, TargetRefusal};
use shared::analysis::Language;
use shared::assistant;
use shared::embed::{self, AllowOrigin};
use shared::faq::{EntriesView, KnowledgeBase};
use shared::protocol::{CannedReply, ErrorCode, TrialRequest, MAX_BODY_BYTES};
use shared::site::{SiteConfig, SiteSettings, SiteSettingsView};
use std::rc::Rc;
use worker::{Method, Request, Response};

/// Largest knowledge-base text an admin may save (the demo's is 14 KB).
const MAX_KB_BYTES: usize = 256 * 1024;

/// The sites the agent works for.
pub fn list(caller: &Caller<'_>) -> EdgeResult<Response> {
    let agent = &caller.session.agent;
    let sites: Vec<String> = sites::load_sites(caller.env)?
        .keys()
        .filter(|s| access::serves_site(agent, s))
        .cloned()
        .collect();
    http::json_response(&sites, 200)
}

pub async fn route(
    mut req: Request,
    caller: &Caller<'_>,
    site: &str,
    rest: &[&str],
) -> EdgeResult<Response> {
    sites::load_site_config(caller.env, site)?;
    let agent = &caller.session.agent;
    if !access::serves_site(agent, site) {
        // As for a site that does not exist.
        return Err(EdgeError::new(ErrorCode::UnknownSite, "Unknown site."));
    }
    let env = caller.env;
    match (req.method(), rest) {
        (Method::Get, ["queue" | "metrics"]) => {
            forward(&req, inbox::stub(env, site)?, caller, Method::Get, None).await
        }
        (_, ["inbox"]) => {
            http::require_websocket_upgrade(&req)?;
            forward(&req, inbox::stub(env, site)?, caller, Method::Get, None).await
        }
        (Method::Get, ["teams"]) => {
            let (config, _) = sites::effective_site_config(env, site).await?;
            http::json_response(&config.handoff.teams, 200)
        }
        // Claimed by me and open.
        (Method::Get, ["mine"]) => {
            let mine = inbox::Mine {
                agent: caller.session.agent.id.clone(),
            };
            http::json_response(&inbox::call(env, site, mine).await?, 200)
        }
        // Resolved since the start of today (UTC).
        (Method::Get, ["resolved"]) => {
            let now = http::now_ms();
            let since = inbox::ResolvedSince {
                since_ms: now - now.rem_euclid(86_400_000),
                site: site.to_string(),
                agent: agent.clone(),
            };
            http::json_response(&inbox::call(env, site, since).await?, 200)
        }
        // The site's conversations by words, visitor, dates, team, reason,
        // rating and state (`inbox/search.rs`).
        (Method::Get, ["search"]) => {
            let url = req.url()?;
            let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            let search = shared::protocol::SearchRequest::from_pairs(
                pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            )?;
            let call = inbox::Search {
                agent: agent.clone(),
                search,
            };
            http::json_response(&inbox::call(env, site, call).await?, 200)
        }
        // Made-up conversations for `cargo xtask bench-search`: only on a
        // worker started with SEARCH_SEED=1 (none is deployed so), by an admin.
        (Method::Post, ["search", "seed"])
            if env.var("SEARCH_SEED").is_ok_and(|v| v.to_string() == "1") =>
        {
            caller.require_admin("Seeding the search is for admins.")?;
            let seed: inbox::SeedSearch = http::read_json(&mut req, MAX_BODY_BYTES).await?;
            // The inbox's database size afterwards, in bytes.
            http::json_response(&inbox::call(env, site, seed).await?, 200)
        }
        // A visitor's conversations, found by the e-mail address they left.
        (Method::Get, ["visitors"]) => {
            let email = http::query(&req, "email")?.unwrap_or_default();
            let find = inbox::FindVisitor {
                email,
                site: site.to_string(),
                agent: agent.clone(),
            };
            let found = inbox::call(env, site, find).await?;
            http::json_response(&found, 200)
        }
        // Questions visitors left for the agent's teams.
        (Method::Get, ["tickets"]) => {
            let list = inbox::Tickets {
                site: site.to_string(),
                agent: agent.clone(),
            };
            http::json_response(&inbox::call(env, site, list).await?, 200)
        }
        (Method::Get, ["settings"]) => {
            let settings = inbox::call(env, site, inbox::Settings).await?;
            let base = sites::load_site_config(env, site)?;
            let effective = sites::apply_settings(site, base, &settings);
            http::json_response(&settings_view(env, site, settings, effective).await?, 200)
        }
        (Method::Post, ["settings"]) => {
            caller.require_admin(SETTINGS_ADMIN_ONLY)?;
            let settings: SiteSettings = http::read_json(&mut req, MAX_BODY_BYTES).await?;
            save_settings(caller, site, settings).await
        }
        // Signed-in visitors: the identity secret, and a new one.
        (Method::Get, ["identity"]) => {
            caller.require_admin(SETTINGS_ADMIN_ONLY)?;
            let ask = inbox::SiteState {
                site: site.to_string(),
            };
            let keys = inbox::call(env, site, ask).await?.identity;
            http::json_response(&keys.view(http::now_ms()), 200)
        }
        (Method::Post, ["identity"]) => {
            caller.require_admin(SETTINGS_ADMIN_ONLY)?;
            let rotate = inbox::RotateIdentity {
                secret: format!("idv_{}", crate::credentials::new_secret()),
                at_ms: http::now_ms(),
                by: agent.name.clone(),
            };
            let keys = inbox::call(env, site, rotate).await?;
            sites::forget_site_state(site);
            http::json_response(&keys.view(http::now_ms()), 200)
        }
        // One click in Settings: a refused page's origin becomes allowed.
        (Method::Post, ["settings", "allow"]) => {
            caller.require_admin(SETTINGS_ADMIN_ONLY)?;
            let AllowOrigin { origin } = http::read_json(&mut req, MAX_BODY_BYTES).await?;
            let origin = embed::page_origin(&origin).ok_or_else(|| {
                EdgeError::new(
                    ErrorCode::Malformed,
                    "That is not an origin like https://shop.example.",
                )
            })?;
            let mut settings = inbox::call(env, site, inbox::Settings).await?;
            let base = sites::load_site_config(env, site)?;
            let mut origins = settings
                .embed_origins
                .take()
                .unwrap_or_else(|| base.embed_origins.clone());
            if !origins.contains(&origin) {
                origins.push(origin);
            }
            settings.embed_origins = Some(origins);
            save_settings(caller, site, settings).await
        }
        (Method::Get, ["alerts"]) => {
            caller.require_admin(ALERTS_ADMIN_ONLY)?;
            http::json_response(&inbox::call(env, site, inbox::Alerts).await?, 200)
        }
        (Method::Post, ["alerts"]) => add_hook(&mut req, caller, site).await,
        (method @ (Method::Delete | Method::Post), ["alerts", id, action @ ..]) => {
            caller.require_admin(ALERTS_ADMIN_ONLY)?;
            let id = id
                .parse()
                .map_err(|_| EdgeError::new(ErrorCode::NotFound, "No such alert hook."))?;
            match (method, action) {
                (Method::Delete, []) => inbox::call(env, site, inbox::RemoveHook { id }).await?,
                (Method::Post, ["test"]) => inbox::call(env, site, inbox::TestHook { id }).await?,
                _ => return Err(EdgeError::nothing_here()),
            }
            http::json_response(&(), 200)
        }
        (Method::Get, ["canned"]) => {
            let team = http::query(&req, "team")?;
            let list = inbox::CannedReplies {
                team,
                agent: agent.clone(),
            };
            let replies = inbox::call(env, site, list).await?;
            http::json_response(&replies, 200)
        }
        (Method::Post, ["canned"]) => add_canned(&mut req, caller, site).await,
        (Method::Delete, ["canned", id]) => {
            let id = id
                .parse()
                .map_err(|_| EdgeError::new(ErrorCode::NotFound, "No such canned reply."))?;
            let remove = inbox::RemoveCanned {
                id,
                agent: agent.clone(),
            };
            inbox::call(env, site, remove).await?;
            http::json_response(&(), 200)
        }
        (Method::Get, ["faq"]) => {
            let head = inbox::Head {
                site: site.to_string(),
            };
            http::json_response(&inbox::call(env, site, head).await?, 200)
        }
        // "Turn this answer into an FAQ entry": a new version.
        (Method::Post, ["faq"]) => {
            let add = inbox::AddEntry {
                site: site.to_string(),
                author: caller.session.agent.name.clone(),
                entry: http::read_json(&mut req, MAX_BODY_BYTES).await?,
            };
            let saved = inbox::call(env, site, add).await?;
            sites::forget_site_state(site);
            http::json_response(&saved, 201)
        }
        // An admin edits the whole text: a new version if it loads.
        (Method::Post, ["faq", "text"]) => {
            caller.require_admin("Only an admin can edit the knowledge base's text.")?;
            #[derive(serde::Deserialize)]
            struct Text {
                toml: String,
            }
            let body: Text = http::read_json(&mut req, MAX_KB_BYTES).await?;
            let save = inbox::SaveKnowledge {
                site: site.to_string(),
                author: caller.session.agent.name.clone(),
                toml: body.toml,
            };
            let saved = inbox::call(env, site, save).await?;
            sites::forget_site_state(site);
            http::json_response(&saved, 200)
        }
        // The entries as forms, and saving them (a new version).
        (Method::Get, ["faq", "entries"]) => {
            let head = inbox::Head {
                site: site.to_string(),
            };
            let text = inbox::call(env, site, head).await?;
            let (file, _) = knowledge::bundled(site);
            let kb = KnowledgeBase::from_toml(file, &text.toml)?;
            let view = EntriesView {
                version: text.version,
                languages: kb
                    .settings
                    .languages
                    .iter()
                    .map(|l| l.code().to_string())
                    .collect(),
                entries: shared::faq::entry_forms(&kb),
            };
            http::json_response(&view, 200)
        }
        (Method::Post, ["faq", "entries"]) => {
            caller.require_admin("Only an admin can edit the knowledge base.")?;
            let body: EntriesView = http::read_json(&mut req, MAX_KB_BYTES).await?;
            let save = inbox::SaveEntries {
                site: site.to_string(),
                author: caller.session.agent.name.clone(),
                base_version: body.version,
                entries: body.entries,
            };
            let saved = inbox::call(env, site, save).await?;
            sites::forget_site_state(site);
            http::json_response(&saved, 200)
        }
        (Method::Post, ["faq", "try"]) => try_question(&mut req, caller, site).await,
        (Method::Get, ["faq", "versions"]) => {
            let history = inbox::History {
                site: site.to_string(),
            };
            http::json_response(&inbox::call(env, site, history).await?, 200)
        }
        _ => Err(EdgeError::nothing_here()),
    }
}

const ALERTS_ADMIN_ONLY: &str = "Only an admin can set up the site's alerts.";

/// An admin adds an alert hook: at least one event, and an address the
/// edge may send to (`shared::alerts::check_target`; a loopback receiver
/// only where `WEBHOOKS_TO_LOOPBACK` allows it: local development).
async fn add_hook(req: &mut Request, caller: &Caller<'_>, site: &str) -> EdgeResult<Response> {
    caller.require_admin(ALERTS_ADMIN_ONLY)?;
    let mut hook: NewHook = http::read_json(req, MAX_BODY_BYTES).await?;
    // Each real event once, in one order ("test" is the panel's button).
    hook.events = [AlertEvent::Handoff, AlertEvent::Ticket, AlertEvent::Rating]
        .into_iter()
        .filter(|e| hook.events.contains(e))
        .collect();
    if hook.events.is_empty() {
        return Err(EdgeError::new(
            ErrorCode::Malformed,
            "events: choose at least one of handoff, ticket, rating.",
        ));
    }
    let loopback = caller
        .env
        .var("WEBHOOKS_TO_LOOPBACK")
        .is_ok_and(|v| v.to_string() == "allowed");
    hook.url = hook_target(&hook.url, loopback)?;
    let origin = req.url()?.origin().ascii_serialization();
    let add = inbox::AddHook {
        site: site.to_string(),
        hook,
        panel_url: format!("{origin}/agent/?site={site}"),
        by: caller.session.agent.id.clone(),
    };
    http::json_response(&inbox::call(caller.env, site, add).await?, 200)
}

/// "Try a question": what the AI would do with a visitor's first message,
/// against the current knowledge base or the draft the admin is editing
/// (built for this request only; nothing is stored).
async fn try_question(req: &mut Request, caller: &Caller<'_>, site: &str) -> EdgeResult<Response> {
    caller.require_admin("Only an admin can try the knowledge base.")?;
    let body: TrialRequest = http::read_json(req, MAX_KB_BYTES).await?;
    let language = Language::from_tag(&body.language)
        .ok_or_else(|| EdgeError::new(ErrorCode::Malformed, "language: en, de or es."))?;
    let question = shared::text::sanitize_message(&body.question)?;
    let (config, version) = sites::effective_site_config(caller.env, site).await?;
    let faq = match body.toml {
        Some(toml) => {
            Rc::new(knowledge::ready(caller.env, KnowledgeBase::from_toml("draft", &toml)?).await)
        }
        None => knowledge::faq(caller.env, site, Some(version), Some(language)).await,
    };
    let trial = assistant::trial(&faq, &config.handoff.policy, &question, language);
    http::json_response(&trial, 200)
}

/// A hook's address, parsed here and judged by `shared::alerts`; the
/// address as the parser normalized it.
fn hook_target(address: &str, loopback_allowed: bool) -> Result<String, TargetRefusal> {
    if address.len() > 2_000 {
        return Err(TargetRefusal::TooLong);
    }
    let url = worker::Url::parse(address.trim()).map_err(|_| TargetRefusal::NotAUrl)?;
    let host = match url.host() {
        None => return Err(TargetRefusal::NotAUrl),
        Some(worker::url::Host::Domain(d)) => TargetHost::Domain(d),
        Some(worker::url::Host::Ipv4(ip)) => TargetHost::Ip(ip.into()),
        Some(worker::url::Host::Ipv6(ip)) => TargetHost::Ip(ip.into()),
    };
    let target = Target {
        scheme: url.scheme(),
        host,
        credentials: !url.username().is_empty() || url.password().is_some(),
    };
    alerts::check_target(target, loopback_allowed)?;
    Ok(url.to_string())
}

const SETTINGS_ADMIN_ONLY: &str = "Only an admin can change the site's settings.";

/// What the Settings page shows: the saved settings, their effect, and the
/// pages refused the chat that are still not allowed.
async fn settings_view(
    env: &worker::Env,
    site: &str,
    settings: SiteSettings,
    effective: SiteConfig,
) -> EdgeResult<SiteSettingsView> {
    let mut refused_origins = inbox::call(env, site, inbox::RefusedOrigins).await?;
    refused_origins.retain(|r| !embed::allows(&effective.embed_origins, &r.origin));
    Ok(SiteSettingsView {
        settings,
        effective,
        refused_origins,
    })
}

/// An admin saves the site's settings, checked as a whole first.
async fn save_settings(
    caller: &Caller<'_>,
    site: &str,
    settings: SiteSettings,
) -> EdgeResult<Response> {
    let effective = sites::load_site_config(caller.env, site)?
        .with_settings(&settings)
        .map_err(|e| EdgeError::new(ErrorCode::Malformed, e))?;
    let save = inbox::SaveSettings {
        settings: settings.clone(),
        by: caller.session.agent.name.clone(),
    };
    inbox::call(caller.env, site, save).await?;
    sites::forget_site_state(site);
    let view = settings_view(caller.env, site, settings, effective).await?;
    http::json_response(&view, 200)
}

/// A canned reply for one of the site's teams.
async fn add_canned(req: &mut Request, caller: &Caller<'_>, site: &str) -> EdgeResult<Response> {
    let reply: CannedReply = http::read_json(req, MAX_BODY_BYTES).await?;
    let (config, _) = sites::effective_site_config(caller.env, site).await?;
    let known = config.handoff.teams.iter().any(|t| t.id == reply.team);
    if !known || !access::in_team(&caller.session.agent, &reply.team) {
        return Err(EdgeError::new(
            ErrorCode::NotFound,
            format!("This site has no team `{}`.", reply.team),
        ));
    }
    let added = inbox::call(caller.env, site, inbox::AddCanned { reply }).await?;
    http::json_response(&added, 201)
}
