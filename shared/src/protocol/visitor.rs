//! The visitor API's HTTP bodies: opening a conversation and exchanging
//! its secret for a socket ticket.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/conversations`: a visitor opens the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateConversation {
    /// The site id from the script tag.
    pub site: String,
    /// BCP 47 language tag the widget shows, e.g. `de-DE`.
    #[serde(default)]
    pub locale: Option<String>,
    /// The host page the chat was opened on.
    #[serde(default)]
    pub page_url: Option<String>,
    /// Version of the AI disclosure the widget showed when the visitor
    /// opened the chat (`shared::disclosure::DISCLOSURE_VERSION`). Stored
    /// with the conversation and the time it was opened.
    #[serde(default)]
    pub disclosure_version: Option<u32>,
    /// The resolved conversation this one follows (the visitor wrote again
    /// after a resolution), proved with that conversation's secret. Agents
    /// see the link; an unprovable one is dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<FollowUp>,
    /// The visitor's name, when the host site knows it (the script tag's
    /// `data-visitor-name`). Only ever shown as text, beside a "visitor" label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_name: Option<String>,
    /// A signed identity from the site's server (`shared::identity`),
    /// passed on by the widget as the host page gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

/// A link to the visitor's previous conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub conversation_id: String,
    pub visitor_secret: String,
}

/// Answer to [`CreateConversation`]. Both values are made by the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationCreated {
    pub conversation_id: String,
    /// Long-lived secret that binds the conversation to this visitor. Sent
    /// back only as `Authorization: Bearer …`, never in a URL.
    pub visitor_secret: String,
}

/// Answer to `POST /api/v1/conversations/{id}/ticket`: a single-use,
/// short-lived credential for opening the WebSocket (browsers cannot set
/// headers on `new WebSocket()`, and the long-lived secret stays out of URLs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketIssued {
    pub ticket: String,
    pub expires_in_ms: i64,
}
