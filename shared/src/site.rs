//! Per-site configuration the edge needs to serve a site's widget.

use crate::escalation::EscalationPolicy;
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
    }
    Ok(sites)
}

/// Site ids appear in URLs and storage keys, so they are kept plain.
pub fn is_valid_site_id(id: &str) -> bool {
    (1..=40).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
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

#[cfg(test)]
mod tests {
    use super::*;

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
