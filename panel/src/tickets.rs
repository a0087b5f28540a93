//! Questions visitors left for the team when nobody could answer live: the
//! list beside the queue; a conversation with an open or answered ticket
//! shows it with take and close, and is answered from its reply box
//! (`conversation.rs`); the answer waits there for the visitor's return.
//! Every visitor-supplied string is a text node. (Kept small on purpose:
//! the list reuses the conversation buttons, the panel has a size budget.)

use crate::api;
use leptos::prelude::*;
use shared::protocol::{ConversationRef, TicketStatus};

/// What the panel reads of a `shared::protocol::TicketItem` (fewer fields
/// read is less code: the panel has a size budget).
#[derive(Clone, serde::Deserialize)]
pub struct TicketItem {
    conversation_id: String,
    team: String,
    email: String,
    pub(crate) question: String,
    pub(crate) status: TicketStatus,
    agent_name: Option<String>,
}

/// Fetches the site's tickets (of the agent's teams) into `tickets`.
pub fn load(site: &str, tickets: RwSignal<Vec<TicketItem>>) {
    let path = format!("/api/v1/agent/sites/{site}/tickets");
    leptos::task::spawn_local(async move {
        if let Ok(list) = api::get::<Vec<TicketItem>>(&path).await {
            tickets.set(list);
        }
    });
}

pub fn open_count(tickets: RwSignal<Vec<TicketItem>>) -> usize {
    tickets.with(|t| t.iter().filter(|t| t.status == TicketStatus::Open).count())
}

/// Open and answered tickets, newest first, as conversation buttons.
pub fn listed(tickets: RwSignal<Vec<TicketItem>>) -> Vec<ConversationRef> {
    tickets.with(|t| {
        t.iter()
            .filter(|t| t.status != TicketStatus::Closed)
            .map(|t| ConversationRef {
                conversation_id: t.conversation_id.clone(),
                team: Some(t.team.clone()),
                handoff_ms: None,
                resolved_ms: None,
                label: Some(format!(
                    "{} · {} · {}{}",
                    t.question,
                    t.email,
                    t.status.as_str(),
                    t.agent_name
                        .as_ref()
                        .map(|n| format!(" · {n}"))
                        .unwrap_or_default()
                )),
            })
            .collect()
    })
}

/// The newest ticket of a conversation, as the list has it now, in one
/// line: the question, who left it, its team and state, who took it.
pub fn about(tickets: RwSignal<Vec<TicketItem>>, conversation: &str) -> Option<String> {
    tickets.with(|t| {
        t.iter()
            .find(|t| t.conversation_id == conversation && t.status != TicketStatus::Closed)
            .map(|t| {
                let who = t
                    .agent_name
                    .as_ref()
                    .map_or("nobody has taken it yet".into(), |n| {
                        format!("taken by {n}")
                    });
                format!(
                    "{} · {} · {} · {} · {who}",
                    t.question,
                    t.email,
                    t.team,
                    t.status.as_str()
                )
            })
    })
}
