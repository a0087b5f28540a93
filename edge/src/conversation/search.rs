//! What the site's search knows of this conversation (`inbox/search.rs`).
//! A moment after the conversation changes, its summary and the lines
//! written since are sent to the inbox in one call, so a burst of messages
//! costs one call and no visitor waits for it. The visitor profile is asked
//! of the inbox from here, with what only the conversation knows: who the
//! visitor is and which conversation this one follows.

use super::deadlines::{self, INDEX};
use super::store::Mark;
use super::Conversation;
use crate::error::EdgeResult;
use crate::http::{self, now_ms};
use crate::inbox::{self, IndexLine};
use serde::Deserialize;
use shared::handoff::HandoffPacket;
use shared::protocol::{AgentProfile, Author, EventBody};
use worker::Response;

/// Most lines sent in one call; more follow at once in another.
const LINES_PER_CALL: usize = 200;
/// Longest topic kept, in characters.
const TOPIC_CHARS: usize = 200;

impl Conversation {
    /// After an event was stored: the search's deadline, unless it is set
    /// already (`INDEX_AFTER_S`, 3 s by default). Failures are logged: the
    /// next change sets it again.
    pub(super) async fn index_soon(&self) {
        if !self.changed.take() || self.index_due.get() || !self.open.get() {
            return;
        }
        let set = self.index_at(now_ms() + self.index_after_ms());
        match set {
            Ok(()) => match self.arm().await {
                Ok(()) => self.index_due.set(true),
                Err(e) => worker::console_error!("search deadline: {}", e.message),
            },
            Err(e) => worker::console_error!("search deadline: {}", e.message),
        }
    }

    pub(super) fn index_after_ms(&self) -> i64 {
        deadlines::seconds_var(&self.env, "INDEX_AFTER_S", 3) * 1000
    }

    /// The search's deadline at `at_ms`, or earlier if it is set earlier
    /// already (the caller arms the alarm).
    pub(super) fn index_at(&self, at_ms: i64) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT INTO deadlines (kind, at_ms) VALUES (?1, ?2)
             ON CONFLICT (kind) DO UPDATE SET at_ms = MIN(at_ms, excluded.at_ms)",
            vec![INDEX.into(), at_ms.into()],
        )?;
        Ok(())
    }

    /// Sends the summary and the new lines. Nothing for a conversation in
    /// which the visitor has not written nor asked for a person yet.
    pub(super) async fn index_for_search(&self) -> EdgeResult<()> {
        self.index_due.set(false);
        let meta = self.existing()?;
        let from = self.mark(Mark::Indexed)?;
        let events = self.events_after(from, LINES_PER_CALL)?;
        let Some(last) = events.last().map(|e| (e.seq, e.at_ms)) else {
            return Ok(());
        };
        // More events than one call carries: the rest right after.
        let more = events.len() == LINES_PER_CALL;
        let packet: Option<HandoffPacket> = self
            .handoff()?
            .and_then(|h| serde_json::from_str(&h.packet).ok());
        let first_words = self.first_words()?;
        if first_words.is_none() && packet.is_none() {
            return Ok(());
        }
        let lines = events
            .into_iter()
            .filter_map(|e| match e.body {
                EventBody::Message(m) => {
                    let who = match m.author {
                        Author::Visitor => "visitor".to_string(),
                        Author::Ai => "ai".to_string(),
                        Author::Agent { name } => name,
                        Author::System => return None,
                    };
                    Some(IndexLine {
                        seq: e.seq,
                        who,
                        text: m.text,
                    })
                }
                _ => None,
            })
            .collect::<Vec<_>>();
        let topic = packet
            .as_ref()
            .and_then(|p| {
                p.summary
                    .open
                    .first()
                    .cloned()
                    .or(Some(p.summary.wants.clone()))
            })
            .filter(|t| !t.trim().is_empty())
            .or(first_words)
            .map(|t| shared::search::cut(&t, TOPIC_CHARS));
        let index = inbox::Index {
            conversation_id: meta.conversation_id.clone(),
            follows: meta.follows.clone(),
            visitor_name: meta.visitor_name.clone(),
            verified: meta.verified(),
            topic,
            state: self.state()?,
            created_ms: meta.created_ms,
            last_ms: last.1,
            // Its reasons: the rest of it is the transcript's own words.
            packet: packet.map(|p| p.reasons.join("\n")),
            lines,
        };
        inbox::call(&self.env, &meta.site, index).await?;
        self.set_mark(Mark::Indexed, last.0)?;
        if more {
            self.index_at(now_ms())?;
        }
        Ok(())
    }

    /// The visitor's first message, as the policy kept it.
    fn first_words(&self) -> EdgeResult<Option<String>> {
        #[derive(Deserialize)]
        struct Text {
            text: String,
        }
        Ok(self
            .sql()
            .exec("SELECT text FROM turns ORDER BY seq LIMIT 1", None)?
            .to_array::<Text>()?
            .into_iter()
            .next()
            .map(|t| t.text))
    }

    /// Everything known about this conversation's visitor, for an agent
    /// who may read it.
    pub(super) async fn visitor_profile(&self, agent: &AgentProfile) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let ask = inbox::Profile {
            conversation_id: meta.conversation_id.clone(),
            site: meta.site.clone(),
            follows: meta.follows.clone(),
            visitor_name: meta.visitor_name.clone(),
            verified: meta.verified(),
            agent: agent.clone(),
        };
        http::json_response(&inbox::call(&self.env, &meta.site, ask).await?, 200)
    }
}
