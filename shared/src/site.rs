//! Per-site configuration the edge needs to serve a site's widget.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One site that embeds the widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteConfig {
    /// Origins allowed to embed the widget frame (CSP `frame-ancestors`
    /// sources, e.g. `https://shop.example`); `'self'` allows the edge's own
    /// pages such as the demo.
    pub embed_origins: Vec<String>,
}

/// All sites, keyed by site id, as read from the `SITES` setting.
pub type Sites = BTreeMap<String, SiteConfig>;

/// Parses the `SITES` setting (JSON).
pub fn parse_sites(raw: &str) -> Result<Sites, String> {
    let sites: Sites = serde_json::from_str(raw).map_err(|e| format!("SITES is not valid: {e}"))?;
    for (id, site) in &sites {
        if !is_valid_site_id(id) {
            return Err(format!("SITES: `{id}` is not a valid site id (a-z, 0-9, '-', 1-40 characters)"));
        }
        for origin in &site.embed_origins {
            if !is_valid_frame_source(origin) {
                return Err(format!("SITES.{id}: `{origin}` is not an origin like https://example.com or 'self'"));
            }
        }
    }
    Ok(sites)
}

/// Site ids appear in URLs and storage keys, so they are kept plain.
pub fn is_valid_site_id(id: &str) -> bool {
    (1..=40).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A CSP source is put into a header, so only plain origins pass.
fn is_valid_frame_source(s: &str) -> bool {
    if s == "'self'" {
        return true;
    }
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(host) => {
            !host.is_empty()
                && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'*'))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_parse_with_origins() {
        let sites = parse_sites(r#"{"demo":{"embed_origins":["'self'","https://shop.example"]}}"#).unwrap();
        assert_eq!(sites["demo"].embed_origins.len(), 2);
    }

    #[test]
    fn header_injection_in_an_origin_is_refused() {
        let err = parse_sites(r#"{"demo":{"embed_origins":["https://a.example; script-src *"]}}"#).unwrap_err();
        assert!(err.contains("not an origin"), "{err}");
    }

    #[test]
    fn site_ids_are_plain() {
        assert!(is_valid_site_id("bike-shop-2"));
        assert!(!is_valid_site_id("../x"));
        assert!(!is_valid_site_id(""));
        assert!(parse_sites(r#"{"Demo":{"embed_origins":[]}}"#).is_err());
    }
}
