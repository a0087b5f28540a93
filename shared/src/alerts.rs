//! Team alerts: webhooks a site's admins point at their own tools, told of
//! new hand-offs, tickets and ratings. What is sent (metadata, never what a
//! visitor wrote), how it is signed, where it may go, and when a failed
//! delivery is tried again. The edge's inbox keeps the hooks and the
//! delivery log and sends from its alarm (`edge/src/inbox/alerts.rs`).
//!
//! Signatures follow Standard Webhooks (standardwebhooks.com), so
//! receivers can verify with its libraries or a few lines (README
//! "Alerts"): `webhook-signature: v1,<base64 HMAC-SHA-256 over
//! "<webhook-id>.<webhook-timestamp>.<body>">`, keyed with the base64 bytes
//! after `whsec_` in the hook's secret.

use crate::protocol::Trigger;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// What a hook is told of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertEvent {
    /// A visitor waits for a person.
    Handoff,
    /// A visitor left a question for the team.
    Ticket,
    /// A visitor rated a conversation.
    Rating,
    /// An admin pressed "Send a test".
    Test,
}

impl AlertEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertEvent::Handoff => "handoff",
            AlertEvent::Ticket => "ticket",
            AlertEvent::Rating => "rating",
            AlertEvent::Test => "test",
        }
    }
}

/// The body a hook receives: Standard Webhooks' JSON, or the `text` of a
/// Slack-compatible incoming webhook (also read by Mattermost, Rocket.Chat
/// and Discord's `/slack` endpoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HookFormat {
    Json,
    Slack,
}

impl HookFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            HookFormat::Json => "json",
            HookFormat::Slack => "slack",
        }
    }
}

/// A hook as an admin sets it up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewHook {
    pub url: String,
    pub format: HookFormat,
    pub events: Vec<AlertEvent>,
}

/// A hook as admins see it, with the secret its deliveries are signed with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hook {
    pub id: i64,
    pub url: String,
    pub format: HookFormat,
    pub events: Vec<AlertEvent>,
    pub secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not sent yet, or failed and due again.
    Pending,
    Delivered,
    /// Failed on every attempt of [`RETRY_AFTER_S`].
    Failed,
}

/// One line of the delivery log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: String,
    pub hook_id: i64,
    pub event: AlertEvent,
    pub at_ms: i64,
    pub attempts: u32,
    pub status: DeliveryStatus,
    /// "HTTP 200", "HTTP 500", "no answer in 10 s", …; empty before the
    /// first attempt.
    pub result: String,
}

/// The alerts page: the site's hooks and its latest deliveries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertsView {
    pub hooks: Vec<Hook>,
    pub deliveries: Vec<Delivery>,
}

/// What happened, as a receiver reads it. Metadata only: the visitor's
/// words stay in the panel, behind its login (`panel_url`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    #[serde(rename = "type")]
    pub event: AlertEvent,
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Why a person was asked for (`Trigger::as_str`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Trigger>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    pub at_ms: i64,
    pub panel_url: String,
}

/// At most this many hooks per site, and this many log lines kept.
pub const MAX_HOOKS_PER_SITE: usize = 10;
pub const DELIVERY_LOG: usize = 200;
/// A receiver that has not answered by then has failed this attempt.
pub const TIMEOUT_MS: u64 = 10_000;
/// After a failed attempt, the next one this many seconds later; after the
/// last, the delivery has failed (about 8 hours in all).
pub const RETRY_AFTER_S: [u64; 5] = [5, 60, 600, 3_600, 6 * 3_600];

/// When to try again after `attempts` failed attempts, if at all.
pub fn retry_after_ms(attempts: u32) -> Option<i64> {
    let i = usize::try_from(attempts).ok()?.checked_sub(1)?;
    RETRY_AFTER_S.get(i).map(|s| *s as i64 * 1_000)
}

/// Why a hook's address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetRefusal {
    #[error("The address is not a URL (like https://hooks.example.com/chat).")]
    NotAUrl,
    #[error("Alerts go to https addresses only.")]
    NotHttps,
    #[error("The address may not carry a user name or password.")]
    Credentials,
    #[error("Alerts go to public hosts, not to this machine or a private network.")]
    PrivateHost,
    #[error("The address is too long (2,000 characters at most).")]
    TooLong,
}

