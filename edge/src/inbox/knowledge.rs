//! The site's knowledge base, versioned: the bundled file seeds version 1,
//! agents add entries and admins edit the text; every stored version
//! loads, because each is parsed before it is stored.

use super::{AddEntry, Head, History, Inbox, KnowledgeAt, SaveEntries, SaveKnowledge};
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::knowledge;
use serde::Deserialize;
use shared::protocol::{ErrorCode, KnowledgeSaved, KnowledgeText, KnowledgeVersion};

const BUNDLED_AUTHOR: &str = "(bundled with the worker)";

#[derive(Deserialize)]
struct HeadRow {
    version: i64,
    toml: String,
    author: String,
}

impl Inbox {
    /// The latest knowledge-base version and its text. The bundled file is
    /// version 1, and again a new version when a deploy changes it while
    /// nobody has edited the knowledge base since.
    pub(super) fn knowledge_head(&self, site: &str) -> EdgeResult<(i64, String)> {
        let rows: Vec<HeadRow> = self
            .sql()
            .exec(
                "SELECT version, toml, author FROM kb_versions ORDER BY version DESC LIMIT 1",
                None,
            )?
            .to_array()?;
        let (_, bundled) = knowledge::bundled(site);
        match rows.into_iter().next() {
            Some(head) if head.author != BUNDLED_AUTHOR || head.toml == bundled => {
                Ok((head.version, head.toml))
            }
            head => {
                let version = head.map_or(1, |h| h.version + 1);
                self.store_version(version, bundled, BUNDLED_AUTHOR, "the bundled file")?;
                Ok((version, bundled.to_string()))
            }
        }
    }

    fn store_version(
        &self,
        version: i64,
        toml: &str,
        author: &str,
        change: &str,
    ) -> EdgeResult<()> {
        self.sql().exec(
            "INSERT INTO kb_versions (version, toml, author, at_ms, change) VALUES (?, ?, ?, ?, ?)",
            vec![
                version.into(),
                toml.into(),
                author.into(),
                now_ms().into(),
                change.into(),
            ],
        )?;
        Ok(())
    }

    pub(super) fn knowledge_at(&self, c: KnowledgeAt) -> EdgeResult<String> {
        #[derive(Deserialize)]
        struct Row {
            toml: String,
        }
        self.knowledge_head(&c.site)?;
        let rows: Vec<Row> = self
            .sql()
            .exec(
                "SELECT toml FROM kb_versions WHERE version = ?",
                vec![c.version.into()],
            )?
            .to_array()?;
        rows.into_iter()
            .next()
            .map(|r| r.toml)
            .ok_or_else(|| EdgeError::new(ErrorCode::NotFound, "No such version."))
    }

    pub(super) fn head(&self, c: Head) -> EdgeResult<KnowledgeText> {
        let (version, toml) = self.knowledge_head(&c.site)?;
        Ok(KnowledgeText { version, toml })
    }

    /// "Turn this answer into an FAQ entry": a new version with the entry.
    pub(super) fn add_entry(&self, c: AddEntry) -> EdgeResult<KnowledgeSaved> {
        let (version, text) = self.knowledge_head(&c.site)?;
        let (file, _) = knowledge::bundled(&c.site);
        let (next, id) = shared::faq::append_entry(file, &text, &c.entry)?;
        self.store_version(version + 1, &next, &c.author, &format!("added entry {id}"))?;
        Ok(KnowledgeSaved {
            version: version + 1,
            entry_id: Some(id),
        })
    }

    /// An admin's edited text: stored only if it loads, so every version
    /// can answer; the same text again makes no new version.
    pub(super) fn save_knowledge(&self, c: SaveKnowledge) -> EdgeResult<KnowledgeSaved> {
        let (version, current) = self.knowledge_head(&c.site)?;
        let (file, _) = knowledge::bundled(&c.site);
        shared::faq::KnowledgeBase::from_toml(file, &c.toml)?;
        if c.toml == current {
            return Ok(KnowledgeSaved {
                version,
                entry_id: None,
            });
        }
        self.store_version(version + 1, &c.toml, &c.author, "edited the text")?;
        Ok(KnowledgeSaved {
            version: version + 1,
            entry_id: None,
        })
    }

    pub(super) fn save_entries(&self, c: SaveEntries) -> EdgeResult<KnowledgeSaved> {
        let (version, current) = self.knowledge_head(&c.site)?;
        if c.base_version != version {
            return Err(EdgeError::new(
                ErrorCode::WrongState,
                format!(
                    "The knowledge base changed since this page loaded it (now version {version}). Reload it and make your change again."
                ),
            ));
        }
        let (file, _) = knowledge::bundled(&c.site);
        let text = shared::faq::with_entries(file, &current, &c.entries)?;
        if text == current {
            return Ok(KnowledgeSaved {
                version,
                entry_id: None,
            });
        }
        self.store_version(version + 1, &text, &c.author, "edited entries")?;
        Ok(KnowledgeSaved {
            version: version + 1,
            entry_id: None,
        })
    }

    pub(super) fn history(&self, c: History) -> EdgeResult<Vec<KnowledgeVersion>> {
        self.knowledge_head(&c.site)?;
        Ok(self
            .sql()
            .exec(
                "SELECT version, author, at_ms, change FROM kb_versions ORDER BY version DESC LIMIT 100",
                None,
            )?
            .to_array()?)
    }
}
