//! The live conversation: one WebSocket to the conversation's Durable
//! Object, reconnected with exponential backoff and full jitter, feeding the
//! shared [`Transcript`] (which handles order, gaps and the outbox).

use crate::api::{self, ApiFailure, Session};
use leptos::prelude::*;
use shared::protocol::{
    Author, ClientFrame, ConversationState, CreateConversation, ErrorCode, EventBody, FollowUp,
    Seq, ServerFrame,
};
use shared::transcript::{Transcript, ACK_TIMEOUT_MS};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// Connection state shown to the visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Online,
    /// Lost; the next attempt is scheduled.
    Offline,
    /// Not connected on purpose (the conversation was erased); the next
    /// message starts a new one.
    Idle,
    /// A preview of the branding in the panel: never connects, so it
    /// creates no conversation.
    Preview,
}

/// Where the chat runs, from the frame's address.
#[derive(Debug, Clone)]
pub struct Place {
    pub site: String,
    /// What this browser keeps the conversation under: the site, or for a
    /// signed-in visitor the site and a key of theirs (from the edge).
    pub store: String,
    /// The signed identity the edge verified for this frame.
    pub identity: Option<String>,
    pub locale: Option<String>,
    pub page_url: Option<String>,
    /// The visitor's name, if the host site gave one.
    pub visitor_name: Option<String>,
    /// The site lets its page's `message` events carry the text.
    pub event_text: bool,
}

/// Everything the visitor sees of the conversation, as one value: the
/// view draws it from one effect, so one signal is all it needs.
pub struct Shown {
    pub transcript: Transcript,
    pub link: Link,
    /// Resolved conversations the visitor moved on from, still readable:
    /// each event with its conversation's number (0, 1, …).
    pub archive: Vec<(u32, shared::protocol::Event)>,
    /// The name of the person typing right now.
    pub typing: Option<String>,
    /// The edge refused an action that was not a message (e.g. an e-mail
    /// address): its code and message.
    pub problem: Option<(ErrorCode, String)>,
    /// When the last place in line (with its expected wait) arrived.
    pub queue_since_ms: i64,
}

/// A cheap, cloneable handle on the conversation.
#[derive(Clone)]
pub struct Chat {
    pub shown: RwSignal<Shown>,
    inner: Rc<Inner>,
}

struct Inner {
    place: Place,
    session: RefCell<Option<Session>>,
    socket: RefCell<Option<Socket>>,
    attempts: Cell<u32>,
    /// Set while idle: pending reconnects do nothing.
    stopped: Cell<bool>,
    /// When the visitor's typing was last announced (ms), to send it at
    /// most every few seconds.
    typing_sent_ms: Cell<f64>,
    /// Counts typing notices, so only the latest one's time-out clears it.
    typing_seen: Cell<u32>,
    /// "Talk to a person" was pressed while not connected: ask on connect.
    person_requested: Cell<bool>,
    /// Photos picked before there was a conversation: sent on connect.
    photos: RefCell<Vec<web_sys::File>>,
    /// The resolved conversation the next one follows (linked at the edge).
    follows: RefCell<Option<Session>>,
    /// The newest event stored when the socket opened: later ones are
    /// live, and the host page hears of them (`host::tell`).
    live_after: Cell<Seq>,
}

/// A socket with the callbacks it owns, dropped together.
struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

impl Chat {
    pub fn new(place: Place) -> Self {
        Self {
            shown: RwSignal::new(Shown {
                transcript: Transcript::new(),
                link: Link::Connecting,
                archive: Vec::new(),
                typing: None,
                problem: None,
                queue_since_ms: 0,
            }),
            inner: Rc::new(Inner {
                typing_sent_ms: Cell::new(0.0),
                typing_seen: Cell::new(0),
                person_requested: Cell::new(false),
                photos: RefCell::default(),
                follows: RefCell::new(None),
                live_after: Cell::new(Seq::MAX),
                place,
                session: RefCell::new(None),
                socket: RefCell::new(None),
                attempts: Cell::new(0),
                stopped: Cell::new(false),
            }),
        }
    }

    fn change<R>(&self, f: impl FnOnce(&mut Shown) -> R) -> Option<R> {
        self.shown.try_update(f)
    }

