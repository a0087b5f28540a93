//! The widget's words, in the visitor's language: the edge puts them in
//! the frame page (`shared::widget_text`), so the download carries one
//! language, not three. The AI label and badges are among them: product
//! chrome, chosen by locale, never by a setting or a message.

pub use shared::widget_text::Strings;
use std::cell::Cell;

thread_local! {
    static WORDS: Cell<Option<&'static Strings>> = const { Cell::new(None) };
}

/// The words the frame page carries (`<script type="application/json"
/// id="chat-strings">`: the values in `shared::widget_text::KEYS` order).
/// `None` on a page without them.
pub fn strings() -> Option<&'static Strings> {
    if let Some(words) = WORDS.get() {
        return Some(words);
    }
    let json = crate::dom::by_id("chat-strings")?.text_content()?;
    let values = js_sys::Array::from(&js_sys::JSON::parse(&json).ok()?);
    install(values.iter().filter_map(|v| v.as_string()).collect())
}

/// The language the words are in (`en` on a page without them).
pub fn lang() -> &'static str {
    strings().map_or("en", |t| t.lang)
}

/// Installs the words (the values in `KEYS` order) for the rest of the
/// page's life; `None` unless there are exactly as many as words.
pub fn install(values: Vec<String>) -> Option<&'static Strings> {
    let values: Vec<&'static str> = Vec::leak(values).iter().map(String::as_str).collect();
    let words: &'static Strings = Box::leak(Box::new(Strings::from_values(&values)?));
    WORDS.set(Some(words));
    Some(words)
}

/// Fills `{bytes}` and `{max}`.
pub fn bytes(template: &str, bytes: usize, max: usize) -> String {
    fill(
        &fill(template, "bytes", &bytes.to_string()),
        "max",
        &max.to_string(),
    )
}

/// The parts of `template` before and after its `{key}`. Written out
/// rather than `split_once("{key}")` or `replace`: a string pattern brings
/// core's two-way searcher into the download (about 0.3 KB gzip).
pub fn split_at<'a>(template: &'a str, key: &str) -> Option<(&'a str, &'a str)> {
    let mut from = 0;
    while let Some(i) = template[from..].find('{') {
        let at = from + i;
        if let Some(after) = template[at + 1..]
            .strip_prefix(key)
            .and_then(|a| a.strip_prefix('}'))
        {
            return Some((&template[..at], after));
        }
        from = at + 1;
    }
    None
}

/// `template` with its `{key}` replaced by `value`.
pub fn fill(template: &str, key: &str, value: &str) -> String {
    match split_at(template, key) {
        Some((before, after)) => format!("{before}{value}{after}"),
        None => template.to_string(),
    }
}
