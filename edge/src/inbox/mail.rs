//! E-mail about questions visitors left (`tickets.rs`): an agent's answer
//! goes out through the `EMAIL` binding (Cloudflare Email Service; `wrangler
//! dev` keeps what was sent), the visitor's reply comes back into the
//! conversation, and the link in the mail reopens the chat once.
//!
//! The site's inbox keeps the tokens, as SHA-256 hashes: a reply address
//! names only the site and a token, so mail is routed here without any
//! conversation id in it, and a token nobody was sent finds nothing.

use super::{Inbox, MailIn, Reopen, SendAnswer, StopMail};
use crate::conversation;
use crate::credentials::{hash, new_secret};
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use shared::analysis::Language;
use shared::mail::{self, ReplyMail};
use shared::protocol::ConversationCreated;

/// How long a reply address in a sent answer is accepted.
const REPLY_TOKEN_MS: i64 = 30 * 86_400_000;
/// How long the link that reopens the chat works (once).
const OPEN_TOKEN_MS: i64 = 7 * 86_400_000;

#[derive(serde::Deserialize)]
struct TokenRow {
    conversation_id: String,
    email: String,
}

impl Inbox {
    /// The conversation a live token of `kind` belongs to.
    fn mail_token(&self, token: &str, kind: &str) -> EdgeResult<TokenRow> {
        let rows: Vec<TokenRow> = self
            .sql()
            .exec(
                "SELECT conversation_id, email FROM mail_tokens
                 WHERE token_hash = ? AND kind = ? AND expires_ms > ?",
                vec![hash(token).into(), kind.into(), now_ms().into()],
            )?
            .to_array()?;
        rows.into_iter().next().ok_or_else(EdgeError::not_found)
    }

    fn keep_token(&self, token: &str, kind: &str, c: &SendAnswer, for_ms: i64) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT INTO mail_tokens (token_hash, kind, conversation_id, email, expires_ms) VALUES (?, ?, ?, ?, ?)",
            vec![
                hash(token).into(),
                kind.into(),
                c.conversation_id.clone().into(),
                c.email.clone().into(),
                (now_ms() + for_ms).into(),
            ],
        )?;
        Ok(())
    }

    /// Sends an agent's answer to the address the visitor left, with a
    /// fresh reply address and reopen link. `Err` says, for the agents'
    /// note, why it did not go; the answer is in the chat either way.
    pub(super) async fn send_answer(&self, c: SendAnswer) -> EdgeResult<Result<String, String>> {
        let Ok(mailer) = self.env.send_email("EMAIL") else {
            return Ok(Err("this edge has no EMAIL binding".into()));
        };
        let stopped = self
            .sql()
            .exec(
                "SELECT conversation_id FROM mail_stopped WHERE conversation_id = ?",
                vec![c.conversation_id.clone().into()],
            )?
            .to_array::<serde_json::Value>()?;
        if !stopped.is_empty() {
            return Ok(Err("the visitor asked for no more e-mails".into()));
        }
        self.sql().exec(
            "DELETE FROM mail_tokens WHERE expires_ms <= ?",
            vec![now_ms().into()],
        )?;
        let reply_token = uuid::Uuid::new_v4().simple().to_string();
        let open_token = new_secret();
        self.keep_token(&reply_token, "reply", &c, REPLY_TOKEN_MS)?;
        self.keep_token(&open_token, "open", &c, OPEN_TOKEN_MS)?;
        let s = &c.settings;
        let reply_to = mail::reply_address(&c.site, &reply_token, &s.reply_domain);
        let open_url = format!(
            "{}/mail/{}/open?lang={}#{open_token}",
            c.origin, c.site, c.language
        );
        let stop_url = format!(
            "{}/mail/{}/{reply_token}/stop?lang={}",
            c.origin, c.site, c.language
        );
        let domain = s.from.rsplit_once('@').map_or("", |(_, d)| d);
        let mime = mail::compose(
            &ReplyMail {
                site_name: &s.site_name,
                from: &s.from,
                to: &c.email,
                reply_to: &reply_to,
                agent_name: &c.agent_name,
                answer: &c.answer,
                question: &c.question,
                open_url: &open_url,
                stop_url: &stop_url,
                language: Language::parse(&c.language).unwrap_or(Language::English),
            },
            &format!("<{}@{domain}>", uuid::Uuid::new_v4().simple()),
            &mail::rfc5322_date(now_ms()),
            &format!("b-{}", uuid::Uuid::new_v4().simple()),
        );
        let sent = async {
            let message = worker::EmailMessage::new(&s.from, &c.email, &mime)?;
            mailer.send(&message).await
        }
        .await;
        Ok(match sent {
            Ok(_) => Ok(c.email),
            Err(e) => Err(format!("{e:?}")),
        })
    }

    /// A visitor's e-mail reply: into the conversation as their message,
    /// and its tickets open again for the team. A token that is unknown or
    /// expired, or a sender who is not the visitor, is "not found".
    pub(super) async fn mail_in(&self, c: MailIn) -> EdgeResult<()> {
        let row = self.mail_token(&c.token, "reply")?;
        if !c.senders.iter().any(|s| mail::same_address(s, &row.email)) {
            return Err(EdgeError::not_found());
        }
        let id = row.conversation_id;
        conversation::call(&self.env, &id, conversation::VisitorMail { text: c.text }).await?;
        #[derive(serde::Deserialize)]
        struct TeamRow {
            team: String,
        }
        let teams: Vec<TeamRow> = self
            .sql()
            .exec(
                "UPDATE tickets SET status = 'open', closed_ms = NULL WHERE conversation_id = ? RETURNING team",
                vec![id.clone().into()],
            )?
            .to_array()?;
        match teams.into_iter().next() {
            Some(t) => self.announce_ticket(id, t.team),
            None => Ok(()),
        }
    }

    /// The reopen link, once: a new visitor secret for its conversation
    /// (the browser that opened the chat keeps its own).
    pub(super) async fn reopen(&self, c: Reopen) -> EdgeResult<ConversationCreated> {
        let row = self.mail_token(&c.token, "open")?;
        self.sql().exec(
            "DELETE FROM mail_tokens WHERE token_hash = ?",
            vec![hash(&c.token).into()],
        )?;
        let visitor_secret = new_secret();
        let key = conversation::AddVisitorKey {
            secret_hash: hash(&visitor_secret),
        };
        conversation::call(&self.env, &row.conversation_id, key).await?;
        Ok(ConversationCreated {
            conversation_id: row.conversation_id,
            visitor_secret,
        })
    }

    /// No more answers by e-mail for this conversation (they still wait in
    /// the chat).
    pub(super) fn stop_mail(&self, c: StopMail) -> EdgeResult<()> {
        let row = self.mail_token(&c.token, "reply")?;
        self.sql().exec(
            "INSERT OR IGNORE INTO mail_stopped (conversation_id) VALUES (?)",
            vec![row.conversation_id.into()],
        )?;
        Ok(())
    }
}
