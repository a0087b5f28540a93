//! A conversation's timed work, kept in its `deadlines` table behind its
//! one alarm (set to the earliest): the claim time-out and the site's
//! retention period. Every step re-checks the stored state first, so an
//! alarm that runs twice does nothing twice.

use super::Conversation;
use crate::error::EdgeResult;
use crate::http::now_ms;
use crate::object;
use serde::Deserialize;
use shared::lifecycle;
use shared::protocol::{ConversationState, EventBody};

/// Still waiting for a claim: offer the e-mail path (the place in the
/// queue is kept).
pub(super) const CLAIM: &str = "claim";
/// Erase, unless the conversation was active since (then later).
pub(super) const RETENTION: &str = "retention";
/// Erase if the visitor never wrote; cleared by their first message.
pub(super) const UNUSED: &str = "unused";
/// Tell the site's search what changed (`search.rs`).
pub(super) const INDEX: &str = "index";
/// A waiting visitor with no socket open: leave the queue, so it holds
/// only people who are there (their e-mail ticket, if any, stays).
pub(super) const AWAY: &str = "away";

/// How long an opened chat with nothing written is kept, whatever the
/// site's retention says (`UNUSED_AFTER_S`, a day by default).
pub(super) fn unused_after_ms(env: &worker::Env) -> i64 {
    seconds_var(env, "UNUSED_AFTER_S", 24 * 60 * 60) * 1000
}

/// How long a waiting visitor may be away before leaving the queue
/// (`AWAY_AFTER_S`, ten minutes by default).
pub(super) fn away_after_ms(env: &worker::Env) -> i64 {
    seconds_var(env, "AWAY_AFTER_S", 10 * 60) * 1000
}

/// A setting in seconds (`[vars]`), or `default` when absent or not positive.
pub(crate) fn seconds_var(env: &worker::Env, name: &str, default: i64) -> i64 {
    env.var(name)
        .ok()
        .and_then(|v| v.to_string().parse::<i64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(default)
}

impl Conversation {
    pub(super) async fn run_deadlines(&self) -> EdgeResult<()> {
        if !self.opened()? {
            return Ok(()); // erased meanwhile
        }
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
                        self.append_and_broadcast(None, EventBody::contact_offer(reason))?;
                        let meta = self.existing()?;
                        let unmet = crate::inbox::Fact {
                            unmet: Some(reason),
                            ..meta.fact()
                        };
                        self.report(&meta.site, unmet);
                    }
                }
                // Nothing happened, nothing was reported: no trace left.
                UNUSED if self.last_seq()? == 0 => {
                    self.erase_storage().await?;
                    return Ok(());
                }
                // A failed call is tried again later; the other deadlines
                // go on.
                INDEX => {
                    if let Err(e) = self.index_for_search().await {
                        worker::console_error!("search: {}", e.message);
                        self.index_at(now + self.index_after_ms())?;
                    }
                }
                AWAY => {
                    let here = !self.state.get_websockets_with_tag("visitor").is_empty();
                    if !here && self.state()? == ConversationState::WaitingForPerson {
                        self.leave_queue().await?;
                    }
                }
                RETENTION => {
                    let Some(meta) = self.meta()? else { continue };
                    let Some(keep_ms) = self.site_config()?.retention_ms() else {
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
                        self.erase_all(&meta, "retention period").await?;
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
        self.set_deadlines(&[(kind, at_ms)]).await
    }

    /// Sets (or moves) several deadlines, then the alarm once.
    pub(super) async fn set_deadlines(&self, deadlines: &[(&str, i64)]) -> EdgeResult<()> {
        for (kind, at_ms) in deadlines {
            self.sql().exec(
                "INSERT OR REPLACE INTO deadlines (kind, at_ms) VALUES (?, ?)",
                vec![(*kind).into(), (*at_ms).into()],
            )?;
        }
        self.arm().await
    }

    pub(super) async fn clear_deadline(&self, kind: &str) -> EdgeResult<()> {
        self.sql()
            .exec("DELETE FROM deadlines WHERE kind = ?", vec![kind.into()])?;
        self.arm().await
    }

    /// The alarm at the earliest deadline, or none.
    pub(super) async fn arm(&self) -> EdgeResult<()> {
        let at = object::earliest(&self.sql(), "SELECT MIN(at_ms) AS at FROM deadlines")?;
        object::alarm_at(&self.state.storage(), at).await
    }
}
