//! The site's search (`shared::search`): every conversation in which the
//! visitor wrote or asked for a person has a row in `summaries` (who the
//! visitor is, their question, the state) and its lines in a SQLite FTS5
//! index, sent by the
//! conversation a moment after it changes (`Index`). Searches and the
//! visitor profile read them with the facts' team, reason and rating, of
//! the agent's teams only. Erasure removes both (`records.rs`).

use super::tickets::{TicketRow, TICKET_COLUMNS};
use super::{Inbox, Index, Profile};
use crate::error::{EdgeError, EdgeResult};
use serde::Deserialize;
use shared::access;
use shared::protocol::{
    AgentProfile, ConversationState, ErrorCode, SearchHit, SearchRequest, Trigger, VisitorProfile,
};
use shared::search::{self, MAX_RESULTS};
use worker::SqlStorageValue;

/// One row per conversation: what lists and searches show, and how its
/// visitor is recognised (`visitor_key`: the first conversation of a
/// browser's chain of conversations; the signed-in user; the e-mail).
pub(super) const SUMMARIES: &str = "CREATE TABLE IF NOT EXISTS summaries (
    id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL UNIQUE,
    visitor_key TEXT NOT NULL,
    visitor_name TEXT,
    visitor_email TEXT,
    visitor_user TEXT,
    topic TEXT,
    state TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL)";
pub(super) const SUMMARIES_BY_KEY: &str =
    "CREATE INDEX IF NOT EXISTS summaries_by_key ON summaries (visitor_key)";
pub(super) const SUMMARIES_BY_EMAIL: &str =
    "CREATE INDEX IF NOT EXISTS summaries_by_email ON summaries (visitor_email)";
pub(super) const SUMMARIES_BY_LAST: &str =
    "CREATE INDEX IF NOT EXISTS summaries_by_last ON summaries (last_ms)";
/// Each indexed line: its conversation (the summary's `id`: a number, not
/// the 64-digit id, on every line), sequence number (0: the hand-off
/// packet) and author; `id` is its row in `search_lines`.
pub(super) const SEARCH_DOCS: &str = "CREATE TABLE IF NOT EXISTS search_docs (
    id INTEGER PRIMARY KEY,
    conversation INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    who TEXT NOT NULL,
    UNIQUE (conversation, seq))";
/// The words, case and accents folded ("Bremsbelag" finds "bremsbeläge").
pub(super) const SEARCH_LINES: &str = "CREATE VIRTUAL TABLE IF NOT EXISTS search_lines
    USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')";

/// A conversation's row with its facts, as searches and profiles read it.
#[derive(Deserialize)]
struct HitRow {
    conversation_id: String,
    visitor_name: Option<String>,
    visitor_email: Option<String>,
    topic: Option<String>,
    state: String,
    created_ms: i64,
    last_ms: i64,
    team: Option<String>,
    trigger: Option<String>,
    rating: Option<i64>,
    #[serde(default)]
    line_id: Option<i64>,
    #[serde(default)]
    who: Option<String>,
}

const HIT_COLUMNS: &str = "s.conversation_id AS conversation_id, s.visitor_name AS visitor_name,
    s.visitor_email AS visitor_email, s.topic AS topic, s.state AS state,
    s.created_ms AS created_ms, s.last_ms AS last_ms, f.team AS team,
    f.trigger AS trigger, f.rating AS rating";

impl HitRow {
    fn hit(self) -> SearchHit {
        let title = search::title(self.visitor_name.as_deref(), self.topic.as_deref())
            .or_else(|| self.visitor_email.clone())
            .unwrap_or_else(|| format!("Conversation {}", short_id(&self.conversation_id)));
        SearchHit {
            conversation_id: self.conversation_id,
            title,
            email: self.visitor_email,
            team: self.team,
            state: ConversationState::parse(&self.state).unwrap_or(ConversationState::Bot),
            trigger: self
                .trigger
                .and_then(|t| Trigger::ALL.into_iter().find(|x| x.as_str() == t)),
            rating: self.rating.and_then(|r| u8::try_from(r).ok()),
            created_ms: self.created_ms,
            last_ms: self.last_ms,
            line: Vec::new(),
            who: self.who,
        }
    }
}

fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// SQL conditions with their values, numbered as they are added.
struct Conditions {
    sql: Vec<String>,
    args: Vec<SqlStorageValue>,
}

