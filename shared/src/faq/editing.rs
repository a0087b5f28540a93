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
