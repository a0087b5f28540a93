//! The visitor's side: opening the conversation, the secret and the socket
//! ticket, messages with the AI's answer, the e-mail path, the rating.

use super::deadlines::{unused_after_ms, AWAY, RETENTION, UNUSED};
use super::store::SCHEMA;
use super::store::{refuse, send, Mark, MetaRow, SeqRow};
use super::{Conversation, Init, Owner, QueuePlace, Role};
use crate::credentials;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{self, now_ms};
use crate::inbox;
use shared::analysis::Analysis;
use shared::assistant;
use shared::escalation::{self, PastTurn};
use shared::handoff;
use shared::lifecycle;
use shared::protocol::{
    Author, ConversationState, DisclosureRecord, ErrorCode, EventBody, Message, Seq, ServerFrame,
    TicketIssued, MAX_REPLAY_EVENTS, PROTOCOL_VERSION, TICKET_TTL_MS,
};
use shared::team::RouteHints;
use shared::text::{clean_message, sanitize_message, valid_email};
use std::rc::Rc;
use uuid::Uuid;
use worker::{Request, Response, WebSocket, WebSocketPair};

/// Longest rating comment kept, in bytes.
const MAX_COMMENT_BYTES: usize = 1_000;
/// Socket tickets outstanding at once (one per tab that is connecting).
const MAX_TICKETS: i64 = 5;
/// A visitor's typing notices reach agents at most this often.
const VISITOR_TYPING_EVERY_MS: i64 = 1_500;

