//! To a person: the hand-off (routed to a team, queued with its packet, or
//! the e-mail path outside hours), a person joining (claim or transfer to
//! them) and a transfer to another team.

use super::deadlines::CLAIM;
use super::store::MetaRow;
use super::{Conversation, TransferCall};
use crate::clock;
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::inbox;
use shared::access;
use shared::escalation::Decision;
use shared::handoff::{self, HandoffPacket, QueueEntry};
use shared::lifecycle::{self, Asking, Availability, PersonRequest};
use shared::protocol::{
    AgentProfile, ContactReason, ConversationState, ErrorCode, EventBody, Trigger,
};
use shared::team::{self, RouteHints, Team};
use std::rc::Rc;
use worker::{Request, Response};

impl Conversation {
    /// Hands the conversation to a person, if the lifecycle allows: routed
    /// to a team, queued in the site's inbox with its packet, or, outside
    /// the team's hours, the e-mail path offered instead (with when the
    /// team is back). Whether the visitor was told anything: if not, the
    /// AI's own answer is what they read.
    pub(super) async fn hand_off(
        &self,
        decision: Decision,
        hints: RouteHints<'_>,
    ) -> EdgeResult<bool> {
        let meta = self.existing()?;
        let site = self.site_config()?;
        let config = &site.handoff;
        let team = team::route(
            &config.teams,
            config.default_team.as_deref(),
            &config.routes,
            &hints,
        )
        .cloned()
        .ok_or_else(|| EdgeError::new(ErrorCode::Internal, "site has no team"))?;
        let now = now_ms();
        let (availability, back_at_ms) = self.availability(&meta, &team, now).await;
        let trigger = decision.trigger.unwrap_or(Trigger::PersonButton);
        let asking = Asking {
            asked: trigger.asked_by_visitor(),
            offered_before: self.last_kind_of(&["contact_offer"])?.is_some(),
        };
        // Decided on the state as stored now, after the await.
        let request = lifecycle::request_person(self.state()?, availability, asking)?;
        let nobody_online = match request {
            PersonRequest::Unchanged => return Ok(false),
            PersonRequest::OfferContact(_) => true,
            PersonRequest::Enqueue { nobody_online } => nobody_online,
        };
        let packet = HandoffPacket {
            conversation_id: meta.conversation_id.clone(),
            site: meta.site.clone(),
            team: team.id.clone(),
            team_name: team.name.clone(),
            trigger,
            reasons: decision.reasons.iter().map(|r| r.detail.clone()).collect(),
            sentiment: decision.sentiment,
            summary: handoff::summarize(&self.events_after(0, super::VIEW_EVENTS)?),
            page_url: meta.page_url.clone(),
            locale: meta.locale.clone(),
            requested_at_ms: now,
            follows: meta.follows.clone(),
            visitor_name: meta.visitor_name.clone(),
            verified: meta.verified(),
        };
        // The packet is kept either way: a question the visitor leaves
        // goes to this team with it (`leave_contact`).
        self.sql().exec(
            "INSERT OR REPLACE INTO handoff (id, packet, requested_ms, team, contact_offered) VALUES (1, ?, ?, ?, ?)",
            vec![serde_json::to_string(&packet)?.into(), now.into(), team.id.clone().into(), i64::from(nobody_online).into()],
        )?;
        if let PersonRequest::OfferContact(reason) = request {
            let offer = EventBody::ContactOffer { reason, back_at_ms };
            self.append_and_broadcast(None, offer)?;
            let unmet = inbox::Fact {
                team: Some(team.id.clone()),
                trigger: Some(trigger),
                unmet: Some(reason),
                ..meta.fact()
            };
            self.report(&meta.site, unmet);
            return Ok(true);
        }
        let fact = inbox::Fact {
            trigger: Some(trigger),
            handoff_ms: Some(now),
            unmet: nobody_online.then_some(ContactReason::NobodyOnline),
            ..meta.fact()
        };
        self.enqueue(&meta, packet, now, config.claim_timeout_s, fact)
            .await?;
        if nobody_online {
            let offer = EventBody::contact_offer(ContactReason::NobodyOnline);
            self.append_and_broadcast(None, offer)?;
        }
        Ok(true)
    }

    /// Whether `team` takes people now (and how many of its people are
    /// online), and, when closed, when it opens again (Unix ms, to the
    /// minute).
    async fn availability(
        &self,
        meta: &MetaRow,
        team: &Team,
        now: i64,
    ) -> (Availability, Option<i64>) {
        let local = clock::local_time(&team.time_zone, now);
        let open = match local {
            Some(local) => team.is_open(local),
            None => {
                worker::console_error!("team {}: unknown time zone {}", team.id, team.time_zone);
                true
            }
        };
        if !open {
            let back_at_ms = local
                .and_then(|l| team.minutes_until_open(l))
                .map(|m| now - now.rem_euclid(60_000) + i64::from(m) * 60_000);
            return (Availability::Closed, back_at_ms);
        }
        let online = inbox::Online {
            team: team.id.clone(),
        };
        let agents_online = inbox::call(&self.env, &meta.site, online)
            .await
            .unwrap_or(0);
        (Availability::Open { agents_online }, None)
    }

