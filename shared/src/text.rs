//! Rules for text that people type: what is removed before it is stored or
//! shown, and how long it may be. Applied by the edge (the authority) and by
//! the widget (to tell the visitor early).

use crate::protocol::{ErrorCode, MAX_MESSAGE_BYTES};

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the message is empty")]
    Empty,
    #[error("the message is {bytes} bytes; the limit is {max}")]
    TooLong { bytes: usize, max: usize },
}

impl TextError {
    pub fn code(&self) -> ErrorCode {
        match self {
            TextError::Empty => ErrorCode::EmptyMessage,
            TextError::TooLong { .. } => ErrorCode::MessageTooLong,
        }
    }
}

/// Characters that can reorder or hide text: bidi embeddings, overrides and
/// isolates, marks, and invisible separators. They are how a name like
/// "AI assistant" or a fake link gets spoofed.
fn is_invisible_or_bidi(c: char) -> bool {
    matches!(c,
        '\u{200B}' | '\u{200C}' | '\u{200E}' | '\u{200F}' // zero-width space/non-joiner, LRM, RLM
        | '\u{202A}'..='\u{202E}'                          // embeddings and overrides
        | '\u{2060}'..='\u{2064}'                          // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'                          // isolates
        | '\u{061C}'                                       // Arabic letter mark
        | '\u{FEFF}'                                       // BOM / zero-width no-break space
        | '\u{180E}'                                       // Mongolian vowel separator
    )
}

/// Control characters other than newline and tab.
fn is_unwanted_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Cleans a message: drops control, bidi and invisible characters (the
/// zero-width joiner stays, emoji sequences need it), normalizes line ends,
/// folds runs of blank lines, trims. Does not check the length.
pub fn clean_message(raw: &str) -> String {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(unified.len());
    let mut newlines = 0;
    for c in unified.chars() {
        if is_unwanted_control(c) || is_invisible_or_bidi(c) {
            continue;
        }
        if c == '\n' {
            newlines += 1;
            if newlines > 2 {
                continue;
            }
        } else {
            newlines = 0;
        }
        out.push(c);
    }
    out.trim().to_string()
}

/// Cleans a message and checks it is neither empty nor over the byte limit.
pub fn sanitize_message(raw: &str) -> Result<String, TextError> {
    let text = clean_message(raw);
    if text.is_empty() {
        return Err(TextError::Empty);
    }
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(TextError::TooLong {
            bytes: text.len(),
            max: MAX_MESSAGE_BYTES,
        });
    }
    Ok(text)
}

/// Text for a quoted HTML attribute value: the characters that could end
/// the value or start markup are written as references.
pub fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Cleans a display name (visitor or agent): one line, no invisible
/// characters at all (the joiner included), at most `max_chars` characters.
pub fn clean_name(raw: &str, max_chars: usize) -> String {
    let one_line: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|&c| !is_invisible_or_bidi(c) && c != '\u{200D}')
        .collect();
    // Words joined by one space (by hand: `join` would add its generic
    // copy to the widget's download).
    let mut name = String::with_capacity(one_line.len());
    for word in one_line.split_whitespace() {
        if !name.is_empty() {
            name.push(' ');
        }
        name.push_str(word);
    }
    name.chars().take(max_chars).collect()
}

