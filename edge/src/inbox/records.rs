//! What the inbox keeps besides the queue: metrics facts and the lists
//! built from them, the visitors found by e-mail, canned replies, the site's saved
//! settings, and the log of erasures.

use super::{
    AddCanned, CannedReplies, Fact, FindVisitor, Forget, Inbox, Mine, RefuseOrigin, RemoveCanned,
    ResolvedSince, SaveSettings,
};
use crate::error::{EdgeError, EdgeResult};
use crate::http::{self, now_ms};
use serde::Deserialize;
use shared::access;
use shared::embed::{RefusedOrigin, MAX_REFUSED};
use shared::metrics::{self, ConversationFacts};
use shared::protocol::{
    AgentProfile, CannedAdded, CannedReply, ConversationRef, ErrorCode, Trigger,
};
use shared::site::SiteSettings;
use worker::{Response, SqlStorageValue};

#[derive(Deserialize)]
struct FactRow {
    conversation_id: String,
    created_ms: Option<i64>,
    team: Option<String>,
    trigger: Option<String>,
    handoff_ms: Option<i64>,
    first_reply_ms: Option<i64>,
    resolved_ms: Option<i64>,
    rating: Option<i64>,
    unmet: Option<String>,
    ticket_ms: Option<i64>,
    ticket_answered_ms: Option<i64>,
}

