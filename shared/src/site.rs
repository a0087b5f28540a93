//! Per-site configuration the edge needs to serve a site's widget.

use crate::escalation::EscalationPolicy;
pub use crate::protocol::is_valid_site_id;
use crate::team::Team;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One site that embeds the widget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteConfig {
    /// Origins allowed to embed the widget frame (CSP `frame-ancestors`
    /// sources, e.g. `https://shop.example`); `'self'` allows the edge's own
    /// pages such as the demo.
    pub embed_origins: Vec<String>,
    #[serde(default)]
    pub handoff: HandoffConfig,
    /// Days a conversation is kept after its last activity, then erased by
    /// the edge. Unset keeps conversations until someone erases them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<f64>,
    /// How the widget looks where the script tag does not say.
    #[serde(default)]
    pub branding: Branding,
    /// Proactive messages beside the launcher (`shared::proactive`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proactive: Vec<crate::proactive::Rule>,
    /// The host page's `message` events carry the message's text. Off by
    /// default: any script on the page would read what visitors write.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub events_with_text: bool,
}

/// How a site's answers go out by e-mail and how replies come back: the
/// `email` of its `SITES` entry (README "E-mail"). Unset, or without the
/// edge's `EMAIL` binding, the answer waits in the chat only and the widget
/// promises nothing else. Read apart from [`SiteConfig`] by
/// [`parse_deployment`]: deployment settings, not part of a
/// conversation's copy of its config (mail goes out as the site is set up
/// now), nor of what the panel loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// The sending address, on a domain set up for Cloudflare Email Service.
    pub from: String,
    /// The name visitors know the site by, in the sender and the text.
    pub site_name: String,
    /// The domain whose mail Email Routing hands to this worker; replies
    /// go to `<site>.<token>@reply_domain`.
    pub reply_domain: String,
}

impl EmailSettings {
    fn validate(&self) -> Result<(), String> {
        if crate::text::valid_email(&self.from).is_err() {
            return Err(format!(
                "email.from: `{}` is not an e-mail address",
                self.from
            ));
        }
        let domain_ok = !self.reply_domain.is_empty()
            && self.reply_domain.len() <= 200
            && self.reply_domain.split('.').all(|l| {
                !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !domain_ok {
            return Err(format!(
                "email.reply_domain: `{}` is not a domain like reply.example.com",
                self.reply_domain
            ));
        }
        let name = self.site_name.trim();
        if name.is_empty() || name.len() > 80 || name.chars().any(char::is_control) {
            return Err("email.site_name: 1 to 80 characters on one line".into());
        }
        Ok(())
    }
}

/// The widget's look, as admins set it in the panel (or `SITES`). The
/// script tag's own `data-` attributes win over these.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Branding {
    /// `#rrggbb`. (Settings saved before the spelling was settled say
    /// `colour`.)
    #[serde(skip_serializing_if = "Option::is_none", alias = "colour")]
    pub color: Option<String>,
    /// `left` or `right`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assistant_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launcher_label: Option<String>,
}

impl Branding {
    fn validate(&self) -> Result<(), String> {
        if let Some(c) = &self.color {
            if crate::color::parse_hex(c).is_none() {
                return Err(format!("branding.color: `{c}` is not a color like #1d4ed8"));
            }
        }
        if let Some(p) = &self.position {
            if p != "left" && p != "right" {
                return Err(format!("branding.position: `{p}` is not left or right"));
            }
        }
        let lengths = [
            ("greeting", &self.greeting, 300),
            ("assistant_name", &self.assistant_name, 40),
            ("launcher_label", &self.launcher_label, 40),
        ];
        for (field, text, max) in lengths {
            if text.as_ref().is_some_and(|t| t.chars().count() > max) {
                return Err(format!("branding.{field}: at most {max} characters"));
            }
        }
        Ok(())
    }
}

/// What admins change in the panel, stored per site by the edge. Each field
/// that is set replaces the deployed `SITES` value for conversations started
/// after it is saved; no redeploy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteSettings {
    pub branding: Branding,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embed_origins: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_timeout_s: Option<u32>,
    /// Teams with their time zones and business hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<Team>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proactive: Option<Vec<crate::proactive::Rule>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events_with_text: Option<bool>,
}

/// `GET|POST /api/v1/agent/sites/{site}/settings`: what is saved, and the
/// site as new conversations get it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteSettingsView {
    pub settings: SiteSettings,
    pub effective: SiteConfig,
    /// Pages that tried to show the chat and are not allowed (yet), most
    /// recent first.
    #[serde(default)]
    pub refused_origins: Vec<crate::embed::RefusedOrigin>,
}

