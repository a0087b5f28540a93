//! The knowledge base: one TOML file a marketer edits by hand (format in
//! README.md). Loading checks everything and fails with the file name, the
//! line and what is wrong; it never skips an entry silently.
//!
//! A knowledge base speaks one or more languages (`languages`, the first
//! is the default). Each entry has its text in the default language (or in
//! the language it names) and may carry the others in `[entry.de]`-style
//! tables: question, phrasings, answer and, optionally, source.
//! [`KnowledgeBase::in_language`] gives the knowledge base as a visitor of
//! one language reads it: each entry in that language, or, where it lacks
//! it, in its own, marked so the answer can say so.

use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

pub use crate::analysis::Language;

/// A loaded, checked knowledge base. Serializable only to be stored with
/// its built index (`faq::StoredFaq`), never as a format people write.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KnowledgeBase {
    pub settings: Settings,
    pub entries: Vec<Entry>,
    /// Groups of words that mean the same here, per language, e.g.
    /// `["bike", "bicycle"]`.
    pub synonyms: BTreeMap<Language, Vec<Vec<String>>>,
}

/// Per-site matching behavior.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// The languages of the entries, the default first (stemming, stop
    /// words, fixed texts). Never empty.
    pub languages: Vec<Language>,
    /// Below this calibrated confidence the AI does not answer; it offers
    /// the closest entries and the person button instead.
    pub answer_threshold: f32,
    /// How many "Did you mean …?" choices to offer when it does not answer.
    pub suggestions: usize,
}

impl Settings {
    /// The default language.
    pub fn language(&self) -> Language {
        self.languages.first().copied().unwrap_or(Language::English)
    }

    /// The language whose entries answer a visitor of `language`: that
    /// one if the knowledge base speaks it, else the default.
    pub fn answering(&self, language: Option<Language>) -> Language {
        language
            .filter(|l| self.languages.contains(l))
            .unwrap_or_else(|| self.language())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            languages: vec![Language::English],
            answer_threshold: DEFAULT_THRESHOLD,
            suggestions: 3,
        }
    }
}

/// Chosen on Banking77 training data (not its test set): see docs/faq-benchmark.md.
pub const DEFAULT_THRESHOLD: f32 = 0.55;

/// One FAQ entry, in the language it is read in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// The language of the text above.
    pub language: Language,
    /// The same entry in other languages.
    pub translations: BTreeMap<Language, EntryText>,
    /// In a view for another language ([`KnowledgeBase::in_language`]):
    /// the entry had no text in it, so this is its own.
    pub fallback: bool,
}

/// An entry's text in one language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntryText {
    pub question: String,
    pub phrasings: Vec<String>,
    pub answer: String,
    pub source: Option<String>,
}

