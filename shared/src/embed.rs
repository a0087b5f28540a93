//! Which pages may show a site's chat, and what the loader needs to draw
//! the launcher there. The browser refuses the widget's frame on any page
//! whose origin the site does not list (`frame-ancestors`); the loader asks
//! the edge first (`GET /api/v1/sites/{site}/launcher`), so a refused page
//! shows nothing broken and its console names the fix, and the edge keeps
//! the refused origins for an admin to allow in one click.

use crate::color;
use crate::site::Branding;
use serde::{Deserialize, Serialize};

/// Refused origins kept per site (the most recently seen): enough to find
/// a forgotten shop domain, too few for a caller to fill storage with.
pub const MAX_REFUSED: usize = 20;

/// The launcher's colour when neither the tag nor the site sets one.
pub const DEFAULT_COLOR: [u8; 3] = [0x1d, 0x4e, 0xd8];

/// `GET /api/v1/sites/{site}/launcher`: may this page show the chat, and
/// how the launcher looks (the site's saved look; the tag's own `data-`
/// attributes win in the loader).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Launcher {
    pub allowed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The button's colour and the text on it (black or white, whichever
    /// contrasts more), so the loader carries no colour arithmetic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Launcher {
    /// What a refused page learns: nothing about the site's look.
    pub fn refused() -> Launcher {
        Launcher {
            allowed: false,
            position: None,
            label: None,
            background: None,
            text: None,
        }
    }

    /// An allowed page's launcher: the tag's colour if it gave a valid one,
    /// else the site's, else the default.
    pub fn allowed(branding: &Branding, tag_color: Option<&str>) -> Launcher {
        let brand = tag_color
            .and_then(color::parse_hex)
            .or_else(|| branding.color.as_deref().and_then(color::parse_hex))
            .unwrap_or(DEFAULT_COLOR);
        Launcher {
            allowed: true,
            position: branding.position.clone(),
            label: branding.launcher_label.clone(),
            background: Some(color::to_hex(brand)),
            text: Some(color::to_hex(color::text_on(brand))),
        }
    }
}

/// A page that asked for the launcher and was refused, as the Settings
/// page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedOrigin {
    pub origin: String,
    pub first_ms: i64,
    pub last_ms: i64,
    pub count: u32,
}

/// `POST /api/v1/agent/sites/{site}/settings/allow`: add one origin to the
/// sites allowed to show the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowOrigin {
    pub origin: String,
}

/// An origin as browsers send it (`https://shop.example`,
/// `http://127.0.0.1:8080`), lower-cased; `None` for anything else (a
/// path, credentials, `null`, an IPv6 literal, more than 120 bytes), so
/// only plain origins are kept or compared.
pub fn page_origin(s: &str) -> Option<String> {
    if s.len() > 120 {
        return None;
    }
    let (scheme, rest) = s.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && !host.starts_with('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    (host_ok && port_ok).then(|| s.to_ascii_lowercase())
}

/// Does `sources` (a site's `embed_origins`, CSP `frame-ancestors` sources)
/// let a page of `origin` frame the chat, as the browser would decide?
/// `'self'` is the edge's own origin, which the caller checks.
pub fn allows(sources: &[String], origin: &str) -> bool {
    let Some(page) = page_origin(origin) else {
        return false;
    };
    let Some((scheme, rest)) = page.split_once("://") else {
        return false;
    };
    let (host, port) = split_port(rest);
    let port = port
        .and_then(|p| p.parse().ok())
        .unwrap_or(default_port(scheme));
    sources
        .iter()
        .any(|s| source_matches(&s.to_ascii_lowercase(), scheme, host, port))
}

fn split_port(rest: &str) -> (&str, Option<&str>) {
    match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    }
}

fn default_port(scheme: &str) -> u16 {
    if scheme == "https" {
        443
    } else {
        80
    }
}