/// Longest claim time-out an admin may set (an hour), and the shortest.
pub const CLAIM_TIMEOUT_S: std::ops::RangeInclusive<u32> = 10..=3600;

impl SiteConfig {
    /// This site with `settings` applied, checked as a whole (a route or
    /// default team must still name a team that exists).
    pub fn with_settings(&self, settings: &SiteSettings) -> Result<SiteConfig, String> {
        settings.branding.validate()?;
        let mut site = self.clone();
        let b = &settings.branding;
        let base = &mut site.branding;
        for (to, from) in [
            (&mut base.color, &b.color),
            (&mut base.position, &b.position),
            (&mut base.greeting, &b.greeting),
            (&mut base.assistant_name, &b.assistant_name),
            (&mut base.launcher_label, &b.launcher_label),
        ] {
            if from.is_some() {
                to.clone_from(from);
            }
        }
        if let Some(origins) = &settings.embed_origins {
            if let Some(bad) = origins.iter().find(|o| !is_valid_frame_source(o)) {
                return Err(format!(
                    "embed_origins: `{bad}` is not an origin like https://example.com or 'self'"
                ));
            }
            site.embed_origins.clone_from(origins);
        }
        if let Some(t) = settings.claim_timeout_s {
            if !CLAIM_TIMEOUT_S.contains(&t) {
                return Err(format!(
                    "claim_timeout_s: from {} to {} seconds",
                    CLAIM_TIMEOUT_S.start(),
                    CLAIM_TIMEOUT_S.end()
                ));
            }
            site.handoff.claim_timeout_s = t;
        }
        if let Some(teams) = &settings.teams {
            let mut ids: Vec<&str> = teams.iter().map(|t| t.id.as_str()).collect();
            ids.sort_unstable();
            if ids.windows(2).any(|w| w[0] == w[1]) {
                return Err("teams: two teams have the same id".into());
            }
            site.handoff.teams.clone_from(teams);
        }
        if let Some(rules) = &settings.proactive {
            crate::proactive::validate(rules)?;
            site.proactive.clone_from(rules);
        }
        if let Some(on) = settings.events_with_text {
            site.events_with_text = on;
        }
        site.handoff.validate()?;
        Ok(site)
    }
}

impl SiteConfig {
    /// The retention period in milliseconds, if the site has one.
    pub fn retention_ms(&self) -> Option<i64> {
        self.retention_days
            .map(|d| (d * 86_400_000.0).round() as i64)
    }
}

/// How a site hands conversations to people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HandoffConfig {
    /// The site's teams; by default one "Support" team, always open.
    pub teams: Vec<Team>,
    /// Team id for hand-offs no route matches; the first team if unset.
    pub default_team: Option<String>,
    /// FAQ entry ids, entry tags and sensitive topics → team id.
    pub routes: BTreeMap<String, String>,
    /// Seconds a visitor waits for a claim before the e-mail path is offered.
    pub claim_timeout_s: u32,
    pub policy: EscalationPolicy,
}

impl Default for HandoffConfig {
    fn default() -> Self {
        Self {
            teams: vec![Team {
                id: "support".into(),
                name: "Support".into(),
                time_zone: "UTC".into(),
                hours: None,
            }],
            default_team: None,
            routes: BTreeMap::new(),
            claim_timeout_s: 180,
            policy: EscalationPolicy::default(),
        }
    }
}

impl HandoffConfig {
    fn validate(&self) -> Result<(), String> {
        if self.teams.is_empty() {
            return Err("handoff.teams: at least one team is needed".into());
        }
        for team in &self.teams {
            team.validate()?;
        }
        let known = |id: &String| self.teams.iter().any(|t| &t.id == id);
        if let Some(id) = self.default_team.as_ref().filter(|id| !known(id)) {
            return Err(format!("handoff.default_team: no team `{id}`"));
        }
        if let Some((from, id)) = self.routes.iter().find(|(_, id)| !known(id)) {
            return Err(format!("handoff.routes.{from}: no team `{id}`"));
        }
        if self.claim_timeout_s == 0 {
            return Err("handoff.claim_timeout_s must be at least 1".into());
        }
        Ok(())
    }
}

/// All sites, keyed by site id, as read from the `SITES` setting.
pub type Sites = BTreeMap<String, SiteConfig>;

