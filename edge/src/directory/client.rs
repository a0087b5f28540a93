//! How the worker and the other objects call the `Directory`: one struct
//! per call, carried in [`DirectoryCall`], each with its answer.

use crate::error::{EdgeError, EdgeResult};
use crate::object::{self, calls, Call};
use serde::{Deserialize, Serialize};
use shared::protocol::{AgentAccount, AgentProfile, AgentSession, ErrorCode, NewAgent};
use worker::Env;

/// Every call, as it travels to the object.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryCall {
    Login(Login),
    Session(Session),
    Alive(Alive),
    Logout(Logout),
    Colleague(Colleague),
    Admin(Admin),
}

calls!(DirectoryCall {
    Login => LoggedIn,
    Session => SessionAnswer,
    Alive => AgentProfile,
    Logout => (),
    Colleague => AgentProfile,
    Admin => AdminAnswer,
});

/// An agent logs in from `address` (`http::client_address`).
#[derive(Debug, Serialize, Deserialize)]
pub struct Login {
    pub email: String,
    pub password: String,
    pub address: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LoggedIn {
    pub token: String,
    pub session: AgentSession,
}

/// The session of a cookie's token. With `socket`, the socket about to be
/// opened with it is recorded, so ending the session closes it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    #[serde(default)]
    pub socket: Option<SocketAt>,
}

/// Where an agent's socket is: a site's inbox or a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SocketAt {
    Inbox(String),
    Conversation(String),
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SessionAnswer {
    pub session: AgentSession,
    /// The session's id (the hash of its token), carried with the agent
    /// to the objects so they know which sockets a revocation closes.
    pub id: String,
}

/// Is this session (by id) still valid? Answered with the agent's profile
/// as it is now, or "please log in". Asked before every state-changing
/// frame on an agent's socket.
#[derive(Debug, Serialize, Deserialize)]
pub struct Alive {
    pub session: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Logout {
    pub token: String,
}

/// An active (not disabled) agent's profile, for a transfer to them.
#[derive(Debug, Serialize, Deserialize)]
pub struct Colleague {
    pub id: String,
}

/// An admin's call; `by` (their id) may not lock themselves out.
#[derive(Debug, Serialize, Deserialize)]
pub struct Admin {
    pub by: String,
    pub call: AdminCall,
}

/// What an admin asks the directory to do.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminCall {
    List,
    Add(NewAgent),
    /// Disabling also ends the agent's sessions and closes their sockets.
    SetDisabled {
        id: String,
        disabled: bool,
    },
    Remove {
        id: String,
    },
}

/// The answer to an [`AdminCall`], as the route sends it on.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AdminAnswer {
    Agents(Vec<AgentAccount>),
    Added { id: String },
    Done {},
}

pub async fn call<C>(env: &Env, c: C) -> EdgeResult<C::Answer>
where
    C: Call + Into<DirectoryCall>,
{
    let stub = env
        .durable_object("DIRECTORY")?
        .id_from_name("directory")?
        .get_stub()?;
    let wire: DirectoryCall = c.into();
    object::call(&stub, "https://directory/call", &wire).await
}

pub fn not_logged_in() -> EdgeError {
    EdgeError::new(ErrorCode::Unauthorized, "Please log in.")
}