    fn read<R>(&self, f: impl FnOnce(&Shown) -> R) -> R {
        self.shown.with_untracked(f)
    }

    /// Starts (or restarts) the connection.
    pub fn connect(&self) {
        if self.inner.stopped.get() {
            return;
        }
        let chat = self.clone();
        leptos::task::spawn_local(async move {
            if let Err(failure) = chat.open_socket().await {
                if failure.code() == Some(ErrorCode::NotFound) {
                    // The conversation is gone (erased, or a reset edge):
                    // start a new one rather than retrying forever.
                    api::forget_session(&chat.inner.place.store);
                    *chat.inner.session.borrow_mut() = None;
                }
                chat.schedule_reconnect();
            }
        });
    }

    /// Queues a message; it is sent now if connected, else after reconnecting.
    /// After a resolution it starts a new conversation; the old one stays
    /// on screen to read.
    /// What the visitor says goes to the edge; in the panel's preview, to
    /// the panel, which answers with the frames the edge would send (the
    /// question, the draft knowledge base's answer).
    pub fn say(&self, text: String) {
        if self.read(|s| s.link == Link::Preview) {
            let lang = crate::i18n::lang();
            return crate::host::ask_panel(&text, lang);
        }
        self.send(text);
    }

    fn send(&self, text: String) {
        self.start_anew_if_resolved();
        if self.inner.stopped.replace(false) {
            self.connect();
        }
        let frame = self.change(|s| s.transcript.queue(uuid::Uuid::new_v4(), text, now_ms()));
        if let Some(frame) = frame {
            self.send_frame(&frame);
            self.watch_ack();
        }
    }

    /// Sends a photo (`photo.js`, loaded with the first one, checks it,
    /// makes its thumbnail, posts it and says how it went under the
    /// composer); it comes back as an event like any message. Without a
    /// conversation yet, it goes once the socket opens (which makes one).
    pub fn send_photo(&self, file: web_sys::File) {
        if self.read(|s| s.link == Link::Preview) {
            return; // the panel's preview has no conversation to hold it
        }
        self.start_anew_if_resolved();
        self.inner.photos.borrow_mut().push(file);
        if self.inner.stopped.replace(false) {
            self.connect();
        }
        self.send_waiting_photo();
    }

    fn send_waiting_photo(&self) {
        let Some(session) = self.inner.session.borrow().clone() else {
            return;
        };
        let url = format!("/api/v1/conversations/{}/photos", session.conversation_id);
        let t = crate::i18n::strings();
        let (lang, failed) = t.map_or(("en", ""), |t| (t.lang, t.photo_failed));
        let status = crate::dom::by_id("composer-problem");
        // photo.js sends them one after another, in the order picked.
        for file in self.inner.photos.take() {
            let _ = send_photo(&file, &url, &session.secret, lang, status.as_ref(), failed);
        }
    }

    /// One frame from the edge (or, in the panel's preview, from the
    /// panel, answering from the draft knowledge base).
    pub fn receive(&self, text: &str) {
        let Some(frame) = crate::json::decode::<ServerFrame>(text) else {
            return;
        };
        match &frame {
            ServerFrame::Welcome { last_seq, .. } => self.inner.live_after.set(*last_seq),
            ServerFrame::Typing {
                author: Author::Agent { name },
            } => return self.on_typing(name.clone()),
            ServerFrame::Event(e) => {
                if e.seq > self.inner.live_after.get() {
                    crate::host::tell(&e.body, self.inner.place.event_text);
                }
                if matches!(e.body, EventBody::Message(_)) {
                    self.change(|s| s.typing = None);
                }
            }
            ServerFrame::Error {
                code,
                message,
                client_id: None,
            } => {
                self.change(|s| s.problem = Some((*code, message.clone())));
            }
            ServerFrame::Queue(_) => {
                self.change(|s| s.queue_since_ms = now_ms());
            }
            _ => {}
        }
        let event = matches!(frame, ServerFrame::Event(_));
        if let Some(Some(reply)) = self.change(|s| s.transcript.on_frame(frame)) {
            self.send_frame(&reply);
        }
        // The widget runs only once opened: what reached it was shown
        // (not in the panel's preview, which is no visitor's).
        if let Some(seq) = (event && self.read(|s| s.link != Link::Preview))
            .then(|| self.read(|s| s.transcript.events().last().map(|e| e.seq)))
            .flatten()
        {
            api::save_seen(&self.inner.place.store, seq);
        }
    }

