//! How conversations and routes call a site's `Inbox`: one struct per call,
//! carried in [`InboxCall`], each with the type of its answer.

use crate::error::{EdgeError, EdgeResult};
use crate::object::{self, calls, Call};
use serde::{Deserialize, Serialize};
use shared::alerts::{AlertsView, Hook, NewHook};
use shared::embed::RefusedOrigin;
use shared::handoff::{HandoffPacket, QueueEntry};
use shared::identity::{IdentityKeys, VerifiedVisitor};
use shared::protocol::{
    AgentProfile, CannedAdded, CannedReply, ContactReason, ConversationCreated, ConversationRef,
    ConversationState, KnowledgeSaved, KnowledgeText, KnowledgeVersion, SearchHit, SearchRequest,
    TicketItem, Trigger, VisitorProfile,
};
use shared::site::{EmailSettings, SiteSettings};
use worker::{Env, Stub};

/// Every call, as it travels to the object.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxCall {
    Online(Online),
    Enqueue(Enqueue),
    Dequeue(Dequeue),
    Fact(Fact),
    Ticket(Ticket),
    Tickets(Tickets),
    TicketAction(TicketAction),
    SendAnswer(SendAnswer),
    MailIn(MailIn),
    Reopen(Reopen),
    StopMail(StopMail),
    HeadVersion(HeadVersion),
    KnowledgeAt(KnowledgeAt),
    AddEntry(AddEntry),
    Head(Head),
    SaveKnowledge(SaveKnowledge),
    SaveEntries(SaveEntries),
    History(History),
    Forget(Forget),
    FindVisitor(FindVisitor),
    Mine(Mine),
    ResolvedSince(ResolvedSince),
    CannedReplies(CannedReplies),
    AddCanned(AddCanned),
    RemoveCanned(RemoveCanned),
    Settings(Settings),
    SaveSettings(SaveSettings),
    SiteState(SiteState),
    RefuseOrigin(RefuseOrigin),
    RotateIdentity(RotateIdentity),
    LatestOfUser(LatestOfUser),
    Identify(Identify),
    RefusedOrigins(RefusedOrigins),
    Revoke(Revoke),
    Alerts(Alerts),
    AddHook(AddHook),
    RemoveHook(RemoveHook),
    TestHook(TestHook),
    Index(Index),
    Search(Search),
    Profile(Profile),
    SeedSearch(SeedSearch),
}

calls!(InboxCall {
    Online => u32,
    Enqueue => (),
    Dequeue => (),
    Fact => (),
    Ticket => (),
    Tickets => Vec<TicketItem>,
    TicketAction => (),
    SendAnswer => Result<String, String>,
    MailIn => (),
    Reopen => ConversationCreated,
    StopMail => (),
    HeadVersion => i64,
    KnowledgeAt => String,
    AddEntry => KnowledgeSaved,
    Head => KnowledgeText,
    SaveKnowledge => KnowledgeSaved,
    SaveEntries => KnowledgeSaved,
    History => Vec<KnowledgeVersion>,
    Forget => (),
    FindVisitor => Vec<String>,
    Mine => Vec<ConversationRef>,
    ResolvedSince => Vec<ConversationRef>,
    CannedReplies => Vec<CannedReply>,
    AddCanned => CannedAdded,
    RemoveCanned => (),
    Settings => SiteSettings,
    SaveSettings => (),
    SiteState => SiteStateAnswer,
    RefuseOrigin => (),
    RotateIdentity => IdentityKeys,
    LatestOfUser => Option<String>,
    Identify => (),
    RefusedOrigins => Vec<RefusedOrigin>,
    Revoke => (),
    Alerts => AlertsView,
    AddHook => Hook,
    RemoveHook => (),
    TestHook => (),
    Index => (),
    Search => Vec<SearchHit>,
    Profile => VisitorProfile,
    SeedSearch => usize,
});

/// How many people of `team` are online.
#[derive(Debug, Serialize, Deserialize)]
pub struct Online {
    pub team: String,
}

