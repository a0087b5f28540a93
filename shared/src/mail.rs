//! E-mail about a question a visitor left for the team: the answer that
//! goes out (a whole RFC 5322 message, plain text and HTML), the address a
//! visitor's reply comes back to, and the new text of such a reply. Pure:
//! the edge supplies the tokens, ids and time and moves the bytes.

use crate::analysis::Language;
use crate::text::escape_attribute;
use base64::Engine;

/// The largest inbound mail read at all (raw bytes, headers included).
pub const MAX_INBOUND_BYTES: usize = 256 * 1024;

/// The answer to a visitor's question, as it goes out by e-mail.
pub struct ReplyMail<'a> {
    /// The site's name as visitors know it ("Veloria Bikes").
    pub site_name: &'a str,
    /// The sending address (`from` in the site's e-mail settings).
    pub from: &'a str,
    pub to: &'a str,
    /// Where the visitor's reply goes: [`reply_address`].
    pub reply_to: &'a str,
    pub agent_name: &'a str,
    pub answer: &'a str,
    pub question: &'a str,
    /// Reopens the conversation in the widget (single-use token).
    pub open_url: &'a str,
    /// Stops further e-mail about this conversation.
    pub stop_url: &'a str,
    pub language: Language,
}

struct Words {
    subject: &'static str,
    answered: &'static str,
    asked: &'static str,
    open: &'static str,
    or_reply: &'static str,
    stop: &'static str,
}

fn words(language: Language) -> Words {
    match language {
        Language::English => Words {
            subject: "Your question to {site}",
            answered: "{agent} from {site} answered your question:",
            asked: "You asked:",
            open: "Continue the conversation in the chat:",
            or_reply: "Or simply reply to this e-mail.",
            stop: "No more e-mails about this conversation:",
        },
        Language::German => Words {
            subject: "Ihre Frage an {site}",
            answered: "{agent} von {site} hat Ihre Frage beantwortet:",
            asked: "Sie hatten gefragt:",
            open: "Gespräch im Chat fortsetzen:",
            or_reply: "Oder antworten Sie einfach auf diese E-Mail.",
            stop: "Keine weiteren E-Mails zu diesem Gespräch:",
        },
        Language::Spanish => Words {
            subject: "Su pregunta a {site}",
            answered: "{agent} de {site} ha respondido a su pregunta:",
            asked: "Usted preguntó:",
            open: "Continúe la conversación en el chat:",
            or_reply: "O simplemente responda a este correo.",
            stop: "No recibir más correos sobre esta conversación:",
        },
    }
}

/// The whole message, CRLF line ends, ready for the `send_email` binding.
/// `message_id` is `<…@…>`, `date` an RFC 5322 date ([`rfc5322_date`]),
/// `boundary` any token that appears nowhere else (the bodies are base64).
pub fn compose(m: &ReplyMail, message_id: &str, date: &str, boundary: &str) -> String {
    let w = words(m.language);
    let fill = |s: &str| {
        s.replace("{site}", m.site_name)
            .replace("{agent}", m.agent_name)
    };
    let quoted: String = m.question.lines().map(|l| format!("> {l}\n")).collect();
    let text = format!(
        "{}\n\n{}\n\n{}\n{}\n\n{}\n{}\n{}\n\n-- \n{} {}\n",
        fill(w.answered),
        m.answer,
        w.asked,
        quoted.trim_end(),
        w.open,
        m.open_url,
        w.or_reply,
        w.stop,
        m.stop_url
    );
    let e = |s: &str| escape_attribute(s).replace('\n', "<br>");
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5\">\
         <p>{}</p><p>{}</p><p>{}</p><blockquote style=\"border-left:3px solid #ccc;margin:0;padding-left:12px;color:#444\">{}</blockquote>\
         <p><a href=\"{}\">{}</a><br>{}</p><p style=\"font-size:small;color:#555\"><a href=\"{}\">{}</a></p></body></html>",
        e(&fill(w.answered)),
        e(m.answer),
        e(w.asked),
        e(m.question),
        escape_attribute(m.open_url),
        e(w.open.trim_end_matches(':')),
        e(w.or_reply),
        escape_attribute(m.stop_url),
        e(w.stop.trim_end_matches(':')),
    );
    let headers = [
        format!("From: {} <{}>", encoded_word(m.site_name), m.from),
        format!("To: <{}>", m.to),
        format!("Reply-To: <{}>", m.reply_to),
        format!("Subject: {}", encoded_word(&fill(w.subject))),
        format!("Message-ID: {message_id}"),
        format!("Date: {date}"),
        format!("List-Unsubscribe: <{}>", m.stop_url),
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click".to_string(),
        "Auto-Submitted: auto-replied".to_string(),
        "MIME-Version: 1.0".to_string(),
        format!("Content-Type: multipart/alternative; boundary=\"{boundary}\""),
    ];
    let mut out = headers.join("\r\n");
    out.push_str("\r\n\r\n");
    for (kind, body) in [("plain", text), ("html", html)] {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: text/{kind}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        ));
        let encoded = base64::engine::general_purpose::STANDARD.encode(body.as_bytes());
        for line in encoded.as_bytes().chunks(76) {
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push_str("\r\n");
        }
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