    /// Shows what is still unacknowledged after the time-out as not sent
    /// (it stays in the outbox and is resent on the next connection).
    fn watch_ack(&self) {
        let chat = self.clone();
        set_timeout(
            // Redrawn only if something changed.
            move || chat.shown.maybe_update(|s| s.transcript.time_out(now_ms())),
            Duration::from_millis(ACK_TIMEOUT_MS as u64),
        );
    }

    /// Erases the conversation at the edge and forgets it here. Returns
    /// whether it is gone.
    pub async fn erase(&self) -> bool {
        let Some(session) = self
            .inner
            .session
            .borrow()
            .clone()
            .or_else(|| api::load_session(&self.inner.place.store))
        else {
            return true;
        };
        // Stop first, so the server closing our socket does not reconnect;
        // photos still waiting go with the conversation.
        self.inner.stopped.set(true);
        self.inner.socket.borrow_mut().take();
        self.inner.photos.take();
        match api::erase(&session).await {
            Ok(()) | Err(ApiFailure::Refused(_)) => {
                api::forget_session(&self.inner.place.store);
                *self.inner.session.borrow_mut() = None;
                self.change(|s| {
                    s.transcript = Transcript::new();
                    s.link = Link::Idle;
                });
                true
            }
            Err(ApiFailure::Network) => {
                self.inner.stopped.set(false);
                self.connect();
                false
            }
        }
    }

    /// A resolved conversation never reopens: the old one moves to the
    /// archive (still shown) and a new one starts.
    fn start_anew_if_resolved(&self) {
        if self.read(|s| s.transcript.state()) != ConversationState::Resolved {
            return;
        }
        // The events move, not copied: the transcript starts anew.
        self.change(|s| {
            let n = s.archive.last().map_or(0, |(n, _)| n + 1);
            let old = std::mem::replace(&mut s.transcript, Transcript::new());
            s.archive.extend(old.into_events().map(|e| (n, e)));
        });
        api::forget_session(&self.inner.place.store);
        *self.inner.follows.borrow_mut() = self.inner.session.borrow_mut().take();
        self.inner.socket.borrow_mut().take();
        self.inner.stopped.set(false);
        self.connect();
    }

    /// "Talk to a person". Safe to repeat: the edge changes state once.
    /// Not connected (or just resolved): asked as soon as the socket opens.
    pub fn request_person(&self) {
        self.start_anew_if_resolved();
        if !self.send_frame(&ClientFrame::RequestPerson {}) {
            self.inner.person_requested.set(true);
            if self.inner.stopped.replace(false) {
                self.connect();
            }
        }
    }

    /// Tells a person in the conversation that the visitor is typing, at
    /// most every 3 seconds.
    pub fn typing(&self) {
        let now = js_sys::Date::now();
        if self.read(|s| s.transcript.person().is_some())
            && now - self.inner.typing_sent_ms.get() > 3_000.0
        {
            self.inner.typing_sent_ms.set(now);
            self.send_frame(&ClientFrame::Typing {});
        }
    }

    pub fn leave_contact(&self, email: String, question: String) {
        self.change(|s| s.problem = None);
        self.send_frame(&ClientFrame::LeaveContact { email, question });
    }

    pub fn rate(&self, score: u8, comment: String) {
        self.change(|s| s.problem = None);
        self.send_frame(&ClientFrame::Rate { score, comment });
    }

    /// "Anna is typing…" for five seconds after the last notice.
    fn on_typing(&self, name: String) {
        let n = self.inner.typing_seen.get().wrapping_add(1);
        self.inner.typing_seen.set(n);
        self.change(|s| s.typing = Some(name));
        let chat = self.clone();
        set_timeout(
            move || {
                if chat.inner.typing_seen.get() == n {
                    chat.change(|s| s.typing = None);
                }
            },
            Duration::from_secs(5),
        );
    }

    pub fn retry(&self, client_id: uuid::Uuid) {
        if let Some(Some(frame)) = self.change(|s| s.transcript.retry(client_id, now_ms())) {
            self.send_frame(&frame);
            self.watch_ack();
        }
    }