impl Inbox {
    pub(super) fn record_fact(&self, f: Fact) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT INTO facts (conversation_id, created_ms, team, trigger, handoff_ms, first_reply_ms, resolved_ms, rating, agent, unmet)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (conversation_id) DO UPDATE SET
               created_ms = COALESCE(facts.created_ms, excluded.created_ms),
               team = COALESCE(excluded.team, facts.team),
               trigger = COALESCE(facts.trigger, excluded.trigger),
               handoff_ms = COALESCE(facts.handoff_ms, excluded.handoff_ms),
               first_reply_ms = COALESCE(facts.first_reply_ms, excluded.first_reply_ms),
               resolved_ms = COALESCE(facts.resolved_ms, excluded.resolved_ms),
               rating = COALESCE(facts.rating, excluded.rating),
               agent = COALESCE(excluded.agent, facts.agent),
               unmet = COALESCE(facts.unmet, excluded.unmet)",
            vec![
                f.conversation_id.into(),
                f.created_ms.into(),
                f.team.into(),
                f.trigger.map(|t| t.as_str().to_string()).into(),
                f.handoff_ms.into(),
                f.first_reply_ms.into(),
                f.resolved_ms.into(),
                f.rating.map(i64::from).into(),
                f.agent.into(),
                f.unmet.map(|u| serde_json::to_string(&u)).transpose()?.into(),
            ],
        )?;
        Ok(())
    }

    /// The day's figures of the conversations `agent` may see (their
    /// teams'; all for admins).
    pub(super) fn metrics(&self, agent: &AgentProfile) -> EdgeResult<Response> {
        let rows: Vec<FactRow> = self
            .sql()
            .exec(
                "SELECT conversation_id, created_ms, team, trigger, handoff_ms, first_reply_ms, resolved_ms, rating, unmet, ticket_ms, ticket_answered_ms FROM facts",
                None,
            )?
            .to_array()?;
        let facts: Vec<ConversationFacts> = rows
            .into_iter()
            .filter(|r| agent.admin || r.team.as_deref().is_some_and(|t| access::in_team(agent, t)))
            .filter_map(|r| {
                Some(ConversationFacts {
                    conversation_id: r.conversation_id,
                    created_ms: r.created_ms?,
                    team: r.team,
                    trigger: r
                        .trigger
                        .and_then(|t| Trigger::ALL.into_iter().find(|x| x.as_str() == t)),
                    handoff_ms: r.handoff_ms,
                    first_reply_ms: r.first_reply_ms,
                    resolved_ms: r.resolved_ms,
                    rating: r.rating.and_then(|r| u8::try_from(r).ok()),
                    unmet: r.unmet.and_then(|u| serde_json::from_str(&u).ok()),
                    ticket_ms: r.ticket_ms,
                    ticket_answered_ms: r.ticket_answered_ms,
                })
            })
            .collect();
        http::json_response(&metrics::compute(&facts), 200)
    }

    pub(super) fn mine(&self, c: Mine) -> EdgeResult<Vec<ConversationRef>> {
        self.refs(
            "WHERE f.agent = ? AND f.resolved_ms IS NULL ORDER BY f.handoff_ms DESC LIMIT 100",
            vec![c.agent.into()],
        )
    }

    pub(super) fn resolved_since(&self, c: ResolvedSince) -> EdgeResult<Vec<ConversationRef>> {
        Ok(self
            .refs(
                "WHERE f.resolved_ms >= ? ORDER BY f.resolved_ms DESC LIMIT 200",
                vec![c.since_ms.into()],
            )?
            .into_iter()
            .filter(|r| access::may_read(&c.agent, &c.site, r.team.as_deref()))
            .collect())
    }

    /// Conversations for a list, named by their visitor or question where
    /// the search knows them (`search.rs`).
    fn refs(&self, which: &str, args: Vec<SqlStorageValue>) -> EdgeResult<Vec<ConversationRef>> {
        #[derive(Deserialize)]
        struct Row {
            conversation_id: String,
            team: Option<String>,
            handoff_ms: Option<i64>,
            resolved_ms: Option<i64>,
            visitor_name: Option<String>,
            topic: Option<String>,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec(
                &format!(
                    "SELECT f.conversation_id AS conversation_id, f.team AS team,
                       f.handoff_ms AS handoff_ms, f.resolved_ms AS resolved_ms,
                       s.visitor_name AS visitor_name, s.topic AS topic
                     FROM facts f LEFT JOIN summaries s ON s.conversation_id = f.conversation_id
                     {which}"
                ),
                args,
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .map(|r| ConversationRef {
                label: shared::search::title(r.visitor_name.as_deref(), r.topic.as_deref()),
                conversation_id: r.conversation_id,
                team: r.team,
                handoff_ms: r.handoff_ms,
                resolved_ms: r.resolved_ms,
            })
            .collect())
    }

    /// Conversations whose visitor left this address, of the teams
    /// `agent` may see.
    pub(super) fn find_visitor(&self, c: FindVisitor) -> EdgeResult<Vec<String>> {
        #[derive(Deserialize)]
        struct IdRow {
            conversation_id: String,
            team: String,
        }
        let email = c.email.trim().to_lowercase();
        let rows: Vec<IdRow> = self
            .sql()
            .exec(
                "SELECT DISTINCT conversation_id, team FROM tickets WHERE lower(email) = ?",
                vec![email.into()],
            )?
            .to_array()?;
        let mut ids: Vec<String> = rows
            .into_iter()
            .filter(|r| access::may_read(&c.agent, &c.site, Some(&r.team)))
            .map(|r| r.conversation_id)
            .collect();
        ids.dedup();
        Ok(ids)
    }

    /// A conversation was erased: its queue entry and tickets go, its
    /// metrics row stays without the id, and the erasure is logged.
    pub(super) async fn forget(&self, c: Forget) -> EdgeResult<()> {
        let id: SqlStorageValue = c.conversation_id.clone().into();
        #[derive(Deserialize)]
        struct TeamRow {
            team: String,
        }
        let waited: Vec<TeamRow> = self
            .sql()
            .exec(
                "DELETE FROM waiting WHERE conversation_id = ? RETURNING team",
                vec![id.clone()],
            )?
            .to_array()?;
        for table in [
            "tickets",
            "mail_tokens",
            "mail_stopped",
            "deliveries",
            "identified",
        ] {
            self.sql().exec(
                &format!("DELETE FROM {table} WHERE conversation_id = ?"),
                vec![id.clone()],
            )?;
        }
        self.unindex(&c.conversation_id)?;
        let anonymous = format!("erased-{}", uuid::Uuid::new_v4());
        self.sql().exec(
            "UPDATE facts SET conversation_id = ? WHERE conversation_id = ?",
            vec![anonymous.into(), id],
        )?;
        self.sql().exec(
            "INSERT INTO erasures (conversation_hash, by, at_ms) VALUES (?, ?, ?)",
            vec![
                crate::credentials::hash(&c.conversation_id).into(),
                c.by.into(),
                now_ms().into(),
            ],
        )?;
        if let Some(w) = waited.first() {
            self.changed(&c.conversation_id, Some(&w.team)).await?;
        }
        Ok(())
    }

    pub(super) fn canned_replies(&self, c: CannedReplies) -> EdgeResult<Vec<CannedReply>> {
        #[derive(Deserialize)]
        struct Row {
            id: i64,
            team: String,
            title: String,
            text: String,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec(
                "SELECT id, team, title, text FROM canned WHERE ?1 IS NULL OR team = ?1 ORDER BY team, title",
                vec![c.team.into()],
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .filter(|r| access::in_team(&c.agent, &r.team))
            .map(|r| CannedReply {
                id: r.id as u64,
                team: r.team,
                title: r.title,
                text: r.text,
            })
            .collect())
    }

    pub(super) fn add_canned(&self, c: AddCanned) -> EdgeResult<CannedAdded> {
        let title = shared::text::clean_name(&c.reply.title, 80);
        let text = shared::text::sanitize_message(&c.reply.text)?;
        if title.is_empty() {
            return Err(EdgeError::new(
                ErrorCode::Malformed,
                "A canned reply needs a title.",
            ));
        }
        #[derive(Deserialize)]
        struct Id {
            id: i64,
        }
        let rows: Vec<Id> = self
            .sql()
            .exec(
                "INSERT INTO canned (team, title, text) VALUES (?, ?, ?) RETURNING id",
                vec![c.reply.team.into(), title.into(), text.into()],
            )?
            .to_array()?;
        Ok(CannedAdded {
            id: rows.first().map_or(0, |r| r.id as u64),
        })
    }

    /// Removes a canned reply of one of the agent's teams; another team's
    /// answers like one that does not exist.
    pub(super) fn remove_canned(&self, c: RemoveCanned) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct Row {
            team: String,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec(
                "SELECT team FROM canned WHERE id = ?",
                vec![(c.id as i64).into()],
            )?
            .to_array()?;
        match rows.first() {
            Some(r) if access::in_team(&c.agent, &r.team) => {
                self.sql().exec(
                    "DELETE FROM canned WHERE id = ?",
                    vec![(c.id as i64).into()],
                )?;
                Ok(())
            }
            _ => Err(EdgeError::new(ErrorCode::NotFound, "No such canned reply.")),
        }
    }

    pub(super) fn settings(&self) -> EdgeResult<SiteSettings> {
        #[derive(Deserialize)]
        struct Row {
            json: String,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec("SELECT json FROM settings WHERE id = 1", None)?
            .to_array()?;
        Ok(match rows.first() {
            Some(row) => serde_json::from_str(&row.json)?,
            None => SiteSettings::default(),
        })
    }

    pub(super) fn save_settings(&self, c: SaveSettings) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT OR REPLACE INTO settings (id, json, updated_ms, updated_by) VALUES (1, ?, ?, ?)",
            vec![
                serde_json::to_string(&c.settings)?.into(),
                now_ms().into(),
                c.by.into(),
            ],
        )?;
        Ok(())
    }

    pub(super) fn refuse_origin(&self, c: RefuseOrigin) -> EdgeResult<()> {
        let sql = self.sql();
        sql.exec(
            "INSERT INTO refused_origins (origin, first_ms, last_ms, count) VALUES (?, ?, ?, 1)
             ON CONFLICT (origin) DO UPDATE SET last_ms = excluded.last_ms, count = count + 1",
            vec![c.origin.into(), c.at_ms.into(), c.at_ms.into()],
        )?;
        sql.exec(
            "DELETE FROM refused_origins WHERE origin NOT IN
             (SELECT origin FROM refused_origins ORDER BY last_ms DESC LIMIT ?)",
            vec![(MAX_REFUSED as i64).into()],
        )?;
        Ok(())
    }

    pub(super) fn refused_origins(&self) -> EdgeResult<Vec<RefusedOrigin>> {
        Ok(self
            .sql()
            .exec(
                "SELECT origin, first_ms, last_ms, count FROM refused_origins ORDER BY last_ms DESC",
                None,
            )?
            .to_array()?)
    }
}