/// A header value as an RFC 2047 encoded word when it is not plain
/// printable ASCII (which also keeps CR and LF out of headers).
fn encoded_word(value: &str) -> String {
    let plain = value.chars().all(|c| c.is_ascii_graphic() || c == ' ') && !value.contains("=?");
    // RFC 5322 specials (a `.` too: "Shop Inc." is no valid phrase).
    if plain
        && !value.contains([
            '"', '<', '>', ',', ';', ':', '@', '\\', '.', '(', ')', '[', ']',
        ])
    {
        value.to_string()
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(value.as_bytes())
        )
    }
}

/// `Mon, 30 Nov 2026 14:20:47 +0000` for a Unix time in milliseconds.
pub fn rfc5322_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let day = crate::metrics::utc_day(ms);
    let (y, rest) = day.split_at(4);
    let month: usize = rest[1..3].parse().unwrap_or(1);
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{}, {} {} {y} {:02}:{:02}:{:02} +0000",
        DAYS[ms.div_euclid(86_400_000).rem_euclid(7) as usize],
        &rest[4..6],
        MONTHS[month.clamp(1, 12) - 1],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The address a visitor's reply comes back to: the site and a token that
/// only this conversation's mail carries, `site.token@domain`.
pub fn reply_address(site: &str, token: &str, domain: &str) -> String {
    format!("{site}.{token}@{domain}")
}

/// The site and token of a reply address on `domain`; `None` for any
/// other address.
pub fn parse_reply_address<'a>(address: &'a str, domain: &str) -> Option<(&'a str, &'a str)> {
    let (local, host) = address.trim().rsplit_once('@')?;
    if !host.eq_ignore_ascii_case(domain) {
        return None;
    }
    let (site, token) = local.split_once('.')?;
    let token_ok = (16..=64).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_hexdigit());
    (crate::site::is_valid_site_id(site) && token_ok).then_some((site, token))
}

/// Whether the envelope sender is the address the visitor left (the case
/// of the domain does not matter; the local part is compared as written
/// too, as mail systems treat it so in practice).
pub fn same_address(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_lowercase()
    };
    strip(a) == strip(b)
}

