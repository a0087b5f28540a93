//! What agents send and receive: login and sessions, accounts, the live
//! queue on the inbox socket, transfers, canned and suggested replies.

use super::{Sentiment, Trigger};
use serde::{Deserialize, Serialize};

/// `POST /api/v1/agent/conversations/{id}/transfer`: to another team
/// (`{"team": id}`: it waits again, for that team) or to a colleague
/// (`{"agent": id}`: they take it over at once). Exactly one of the two:
/// serde refuses both, neither and anything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transfer {
    Team(String),
    Agent(String),
}

/// `GET /api/v1/agent/conversations/{id}/suggestions`: FAQ entries that
/// match the visitor's last question, offered to the agent as replies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedReply {
    pub entry_id: String,
    pub question: String,
    pub answer: String,
    /// The entry's match score against the question, 0..=1 (not calibrated).
    pub score: f32,
}

/// A conversation in an agent's "mine" or "resolved today" list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationRef {
    pub conversation_id: String,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub handoff_ms: Option<i64>,
    #[serde(default)]
    pub resolved_ms: Option<i64>,
    /// What the list shows for it, when there is something better than
    /// its id (the visitor's name and question; a ticket's question and
    /// address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A team's canned reply, inserted into the composer and edited before
/// sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedReply {
    #[serde(default)]
    pub id: u64,
    pub team: String,
    pub title: String,
    pub text: String,
}

/// `POST /api/v1/agent/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Who is logged in. Sent by login and `GET /api/v1/agent/me`, with the
/// session's CSRF token, which every state-changing request must carry in
/// the `x-csrf-token` header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSession {
    pub agent: AgentProfile,
    pub csrf_token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentProfile {
    pub id: String,
    pub name: String,
    pub email: String,
    /// Team ids the agent takes hand-offs for; empty means every team.
    pub teams: Vec<String>,
    /// Site ids the agent works for; empty means every site.
    #[serde(default)]
    pub sites: Vec<String>,
    pub admin: bool,
}

/// An agent account as an admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentAccount {
    pub profile: AgentProfile,
    pub disabled: bool,
}

/// `POST /api/v1/agent/admin/agents`: an admin adds an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub name: String,
    pub email: String,
    /// At least 12 characters.
    pub password: String,
    #[serde(default)]
    pub teams: Vec<String>,
    /// Empty: every site.
    #[serde(default)]
    pub sites: Vec<String>,
    #[serde(default)]
    pub admin: bool,
}

/// What the agent inbox socket sends: the queue (of the agent's teams) and
/// who is online when it connects, then what changed, a few times a second
/// at most. Positions are not sent: the order never changes as time passes
/// (see `shared::handoff::queue_order`), so the panel numbers the list
/// itself, and one claim does not resend everyone behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxFrame {
    Queue {
        waiting: Vec<QueueItem>,
        agents: Vec<AgentPresence>,
    },
    Changed {
        /// Entries new or changed since the last frame.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        upserts: Vec<QueueItem>,
        /// Conversation ids that left the queue.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        removed: Vec<String>,
        /// Agents whose presence changed: their line now (`presence::apply`
        /// merges it; only those agents, so the frame stays small however
        /// many are online).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        presence: Vec<AgentPresence>,
        /// Ids of agents no longer connected.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        gone: Vec<String>,
    },
    /// A visitor left a question for one of the agent's teams (the panel
    /// fetches its tickets again).
    Ticket {
        conversation_id: String,
        team: String,
    },
}

/// A question a visitor left for the team when nobody could answer live:
/// `GET /api/v1/agent/sites/{site}/tickets` (of the agent's teams, newest
/// first). The conversation's view has its packet and transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketItem {
    pub id: i64,
    pub conversation_id: String,
    pub team: String,
    pub email: String,
    pub question: String,
    pub at_ms: i64,
    pub status: TicketStatus,
    /// The agent who took it, if someone did.
    #[serde(default)]
    pub agent_id: Option<String>,
    #[serde(default)]
    pub agent_name: Option<String>,
    /// The first answer, Unix ms.
    #[serde(default)]
    pub answered_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Open,
    Answered,
    Closed,
}

/// Changes a queue frame carries at most, so a burst (a hundred hand-offs
/// flushed at once) goes out as several small frames rather than one of
/// tens of kilobytes.
pub const CHANGES_PER_FRAME: usize = 8;

impl InboxFrame {
    /// What changed since the last flush, as `Changed` frames of at most
    /// `CHANGES_PER_FRAME` entries and removals each (presence rides in the
    /// first); none when nothing changed.
    pub fn changes(
        upserts: Vec<QueueItem>,
        removed: Vec<String>,
        presence: Vec<AgentPresence>,
        gone: Vec<String>,
    ) -> Vec<InboxFrame> {
        let mut frames = Vec::new();
        let (mut upserts, mut removed) = (upserts.into_iter(), removed.into_iter());
        let (mut presence, mut gone) = (Some(presence), Some(gone));
        loop {
            let mut room = CHANGES_PER_FRAME;
            let these_removed: Vec<String> = removed.by_ref().take(room).collect();
            room -= these_removed.len();
            let these_upserts: Vec<QueueItem> = upserts.by_ref().take(room).collect();
            let presence = presence.take().unwrap_or_default();
            let gone = gone.take().unwrap_or_default();
            if these_upserts.is_empty()
                && these_removed.is_empty()
                && presence.is_empty()
                && gone.is_empty()
            {
                return frames;
            }
            frames.push(InboxFrame::Changed {
                upserts: these_upserts,
                removed: these_removed,
                presence,
                gone,
            });
        }
    }
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Answered => "answered",
            TicketStatus::Closed => "closed",
        }
    }
}