impl Conditions {
    fn new(args: Vec<SqlStorageValue>) -> Self {
        Self {
            sql: vec!["1".into()],
            args,
        }
    }

    /// Adds `condition`, whose `?` stands for `value`.
    fn add(&mut self, condition: &str, value: impl Into<SqlStorageValue>) {
        self.args.push(value.into());
        self.sql
            .push(condition.replace('?', &format!("?{}", self.args.len())));
    }

    /// Only conversations of the agent's teams: admins see all, including
    /// those never handed to a person (`shared::access::may_read`).
    fn scope(&mut self, agent: &AgentProfile) {
        if agent.admin {
        } else if agent.teams.is_empty() {
            self.sql.push("f.team IS NOT NULL".into());
        } else {
            let teams = serde_json::to_string(&agent.teams).unwrap_or_else(|_| "[]".into());
            self.add("f.team IN (SELECT value FROM json_each(?))", teams);
        }
    }

    fn filters(&mut self, s: &SearchRequest) {
        if let Some(pattern) = search::like_pattern(&s.visitor) {
            self.add(
                "(s.visitor_name LIKE ? ESCAPE '\\' OR s.visitor_email LIKE ? ESCAPE '\\')",
                pattern,
            );
        }
        if let Some(from) = s.from_ms {
            self.add("s.created_ms >= ?", from);
        }
        if let Some(to) = s.to_ms {
            self.add("s.created_ms < ?", to);
        }
        if let Some(team) = &s.team {
            self.add("f.team = ?", team.clone());
        }
        if let Some(trigger) = s.trigger {
            self.add("f.trigger = ?", trigger.as_str());
        }
        if let Some(rating) = s.rating {
            self.add("f.rating = ?", i64::from(rating));
        }
        if let Some(state) = s.state {
            self.add("s.state = ?", state.as_str());
        }
    }

    fn and(&self) -> String {
        self.sql.join(" AND ")
    }
}

impl Inbox {
    /// A conversation's summary and its new lines. Lines already indexed
    /// are skipped, so a repeated call adds nothing; the packet's line
    /// (seq 0) is replaced.
    pub(super) fn index(&self, c: Index) -> EdgeResult<()> {
        let sql = self.sql();
        // A call sent before an erasure may arrive after it: nothing comes back.
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let erased = sql
            .exec(
                "SELECT COUNT(*) AS n FROM erasures WHERE conversation_hash = ?",
                vec![crate::credentials::hash(&c.conversation_id).into()],
            )?
            .to_array::<Count>()?;
        if erased.first().is_some_and(|e| e.n > 0) {
            return Ok(());
        }
        // Indexed once the visitor wrote or asked for a person: from then
        // on the conversation counts in the metrics.
        self.record_fact(super::Fact {
            conversation_id: c.conversation_id.clone(),
            created_ms: Some(c.created_ms),
            ..Default::default()
        })?;
        #[derive(Deserialize)]
        struct Key {
            visitor_key: String,
        }
        // A browser's later conversations follow its first: one visitor.
        let key = match &c.follows {
            Some(earlier) => sql
                .exec(
                    "SELECT visitor_key FROM summaries WHERE conversation_id = ?",
                    vec![earlier.clone().into()],
                )?
                .to_array::<Key>()?
                .into_iter()
                .next()
                .map_or_else(|| earlier.clone(), |k| k.visitor_key),
            None => c.conversation_id.clone(),
        };
        let verified = c.verified.as_ref();
        let email = match verified.and_then(|v| v.email.clone()) {
            Some(email) => Some(email),
            None => self.left_email(&c.conversation_id)?,
        };
        #[derive(Deserialize)]
        struct Id {
            id: i64,
        }
        let summary: Vec<Id> = sql.exec(
            "INSERT INTO summaries (conversation_id, visitor_key, visitor_name, visitor_email, visitor_user, topic, state, created_ms, last_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (conversation_id) DO UPDATE SET
               visitor_name = excluded.visitor_name, visitor_email = excluded.visitor_email,
               visitor_user = excluded.visitor_user, topic = COALESCE(excluded.topic, summaries.topic),
               state = excluded.state, last_ms = excluded.last_ms
             RETURNING id",
            vec![
                c.conversation_id.clone().into(),
                key.into(),
                c.visitor_name
                    .or_else(|| verified.and_then(|v| v.name.clone()))
                    .into(),
                email.map(|e| e.to_lowercase()).into(),
                verified.map(|v| v.user_id.clone()).into(),
                c.topic.into(),
                c.state.as_str().into(),
                c.created_ms.into(),
                c.last_ms.into(),
            ],
        )?
        .to_array()?;
        let Some(Id { id }) = summary.into_iter().next() else {
            return Err(EdgeError::new(ErrorCode::Internal, "no summary row"));
        };
        if let Some(packet) = c.packet {
            // Replaced only when it changed: a new line is a newer match.
            if self.line_text(id, 0)?.as_deref() != Some(packet.as_str()) {
                self.remove_lines(id, Some(0))?;
                self.add_line(id, 0, "packet", &packet)?;
            }
        }
        for line in c.lines {
            self.add_line(id, line.seq as i64, &line.who, &line.text)?;
        }
        Ok(())
    }

