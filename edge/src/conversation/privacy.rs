//! The visitor's rights over the conversation (GDPR): erasure (Art. 17) by
//! the visitor, an agent or the retention period, and export (Art. 15),
//! photos included.

use super::store::MetaRow;
use super::Conversation;
use crate::error::EdgeResult;
use crate::http;
use crate::inbox;
use serde::Serialize;
use shared::handoff::HandoffPacket;
use shared::protocol::{AgentProfile, Event, Note};
use worker::{Request, Response};

/// Everything stored about a conversation, for an access request.
#[derive(Serialize)]
struct Export {
    conversation_id: String,
    site: String,
    locale: Option<String>,
    page_url: Option<String>,
    created_ms: i64,
    disclosure_version: Option<i64>,
    follows: Option<String>,
    visitor_name: Option<String>,
    verified: Option<shared::identity::VerifiedVisitor>,
    /// Photo messages carry links valid for `PHOTO_LINK_TTL_S`.
    transcript: Vec<Event>,
    /// What each photo is (its type, size in pixels and bytes).
    photos: Vec<super::photos::PhotoRow>,
    notes: Vec<Note>,
    handoff: Option<HandoffPacket>,
}

impl Conversation {
    /// The visitor erases the conversation with its secret.
    pub(super) async fn erase(&self, req: &Request) -> EdgeResult<Response> {
        let meta = self.authorized(req)?;
        self.erase_all(&meta, "the visitor").await
    }

    /// An agent erases the conversation (a visitor's erasure request).
    pub(super) async fn erase_by_agent(&self, agent: &AgentProfile) -> EdgeResult<Response> {
        let meta = self.existing()?;
        self.erase_all(&meta, &format!("agent {} ({})", agent.name, agent.id))
            .await
    }

    /// Closes every socket, deletes all of the object's storage, and has the
    /// site's inbox forget it (queue entry, e-mail tickets; its metrics row
    /// is kept without the id). Afterwards it reads as one that never existed.
    pub(super) async fn erase_all(&self, meta: &MetaRow, by: &str) -> EdgeResult<Response> {
        self.erase_storage().await?;
        let forget = inbox::Forget {
            conversation_id: meta.conversation_id.clone(),
            by: by.to_string(),
        };
        inbox::tell(&self.env, &meta.site, forget).await;
        Ok(Response::empty()?.with_status(204))
    }

    /// Removes its photos, closes every socket and deletes all of the
    /// object's storage. No tables again: the object reads as one that
    /// never existed, and later requests create nothing.
    pub(super) async fn erase_storage(&self) -> EdgeResult<()> {
        // Photos first: if removing them fails, nothing is erased yet and
        // the erasure can be tried again.
        if let Ok(meta) = self.existing() {
            crate::photos::delete_all(&self.env, &meta.conversation_id).await?;
        }
        for ws in self.state.get_websockets() {
            let _ = ws.close(Some(4404), Some("conversation erased"));
        }
        let _ = self.state.storage().delete_alarm().await;
        self.state.storage().delete_all().await?;
        self.open.set(false);
        self.record.take();
        self.config.take();
        self.current.take();
        Ok(())
    }

    /// Everything stored about the conversation, for a visitor's access
    /// request: its record, transcript, notes and packet.
    pub(super) fn export(&self) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let handoff = self
            .handoff()?
            .and_then(|h| serde_json::from_str(&h.packet).ok());
        let verified = meta.verified();
        let export = Export {
            conversation_id: meta.conversation_id.clone(),
            site: meta.site.clone(),
            locale: meta.locale.clone(),
            page_url: meta.page_url.clone(),
            created_ms: meta.created_ms,
            disclosure_version: meta.disclosure_version,
            follows: meta.follows.clone(),
            verified,
            visitor_name: meta.visitor_name.clone(),
            transcript: self.events_for_reader(0, usize::MAX >> 1)?,
            photos: self.photos()?,
            notes: self.notes()?,
            handoff,
        };
        http::json_response(&export, 200)
    }
}
