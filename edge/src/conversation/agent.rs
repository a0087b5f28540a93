//! What agents do in a conversation: open its socket, read the packet and
//! transcript, reply, take internal notes, get FAQ suggestions, hand it
//! back to the AI, resolve it. (Claims and transfers are `handoff.rs`.)

use super::deadlines::CLAIM;
use super::store::{refuse, send, Mark};
use super::{Conversation, Role};
use crate::error::{EdgeError, EdgeResult};
use crate::http::{self, now_ms};
use crate::inbox::{self, TicketStep};
use shared::analysis::Analysis;
use shared::faq::NewEntry;
use shared::handoff::{self, HandoffPacket, HandoffView};
use shared::lifecycle;
use shared::protocol::{
    AgentProfile, Author, ConversationState, ErrorCode, EventBody, Message, Seq, ServerFrame,
    SuggestedReply, TicketReply, MAX_BODY_BYTES,
};
use shared::text::sanitize_message;
use uuid::Uuid;
use worker::{Response, WebSocket};

impl Conversation {
    pub(super) fn accept_agent_socket(
        &self,
        agent: AgentProfile,
        session: String,
    ) -> EdgeResult<Response> {
        self.accept(
            Role::Agent {
                id: agent.id,
                name: agent.name,
                session,
            },
            "agent",
        )
    }

    /// The hand-off packet with the full transcript, for an agent.
    pub(super) fn view(&self) -> EdgeResult<Response> {
        self.existing()?;
        let handoff = self.handoff()?.ok_or_else(|| {
            EdgeError::new(
                ErrorCode::NotFound,
                "This conversation has not been handed to a person.",
            )
        })?;
        let packet: HandoffPacket = serde_json::from_str(&handoff.packet)?;
        let until = handoff.claimed_ms.unwrap_or_else(now_ms);
        let view = HandoffView {
            packet,
            waited_ms: (until - handoff.requested_ms).max(0) as u64,
            transcript: self.events_for_reader(0, super::VIEW_EVENTS)?,
        };
        http::json_response(&view, 200)
    }

    /// The visitor is with this agent now: they claimed the conversation
    /// and have not handed it back or resolved it.
    pub(super) fn is_with(&self, agent_id: &str) -> EdgeResult<bool> {
        let assignee = self.handoff()?.and_then(|h| h.assignee_id);
        Ok(self.state()? == ConversationState::WithPerson && assignee.as_deref() == Some(agent_id))
    }

    /// A read receipt. Only the agent who has the conversation (claimed,
    /// with the visitor now) makes the visitor's "seen"; a colleague
    /// looking in, or a receipt that moves nothing, is quietly dropped, so
    /// panels may send one whenever they show the conversation.
    pub(super) fn agent_read(&self, agent_id: &str, seq: Seq) -> EdgeResult<()> {
        if !self.is_with(agent_id)? {
            return Ok(());
        }
        let seq = seq.min(self.last_seq()?);
        if seq <= self.mark(Mark::ReadByAgent)? {
            return Ok(());
        }
        self.set_mark(Mark::ReadByAgent, seq)?;
        self.send_to("visitor", &ServerFrame::Seen { seq });
        Ok(())
    }

    /// A message from the agent who claimed the conversation.
    pub(super) async fn agent_message(
        &self,
        ws: &WebSocket,
        agent_id: &str,
        name: &str,
        client_id: Uuid,
        raw: &str,
    ) -> EdgeResult<()> {
        let Some(text) = self.new_message_text(ws, client_id, raw)? else {
            return Ok(());
        };
        let handoff = self.handoff()?;
        let assigned = handoff.as_ref().and_then(|h| h.assignee_id.as_deref()) == Some(agent_id);
        if self.state()? != ConversationState::WithPerson || !assigned {
            let unclaimed = EdgeError::new(
                ErrorCode::WrongState,
                "Claim the conversation before replying.",
            );
            refuse(ws, client_id, unclaimed);
            return Ok(());
        }
        let author = Author::Agent {
            name: name.to_string(),
        };
        let message = Message::plain(author, text, Some(client_id));
        let event = self.append(Some(client_id), EventBody::Message(message))?;
        send(
            ws,
            &ServerFrame::Ack {
                client_id,
                seq: event.seq,
            },
        );
        let at = event.at_ms;
        self.broadcast(&ServerFrame::Event(event));
        if handoff.is_some_and(|h| h.first_reply_ms.is_none()) {
            self.sql()
                .exec("UPDATE handoff SET first_reply_ms = ?", vec![at.into()])?;
            let meta = self.existing()?;
            let fact = inbox::Fact {
                first_reply_ms: Some(at),
                ..meta.fact()
            };
            self.report(&meta.site, fact);
        }
        Ok(())
    }

