//! The agent panel's keyboard shortcuts: which key does what, decided
//! here so the desk only reads keys and does what it is told. Single keys,
//! as in mail clients: never with Ctrl, Alt or Meta (those stay the
//! browser's), and never while the agent types in a field, where only
//! Escape counts (it leaves the field, so the next key is a shortcut).

/// What a key asks the desk to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// The next conversation in the lists (waiting, then mine).
    Next,
    Previous,
    /// Claim the open conversation.
    Claim,
    /// Into the reply box.
    Reply,
    /// Resolve the open conversation.
    Resolve,
    /// Into the search box.
    Search,
    /// Show the shortcuts.
    Help,
    /// Close the help, or leave the field being typed in.
    Leave,
}

/// A key press as the browser reports it.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyPress<'a> {
    /// `KeyboardEvent.key`: "j", "?", "Escape".
    pub key: &'a str,
    pub ctrl: bool,
    pub alt: bool,
    pub meta: bool,
    /// Focus is in a text field, text area or select.
    pub in_field: bool,
}

pub fn shortcut(press: &KeyPress) -> Option<Shortcut> {
    if press.ctrl || press.alt || press.meta {
        return None;
    }
    if press.key == "Escape" {
        return Some(Shortcut::Leave);
    }
    if press.in_field {
        return None;
    }
    Some(match press.key {
        "j" => Shortcut::Next,
        "k" => Shortcut::Previous,
        "c" => Shortcut::Claim,
        "r" => Shortcut::Reply,
        "e" => Shortcut::Resolve,
        "/" => Shortcut::Search,
        "?" => Shortcut::Help,
        _ => return None,
    })
}

/// The help the desk shows for `?`: keys and what they do.
pub const HELP: &[(&str, &str)] = &[
    ("j", "next conversation"),
    ("k", "previous conversation"),
    ("c", "claim the open conversation"),
    ("r", "write a reply"),
    ("e", "resolve the open conversation"),
    ("/", "search conversations"),
    ("?", "show these shortcuts"),
    ("Esc", "close this help, or leave the field you type in"),
];

/// The conversation after (or before) `current` in `order`; the first (or
/// last) when none is open or it is no longer listed; none in an empty list.
pub fn step<'a>(order: &'a [String], current: Option<&str>, forward: bool) -> Option<&'a String> {
    let at = current.and_then(|c| order.iter().position(|id| id == c));
    match (at, forward) {
        (Some(i), true) => order.get(i + 1).or(order.last()),
        (Some(i), false) => order.get(i.saturating_sub(1)),
        (None, true) => order.first(),
        (None, false) => order.last(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: &str) -> KeyPress<'_> {
        KeyPress {
            key,
            ..Default::default()
        }
    }

    #[test]
    fn single_keys_act_but_not_with_modifiers_nor_while_typing() {
        assert_eq!(shortcut(&key("j")), Some(Shortcut::Next));
        assert_eq!(shortcut(&key("?")), Some(Shortcut::Help));
        assert_eq!(shortcut(&key("/")), Some(Shortcut::Search));
        assert_eq!(shortcut(&key("x")), None);
        let ctrl_r = KeyPress {
            ctrl: true,
            ..key("r")
        };
        assert_eq!(shortcut(&ctrl_r), None, "the browser's reload stays");
        let meta_c = KeyPress {
            meta: true,
            ..key("c")
        };
        assert_eq!(shortcut(&meta_c), None, "copy stays copy");
        let typing = KeyPress {
            in_field: true,
            ..key("e")
        };
        assert_eq!(shortcut(&typing), None, "an e typed in a reply");
        let leaving = KeyPress {
            in_field: true,
            ..key("Escape")
        };
        assert_eq!(shortcut(&leaving), Some(Shortcut::Leave));
    }

    #[test]
    fn next_and_previous_stop_at_the_ends_and_start_from_either_end() {
        let order: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let at = |current, forward| step(&order, current, forward).map(String::as_str);
        assert_eq!(at(None, true), Some("a"));
        assert_eq!(at(None, false), Some("c"));
        assert_eq!(at(Some("a"), true), Some("b"));
        assert_eq!(at(Some("c"), true), Some("c"));
        assert_eq!(at(Some("a"), false), Some("a"));
        assert_eq!(at(Some("gone"), true), Some("a"));
        assert_eq!(step(&[], Some("a"), true), None);
    }

    #[test]
    fn every_shortcut_is_in_the_help() {
        for (k, _) in HELP.iter().filter(|(k, _)| *k != "Esc") {
            assert!(shortcut(&key(k)).is_some(), "{k}");
        }
    }
}
