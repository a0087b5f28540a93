//! Admins manage agents: list, add, disable or enable, remove. Disabling
//! and removing end the agent's sessions and close their sockets at once;
//! nobody can lock themselves out.

use super::{AdminAnswer, AdminCall, AgentRow, Directory, AGENT_COLUMNS, MIN_PASSWORD_CHARS};
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::password;
use shared::protocol::{AgentAccount, ErrorCode, NewAgent};

impl Directory {
    pub(super) async fn admin(&self, by: &str, call: AdminCall) -> EdgeResult<AdminAnswer> {
        match call {
            AdminCall::List => self.list().map(AdminAnswer::Agents),
            AdminCall::Add(new) => self.add(new).await.map(|id| AdminAnswer::Added { id }),
            AdminCall::SetDisabled { id, disabled } => {
                self.existing_other_than(by, &id)?;
                self.sql().exec(
                    "UPDATE agents SET disabled = ? WHERE id = ?",
                    vec![i64::from(disabled).into(), id.clone().into()],
                )?;
                if disabled {
                    self.end_sessions_of(&id).await?;
                }
                Ok(AdminAnswer::Done {})
            }
            AdminCall::Remove { id } => {
                self.existing_other_than(by, &id)?;
                self.end_sessions_of(&id).await?;
                self.sql()
                    .exec("DELETE FROM agents WHERE id = ?", vec![id.clone().into()])?;
                self.sql().exec(
                    "DELETE FROM known_addresses WHERE agent_id = ?",
                    vec![id.into()],
                )?;
                Ok(AdminAnswer::Done {})
            }
        }
    }

    fn existing_other_than(&self, by: &str, id: &str) -> EdgeResult<()> {
        if id == by {
            return Err(EdgeError::new(
                ErrorCode::WrongState,
                "You cannot disable or remove yourself.",
            ));
        }
        self.agent_by_id(id)?
            .map(|_| ())
            .ok_or_else(|| EdgeError::new(ErrorCode::NotFound, "No such agent."))
    }

    fn list(&self) -> EdgeResult<Vec<AgentAccount>> {
        let rows: Vec<AgentRow> = self
            .sql()
            .exec(
                &format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY name"),
                None,
            )?
            .to_array()?;
        rows.into_iter()
            .map(|row| {
                let disabled = row.disabled != 0;
                Ok(AgentAccount {
                    profile: super::profile(row)?,
                    disabled,
                })
            })
            .collect()
    }

    async fn add(&self, new: NewAgent) -> EdgeResult<String> {
        let name = shared::text::clean_name(&new.name, 60);
        if name.is_empty() {
            return Err(EdgeError::new(
                ErrorCode::Malformed,
                "An agent needs a name.",
            ));
        }
        let email = shared::text::valid_email(&new.email)?.to_lowercase();
        if new.password.chars().count() < MIN_PASSWORD_CHARS {
            let message = format!("A password needs at least {MIN_PASSWORD_CHARS} characters.");
            return Err(EdgeError::new(ErrorCode::Malformed, message));
        }
        let ids_ok = |ids: &[String]| ids.iter().all(|i| shared::protocol::is_valid_site_id(i));
        if !ids_ok(&new.teams) || !ids_ok(&new.sites) {
            return Err(EdgeError::new(
                ErrorCode::Malformed,
                "Teams and sites are ids: a-z, 0-9 and '-'.",
            ));
        }
        if self.agent_by_email(&email)?.is_some() {
            return Err(EdgeError::new(
                ErrorCode::AlreadyExists,
                "An agent with this e-mail address exists already.",
            ));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let hash = password::hash(&new.password).await?;
        self.sql().exec(
            "INSERT INTO agents (id, name, email, teams, sites, admin, password, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                id.clone().into(),
                name.into(),
                email.into(),
                serde_json::to_string(&new.teams)?.into(),
                serde_json::to_string(&new.sites)?.into(),
                i64::from(new.admin).into(),
                hash.into(),
                now_ms().into(),
            ],
        )?;
        Ok(id)
    }
}
