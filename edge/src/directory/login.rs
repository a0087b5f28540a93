//! Logging in, with limits that slow a guesser down without handing them a
//! way to lock the owner out (README "Security"):
//!
//! - per account *and* address: 5 failures in 15 minutes and that address
//!   may not try this account again until the window ends;
//! - per address: 20 failures in 15 minutes, whatever the accounts;
//! - per account, from every address: after 10 failures in 15 minutes,
//!   attempts from addresses the agent has not logged in from before are
//!   slowed to one every 10 seconds for the whole account (a delay, never
//!   a lock); addresses the agent logged in from in the last 30 days are
//!   not slowed, so the owner logs in as usual.
//!
//! An e-mail address over 254 bytes is refused before it becomes a key.

use super::{Directory, LoggedIn, Login, SESSION_TTL_MS};
use crate::credentials;
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::password;
use serde::Deserialize;
use shared::protocol::{AgentSession, ErrorCode};

const WINDOW_MS: i64 = 15 * 60 * 1000;
const FAILURES_PER_ACCOUNT_AND_ADDRESS: i64 = 5;
const FAILURES_PER_ADDRESS: i64 = 20;
/// Failures on one account, from anywhere, before new addresses are slowed.
const FAILURES_BEFORE_SLOWING: i64 = 10;
/// One attempt per this long on a slowed account from a new address.
const SLOW_EVERY_MS: i64 = 10_000;
/// How long an address an agent logged in from stays known.
const KNOWN_FOR_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// Longest e-mail address (RFC 5321) and address key.
const MAX_EMAIL_BYTES: usize = 254;
const MAX_ADDRESS_BYTES: usize = 64;

/// A valid hash of a random password, verified for unknown e-mails.
const DUMMY_HASH: &str = "pbkdf2-sha256$100000$00000000000000000000000000000000$0000000000000000000000000000000000000000000000000000000000000000";

fn bad_login() -> EdgeError {
    EdgeError::new(ErrorCode::BadLogin, "E-mail or password is not right.")
}

impl Directory {
    pub(super) async fn login(&self, call: Login) -> EdgeResult<LoggedIn> {
        let email = call.email.trim().to_lowercase();
        if email.len() > MAX_EMAIL_BYTES || call.address.len() > MAX_ADDRESS_BYTES {
            return Err(bad_login());
        }
        let now = now_ms();
        // Old windows go, so the table holds only what counts now.
        self.sql().exec(
            "DELETE FROM failures WHERE since_ms <= ?",
            vec![(now - WINDOW_MS).into()],
        )?;
        let pair = format!("pair:{email}|{}", call.address);
        let address = format!("address:{}", call.address);
        let account = format!("account:{email}");
        for (key, max) in [
            (&pair, FAILURES_PER_ACCOUNT_AND_ADDRESS),
            (&address, FAILURES_PER_ADDRESS),
        ] {
            let (count, since) = self.failures(key, now)?;
            if count >= max {
                let retry = ((since + WINDOW_MS - now).max(1_000) / 1000) as u32;
                return Err(EdgeError::rate_limited(
                    "Too many failed logins from here. Please wait and try again.",
                    retry,
                ));
            }
        }
        let agent = self.agent_by_email(&email)?.filter(|a| a.disabled == 0);
        let known = match &agent {
            Some(a) => self.known_address(&a.id, &call.address, now)?,
            None => false,
        };
        if !known && self.failures(&account, now)?.0 >= FAILURES_BEFORE_SLOWING {
            self.take_slow_slot(&email, now)?;
        }
        // Verify against a real hash even for an unknown e-mail, so timing
        // does not tell which accounts exist.
        let stored = agent.as_ref().map_or(DUMMY_HASH, |a| a.password.as_str());
        let ok = password::verify(&call.password, stored).await? && agent.is_some();
        let Some(agent) = agent.filter(|_| ok) else {
            for key in [&pair, &address, &account] {
                self.count_failure(key, now)?;
            }
            return Err(bad_login());
        };
        self.sql()
            .exec("DELETE FROM failures WHERE key = ?", vec![pair.into()])?;
        self.sql().exec(
            "INSERT OR REPLACE INTO known_addresses (agent_id, address, last_ms) VALUES (?, ?, ?)",
            vec![agent.id.clone().into(), call.address.into(), now.into()],
        )?;
        let token = credentials::new_secret();
        let csrf = credentials::new_secret();
        let expires = now + SESSION_TTL_MS;
        self.sql().exec(
            "INSERT INTO sessions (token_hash, agent_id, csrf, expires_ms) VALUES (?, ?, ?, ?)",
            vec![
                credentials::hash(&token).into(),
                agent.id.clone().into(),
                csrf.clone().into(),
                expires.into(),
            ],
        )?;
        self.arm_expiry().await?;
        Ok(LoggedIn {
            token,
            session: AgentSession {
                agent: super::profile(agent)?,
                csrf_token: csrf,
            },
        })
    }

    /// Failures under `key` in the current window, and when it began.
    fn failures(&self, key: &str, now: i64) -> EdgeResult<(i64, i64)> {
        #[derive(Deserialize)]
        struct Row {
            count: i64,
            since_ms: i64,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec(
                "SELECT count, since_ms FROM failures WHERE key = ? AND since_ms > ?",
                vec![key.into(), (now - WINDOW_MS).into()],
            )?
            .to_array()?;
        Ok(rows.first().map_or((0, now), |r| (r.count, r.since_ms)))
    }

    fn count_failure(&self, key: &str, now: i64) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT INTO failures (key, since_ms, count) VALUES (?, ?, 1)
             ON CONFLICT (key) DO UPDATE SET
               count = CASE WHEN since_ms <= ? THEN 1 ELSE count + 1 END,
               since_ms = CASE WHEN since_ms <= ? THEN excluded.since_ms ELSE since_ms END",
            vec![
                key.into(),
                now.into(),
                (now - WINDOW_MS).into(),
                (now - WINDOW_MS).into(),
            ],
        )?;
        Ok(())
    }

    fn known_address(&self, agent_id: &str, address: &str, now: i64) -> EdgeResult<bool> {
        #[derive(Deserialize)]
        struct Row {
            last_ms: i64,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec(
                "SELECT last_ms FROM known_addresses WHERE agent_id = ? AND address = ?",
                vec![agent_id.into(), address.into()],
            )?
            .to_array()?;
        Ok(rows.first().is_some_and(|r| now - r.last_ms < KNOWN_FOR_MS))
    }

    /// A slowed account takes one attempt from a new address per
    /// [`SLOW_EVERY_MS`]; one that comes sooner is told when to try again.
    fn take_slow_slot(&self, email: &str, now: i64) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct Row {
            since_ms: i64,
        }
        let key = format!("slow:{email}");
        let rows: Vec<Row> = self
            .sql()
            .exec(
                "SELECT since_ms FROM failures WHERE key = ?",
                vec![key.clone().into()],
            )?
            .to_array()?;
        if let Some(last) = rows.first().map(|r| r.since_ms) {
            if now - last < SLOW_EVERY_MS {
                let retry = ((last + SLOW_EVERY_MS - now).max(1_000) / 1000) as u32;
                return Err(EdgeError::rate_limited(
                    "This account had many failed logins. Please wait a few seconds and try again.",
                    retry,
                ));
            }
        }
        self.sql().exec(
            "INSERT OR REPLACE INTO failures (key, since_ms, count) VALUES (?, ?, 0)",
            vec![key.into(), now.into()],
        )?;
        Ok(())
    }
}