/// A conversation waits for a person.
#[derive(Debug, Serialize, Deserialize)]
pub struct Enqueue {
    pub entry: QueueEntry,
    pub packet: Box<HandoffPacket>,
}

/// It leaves the queue; `claimed` records the wait for expected waits.
#[derive(Debug, Serialize, Deserialize)]
pub struct Dequeue {
    pub conversation_id: String,
    pub claimed: bool,
}

/// Facts of one conversation, for metrics; absent fields stay as they are.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Fact {
    pub conversation_id: String,
    #[serde(default)]
    pub created_ms: Option<i64>,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub trigger: Option<Trigger>,
    #[serde(default)]
    pub handoff_ms: Option<i64>,
    #[serde(default)]
    pub first_reply_ms: Option<i64>,
    #[serde(default)]
    pub resolved_ms: Option<i64>,
    #[serde(default)]
    pub rating: Option<u8>,
    /// The agent who last claimed it (their id), for "mine".
    #[serde(default)]
    pub agent: Option<String>,
    /// A person was asked for and none could come live.
    #[serde(default)]
    pub unmet: Option<ContactReason>,
}

/// The visitor left an e-mail address and a question for the team.
#[derive(Debug, Serialize, Deserialize)]
pub struct Ticket {
    pub conversation_id: String,
    pub team: String,
    pub email: String,
    pub question: String,
}

/// The tickets `agent` may read: open and answered ones, and those closed
/// in the last week.
#[derive(Debug, Serialize, Deserialize)]
pub struct Tickets {
    pub site: String,
    pub agent: AgentProfile,
}

/// An agent acts on the tickets of a conversation: takes them, records an
/// answer (refused if a colleague took them), or closes them.
#[derive(Debug, Serialize, Deserialize)]
pub struct TicketAction {
    pub conversation_id: String,
    pub site: String,
    pub agent: AgentProfile,
    pub action: TicketStep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStep {
    Take,
    Answered,
    Close,
}

/// The current knowledge-base version (seeded from the bundled file).
#[derive(Debug, Serialize, Deserialize)]
pub struct HeadVersion {
    pub site: String,
}

/// The text of one knowledge-base version.
#[derive(Debug, Serialize, Deserialize)]
pub struct KnowledgeAt {
    pub site: String,
    pub version: i64,
}

/// A knowledge-base version ready to answer visitors of one language: the
/// knowledge base and the index of the language that answers them (see
/// `shared::faq::StoredFaq`). Stored with the version, built on first ask;
/// answered on its own path (`index`), as bytes, by [`stored_faq`].
#[derive(Debug, Serialize, Deserialize)]
pub struct IndexOf {
    pub site: String,
    pub version: i64,
    /// The visitor's language tag (`en`, `de`, `es`); none: the site's
    /// default language.
    pub language: Option<String>,
}

/// An agent adds an entry: a new version.
#[derive(Debug, Serialize, Deserialize)]
pub struct AddEntry {
    pub site: String,
    pub author: String,
    pub entry: shared::faq::NewEntry,
}

/// The current version's number and text.
#[derive(Debug, Serialize, Deserialize)]
pub struct Head {
    pub site: String,
}

/// An admin saves an edited text: a new version, if it loads.
#[derive(Debug, Serialize, Deserialize)]
pub struct SaveKnowledge {
    pub site: String,
    pub author: String,
    pub toml: String,
}

/// An admin saves the entries edited as forms, over the version the form
/// was loaded from (a newer one refuses, so no change is lost).
#[derive(Debug, Serialize, Deserialize)]
pub struct SaveEntries {
    pub site: String,
    pub author: String,
    pub base_version: i64,
    pub entries: Vec<shared::faq::EntryForm>,
}

/// The edit history, newest first.
#[derive(Debug, Serialize, Deserialize)]
pub struct History {
    pub site: String,
}

/// A conversation was erased: forget its queue entry and e-mail tickets,
/// keep its metrics row without the id, log who did it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Forget {
    pub conversation_id: String,
    pub by: String,
}