/// The host page's address as the widget reports it, cleaned once at the
/// edge: invisible and bidi characters removed (they could make an agent
/// read another address than the one stored), at most 2,048 characters,
/// and only an `http(s)` address with a host; anything else (`javascript:`,
/// `file:`, garbage) is dropped, not stored.
pub fn clean_page_url(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .filter(|&c| !c.is_control() && !is_invisible_or_bidi(c) && c != '\u{200D}')
        .collect();
    let url = cleaned.trim();
    if url.len() > 2_048 {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    (host_ok && !url.contains(char::is_whitespace)).then(|| url.to_string())
}

/// Why an e-mail address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("That e-mail address doesn't look right. Please check it (for example name@example.com).")]
pub struct InvalidEmail;

/// Checks an e-mail address the visitor typed: one `@`, a plain local part,
/// a domain of at least two labels with a letter-only (or `xn--`) top
/// level, 254 bytes at most. Returns it trimmed, with the domain in lower
/// case. Deliberately stricter than RFC 5322: quoted local parts and IP
/// literals are refused, because a person typing an address never means them.
pub fn valid_email(raw: &str) -> Result<String, InvalidEmail> {
    let email = raw.trim();
    if email.len() > 254 {
        return Err(InvalidEmail);
    }
    let (local, domain) = email.split_once('@').ok_or(InvalidEmail)?;
    let local_ok = (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&*+-/=?^_`{|}~.'".contains(c));
    let domain = domain.to_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld = labels.last().copied().unwrap_or_default();
    let tld_ok =
        (tld.len() >= 2 && tld.chars().all(char::is_alphabetic)) || tld.starts_with("xn--");
    if !local_ok || labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(InvalidEmail);
    }
    Ok(format!("{local}@{domain}"))
}

/// A piece of message text: plain, or an `https://` address written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Where `https://` starts: a char search and a prefix test, because a
/// string pattern brings core's two-way searcher into the widget.
fn find_https(s: &str) -> Option<usize> {
    s.match_indices('h')
        .map(|(i, _)| i)
        .find(|&i| s[i..].starts_with("https://"))
}

/// Splits text into plain pieces and bare `https://` addresses (trailing
/// punctuation such as a full stop stays text), so front ends can draw the
/// addresses as checked links and everything else as text. Other schemes
/// are never links.
pub fn link_spans(text: &str) -> Vec<Span<'_>> {
    let mut spans = Vec::new();
    let mut rest = text;
    while let Some(at) = find_https(rest) {
        let tail = &rest[at..];
        let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        let link =
            tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'', '"']);
        if link.len() <= "https://".len() {
            spans.push(Span::Text(&rest[..at + "https://".len()]));
            rest = &rest[at + "https://".len()..];
            continue;
        }
        if at > 0 {
            spans.push(Span::Text(&rest[..at]));
        }
        spans.push(Span::Link(link));
        rest = &rest[at + link.len()..];
    }
    if !rest.is_empty() {
        spans.push(Span::Text(rest));
    }
    spans
}

