//! Signed-in visitors (`shared::identity`): the site's identity secret,
//! set and rotated by admins, and which conversations belong to which of
//! the site's users, so a verified visitor finds their conversation in any
//! browser. Erasing a conversation forgets its row (`records.rs`).

use super::{Identify, Inbox, LatestOfUser, RotateIdentity};
use crate::error::EdgeResult;
use serde::Deserialize;
use shared::identity::IdentityKeys;

impl Inbox {
    pub(super) fn identity_keys(&self) -> EdgeResult<IdentityKeys> {
        #[derive(Deserialize)]
        struct Row {
            json: String,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec("SELECT json FROM identity WHERE id = 1", None)?
            .to_array()?;
        Ok(match rows.first() {
            Some(row) => serde_json::from_str(&row.json)?,
            None => IdentityKeys::default(),
        })
    }

    pub(super) fn rotate_identity(&self, c: RotateIdentity) -> EdgeResult<IdentityKeys> {
        let keys = self.identity_keys()?.rotated(c.secret, c.at_ms);
        self.sql().exec(
            "INSERT OR REPLACE INTO identity (id, json, rotated_ms, rotated_by) VALUES (1, ?, ?, ?)",
            vec![
                serde_json::to_string(&keys)?.into(),
                c.at_ms.into(),
                c.by.into(),
            ],
        )?;
        Ok(keys)
    }

    /// The user's most recent conversation on this site, if any is kept.
    pub(super) fn latest_of_user(&self, c: LatestOfUser) -> EdgeResult<Option<String>> {
        #[derive(Deserialize)]
        struct Row {
            conversation_id: String,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec(
                "SELECT conversation_id FROM identified WHERE user_id = ? ORDER BY at_ms DESC LIMIT 1",
                vec![c.user_id.into()],
            )?
            .to_array()?;
        Ok(rows.into_iter().next().map(|r| r.conversation_id))
    }

    pub(super) fn identify(&self, c: Identify) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT OR REPLACE INTO identified (conversation_id, user_id, at_ms) VALUES (?, ?, ?)",
            vec![c.conversation_id.into(), c.user_id.into(), c.at_ms.into()],
        )?;
        Ok(())
    }
}
