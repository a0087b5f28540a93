//! The `Directory` Durable Object: agent accounts and their sessions, one
//! instance for the deployment. Passwords are PBKDF2 hashes
//! (`password.rs`); session tokens are stored as SHA-256 hashes, each with
//! its CSRF token and expiry.
//!
//! The parts: `client` (its calls), `login` (logging in, with limits that
//! cannot lock the owner out), `sessions` (sessions, the agents' sockets
//! they opened, and revocation, which closes those sockets at once),
//! `accounts` (admins manage agents).
//!
//! The first agents come from the `AGENTS` setting (a secret in
//! production; `cargo xtask dev` writes one to `.dev.vars` and prints the
//! login), read once, when the directory has no agents yet.

mod accounts;
mod client;
mod login;
mod sessions;

pub use client::*;

use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::object::{answer, Schema};
use crate::password;
use serde::Deserialize;
use shared::protocol::{AgentProfile, ErrorCode};
use std::cell::Cell;
use worker::{durable_object, DurableObject, Env, Request, Response, SqlStorage, State};

/// How long a session lasts.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// Shortest agent password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

#[durable_object]
pub struct Directory {
    state: State,
    env: Env,
    /// The `AGENTS` seed was checked in this instance.
    seeded: Cell<bool>,
}

const SCHEMA: Schema = Schema {
    object: "directory",
    tables: &[
        "CREATE TABLE IF NOT EXISTS agents (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT NOT NULL UNIQUE,
            teams TEXT NOT NULL,
            sites TEXT NOT NULL DEFAULT '[]',
            admin INTEGER NOT NULL,
            password TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_ms INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS sessions (
            token_hash TEXT PRIMARY KEY,
            agent_id TEXT NOT NULL,
            csrf TEXT NOT NULL,
            expires_ms INTEGER NOT NULL)",
        // The sockets each session opened, so ending it closes them.
        "CREATE TABLE IF NOT EXISTS sockets (
            session TEXT NOT NULL,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            PRIMARY KEY (session, kind, name))",
        "CREATE TABLE IF NOT EXISTS failures (
            key TEXT PRIMARY KEY,
            since_ms INTEGER NOT NULL,
            count INTEGER NOT NULL)",
        // Addresses an agent logged in from: they pass the account-wide
        // slow-down an attacker's failures cause.
        "CREATE TABLE IF NOT EXISTS known_addresses (
            agent_id TEXT NOT NULL,
            address TEXT NOT NULL,
            last_ms INTEGER NOT NULL,
            PRIMARY KEY (agent_id, address))",
    ],
    migrations: &["ALTER TABLE agents ADD COLUMN sites TEXT NOT NULL DEFAULT '[]'"],
};

#[derive(Deserialize)]
struct AgentRow {
    id: String,
    name: String,
    email: String,
    teams: String,
    sites: String,
    admin: i64,
    password: String,
    disabled: i64,
}

const AGENT_COLUMNS: &str = "id, name, email, teams, sites, admin, password, disabled";

#[derive(Deserialize)]
struct CountRow {
    n: i64,
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
    sites: Vec<String>,
    #[serde(default)]
    admin: bool,
}

impl DurableObject for Directory {
    fn new(state: State, env: Env) -> Self {
        if let Err(e) = SCHEMA.open_or_create(&state.storage().sql()) {
            worker::console_error!("directory schema: {}", e.message);
        }
        Self {
            state,
            env,
            seeded: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let body = req.text().await?;
        let result = async {
            self.seed().await?;
            match serde_json::from_str::<DirectoryCall>(&body)? {
                DirectoryCall::Login(c) => answer::<Login>(self.login(c).await),
                DirectoryCall::Session(c) => answer::<Session>(self.session(c).await),
                DirectoryCall::Alive(c) => answer::<Alive>(self.alive(&c.session)),
                DirectoryCall::Logout(c) => answer::<Logout>(self.logout(&c.token).await),
                DirectoryCall::Colleague(c) => answer::<Colleague>(self.colleague(&c.id)),
                DirectoryCall::Admin(c) => answer::<Admin>(self.admin(&c.by, c.call).await),
            }
        }
        .await;
        Ok(result.unwrap_or_else(EdgeError::into_response))
    }

    /// Sessions that expired: their sockets are closed like a logout's.
    async fn alarm(&self) -> worker::Result<Response> {
        if let Err(e) = self.end_expired_sessions().await {
            worker::console_error!("directory alarm: {}", e.message);
        }
        Response::empty()
    }
}

impl Directory {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    /// Creates the agents of the `AGENTS` setting when there are none yet.
    async fn seed(&self) -> EdgeResult<()> {
        if self.seeded.get() {
            return Ok(());
        }
        let count: Vec<CountRow> = self
            .sql()
            .exec("SELECT COUNT(*) AS n FROM agents", None)?
            .to_array()?;
        if count.first().is_some_and(|c| c.n > 0) {
            self.seeded.set(true);
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
                "INSERT OR IGNORE INTO agents (id, name, email, teams, sites, admin, password, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                vec![
                    uuid::Uuid::new_v4().to_string().into(),
                    shared::text::clean_name(&seed.name, 60).into(),
                    seed.email.trim().to_lowercase().into(),
                    serde_json::to_string(&seed.teams)?.into(),
                    serde_json::to_string(&seed.sites)?.into(),
                    i64::from(seed.admin).into(),
                    hash.into(),
                    now_ms().into(),
                ],
            )?;
        }
        self.seeded.set(true);
        Ok(())
    }

    fn agent_by_email(&self, email: &str) -> EdgeResult<Option<AgentRow>> {
        let query = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE email = ?");
        let rows: Vec<AgentRow> = self.sql().exec(&query, vec![email.into()])?.to_array()?;
        Ok(rows.into_iter().next())
    }

    fn agent_by_id(&self, id: &str) -> EdgeResult<Option<AgentRow>> {
        let query = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = ?");
        let rows: Vec<AgentRow> = self.sql().exec(&query, vec![id.into()])?.to_array()?;
        Ok(rows.into_iter().next())
    }

    fn colleague(&self, id: &str) -> EdgeResult<AgentProfile> {
        let agent = self
            .agent_by_id(id)?
            .filter(|a| a.disabled == 0)
            .ok_or_else(|| EdgeError::new(ErrorCode::NotFound, "There is no such active agent."))?;
        profile(agent)
    }
}

fn profile(a: AgentRow) -> EdgeResult<AgentProfile> {
    Ok(AgentProfile {
        id: a.id,
        name: a.name,
        email: a.email,
        teams: serde_json::from_str(&a.teams)?,
        sites: serde_json::from_str(&a.sites)?,
        admin: a.admin != 0,
    })
}