    /// The one enqueue step of a hand-off and a transfer to a team: the
    /// visitor is told whom they wait for, the claim time-out starts, the
    /// metrics learn the team (with the other facts of `fact`), and the
    /// inbox gets the entry (its team is the packet's).
    async fn enqueue(
        &self,
        meta: &MetaRow,
        packet: HandoffPacket,
        requested_at_ms: i64,
        claim_timeout_s: u32,
        fact: inbox::Fact,
    ) -> EdgeResult<()> {
        let waiting = EventBody::State {
            asked: packet.trigger.asked_by_visitor(),
            state: ConversationState::WaitingForPerson,
            agent: None,
            team: Some(packet.team_name.clone()),
        };
        self.append_and_broadcast(None, waiting)?;
        self.set_deadline(CLAIM, now_ms() + i64::from(claim_timeout_s) * 1000)
            .await?;
        let fact = inbox::Fact {
            team: Some(packet.team.clone()),
            ..fact
        };
        self.report(&meta.site, fact);
        let entry = QueueEntry {
            conversation_id: meta.conversation_id.clone(),
            team: packet.team.clone(),
            trigger: packet.trigger,
            frustration: packet.sentiment.frustration,
            requested_at_ms,
            base_priority: handoff::priority(packet.trigger, &packet.sentiment, 0),
        };
        let enqueue = inbox::Enqueue {
            entry,
            packet: Box::new(packet),
        };
        inbox::tell(&self.env, &meta.site, enqueue).await;
        Ok(())
    }

    /// The visitor was away too long while waiting: back to the AI, out of
    /// the queue (an e-mail ticket they left stays with the team).
    pub(super) async fn leave_queue(&self) -> EdgeResult<()> {
        let meta = self.existing()?;
        self.append_and_broadcast(None, EventBody::state(ConversationState::Bot))?;
        self.sql().exec("DELETE FROM queue_status", None)?;
        self.clear_deadline(CLAIM).await?;
        let dequeue = inbox::Dequeue {
            conversation_id: meta.conversation_id.clone(),
            claimed: false,
        };
        inbox::call(&self.env, &meta.site, dequeue).await
    }

    /// An agent takes the conversation. The check and the state event are
    /// one synchronous step, so of two agents claiming at once exactly one
    /// wins; the other gets `already_claimed`.
    pub(super) async fn claim(&self, agent: &AgentProfile) -> EdgeResult<Response> {
        let meta = self.existing()?;
        let next = lifecycle::claim(self.state()?)?;
        self.join(meta, agent, next, true).await?;
        Ok(Response::empty()?.with_status(204))
    }

    /// `person` is in the conversation now (a claim, or a transfer to
    /// them): the visitor is told, the hand-off is theirs (first claim time
    /// kept), the claim time-out ends, and the inbox learns it (and takes
    /// it off the queue if it was waiting there).
    async fn join(
        &self,
        meta: Rc<MetaRow>,
        person: &AgentProfile,
        next: ConversationState,
        from_queue: bool,
    ) -> EdgeResult<()> {
        let joined = EventBody::State {
            asked: true,
            state: next,
            agent: Some(person.name.clone()),
            team: None,
        };
        self.append_and_broadcast(None, joined)?;
        self.sql().exec(
            "UPDATE handoff SET assignee_id = ?, claimed_ms = COALESCE(claimed_ms, ?)",
            vec![person.id.clone().into(), now_ms().into()],
        )?;
        self.sql().exec("DELETE FROM queue_status", None)?;
        self.clear_deadline(CLAIM).await?;
        let fact = inbox::Fact {
            agent: Some(person.id.clone()),
            ..meta.fact()
        };
        self.report(&meta.site, fact);
        if from_queue {
            let dequeue = inbox::Dequeue {
                conversation_id: meta.conversation_id.clone(),
                claimed: true,
            };
            inbox::tell(&self.env, &meta.site, dequeue).await;
        }
        Ok(())
    }

    /// Only the person who has the conversation (or an admin) may act on it.
    pub(super) fn require_assignee(&self, agent: &AgentProfile) -> EdgeResult<()> {
        let assignee = self.handoff()?.and_then(|h| h.assignee_id);
        if assignee.as_deref() == Some(agent.id.as_str()) || agent.admin {
            Ok(())
        } else {
            Err(EdgeError::new(
                ErrorCode::AlreadyClaimed,
                "Another person has this conversation.",
            ))
        }
    }

