//! Proactive messages: a site's rules for a short line beside the launcher
//! ("Questions about e-bike servicing?") on some pages, after some seconds,
//! for some languages, once per visitor, not on phones unless the rule
//! says so. Labelled as coming from the AI assistant or the team; it never
//! opens the chat by itself. The edge picks the rule for a page here and
//! sends it with the launcher's answer (`embed::Launcher`).

use crate::analysis::Language;
use serde::{Deserialize, Serialize};

/// Rules per site, and the limits of one.
pub const MAX_RULES: usize = 10;
pub const MAX_TEXT_CHARS: usize = 200;
pub const MAX_AFTER_S: u32 = 600;

/// Who a proactive message is from, as the visitor reads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum From {
    #[default]
    Ai,
    Team,
}

/// One rule, as admins set it in Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The page paths it shows on, like `/bikes/e-*` (`*`: anything).
    pub path: String,
    /// Seconds on the page before it shows.
    #[serde(default)]
    pub after_s: u32,
    /// The languages it is for (`en`, `de`, `es`); none: every language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    pub text: String,
    #[serde(default)]
    pub from: From,
    /// Shown on phones too (off by default: a bubble covers much of a
    /// small screen).
    #[serde(default)]
    pub phones: bool,
}

/// What the loader draws: the text, who it is from and the words around
/// it in the page's language, when, and the key it remembers it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nudge {
    /// Changes when the rule's path or text does, so an edited message
    /// shows again.
    pub id: String,
    pub text: String,
    pub label: String,
    pub dismiss: String,
    pub after_s: u32,
    pub phones: bool,
}

/// The rules checked as a whole; the first problem, naming the rule.
pub fn validate(rules: &[Rule]) -> Result<(), String> {
    if rules.len() > MAX_RULES {
        return Err(format!("proactive: at most {MAX_RULES} messages"));
    }
    for (i, r) in rules.iter().enumerate() {
        let n = i + 1;
        let path_ok = r.path.starts_with('/')
            && r.path.len() <= 200
            && !r.path.chars().any(|c| c.is_whitespace() || c.is_control());
        if !path_ok {
            return Err(format!(
                "proactive message {n}: the page is a path like /bikes/e-* (no spaces)"
            ));
        }
        if r.after_s > MAX_AFTER_S {
            return Err(format!(
                "proactive message {n}: at most {MAX_AFTER_S} seconds"
            ));
        }
        if let Some(l) = r.languages.iter().find(|l| Language::parse(l).is_none()) {
            return Err(format!(
                "proactive message {n}: `{l}` is not a language of the chat (en, de, es)"
            ));
        }
        let text = crate::text::clean_message(&r.text);
        if text.trim().is_empty() || text.chars().count() > MAX_TEXT_CHARS {
            return Err(format!(
                "proactive message {n}: a text of 1 to {MAX_TEXT_CHARS} characters"
            ));
        }
    }
    Ok(())
}

/// The message for a page at `path` read in `language`: the first rule
/// that matches.
pub fn for_page(rules: &[Rule], path: &str, language: Language) -> Option<Nudge> {
    let rule = rules.iter().find(|r| {
        path_matches(&r.path, path)
            && (r.languages.is_empty() || r.languages.iter().any(|l| l == language.code()))
    })?;
    let (ai, team, dismiss) = match language {
        Language::English => ("AI assistant", "Our team", "Dismiss"),
        Language::German => ("KI-Assistent", "Unser Team", "Ausblenden"),
        Language::Spanish => ("Asistente de IA", "Nuestro equipo", "Descartar"),
    };
    Some(Nudge {
        id: fnv_hex(&format!("{}\n{}", rule.path, rule.text)),
        text: crate::text::clean_message(&rule.text),
        label: match rule.from {
            From::Ai => ai,
            From::Team => team,
        }
        .to_string(),
        dismiss: dismiss.to_string(),
        after_s: rule.after_s,
        phones: rule.phones,
    })
}

/// Glob match where `*` stands for any run of characters; the rest is
/// compared as written.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

fn fnv_hex(s: &str) -> String {
    let hash = s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(path: &str, languages: &[&str], text: &str) -> Rule {
        Rule {
            path: path.into(),
            after_s: 20,
            languages: languages.iter().map(|l| l.to_string()).collect(),
            text: text.into(),
            from: From::Ai,
            phones: false,
        }
    }

    #[test]
    fn paths_match_with_stars_for_any_run_of_characters() {
        assert!(path_matches("/bikes/e-*", "/bikes/e-cargo"));
        assert!(path_matches("/bikes/e-*", "/bikes/e-"));
        assert!(!path_matches("/bikes/e-*", "/bikes/road"));
        assert!(path_matches("/", "/"));
        assert!(!path_matches("/", "/prices"));
        assert!(path_matches("*", "/anything/at/all"));
        assert!(path_matches("/*/service", "/de/service"));
        assert!(!path_matches("/*/service", "/de/service/extra"));
        assert!(path_matches("/a*b*c", "/axxbyyc"));
        assert!(!path_matches("/a*b*c", "/axxcyyb"));
        assert!(!path_matches("/ab*ba", "/aba"), "the parts may not overlap");
    }

    #[test]
    fn the_first_rule_for_the_page_and_language_speaks_the_pages_language() {
        let rules = vec![
            rule("/bikes/e-*", &["de"], "Fragen zum E-Bike-Service?"),
            rule("/bikes/e-*", &[], "Questions about e-bike servicing?"),
        ];
        let de = for_page(&rules, "/bikes/e-cargo", Language::German).unwrap();
        assert_eq!(de.text, "Fragen zum E-Bike-Service?");
        assert_eq!(
            (de.label.as_str(), de.dismiss.as_str()),
            ("KI-Assistent", "Ausblenden")
        );
        let en = for_page(&rules, "/bikes/e-cargo", Language::English).unwrap();
        assert_eq!(en.text, "Questions about e-bike servicing?");
        assert_eq!(en.label, "AI assistant");
        assert_ne!(de.id, en.id);
        assert_eq!(for_page(&rules, "/prices", Language::English), None);
        let team = Rule {
            from: From::Team,
            ..rule("/", &[], "Hi!")
        };
        assert_eq!(
            for_page(&[team], "/", Language::Spanish).unwrap().label,
            "Nuestro equipo"
        );
    }

    #[test]
    fn rules_that_cannot_work_are_refused_naming_the_rule() {
        assert!(validate(&[rule("/x", &[], "Hello")]).is_ok());
        let too_many = vec![rule("/x", &[], "Hello"); MAX_RULES + 1];
        assert!(validate(&too_many).is_err());
        for (bad, why) in [
            (rule("bikes", &[], "Hi"), "a path"),
            (rule("/a b", &[], "Hi"), "a path"),
            (rule("/x", &["fr"], "Hi"), "`fr`"),
            (rule("/x", &[], "   "), "1 to 200"),
            (rule("/x", &[], &"a".repeat(201)), "1 to 200"),
            (
                Rule {
                    after_s: 601,
                    ..rule("/x", &[], "Hi")
                },
                "600 seconds",
            ),
        ] {
            let err = validate(&[rule("/ok", &[], "Fine"), bad]).unwrap_err();
            assert!(
                err.starts_with("proactive message 2") && err.contains(why),
                "{err}"
            );
        }
    }
}
