//! The conversation's side of e-mail (the site's inbox sends and routes it,
//! `inbox/mail.rs`): an answer to a left question goes to the visitor's
//! address, their reply comes back as their message, and a reopen link
//! adds a visitor secret for the browser it was opened in. Also what the
//! visitor has not seen yet: the team's messages since their last visit,
//! counted for the launcher's badge and marked new in the widget.

use super::store::Mark;
use super::{Conversation, VisitorMail};
use crate::credentials;
use crate::error::EdgeResult;
use crate::inbox;
use serde::Deserialize;
use shared::protocol::{AgentProfile, Author, EventBody, Message, Seq};
use shared::text::sanitize_message;
use uuid::Uuid;

/// Extra visitor secrets a conversation keeps (reopen links, browsers a
/// signed-in visitor joins from), the newest first.
pub const MAX_VISITOR_KEYS: i64 = 16;

#[derive(Deserialize)]
struct BodyRow {
    body: String,
}

impl Conversation {
    /// Whether `secret` is this conversation's visitor's: the one it was
    /// created with, or one a reopen link added.
    pub(super) fn is_visitor_secret(
        &self,
        secret: &str,
        meta: &super::store::MetaRow,
    ) -> EdgeResult<bool> {
        let hash = credentials::hash(secret);
        if credentials::same_hash(&hash, &meta.secret_hash) {
            return Ok(true);
        }
        let keys: Vec<serde_json::Value> = self
            .sql()
            .exec(
                "SELECT secret_hash FROM visitor_keys WHERE secret_hash = ?",
                vec![hash.into()],
            )?
            .to_array()?;
        Ok(!keys.is_empty())
    }

    /// A reopen link was used: its browser gets a secret of its own.
    pub(super) fn add_visitor_key(&self, secret_hash: &str) -> EdgeResult<()> {
        self.existing()?;
        self.sql().exec(
            "INSERT OR IGNORE INTO visitor_keys (secret_hash) VALUES (?)",
            vec![secret_hash.into()],
        )?;
        // The newest keys only: every reopen link used and every browser a
        // signed-in visitor joins from adds one, so without a cap they
        // would pile up (the browser that opened the chat keeps its own).
        self.sql().exec(
            "DELETE FROM visitor_keys WHERE rowid NOT IN
             (SELECT rowid FROM visitor_keys ORDER BY rowid DESC LIMIT ?)",
            vec![MAX_VISITOR_KEYS.into()],
        )?;
        Ok(())
    }

    /// The visitor's e-mail reply, as their message in the conversation.
    /// The AI does not answer it: the visitor is writing to the team.
    pub(super) fn visitor_mail(&self, c: VisitorMail) -> EdgeResult<()> {
        self.existing()?;
        let text = sanitize_message(&c.text)?;
        let message = Message::plain(Author::Visitor, text, Some(Uuid::new_v4()));
        self.append_and_broadcast(None, EventBody::Message(message))?;
        Ok(())
    }

    /// Up to where the visitor has seen the conversation.
    pub(super) fn seen_until(&self) -> EdgeResult<Seq> {
        self.mark(Mark::SeenByVisitor)
    }

    /// The visitor has the whole conversation before them (a socket
    /// replayed it, or their last socket closed after following it live).
    pub(super) fn mark_seen(&self) -> EdgeResult<()> {
        self.set_mark(Mark::SeenByVisitor, self.last_seq()?)
    }

    /// `GET …/unread` with the visitor's secret: how many of the team's
    /// messages the visitor has not seen (none while their chat is open).
    pub(super) fn unread(&self, req: &worker::Request) -> EdgeResult<worker::Response> {
        self.authorized(req)?;
        #[derive(Deserialize, serde::Serialize)]
        struct Unread {
            unread: i64,
        }
        let open = !self.state.get_websockets_with_tag("visitor").is_empty();
        let rows: Vec<Unread> = if open {
            Vec::new()
        } else {
            self.sql()
                .exec(
                    "SELECT COUNT(*) AS unread FROM events WHERE kind = 'message' AND seq > ?
                     AND json_extract(body, '$.message.author.agent.name') IS NOT NULL",
                    vec![(self.seen_until()?.min(i64::MAX as u64) as i64).into()],
                )?
                .to_array()?
        };
        let unread = rows.into_iter().next().unwrap_or(Unread { unread: 0 });
        crate::http::json_response(&unread, 200)
    }

    /// After an agent answered the question the visitor left: the answer
    /// by e-mail too, if the site sends mail. How it went is an internal
    /// note, so agents see whether the visitor was reached.
    pub(super) async fn email_answer(
        &self,
        agent: &AgentProfile,
        answer: &str,
        origin: &str,
    ) -> EdgeResult<()> {
        let meta = self.existing()?;
        let Some(settings) = crate::sites::email_settings(&self.env, &meta.site)? else {
            return Ok(());
        };
        let rows: Vec<BodyRow> = self
            .sql()
            .exec(
                "SELECT body FROM events WHERE kind = 'contact' ORDER BY seq DESC LIMIT 1",
                None,
            )?
            .to_array()?;
        let Some(EventBody::Contact { email, question }) = rows
            .first()
            .and_then(|r| serde_json::from_str(&r.body).ok())
        else {
            return Ok(());
        };
        let send = inbox::SendAnswer {
            conversation_id: meta.conversation_id.clone(),
            site: meta.site.clone(),
            settings,
            origin: origin.to_string(),
            email,
            question,
            answer: answer.to_string(),
            agent_name: agent.name.clone(),
            language: meta.locale.clone().unwrap_or_else(|| "en".into()),
        };
        let note = match inbox::call(&self.env, &meta.site, send).await? {
            Ok(to) => format!("Answer sent by e-mail to {to}."),
            Err(why) => format!("Answer not sent by e-mail: {why}. It waits in the chat."),
        };
        self.note("E-mail", Uuid::new_v4(), &note)
    }
}
