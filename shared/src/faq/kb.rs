//! The knowledge base: one TOML file a marketer edits by hand (format in
//! README.md). Loading checks everything and fails with the file name, the
//! line and what is wrong; it never skips an entry silently.

use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

pub use crate::analysis::Language;

/// A loaded, checked knowledge base.
#[derive(Debug, Clone, PartialEq)]
pub struct KnowledgeBase {
    pub settings: Settings,
    pub entries: Vec<Entry>,
    /// Groups of words that mean the same here, e.g. `["bike", "bicycle"]`.
    pub synonyms: Vec<Vec<String>>,
}

/// Per-site matching behavior.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Language of the entries: `en`, `de` or `es` (stemming, stop words).
    pub language: Language,
    /// Below this calibrated confidence the AI does not answer; it offers
    /// the closest entries and the person button instead.
    pub answer_threshold: f32,
    /// How many "Did you mean …?" choices to offer when it does not answer.
    pub suggestions: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Language::English,
            answer_threshold: DEFAULT_THRESHOLD,
            suggestions: 3,
        }
    }
}

/// Chosen on Banking77 training data (not its test set): see docs/faq-benchmark.md.
pub const DEFAULT_THRESHOLD: f32 = 0.55;

/// One FAQ entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable id, used in links, metrics and hand-off packets.
    pub id: String,
    /// The main question; also the title shown with the answer.
    pub question: String,
    /// Other ways visitors ask the same thing.
    pub phrasings: Vec<String>,
    /// Plain text; paragraphs separated by blank lines; links as bare
    /// `https://` URLs. Always rendered as text.
    pub answer: String,
    /// Where the answer comes from on the site.
    pub source: Option<String>,
    pub tags: Vec<String>,
    /// Team that takes hand-offs on this topic.
    pub team: Option<String>,
    /// Always hand to a person (complaints, legal, billing disputes).
    pub handoff: bool,
}

/// Why a knowledge base could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct KbError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

// -------------------------------------------------------------- file format

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileKb {
    #[serde(default)]
    settings: Option<Spanned<FileSettings>>,
    /// Read as plain tables first, so an error inside an entry can be
    /// reported at that entry's line.
    #[serde(default)]
    entry: Vec<Spanned<toml::Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    language: Option<String>,
    answer_threshold: Option<f32>,
    suggestions: Option<usize>,
    #[serde(default)]
    synonyms: Vec<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    id: String,
    question: String,
    #[serde(default)]
    phrasings: Vec<String>,
    answer: String,
    source: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    team: Option<String>,
    #[serde(default)]
    handoff: bool,
}

/// Limits that keep one knowledge base within what the edge should hold.
pub const MAX_ENTRIES: usize = 2_000;
pub const MAX_PHRASINGS: usize = 20_000;
pub const MAX_ANSWER_BYTES: usize = 4_000;

