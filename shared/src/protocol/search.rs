//! Searching a site's conversations, and what is known about one visitor:
//! what the panel asks and what it gets back.

use super::{ConversationState, TicketItem, Trigger};
use serde::{Deserialize, Serialize};

/// `GET /api/v1/agent/sites/{site}/search?words=…&visitor=…`: every field
/// narrows the search; an empty one is not used. Results are of the
/// agent's teams only (admins: all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// Words in the transcript or the hand-off packet's reasons (each must
    /// occur; one of three or more letters also as the start of a word).
    #[serde(default)]
    pub words: String,
    /// Part of the visitor's name or e-mail address.
    #[serde(default)]
    pub visitor: String,
    /// Started at or after (Unix ms).
    #[serde(default)]
    pub from_ms: Option<i64>,
    /// Started before (Unix ms).
    #[serde(default)]
    pub to_ms: Option<i64>,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub trigger: Option<Trigger>,
    /// The visitor's rating, 1 to 5.
    #[serde(default)]
    pub rating: Option<u8>,
    #[serde(default)]
    pub state: Option<ConversationState>,
}

/// One conversation found, newest first (with words: by its newest
/// matching line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub conversation_id: String,
    /// The visitor's name, else their open question.
    pub title: String,
    /// The visitor's e-mail address, if they left one or were signed in.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub team: Option<String>,
    pub state: ConversationState,
    #[serde(default)]
    pub trigger: Option<Trigger>,
    #[serde(default)]
    pub rating: Option<u8>,
    pub created_ms: i64,
    pub last_ms: i64,
    /// The best matching line, cut around the match; empty without words.
    #[serde(default)]
    pub line: Vec<Highlight>,
    /// Who wrote that line: "visitor", "ai", an agent's name, or "packet".
    #[serde(default)]
    pub who: Option<String>,
}

/// A piece of a matching line; `hit` marks the words searched for. Shown as
/// text, never as markup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlight {
    pub text: String,
    #[serde(default)]
    pub hit: bool,
}

/// `GET /api/v1/agent/conversations/{id}/visitor`: everything known about
/// the visitor of a conversation: who they are, their conversations with
/// this site (of the agent's teams) and the questions they left.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorProfile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The site's server signed `email`; otherwise the visitor typed it.
    #[serde(default)]
    pub email_verified: bool,
    /// The site's server signed who they are (its user id).
    #[serde(default)]
    pub user_id: Option<String>,
    /// Newest first, this one included: the same browser's chain, the
    /// signed-in user's and the signed address's.
    #[serde(default)]
    pub conversations: Vec<SearchHit>,
    /// Other conversations that share only an address a visitor typed:
    /// anyone can type anyone's address, so they may be someone else's and
    /// are never merged into `conversations`. Newest first.
    #[serde(default)]
    pub same_typed_email: Vec<SearchHit>,
    /// Questions left in `conversations` or with the signed address.
    #[serde(default)]
    pub tickets: Vec<TicketItem>,
}