    /// An answer to the question the visitor left for the team: it waits
    /// in the conversation for their return. The inbox records it on the
    /// ticket first (refused if a colleague took it); a person live in the
    /// conversation answers there instead.
    pub(super) async fn ticket_reply(
        &self,
        agent: &AgentProfile,
        mut req: worker::Request,
    ) -> EdgeResult<Response> {
        let origin = req.url()?.origin().ascii_serialization();
        let reply: TicketReply = http::read_json(&mut req, MAX_BODY_BYTES).await?;
        let text = sanitize_message(&reply.text)?;
        if self.last_kind_of(&["contact"])?.is_none() {
            return Err(EdgeError::new(
                ErrorCode::WrongState,
                "This visitor left no question for the team.",
            ));
        }
        if self.state()? == ConversationState::WithPerson {
            return Err(EdgeError::new(
                ErrorCode::WrongState,
                "A person is in this conversation now: answer there.",
            ));
        }
        self.ticket_step(agent, TicketStep::Answered).await?;
        let author = Author::Agent {
            name: agent.name.clone(),
        };
        let event = self.append_and_broadcast(
            None,
            EventBody::Message(Message::plain(author, text.clone(), Some(Uuid::new_v4()))),
        )?;
        self.email_answer(agent, &text, &origin).await?;
        http::json_response(&event, 200)
    }

    /// Takes, records the answer to, or closes the question the visitor
    /// left (the site's inbox keeps the tickets).
    pub(super) async fn ticket_step(
        &self,
        agent: &AgentProfile,
        action: TicketStep,
    ) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let step = inbox::TicketAction {
            conversation_id: meta.conversation_id.clone(),
            site: meta.site.clone(),
            agent: agent.clone(),
            action,
        };
        inbox::call(&self.env, &meta.site, step).await?;
        http::json_response(&(), 200)
    }

    /// An internal note: kept in its own table (never in the visitor's
    /// event sequence) and sent to agent sockets only.
    pub(super) fn note(&self, author: &str, client_id: Uuid, raw: &str) -> EdgeResult<()> {
        let text = sanitize_message(raw)?;
        self.sql().exec(
            "INSERT OR IGNORE INTO notes (client_id, author, text, at_ms) VALUES (?, ?, ?, ?)",
            vec![
                client_id.to_string().into(),
                author.into(),
                text.into(),
                now_ms().into(),
            ],
        )?;
        let note = self
            .notes()?
            .into_iter()
            .find(|n| n.client_id == client_id)
            .ok_or_else(|| EdgeError::new(ErrorCode::Internal, "note not stored"))?;
        self.send_to("agent", &ServerFrame::Note(note));
        Ok(())
    }

    /// FAQ entries matching the visitor's last message, as replies an agent
    /// can insert, edit and send.
    pub(super) async fn suggestions(&self) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let last =
            handoff::last_question(&self.events_after(0, super::VIEW_EVENTS)?).unwrap_or_default();
        let (faq, language) = self.knowledge(&meta).await;
        let index = faq.index_for(language);
        let search = index.search(&Analysis::new(&last));
        let replies: Vec<SuggestedReply> = search
            .candidates
            .iter()
            .take(3)
            .map(|c| {
                let e = &index.entries()[c.entry];
                SuggestedReply {
                    entry_id: e.id.clone(),
                    question: e.question.clone(),
                    answer: e.answer.clone(),
                    score: (c.score * 100.0).round() / 100.0,
                }
            })
            .collect();
        http::json_response(&replies, 200)
    }

    /// "Turn this answer into an FAQ entry", prefilled: the visitor's
    /// question the agent answered, the agent's last reply, the
    /// conversation's language (`null` when no person has answered).
    pub(super) fn faq_draft(&self) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let draft = handoff::answered_question(&self.events_after(0, super::VIEW_EVENTS)?).map(
            |(question, answer)| NewEntry {
                question,
                answer,
                phrasings: Vec::new(),
                language: meta.locale.clone(),
            },
        );
        http::json_response(&draft, 200)
    }

    /// The agent hands the conversation back to the AI; the visitor is told.
    pub(super) async fn hand_back(&self, agent: &AgentProfile) -> EdgeResult<Response> {
        let next = lifecycle::hand_back(self.state()?)?;
        self.require_assignee(agent)?;
        self.append_and_broadcast(
            None,
            EventBody::State {
                asked: true,
                state: next,
                agent: Some(agent.name.clone()),
                team: None,
            },
        )?;
        self.sql()
            .exec("UPDATE handoff SET assignee_id = NULL", None)?;
        Ok(Response::empty()?.with_status(204))
    }

    /// An agent resolves: the visitor is asked for a rating, and the next
    /// message starts a new conversation.
    pub(super) async fn resolve(&self, agent: &AgentProfile) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let state = self.state()?;
        let next = lifecycle::resolve(state)?;
        if state == ConversationState::WithPerson {
            self.require_assignee(agent)?;
        }
        let now = now_ms();
        self.append_and_broadcast(
            None,
            EventBody::State {
                asked: true,
                state: next,
                agent: Some(agent.name.clone()),
                team: None,
            },
        )?;
        self.clear_deadline(CLAIM).await?;
        if state == ConversationState::WaitingForPerson {
            let dequeue = inbox::Dequeue {
                conversation_id: meta.conversation_id.clone(),
                claimed: false,
            };
            inbox::tell(&self.env, &meta.site, dequeue).await;
        }
        let fact = inbox::Fact {
            resolved_ms: Some(now),
            ..meta.fact()
        };
        self.report(&meta.site, fact);
        Ok(Response::empty()?.with_status(204))
    }
}
