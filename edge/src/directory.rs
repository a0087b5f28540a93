//! The `Directory` Durable Object: agent accounts and their sessions, one
//! instance for the deployment. Passwords are PBKDF2 hashes
//! (`password.rs`); session tokens are stored as SHA-256 hashes, each with
//! its CSRF token and expiry. Failed logins are limited per account and per
//! address.
//!
//! The first agents come from the `AGENTS` setting (a secret in
//! production; `cargo xtask dev` writes one to `.dev.vars` and prints the
//! login), read once, when the directory has no agents yet.

use crate::credentials;
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::object::{self, answer, calls, Call};
use crate::password;
use serde::{Deserialize, Serialize};
use shared::protocol::{AgentAccount, AgentProfile, AgentSession, ErrorCode, NewAgent};
use worker::{durable_object, DurableObject, Env, Request, Response, SqlStorage, State};

/// How long a session lasts.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;
/// Failed logins allowed per window, per account and per address.
const FAILURES_PER_ACCOUNT: i64 = 5;
const FAILURES_PER_ADDRESS: i64 = 20;
const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;

/// Every call, as it travels to the object.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryCall {
    Login(Login),
    Session(Session),
    Logout(Logout),
    Colleague(Colleague),
    Admin(Admin),
}

calls!(DirectoryCall {
    Login => LoggedIn,
    Session => AgentSession,
    Logout => (),
    Colleague => AgentProfile,
    Admin => AdminAnswer,
});

/// An agent logs in from `address`.
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

/// The session of a cookie's token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
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
    /// Disabling also ends the agent's sessions at once.
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

/// An agent from the `AGENTS` setting.
#[derive(Debug, Deserialize)]
struct Seed {
    name: String,
    email: String,
    password: String,
    #[serde(default)]
    teams: Vec<String>,
    #[serde(default)]
    admin: bool,
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

/// Shortest agent password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

#[durable_object]
pub struct Directory {
    state: State,
    env: Env,
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS agents (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL UNIQUE,
        teams TEXT NOT NULL,
        admin INTEGER NOT NULL,
        password TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        csrf TEXT NOT NULL,
        expires_ms INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS failures (
        key TEXT PRIMARY KEY,
        since_ms INTEGER NOT NULL,
        count INTEGER NOT NULL)",
];

#[derive(Deserialize)]
struct AgentRow {
    id: String,
    name: String,
    email: String,
    teams: String,
    admin: i64,
    password: String,
    disabled: i64,
}

#[derive(Deserialize)]
struct SessionRow {
    agent_id: String,
    csrf: String,
}

#[derive(Deserialize)]
struct CountRow {
    n: i64,
}

impl DurableObject for Directory {
    fn new(state: State, env: Env) -> Self {
        object::create_tables(&state.storage().sql(), "directory", SCHEMA, &[]);
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let body = req.text().await?;
        let result = async {
            self.seed().await?;
            match serde_json::from_str::<DirectoryCall>(&body)? {
                DirectoryCall::Login(c) => answer::<Login>(self.login(c).await),
                DirectoryCall::Session(c) => answer::<Session>(self.session(&c.token)),
                DirectoryCall::Logout(c) => answer::<Logout>(self.logout(&c.token)),
                DirectoryCall::Colleague(c) => answer::<Colleague>(self.colleague(&c.id)),
                DirectoryCall::Admin(c) => answer::<Admin>(self.admin(&c.by, c.call).await),
            }
        }
        .await;
        Ok(result.unwrap_or_else(EdgeError::into_response))
    }
}

impl Directory {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    /// Creates the agents of the `AGENTS` setting when there are none yet.
    async fn seed(&self) -> EdgeResult<()> {
        let count: Vec<CountRow> = self
            .sql()
            .exec("SELECT COUNT(*) AS n FROM agents", None)?
            .to_array()?;
        if count.first().is_some_and(|c| c.n > 0) {
            return Ok(());
        }
        let Ok(raw) = self
            .env
            .secret("AGENTS")
            .map(|v| v.to_string())
            .or_else(|_| self.env.var("AGENTS").map(|v| v.to_string()))
        else {
            return Ok(());
        };
        let seeds: Vec<Seed> = serde_json::from_str(&raw).map_err(|e| {
            EdgeError::new(ErrorCode::Internal, format!("AGENTS is not valid: {e}"))
        })?;
        for seed in seeds {
            let hash = password::hash(&seed.password).await?;
            self.sql().exec(
                "INSERT OR IGNORE INTO agents (id, name, email, teams, admin, password, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                vec![
                    uuid::Uuid::new_v4().to_string().into(),
                    shared::text::clean_name(&seed.name, 60).into(),
                    seed.email.trim().to_lowercase().into(),
                    serde_json::to_string(&seed.teams)?.into(),
                    i64::from(seed.admin).into(),
                    hash.into(),
                    now_ms().into(),
                ],
            )?;
        }
        Ok(())
    }