    fn add_line(&self, conversation: i64, seq: i64, who: &str, text: &str) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct Id {
            id: i64,
        }
        let added: Vec<Id> = self
            .sql()
            .exec(
                "INSERT INTO search_docs (conversation, seq, who) VALUES (?, ?, ?)
                 ON CONFLICT (conversation, seq) DO NOTHING RETURNING id",
                vec![conversation.into(), seq.into(), who.into()],
            )?
            .to_array()?;
        if let Some(doc) = added.first() {
            self.sql().exec(
                "INSERT INTO search_lines (rowid, text) VALUES (?, ?)",
                vec![doc.id.into(), text.into()],
            )?;
        }
        Ok(())
    }

    fn line_text(&self, conversation: i64, seq: i64) -> EdgeResult<Option<String>> {
        #[derive(Deserialize)]
        struct Text {
            text: String,
        }
        Ok(self
            .sql()
            .exec(
                "SELECT l.text AS text FROM search_docs d JOIN search_lines l ON l.rowid = d.id
                 WHERE d.conversation = ? AND d.seq = ?",
                vec![conversation.into(), seq.into()],
            )?
            .to_array::<Text>()?
            .into_iter()
            .next()
            .map(|t| t.text))
    }

    /// Removes a conversation's lines (one of them, with `seq`).
    fn remove_lines(&self, conversation: i64, seq: Option<i64>) -> EdgeResult<()> {
        let which = "conversation = ?1 AND (?2 IS NULL OR seq = ?2)";
        let args = vec![conversation.into(), seq.into()];
        self.sql().exec(
            &format!(
                "DELETE FROM search_lines WHERE rowid IN (SELECT id FROM search_docs WHERE {which})"
            ),
            args.clone(),
        )?;
        self.sql()
            .exec(&format!("DELETE FROM search_docs WHERE {which}"), args)?;
        Ok(())
    }

    /// An erased conversation leaves the search, and its id the visitor's
    /// other conversations (they are recognised by their oldest one left).
    pub(super) fn unindex(&self, conversation_id: &str) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct Id {
            id: i64,
        }
        let gone: Vec<Id> = self
            .sql()
            .exec(
                "DELETE FROM summaries WHERE conversation_id = ? RETURNING id",
                vec![conversation_id.into()],
            )?
            .to_array()?;
        for Id { id } in gone {
            self.remove_lines(id, None)?;
        }
        self.sql().exec(
            "UPDATE summaries SET visitor_key = (
               SELECT conversation_id FROM summaries WHERE visitor_key = ?1
               ORDER BY created_ms LIMIT 1)
             WHERE visitor_key = ?1",
            vec![conversation_id.into()],
        )?;
        Ok(())
    }

    /// The address the visitor left with a question, if they did.
    fn left_email(&self, conversation_id: &str) -> EdgeResult<Option<String>> {
        #[derive(Deserialize)]
        struct Email {
            email: String,
        }
        Ok(self
            .sql()
            .exec(
                "SELECT email FROM tickets WHERE conversation_id = ? ORDER BY at_ms DESC LIMIT 1",
                vec![conversation_id.into()],
            )?
            .to_array::<Email>()?
            .into_iter()
            .next()
            .map(|e| e.email))
    }

    /// Conversations of the agent's teams matching the search, newest
    /// first: with words, by their newest matching line.
    pub(super) fn search(
        &self,
        agent: &AgentProfile,
        s: &SearchRequest,
    ) -> EdgeResult<Vec<SearchHit>> {
        let Some(expression) = search::match_expression(&s.words) else {
            if s.words.trim().is_empty() {
                return self.listed(agent, s);
            }
            return Ok(Vec::new()); // only punctuation: nothing can match
        };
        let mut when = Conditions::new(vec![expression.into()]);
        when.sql.push("search_lines MATCH ?1".into());
        when.scope(agent);
        when.filters(s);
        // Newest matching lines first (FTS5 walks its rowids backwards, no
        // sort), read only until MAX_RESULTS conversations are found: a
        // common word costs about what a rare one does.
        #[derive(Deserialize)]
        struct Line {
            conversation_id: String,
            line_id: i64,
            who: String,
            seq: i64,
        }
        let cursor = self.sql().exec(
            &format!(
                "SELECT s.conversation_id AS conversation_id, search_lines.rowid AS line_id,
                   d.who AS who, d.seq AS seq
                 FROM search_lines
                 JOIN search_docs d ON d.id = search_lines.rowid
                 JOIN summaries s ON s.id = d.conversation
                 LEFT JOIN facts f ON f.conversation_id = s.conversation_id
                 WHERE {} ORDER BY search_lines.rowid DESC",
                when.and()
            ),
            when.args,
        )?;
        let mut best: Vec<Line> = Vec::new();
        for line in cursor.next::<Line>() {
            let line = line?;
            let full = best.len() >= MAX_RESULTS;
            match best
                .iter_mut()
                .find(|b| b.conversation_id == line.conversation_id)
            {
                // The packet's reasons give way to the visitor's own words.
                Some(b) if b.seq == 0 && line.seq != 0 => *b = line,
                Some(_) => {}
                None if full => break,
                None => best.push(line),
            }
        }
        let ids: Vec<&str> = best.iter().map(|b| b.conversation_id.as_str()).collect();
        let mut chosen = Conditions::new(Vec::new());
        chosen.add(
            "s.conversation_id IN (SELECT value FROM json_each(?))",
            serde_json::to_string(&ids)?,
        );
        let found = self.summaries(chosen, "s.last_ms DESC")?;
        let mut found: std::collections::HashMap<String, HitRow> = found
            .into_iter()
            .map(|r| (r.conversation_id.clone(), r))
            .collect();
        let rows: Vec<HitRow> = best
            .iter()
            .filter_map(|b| {
                let mut row = found.remove(&b.conversation_id)?;
                row.line_id = Some(b.line_id);
                row.who = Some(b.who.clone());
                Some(row)
            })
            .collect();
        // The chosen lines, marked and cut in Rust (`shared::search`):
        // FTS5's snippet() would run the whole query again per line.
        let line_ids: Vec<i64> = rows.iter().filter_map(|r| r.line_id).collect();
        #[derive(Deserialize)]
        struct Text {
            line_id: i64,
            text: String,
        }
        let texts: Vec<Text> = self
            .sql()
            .exec(
                "SELECT rowid AS line_id, text FROM search_lines
                 WHERE rowid IN (SELECT value FROM json_each(?))",
                vec![serde_json::to_string(&line_ids)?.into()],
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let line_id = row.line_id;
                let mut hit = row.hit();
                if let Some(t) = texts.iter().find(|t| Some(t.line_id) == line_id) {
                    hit.line = search::highlight_line(&t.text, &s.words);
                }
                hit
            })
            .collect())
    }

    /// A search without words: the filters alone, newest first.
    fn listed(&self, agent: &AgentProfile, s: &SearchRequest) -> EdgeResult<Vec<SearchHit>> {
        let mut when = Conditions::new(Vec::new());
        when.scope(agent);
        when.filters(s);
        let rows = self.summaries(when, "s.last_ms DESC")?;
        Ok(rows.into_iter().map(HitRow::hit).collect())
    }

    /// Summaries with their facts that meet `when`, in `order`, at most
    /// `MAX_RESULTS`.
    fn summaries(&self, when: Conditions, order: &str) -> EdgeResult<Vec<HitRow>> {
        Ok(self
            .sql()
            .exec(
                &format!(
                    "SELECT {HIT_COLUMNS} FROM summaries s
                     LEFT JOIN facts f ON f.conversation_id = s.conversation_id
                     WHERE {} ORDER BY {order} LIMIT {MAX_RESULTS}",
                    when.and()
                ),
                when.args,
            )?
            .to_array()?)
    }

    /// Everything known about the visitor of a conversation: the same
    /// browser's earlier and later conversations, the signed-in user's and
    /// the signed address's (of the agent's teams), the questions they
    /// left, and apart from those the conversations that share only a
    /// typed address.
    pub(super) fn profile(&self, c: Profile) -> EdgeResult<VisitorProfile> {
        #[derive(Deserialize)]
        struct Own {
            visitor_key: String,
            visitor_email: Option<String>,
            visitor_name: Option<String>,
        }
        let own: Option<Own> = self
            .sql()
            .exec(
                "SELECT visitor_key, visitor_email, visitor_name FROM summaries WHERE conversation_id = ?",
                vec![c.conversation_id.clone().into()],
            )?
            .to_array()?
            .into_iter()
            .next();
        let verified = c.verified.as_ref();
        let key = own.as_ref().map_or_else(
            || {
                c.follows
                    .clone()
                    .unwrap_or_else(|| c.conversation_id.clone())
            },
            |o| o.visitor_key.clone(),
        );
        // Only a signed address says who someone is: anyone can type
        // anyone's address, so conversations that share only a typed one
        // are listed apart.
        let signed: Vec<String> = verified
            .and_then(|v| v.email.clone())
            .map(|e| e.to_lowercase())
            .into_iter()
            .collect();
        let mut typed: Vec<String> = own
            .as_ref()
            .and_then(|o| o.visitor_email.clone())
            .into_iter()
            .chain(self.left_email(&c.conversation_id)?)
            .map(|e| e.to_lowercase())
            .filter(|e| !signed.contains(e))
            .collect();
        typed.dedup();
        let user = verified.map(|v| v.user_id.clone());
        let mut when = Conditions::new(vec![
            key.into(),
            c.conversation_id.clone().into(),
            user.clone().into(),
            serde_json::to_string(&signed)?.into(),
        ]);
        when.sql.push(
            "(s.visitor_key = ?1 OR s.conversation_id = ?1 OR s.conversation_id = ?2
              OR (?3 IS NOT NULL AND s.visitor_user = ?3)
              OR s.visitor_email IN (SELECT value FROM json_each(?4)))"
                .into(),
        );
        when.scope(&c.agent);
        let conversations: Vec<SearchHit> = self
            .summaries(when, "s.created_ms DESC")?
            .into_iter()
            .map(HitRow::hit)
            .collect();
        let ids: Vec<&str> = conversations
            .iter()
            .map(|h| h.conversation_id.as_str())
            .collect();
        let same_typed_email: Vec<SearchHit> = if typed.is_empty() {
            Vec::new()
        } else {
            let mut when = Conditions::new(vec![
                serde_json::to_string(&typed)?.into(),
                serde_json::to_string(&ids)?.into(),
            ]);
            when.sql.push(
                "(s.visitor_email IN (SELECT value FROM json_each(?1))
                  AND s.conversation_id NOT IN (SELECT value FROM json_each(?2)))"
                    .into(),
            );
            when.scope(&c.agent);
            self.summaries(when, "s.created_ms DESC")?
                .into_iter()
                .map(HitRow::hit)
                .collect()
        };
        let tickets: Vec<TicketRow> = self
            .sql()
            .exec(
                &format!(
                    "SELECT {TICKET_COLUMNS} FROM tickets
                     WHERE conversation_id IN (SELECT value FROM json_each(?1))
                        OR lower(email) IN (SELECT value FROM json_each(?2))
                     ORDER BY at_ms DESC LIMIT 100"
                ),
                vec![
                    serde_json::to_string(&ids)?.into(),
                    serde_json::to_string(&signed)?.into(),
                ],
            )?
            .to_array()?;
        Ok(VisitorProfile {
            name: verified
                .and_then(|v| v.name.clone())
                .or(c.visitor_name)
                .or_else(|| own.and_then(|o| o.visitor_name)),
            email_verified: !signed.is_empty(),
            email: signed.into_iter().chain(typed).next(),
            user_id: user,
            conversations,
            same_typed_email,
            tickets: tickets
                .into_iter()
                .filter(|t| access::may_read(&c.agent, &c.site, Some(&t.team)))
                .map(TicketRow::item)
                .collect(),
        })
    }
}

/// A search that cannot mean anything is refused with what was wrong.
impl From<search::BadSearch> for EdgeError {
    fn from(bad: search::BadSearch) -> Self {
        EdgeError::new(ErrorCode::Malformed, bad.0)
    }
}
