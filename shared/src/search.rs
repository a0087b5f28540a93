//! Searching a site's conversations: what an agent typed, made into a
//! query the site's full-text index (SQLite FTS5 in the inbox) runs
//! safely, the matching line cut and marked as the index matched it, and
//! the names lists show for a conversation.

use crate::protocol::{ConversationState, Highlight, SearchRequest, Trigger};

/// Most conversations one search returns.
pub const MAX_RESULTS: usize = 50;
/// Most words of a search that count (the rest are ignored).
const MAX_TERMS: usize = 8;
/// Longest word searched for, in characters.
const MAX_TERM_CHARS: usize = 40;
/// Longest title a list shows, in characters.
const TITLE_CHARS: usize = 80;

/// The FTS5 query for what an agent typed: every word must occur, each
/// word of three or more letters also as the start of a longer one
/// ("brake" finds "brakes"). Each word is quoted, so nothing typed is read
/// as FTS5 syntax (`OR`, `NEAR`, `*`, `"`, column filters). `None` when
/// nothing searchable was typed.
pub fn match_expression(words: &str) -> Option<String> {
    let terms: Vec<String> = words
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_TERMS)
        .map(|w| {
            let w: String = w.chars().take(MAX_TERM_CHARS).collect();
            if w.chars().count() >= 3 {
                format!("\"{w}\"*")
            } else {
                format!("\"{w}\"")
            }
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// Words shown around the first match in a result's line.
const SNIPPET_WORDS: usize = 16;
/// Words shown before the first match.
const WORDS_BEFORE: usize = 4;

/// A line as the search found it: cut around the first of the searched
/// `words` it contains, in pieces with every such word marked. Words match
/// as the index matched them (case and accents folded, a word of three or
/// more letters also as the start of a longer one).
pub fn highlight_line(line: &str, words: &str) -> Vec<Highlight> {
    let terms: Vec<(String, bool)> = words
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_TERMS)
        .map(|w| {
            let folded = crate::analysis::normalize(w);
            let prefix = folded.chars().count() >= 3;
            (folded, prefix)
        })
        .collect();
    // The line's words, as byte ranges.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, line.len()));
    }
    let hit = |&(a, b): &(usize, usize)| {
        let folded = crate::analysis::normalize(&line[a..b]);
        terms.iter().any(|(t, prefix)| {
            if *prefix {
                folded.starts_with(t.as_str())
            } else {
                folded == *t
            }
        })
    };
    let hits: Vec<bool> = spans.iter().map(hit).collect();
    let first = hits.iter().position(|h| *h).unwrap_or(0);
    let from = first.saturating_sub(WORDS_BEFORE);
    let to = (from + SNIPPET_WORDS).min(spans.len());
    let mut parts: Vec<Highlight> = Vec::new();
    let mut push = |text: &str, hit: bool| {
        if text.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(last) if last.hit == hit => last.text.push_str(text),
            _ => parts.push(Highlight {
                text: text.to_string(),
                hit,
            }),
        }
    };
    if spans.is_empty() {
        push(&cut(line, SNIPPET_WORDS * 8), false);
        return parts;
    }
    let mut at = if from == 0 { 0 } else { spans[from].0 };
    if from > 0 {
        push("…", false);
    }
    for i in from..to {
        let (a, b) = spans[i];
        push(&line[at..a], false);
        push(&line[a..b], hits[i]);
        at = b;
    }
    if to == spans.len() {
        push(&line[at..], false);
    } else {
        push(" …", false);
    }
    parts
}

/// A SQL `LIKE` pattern for a part of a name or address, with `\` as the
/// escape character (`%` and `_` typed are matched as themselves). `None`
/// when nothing was typed.
pub fn like_pattern(part: &str) -> Option<String> {
    let part = part.trim();
    if part.is_empty() {
        return None;
    }
    let mut pattern = String::from("%");
    for c in part.chars().take(MAX_TERM_CHARS * 2) {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Some(pattern)
}

/// What a list shows for a conversation: the visitor's name with their
/// question, either alone, or `None` when neither is known.
pub fn title(visitor_name: Option<&str>, topic: Option<&str>) -> Option<String> {
    let clean = |s: Option<&str>| {
        s.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
    };
    let full = match (clean(visitor_name), clean(topic)) {
        (Some(name), Some(topic)) => format!("{name} · {topic}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => return None,
    };
    Some(cut(&full, TITLE_CHARS))
}

/// `text` cut to `max` characters, with "…" when something was cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Why a search was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSearch(pub &'static str);

impl SearchRequest {
    /// A search from the query string's pairs. Unknown names are ignored;
    /// a value that cannot mean anything is refused with what was wrong.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, BadSearch> {
        let mut search = SearchRequest::default();
        for (name, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match name {
                "words" => search.words = value.to_string(),
                "visitor" => search.visitor = value.to_string(),
                "from_ms" => search.from_ms = Some(ms(value)?),
                "to_ms" => search.to_ms = Some(ms(value)?),
                "team" => search.team = Some(value.to_string()),
                "trigger" => {
                    search.trigger = Some(
                        Trigger::ALL
                            .into_iter()
                            .find(|t| t.as_str() == value)
                            .ok_or(BadSearch("No such reason for a hand-off."))?,
                    )
                }
                "rating" => {
                    search.rating = Some(
                        value
                            .parse::<u8>()
                            .ok()
                            .filter(|r| (1..=5).contains(r))
                            .ok_or(BadSearch("A rating is 1 to 5."))?,
                    )
                }
                "state" => {
                    search.state = Some(
                        ConversationState::parse(value)
                            .ok_or(BadSearch("No such conversation state."))?,
                    )
                }
                _ => {}
            }
        }
        if search.words.chars().count() > 200 || search.visitor.chars().count() > 200 {
            return Err(BadSearch("That search is too long."));
        }
        Ok(search)
    }

    /// The query string the panel sends for this search.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut add = |name, value: String| {
            if !value.is_empty() {
                pairs.push((name, value));
            }
        };
        add("words", self.words.clone());
        add("visitor", self.visitor.clone());
        add(
            "from_ms",
            self.from_ms.map(|m| m.to_string()).unwrap_or_default(),
        );
        add(
            "to_ms",
            self.to_ms.map(|m| m.to_string()).unwrap_or_default(),
        );
        add("team", self.team.clone().unwrap_or_default());
        add(
            "trigger",
            self.trigger
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
        );
        add(
            "rating",
            self.rating.map(|r| r.to_string()).unwrap_or_default(),
        );
        add(
            "state",
            self.state
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        );
        pairs
    }
}