/// Parses the `SITES` setting (JSON).
pub fn parse_sites(raw: &str) -> Result<Sites, String> {
    let sites: Sites = serde_json::from_str(raw).map_err(|e| format!("SITES is not valid: {e}"))?;
    for (id, site) in &sites {
        if !is_valid_site_id(id) {
            return Err(format!(
                "SITES: `{id}` is not a valid site id (a-z, 0-9, '-', 1-40 characters)"
            ));
        }
        for origin in &site.embed_origins {
            if !is_valid_frame_source(origin) {
                return Err(format!(
                    "SITES.{id}: `{origin}` is not an origin like https://example.com or 'self'"
                ));
            }
        }
        if site
            .retention_days
            .is_some_and(|d| !(d > 0.0 && d <= 36_500.0))
        {
            return Err(format!(
                "SITES.{id}.retention_days must be more than 0 and at most 36500"
            ));
        }
        site.handoff
            .validate()
            .map_err(|e| format!("SITES.{id}.{e}"))?;
        crate::proactive::validate(&site.proactive).map_err(|e| format!("SITES.{id}.{e}"))?;
    }
    Ok(sites)
}

/// A CSP source is put into a header, so only plain origins pass.
fn is_valid_frame_source(s: &str) -> bool {
    if s == "'self'" {
        return true;
    }
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(host) => {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'*'))
        }
        None => false,
    }
}

/// The `SITES` setting as the edge reads it: the sites and, apart from
/// them, their e-mail settings, each checked.
pub struct Deployment {
    pub sites: Sites,
    pub email: BTreeMap<String, EmailSettings>,
}

pub fn parse_deployment(raw: &str) -> Result<Deployment, String> {
    Ok(Deployment {
        sites: parse_sites(raw)?,
        email: parse_email_settings(raw)?,
    })
}

