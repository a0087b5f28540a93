//! How the worker and a site's inbox call a conversation: typed calls in
//! [`ConversationCall`], each with its answer. (The visitor's and agents'
//! own requests are passed on as they came, with the agent in `x-agent`.)

use crate::error::EdgeResult;
use crate::object::{self, calls, Call};
use serde::{Deserialize, Serialize};
use shared::protocol::{AgentProfile, FollowUp, QueueStatus};
use shared::site::SiteConfig;
use worker::{Env, Stub};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationCall {
    Init(Box<Init>),
    Owner(Owner),
    QueuePlace(QueuePlace),
    Revoke(Revoke),
    VisitorMail(VisitorMail),
    AddVisitorKey(AddVisitorKey),
}

calls!(ConversationCall {
    Owner => String,
    QueuePlace => (),
    Revoke => (),
    VisitorMail => (),
    AddVisitorKey => (),
});

impl From<Init> for ConversationCall {
    fn from(c: Init) -> Self {
        ConversationCall::Init(Box::new(c))
    }
}

impl Call for Init {
    type Answer = ();
}

/// What the worker hands the object when a visitor opens the chat.
#[derive(Debug, Serialize, Deserialize)]
pub struct Init {
    pub conversation_id: String,
    pub site: String,
    pub locale: Option<String>,
    pub page_url: Option<String>,
    pub secret_hash: String,
    /// The disclosure the widget showed; the edge checked it is one it
    /// knows.
    pub disclosure_version: u32,
    /// The knowledge-base version it answers from (`None`: the bundled one).
    pub kb_version: Option<i64>,
    /// The visitor's previous conversation, proven with its secret.
    #[serde(default)]
    pub follows: Option<String>,
    /// Cleaned by the worker.
    #[serde(default)]
    pub visitor_name: Option<String>,
    /// The site's config when the conversation started (deployed config
    /// plus saved settings): it keeps it, so a later change of settings
    /// applies to new conversations only.
    #[serde(default)]
    pub config: Option<SiteConfig>,
    /// Who the site's server vouched the visitor is (checked by the worker).
    #[serde(default)]
    pub verified: Option<shared::identity::VerifiedVisitor>,
}

/// Whose is it? Answered with the site when `secret` is the visitor's;
/// "not found" otherwise, as for a conversation that does not exist.
#[derive(Debug, Serialize, Deserialize)]
pub struct Owner {
    pub secret: String,
}

/// The inbox tells a waiting conversation its place in the queue.
#[derive(Debug, Serialize, Deserialize)]
pub struct QueuePlace {
    pub status: QueueStatus,
}

/// These agent sessions ended: close their sockets now.
#[derive(Debug, Serialize, Deserialize)]
pub struct Revoke {
    pub sessions: Vec<String>,
}

/// The visitor answered by e-mail (the inbox checked token and sender;
/// the worker kept only the new text).
#[derive(Debug, Serialize, Deserialize)]
pub struct VisitorMail {
    pub text: String,
}

/// One more visitor secret for this conversation (the reopen link in an
/// answer mail, opened in another browser).
#[derive(Debug, Serialize, Deserialize)]
pub struct AddVisitorKey {
    pub secret_hash: String,
}

/// A checked transfer, as the worker passes it on: a team id, or the
/// colleague's profile from the directory.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferCall {
    Team(String),
    Agent(AgentProfile),
}

/// A new conversation's id: a Durable Object id the runtime makes and
/// signs for this namespace (64 hex digits), so an id nobody was given
/// cannot reach an object at all (see [`stub`]).
pub fn new_id(env: &Env) -> EdgeResult<String> {
    Ok(env.durable_object("CONVERSATION")?.unique_id()?.to_string())
}

/// The conversation's object. An id the runtime did not make for this
/// namespace is "not found" here, before any object is created or woken.
pub fn stub(env: &Env, conversation_id: &str) -> EdgeResult<Stub> {
    let namespace = env.durable_object("CONVERSATION")?;
    let id = namespace
        .id_from_string(conversation_id)
        .map_err(|_| crate::error::EdgeError::not_found())?;
    Ok(id.get_stub()?)
}

pub async fn call<C>(env: &Env, conversation_id: &str, c: C) -> EdgeResult<C::Answer>
where
    C: Call + Into<ConversationCall>,
{
    let wire: ConversationCall = c.into();
    object::call(
        &stub(env, conversation_id)?,
        "https://conversation/call",
        &wire,
    )
    .await
}

/// Creates the conversation's record in its object.
pub async fn init(env: &Env, init: Init) -> EdgeResult<()> {
    let id = init.conversation_id.clone();
    call(env, &id, init).await
}

/// The previous conversation's id if the follow-up's secret opens it (on
/// the same site); anything else is dropped, not refused, since the link
/// is a convenience for agents.
pub async fn proven_follow_up(env: &Env, site: &str, follow: &FollowUp) -> Option<String> {
    let id = shared::protocol::parse_conversation_id(&follow.conversation_id)?;
    let owner = Owner {
        secret: follow.visitor_secret.clone(),
    };
    let owner_site = call(env, id, owner).await.ok()?;
    (owner_site == site).then(|| id.to_string())
}

/// The inbox tells a waiting conversation its place in the queue.
pub async fn push_queue_status(
    env: &Env,
    conversation_id: &str,
    status: QueueStatus,
) -> EdgeResult<()> {
    call(env, conversation_id, QueuePlace { status }).await
}