/// A person's initials for their avatar: the first letter of their first
/// and last word ("Jana Novák" → "JN", "Mo" → "M"), skipping punctuation.
/// Case is left to CSS, so the widget carries no Unicode case tables.
pub fn initials(name: &str) -> String {
    // A plain loop: the iterator chain cost the widget twice the bytes.
    let (mut first, mut last) = (None, None);
    for word in name.split(' ') {
        if let Some(c) = word.chars().find(|c| !c.is_ascii_punctuation()) {
            *if first.is_none() {
                &mut first
            } else {
                &mut last
            } = Some(c);
        }
    }
    first.into_iter().chain(last).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn initials_are_the_first_letters_of_the_first_and_last_words() {
        use super::initials;
        assert_eq!(initials("Jana Novák"), "JN");
        assert_eq!(initials("  maría josé garcía "), "mg");
        assert_eq!(initials("Mo"), "M");
        assert_eq!(initials("Ölaf (support) - Team"), "ÖT");
        assert_eq!(initials("--- ..."), "");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn an_attribute_value_cannot_end_its_quotes_or_open_markup() {
        assert_eq!(
            super::escape_attribute(r#"Hi "friend" <b>Tom's & co</b>"#),
            "Hi &quot;friend&quot; &lt;b&gt;Tom&#39;s &amp; co&lt;/b&gt;"
        );
        assert_eq!(super::escape_attribute("plain"), "plain");
    }

    use super::*;

    #[test]
    fn controls_are_removed_but_newlines_and_tabs_stay() {
        assert_eq!(
            clean_message("a\u{0007}b\u{0000}c\td\ne\u{009B}f"),
            "abc\td\nef"
        );
    }

    #[test]
    fn bidi_overrides_and_zero_width_characters_are_removed() {
        assert_eq!(clean_message("pay\u{202E}gpj.exe"), "paygpj.exe");
        assert_eq!(clean_message("a\u{200B}b\u{2066}c\u{2069}\u{FEFF}"), "abc");
    }

    #[test]
    fn emoji_joiner_sequences_survive() {
        let family = "👨\u{200D}👩\u{200D}👧";
        assert_eq!(clean_message(family), family);
    }

    #[test]
    fn line_ends_are_unified_and_blank_runs_folded() {
        assert_eq!(clean_message("  a\r\n\r\n\r\n\r\nb\rc  "), "a\n\nb\nc");
    }

    #[test]
    fn empty_after_cleaning_is_refused() {
        assert_eq!(sanitize_message(" \u{200B}\n\t "), Err(TextError::Empty));
        assert_eq!(TextError::Empty.code(), ErrorCode::EmptyMessage);
    }

    #[test]
    fn limit_is_in_bytes_not_characters() {
        let ok = "é".repeat(MAX_MESSAGE_BYTES / 2);
        assert!(sanitize_message(&ok).is_ok());
        let over = format!("{ok}é");
        assert_eq!(
            sanitize_message(&over),
            Err(TextError::TooLong {
                bytes: MAX_MESSAGE_BYTES + 2,
                max: MAX_MESSAGE_BYTES
            })
        );
    }

    #[test]
    fn markup_is_kept_as_text_not_removed() {
        // Rendering as text is the defence; the visitor's words stay intact.
        assert_eq!(
            sanitize_message("<img src=x onerror=alert(1)>").unwrap(),
            "<img src=x onerror=alert(1)>"
        );
    }

    #[test]
    fn names_are_one_line_without_invisibles_and_bounded() {
        assert_eq!(
            clean_name("  Anna\n\u{202E}Smith\u{200D} ", 40),
            "Anna Smith"
        );
        assert_eq!(clean_name("abcdef", 3), "abc");
    }

    #[test]
    fn plausible_email_addresses_pass_and_are_tidied() {
        assert_eq!(
            valid_email(" Anna.Smith+bikes@Example.CO.uk ").unwrap(),
            "Anna.Smith+bikes@example.co.uk"
        );
        assert!(valid_email("jörg@bücher.de").is_ok());
        assert!(valid_email("a@xn--bcher-kva.de").is_ok());
    }

    #[test]
    fn mistyped_or_hostile_email_addresses_are_refused() {
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.com",
            "anna@example",
            "anna@example.c0m",
            "anna@@example.com",
            "anna smith@example.com",
            "anna@exa mple.com",
            "anna@-example.com",
            "anna@example..com",
            ".anna@example.com",
            "an..na@example.com",
            "<script>@example.com",
            "anna@example.com\r\nBcc: x@y.z",
            "\"anna\"@example.com",
            "anna@[127.0.0.1]",
        ] {
            assert_eq!(valid_email(bad), Err(InvalidEmail), "{bad:?}");
        }
        assert!(valid_email(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn https_addresses_in_text_become_links_and_nothing_else_does() {
        use Span::*;
        assert_eq!(
            link_spans("Book at https://spoke.example/book. Or call."),
            vec![
                Text("Book at "),
                Link("https://spoke.example/book"),
                Text(". Or call.")
            ]
        );
        assert_eq!(
            link_spans("(see https://a.example/x)"),
            vec![Text("(see "), Link("https://a.example/x"), Text(")")]
        );
        assert_eq!(
            link_spans("javascript:alert(1) http://plain.example"),
            vec![Text("javascript:alert(1) http://plain.example")]
        );
        assert_eq!(
            link_spans("https:// alone"),
            vec![Text("https://"), Text(" alone")]
        );
        assert_eq!(link_spans(""), vec![]);
    }
}

#[cfg(test)]
mod page_url_tests {
    use super::clean_page_url;

    #[test]
    fn a_page_address_is_kept_only_as_an_http_address_without_hidden_characters() {
        assert_eq!(
            clean_page_url(" https://shop.example/bikes?x=1#top "),
            Some("https://shop.example/bikes?x=1#top".into())
        );
        assert_eq!(
            clean_page_url("https://shop.example/\u{202E}gnp.exe"),
            Some("https://shop.example/gnp.exe".into())
        );
        assert_eq!(
            clean_page_url("http://127.0.0.1:8787/demo/"),
            Some("http://127.0.0.1:8787/demo/".into())
        );
        assert_eq!(clean_page_url("javascript:alert(1)"), None);
        assert_eq!(clean_page_url("file:///home/me/page.html"), None);
        assert_eq!(clean_page_url("https://"), None);
        assert_eq!(clean_page_url("https://a b.example/"), None);
        assert_eq!(
            clean_page_url("https://evil.example\u{0}/x"),
            Some("https://evil.example/x".into())
        );
        assert_eq!(
            clean_page_url(&format!("https://x.example/{}", "a".repeat(3000))),
            None
        );
    }
}