    /// Hands the conversation to a colleague (the worker looked them up) or
    /// to another team of the site.
    pub(super) async fn transfer(
        &self,
        agent: &AgentProfile,
        mut req: Request,
    ) -> EdgeResult<Response> {
        let body: TransferCall = serde_json::from_str(&req.text().await?)?;
        match body {
            TransferCall::Agent(colleague) => self.transfer_to_person(agent, &colleague).await?,
            TransferCall::Team(team) => self.transfer_to_team(agent, &team).await?,
        }
        Ok(Response::empty()?.with_status(204))
    }

    /// The colleague takes the conversation over at once: the visitor is
    /// told who joined; the packet says who passed it on.
    async fn transfer_to_person(
        &self,
        agent: &AgentProfile,
        colleague: &AgentProfile,
    ) -> EdgeResult<()> {
        let meta = self.existing()?;
        let state = self.state()?;
        let next = lifecycle::transfer_to_person(state)?;
        let handoff = self
            .handoff()?
            .ok_or_else(|| EdgeError::new(ErrorCode::WrongState, "Not handed over."))?;
        if state == ConversationState::WithPerson {
            self.require_assignee(agent)?;
            if handoff.assignee_id.as_deref() == Some(colleague.id.as_str()) {
                return Err(EdgeError::new(
                    ErrorCode::WrongState,
                    format!("{} has this conversation already.", colleague.name),
                ));
            }
        }
        if !access::may_read(colleague, &meta.site, Some(&handoff.team)) {
            return Err(EdgeError::new(
                ErrorCode::WrongState,
                format!(
                    "{} does not work for this team; transfer it to their team instead.",
                    colleague.name
                ),
            ));
        }
        let mut packet: HandoffPacket = serde_json::from_str(&handoff.packet)?;
        packet.reasons.push(format!(
            "transferred by {} to {}",
            agent.name, colleague.name
        ));
        self.sql().exec(
            "UPDATE handoff SET packet = ?",
            vec![serde_json::to_string(&packet)?.into()],
        )?;
        let from_queue = state == ConversationState::WaitingForPerson;
        self.join(meta, colleague, next, from_queue).await
    }

    /// Hands the conversation to another team of the site: it waits again,
    /// for that team, with its original request time (its place is fair).
    async fn transfer_to_team(&self, agent: &AgentProfile, team_id: &str) -> EdgeResult<()> {
        let meta = self.existing()?;
        let site = self.site_config()?;
        let config = &site.handoff;
        let team = config
            .teams
            .iter()
            .find(|t| t.id == team_id)
            .cloned()
            .ok_or_else(|| {
                EdgeError::new(
                    ErrorCode::NotFound,
                    format!("This site has no team `{team_id}`."),
                )
            })?;
        let state = self.state()?;
        lifecycle::transfer(state)?;
        if state == ConversationState::WithPerson {
            self.require_assignee(agent)?;
        }
        let handoff = self
            .handoff()?
            .ok_or_else(|| EdgeError::new(ErrorCode::WrongState, "Not handed over."))?;
        let mut packet: HandoffPacket = serde_json::from_str(&handoff.packet)?;
        packet.team = team.id.clone();
        packet.team_name = team.name.clone();
        packet
            .reasons
            .push(format!("transferred by {} to {}", agent.name, team.name));
        self.sql().exec(
            "UPDATE handoff SET packet = ?, team = ?, assignee_id = NULL, claimed_ms = NULL, contact_offered = 0",
            vec![serde_json::to_string(&packet)?.into(), team.id.clone().into()],
        )?;
        let dequeue = inbox::Dequeue {
            conversation_id: meta.conversation_id.clone(),
            claimed: false,
        };
        inbox::tell(&self.env, &meta.site, dequeue).await;
        let fact = meta.fact();
        let now = now_ms();
        let (availability, back_at_ms) = self.availability(&meta, &team, now).await;
        self.enqueue(
            &meta,
            packet,
            handoff.requested_ms,
            config.claim_timeout_s,
            fact,
        )
        .await?;
        // A closed team sees it when it opens; the visitor is not left
        // waiting for nobody: they may leave an address instead.
        let offer = match availability {
            Availability::Closed => Some(EventBody::ContactOffer {
                reason: ContactReason::OutsideHours,
                back_at_ms,
            }),
            Availability::Open { agents_online: 0 } => {
                Some(EventBody::contact_offer(ContactReason::NobodyOnline))
            }
            Availability::Open { .. } => None,
        };
        if let Some(offer) = offer {
            self.sql()
                .exec("UPDATE handoff SET contact_offered = 1", None)?;
            self.append_and_broadcast(None, offer)?;
        }
        Ok(())
    }
}