/// Conversations whose visitor left this e-mail address, that `agent`
/// may read.
#[derive(Debug, Serialize, Deserialize)]
pub struct FindVisitor {
    pub email: String,
    pub site: String,
    pub agent: AgentProfile,
}

/// Claimed by this agent and not resolved.
#[derive(Debug, Serialize, Deserialize)]
pub struct Mine {
    pub agent: String,
}

/// Resolved since this time, that `agent` may read.
#[derive(Debug, Serialize, Deserialize)]
pub struct ResolvedSince {
    pub since_ms: i64,
    pub site: String,
    pub agent: AgentProfile,
}

/// Canned replies, of one team or all, of `agent`'s teams.
#[derive(Debug, Serialize, Deserialize)]
pub struct CannedReplies {
    pub team: Option<String>,
    pub agent: AgentProfile,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct AddCanned {
    pub reply: CannedReply,
}

/// Removes a canned reply of one of `agent`'s teams.
#[derive(Debug, Serialize, Deserialize)]
pub struct RemoveCanned {
    pub id: u64,
    pub agent: AgentProfile,
}

/// The site's saved settings (empty if never saved).
#[derive(Debug, Serialize, Deserialize)]
pub struct Settings;

/// These agent sessions ended: close their sockets now.
#[derive(Debug, Serialize, Deserialize)]
pub struct Revoke {
    pub sessions: Vec<String>,
}

/// What a new conversation needs to know of its site: the saved settings
/// and the current knowledge-base version (cached per isolate by
/// `sites::site_state`).
#[derive(Debug, Serialize, Deserialize)]
pub struct SiteState {
    pub site: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteStateAnswer {
    pub settings: SiteSettings,
    pub kb_version: i64,
    /// The secrets signed-in visitors' identities are checked with.
    pub identity: IdentityKeys,
}

/// An admin makes a new identity secret (the edge made `secret`); the
/// current one keeps working for a grace period.
#[derive(Debug, Serialize, Deserialize)]
pub struct RotateIdentity {
    pub secret: String,
    pub at_ms: i64,
    pub by: String,
}

/// The most recent conversation of one of the site's signed-in users.
#[derive(Debug, Serialize, Deserialize)]
pub struct LatestOfUser {
    pub user_id: String,
}

/// A new conversation belongs to a signed-in user.
#[derive(Debug, Serialize, Deserialize)]
pub struct Identify {
    pub conversation_id: String,
    pub user_id: String,
    pub at_ms: i64,
}

/// A page of `origin` asked for the launcher and was refused (`embed.rs`).
#[derive(Debug, Serialize, Deserialize)]
pub struct RefuseOrigin {
    pub origin: String,
    pub at_ms: i64,
}

/// The refused origins kept, most recently seen first.
#[derive(Debug, Serialize, Deserialize)]
pub struct RefusedOrigins;

/// An admin saves the site's settings (checked by the worker first).
#[derive(Debug, Serialize, Deserialize)]
pub struct SaveSettings {
    pub settings: SiteSettings,
    pub by: String,
}

pub fn stub(env: &Env, site: &str) -> worker::Result<Stub> {
    env.durable_object("INBOX")?.id_from_name(site)?.get_stub()
}

/// Sends one call to a site's inbox and returns its answer.
pub async fn call<C>(env: &Env, site: &str, c: C) -> EdgeResult<C::Answer>
where
    C: Call + Into<InboxCall>,
{
    let wire: InboxCall = c.into();
    object::call(&stub(env, site)?, "https://inbox/call", &wire).await
}

/// Asks a site's inbox for a stored version (see [`IndexOf`]).
pub async fn stored_faq(env: &Env, c: IndexOf) -> EdgeResult<Vec<u8>> {
    object::call_for_bytes(&stub(env, &c.site)?, "https://inbox/index", &c).await
}

/// A call whose answer does not matter; a failure is logged, because a
/// visitor's message must not fail over bookkeeping.
pub async fn tell<C>(env: &Env, site: &str, c: C)
where
    C: Call + Into<InboxCall>,
{
    if let Err(EdgeError { message, .. }) = call(env, site, c).await {
        worker::console_error!("inbox: {message}");
    }
}

/// An agent answered a left question: send the answer to the visitor's
/// address, if the site sends e-mail and the visitor did not say stop.
/// Answered with the address it went to, or why it did not go.
#[derive(Debug, Serialize, Deserialize)]
pub struct SendAnswer {
    pub conversation_id: String,
    pub site: String,
    pub settings: EmailSettings,
    /// The edge's public origin, for the links in the mail.
    pub origin: String,
    pub email: String,
    pub question: String,
    pub answer: String,
    pub agent_name: String,
    /// `en`, `de` or `es`: the conversation's language.
    pub language: String,
}

/// A visitor's e-mail reply, checked and reduced to its new text by the
/// worker; the token is the one in the address it was sent to.
#[derive(Debug, Serialize, Deserialize)]
pub struct MailIn {
    pub token: String,
    /// The sender's addresses (header `From` and envelope), either of which
    /// must be the address the visitor left.
    pub senders: Vec<String>,
    pub text: String,
}

/// The link in an answer mail was opened: its single-use token for a new
/// visitor secret of that conversation.
#[derive(Debug, Serialize, Deserialize)]
pub struct Reopen {
    pub token: String,
}

/// The visitor wants no more e-mail about this conversation.
#[derive(Debug, Serialize, Deserialize)]
pub struct StopMail {
    pub token: String,
}

/// The site's alert hooks and their latest deliveries.
#[derive(Debug, Serialize, Deserialize)]
pub struct Alerts;

/// An admin adds a hook (its address checked); `panel_url` is where its
/// alerts link to.
#[derive(Debug, Serialize, Deserialize)]
pub struct AddHook {
    pub site: String,
    pub hook: NewHook,
    pub panel_url: String,
    pub by: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RemoveHook {
    pub id: i64,
}

/// "Send a test" to one hook.
#[derive(Debug, Serialize, Deserialize)]
pub struct TestHook {
    pub id: i64,
}

/// What the site's search knows of a conversation: its summary now, and
/// the lines written since the last call (`search.rs`).
#[derive(Debug, Serialize, Deserialize)]
pub struct Index {
    pub conversation_id: String,
    /// The visitor's previous conversation in the same browser.
    pub follows: Option<String>,
    pub visitor_name: Option<String>,
    pub verified: Option<VerifiedVisitor>,
    /// The visitor's open question (the packet's), else their first words.
    pub topic: Option<String>,
    pub state: ConversationState,
    pub created_ms: i64,
    pub last_ms: i64,
    /// The hand-off packet's reasons, if there is one.
    pub packet: Option<String>,
    pub lines: Vec<IndexLine>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct IndexLine {
    pub seq: u64,
    /// "visitor", "ai" or the agent's name.
    pub who: String,
    pub text: String,
}

/// Conversations matching a search, that `agent` may read.
#[derive(Debug, Serialize, Deserialize)]
pub struct Search {
    pub agent: AgentProfile,
    pub search: SearchRequest,
}

/// The visitor of a conversation (which `agent` may read): who they are,
/// their conversations and questions.
#[derive(Debug, Serialize, Deserialize)]
pub struct Profile {
    pub conversation_id: String,
    pub site: String,
    pub follows: Option<String>,
    pub visitor_name: Option<String>,
    pub verified: Option<VerifiedVisitor>,
    pub agent: AgentProfile,
}

/// Made-up conversations for the search benchmark (`seed.rs`).
#[derive(Debug, Serialize, Deserialize)]
pub struct SeedSearch {
    pub start: u64,
    pub count: u64,
    pub now_ms: i64,
}
