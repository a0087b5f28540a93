//! The worker's e-mail entry points (the site's inbox keeps the tokens,
//! `inbox/mail.rs`): a visitor's reply arriving through Email Routing, the
//! reopen link's exchange, and the "no more e-mails" page.

use crate::error::{EdgeError, EdgeResult};
use crate::{http, inbox, sites};
use shared::analysis::Language;
use shared::mail::{self, MAX_INBOUND_BYTES};
use shared::protocol::{ErrorCode, MAX_BODY_BYTES};
use worker::{Env, ForwardableEmailMessage, Method, Request, Response};

/// Why an inbound mail is refused: the text the sender's mail server puts
/// in its bounce. Nothing of a refused mail is stored.
pub async fn receive(message: &ForwardableEmailMessage, env: &Env) -> Result<(), &'static str> {
    const UNKNOWN: &str = "This address is not (or no longer) accepting replies.";
    if message.raw_size() > MAX_INBOUND_BYTES as f64 {
        return Err("This message is too large. Please reply with a shorter text message.");
    }
    let to = message.to();
    let (local, _) = to.rsplit_once('@').ok_or(UNKNOWN)?;
    let site = local.split_once('.').map_or("", |(s, _)| s);
    let settings = sites::email_settings(env, site)
        .ok()
        .flatten()
        .ok_or(UNKNOWN)?;
    let (site, token) = mail::parse_reply_address(&to, &settings.reply_domain).ok_or(UNKNOWN)?;
    let raw = message.raw_bytes().await.map_err(|_| UNKNOWN)?;
    if raw.len() > MAX_INBOUND_BYTES {
        return Err("This message is too large. Please reply with a shorter text message.");
    }
    let parsed = mail_parser::MessageParser::default()
        .parse(&raw)
        .ok_or("This message could not be read.")?;
    if parsed.attachment_count() > 0 {
        return Err(
            "Attachments are not accepted here, sorry. Please reply with text only; \
                    the team will ask if they need a file.",
        );
    }
    let body = parsed.body_text(0).unwrap_or_default();
    let text = mail::reply_text(&body);
    if text.is_empty() {
        return Err(
            "This reply has no text of its own. Please write your answer above the quoted message.",
        );
    }
    let mut senders = vec![message.from()];
    senders.extend(
        parsed
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_string),
    );
    let call = inbox::MailIn {
        token: token.to_string(),
        senders,
        text,
    };
    inbox::call(env, site, call)
        .await
        .map_err(|e| match e.code {
            ErrorCode::MessageTooLong => {
                "This message is too long. Please reply with a shorter text."
            }
            _ => UNKNOWN,
        })
}

/// `POST /api/v1/mail/reopen {site, token}`: the reopen link's token for a
/// visitor secret of its conversation, once.
pub async fn reopen(mut req: Request, env: &Env) -> EdgeResult<Response> {
    #[derive(serde::Deserialize)]
    struct Body {
        site: String,
        token: String,
    }
    http::require_method(&req, Method::Post)?;
    http::require_same_origin(&req)?;
    let body: Body = http::read_json(&mut req, MAX_BODY_BYTES).await?;
    sites::load_site_config(env, &body.site)?;
    crate::limits::mail_link(env, &req, &body.site).await?;
    if body.token.len() != 64 || !body.token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(expired_link());
    }
    let call = inbox::Reopen { token: body.token };
    match inbox::call(env, &body.site, call).await {
        Ok(created) => http::json_response(&created, 200),
        Err(e) if e.code == ErrorCode::NotFound => Err(expired_link()),
        Err(e) => Err(e),
    }
}

fn expired_link() -> EdgeError {
    EdgeError::new(
        ErrorCode::NotFound,
        "This link was used already or has expired.",
    )
}

