//! Changes to a knowledge base's text made from the panel, each checked
//! by loading the result, so a stored version always loads.

use super::kb::{KbError, KnowledgeBase, Language};
use serde::Deserialize;

/// A new entry an agent writes from a conversation ("turn this answer into
/// an FAQ entry").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    pub question: String,
    pub answer: String,
    #[serde(default)]
    pub phrasings: Vec<String>,
    /// The language it is written in (the conversation's); the knowledge
    /// base's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// The knowledge base's text with `entry` appended as a new `[[entry]]`,
/// its id made from the question and unique, checked by parsing the result
/// (so a stored version always loads). Returns the new text and the id.
pub fn append_entry(file: &str, text: &str, entry: &NewEntry) -> Result<(String, String), KbError> {
    let current = KnowledgeBase::from_toml(file, text)?;
    let language = match entry.language.as_deref().map(Language::from_tag) {
        None => None,
        Some(Some(l)) if l == current.settings.language() => None,
        Some(Some(l)) if current.settings.languages.contains(&l) => Some(l),
        _ => {
            return Err(KbError {
                file: file.into(),
                line: 1,
                message: format!(
                    "the knowledge base does not speak `{}`: add it to `languages` first",
                    entry.language.as_deref().unwrap_or_default()
                ),
            })
        }
    };
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
    let language_line = language
        .map(|l| format!("language = {}\n", toml_string(l.code())))
        .unwrap_or_default();
    let block = format!(
        "\n[[entry]]\nid = {}\n{language_line}question = {}\nphrasings = [{}]\nanswer = {}\n",
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

/// One entry as the panel's form edits it: the text in the knowledge
/// base's default language, and the same entry in its other languages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryForm {
    pub id: String,
    /// The language of the text below when it is not the default one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub question: String,
    #[serde(default)]
    pub phrasings: Vec<String>,
    pub answer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default)]
    pub handoff: bool,
    /// By language code (`de`, `es`).
    #[serde(default)]
    pub translations: std::collections::BTreeMap<String, TextForm>,
}

/// An entry's text in one more language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextForm {
    pub question: String,
    #[serde(default)]
    pub phrasings: Vec<String>,
    pub answer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// `GET|POST /api/v1/agent/sites/{site}/faq/entries`: the entries of the
/// newest version and its languages (the default first).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct EntriesView {
    pub version: i64,
    pub languages: Vec<String>,
    pub entries: Vec<EntryForm>,
}

/// The entries of a knowledge base as forms.
pub fn entry_forms(kb: &KnowledgeBase) -> Vec<EntryForm> {
    kb.entries
        .iter()
        .map(|e| {
            let translations = e
                .translations
                .iter()
                .map(|(l, t)| {
                    let text = TextForm {
                        question: t.question.clone(),
                        phrasings: t.phrasings.clone(),
                        answer: t.answer.clone(),
                        source: t.source.clone(),
                    };
                    (l.code().to_string(), text)
                })
                .collect();
            EntryForm {
                id: e.id.clone(),
                language: (e.language != kb.settings.language())
                    .then(|| e.language.code().to_string()),
                question: e.question.clone(),
                phrasings: e.phrasings.clone(),
                answer: e.answer.clone(),
                source: e.source.clone(),
                tags: e.tags.clone(),
                team: e.team.clone(),
                handoff: e.handoff,
                translations,
            }
        })
        .collect()
}

/// The knowledge base's text with its entries replaced by `entries`: the
/// settings and synonyms (everything before the first `[[entry]]`) are
/// kept as written, the entries written anew, and the result checked by
/// loading it.
pub fn with_entries(file: &str, text: &str, entries: &[EntryForm]) -> Result<String, KbError> {
    let head_end = text
        .match_indices("[[entry]]")
        .find(|(at, _)| *at == 0 || text[..*at].ends_with('\n'))
        .map_or(text.len(), |(at, _)| at);
    let mut next = text[..head_end].trim_end().to_string();
    next.push('\n');
    for e in entries {
        next.push_str("\n[[entry]]\n");
        next.push_str(&format!("id = {}\n", toml_string(e.id.trim())));
        if let Some(language) = &e.language {
            next.push_str(&format!("language = {}\n", toml_string(language)));
        }
        write_text(&mut next, &e.question, &e.phrasings, &e.answer, &e.source);
        let list = |items: &[String]| {
            items
                .iter()
                .map(|t| toml_string(t.trim()))
                .collect::<Vec<_>>()
        };
        if !e.tags.is_empty() {
            next.push_str(&format!("tags = [{}]\n", list(&e.tags).join(", ")));
        }
        if let Some(team) = e.team.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            next.push_str(&format!("team = {}\n", toml_string(team)));
        }
        if e.handoff {
            next.push_str("handoff = true\n");
        }
        for (language, t) in &e.translations {
            if t.question.trim().is_empty() && t.answer.trim().is_empty() {
                continue;
            }
            next.push_str(&format!("\n[entry.{language}]\n"));
            write_text(&mut next, &t.question, &t.phrasings, &t.answer, &t.source);
        }
    }
    KnowledgeBase::from_toml(file, &next)?;
    Ok(next)
}

fn write_text(
    out: &mut String,
    question: &str,
    phrasings: &[String],
    answer: &str,
    source: &Option<String>,
) {
    out.push_str(&format!("question = {}\n", toml_string(question.trim())));
    let phrasings: Vec<String> = phrasings
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| format!("  {},\n", toml_string(p)))
        .collect();
    if !phrasings.is_empty() {
        out.push_str(&format!("phrasings = [\n{}]\n", phrasings.concat()));
    }
    out.push_str(&format!("answer = {}\n", toml_string(answer.trim())));
    if let Some(source) = source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        out.push_str(&format!("source = {}\n", toml_string(source)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../../sites/demo/faq.toml");

    #[test]
    fn the_demo_entries_written_back_from_their_forms_load_the_same() {
        let kb = KnowledgeBase::from_toml("faq.toml", DEMO).unwrap();
        let forms = entry_forms(&kb);
        let text = with_entries("faq.toml", DEMO, &forms).unwrap();
        let again = KnowledgeBase::from_toml("faq.toml", &text).unwrap();
        assert_eq!(again.entries, kb.entries);
        assert_eq!(again.synonyms, kb.synonyms);
        assert_eq!(entry_forms(&again), forms);
    }

    #[test]
    fn an_edited_entry_is_saved_and_a_broken_one_is_refused_with_its_place() {
        let kb = KnowledgeBase::from_toml("faq.toml", DEMO).unwrap();
        let mut forms = entry_forms(&kb);
        forms[0].answer = "Open \"late\" on Fridays.\nUntil 20:00.".into();
        forms[0].translations.insert(
            "de".into(),
            TextForm {
                question: "Öffnungszeiten?".into(),
                phrasings: vec![],
                answer: "Freitags bis 20 Uhr.".into(),
                source: None,
            },
        );
        let text = with_entries("faq.toml", DEMO, &forms).unwrap();
        let again = KnowledgeBase::from_toml("faq.toml", &text).unwrap();
        assert_eq!(
            again.entries[0].answer,
            "Open \"late\" on Fridays.\nUntil 20:00."
        );
        let de = &again.entries[0].translations[&Language::German];
        assert_eq!(de.answer, "Freitags bis 20 Uhr.");
        forms.push(forms[0].clone());
        let err = with_entries("faq.toml", DEMO, &forms).unwrap_err();
        assert!(err.message.contains("opening-hours"), "{err}");
    }
}
