//! A conversation's timed work, kept in its `deadlines` table behind its
//! one alarm (set to the earliest): the claim time-out and the site's
//! retention period. Every step re-checks the stored state first, so an
//! alarm that runs twice does nothing twice.

use super::Conversation;
use crate::error::EdgeResult;
use crate::http::now_ms;
use serde::Deserialize;
use shared::lifecycle;
use shared::protocol::EventBody;

/// Still waiting for a claim: offer the e-mail path (the place in the
/// queue is kept).
pub(super) const CLAIM: &str = "claim";
/// Erase, unless the conversation was active since (then later).
pub(super) const RETENTION: &str = "retention";

impl Conversation {
    pub(super) async fn run_deadlines(&self) -> EdgeResult<()> {
        let now = now_ms();
        #[derive(Deserialize)]
        struct Due {
            kind: String,
        }
        let due: Vec<Due> = self
            .sql()
            .exec(
                "SELECT kind FROM deadlines WHERE at_ms <= ?",
                vec![now.into()],
            )?
            .to_array()?;
        for d in due {
            self.sql().exec(
                "DELETE FROM deadlines WHERE kind = ?",
                vec![d.kind.clone().into()],
            )?;
            match d.kind.as_str() {
                CLAIM => {
                    let offered = self.handoff()?.is_some_and(|h| h.contact_offered != 0);
                    if let Some(reason) = lifecycle::claim_timed_out(self.state()?, offered) {
                        self.sql()
                            .exec("UPDATE handoff SET contact_offered = 1", None)?;
                        self.append_and_broadcast(None, EventBody::ContactOffer { reason })?;
                    }
                }
                RETENTION => {
                    let Some(meta) = self.meta()? else { continue };
                    let Some(keep_ms) = self.site_config(&meta)?.retention_ms() else {
                        continue;
                    };
                    let last = self
                        .events_after(self.last_seq()?.saturating_sub(1), 1)?
                        .first()
                        .map_or(meta.created_ms, |e| e.at_ms);
                    if last + keep_ms > now {
                        self.sql().exec(
                            "INSERT OR REPLACE INTO deadlines (kind, at_ms) VALUES (?, ?)",
                            vec![RETENTION.into(), (last + keep_ms).into()],
                        )?;
                    } else {
                        self.erase_all(meta, "retention period").await?;
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        self.arm().await
    }

    /// Sets (or moves) one deadline and the alarm.
    pub(super) async fn set_deadline(&self, kind: &str, at_ms: i64) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT OR REPLACE INTO deadlines (kind, at_ms) VALUES (?, ?)",
            vec![kind.into(), at_ms.into()],
        )?;
        self.arm().await
    }

    pub(super) async fn clear_deadline(&self, kind: &str) -> EdgeResult<()> {
        self.sql()
            .exec("DELETE FROM deadlines WHERE kind = ?", vec![kind.into()])?;
        self.arm().await
    }

    /// The alarm at the earliest deadline, or none.
    async fn arm(&self) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct Next {
            at_ms: Option<i64>,
        }
        let next: Vec<Next> = self
            .sql()
            .exec("SELECT MIN(at_ms) AS at_ms FROM deadlines", None)?
            .to_array()?;
        match next.first().and_then(|n| n.at_ms) {
            Some(at) => {
                self.state
                    .storage()
                    .set_alarm((at - now_ms()).max(1))
                    .await?
            }
            None => self.state.storage().delete_alarm().await?,
        }
        Ok(())
    }
}