/// The visitor's language for the mail pages: the link's `lang`, else
/// the browser's.
fn page_language(req: &Request) -> Language {
    let from_link = http::query(req, "lang")
        .ok()
        .flatten()
        .and_then(|l| Language::parse(&l));
    from_link
        .or_else(|| {
            let header = req.headers().get("accept-language").ok().flatten()?;
            Language::parse(header.split([',', ';']).next().unwrap_or_default())
        })
        .unwrap_or(Language::English)
}

/// A small page of the edge's own: `body` is trusted markup made here.
fn page(language: Language, title: &str, body: &str, script: Option<&str>) -> EdgeResult<Response> {
    let script_tag = script.map_or(String::new(), |s| format!("<script src=\"{s}\"></script>"));
    let page = format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><body style=\"font:18px/1.5 system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em\">{body}{script_tag}</body></html>",
        language.code()
    );
    let csp =
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; \
               form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    http::html_response(page, csp, "no-store")
}

/// `/mail/{site}/open?lang=..#<token>`: the link in an answer mail. Its
/// script (`widget/loader/reopen.js`) trades the token and opens the chat;
/// this page only says what is happening, or that the link is spent.
pub fn open(req: &Request, env: &Env, site: &str) -> EdgeResult<Response> {
    sites::load_site_config(env, site)?;
    let language = page_language(req);
    let (waiting, expired) = match language {
        Language::German => (
            "Ihr Chat wird geöffnet …",
            "Dieser Link wurde schon benutzt oder ist abgelaufen. Die Antwort wartet im Chat auf der Website, in dem Browser, in dem Sie gefragt haben.",
        ),
        Language::Spanish => (
            "Abriendo su chat…",
            "Este enlace ya se usó o ha caducado. La respuesta le espera en el chat del sitio web, en el navegador en el que preguntó.",
        ),
        Language::English => (
            "Opening your chat…",
            "This link was used already or has expired. The answer waits for you in the chat on the website, in the browser you asked from.",
        ),
    };
    let body = format!("<p id=\"waiting\">{waiting}</p><p id=\"expired\" hidden>{expired}</p>");
    page(language, waiting, &body, Some("/widget/reopen.js"))
}

/// `/mail/{site}/{token}/stop`: a page with one button (a GET changes
/// nothing, as mail scanners open links), and its POST, which is also the
/// one-click `List-Unsubscribe-Post` of RFC 8058.
pub async fn stop(req: &Request, env: &Env, site: &str, token: &str) -> EdgeResult<Response> {
    let language = page_language(req);
    let (ask, button, done, gone) = match language {
        Language::German => (
            "Keine weiteren E-Mails zu diesem Gespräch erhalten?",
            "Keine E-Mails mehr",
            "Erledigt: Sie erhalten keine weiteren E-Mails zu diesem Gespräch. Antworten warten weiterhin im Chat.",
            "Dieser Link ist abgelaufen.",
        ),
        Language::Spanish => (
            "¿No recibir más correos sobre esta conversación?",
            "No más correos",
            "Hecho: no recibirá más correos sobre esta conversación. Las respuestas le seguirán esperando en el chat.",
            "Este enlace ha caducado.",
        ),
        Language::English => (
            "Stop e-mails about this conversation?",
            "No more e-mails",
            "Done: you will get no more e-mails about this conversation. Answers still wait for you in the chat.",
            "This link has expired.",
        ),
    };
    sites::load_site_config(env, site)?;
    let body = match req.method() {
        Method::Get => format!(
            "<p>{ask}</p><form method=\"post\"><button type=\"submit\">{button}</button></form>"
        ),
        Method::Post => {
            crate::limits::mail_link(env, req, site).await?;
            let call = inbox::StopMail {
                token: token.to_string(),
            };
            match inbox::call(env, site, call).await {
                Ok(()) => format!("<p>{done}</p>"),
                Err(e) if e.code == ErrorCode::NotFound => format!("<p>{gone}</p>"),
                Err(e) => return Err(e),
            }
        }
        _ => return Err(EdgeError::nothing_here()),
    };
    page(language, button, &body, None)
}