/// The sites' e-mail settings, from the same `SITES` text: each entry's
/// `email`, checked (sites without one are left out).
fn parse_email_settings(raw: &str) -> Result<BTreeMap<String, EmailSettings>, String> {
    #[derive(Deserialize)]
    struct Entry {
        #[serde(default)]
        email: Option<EmailSettings>,
    }
    let entries: BTreeMap<String, Entry> =
        serde_json::from_str(raw).map_err(|e| format!("SITES is not valid: {e}"))?;
    let mut out = BTreeMap::new();
    for (id, entry) in entries {
        if let Some(email) = entry.email {
            email.validate().map_err(|e| format!("SITES.{id}.{e}"))?;
            out.insert(id, email);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> SiteConfig {
        SiteConfig {
            embed_origins: vec!["'self'".into()],
            handoff: HandoffConfig::default(),
            retention_days: None,
            branding: Branding::default(),
            proactive: Vec::new(),
            events_with_text: false,
        }
    }

    #[test]
    fn email_settings_are_checked_when_sites_are_read() {
        let ok = r#"{"a":{"embed_origins":[],"email":{"from":"help@bikes.example",
            "site_name":"Bikes","reply_domain":"reply.bikes.example"}}}"#;
        assert!(parse_deployment(ok).is_ok());
        let bad_domain = ok.replace("reply.bikes.example", "reply bikes");
        let err = |raw: &str| parse_deployment(raw).err().unwrap_or_default();
        assert!(err(&bad_domain).contains("email.reply_domain"));
        let bad_from = ok.replace("help@bikes.example", "help");
        assert!(err(&bad_from).contains("email.from"));
    }

    #[test]
    fn saved_settings_replace_only_what_they_set() {
        let settings: SiteSettings = serde_json::from_str(
            r##"{"branding":{"color":"#0b5d3b","greeting":"Hi!"},"claim_timeout_s":60,
                "embed_origins":["https://shop.example"]}"##,
        )
        .unwrap();
        let site = demo().with_settings(&settings).unwrap();
        assert_eq!(site.branding.color.as_deref(), Some("#0b5d3b"));
        assert_eq!(site.branding.greeting.as_deref(), Some("Hi!"));
        assert_eq!(site.branding.assistant_name, None);
        assert_eq!(site.handoff.claim_timeout_s, 60);
        assert_eq!(site.embed_origins, vec!["https://shop.example".to_string()]);
        assert_eq!(site.handoff.teams, demo().handoff.teams, "teams untouched");
        assert_eq!(
            demo().with_settings(&SiteSettings::default()).unwrap(),
            demo()
        );
    }

    #[test]
    fn settings_that_would_break_the_site_are_refused_with_the_field_named() {
        let refused = |json: &str| {
            let s: SiteSettings = serde_json::from_str(json).unwrap();
            demo().with_settings(&s).unwrap_err()
        };
        assert!(refused(r#"{"branding":{"color":"red"}}"#).starts_with("branding.color"));
        assert!(refused(r#"{"branding":{"position":"top"}}"#).starts_with("branding.position"));
        assert!(
            refused(r#"{"embed_origins":["javascript:alert(1)"]}"#).starts_with("embed_origins")
        );
        assert!(
            refused(r#"{"embed_origins":["https://a.example; script-src *"]}"#)
                .starts_with("embed_origins")
        );
        assert!(refused(r#"{"claim_timeout_s":0}"#).starts_with("claim_timeout_s"));
        assert!(refused(r#"{"teams":[]}"#).contains("at least one team"));
        assert!(
            refused(r#"{"teams":[{"id":"a","name":"A"},{"id":"a","name":"B"}]}"#)
                .contains("same id")
        );
        assert!(
            refused(r#"{"teams":[{"id":"a","name":"A","hours":{"mon":"9 to 5"}}]}"#)
                .contains("08:00-18:00")
        );
        let mut routed = demo();
        routed
            .handoff
            .routes
            .insert("refund".into(), "support".into());
        let s: SiteSettings =
            serde_json::from_str(r#"{"teams":[{"id":"sales","name":"Sales"}]}"#).unwrap();
        assert!(routed
            .with_settings(&s)
            .unwrap_err()
            .contains("no team `support`"));
        assert!(serde_json::from_str::<SiteSettings>(r#"{"admin":true}"#).is_err());
    }

    #[test]
    fn sites_parse_with_origins() {
        let sites =
            parse_sites(r#"{"demo":{"embed_origins":["'self'","https://shop.example"]}}"#).unwrap();
        assert_eq!(sites["demo"].embed_origins.len(), 2);
    }

    #[test]
    fn header_injection_in_an_origin_is_refused() {
        let err = parse_sites(r#"{"demo":{"embed_origins":["https://a.example; script-src *"]}}"#)
            .unwrap_err();
        assert!(err.contains("not an origin"), "{err}");
    }

    #[test]
    fn a_site_without_handoff_settings_gets_one_always_open_team() {
        let sites = parse_sites(r#"{"demo":{"embed_origins":[]}}"#).unwrap();
        let h = &sites["demo"].handoff;
        assert_eq!(h.teams[0].id, "support");
        assert_eq!(h.claim_timeout_s, 180);
    }

    #[test]
    fn teams_hours_and_routes_are_checked() {
        let ok = r#"{"demo":{"embed_origins":[],"handoff":{"teams":[{"id":"billing","name":"Billing","time_zone":"Europe/Berlin","hours":{"mon":"09:00-17:00"}}],"routes":{"payment":"billing"},"claim_timeout_s":5}}}"#;
        assert_eq!(parse_sites(ok).unwrap()["demo"].handoff.claim_timeout_s, 5);
        let bad_route =
            r#"{"demo":{"embed_origins":[],"handoff":{"routes":{"payment":"billing"}}}}"#;
        assert!(parse_sites(bad_route)
            .unwrap_err()
            .contains("no team `billing`"));
        let bad_key = r#"{"demo":{"embed_origins":[],"handoff":{"timeout":5}}}"#;
        assert!(
            parse_sites(bad_key).is_err(),
            "a misspelt setting is an error, not ignored"
        );
    }

    #[test]
    fn a_retention_period_is_optional_and_positive() {
        let kept = parse_sites(r#"{"demo":{"embed_origins":[],"retention_days":30}}"#).unwrap();
        assert_eq!(kept["demo"].retention_ms(), Some(30 * 86_400_000));
        assert_eq!(
            parse_sites(r#"{"demo":{"embed_origins":[]}}"#).unwrap()["demo"].retention_ms(),
            None
        );
        assert!(
            parse_sites(r#"{"demo":{"embed_origins":[],"retention_days":0}}"#)
                .unwrap_err()
                .contains("retention_days")
        );
    }

    #[test]
    fn site_ids_are_plain() {
        assert!(is_valid_site_id("bike-shop-2"));
        assert!(!is_valid_site_id("../x"));
        assert!(!is_valid_site_id(""));
        assert!(parse_sites(r#"{"Demo":{"embed_origins":[]}}"#).is_err());
    }
}
