//! Questions visitors left for the team when nobody could answer live.
//! A ticket is open until an agent answers it (the answer waits in the
//! conversation), and stays answered until someone closes it. One agent
//! takes a conversation's tickets at a time, so two people do not answer
//! the same visitor; agents see only their teams' tickets.

use super::{Inbox, Ticket, TicketAction, TicketStep, Tickets};
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use shared::access;
use shared::protocol::{ErrorCode, InboxFrame, TicketItem, TicketStatus};

/// How long a closed ticket stays in the agents' list.
const CLOSED_SHOWN_MS: i64 = 7 * 86_400_000;

/// Most tickets kept per conversation (a visitor cannot fill the inbox).
pub const MAX_TICKETS_PER_CONVERSATION: i64 = 5;

#[derive(serde::Deserialize)]
pub(super) struct TicketRow {
    id: i64,
    conversation_id: String,
    pub(super) team: String,
    email: String,
    question: String,
    at_ms: i64,
    status: String,
    agent_id: Option<String>,
    agent_name: Option<String>,
    answered_ms: Option<i64>,
}

impl TicketRow {
    pub(super) fn item(self) -> TicketItem {
        let status = match self.status.as_str() {
            "answered" => TicketStatus::Answered,
            "closed" => TicketStatus::Closed,
            _ => TicketStatus::Open,
        };
        TicketItem {
            id: self.id,
            conversation_id: self.conversation_id,
            team: self.team,
            email: self.email,
            question: self.question,
            at_ms: self.at_ms,
            status,
            agent_id: self.agent_id,
            agent_name: self.agent_name,
            answered_ms: self.answered_ms,
        }
    }
}

pub(super) const TICKET_COLUMNS: &str =
    "id, conversation_id, team, email, question, at_ms, status, agent_id, agent_name, answered_ms";

impl Inbox {
    /// A visitor left a question: stored (up to the cap per conversation)
    /// and announced to the agents of its team.
    pub(super) fn add_ticket(&self, t: Ticket) -> EdgeResult<()> {
        #[derive(serde::Deserialize)]
        struct Count {
            n: i64,
        }
        let kept: Vec<Count> = self
            .sql()
            .exec(
                "SELECT COUNT(*) AS n FROM tickets WHERE conversation_id = ?",
                vec![t.conversation_id.clone().into()],
            )?
            .to_array()?;
        if kept
            .first()
            .is_some_and(|c| c.n >= MAX_TICKETS_PER_CONVERSATION)
        {
            return Err(EdgeError::new(
                ErrorCode::RateLimited,
                "The team already has your questions; they will answer here.",
            ));
        }
        self.sql().exec(
            "INSERT INTO tickets (conversation_id, team, email, question, at_ms) VALUES (?, ?, ?, ?, ?)",
            vec![
                t.conversation_id.clone().into(),
                t.team.clone().into(),
                t.email.into(),
                t.question.into(),
                now_ms().into(),
            ],
        )?;
        // For the metrics: the first question left, and its team.
        self.sql().exec(
            "INSERT INTO facts (conversation_id, team, ticket_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (conversation_id) DO UPDATE SET
               team = COALESCE(facts.team, excluded.team),
               ticket_ms = COALESCE(facts.ticket_ms, excluded.ticket_ms)",
            vec![
                t.conversation_id.clone().into(),
                t.team.clone().into(),
                now_ms().into(),
            ],
        )?;
        self.announce_ticket(t.conversation_id, t.team)
    }

    /// Tells the agents of `team` watching the inbox that a conversation
    /// has a question for them (a new one, or the visitor's e-mail reply).
    pub(super) fn announce_ticket(&self, conversation_id: String, team: String) -> EdgeResult<()> {
        let json = serde_json::to_string(&InboxFrame::Ticket {
            conversation_id,
            team: team.clone(),
        })?;
        for (ws, watcher) in self.watchers(None) {
            if access::in_team(&watcher.agent, &team) {
                let _ = ws.send_with_str(&json);
            }
        }
        Ok(())
    }

    /// The tickets the agent may read, newest first.
    pub(super) fn tickets(&self, c: Tickets) -> EdgeResult<Vec<TicketItem>> {
        let rows: Vec<TicketRow> = self
            .sql()
            .exec(
                &format!(
                    "SELECT {TICKET_COLUMNS} FROM tickets
                     WHERE status != 'closed' OR closed_ms >= ?
                     ORDER BY at_ms DESC LIMIT 500"
                ),
                vec![(now_ms() - CLOSED_SHOWN_MS).into()],
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .filter(|r| access::may_read(&c.agent, &c.site, Some(&r.team)))
            .map(TicketRow::item)
            .collect())
    }

    /// Takes, answers or closes a conversation's tickets. Answering takes
    /// them too; a colleague's tickets are refused, closing excepted.
    pub(super) fn ticket_action(&self, c: TicketAction) -> EdgeResult<()> {
        let rows: Vec<TicketRow> = self
            .sql()
            .exec(
                &format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE conversation_id = ?"),
                vec![c.conversation_id.clone().into()],
            )?
            .to_array()?;
        let rows: Vec<TicketRow> = rows
            .into_iter()
            .filter(|r| access::may_read(&c.agent, &c.site, Some(&r.team)))
            .collect();
        if rows.is_empty() {
            return Err(EdgeError::not_found());
        }
        let me = &c.agent;
        if c.action != TicketStep::Close {
            if let Some(other) = rows
                .iter()
                .find(|r| r.agent_id.as_deref().is_some_and(|a| a != me.id))
            {
                return Err(EdgeError::new(
                    ErrorCode::AlreadyClaimed,
                    format!(
                        "{} is answering this visitor.",
                        other.agent_name.as_deref().unwrap_or("A colleague")
                    ),
                ));
            }
        }
        let id = c.conversation_id.clone();
        let now = now_ms();
        if c.action == TicketStep::Answered {
            self.sql().exec(
                "UPDATE facts SET ticket_answered_ms = COALESCE(ticket_answered_ms, ?) WHERE conversation_id = ?",
                vec![now.into(), id.clone().into()],
            )?;
        }
        match c.action {
            TicketStep::Take => self.sql().exec(
                "UPDATE tickets SET agent_id = ?, agent_name = ? WHERE conversation_id = ?",
                vec![me.id.clone().into(), me.name.clone().into(), id.into()],
            )?,
            TicketStep::Answered => self.sql().exec(
                "UPDATE tickets SET agent_id = ?, agent_name = ?,
                 status = CASE status WHEN 'closed' THEN 'closed' ELSE 'answered' END,
                 answered_ms = COALESCE(answered_ms, ?) WHERE conversation_id = ?",
                vec![
                    me.id.clone().into(),
                    me.name.clone().into(),
                    now.into(),
                    id.into(),
                ],
            )?,
            TicketStep::Close => self.sql().exec(
                "UPDATE tickets SET status = 'closed', closed_ms = ? WHERE conversation_id = ? AND status != 'closed'",
                vec![now.into(), id.into()],
            )?,
        };
        Ok(())
    }
}