    fn logout(&self, token: &str) -> EdgeResult<()> {
        self.sql().exec(
            "DELETE FROM sessions WHERE token_hash = ?",
            vec![credentials::hash(token).into()],
        )?;
        Ok(())
    }

    fn colleague(&self, id: &str) -> EdgeResult<AgentProfile> {
        let agent = self
            .agent_by("id", id)?
            .filter(|a| a.disabled == 0)
            .ok_or_else(|| EdgeError::new(ErrorCode::NotFound, "There is no such active agent."))?;
        profile(agent)
    }

    async fn login(&self, call: Login) -> EdgeResult<LoggedIn> {
        let email = call.email.trim().to_lowercase();
        let now = now_ms();
        let keys = [
            (format!("account:{email}"), FAILURES_PER_ACCOUNT),
            (format!("address:{}", call.address), FAILURES_PER_ADDRESS),
        ];
        for (key, max) in &keys {
            if self.failures(key, now)? >= *max {
                return Err(EdgeError::new(
                    ErrorCode::RateLimited,
                    "Too many failed logins. Please wait 15 minutes and try again.",
                ));
            }
        }
        let agent = self.agent_by("email", &email)?.filter(|a| a.disabled == 0);
        // Verify against a real hash even for an unknown e-mail, so timing
        // does not tell which accounts exist.
        let stored = agent.as_ref().map_or(DUMMY_HASH, |a| a.password.as_str());
        let ok = password::verify(&call.password, stored).await? && agent.is_some();
        let Some(agent) = agent.filter(|_| ok) else {
            for (key, _) in &keys {
                self.sql().exec(
                    "INSERT INTO failures (key, since_ms, count) VALUES (?, ?, 1)
                     ON CONFLICT (key) DO UPDATE SET
                       count = CASE WHEN since_ms <= ? THEN 1 ELSE count + 1 END,
                       since_ms = CASE WHEN since_ms <= ? THEN excluded.since_ms ELSE since_ms END",
                    vec![
                        key.clone().into(),
                        now.into(),
                        (now - FAILURE_WINDOW_MS).into(),
                        (now - FAILURE_WINDOW_MS).into(),
                    ],
                )?;
            }
            return Err(EdgeError::new(
                ErrorCode::BadLogin,
                "E-mail or password is not right.",
            ));
        };
        self.sql().exec(
            "DELETE FROM failures WHERE key = ?",
            vec![keys[0].0.clone().into()],
        )?;
        self.sql().exec(
            "DELETE FROM sessions WHERE expires_ms <= ?",
            vec![now.into()],
        )?;
        let token = credentials::new_secret();
        let csrf = credentials::new_secret();
        self.sql().exec(
            "INSERT INTO sessions (token_hash, agent_id, csrf, expires_ms) VALUES (?, ?, ?, ?)",
            vec![
                credentials::hash(&token).into(),
                agent.id.clone().into(),
                csrf.clone().into(),
                (now + SESSION_TTL_MS).into(),
            ],
        )?;
        Ok(LoggedIn {
            token,
            session: AgentSession {
                agent: profile(agent)?,
                csrf_token: csrf,
            },
        })
    }