    async fn open_socket(&self) -> Result<(), ApiFailure> {
        self.change(|s| s.link = Link::Connecting);
        let session = self.session().await?;
        let ticket = api::ticket(&session).await?;
        let url =
            socket_url(&session.conversation_id, &ticket.ticket).ok_or(ApiFailure::Network)?;
        let ws = WebSocket::new(&url).map_err(|_| ApiFailure::Network)?;

        let chat = self.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            chat.inner.attempts.set(0);
            let frames = chat
                .change(|s| {
                    s.link = Link::Online;
                    s.transcript.on_connected(now_ms())
                })
                .unwrap_or_default();
            let resent = frames.len() > 1;
            for frame in frames {
                chat.send_frame(&frame);
            }
            if resent {
                chat.watch_ack();
            }
            if chat.inner.person_requested.replace(false) {
                chat.send_frame(&ClientFrame::RequestPerson {});
            }
            chat.send_waiting_photo();
        });
        let chat = self.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                chat.receive(&text);
            }
        });
        let chat = self.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_| {
            chat.change(|s| s.link = Link::Offline);
            chat.inner.socket.borrow_mut().take();
            chat.schedule_reconnect();
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *self.inner.socket.borrow_mut() = Some(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        });
        Ok(())
    }

    /// The visitor's session, created at the edge on first use.
    async fn session(&self) -> Result<Session, ApiFailure> {
        if let Some(session) = self.inner.session.borrow().clone() {
            return Ok(session);
        }
        let place = &self.inner.place;
        let session = match api::load_session(&place.store) {
            Some(session) => session,
            None => {
                let body = CreateConversation {
                    site: place.site.clone(),
                    locale: place.locale.clone(),
                    page_url: place.page_url.clone(),
                    disclosure_version: Some(shared::disclosure::DISCLOSURE_VERSION),
                    visitor_name: place.visitor_name.clone(),
                    identity: place.identity.clone(),
                    follows: self.inner.follows.borrow().as_ref().map(|s| FollowUp {
                        conversation_id: s.conversation_id.clone(),
                        visitor_secret: s.secret.clone(),
                    }),
                };
                let session = api::create_conversation(&body).await?;
                api::save_session(&place.store, &session);
                self.inner.follows.borrow_mut().take();
                session
            }
        };
        *self.inner.session.borrow_mut() = Some(session.clone());
        Ok(session)
    }

    /// Sends now if connected; returns whether it went out. (Messages are
    /// resent from the outbox on reconnect.)
    fn send_frame(&self, frame: &ClientFrame) -> bool {
        let socket = self.inner.socket.borrow();
        let Some(socket) = socket
            .as_ref()
            .filter(|s| s.ws.ready_state() == WebSocket::OPEN)
        else {
            return false;
        };
        crate::json::encode(frame).is_some_and(|json| socket.ws.send_with_str(&json).is_ok())
    }

    /// Exponential backoff with full jitter, so a restarted edge is not hit
    /// by every visitor at the same instant.
    fn schedule_reconnect(&self) {
        if self.inner.stopped.get() {
            return;
        }
        self.change(|s| s.link = Link::Offline);
        let attempt = self.inner.attempts.get();
        self.inner.attempts.set(attempt.saturating_add(1));
        let delay = shared::backoff::RECONNECT.delay_ms(attempt, js_sys::Math::random());
        let chat = self.clone();
        set_timeout(move || chat.connect(), Duration::from_millis(delay));
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// In `boot.js`: loads `photo.js` and sends the photo.
    #[wasm_bindgen(js_namespace = window, js_name = chatSendPhoto)]
    fn send_photo(
        file: &web_sys::File,
        url: &str,
        secret: &str,
        lang: &str,
        status: Option<&web_sys::Element>,
        failed: &str,
    ) -> js_sys::Promise;
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

fn socket_url(conversation_id: &str, ticket: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let host = location.host().ok()?;
    let ticket = js_sys::encode_uri_component(ticket).as_string()?;
    Some(format!(
        "{scheme}://{host}/api/v1/conversations/{conversation_id}/ws?ticket={ticket}"
    ))
}