/// Where a hook would send, as the edge's URL parser read the address
/// (`shared` stays free of a URL parser: its dependencies would reach the
/// front ends' downloads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    pub scheme: &'a str,
    pub host: TargetHost<'a>,
    /// A user name or password in the address.
    pub credentials: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetHost<'a> {
    Domain(&'a str),
    Ip(std::net::IpAddr),
}

/// Checks where a hook may send: `https` to a public host; a loopback
/// receiver over plain `http` only where `loopback_allowed` (local
/// development, where the edge sets it).
pub fn check_target(t: Target<'_>, loopback_allowed: bool) -> Result<(), TargetRefusal> {
    if t.credentials {
        return Err(TargetRefusal::Credentials);
    }
    let (loopback, private) = match t.host {
        TargetHost::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            let local = d == "localhost" || d.ends_with(".localhost");
            (local, local || d.ends_with(".local") || d.is_empty())
        }
        TargetHost::Ip(std::net::IpAddr::V4(ip)) => (
            ip.is_loopback(),
            ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast(),
        ),
        TargetHost::Ip(std::net::IpAddr::V6(ip)) => (
            ip.is_loopback(),
            ip.is_loopback()
                || ip.is_unspecified()
                // fc00::/7 unique local, fe80::/10 link local
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip.to_ipv4_mapped().is_some(),
        ),
    };
    if loopback && loopback_allowed && matches!(t.scheme, "http" | "https") {
        return Ok(());
    }
    if t.scheme != "https" {
        return Err(TargetRefusal::NotHttps);
    }
    if private {
        return Err(TargetRefusal::PrivateHost);
    }
    Ok(())
}

/// A new hook's secret from random bytes, in Standard Webhooks' form.
pub fn new_secret(random: &[u8]) -> String {
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(random)
    )
}

/// The `webhook-signature` header for a delivery: `v1,<base64>`.
pub fn signature(secret: &str, id: &str, timestamp_s: i64, body: &str) -> String {
    let key = secret
        .strip_prefix("whsec_")
        .and_then(|k| base64::engine::general_purpose::STANDARD.decode(k).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec());
    // hmac-sha256 has no dependencies: the `hmac`/`sha2` crates here
    // changed the widget's download through shared features (+87 B gzip).
    let tag = hmac_sha256::HMAC::mac(format!("{id}.{timestamp_s}.{body}").as_bytes(), &key);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(tag)
    )
}

/// The body `format` sends for `alert`.
pub fn body(alert: &Alert, format: HookFormat) -> String {
    match format {
        HookFormat::Json => serde_json::to_string(alert).unwrap_or_default(),
        HookFormat::Slack => {
            #[derive(Serialize)]
            struct Slack {
                text: String,
            }
            serde_json::to_string(&Slack {
                text: slack_text(alert),
            })
            .unwrap_or_default()
        }
    }
}

/// One line for a chat channel, with a link to the panel. Every value is
/// escaped the way Slack's `mrkdwn` asks (`&`, `<`, `>`).
fn slack_text(a: &Alert) -> String {
    let site = slack_escape(&a.site);
    let team = a
        .team
        .as_deref()
        .map(|t| format!(" for team {}", slack_escape(t)))
        .unwrap_or_default();
    let what = match a.event {
        AlertEvent::Handoff => {
            let why = a
                .reason
                .map(|r| format!(" ({})", r.as_str().replace('_', " ")))
                .unwrap_or_default();
            format!("A visitor on {site} waits for a person{team}{why}.")
        }
        AlertEvent::Ticket => format!("A visitor on {site} left a question{team}."),
        AlertEvent::Rating => match a.rating {
            Some(r) => format!("A visitor on {site} rated a conversation {r} of 5{team}."),
            None => format!("A visitor on {site} rated a conversation{team}."),
        },
        AlertEvent::Test => format!("Test alert from the chat on {site}: this hook works."),
    };
    format!("{what} <{}|Open the panel>", slack_escape(&a.panel_url))
}

fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(event: AlertEvent) -> Alert {
        Alert {
            event,
            site: "demo".into(),
            conversation_id: Some("c1".into()),
            team: Some("workshop".into()),
            reason: Some(Trigger::Safety),
            rating: None,
            at_ms: 1_700_000_000_000,
            panel_url: "https://chat.example/agent/?site=demo".into(),
        }
    }

    #[test]
    fn the_signature_matches_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, id, 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_changed_body_timestamp_or_id_changes_the_signature() {
        let s = new_secret(&[7; 24]);
        let base = signature(&s, "a", 1, "{}");
        assert_ne!(base, signature(&s, "a", 1, "{ }"));
        assert_ne!(base, signature(&s, "a", 2, "{}"));
        assert_ne!(base, signature(&s, "b", 1, "{}"));
        assert_ne!(base, signature(&new_secret(&[8; 24]), "a", 1, "{}"));
    }

    fn at(scheme: &str, host: &str) -> Result<(), TargetRefusal> {
        let host = match host.trim_matches(['[', ']']).parse() {
            Ok(ip) => TargetHost::Ip(ip),
            Err(_) => TargetHost::Domain(host),
        };
        check_target(
            Target {
                scheme,
                host,
                credentials: false,
            },
            false,
        )
    }

    #[test]
    fn hooks_go_to_public_https_hosts_only() {
        assert_eq!(at("https", "hooks.slack.com"), Ok(()));
        assert_eq!(
            at("http", "hooks.example.com"),
            Err(TargetRefusal::NotHttps)
        );
        assert_eq!(at("ftp", "hooks.example.com"), Err(TargetRefusal::NotHttps));
        let with_password = Target {
            scheme: "https",
            host: TargetHost::Domain("hooks.example.com"),
            credentials: true,
        };
        assert_eq!(
            check_target(with_password, true),
            Err(TargetRefusal::Credentials)
        );
        for private in [
            "127.0.0.1",
            "localhost",
            "LocalHost.",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.169.254",
            "[::1]",
            "[fd00::1]",
            "[::ffff:127.0.0.1]",
            "printer.local",
        ] {
            assert_eq!(
                at("https", private),
                Err(TargetRefusal::PrivateHost),
                "{private}"
            );
        }
    }

    #[test]
    fn a_loopback_receiver_over_http_only_where_local_development_allows_it() {
        let loopback = |scheme, host, allowed| {
            check_target(
                Target {
                    scheme,
                    host,
                    credentials: false,
                },
                allowed,
            )
        };
        let ip = TargetHost::Ip("127.0.0.1".parse().unwrap());
        assert_eq!(loopback("http", ip, false), Err(TargetRefusal::NotHttps));
        assert_eq!(loopback("http", ip, true), Ok(()));
        assert_eq!(
            loopback("http", TargetHost::Domain("localhost"), true),
            Ok(())
        );
        // Still no private network, and no plain http elsewhere.
        let private = TargetHost::Ip("10.0.0.1".parse().unwrap());
        assert_eq!(
            loopback("http", private, true),
            Err(TargetRefusal::NotHttps)
        );
        assert_eq!(
            loopback("https", private, true),
            Err(TargetRefusal::PrivateHost)
        );
    }

    #[test]
    fn retries_back_off_and_end() {
        assert_eq!(retry_after_ms(0), None);
        assert_eq!(retry_after_ms(1), Some(5_000));
        assert_eq!(retry_after_ms(2), Some(60_000));
        assert_eq!(retry_after_ms(5), Some(6 * 3_600_000));
        assert_eq!(retry_after_ms(6), None);
    }

    #[test]
    fn the_json_body_carries_metadata_and_no_visitor_text() {
        let json: serde_json::Value =
            serde_json::from_str(&body(&alert(AlertEvent::Handoff), HookFormat::Json)).unwrap();
        assert_eq!(json["type"], "handoff");
        assert_eq!(json["reason"], "safety");
        assert_eq!(json["conversation_id"], "c1");
        assert!(json.get("rating").is_none());
    }

    #[test]
    fn the_slack_text_escapes_what_slack_reads_as_markup() {
        let mut a = alert(AlertEvent::Ticket);
        a.team = Some("<!channel> & co".into());
        let json: serde_json::Value = serde_json::from_str(&body(&a, HookFormat::Slack)).unwrap();
        let text = json["text"].as_str().unwrap();
        assert_eq!(
            text,
            "A visitor on demo left a question for team &lt;!channel&gt; &amp; co. \
             <https://chat.example/agent/?site=demo|Open the panel>"
        );
    }
}