impl KnowledgeBase {
    /// Parses and checks a TOML knowledge base. `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, KbError> {
        let at = |offset: usize, message: String| KbError {
            file: file.to_string(),
            line: line_of(text, offset),
            message,
        };
        let parsed: FileKb = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            at(offset, e.message().trim().to_string())
        })?;

        let mut settings = Settings::default();
        let mut synonyms = Vec::new();
        if let Some(s) = parsed.settings {
            let offset = s.span().start;
            let s = s.into_inner();
            if let Some(code) = s.language {
                settings.language = Language::parse(&code).ok_or_else(|| {
                    at(
                        offset,
                        format!("language `{code}` is not supported (en, de, es)"),
                    )
                })?;
            }
            if let Some(t) = s.answer_threshold {
                if !(0.0..=1.0).contains(&t) {
                    return Err(at(
                        offset,
                        format!("answer_threshold must be between 0 and 1, not {t}"),
                    ));
                }
                settings.answer_threshold = t;
            }
            if let Some(n) = s.suggestions {
                if n > 5 {
                    return Err(at(
                        offset,
                        format!("suggestions must be at most 5, not {n}"),
                    ));
                }
                settings.suggestions = n;
            }
            for group in s.synonyms {
                let words: Vec<String> = group.into_iter().map(|w| w.trim().to_string()).collect();
                if words.len() < 2
                    || words
                        .iter()
                        .any(|w| w.is_empty() || w.contains(char::is_whitespace))
                {
                    return Err(at(
                        offset,
                        "each synonym group lists two or more single words".into(),
                    ));
                }
                synonyms.push(words);
            }
        }

        if parsed.entry.len() > MAX_ENTRIES {
            return Err(at(
                0,
                format!("{} entries; the limit is {MAX_ENTRIES}", parsed.entry.len()),
            ));
        }
        let mut seen = HashSet::new();
        let mut entries = Vec::with_capacity(parsed.entry.len());
        let mut phrasings_total = 0;
        for (n, spanned) in parsed.entry.into_iter().enumerate() {
            let offset = spanned.span().start;
            let e: FileEntry = spanned
                .into_inner()
                .try_into()
                .map_err(|e: toml::de::Error| {
                    at(offset, format!("entry {}: {}", n + 1, e.message().trim()))
                })?;
            let id = e.id.trim().to_string();
            if id.is_empty()
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            {
                return Err(at(
                    offset,
                    format!("entry id `{id}` must be lowercase letters, digits, '-' or '_'"),
                ));
            }
            if !seen.insert(id.clone()) {
                return Err(at(offset, format!("entry id `{id}` is used twice")));
            }
            let question = e.question.trim().to_string();
            if question.is_empty() {
                return Err(at(offset, format!("entry `{id}` has an empty question")));
            }
            let answer = e.answer.trim().to_string();
            if answer.is_empty() {
                return Err(at(offset, format!("entry `{id}` has an empty answer")));
            }
            if answer.len() > MAX_ANSWER_BYTES {
                return Err(at(
                    offset,
                    format!("entry `{id}`: the answer is over {MAX_ANSWER_BYTES} bytes"),
                ));
            }
            if let Some(src) = &e.source {
                if !src.starts_with("https://") && !src.starts_with('/') {
                    return Err(at(
                        offset,
                        format!(
                            "entry `{id}`: source must be an https:// link or a path on the site"
                        ),
                    ));
                }
            }
            let phrasings: Vec<String> = e.phrasings.iter().map(|p| p.trim().to_string()).collect();
            if let Some(i) = phrasings.iter().position(String::is_empty) {
                return Err(at(
                    offset,
                    format!("entry `{id}`: phrasing {} is empty", i + 1),
                ));
            }
            phrasings_total += phrasings.len() + 1;
            entries.push(Entry {
                id,
                question,
                phrasings,
                answer,
                source: e.source,
                tags: e.tags,
                team: e.team,
                handoff: e.handoff,
            });
        }
        if phrasings_total > MAX_PHRASINGS {
            return Err(at(
                0,
                format!("{phrasings_total} questions and phrasings; the limit is {MAX_PHRASINGS}"),
            ));
        }
        Ok(Self {
            settings,
            entries,
            synonyms,
        })
    }

    /// Builds a knowledge base from `text,category` rows (the evaluation
    /// format): each row is one phrasing of entry `category`; the first
    /// phrasing becomes the question and the category the answer.
    pub fn from_csv(file: &str, text: &str) -> Result<Self, KbError> {
        let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (line, row) in read_csv(file, text)? {
            let (phrase, category) = row;
            if phrase.trim().is_empty() {
                return Err(KbError {
                    file: file.into(),
                    line,
                    message: "empty text".into(),
                });
            }
            grouped.entry(category).or_default().push(phrase);
        }
        let entries = grouped
            .into_iter()
            .map(|(category, mut phrasings)| {
                let question = phrasings.remove(0);
                Entry {
                    id: category.clone(),
                    question,
                    phrasings,
                    answer: category,
                    source: None,
                    tags: vec![],
                    team: None,
                    handoff: false,
                }
            })
            .collect();
        Ok(Self {
            settings: Settings::default(),
            entries,
            synonyms: vec![],
        })
    }
}

/// One CSV row: its line, and its `(text, category)`.
pub type CsvRow = (usize, (String, String));

/// Reads a two-column CSV with the header `text,category` (RFC 4180
/// quoting).
pub fn read_csv(file: &str, text: &str) -> Result<Vec<CsvRow>, KbError> {
    let err = |line: usize, message: &str| KbError {
        file: file.into(),
        line,
        message: message.into(),
    };
    let mut rows = Vec::new();
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    let mut line = 1;
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut record_line = 1;
    let mut quoted = false;
    let push_record =
        |record: &mut Vec<String>, line: usize, rows: &mut Vec<(usize, Vec<String>)>| {
            if !(record.len() == 1 && record[0].is_empty()) {
                rows.push((line, std::mem::take(record)));
            }
            record.clear();
        };
    let mut raw: Vec<(usize, Vec<String>)> = Vec::new();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                push_record(&mut record, record_line, &mut raw);
                line += 1;
                record_line = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(err(record_line, "a quoted field is not closed"));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        push_record(&mut record, record_line, &mut raw);
    }
    let mut it = raw.into_iter();
    match it.next() {
        Some((_, header)) if header == ["text", "category"] => {}
        Some((l, _)) => return Err(err(l, "the header must be `text,category`")),
        None => return Err(err(1, "the file is empty")),
    }
    for (l, rec) in it {
        if rec.len() != 2 {
            return Err(err(l, &format!("expected 2 fields, found {}", rec.len())));
        }
        let mut rec = rec.into_iter();
        let text = rec.next().unwrap_or_default();
        let category = rec.next().unwrap_or_default().trim().to_string();
        if category.is_empty() {
            return Err(err(l, "empty category"));
        }
        rows.push((l, (text, category)));
    }
    Ok(rows)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |head| head.matches('\n').count() + 1)
}

