//! Photos in the conversation: one from the visitor (with their secret) or
//! from the agent who has the conversation, checked and cleaned by
//! `shared::photo`, stored in R2 (`crate::photos`), and added to the
//! transcript as a message. Links to them are signed each time events are
//! read for someone allowed to see them.

use super::Conversation;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{self, now_ms};
use crate::photos;
use serde::{Deserialize, Serialize};
use shared::analysis::Language;
use shared::photo::{
    self, PhotoVariant, MAX_PHOTOS_PER_CONVERSATION, MAX_PHOTO_BYTES, MAX_THUMB_BYTES,
};
use shared::protocol::{
    AgentProfile, Author, ConversationState, ErrorCode, Event, EventBody, Message, Photo, Seq,
    ServerFrame,
};
use std::cell::Cell;
use std::collections::HashSet;
use uuid::Uuid;
use worker::{FormEntry, Request, Response};

/// A conversation's photos: what each is, and the message that shows it.
pub(super) const PHOTOS: &str = "CREATE TABLE IF NOT EXISTS photos (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    thumb_bytes INTEGER NOT NULL)";

/// A row of `photos`, as the export lists it (`thumb_bytes` 0: none).
#[derive(Serialize, Deserialize)]
pub(super) struct PhotoRow {
    pub id: String,
    pub seq: i64,
    pub media_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub thumb_bytes: i64,
}

/// What an upload answers: the photo's event.
#[derive(Serialize)]
struct Stored {
    seq: Seq,
}

/// An upload's form: `photo` (the file), `thumb` (a small copy the sender's
/// browser made, optional), `client_id` (as for messages: sending twice
/// stores once) and `alt` (a description, optional).
struct Upload {
    photo: Vec<u8>,
    thumb: Option<Vec<u8>>,
    client_id: Uuid,
    alt: String,
}

impl Upload {
    async fn read(req: &mut Request) -> EdgeResult<Upload> {
        let form = req
            .form_data()
            .await
            .map_err(|_| malformed("Send the photo as a form (multipart/form-data)."))?;
        let photo = match form.get("photo") {
            Some(FormEntry::File(file)) if file.size() > MAX_PHOTO_BYTES => {
                return Err(photo::PhotoError::TooLarge.into())
            }
            Some(FormEntry::File(file)) => file.bytes().await?,
            _ => return Err(malformed("Send the photo as the form's `photo` file.")),
        };
        let thumb = match form.get("thumb") {
            Some(FormEntry::File(file)) if file.size() <= MAX_THUMB_BYTES => {
                Some(file.bytes().await?)
            }
            _ => None,
        };
        let client_id = form
            .get_field("client_id")
            .and_then(|id| Uuid::parse_str(&id).ok())
            .ok_or_else(|| malformed("Send a `client_id` (a UUID) with the photo."))?;
        let alt = match form.get_field("alt").filter(|a| !a.trim().is_empty()) {
            Some(alt) => shared::text::sanitize_message(&alt)?,
            None => String::new(),
        };
        Ok(Upload {
            photo,
            thumb,
            client_id,
            alt,
        })
    }
}

/// The conversation's one upload under way; freed when dropped, whatever
/// way the upload ends.
struct UploadSlot<'a>(&'a Cell<bool>);

impl Drop for UploadSlot<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

fn malformed(message: &str) -> EdgeError {
    EdgeError::new(ErrorCode::Malformed, message)
}

#[derive(Deserialize)]
struct Usage {
    photos: i64,
    bytes: i64,
}

impl Conversation {
    /// `POST …/conversations/{id}/photos` with the visitor's secret.
    pub(super) async fn visitor_photo(&self, mut req: Request) -> EdgeResult<Response> {
        let meta = self.authorized(&req)?;
        shared::lifecycle::accept_visitor_message(self.state()?)?;
        photos::take_limits(&self.env, &meta.site, &meta.conversation_id).await?;
        let _slot = self.upload_slot()?;
        let upload = Upload::read(&mut req).await?;
        if !self.message_rate.borrow_mut().take(now_ms()) {
            return Err(EdgeError::rate_limited(
                "Too many messages at once. Please wait a moment and send it again.",
                10,
            ));
        }
        self.store_photo(Author::Visitor, upload).await
    }

    /// `POST …/agent/conversations/{id}/photos` from the agent who has it.
    pub(super) async fn agent_photo(
        &self,
        agent: &AgentProfile,
        mut req: Request,
    ) -> EdgeResult<Response> {
        let assigned = self.handoff()?.and_then(|h| h.assignee_id) == Some(agent.id.clone());
        if self.state()? != ConversationState::WithPerson || !assigned {
            return Err(EdgeError::new(
                ErrorCode::WrongState,
                "Claim the conversation before sending a photo.",
            ));
        }
        let meta = self.existing()?;
        photos::take_limits(&self.env, &meta.site, &meta.conversation_id).await?;
        let _slot = self.upload_slot()?;
        let upload = Upload::read(&mut req).await?;
        let author = Author::Agent {
            name: agent.name.clone(),
        };
        self.store_photo(author, upload).await
    }

