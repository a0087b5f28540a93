//! Which pages may show a site's chat, and what the loader needs to draw
//! the launcher there. The browser refuses the widget's frame on any page
//! whose origin the site does not list (`frame-ancestors`); the loader asks
//! the edge first (`GET /api/v1/sites/{site}/launcher`), so a refused page
//! shows nothing broken and its console names the fix, and the edge keeps
//! the refused origins for an admin to allow in one click.

use crate::analysis::Language;
use crate::color;
use crate::proactive::{self, Nudge};
use crate::site::SiteConfig;
use serde::{Deserialize, Serialize};

/// Refused origins kept per site (the most recently seen): enough to find
/// a forgotten shop domain, too few for a caller to fill storage with.
pub const MAX_REFUSED: usize = 20;

/// The launcher's colour when neither the tag nor the site sets one.
pub const DEFAULT_COLOR: [u8; 3] = [0x1d, 0x4e, 0xd8];

/// `GET /api/v1/sites/{site}/launcher?path=…&lang=…[&color=…&position=…]`:
/// may this page show the chat, how the launcher looks (the tag's own
/// `data-` attributes win, then the site's saved look), and the proactive
/// message for this page, if one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Launcher {
    pub allowed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The launcher's whole stylesheet, colours and side filled in, so the
    /// loader carries neither CSS nor colour arithmetic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub css: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nudge: Option<Nudge>,
}

/// What the tag and the page say, as the loader asks.
#[derive(Debug, Clone, Default)]
pub struct Page<'a> {
    pub color: Option<&'a str>,
    pub position: Option<&'a str>,
    pub path: &'a str,
    pub language: Option<Language>,
}

impl Launcher {
    /// What a refused page learns: nothing about the site's look.
    pub fn refused() -> Launcher {
        Launcher {
            allowed: false,
            position: None,
            label: None,
            css: None,
            nudge: None,
        }
    }

    /// An allowed page's launcher.
    pub fn allowed(site: &SiteConfig, page: &Page) -> Launcher {
        let branding = &site.branding;
        let brand = page
            .color
            .and_then(color::parse_hex)
            .or_else(|| branding.color.as_deref().and_then(color::parse_hex))
            .unwrap_or(DEFAULT_COLOR);
        let left = page.position.or(branding.position.as_deref()) == Some("left");
        let language = page.language.unwrap_or(Language::English);
        Launcher {
            allowed: true,
            position: Some(if left { "left" } else { "right" }.into()),
            label: branding.launcher_label.clone(),
            css: Some(launcher_css(brand, left)),
            nudge: proactive::for_page(&site.proactive, page.path, language),
        }
    }
}

/// The launcher's stylesheet (in its shadow root): the button, its unread
/// count, the chat's frame (full screen on phones), and the proactive
/// message's bubble above the button.
fn launcher_css(brand: [u8; 3], left: bool) -> String {
    let side = if left { "left" } else { "right" };
    let bg = color::to_hex(brand);
    let fg = color::to_hex(color::text_on(brand));
    format!(
        ":host{{all:initial}}\
         .l{{position:fixed;bottom:20px;{side}:20px;z-index:2147483646;min-width:48px;min-height:48px;\
         padding:0 18px;border:0;border-radius:24px;font:600 16px/1 system-ui,sans-serif;cursor:pointer;\
         background:{bg};color:{fg};box-shadow:0 2px 8px rgba(0,0,0,.3)}}\
         button:focus-visible{{outline:3px solid #111;outline-offset:3px;box-shadow:0 0 0 6px #fff}}\
         span{{display:inline-block;margin-left:8px;padding:3px 7px;border-radius:10px;background:#b91c1c;\
         color:#fff;font-size:13px}}\
         iframe{{position:fixed;bottom:84px;{side}:20px;z-index:2147483647;width:380px;\
         height:min(640px,calc(100dvh - 104px));border:0;border-radius:12px;background:#fff;\
         box-shadow:0 8px 32px rgba(0,0,0,.3);color-scheme:normal}}\
         iframe[hidden]{{display:none}}\
         .n{{position:fixed;bottom:84px;{side}:20px;z-index:2147483646;max-width:min(300px,calc(100vw - 40px));\
         padding:10px 36px 10px 12px;border-radius:12px;background:#fff;color:#1f2328;\
         font:15px/1.4 system-ui,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.25)}}\
         .n b{{display:block;font-size:12px;color:#57606a}}\
         .n .t{{all:unset;cursor:pointer;display:block;overflow-wrap:anywhere}}\
         .n .x{{all:unset;position:absolute;top:4px;right:4px;width:28px;height:28px;text-align:center;\
         line-height:28px;font-size:20px;cursor:pointer;border-radius:14px;color:#57606a}}\
         .n button:focus-visible{{outline:3px solid #111;outline-offset:2px}}\
         @media (max-width:480px){{iframe{{inset:0;width:100%;height:100%;height:100dvh;border-radius:0}}}}"
    )
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
    use crate::site::Branding;

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
    fn the_launcher_takes_the_tags_look_then_the_sites_with_readable_text() {
        let mut site: SiteConfig = serde_json::from_str(r#"{"embed_origins":[]}"#).unwrap();
        site.branding = Branding {
            color: Some("#fde047".into()),
            position: Some("left".into()),
            launcher_label: Some("Help".into()),
            ..Branding::default()
        };
        let css = |l: &Launcher| l.css.clone().unwrap_or_default();
        let saved = Launcher::allowed(&site, &Page::default());
        assert!(
            css(&saved).contains("background:#fde047;color:#000000"),
            "{}",
            css(&saved)
        );
        assert!(css(&saved).contains("bottom:20px;left:20px"));
        assert_eq!(saved.position.as_deref(), Some("left"));
        assert_eq!(saved.label.as_deref(), Some("Help"));
        let tagged = Launcher::allowed(
            &site,
            &Page {
                color: Some("#111111"),
                position: Some("right"),
                ..Page::default()
            },
        );
        assert!(css(&tagged).contains("background:#111111;color:#ffffff"));
        assert_eq!(tagged.position.as_deref(), Some("right"));
        let plain: SiteConfig = serde_json::from_str(r#"{"embed_origins":[]}"#).unwrap();
        let default = Launcher::allowed(
            &plain,
            &Page {
                color: Some("no"),
                ..Page::default()
            },
        );
        assert!(css(&default).contains("background:#1d4ed8"));
        assert_eq!(
            serde_json::to_string(&Launcher::refused()).unwrap(),
            r#"{"allowed":false}"#
        );
    }

    #[test]
    fn the_page_gets_its_proactive_message_in_its_language() {
        let site: SiteConfig = serde_json::from_str(
            r#"{"embed_origins":[],"proactive":[{"path":"/bikes/e-*","after_s":20,"text":"Questions about e-bike servicing?"}]}"#,
        )
        .unwrap();
        let on = |path| {
            Launcher::allowed(
                &site,
                &Page {
                    path,
                    language: Some(Language::German),
                    ..Page::default()
                },
            )
        };
        let nudge = on("/bikes/e-cargo").nudge.expect("a message");
        assert_eq!(nudge.label, "KI-Assistent");
        assert_eq!(nudge.after_s, 20);
        assert!(!nudge.phones);
        assert_eq!(on("/prices").nudge, None);
    }
}
