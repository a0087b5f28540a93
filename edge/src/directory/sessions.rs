//! Sessions: checked on every agent request and, by id, before every
//! state-changing frame on an agent's socket. Each session remembers the
//! sockets it opened, so logging out, being disabled or removed, or the
//! session expiring closes them at once, in every object.

use super::{not_logged_in, Directory, Session, SessionAnswer, SocketAt};
use crate::conversation;
use crate::credentials;
use crate::error::EdgeResult;
use crate::http::now_ms;
use crate::inbox;
use crate::object;
use serde::Deserialize;
use shared::protocol::{AgentProfile, AgentSession};

/// Most sockets remembered per session (the oldest are forgotten; a
/// forgotten socket still fails the check on its next frame).
const MAX_SOCKETS_PER_SESSION: i64 = 200;

#[derive(Deserialize)]
struct SessionRow {
    agent_id: String,
    csrf: String,
}

#[derive(Deserialize)]
struct SocketRow {
    session: String,
    kind: String,
    name: String,
}

impl Directory {
    /// The session of a token, recording the socket it is about to open.
    pub(super) async fn session(&self, c: Session) -> EdgeResult<SessionAnswer> {
        let id = credentials::hash(&c.token);
        let (agent, csrf) = self.valid(&id)?;
        if let Some(at) = c.socket {
            let (kind, name) = match at {
                SocketAt::Inbox(site) => ("inbox", site),
                SocketAt::Conversation(conversation) => ("conversation", conversation),
            };
            self.sql().exec(
                "INSERT OR REPLACE INTO sockets (session, kind, name, at_ms) VALUES (?, ?, ?, ?)",
                vec![id.clone().into(), kind.into(), name.into(), now_ms().into()],
            )?;
            self.sql().exec(
                "DELETE FROM sockets WHERE session = ?1 AND at_ms < (
                   SELECT at_ms FROM sockets WHERE session = ?1 ORDER BY at_ms DESC LIMIT 1 OFFSET ?2)",
                vec![id.clone().into(), (MAX_SOCKETS_PER_SESSION - 1).into()],
            )?;
        }
        Ok(SessionAnswer {
            session: AgentSession {
                agent,
                csrf_token: csrf,
            },
            id,
        })
    }

    /// The agent of a valid session, as their account is now.
    pub(super) fn alive(&self, session: &str) -> EdgeResult<AgentProfile> {
        self.valid(session).map(|(agent, _)| agent)
    }

    fn valid(&self, session: &str) -> EdgeResult<(AgentProfile, String)> {
        let rows: Vec<SessionRow> = self
            .sql()
            .exec(
                "SELECT agent_id, csrf FROM sessions WHERE token_hash = ? AND expires_ms > ?",
                vec![session.into(), now_ms().into()],
            )?
            .to_array()?;
        let row = rows.into_iter().next().ok_or_else(not_logged_in)?;
        let agent = self
            .agent_by_id(&row.agent_id)?
            .filter(|a| a.disabled == 0)
            .ok_or_else(not_logged_in)?;
        Ok((super::profile(agent)?, row.csrf))
    }

    pub(super) async fn logout(&self, token: &str) -> EdgeResult<()> {
        self.end_sessions(
            "SELECT token_hash AS id FROM sessions WHERE token_hash = ?",
            vec![credentials::hash(token).into()],
        )
        .await
    }

    /// Ends every session of an agent (disabled or removed).
    pub(super) async fn end_sessions_of(&self, agent_id: &str) -> EdgeResult<()> {
        self.end_sessions(
            "SELECT token_hash AS id FROM sessions WHERE agent_id = ?",
            vec![agent_id.into()],
        )
        .await
    }

    pub(super) async fn end_expired_sessions(&self) -> EdgeResult<()> {
        self.end_sessions(
            "SELECT token_hash AS id FROM sessions WHERE expires_ms <= ?",
            vec![now_ms().into()],
        )
        .await?;
        self.arm_expiry().await
    }

    /// Deletes the sessions `query` selects, then closes their sockets in
    /// every object they opened one in, before answering.
    async fn end_sessions(
        &self,
        query: &str,
        args: Vec<worker::SqlStorageValue>,
    ) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let ids: Vec<String> = self
            .sql()
            .exec(query, args)?
            .to_array::<Id>()?
            .into_iter()
            .map(|r| r.id)
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        let mut sockets: Vec<SocketRow> = Vec::new();
        for id in &ids {
            self.sql().exec(
                "DELETE FROM sessions WHERE token_hash = ?",
                vec![id.clone().into()],
            )?;
            sockets.extend(
                self.sql()
                    .exec(
                        "DELETE FROM sockets WHERE session = ? RETURNING session, kind, name",
                        vec![id.clone().into()],
                    )?
                    .to_array::<SocketRow>()?,
            );
        }
        // One call per object, with every ended session it holds a socket of.
        sockets.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
        let mut i = 0;
        while i < sockets.len() {
            let (kind, name) = (sockets[i].kind.clone(), sockets[i].name.clone());
            let mut sessions = Vec::new();
            while i < sockets.len() && sockets[i].kind == kind && sockets[i].name == name {
                sessions.push(sockets[i].session.clone());
                i += 1;
            }
            let closed = match kind.as_str() {
                "inbox" => inbox::call(&self.env, &name, inbox::Revoke { sessions }).await,
                _ => conversation::call(&self.env, &name, conversation::Revoke { sessions }).await,
            };
            if let Err(e) = closed {
                worker::console_error!("revoking sockets in {kind} {name}: {}", e.message);
            }
        }
        Ok(())
    }

    /// The alarm at the earliest session expiry, so an expired session's
    /// sockets close too.
    pub(super) async fn arm_expiry(&self) -> EdgeResult<()> {
        let at = object::earliest(&self.sql(), "SELECT MIN(expires_ms) AS at FROM sessions")?;
        object::alarm_at(&self.state.storage(), at).await
    }
}