/// What the visitor wrote in a reply: the text before the quoted history
/// (`> …`, "On … wrote:", "Am … schrieb …:", "El … escribió:", a forwarded
/// or original-message banner) and before the signature (`-- `, "Sent from
/// my phone").
pub fn reply_text(body: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for line in body.lines() {
        let l = line.trim();
        let lower = l.to_lowercase();
        let history = l.starts_with('>')
            || (lower.starts_with("on ") && lower.ends_with("wrote:"))
            || (lower.starts_with("am ") && lower.ends_with(':') && lower.contains("schrieb"))
            || (lower.starts_with("el ") && lower.ends_with(':') && lower.contains("escribió"))
            || (lower.starts_with("-----") && lower.ends_with("-----"))
            || lower.starts_with("from: ")
            || lower.starts_with("von: ")
            || lower.starts_with("de: ")
            || line == "-- "
            || l == "--"
            || lower.starts_with("sent from my")
            || lower.starts_with("von meinem")
            || lower.starts_with("gesendet von")
            || lower.starts_with("enviado desde");
        if history {
            break;
        }
        kept.push(line.trim_end());
    }
    kept.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(question: &str, answer: &str, site_name: &str) -> String {
        compose(
            &ReplyMail {
                site_name,
                from: "support@bikes.example",
                to: "sam@example.com",
                reply_to: "demo.0123456789abcdef0123456789abcdef@reply.bikes.example",
                agent_name: "Ada",
                answer,
                question,
                open_url: "https://chat.example/chat/demo#reopen=abc",
                stop_url: "https://chat.example/mail/demo/0123/stop",
                language: Language::German,
            },
            "<m1@bikes.example>",
            "Mon, 30 Nov 2026 14:20:47 +0000",
            "b-1",
        )
    }

    fn part(mime: &str, kind: &str) -> String {
        let start = mime.find(&format!("text/{kind}")).unwrap();
        let body = &mime[start..];
        let body = &body[body.find("\r\n\r\n").unwrap() + 4..];
        let body: String = body[..body.find("--b-1").unwrap()]
            .split_whitespace()
            .collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn the_reply_mail_has_the_answer_the_quoted_question_and_both_links_in_both_parts() {
        let m = mail("Wann habt ihr offen?", "Ab 8 Uhr.", "Veloria");
        assert!(
            m.contains("Reply-To: <demo.0123456789abcdef0123456789abcdef@reply.bikes.example>\r\n")
        );
        assert!(m.contains("From: Veloria <support@bikes.example>\r\n"));
        assert!(m.contains("List-Unsubscribe: <https://chat.example/mail/demo/0123/stop>"));
        let text = part(&m, "plain");
        assert!(text.contains("Ada von Veloria hat Ihre Frage beantwortet:\n\nAb 8 Uhr."));
        assert!(text.contains("> Wann habt ihr offen?"));
        assert!(text.contains("https://chat.example/chat/demo#reopen=abc"));
        assert!(text.contains("https://chat.example/mail/demo/0123/stop"));
        let html = part(&m, "html");
        assert!(html.contains("Ab 8 Uhr."));
        assert!(html.contains("href=\"https://chat.example/chat/demo#reopen=abc\""));
    }

    #[test]
    fn every_value_in_the_html_part_is_escaped_and_headers_carry_no_raw_line_breaks() {
        let m = mail(
            "<img src=x onerror=alert(1)>",
            "<b>bold</b> & \"quotes\"",
            "Evil\r\nBcc: x@y",
        );
        let html = part(&m, "html");
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>bold"));
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;"));
        assert!(!m.contains("\r\nBcc:"));
        assert!(m.contains("From: =?UTF-8?B?"));
        let dotted = mail("q", "a", "Bikes Inc.");
        assert!(dotted.contains("From: =?UTF-8?B?QmlrZXMgSW5jLg==?= <support@bikes.example>"));
    }

    #[test]
    fn dates_are_written_as_mail_wants_them() {
        assert_eq!(
            rfc5322_date(1_796_048_447_000),
            "Mon, 30 Nov 2026 14:20:47 +0000"
        );
        assert_eq!(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
    }

    #[test]
    fn reply_addresses_round_trip_and_others_are_not_ours() {
        let a = reply_address("demo", "0123456789abcdef0123456789abcdef", "reply.example");
        assert_eq!(
            parse_reply_address(&a, "REPLY.example"),
            Some(("demo", "0123456789abcdef0123456789abcdef"))
        );
        assert_eq!(parse_reply_address(&a, "other.example"), None);
        assert_eq!(
            parse_reply_address("demo.xyz@reply.example", "reply.example"),
            None
        );
        assert_eq!(
            parse_reply_address("support@reply.example", "reply.example"),
            None
        );
        assert_eq!(
            parse_reply_address("Bad Site.0123456789abcdef@reply.example", "reply.example"),
            None
        );
    }

    #[test]
    fn a_reply_keeps_only_what_the_visitor_wrote_above_history_and_signature() {
        let en =
            "Thanks, Tuesday works.\n\nSam\n\nOn Mon, 30 Nov 2026 Ada <s@x> wrote:\n> Ab 8 Uhr.";
        assert_eq!(reply_text(en), "Thanks, Tuesday works.\n\nSam");
        let de = "Passt!\n-- \nSam Muster\nTel 123";
        assert_eq!(reply_text(de), "Passt!");
        let de2 = "Danke.\nAm 30.11.2026 um 15:00 schrieb Veloria <s@x>:\n> alt";
        assert_eq!(reply_text(de2), "Danke.");
        let es = "Perfecto\n\nEnviado desde mi iPhone";
        assert_eq!(reply_text(es), "Perfecto");
        let outlook = "Fine\r\n-----Original Message-----\r\nFrom: x";
        assert_eq!(reply_text(outlook), "Fine");
        assert_eq!(reply_text("> only quoted"), "");
    }

    #[test]
    fn addresses_compare_without_case_or_brackets() {
        assert!(same_address("<Sam@Example.com>", "sam@example.com"));
        assert!(!same_address("sam@example.com", "eve@example.com"));
    }
}
