//! The widget's words, in English, German and Spanish (`widget/i18n/`,
//! one JSON object per language, keyed as [`Strings`]' fields). The AI
//! label and badges are among them: product chrome, chosen by the
//! visitor's language, never by a setting or a message. `{name}`,
//! `{bytes}`, `{max}` and the like are filled in by the widget.
//!
//! The edge puts only the visitor's language into the frame page, as the
//! values in [`KEYS`] order (see [`values`]), so the widget's download
//! carries one language, not three, and no key names.

use crate::analysis::Language;
use serde_json::Value;

macro_rules! strings {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// One language's words. (`repr(C)` and the slice pattern in
        /// `from_values`: 0.3 KB less in the widget than a call per word.)
        #[repr(C)]
        pub struct Strings {
            $($(#[$doc])* pub $name: &'static str,)*
        }

        /// The fields of [`Strings`], in order.
        pub const KEYS: &[&str] = &[$(stringify!($name)),*];

        impl Strings {
            /// From the values in [`KEYS`] order, exactly as many.
            pub fn from_values(values: &[&'static str]) -> Option<Self> {
                let &[$($name),*] = values else {
                    return None;
                };
                Some(Strings { $($name,)* })
            }
        }
    };
}

strings! {
    lang,
    ai_label,
    default_assistant_name,
    disclosure,
    close,
    log_label,
    badge_you,
    badge_ai,
    badge_person,
    badge_system,
    source,
    did_you_mean,
    talk_to_person,
    waiting_for_person,
    state_bot,
    state_waiting,
    state_resolved,
    /// `{team}`: "Waiting for {team}."
    waiting_for_team,
    /// Waiting because the policy decided, not the visitor.
    state_waiting_policy,
    /// `{team}`
    waiting_for_team_policy,
    /// `{n}`
    queue_position,
    /// `{min}`
    expected_wait,
    wait_unknown,
    wait_longer,
    /// `{name}` is drawn isolated as the person's name.
    person_joined,
    person_left,
    person_here,
    contact_outside_hours,
    /// `{day}`, `{time}` in the visitor's language and time zone.
    back_on,
    /// `{time}`
    back_today,
    contact_nobody_online,
    contact_no_claim,
    contact_toggle,
    email_label,
    question_label,
    leave_contact,
    invalid_email,
    /// True whether or not the site also sends the answer by e-mail: it
    /// always waits here, and no e-mail is promised that may not come.
    contact_left,
    /// Beside a team's answer that waited for the visitor.
    new_message,
    rate_prompt,
    /// `{n}`
    rate_score,
    rate_comment,
    rate_send,
    rated,
    typing,
    connecting,
    offline,
    your_message,
    placeholder,
    send,
    send_photo,
    /// A photo's description when its sender gave none.
    photo,
    /// When the code that sends photos cannot be loaded.
    photo_failed,
    sending,
    sent,
    /// Under the visitor's latest message the person has read.
    seen,
    not_sent,
    not_confirmed,
    retry,
    too_long,
    bytes_counter,
    privacy_notice,
    privacy_link,
    delete_conversation,
    delete_confirm,
    deleted,
}

/// The source of each language.
pub const LANGUAGES: [(&str, &str); 3] = [
    ("en", include_str!("../../widget/i18n/en.json")),
    ("de", include_str!("../../widget/i18n/de.json")),
    ("es", include_str!("../../widget/i18n/es.json")),
];

/// The language the widget speaks for a BCP 47 tag (`de-AT` → `de`);
/// English for anything else.
pub fn language(locale: Option<&str>) -> &'static str {
    locale
        .and_then(Language::parse)
        .map_or("en", Language::code)
}

/// A language's words as the JSON array the widget reads: the values in
/// [`KEYS`] order. `None` if the source misses a key or has one more.
pub fn values(source: &str) -> Option<Value> {
    let Value::Object(mut words) = serde_json::from_str::<Value>(source).ok()? else {
        return None;
    };
    let values: Vec<Value> = KEYS
        .iter()
        .map(|k| words.remove(*k).filter(Value::is_string))
        .collect::<Option<_>>()?;
    words.is_empty().then_some(Value::Array(values))
}

/// The array for `language` (one of [`LANGUAGES`]).
pub fn values_for(language: &str) -> Value {
    LANGUAGES
        .iter()
        .find(|(code, _)| *code == language)
        .and_then(|(_, source)| values(source))
        .unwrap_or_else(|| Value::Array(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_word_and_no_other() {
        for (code, source) in LANGUAGES {
            let values = values(source).unwrap_or_else(|| panic!("{code}: a key missing or extra"));
            assert_eq!(values[0], code, "`lang` comes first and names the file");
            assert_eq!(values.as_array().map(Vec::len), Some(KEYS.len()));
        }
    }

    #[test]
    fn every_language_fills_the_same_places() {
        let places = |text: &str| {
            let mut found: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
                .collect();
            found.sort();
            found
        };
        let english = values_for("en");
        for (code, _) in LANGUAGES {
            let other = values_for(code);
            for (i, key) in KEYS.iter().enumerate() {
                let (en, text) = (english[i].as_str().unwrap(), other[i].as_str().unwrap());
                assert_eq!(places(en), places(text), "{code}.{key}");
            }
        }
    }

    #[test]
    fn a_locale_picks_its_language_or_english() {
        assert_eq!(language(Some("de-AT")), "de");
        assert_eq!(language(Some("ES")), "es");
        assert_eq!(language(Some("fr")), "en");
        assert_eq!(language(None), "en");
    }

    #[test]
    fn strings_read_back_from_the_values() {
        let values = values_for("de");
        let words: Vec<&'static str> = values
            .as_array()
            .unwrap()
            .iter()
            .map(|v| &*Box::leak(v.as_str().unwrap().to_string().into_boxed_str()))
            .collect();
        let s = Strings::from_values(&words).unwrap();
        assert_eq!((s.lang, s.send), ("de", "Senden"));
        assert!(Strings::from_values(&words[1..]).is_none(), "one too few");
    }
}