/// `POST /api/v1/agent/conversations/{id}/reply`: an agent answers the
/// question a visitor left; the answer waits in the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketReply {
    pub text: String,
}

/// One waiting hand-off in an agent's queue. Short by design (a queue
/// frame stays small): the full packet is in the conversation's view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    pub conversation_id: String,
    pub team: String,
    pub team_name: String,
    pub trigger: Trigger,
    /// Up to three, each shortened.
    pub reasons: Vec<String>,
    pub sentiment: Sentiment,
    /// What the visitor wants, shortened.
    pub wants: String,
    pub requested_at_ms: i64,
    /// Urgency before waiting time (which adds one per minute).
    pub base_priority: f32,
    #[serde(default)]
    pub page_url: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    /// The name the host site gave for the visitor, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_name: Option<String>,
    /// The site's server vouched for the visitor (a signed identity).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresence {
    pub id: String,
    pub name: String,
    pub teams: Vec<String>,
    pub status: PresenceStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceStatus {
    Online,
    Away,
}

/// What an agent may send on the inbox socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum InboxClientFrame {
    /// Set by the agent: away agents do not count as online.
    Presence { status: PresenceStatus },
}

/// `GET /api/v1/agent/sites/{site}/faq`: the current knowledge base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeText {
    pub version: i64,
    pub toml: String,
}

/// One version of a site's knowledge base, without its text
/// (`GET …/faq/versions`, newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeVersion {
    pub version: i64,
    pub author: String,
    pub at_ms: i64,
    pub change: String,
    /// The languages (tags) whose matching index is built and stored with
    /// this version for the running build of the engine: conversations
    /// read it instead of building it. A version is indexed when saved.
    #[serde(default)]
    pub indexed: Vec<String>,
}

/// A knowledge-base version stored (`POST …/faq` with a new entry, whose
/// id it names, or `POST …/faq/text`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeSaved {
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<String>,
}

/// `POST …/canned`: the new reply's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedAdded {
    pub id: u64,
}

/// `POST /api/v1/agent/sites/{site}/faq/try`: what the AI would do with a
/// visitor's first message, against the current knowledge base or the
/// draft `toml` an admin is editing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialRequest {
    pub question: String,
    /// `en`, `de` or `es`.
    pub language: String,
    #[serde(default)]
    pub toml: Option<String>,
}

/// The answer to a [`TrialRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    /// The AI's reply as the visitor would get it (its source, its "Did
    /// you mean" choices): the panel's preview shows it in the widget.
    pub message: crate::protocol::Message,
    /// The entry answered from; `None` when it was not sure.
    pub entry_id: Option<String>,
    /// Calibrated confidence in the best entry, 0..=1.
    pub confidence: f32,
    /// The best entries and their similarity, best first.
    pub candidates: Vec<TrialCandidate>,
    /// Why it would hand over to a person now, if it would.
    pub hand_over: Option<crate::protocol::Trigger>,
    /// What the policy found, for the admin ("frustration: …").
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialCandidate {
    pub entry_id: String,
    pub question: String,
    pub score: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(n: usize) -> QueueItem {
        serde_json::from_value(serde_json::json!({
            "conversation_id": format!("c{n}"), "team": "workshop", "team_name": "Workshop",
            "trigger": "person_button", "reasons": [], "wants": "",
            "sentiment": {"frustration": 0.0, "label": "calm"},
            "requested_at_ms": n, "base_priority": 1.0,
        }))
        .expect("a queue item")
    }

    #[test]
    fn a_burst_of_changes_goes_out_in_small_frames_with_nothing_lost_or_repeated() {
        let upserts: Vec<QueueItem> = (0..20).map(item).collect();
        let removed = vec!["r1".to_string(), "r2".into(), "r3".into()];
        let gone = vec!["a9".to_string()];
        let frames =
            InboxFrame::changes(upserts.clone(), removed.clone(), Vec::new(), gone.clone());
        assert_eq!(frames.len(), 3, "23 changes, 8 a frame");
        let (mut all_upserts, mut all_removed, mut all_gone) = (Vec::new(), Vec::new(), Vec::new());
        for frame in frames {
            let InboxFrame::Changed {
                upserts,
                removed,
                gone,
                ..
            } = frame
            else {
                panic!("a change frame");
            };
            assert!(upserts.len() + removed.len() <= CHANGES_PER_FRAME);
            all_upserts.extend(upserts);
            all_removed.extend(removed);
            all_gone.extend(gone);
        }
        assert_eq!(
            (all_upserts, all_removed, all_gone),
            (upserts, removed, gone)
        );
    }

    #[test]
    fn nothing_changed_sends_no_frame() {
        assert!(InboxFrame::changes(Vec::new(), Vec::new(), Vec::new(), Vec::new()).is_empty());
    }
}