/// Why a knowledge base could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct KbError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl KnowledgeBase {
    /// The knowledge base as a visitor of `language` reads it: every entry
    /// in that language where it has it, otherwise in its own (marked
    /// `fallback`), with that language's synonyms. A language the site does
    /// not speak reads the default language.
    pub fn in_language(&self, language: Language) -> KnowledgeBase {
        let language = if self.settings.languages.contains(&language) {
            language
        } else {
            self.settings.language()
        };
        let entries = self
            .entries
            .iter()
            .map(|e| match e.translations.get(&language) {
                _ if e.language == language => e.clone(),
                Some(t) => Entry {
                    question: t.question.clone(),
                    phrasings: t.phrasings.clone(),
                    answer: t.answer.clone(),
                    source: t.source.clone().or_else(|| e.source.clone()),
                    language,
                    fallback: false,
                    ..e.clone()
                },
                None => Entry {
                    fallback: true,
                    ..e.clone()
                },
            })
            .collect();
        let mut languages = vec![language];
        languages.extend(
            self.settings
                .languages
                .iter()
                .filter(|l| **l != language)
                .copied(),
        );
        KnowledgeBase {
            settings: Settings {
                languages,
                ..self.settings.clone()
            },
            entries,
            synonyms: self.synonyms.clone(),
        }
    }

    /// The synonym groups of the default language.
    pub fn default_synonyms(&self) -> &[Vec<String>] {
        self.synonyms
            .get(&self.settings.language())
            .map_or(&[], Vec::as_slice)
    }
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
    /// One language (older files); `languages` lists several.
    language: Option<String>,
    languages: Option<Vec<String>>,
    answer_threshold: Option<f32>,
    suggestions: Option<usize>,
    /// Synonyms of the default language.
    #[serde(default)]
    synonyms: Vec<Vec<String>>,
    en: Option<FileLanguageSettings>,
    de: Option<FileLanguageSettings>,
    es: Option<FileLanguageSettings>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLanguageSettings {
    #[serde(default)]
    synonyms: Vec<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    id: String,
    /// The language of the fields below, if not the default.
    language: Option<String>,
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
    en: Option<FileText>,
    de: Option<FileText>,
    es: Option<FileText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileText {
    question: String,
    #[serde(default)]
    phrasings: Vec<String>,
    answer: String,
    source: Option<String>,
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
        let mut synonyms = BTreeMap::new();
        if let Some(s) = parsed.settings {
            let offset = s.span().start;
            let s = s.into_inner();
            let language = |code: &str| {
                Language::parse(code).ok_or_else(|| {
                    at(
                        offset,
                        format!("language `{code}` is not supported (en, de, es)"),
                    )
                })
            };
            let codes: Vec<String> = match (s.languages, s.language) {
                (Some(_), Some(_)) => {
                    return Err(at(offset, "`language` or `languages`, not both".into()))
                }
                (Some(list), None) => list,
                (None, Some(one)) => vec![one],
                (None, None) => vec!["en".into()],
            };
            settings.languages = Vec::new();
            for code in &codes {
                let l = language(code)?;
                if settings.languages.contains(&l) {
                    return Err(at(offset, format!("language `{code}` is listed twice")));
                }
                settings.languages.push(l);
            }
            if settings.languages.is_empty() {
                return Err(at(offset, "`languages` lists no language".into()));
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
            let per_language = [
                (Language::English, s.en),
                (Language::German, s.de),
                (Language::Spanish, s.es),
            ];
            let mut groups_of = vec![(settings.language(), s.synonyms)];
            for (l, table) in per_language {
                if let Some(table) = table {
                    if !settings.languages.contains(&l) {
                        return Err(at(
                            offset,
                            format!(
                                "[settings.{}]: `{}` is not in `languages`",
                                l.code(),
                                l.code()
                            ),
                        ));
                    }
                    groups_of.push((l, table.synonyms));
                }
            }
            for (l, groups) in groups_of {
                let list: &mut Vec<Vec<String>> = synonyms.entry(l).or_default();
                for group in groups {
                    let words: Vec<String> =
                        group.into_iter().map(|w| w.trim().to_string()).collect();
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
                    list.push(words);
                }
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
            let in_kb = |code: &str| -> Result<Language, KbError> {
                let l = Language::parse(code).ok_or_else(|| {
                    at(
                        offset,
                        format!("entry `{id}`: language `{code}` is not supported (en, de, es)"),
                    )
                })?;
                if settings.languages.contains(&l) {
                    Ok(l)
                } else {
                    Err(at(
                        offset,
                        format!(
                            "entry `{id}`: `{code}` is not one of the knowledge base's `languages`"
                        ),
                    ))
                }
            };
            let language = match &e.language {
                Some(code) => in_kb(code)?,
                None => settings.language(),
            };
            let own = FileText {
                question: e.question,
                phrasings: e.phrasings,
                answer: e.answer,
                source: e.source,
            };
            let own = checked_text(&id, None, own).map_err(|m| at(offset, m))?;
            phrasings_total += own.phrasings.len() + 1;
            let mut translations = BTreeMap::new();
            for (code, text) in [("en", e.en), ("de", e.de), ("es", e.es)] {
                let Some(text) = text else { continue };
                let l = in_kb(code)?;
                if l == language {
                    return Err(at(
                        offset,
                        format!("entry `{id}`: [entry.{code}] repeats the entry's own language"),
                    ));
                }
                let text = checked_text(&id, Some(code), text).map_err(|m| at(offset, m))?;
                phrasings_total += text.phrasings.len() + 1;
                translations.insert(l, text);
            }
            entries.push(Entry {
                id,
                question: own.question,
                phrasings: own.phrasings,
                answer: own.answer,
                source: own.source,
                tags: e.tags,
                team: e.team,
                handoff: e.handoff,
                language,
                translations,
                fallback: false,
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
}

/// An entry's text, trimmed and checked; `code` names the language table.
fn checked_text(id: &str, code: Option<&str>, t: FileText) -> Result<EntryText, String> {
    let place = match code {
        Some(code) => format!("entry `{id}` [{code}]"),
        None => format!("entry `{id}`"),
    };
    let question = t.question.trim().to_string();
    if question.is_empty() {
        return Err(format!("{place} has an empty question"));
    }
    let answer = t.answer.trim().to_string();
    if answer.is_empty() {
        return Err(format!("{place} has an empty answer"));
    }
    if answer.len() > MAX_ANSWER_BYTES {
        return Err(format!(
            "{place}: the answer is over {MAX_ANSWER_BYTES} bytes"
        ));
    }
    if let Some(src) = &t.source {
        if !src.starts_with("https://") && !src.starts_with('/') {
            return Err(format!(
                "{place}: source must be an https:// link or a path on the site"
            ));
        }
    }
    let phrasings: Vec<String> = t.phrasings.iter().map(|p| p.trim().to_string()).collect();
    if let Some(i) = phrasings.iter().position(String::is_empty) {
        return Err(format!("{place}: phrasing {} is empty", i + 1));
    }
    Ok(EntryText {
        question,
        phrasings,
        answer,
        source: t.source,
    })
}

pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |head| head.matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::faq::{append_entry, NewEntry};

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
            kb.default_synonyms(),
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
            language: None,
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
            language: None,
        };
        assert!(append_entry("kb.toml", "", &empty_answer)
            .unwrap_err()
            .message
            .contains("empty answer"));
    }

    const TRILINGUAL: &str = r#"
[settings]
languages = ["en", "de"]

[settings.de]
synonyms = [["rad", "fahrrad"]]

[[entry]]
id = "hours"
question = "When are you open?"
answer = "Monday to Friday."
source = "/en/visit"

[entry.de]
question = "Wann habt ihr offen?"
phrasings = ["Öffnungszeiten?"]
answer = "Montag bis Freitag."

[[entry]]
id = "rental"
question = "Do you rent bikes?"
answer = "Yes, from 15 a day."
"#;

    #[test]
    fn an_entry_reads_in_the_visitors_language_or_falls_back_to_its_own() {
        let kb = KnowledgeBase::from_toml("kb.toml", TRILINGUAL).unwrap();
        assert_eq!(
            kb.settings.languages,
            vec![Language::English, Language::German]
        );
        let de = kb.in_language(Language::German);
        assert_eq!(de.settings.language(), Language::German);
        assert_eq!(de.entries[0].answer, "Montag bis Freitag.");
        assert_eq!(
            de.entries[0].source.as_deref(),
            Some("/en/visit"),
            "the source carries over"
        );
        assert!(!de.entries[0].fallback);
        assert_eq!(de.entries[1].answer, "Yes, from 15 a day.");
        assert!(de.entries[1].fallback, "no German text: its own, marked");
        // A language the site does not speak reads the default.
        let es = kb.in_language(Language::Spanish);
        assert_eq!(es.settings.language(), Language::English);
        assert!(!es.entries[1].fallback);
    }

    #[test]
    fn translations_must_be_of_the_knowledge_bases_languages() {
        let e = err("[settings]\nlanguages = [\"en\"]\n[[entry]]\nid = \"a\"\nquestion = \"q\"\nanswer = \"x\"\n[entry.de]\nquestion = \"f\"\nanswer = \"y\"\n");
        assert!(e.message.contains("not one of"), "{e}");
        let e = err("[settings]\nlanguages = [\"en\", \"de\"]\n[[entry]]\nid = \"a\"\nquestion = \"q\"\nanswer = \"x\"\n[entry.de]\nquestion = \"f\"\n");
        assert!(e.message.contains("answer"), "{e}");
        assert!(err("[settings]\nlanguage = \"en\"\nlanguages = [\"en\"]\n")
            .message
            .contains("not both"));
    }

    #[test]
    fn the_demo_knowledge_base_speaks_english_german_and_spanish_throughout() {
        let kb = KnowledgeBase::from_toml(
            "sites/demo/faq.toml",
            include_str!("../../../sites/demo/faq.toml"),
        )
        .unwrap();
        assert_eq!(
            kb.settings.languages,
            vec![Language::English, Language::German, Language::Spanish]
        );
        for l in [Language::German, Language::Spanish] {
            assert!(
                kb.in_language(l).entries.iter().all(|e| !e.fallback),
                "{l:?}"
            );
        }
    }

    #[test]
    fn an_agents_entry_in_another_language_is_kept_in_it() {
        let entry = NewEntry {
            question: "Repariert ihr Nabenschaltungen?".into(),
            answer: "Ja.".into(),
            phrasings: vec![],
            language: Some("de-AT".into()),
        };
        let (next, id) = append_entry("kb.toml", TRILINGUAL, &entry).unwrap();
        let kb = KnowledgeBase::from_toml("kb.toml", &next).unwrap();
        let added = kb.entries.iter().find(|e| e.id == id).unwrap();
        assert_eq!(added.language, Language::German);
        let spanish = NewEntry {
            language: Some("es".into()),
            ..entry
        };
        assert!(append_entry("kb.toml", TRILINGUAL, &spanish)
            .unwrap_err()
            .message
            .contains("does not speak"));
    }
}
