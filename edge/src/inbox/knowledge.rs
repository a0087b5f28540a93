//! The site's knowledge base, versioned: the bundled file seeds version 1,
//! agents add entries and admins edit the text; every stored version
//! loads, because each is parsed before it is stored. Each version's built
//! index is stored beside it, per language: built when the version is
//! saved (or first asked for), so conversations in a cold isolate read it
//! instead of building it.

use super::{AddEntry, Head, History, Inbox, IndexOf, KnowledgeAt, SaveEntries, SaveKnowledge};
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use crate::knowledge;
use serde::Deserialize;
use shared::faq::{KnowledgeBase, Language, ENGINE};
use shared::protocol::{ErrorCode, KnowledgeSaved, KnowledgeText, KnowledgeVersion};
use wasm_bindgen::JsValue;
use worker::{Response, SqlStorageValue};

const BUNDLED_AUTHOR: &str = "(bundled with the worker)";

/// Built indexes, in parts: a stored value may not exceed 2 MB, and an
/// index with word vectors is about that (the demo's English: 2.3 MB).
pub(super) const KB_INDEXES: &str = "CREATE TABLE IF NOT EXISTS kb_indexes (
        version INTEGER NOT NULL,
        language TEXT NOT NULL,
        engine TEXT NOT NULL,
        part INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (version, language, engine, part))";
