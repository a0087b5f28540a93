//! Labeled questions as `text,category` CSV (the evaluation format): read
//! and grouped into a knowledge base whose entries are the categories.

use super::kb::{Entry, KbError, KnowledgeBase, Language, Settings};
use std::collections::BTreeMap;

impl KnowledgeBase {
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
                    language: Language::English,
                    translations: Default::default(),
                    fallback: false,
                }
            })
            .collect();
        Ok(Self {
            settings: Settings::default(),
            entries,
            synonyms: Default::default(),
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
