//! How a visitor sounds: a frustration score and a mood from one message.

use super::lexicon::{Words, ABOUT, FRUSTRATION, INTENSIFIERS, NEGATIONS, NOT_GOOD, OWN};
use crate::analysis::Analysis;
use crate::protocol::{Mood, Sentiment};

/// Frustration in one message: words of anger and annoyance (stronger after
/// "very", "so"…, canceled by a negation: "not bad"), profanity, shouting
/// in capitals and repeated "!!"/"?!". Feelings about the visitor's own
/// things ("frustrated with my chain") count for less than about the service.
pub fn sentiment(message: &Analysis) -> Sentiment {
    let words = Words::of(message);
    let text = message.text.as_str();
    let mut score = 0.0f32;
    for &(pattern, weight) in FRUSTRATION {
        for at in words.positions(pattern) {
            let before = &words.list[at.saturating_sub(3)..at];
            if before.iter().any(|w| NEGATIONS.contains(&w.as_str())) {
                continue;
            }
            let mut w = weight;
            if at > 0 && INTENSIFIERS.contains(&words.list[at - 1].as_str()) {
                w *= 1.5;
            }
            let len = pattern.split(' ').count();
            let after: Vec<&str> = words
                .list
                .iter()
                .skip(at + len)
                .take(2)
                .map(String::as_str)
                .collect();
            if matches!(after.as_slice(), [p, o, ..] if ABOUT.contains(p) && OWN.contains(o)) {
                w *= 0.3;
            }
            score += w;
        }
    }
    for &(pattern, weight) in NOT_GOOD {
        for at in words.positions(pattern) {
            let before = &words.list[at.saturating_sub(2)..at];
            if before.iter().any(|w| NEGATIONS.contains(&w.as_str())) {
                score += weight;
            }
        }
    }
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    if letters.len() >= 10 && upper * 10 >= letters.len() * 7 {
        score += 1.5;
    }
    let bangs =
        text.matches("!!").count() + text.matches("?!").count() + text.matches("!?").count();
    score += (bangs as f32 * 0.5).min(1.5);
    let label = if score >= 3.0 {
        Mood::Angry
    } else if score >= 1.0 {
        Mood::Annoyed
    } else {
        Mood::Calm
    };
    Sentiment {
        frustration: (score * 10.0).round() / 10.0,
        label,
    }
}