const INDEX_PART_BYTES: usize = 1 << 20;
/// Versions whose built indexes are kept however old they are.
const KEEP_INDEXED_VERSIONS: i64 = 3;
const DAY_MS: i64 = 86_400_000;

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

    /// A version ready to answer a language's visitors: stored, or built
    /// and stored now. The knowledge base is parsed only to build, or to
    /// learn which language answers a language the site does not speak.
    pub(super) async fn stored_faq(&self, c: IndexOf) -> EdgeResult<Response> {
        let asked =
            match c.language.as_deref() {
                Some(tag) => Some(Language::from_tag(tag).ok_or_else(|| {
                    EdgeError::new(ErrorCode::Malformed, "language: en, de or es.")
                })?),
                None => None,
            };
        if let Some(stored) = asked
            .map(|l| self.stored(c.version, l))
            .transpose()?
            .flatten()
        {
            return Ok(stored);
        }
        let kb = self.parsed_version(&c.site, c.version)?;
        let answering = kb.settings.answering(asked);
        if let Some(stored) = self.stored(c.version, answering)? {
            return Ok(stored);
        }
        let built = self.build_indexes(c.version, kb, &[answering]).await?;
        Ok(Response::from_bytes(
            built.into_iter().next().unwrap_or_default(),
        )?)
    }

    /// Builds the indexes of a version just saved, in each of its
    /// languages, so that no visitor waits for them. The save stands if
    /// this fails: the first conversation to ask builds them.
    pub(super) async fn index_saved(&self, site: &str, saved: &EdgeResult<KnowledgeSaved>) {
        let Ok(saved) = saved else { return };
        if let Err(e) = self.index_version(site, saved.version).await {
            worker::console_error!(
                "knowledge base {site} v{}: index: {}",
                saved.version,
                e.message
            );
        }
    }

    async fn index_version(&self, site: &str, version: i64) -> EdgeResult<()> {
        let kb = self.parsed_version(site, version)?;
        let mut missing = Vec::new();
        for &language in &kb.settings.languages {
            if !self.is_stored(version, language)? {
                missing.push(language);
            }
        }
        self.build_indexes(version, kb, &missing).await?;
        Ok(())
    }

    fn parsed_version(&self, site: &str, version: i64) -> EdgeResult<KnowledgeBase> {
        let toml = self.knowledge_at(KnowledgeAt {
            site: site.to_string(),
            version,
        })?;
        let (file, _) = knowledge::bundled(site);
        Ok(KnowledgeBase::from_toml(file, &toml)?)
    }

    fn is_stored(&self, version: i64, language: Language) -> EdgeResult<bool> {
        let rows = self.sql().exec(
            "SELECT part FROM kb_indexes WHERE version = ? AND language = ? AND engine = ? LIMIT 1",
            vec![version.into(), language.code().into(), ENGINE.into()],
        )?;
        Ok(rows.raw().next().is_some())
    }

    /// The stored version as the answer's body, its parts joined on the
    /// JavaScript side: megabytes that would otherwise be copied into wasm
    /// and out again (profiled: 15 ms of a cold isolate's first answer).
    fn stored(&self, version: i64, language: Language) -> EdgeResult<Option<Response>> {
        use js_sys::{Array, Function, Reflect, Uint8Array};
        use wasm_bindgen::JsCast;
        let sql = self.sql();
        let call = |target: &JsValue, method: &str, args: &Array| -> EdgeResult<JsValue> {
            let f: Function = Reflect::get(target, &method.into())?.dyn_into()?;
            Ok(f.apply(target, args)?)
        };
        let query = "SELECT bytes FROM kb_indexes WHERE version = ? AND language = ? AND engine = ? ORDER BY part";
        let args = Array::of4(
            &query.into(),
            &(version as f64).into(),
            &language.code().into(),
            &ENGINE.into(),
        );
        let cursor = call(sql.as_ref(), "exec", &args)?;
        let rows: Array = call(&cursor, "toArray", &Array::new())?.dyn_into()?;
        let parts: Vec<Uint8Array> = rows
            .iter()
            .map(|row| Reflect::get(&row, &"bytes".into()).map(|b| Uint8Array::new(&b)))
            .collect::<Result<_, _>>()?;
        if parts.is_empty() {
            return Ok(None);
        }
        let joined = Uint8Array::new_with_length(parts.iter().map(Uint8Array::length).sum());
        let mut at = 0;
        for part in &parts {
            joined.set(part, at);
            at += part.length();
        }
        let response = web_sys::Response::new_with_opt_buffer_source(Some(&joined))?;
        Ok(Some(Response::from(response)))
    }

    /// Builds and stores version `version` ready to answer in each of
    /// `languages` (languages it speaks); stored versions of other builds
    /// of the engine go.
    async fn build_indexes(
        &self,
        version: i64,
        kb: KnowledgeBase,
        languages: &[Language],
    ) -> EdgeResult<Vec<Vec<u8>>> {
        let faq = knowledge::ready(&self.env, kb).await;
        let sql = self.sql();
        sql.exec(
            "DELETE FROM kb_indexes WHERE engine != ?",
            vec![ENGINE.into()],
        )?;
        // Megabytes per version and language, and every "turn this answer
        // into an FAQ entry" makes a version: only the newest versions, and
        // those saved within a day, keep theirs (a conversation still on an
        // older one has it built again when a new isolate asks).
        sql.exec(
            "DELETE FROM kb_indexes WHERE version != ?
               AND version NOT IN (SELECT version FROM kb_versions ORDER BY version DESC LIMIT ?)
               AND version NOT IN (SELECT version FROM kb_versions WHERE at_ms > ?)",
            vec![
                version.into(),
                KEEP_INDEXED_VERSIONS.into(),
                (now_ms() - DAY_MS).into(),
            ],
        )?;
        let mut built = Vec::with_capacity(languages.len());
        for &language in languages {
            let bytes = faq.to_stored(language);
            for (part, chunk) in bytes.chunks(INDEX_PART_BYTES).enumerate() {
                sql.exec(
                    "INSERT OR REPLACE INTO kb_indexes (version, language, engine, part, bytes) VALUES (?, ?, ?, ?, ?)",
                    vec![
                        version.into(),
                        language.code().into(),
                        ENGINE.into(),
                        (part as i64).into(),
                        SqlStorageValue::Blob(chunk.to_vec()),
                    ],
                )?;
            }
            built.push(bytes);
        }
        Ok(built)
    }

    pub(super) fn history(&self, c: History) -> EdgeResult<Vec<KnowledgeVersion>> {
        #[derive(Deserialize)]
        struct Indexed {
            version: i64,
            language: String,
        }
        self.knowledge_head(&c.site)?;
        let mut versions: Vec<KnowledgeVersion> = self
            .sql()
            .exec(
                "SELECT version, author, at_ms, change FROM kb_versions ORDER BY version DESC LIMIT 100",
                None,
            )?
            .to_array()?;
        let indexed: Vec<Indexed> = self
            .sql()
            .exec(
                "SELECT DISTINCT version, language FROM kb_indexes WHERE engine = ? ORDER BY language",
                vec![ENGINE.into()],
            )?
            .to_array()?;
        for v in &mut versions {
            v.indexed = indexed
                .iter()
                .filter(|i| i.version == v.version)
                .map(|i| i.language.clone())
                .collect();
        }
        Ok(versions)
    }
}