/// A new entry an agent writes from a conversation ("turn this answer into
/// an FAQ entry").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    pub question: String,
    pub answer: String,
    #[serde(default)]
    pub phrasings: Vec<String>,
}

/// The knowledge base's text with `entry` appended as a new `[[entry]]`,
/// its id made from the question and unique, checked by parsing the result
/// (so a stored version always loads). Returns the new text and the id.
pub fn append_entry(file: &str, text: &str, entry: &NewEntry) -> Result<(String, String), KbError> {
    let current = KnowledgeBase::from_toml(file, text)?;
    let base: String = crate::analysis::normalize(&entry.question)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .collect::<Vec<_>>()
        .join("-");
    let base = if base.is_empty() {
        "entry".to_string()
    } else {
        base
    };
    let taken = |id: &str| current.entries.iter().any(|e| e.id == id);
    let id = (1..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|id| !taken(id))
        .unwrap_or(base);
    let list = |items: &[String]| {
        items
            .iter()
            .map(|p| toml_string(p.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let block = format!(
        "\n[[entry]]\nid = {}\nquestion = {}\nphrasings = [{}]\nanswer = {}\n",
        toml_string(&id),
        toml_string(entry.question.trim()),
        list(&entry.phrasings),
        toml_string(entry.answer.trim()),
    );
    let mut next = text.trim_end().to_string();
    next.push('\n');
    next.push_str(&block);
    KnowledgeBase::from_toml(file, &next)?;
    Ok((next, id))
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;

    const GOOD: &str = r#"
[settings]
language = "en"
answer_threshold = 0.4
synonyms = [["bike", "bicycle"]]

[[entry]]
id = "opening-hours"
question = "When are you open?"
phrasings = ["What are your opening hours?"]
answer = "Mon-Fri 8-18."
source = "https://example.com/hours"
team = "support"

[[entry]]
id = "complaint"
question = "I want to make a complaint"
answer = "Sorry to hear that. A person will take this."
handoff = true
"#;

    fn err(text: &str) -> KbError {
        KnowledgeBase::from_toml("faq.toml", text).unwrap_err()
    }

    #[test]
    fn a_complete_file_loads_with_its_settings() {
        let kb = KnowledgeBase::from_toml("faq.toml", GOOD).unwrap();
        assert_eq!(kb.entries.len(), 2);
        assert_eq!(kb.settings.answer_threshold, 0.4);
        assert_eq!(
            kb.synonyms,
            vec![vec!["bike".to_string(), "bicycle".to_string()]]
        );
        assert!(kb.entries[1].handoff);
        assert_eq!(kb.entries[0].team.as_deref(), Some("support"));
    }

    #[test]
    fn an_empty_file_is_an_empty_knowledge_base() {
        let kb = KnowledgeBase::from_toml("faq.toml", "").unwrap();
        assert!(kb.entries.is_empty());
    }

    #[test]
    fn a_syntax_error_names_the_file_and_line() {
        let e = err("[[entry]]\nid = \"a\"\nquestion = \"q\nanswer = \"x\"\n");
        assert_eq!((e.file.as_str(), e.line), ("faq.toml", 3), "{e}");
    }

    #[test]
    fn a_missing_answer_is_reported_at_its_entry() {
        let e = err("[[entry]]\nid = \"a\"\nquestion = \"q\"\nanswer = \"x\"\n\n[[entry]]\nid = \"b\"\nquestion = \"q\"\n");
        assert_eq!(e.message, "entry 2: missing field `answer`");
        assert_eq!(e.line, 6, "{e}");
    }

    #[test]
    fn a_misspelt_field_is_refused_not_ignored() {
        let e =
            err("[[entry]]\nid = \"a\"\nquestion = \"q\"\nanswer = \"x\"\nphrasing = [\"y\"]\n");
        assert!(e.message.contains("phrasing"), "{e}");
    }

    #[test]
    fn duplicate_ids_are_refused_at_the_second() {
        let e = err("[[entry]]\nid = \"a\"\nquestion = \"q\"\nanswer = \"x\"\n[[entry]]\nid = \"a\"\nquestion = \"r\"\nanswer = \"y\"\n");
        assert_eq!(e.line, 5);
        assert!(e.message.contains("used twice"), "{e}");
    }

    #[test]
    fn empty_questions_answers_and_phrasings_are_refused() {
        assert!(
            err("[[entry]]\nid = \"a\"\nquestion = \" \"\nanswer = \"x\"\n")
                .message
                .contains("empty question")
        );
        assert!(
            err("[[entry]]\nid = \"a\"\nquestion = \"q\"\nanswer = \"\"\n")
                .message
                .contains("empty answer")
        );
        assert!(err(
            "[[entry]]\nid = \"a\"\nquestion = \"q\"\nanswer = \"x\"\nphrasings = [\"\"]\n"
        )
        .message
        .contains("phrasing 1 is empty"));
    }

    #[test]
    fn bad_ids_sources_and_settings_are_refused_with_a_reason() {
        assert!(
            err("[[entry]]\nid = \"Open Hours\"\nquestion = \"q\"\nanswer = \"x\"\n")
                .message
                .contains("lowercase")
        );
        let js = err("[[entry]]\nid = \"a\"\nquestion = \"q\"\nanswer = \"x\"\nsource = \"javascript:alert(1)\"\n");
        assert!(js.message.contains("https://"), "{js}");
        assert!(err("[settings]\nanswer_threshold = 1.5\n")
            .message
            .contains("between 0 and 1"));
        assert!(err("[settings]\nlanguage = \"xx\"\n")
            .message
            .contains("not supported"));
        assert!(err("[settings]\nsynonyms = [[\"bike\"]]\n")
            .message
            .contains("two or more"));
    }

    #[test]
    fn the_example_in_the_readme_loads() {
        let readme = include_str!("../../../README.md");
        let start = readme.find("```toml\n[settings]").expect("the example") + "```toml\n".len();
        let end = start + readme[start..].find("```").expect("its end");
        let kb = KnowledgeBase::from_toml("README.md", &readme[start..end]).unwrap();
        assert_eq!(kb.entries.len(), 2);
        assert!(kb.entries[1].handoff);
    }

    #[test]
    fn csv_rows_group_into_entries() {
        let kb = KnowledgeBase::from_csv(
            "kb.csv",
            "text,category\n\"Hi, there\",greet\nhello,greet\nbye,leave\n",
        )
        .unwrap();
        assert_eq!(kb.entries.len(), 2);
        assert_eq!(kb.entries[0].id, "greet");
        assert_eq!(kb.entries[0].question, "Hi, there");
        assert_eq!(kb.entries[0].phrasings, vec!["hello".to_string()]);
    }

    #[test]
    fn malformed_csv_names_the_line() {
        let e = KnowledgeBase::from_csv("kb.csv", "text,category\na,b\nc\n").unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (3, "expected 2 fields, found 1")
        );
        let e = KnowledgeBase::from_csv("kb.csv", "words,label\na,b\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn an_agents_answer_becomes_an_entry_that_loads_and_is_found() {
        let text = "[[entry]]\nid = \"parking\"\nquestion = \"Where can I park?\"\nanswer = \"Behind the shop.\"\n";
        let entry = NewEntry {
            question: "Do you service \"Rohloff\" hubs?".into(),
            answer: "Yes: oil change €45.\nBring it in any weekday.".into(),
            phrasings: vec!["Rohloff hub service".into()],
        };
        let (next, id) = append_entry("kb.toml", text, &entry).unwrap();
        assert_eq!(id, "do-you-service-rohloff-hubs");
        let kb = KnowledgeBase::from_toml("kb.toml", &next).unwrap();
        let added = kb.entries.iter().find(|e| e.id == id).unwrap();
        assert_eq!(added.question, "Do you service \"Rohloff\" hubs?");
        assert_eq!(
            added.answer,
            "Yes: oil change €45.\nBring it in any weekday."
        );
        let index = crate::faq::FaqIndex::build(&kb);
        assert_eq!(
            index
                .search(&Analysis::new("do you service rohloff hubs"))
                .best()
                .map(|c| index.entries()[c.entry].id.clone()),
            Some(id.clone())
        );
        // The same question again gets a fresh id, never a clash.
        let (_, again) = append_entry("kb.toml", &next, &entry).unwrap();
        assert_eq!(again, "do-you-service-rohloff-hubs-2");
    }

    #[test]
    fn an_entry_that_would_break_the_knowledge_base_is_refused() {
        let empty_answer = NewEntry {
            question: "Why?".into(),
            answer: "  ".into(),
            phrasings: vec![],
        };
        assert!(append_entry("kb.toml", "", &empty_answer)
            .unwrap_err()
            .message
            .contains("empty answer"));
    }
}