    async fn admin(&self, by: &str, call: AdminCall) -> EdgeResult<AdminAnswer> {
        let not_yourself = || {
            EdgeError::new(
                ErrorCode::WrongState,
                "You cannot disable or remove yourself.",
            )
        };
        match call {
            AdminCall::List => {
                let rows: Vec<AgentRow> = self
                    .sql()
                    .exec("SELECT id, name, email, teams, admin, password, disabled FROM agents ORDER BY name", None)?
                    .to_array()?;
                let mut accounts = Vec::new();
                for row in rows {
                    let disabled = row.disabled != 0;
                    accounts.push(AgentAccount {
                        profile: profile(row)?,
                        disabled,
                    });
                }
                Ok(AdminAnswer::Agents(accounts))
            }
            AdminCall::Add(new) => {
                let name = shared::text::clean_name(&new.name, 60);
                if name.is_empty() {
                    return Err(EdgeError::new(
                        ErrorCode::Malformed,
                        "An agent needs a name.",
                    ));
                }
                let email = shared::text::valid_email(&new.email)?.to_lowercase();
                if new.password.chars().count() < MIN_PASSWORD_CHARS {
                    let message =
                        format!("A password needs at least {MIN_PASSWORD_CHARS} characters.");
                    return Err(EdgeError::new(ErrorCode::Malformed, message));
                }
                if self.agent_by("email", &email)?.is_some() {
                    return Err(EdgeError::new(
                        ErrorCode::AlreadyExists,
                        "An agent with this e-mail address exists already.",
                    ));
                }
                let id = uuid::Uuid::new_v4().to_string();
                let hash = password::hash(&new.password).await?;
                self.sql().exec(
                    "INSERT INTO agents (id, name, email, teams, admin, password, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    vec![
                        id.clone().into(),
                        name.into(),
                        email.into(),
                        serde_json::to_string(&new.teams)?.into(),
                        i64::from(new.admin).into(),
                        hash.into(),
                        now_ms().into(),
                    ],
                )?;
                Ok(AdminAnswer::Added { id })
            }
            AdminCall::SetDisabled { id, disabled } => {
                if id == by {
                    return Err(not_yourself());
                }
                self.agent_by("id", &id)?
                    .ok_or_else(|| EdgeError::new(ErrorCode::NotFound, "No such agent."))?;
                self.sql().exec(
                    "UPDATE agents SET disabled = ? WHERE id = ?",
                    vec![i64::from(disabled).into(), id.clone().into()],
                )?;
                if disabled {
                    self.sql()
                        .exec("DELETE FROM sessions WHERE agent_id = ?", vec![id.into()])?;
                }
                Ok(AdminAnswer::Done {})
            }
            AdminCall::Remove { id } => {
                if id == by {
                    return Err(not_yourself());
                }
                self.agent_by("id", &id)?
                    .ok_or_else(|| EdgeError::new(ErrorCode::NotFound, "No such agent."))?;
                self.sql().exec(
                    "DELETE FROM sessions WHERE agent_id = ?",
                    vec![id.clone().into()],
                )?;
                self.sql()
                    .exec("DELETE FROM agents WHERE id = ?", vec![id.into()])?;
                Ok(AdminAnswer::Done {})
            }
        }
    }

    fn failures(&self, key: &str, now: i64) -> EdgeResult<i64> {
        let rows: Vec<CountRow> = self
            .sql()
            .exec(
                "SELECT count AS n FROM failures WHERE key = ? AND since_ms > ?",
                vec![key.into(), (now - FAILURE_WINDOW_MS).into()],
            )?
            .to_array()?;
        Ok(rows.first().map_or(0, |r| r.n))
    }

    fn session(&self, token: &str) -> EdgeResult<AgentSession> {
        let rows: Vec<SessionRow> = self
            .sql()
            .exec(
                "SELECT agent_id, csrf FROM sessions WHERE token_hash = ? AND expires_ms > ?",
                vec![credentials::hash(token).into(), now_ms().into()],
            )?
            .to_array()?;
        let row = rows.into_iter().next().ok_or_else(not_logged_in)?;
        let agent = self
            .agent_by("id", &row.agent_id)?
            .filter(|a| a.disabled == 0)
            .ok_or_else(not_logged_in)?;
        Ok(AgentSession {
            agent: profile(agent)?,
            csrf_token: row.csrf,
        })
    }

    fn agent_by(&self, column: &str, value: &str) -> EdgeResult<Option<AgentRow>> {
        let query = match column {
            "email" => "SELECT id, name, email, teams, admin, password, disabled FROM agents WHERE email = ?",
            _ => "SELECT id, name, email, teams, admin, password, disabled FROM agents WHERE id = ?",
        };
        let rows: Vec<AgentRow> = self.sql().exec(query, vec![value.into()])?.to_array()?;
        Ok(rows.into_iter().next())
    }
}

/// A valid hash of a random password, verified for unknown e-mails.
const DUMMY_HASH: &str =
    "pbkdf2-sha256$100000$00000000000000000000000000000000$0000000000000000000000000000000000000000000000000000000000000000";

pub fn not_logged_in() -> EdgeError {
    EdgeError::new(ErrorCode::Unauthorized, "Please log in.")
}

fn profile(a: AgentRow) -> EdgeResult<AgentProfile> {
    Ok(AgentProfile {
        id: a.id,
        name: a.name,
        email: a.email,
        teams: serde_json::from_str(&a.teams)?,
        admin: a.admin != 0,
    })
}