impl Conversation {
    /// Creates the conversation's tables and record: the only request that
    /// creates storage, and only the worker makes it, with a new id.
    pub(super) async fn init(&self, init: Init) -> EdgeResult<()> {
        if self.opened()? {
            return Err(EdgeError::new(
                ErrorCode::Internal,
                "conversation exists already",
            ));
        }
        SCHEMA.create_new(&self.sql())?;
        self.open.set(true);
        let now = now_ms();
        self.sql().exec(
            "INSERT INTO meta (id, conversation_id, site, locale, page_url, secret_hash, created_ms, disclosure_version, follows, kb_version, visitor_name, config, verified)
             VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                init.conversation_id.into(),
                init.site.into(),
                init.locale.into(),
                init.page_url.into(),
                init.secret_hash.into(),
                now.into(),
                i64::from(init.disclosure_version).into(),
                init.follows.into(),
                init.kb_version.into(),
                init.visitor_name.into(),
                init.config.as_ref().map(serde_json::to_string).transpose()?.into(),
                init.verified.as_ref().map(serde_json::to_string).transpose()?.into(),
            ],
        )?;
        // A conversation the visitor never writes in is not kept.
        let mut deadlines = vec![(UNUSED, now + unused_after_ms(&self.env))];
        if let Some(keep_ms) = init.config.and_then(|c| c.retention_ms()) {
            deadlines.push((RETENTION, now + keep_ms));
        }
        self.set_deadlines(&deadlines).await
    }

    /// The site, if `secret` is this conversation's visitor's.
    pub(super) fn owner(&self, c: &Owner) -> EdgeResult<String> {
        let meta = self.existing()?;
        if self.is_visitor_secret(&c.secret, &meta)? {
            Ok(meta.site.clone())
        } else {
            Err(EdgeError::not_found())
        }
    }

    /// The conversation, if the request carries its visitor's secret.
    pub(super) fn authorized(&self, req: &Request) -> EdgeResult<Rc<MetaRow>> {
        let secret = http::bearer(req).ok_or_else(|| {
            EdgeError::new(
                ErrorCode::Unauthorized,
                "Send the visitor secret as a bearer token.",
            )
        })?;
        let meta = self.existing()?;
        if !self.is_visitor_secret(&secret, &meta)? {
            return Err(EdgeError::not_found());
        }
        Ok(meta)
    }

    /// Exchanges the visitor's secret for a single-use WebSocket ticket; a
    /// few may be outstanding at once (tabs), not more.
    pub(super) fn issue_ticket(&self, req: &Request) -> EdgeResult<Response> {
        self.authorized(req)?;
        let now = now_ms();
        let ticket = credentials::new_secret();
        let sql = self.sql();
        sql.exec(
            "DELETE FROM tickets WHERE expires_ms <= ?",
            vec![now.into()],
        )?;
        let outstanding: Vec<SeqRow> = sql
            .exec("SELECT COUNT(*) AS seq FROM tickets", None)?
            .to_array()?;
        if outstanding.first().is_some_and(|r| r.seq >= MAX_TICKETS) {
            return Err(EdgeError::rate_limited(
                "Too many connection attempts at once. Please wait a minute.",
                (TICKET_TTL_MS / 1000) as u32,
            ));
        }
        sql.exec(
            "INSERT INTO tickets (ticket_hash, expires_ms) VALUES (?, ?)",
            vec![
                credentials::hash(&ticket).into(),
                (now + TICKET_TTL_MS).into(),
            ],
        )?;
        http::json_response(
            &TicketIssued {
                ticket,
                expires_in_ms: TICKET_TTL_MS,
            },
            200,
        )
    }

    /// Opens a visitor socket if the request carries a valid, unused ticket
    /// (a waiting visitor who is back is no longer away).
    pub(super) fn accept_socket(&self, req: &Request) -> EdgeResult<Response> {
        let ticket = http::query(req, "ticket")?.ok_or_else(|| {
            EdgeError::new(ErrorCode::Unauthorized, "A ticket is needed to connect.")
        })?;
        self.existing()?;
        let used: Vec<SeqRow> = self
            .sql()
            .exec(
                "DELETE FROM tickets WHERE ticket_hash = ? AND expires_ms > ? RETURNING 1 AS seq",
                vec![credentials::hash(&ticket).into(), now_ms().into()],
            )?
            .to_array()?;
        if used.is_empty() {
            return Err(EdgeError::not_found());
        }
        self.sql()
            .exec("DELETE FROM deadlines WHERE kind = ?", vec![AWAY.into()])?;
        self.accept(Role::Visitor, "visitor")
    }

    pub(super) fn accept(&self, role: Role, tag: &str) -> EdgeResult<Response> {
        let pair = WebSocketPair::new()?;
        self.state.accept_websocket_with_tags(&pair.server, &[tag]);
        pair.server.serialize_attachment(&role)?;
        Ok(Response::from_websocket(pair.client)?)
    }

    /// `welcome`, then every event after `after` (bounded), then the place
    /// in the queue while waiting. A visitor has now seen all of it (the
    /// launcher's unread count starts again from here).
    pub(super) fn replay(&self, ws: &WebSocket, after: Seq, visitor: bool) -> EdgeResult<()> {
        let meta = self.existing()?;
        let events = self.events_for_reader(after, MAX_REPLAY_EVENTS)?;
        let replay_until = events.last().map_or(after, |e| e.seq);
        let last_seq = self.last_seq()?;
        let disclosure = meta.disclosure_version.map(|version| DisclosureRecord {
            version: version as u32,
            shown_at_ms: meta.created_ms,
        });
        let welcome = ServerFrame::Welcome {
            v: PROTOCOL_VERSION,
            conversation_id: meta.conversation_id.clone(),
            last_seq,
            replay_until,
            disclosure,
        };
        send(ws, &welcome);
        if visitor {
            self.mark_seen()?;
        }
        for event in events {
            send(ws, &ServerFrame::Event(event));
        }
        if self.state()? == ConversationState::WaitingForPerson {
            if let Some(status) = self.stored_queue_status()? {
                send(ws, &ServerFrame::Queue(status));
            }
        }
        if visitor {
            let seq = self.mark(Mark::ReadByAgent)?;
            if seq > 0 {
                send(ws, &ServerFrame::Seen { seq });
            }
        }
        Ok(())
    }

    /// Typing notices pass between the roles, unstored: the visitor's at
    /// most every 1.5 s, an agent's only from the one who has the
    /// conversation.
    pub(super) fn relay_typing(&self, role: Role) -> EdgeResult<()> {
        let (author, to) = match role {
            Role::Visitor => {
                let now = now_ms();
                if now - self.visitor_typing_ms.get() < VISITOR_TYPING_EVERY_MS {
                    return Ok(());
                }
                self.visitor_typing_ms.set(now);
                (Author::Visitor, "agent")
            }
            Role::Agent { id, name, .. } => {
                if !self.is_with(&id)? {
                    return Err(EdgeError::new(
                        ErrorCode::WrongState,
                        "Claim the conversation before typing.",
                    ));
                }
                (Author::Agent { name }, "visitor")
            }
        };
        self.send_to(to, &ServerFrame::Typing { author });
        Ok(())
    }

    pub(super) async fn visitor_message(
        &self,
        ws: &WebSocket,
        client_id: Uuid,
        raw: &str,
    ) -> EdgeResult<()> {
        let Some(text) = self.new_message_text(ws, client_id, raw)? else {
            return Ok(());
        };
        // The index may have to be fetched (first message in this isolate):
        // done before anything is stored, so the visitor's message and the
        // AI's answer are stored in one turn and a crash cannot split them.
        let meta = self.existing()?;
        let (faq, language) = self.knowledge(&meta).await;
        if let Some(seq) = self.seq_of(client_id)? {
            // Stored by a resend while the index loaded.
            send(ws, &ServerFrame::Ack { client_id, seq });
            return Ok(());
        }
        let state = self.state()?;
        if let Err(refusal) = lifecycle::accept_visitor_message(state) {
            refuse(ws, client_id, refusal.into());
            return Ok(());
        }
        if !self.message_rate.borrow_mut().take(now_ms()) {
            let limited = EdgeError::new(
                ErrorCode::RateLimited,
                "Too many messages at once. Please wait a moment and send it again.",
            );
            refuse(ws, client_id, limited);
            return Ok(());
        }
        let visitor = Message::plain(Author::Visitor, text.clone(), Some(client_id));
        let event = self.append(Some(client_id), EventBody::Message(visitor))?;
        send(
            ws,
            &ServerFrame::Ack {
                client_id,
                seq: event.seq,
            },
        );
        let seq = event.seq;
        self.broadcast(&ServerFrame::Event(event));
        if !lifecycle::ai_may_answer(state) {
            return Ok(()); // a person is there: the AI stays silent
        }

        // The one analysis of this message: the disclosure check, FAQ
        // matching and the escalation policy all read it.
        let message = Analysis::new(&text);
        let reading = escalation::read(&message);
        let reply = assistant::reply(&faq, &message, &reading, language);
        let past = self.past_turns()?;
        let entry = reply.entry();
        let decision = (state == ConversationState::Bot).then(|| {
            let config = self.site_config().ok();
            let fallback = escalation::EscalationPolicy::default();
            let policy = config.as_ref().map_or(&fallback, |c| &c.handoff.policy);
            escalation::decide(policy, &past, &reply.turn(&message, &reading))
        });
        let this_turn = match &decision {
            Some(d) => d.past_turn(&message),
            None => PastTurn::new(&message, reply.answered()),
        };
        // The conversation counts from the visitor's first message: the
        // search's update a moment later tells the inbox (`Inbox::index`),
        // which saves a call to it per new conversation.
        self.record_turn(seq, &this_turn)?;
        let Some(decision) = decision.filter(|d| d.hand_off()) else {
            self.ai_answers(&reply.message)?;
            return Ok(());
        };
        let topic = decision.topic.clone();
        let hints = RouteHints {
            entry_id: entry.map(|e| e.id.as_str()),
            entry_tags: entry.map_or(&[], |e| e.tags.as_slice()),
            entry_team: entry.and_then(|e| e.team.as_deref()),
            topic: topic.as_deref(),
        };
        // Asked for a person in words, or not sure and handing over anyway:
        // the hand-off speaks instead of a "did you mean", unless it has
        // nothing to say (outside hours, after the notice): then the AI
        // answers as best it can.
        let speaks_instead =
            decision.trigger == Some(shared::protocol::Trigger::AskedInWords) || !reply.answered();
        if speaks_instead {
            if !self.hand_off(decision, hints).await? {
                self.ai_answers(&reply.message)?;
            }
        } else {
            self.ai_answers(&reply.message)?;
            self.hand_off(decision, hints).await?;
        }
        Ok(())
    }

    /// Stores and sends the AI's answer, unless a person has joined
    /// meanwhile (checked right before storing).
    fn ai_answers(&self, answer: &Message) -> EdgeResult<()> {
        if lifecycle::ai_may_answer(self.state()?) {
            self.append_and_broadcast(None, EventBody::Message(answer.clone()))?;
        }
        Ok(())
    }

    /// The visitor leaves an e-mail address and a question for the team,
    /// once it has been offered.
    pub(super) async fn leave_contact(&self, email: &str, question: &str) -> EdgeResult<()> {
        lifecycle::accept_visitor_message(self.state()?)?;
        if self.last_kind_of(&["contact_offer", "contact"])?.as_deref() != Some("contact_offer") {
            return Err(EdgeError::new(
                ErrorCode::WrongState,
                "Leaving an e-mail address is offered when nobody can answer now.",
            ));
        }
        let email = valid_email(email)?;
        let question = match sanitize_message(question) {
            Ok(q) => q,
            Err(e) if e.code() == ErrorCode::EmptyMessage => {
                handoff::summarize(&self.events_after(0, super::VIEW_EVENTS)?).wants
            }
            Err(e) => return Err(e.into()),
        };
        let meta = self.existing()?;
        let config = self.site_config()?;
        let team = match self.handoff()? {
            Some(h) => h.team,
            None => config
                .handoff
                .teams
                .first()
                .map(|t| t.id.clone())
                .unwrap_or_default(),
        };
        self.append_and_broadcast(
            None,
            EventBody::Contact {
                email: email.clone(),
                question: question.clone(),
            },
        )?;
        let ticket = inbox::Ticket {
            conversation_id: meta.conversation_id.clone(),
            team,
            email,
            question,
        };
        inbox::tell(&self.env, &meta.site, ticket).await;
        Ok(())
    }

    pub(super) async fn rate(&self, score: u8, comment: &str) -> EdgeResult<()> {
        let rated = self.last_kind_of(&["rating"])?.is_some();
        lifecycle::rate(self.state()?, rated, score)?;
        let mut comment = clean_message(comment);
        while comment.len() > MAX_COMMENT_BYTES {
            comment.pop();
        }
        self.append_and_broadcast(None, EventBody::Rating { score, comment })?;
        let meta = self.existing()?;
        let fact = inbox::Fact {
            rating: Some(score),
            ..meta.fact()
        };
        self.report(&meta.site, fact);
        Ok(())
    }

    /// The inbox's word on where the visitor stands; kept for resumes.
    pub(super) fn queue_place(&self, c: QueuePlace) -> EdgeResult<()> {
        if self.state()? == ConversationState::WaitingForPerson {
            self.sql().exec(
                "INSERT OR REPLACE INTO queue_status (id, body) VALUES (1, ?)",
                vec![serde_json::to_string(&c.status)?.into()],
            )?;
            self.send_to("visitor", &ServerFrame::Queue(c.status));
        }
        Ok(())
    }
}