/// CSP source matching for `scheme://host[:port]` sources: an `http`
/// source also admits `https` (the secure upgrade), `*.example.com` any
/// subdomain (not the domain itself), a missing port the scheme's default,
/// `:*` any port.
fn source_matches(source: &str, scheme: &str, host: &str, port: u16) -> bool {
    let Some((s_scheme, rest)) = source.split_once("://") else {
        return false;
    };
    if s_scheme != scheme && !(s_scheme == "http" && scheme == "https") {
        return false;
    }
    let (s_host, s_port) = split_port(rest);
    let host_ok = match s_host.strip_prefix("*.") {
        Some(domain) => host
            .strip_suffix(domain)
            .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
        None => s_host == host,
    };
    let port_ok = match s_port {
        Some("*") => true,
        Some(p) => p.parse() == Ok(port),
        None => port == default_port(scheme),
    };
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_listed_origin_is_allowed_and_others_are_not() {
        let sources = list(&["'self'", "https://shop.example"]);
        assert!(allows(&sources, "https://shop.example"));
        assert!(allows(&sources, "https://SHOP.example"));
        assert!(!allows(&sources, "https://shop.example.evil.test"));
        assert!(!allows(&sources, "https://evil.test"));
        assert!(!allows(&sources, "http://shop.example"), "not downgraded");
        assert!(!allows(&sources, "https://shop.example:8443"));
        assert!(!allows(&sources, "null"));
    }

    #[test]
    fn wildcards_ports_and_the_secure_upgrade_match_as_in_csp() {
        let sources = list(&[
            "https://*.shop.example",
            "http://blog.example",
            "http://127.0.0.1:*",
        ]);
        assert!(allows(&sources, "https://de.shop.example"));
        assert!(allows(&sources, "https://a.b.shop.example"));
        assert!(
            !allows(&sources, "https://shop.example"),
            "not the domain itself"
        );
        assert!(!allows(&sources, "https://evilshop.example"));
        assert!(
            allows(&sources, "https://blog.example"),
            "http admits https"
        );
        assert!(allows(&sources, "http://blog.example"));
        assert!(allows(&sources, "http://127.0.0.1:4000"));
        assert!(!allows(
            &list(&["http://127.0.0.1:4000"]),
            "http://127.0.0.1:4001"
        ));
    }

    #[test]
    fn only_plain_origins_count_as_pages() {
        assert_eq!(
            page_origin("https://Shop.Example:8443").as_deref(),
            Some("https://shop.example:8443")
        );
        for bad in [
            "null",
            "file://",
            "javascript://x",
            "https://shop.example/path",
            "https://user@shop.example",
            "https://[::1]:80",
            "https://shop.example:0",
            "https://shop.example:99999",
            "https://\u{202e}shop.example",
            "https://.example",
        ] {
            assert_eq!(page_origin(bad), None, "{bad}");
        }
        assert_eq!(
            page_origin(&format!("https://{}.example", "a".repeat(120))),
            None
        );
    }

    #[test]
    fn the_launcher_takes_the_tags_colour_then_the_sites_with_readable_text() {
        let site = Branding {
            color: Some("#fde047".into()),
            position: Some("left".into()),
            launcher_label: Some("Help".into()),
            ..Branding::default()
        };
        let l = Launcher::allowed(&site, None);
        assert_eq!(l.background.as_deref(), Some("#fde047"));
        assert_eq!(l.text.as_deref(), Some("#000000"));
        assert_eq!(l.position.as_deref(), Some("left"));
        assert_eq!(l.label.as_deref(), Some("Help"));
        let tagged = Launcher::allowed(&site, Some("#111111"));
        assert_eq!(tagged.background.as_deref(), Some("#111111"));
        assert_eq!(tagged.text.as_deref(), Some("#ffffff"));
        let plain = Launcher::allowed(&Branding::default(), Some("not a colour"));
        assert_eq!(plain.background.as_deref(), Some("#1d4ed8"));
        assert_eq!(
            serde_json::to_string(&Launcher::refused()).unwrap(),
            r#"{"allowed":false}"#
        );
    }
}
