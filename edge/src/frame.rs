//! The widget frame: the page the loader opens in an iframe. It is served
//! from the edge's own origin with its own Content Security Policy, so the
//! host page's CSS, scripts and policy cannot break it, and only the site's
//! own origins may embed it (`frame-ancestors`).

use crate::error::EdgeResult;
use crate::http;
use shared::color;
use shared::identity::IdentityRefusal;
use shared::site::{Branding, SiteConfig};
use shared::widget_text;
use std::cell::RefCell;
use std::rc::Rc;
use worker::Response;

/// Counted in the widget's download by `cargo xtask size`.
const FRAME_HTML: &str = include_str!("frame.html");

/// The identity the host page gave, as the edge found it.
pub enum SignedIn {
    /// The widget passes `token` on when it makes the conversation, and
    /// keeps it under `key` in this browser.
    Verified { key: String, token: String },
    /// The frame writes why to the console and the chat goes on anonymous.
    Refused(IdentityRefusal),
}

impl SignedIn {
    fn meta_tags(&self) -> String {
        match self {
            SignedIn::Verified { key, token } => meta("visitor", key) + &meta("identity", token),
            SignedIn::Refused(why) => meta("identity-refused", &why.to_string()),
        }
    }
}

/// The frame page; `color` is the script tag's brand color, if it gave
/// one; `locale` the page's language (the widget speaks English, German or
/// Spanish, and the page carries only those words).
pub fn serve(
    site: &SiteConfig,
    color: Option<&str>,
    locale: Option<&str>,
    signed_in: Option<SignedIn>,
) -> EdgeResult<Response> {
    let csp = format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
         frame-ancestors {}",
        ancestors(site)
    );
    let mut page = with_words(
        &with_branding(FRAME_HTML, &site.branding, color),
        widget_text::language(locale),
    );
    if site.events_with_text {
        page = page.replacen(
            "</head>",
            &format!("{}</head>", meta("event-text", "on")),
            1,
        );
    }
    if let Some(s) = signed_in {
        page = page.replacen("</head>", &format!("{}</head>", s.meta_tags()), 1);
    }
    http::html_response(page, &csp, "no-cache")
}

/// The launcher's unread badge: a hidden frame whose script
/// (`widget/loader/badge.js`) reads the visitor's key on this origin and
/// tells the loader a count.
pub fn serve_badge(site: &SiteConfig, signed_in: Option<SignedIn>) -> EdgeResult<Response> {
    let csp = format!(
        "default-src 'none'; script-src 'self'; connect-src 'self'; base-uri 'none'; \
         form-action 'none'; frame-ancestors {}",
        ancestors(site)
    );
    // Only the key: the badge needs no token and writes no refusal.
    let key = match signed_in {
        Some(SignedIn::Verified { key, .. }) => meta("visitor", &key),
        _ => String::new(),
    };
    http::html_response(
        format!("<!doctype html><meta charset=\"utf-8\">{key}<script src=\"/widget/badge.js\"></script>"),
        &csp,
        "no-cache",
    )
}

/// `<meta name="chat-{name}" content="{value}">`, the value escaped.
fn meta(name: &str, value: &str) -> String {
    format!(
        "<meta name=\"chat-{name}\" content=\"{}\">",
        shared::text::escape_attribute(value)
    )
}

/// The edge's own pages (the panel's preview, the demo) may always show
/// the frame, and the site's embed origins.
fn ancestors(site: &SiteConfig) -> String {
    std::iter::once("'self'")
        .chain(
            site.embed_origins
                .iter()
                .map(String::as_str)
                .filter(|o| *o != "'self'"),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

thread_local! {
    /// Each language's `<script>` element of words, made once per isolate:
    /// every opened chat asks for one.
    static WORDS: RefCell<Vec<(&'static str, Rc<str>)>> = const { RefCell::new(Vec::new()) };
}

/// The widget's words in `language` as JSON data (never run: the page's
/// policy allows no inline script), `<` escaped so no text can close the
/// element.
fn words_element(language: &'static str) -> Rc<str> {
    WORDS.with(|made| {
        if let Some((_, element)) = made.borrow().iter().find(|(l, _)| *l == language) {
            return element.clone();
        }
        let words = widget_text::values_for(language)
            .to_string()
            .replace('<', "\\u003c");
        let element: Rc<str> =
            format!("<script type=\"application/json\" id=\"chat-strings\">{words}</script>")
                .into();
        made.borrow_mut().push((language, element.clone()));
        element
    })
}

/// The page in the visitor's language: its `lang`, and the widget's words.
fn with_words(html: &str, language: &'static str) -> String {
    html.replacen(
        "<html lang=\"en\">",
        &format!("<html lang=\"{language}\">"),
        1,
    )
    .replacen("</head>", &format!("{}</head>", words_element(language)), 1)
}

/// The site's saved look as `<meta name="chat-…">` tags the widget reads
/// where the script tag said nothing. Values are escaped for an attribute.
/// The palette (brand, text on it, controls, text on them) is derived here
/// from the brand color, so contrast holds whatever it is and the widget
/// carries no color arithmetic.
fn with_branding(html: &str, b: &Branding, color: Option<&str>) -> String {
    let mut tags = String::new();
    let brand = color
        .and_then(color::parse_hex)
        .or_else(|| b.color.as_deref().and_then(color::parse_hex));
    if let Some(brand) = brand {
        let control = color::control_on_white(brand);
        let palette = [
            brand,
            color::text_on(brand),
            control,
            color::text_on(control),
        ]
        .map(color::to_hex)
        .join(" ");
        tags.push_str(&meta("palette", &palette));
    }
    for (name, value) in [("greeting", &b.greeting), ("name", &b.assistant_name)] {
        if let Some(value) = value {
            tags.push_str(&meta(name, value));
        }
    }
    html.replacen("</head>", &format!("{tags}</head>"), 1)
}