fn ms(value: &str) -> Result<i64, BadSearch> {
    value
        .parse::<i64>()
        .map_err(|_| BadSearch("A date must be a time in milliseconds."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_quoted_so_nothing_typed_is_query_syntax() {
        assert_eq!(
            match_expression("brake OR pads").as_deref(),
            Some("\"brake\"* \"OR\" \"pads\"*")
        );
        assert_eq!(
            match_expression("text:\"x\" NEAR(a b) *").as_deref(),
            Some("\"text\"* \"x\" \"NEAR\"* \"a\" \"b\"")
        );
        assert_eq!(match_expression("  ?! \"\" "), None);
    }

    #[test]
    fn words_in_any_script_are_kept_whole_and_capped() {
        assert_eq!(
            match_expression("Bremsbeläge für São Paulo").as_deref(),
            Some("\"Bremsbeläge\"* \"für\"* \"São\"* \"Paulo\"*")
        );
        let many = "a ".repeat(50);
        assert_eq!(
            match_expression(&many).map(|q| q.matches('"').count()),
            Some(16)
        );
        let long = "x".repeat(500);
        assert_eq!(
            match_expression(&long).map(|q| q.len()),
            Some(MAX_TERM_CHARS + 3)
        );
    }

    fn shown(parts: &[Highlight]) -> String {
        parts
            .iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn a_line_is_marked_as_the_index_matched_it() {
        let line = "Meine BREMSBELÄGE quietschen, die Bremse auch <b>!";
        assert_eq!(
            shown(&highlight_line(line, "bremsbelage brem")),
            "Meine [BREMSBELÄGE] quietschen, die [Bremse] auch <b>!"
        );
        assert_eq!(
            shown(&highlight_line("a to b and to", "to")),
            "a [to] b and [to]",
            "a short word matches whole"
        );
        assert_eq!(
            shown(&highlight_line("stock and stocking", "sto")),
            "[stock] and [stocking]"
        );
    }

    #[test]
    fn a_long_line_is_cut_around_its_first_match() {
        let line = (1..=40)
            .map(|n| format!("w{n}"))
            .collect::<Vec<_>>()
            .join(" ");
        let cut = shown(&highlight_line(&line, "w20"));
        assert!(cut.starts_with("…w16 w17 w18 w19 [w20] w21"), "{cut}");
        assert!(cut.ends_with("w31 …"), "{cut}");
        let start = shown(&highlight_line(&line, "w2"));
        assert!(start.starts_with("w1 [w2] w3"), "{start}");
        assert_eq!(
            shown(&highlight_line("?!", "x")),
            "?!",
            "no words: the line as it is"
        );
    }

    #[test]
    fn like_patterns_match_what_was_typed_literally() {
        assert_eq!(like_pattern(" Ana ").as_deref(), Some("%Ana%"));
        assert_eq!(like_pattern("50%_x\\").as_deref(), Some("%50\\%\\_x\\\\%"));
        assert_eq!(like_pattern("   "), None);
    }

    #[test]
    fn titles_name_the_visitor_and_their_question_in_one_short_line() {
        assert_eq!(
            title(Some("Ana  Ruiz"), Some("my\nbrakes squeak")).as_deref(),
            Some("Ana Ruiz · my brakes squeak")
        );
        assert_eq!(title(None, Some("hello")).as_deref(), Some("hello"));
        assert_eq!(title(Some(" "), None), None);
        let long = title(None, Some(&"word ".repeat(40))).unwrap_or_default();
        assert_eq!(long.chars().count(), TITLE_CHARS);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn a_search_is_read_from_its_query_and_written_back_the_same() {
        let search = SearchRequest::from_pairs([
            ("words", "brakes"),
            ("visitor", "ana@"),
            ("from_ms", "1000"),
            ("team", "workshop"),
            ("trigger", "frustration"),
            ("rating", "2"),
            ("state", "resolved"),
            ("unknown", "ignored"),
            ("to_ms", ""),
        ])
        .expect("a valid search");
        assert_eq!(search.trigger, Some(Trigger::Frustration));
        assert_eq!(search.state, Some(ConversationState::Resolved));
        assert_eq!(search.to_ms, None);
        let pairs = search.to_pairs();
        let again =
            SearchRequest::from_pairs(pairs.iter().map(|(n, v)| (*n, v.as_str()))).expect("again");
        assert_eq!(again, search);
    }

    #[test]
    fn a_search_with_a_value_that_means_nothing_is_refused() {
        assert!(SearchRequest::from_pairs([("rating", "9")]).is_err());
        assert!(SearchRequest::from_pairs([("state", "open")]).is_err());
        assert!(SearchRequest::from_pairs([("trigger", "x")]).is_err());
        assert!(SearchRequest::from_pairs([("from_ms", "yesterday")]).is_err());
        let long = "w".repeat(201);
        assert!(SearchRequest::from_pairs([("words", long.as_str())]).is_err());
    }
}