    /// One upload at a time, taken before its body is read: the checks in
    /// `store_photo` hold across its awaits on R2, and a conversation never
    /// holds several 10 MB bodies at once.
    fn upload_slot(&self) -> EdgeResult<UploadSlot<'_>> {
        if self.uploading.replace(true) {
            return Err(EdgeError::rate_limited(
                "A photo is still being sent. Please wait a moment and send it again.",
                5,
            ));
        }
        Ok(UploadSlot(&self.uploading))
    }

    async fn store_photo(&self, author: Author, upload: Upload) -> EdgeResult<Response> {
        let visitor = author == Author::Visitor;
        let Upload {
            photo,
            thumb,
            client_id,
            alt,
        } = upload;
        if let Some(seq) = self.seq_of(client_id)? {
            return http::json_response(&Stored { seq }, 200); // sent twice
        }
        let clean = photo::clean(&photo)?;
        drop(photo);
        // A thumbnail that is not a small photo is dropped; the photo shows.
        let thumb = thumb
            .as_deref()
            .and_then(|t| photo::clean_thumbnail(t).ok());
        let thumb_bytes = thumb.as_ref().map_or(0, |t| t.bytes.len() as u64);
        let usage: Vec<Usage> = self
            .sql()
            .exec(
                "SELECT COUNT(*) AS photos, COALESCE(SUM(bytes + thumb_bytes), 0) AS bytes FROM photos",
                None,
            )?
            .to_array()?;
        let (count, bytes) = usage.first().map_or((0, 0), |u| (u.photos, u.bytes));
        let total = bytes as u64 + clean.bytes.len() as u64 + thumb_bytes;
        if count as usize >= MAX_PHOTOS_PER_CONVERSATION
            || total > photo::MAX_PHOTO_BYTES_PER_CONVERSATION
        {
            return Err(EdgeError::new(
                ErrorCode::PhotoLimit,
                "This conversation holds as many photos as it can.",
            ));
        }
        let meta = self.existing()?;
        let conversation = meta.conversation_id.as_str();
        let id = Uuid::new_v4().simple().to_string();
        let mut row = PhotoRow {
            id: id.clone(),
            seq: 0, // its message's, once stored
            media_type: clean.image_type.media_type().into(),
            width: clean.width.into(),
            height: clean.height.into(),
            bytes: clean.bytes.len() as i64,
            thumb_bytes: thumb_bytes as i64,
        };
        // Files first: a message never points at a file that is not there.
        // A file whose message failed is removed with the conversation.
        photos::put(&self.env, conversation, &id, PhotoVariant::Full, clean).await?;
        if let Some(thumb) = thumb {
            photos::put(&self.env, conversation, &id, PhotoVariant::Thumb, thumb).await?;
        }
        if !self.opened()? {
            // Erased while the files were stored: they go too.
            photos::delete_all(&self.env, conversation).await?;
            return Err(EdgeError::not_found());
        }
        let message = Message {
            photo: Some(Photo {
                id: id.clone(),
                links: None,
            }),
            ..Message::plain(author, alt, Some(client_id))
        };
        let mut event = self.append(Some(client_id), EventBody::Message(message))?;
        row.seq = event.seq as i64;
        self.sql().exec(
            "INSERT INTO photos (id, seq, media_type, width, height, bytes, thumb_bytes)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                row.id.into(),
                row.seq.into(),
                row.media_type.into(),
                row.width.into(),
                row.height.into(),
                row.bytes.into(),
                row.thumb_bytes.into(),
            ],
        )?;
        let seq = event.seq;
        self.sign_photos(std::slice::from_mut(&mut event))?;
        self.broadcast(&ServerFrame::Event(event));
        // The AI cannot look at it: it says so, and who can.
        if visitor && self.state()? == ConversationState::Bot {
            let language = meta
                .locale
                .as_deref()
                .and_then(Language::parse)
                .unwrap_or(Language::English);
            let reply = shared::assistant::photo_reply(language);
            self.append_and_broadcast(None, EventBody::Message(reply))?;
        }
        http::json_response(&Stored { seq }, 201)
    }

    /// Events as the visitor or the conversation's agents read them: photos
    /// with fresh links.
    pub(super) fn events_for_reader(&self, after: Seq, limit: usize) -> EdgeResult<Vec<Event>> {
        let mut events = self.events_after(after, limit)?;
        self.sign_photos(&mut events)?;
        Ok(events)
    }

    /// Fresh links in the events that carry a photo.
    pub(super) fn sign_photos(&self, events: &mut [Event]) -> EdgeResult<()> {
        let has_photo = |e: &Event| matches!(&e.body, EventBody::Message(m) if m.photo.is_some());
        if !events.iter().any(has_photo) {
            return Ok(());
        }
        let conversation = self.existing()?.conversation_id.clone();
        let with_thumb: HashSet<String> = self
            .photos()?
            .into_iter()
            .filter(|p| p.thumb_bytes > 0)
            .map(|p| p.id)
            .collect();
        for event in events {
            if let EventBody::Message(Message {
                photo: Some(photo), ..
            }) = &mut event.body
            {
                let thumb = with_thumb.contains(&photo.id);
                photo.links = photos::links(&self.env, &conversation, &photo.id, thumb);
            }
        }
        Ok(())
    }

    /// The conversation's photos, oldest first.
    pub(super) fn photos(&self) -> EdgeResult<Vec<PhotoRow>> {
        Ok(self
            .sql()
            .exec("SELECT * FROM photos ORDER BY seq", None)?
            .to_array()?)
    }
}
