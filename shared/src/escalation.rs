//! When the AI hands a conversation to a person, and why.
//!
//! After every visitor message the edge asks [`decide`]. The answer carries
//! every reason found, in words an agent can read ("frustration: 'this is
//! ridiculous'; 2 unanswered questions"), so a hand-off is never silent and
//! never unexplained. Everything here is a plain function of the text and
//! the conversation so far; the lexicons cover English, German and Spanish.
//!
//! Patterns are matched on normalised words (`faq::analyzer::normalize`:
//! lower case, no diacritics, no apostrophes): a pattern is a run of words,
//! a word ending in `*` matches any word starting with it.

use crate::disclosure;
use crate::faq::analyzer::{normalize, tokens};
use serde::{Deserialize, Serialize};

/// Per-site settings of the policy (the `handoff.policy` part of a site's
/// configuration). Every field has a sensible default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EscalationPolicy {
    /// Hand over when this many misses (abstentions or "that didn't help")
    /// come in a row.
    pub misses_in_a_row: u32,
    /// Frustration score at which to hand over (see [`sentiment`]).
    pub frustration_threshold: f32,
    /// Topics always handed to a person. Empty uses [`default_sensitive_topics`].
    pub sensitive_topics: Vec<SensitiveTopic>,
    /// Hand over when the visitor asks the same question again.
    pub repeated_question: bool,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self {
            misses_in_a_row: 2,
            frustration_threshold: 2.0,
            sensitive_topics: Vec::new(),
            repeated_question: true,
        }
    }
}

/// A topic (legal, medical, payment dispute, safety…) and the words that
/// name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitiveTopic {
    pub name: String,
    pub patterns: Vec<String>,
}

/// What started a hand-off. One per decision (the strongest); every other
/// reason found is kept in [`Decision::reasons`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The "Talk to a person" button.
    PersonButton,
    /// "Can I talk to a real person?"
    AskedInWords,
    /// The matched FAQ entry is marked "always hand to a person".
    HandoffEntry,
    SensitiveTopic,
    Complaint,
    Frustration,
    /// Several unanswered or unhelpful answers in a row.
    RepeatedMisses,
    /// The same question asked again.
    RepeatedQuestion,
}

impl Trigger {
    pub const ALL: [Trigger; 8] = [
        Trigger::PersonButton,
        Trigger::AskedInWords,
        Trigger::HandoffEntry,
        Trigger::SensitiveTopic,
        Trigger::Complaint,
        Trigger::Frustration,
        Trigger::RepeatedMisses,
        Trigger::RepeatedQuestion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::PersonButton => "person_button",
            Trigger::AskedInWords => "asked_in_words",
            Trigger::HandoffEntry => "handoff_entry",
            Trigger::SensitiveTopic => "sensitive_topic",
            Trigger::Complaint => "complaint",
            Trigger::Frustration => "frustration",
            Trigger::RepeatedMisses => "repeated_misses",
            Trigger::RepeatedQuestion => "repeated_question",
        }
    }

    /// How urgent a hand-off for this trigger is, before sentiment and
    /// waiting time are added (see `handoff::priority`).
    pub fn base_priority(self) -> f32 {
        match self {
            Trigger::SensitiveTopic => 4.0,
            Trigger::Complaint | Trigger::Frustration => 3.0,
            Trigger::RepeatedMisses | Trigger::RepeatedQuestion => 2.0,
            Trigger::PersonButton | Trigger::AskedInWords | Trigger::HandoffEntry => 1.0,
        }
    }
}

/// One reason, with the words that show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub trigger: Trigger,
    /// For an agent: "frustration: 'this is ridiculous'".
    pub detail: String,
}

/// How the visitor sounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// 0 is calm; [`EscalationPolicy::frustration_threshold`] (2 by default) is frustrated.
    pub frustration: f32,
    pub label: Mood,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mood {
    Calm,
    Annoyed,
    Angry,
}

/// A visitor's earlier message and how the AI did with it.
#[derive(Debug, Clone, PartialEq)]
pub struct PastTurn {
    pub text: String,
    /// The AI answered it from the FAQ with confidence (not "not sure").
    pub answered: bool,
}

/// The message being decided on.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn<'a> {
    pub text: &'a str,
    /// The AI answers it with confidence.
    pub answered: bool,
    /// The answer's FAQ entry is marked "always hand to a person": its id.
    pub handoff_entry: Option<&'a str>,
}

/// The policy's answer for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The strongest reason, if the conversation should go to a person.
    pub trigger: Option<Trigger>,
    /// Every reason found, strongest first.
    pub reasons: Vec<Reason>,
    pub sentiment: Sentiment,
    /// Name of the sensitive topic, for routing.
    pub topic: Option<String>,
}

impl Decision {
    pub fn hand_off(&self) -> bool {
        self.trigger.is_some()
    }

    /// The decision for the "Talk to a person" button.
    pub fn button() -> Self {
        Decision {
            trigger: Some(Trigger::PersonButton),
            reasons: vec![Reason {
                trigger: Trigger::PersonButton,
                detail: "pressed \"Talk to a person\"".into(),
            }],
            sentiment: Sentiment {
                frustration: 0.0,
                label: Mood::Calm,
            },
            topic: None,
        }
    }

    /// Reasons as one line for an agent.
    pub fn summary(&self) -> String {
        self.reasons
            .iter()
            .map(|r| r.detail.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Decides whether `turn` (given the visitor's earlier turns) goes to a person.
pub fn decide(policy: &EscalationPolicy, history: &[PastTurn], turn: &Turn) -> Decision {
    let words = Words::new(turn.text);
    let sentiment = sentiment(turn.text);
    let mut reasons = Vec::new();
    let mut topic = None;

    // "Are you a bot?" is answered with the disclosure, not a hand-off.
    if disclosure::asks_if_bot(turn.text).is_none() {
        if let Some(phrase) = asks_for_person(&words) {
            reasons.push(Reason {
                trigger: Trigger::AskedInWords,
                detail: format!("asked for a person: '{phrase}'"),
            });
        }
    }
    if let Some(id) = turn.handoff_entry {
        reasons.push(Reason {
            trigger: Trigger::HandoffEntry,
            detail: format!("FAQ entry '{id}' always goes to a person"),
        });
    }
    let defaults;
    let topics = if policy.sensitive_topics.is_empty() {
        defaults = default_sensitive_topics();
        &defaults
    } else {
        &policy.sensitive_topics
    };
    for t in topics {
        if let Some(phrase) = t.patterns.iter().find_map(|p| words.find(p)) {
            reasons.push(Reason {
                trigger: Trigger::SensitiveTopic,
                detail: format!("sensitive topic {}: '{phrase}'", t.name),
            });
            topic.get_or_insert_with(|| t.name.clone());
        }
    }
    if let Some(phrase) = COMPLAINT.iter().find_map(|p| words.find(p)) {
        reasons.push(Reason {
            trigger: Trigger::Complaint,
            detail: format!("complaint: '{phrase}'"),
        });
    }
    if sentiment.frustration >= policy.frustration_threshold {
        reasons.push(Reason {
            trigger: Trigger::Frustration,
            detail: format!("frustration: '{}'", excerpt(turn.text, 60)),
        });
    }
    let this_missed = !turn.answered || says_unhelpful(turn.text);
    let misses = 1 + history.iter().rev().take_while(|t| missed(t)).count();
    if this_missed && policy.misses_in_a_row > 0 && misses >= policy.misses_in_a_row as usize {
        reasons.push(Reason {
            trigger: Trigger::RepeatedMisses,
            detail: format!("{misses} unanswered or unhelpful answers in a row"),
        });
    }
    if policy.repeated_question {
        if let Some(earlier) = history.iter().find(|t| same_question(&t.text, turn.text)) {
            reasons.push(Reason {
                trigger: Trigger::RepeatedQuestion,
                detail: format!("asked again: '{}'", excerpt(&earlier.text, 60)),
            });
        }
    }
    reasons.sort_by(|a, b| {
        b.trigger
            .base_priority()
            .total_cmp(&a.trigger.base_priority())
            .then(a.trigger.cmp(&b.trigger))
    });
    reasons.dedup_by(|a, b| a.detail == b.detail);
    Decision {
        trigger: reasons.first().map(|r| r.trigger),
        reasons,
        sentiment,
        topic,
    }
}

fn missed(turn: &PastTurn) -> bool {
    !turn.answered || says_unhelpful(&turn.text)
}

/// "That didn't help", in any supported language.
pub fn says_unhelpful(text: &str) -> bool {
    let words = Words::new(text);
    UNHELPFUL.iter().any(|p| words.find(p).is_some())
}

/// The message asks for a person in words (and is not "are you a bot?").
pub fn asks_for_person_in(text: &str) -> bool {
    disclosure::asks_if_bot(text).is_none() && asks_for_person(&Words::new(text)).is_some()
}

/// Frustration in one message: words of anger and annoyance (stronger after
/// "very", "so"…, cancelled by a negation: "not bad"), profanity, shouting
/// in capitals and repeated "!!"/"?!". Feelings about the visitor's own
/// things ("frustrated with my chain") count for less than about the service.
pub fn sentiment(text: &str) -> Sentiment {
    let words = Words::new(text);
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

/// The request phrase if the message asks for a person: a fixed phrase, a
/// request verb followed by a person word ("can I talk to someone"), or a
/// short message that is just a person word ("agent please"). "I don't need
/// a person" is not a request.
fn asks_for_person(words: &Words) -> Option<String> {
    if let Some(p) = PERSON_PHRASES.iter().find_map(|p| words.find(p)) {
        return Some(p);
    }
    let list = &words.list;
    for (i, w) in list.iter().enumerate() {
        if !REQUEST_VERBS.iter().any(|v| word_matches(v, w)) {
            continue;
        }
        let negated = list[i.saturating_sub(3)..i]
            .iter()
            .any(|w| NEGATIONS.contains(&w.as_str()));
        if negated {
            continue;
        }
        for (j, n) in list.iter().enumerate().skip(i + 1).take(6) {
            if PERSON_NOUNS.iter().any(|p| word_matches(p, n)) {
                return Some(list[i..=j].join(" "));
            }
        }
    }
    let content: Vec<&String> = list
        .iter()
        .filter(|w| !POLITE.contains(&w.as_str()))
        .collect();
    if (1..=2).contains(&content.len())
        && content
            .iter()
            .any(|w| PERSON_NOUNS.iter().any(|p| word_matches(p, w)))
    {
        return Some(list.join(" "));
    }
    None
}

/// The same question again: equal after normalising, or nearly the same
/// words (Jaccard ≥ 0.8 on 3 or more words).
fn same_question(a: &str, b: &str) -> bool {
    let wa = Words::new(a);
    let wb = Words::new(b);
    if wa.list.len() < 3 || wb.list.len() < 3 {
        return false;
    }
    if wa.list == wb.list {
        return true;
    }
    let sa: std::collections::BTreeSet<&String> = wa.list.iter().collect();
    let sb: std::collections::BTreeSet<&String> = wb.list.iter().collect();
    let shared = sa.intersection(&sb).count() as f32;
    let union = sa.union(&sb).count() as f32;
    shared / union >= 0.8
}

fn excerpt(text: &str, max_chars: usize) -> String {
    let trimmed = text.trim();
    if trimmed.chars().count() <= max_chars {
        trimmed.to_string()
    } else {
        let cut: String = trimmed.chars().take(max_chars).collect();
        format!("{}…", cut.trim_end())
    }
}

/// A message as normalised words.
struct Words {
    list: Vec<String>,
}

impl Words {
    fn new(text: &str) -> Self {
        let normalized = normalize(text);
        Self {
            list: tokens(&normalized).map(str::to_string).collect(),
        }
    }

    /// Start positions where `pattern` matches.
    fn positions(&self, pattern: &str) -> Vec<usize> {
        let parts: Vec<&str> = pattern.split(' ').collect();
        if parts.len() > self.list.len() {
            return Vec::new();
        }
        (0..=self.list.len() - parts.len())
            .filter(|&i| {
                parts
                    .iter()
                    .zip(&self.list[i..])
                    .all(|(p, w)| word_matches(p, w))
            })
            .collect()
    }

    /// The matched words, if `pattern` occurs.
    fn find(&self, pattern: &str) -> Option<String> {
        let at = *self.positions(pattern).first()?;
        let len = pattern.split(' ').count();
        Some(self.list[at..at + len].join(" "))
    }
}

fn word_matches(pattern: &str, word: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => pattern == word,
    }
}

/// Topics handed to a person by default: legal, medical, payment disputes,
/// safety.
pub fn default_sensitive_topics() -> Vec<SensitiveTopic> {
    let topic = |name: &str, patterns: &[&str]| SensitiveTopic {
        name: name.into(),
        patterns: patterns.iter().map(|p| p.to_string()).collect(),
    };
    vec![
        topic(
            "legal",
            &[
                "lawyer*",
                "attorney*",
                "solicitor*",
                "lawsuit*",
                "sue you",
                "sue your",
                "suing",
                "legal action",
                "small claims",
                "court",
                "anwalt*",
                "rechtsanwalt*",
                "klage*",
                "verklag*",
                "gericht*",
                "abogad*",
                "demanda*",
                "denunci*",
                "tribunal*",
            ],
        ),
        topic(
            "medical",
            &[
                "injur*",
                "hospital*",
                "ambulance",
                "doctor",
                "medical",
                "concussion",
                "broken arm",
                "broken leg",
                "verletz*",
                "krankenhaus*",
                "arzt",
                "herida*",
                "herido*",
                "lesion*",
                "hospital",
                "medico*",
            ],
        ),
        topic(
            "payment dispute",
            &[
                "chargeback*",
                "charged twice",
                "double charged",
                "charged me twice",
                "unauthorised charge*",
                "unauthorized charge*",
                "fraud*",
                "dispute the",
                "dispute this",
                "stolen card",
                "doppelt abgebucht",
                "betrug*",
                "ruckbuchung*",
                "cobrado dos veces",
                "cargo duplicado",
                "fraude*",
                "contracargo*",
            ],
        ),
        topic(
            "safety",
            &[
                "accident*",
                "brakes failed",
                "brake failed",
                "brakes failing",
                "caught fire",
                "on fire",
                "battery fire",
                "smoking battery",
                "unfall*",
                "bremsen versagt",
                "akkubrand",
                "accidente*",
                "incendio*",
            ],
        ),
    ]
}

const PERSON_PHRASES: &[&str] = &[
    "real person",
    "real human",
    "actual person",
    "actual human",
    "live person",
    "live agent",
    "live chat",
    "human agent",
    "human being",
    "customer service",
    "customer support",
    "someone from the team",
    "somebody from the team",
    "someone real",
    "somebody real",
    "a human please",
    "human please",
    "person please",
    "call me back",
    "speak to the owner",
    "talk to the owner",
    "echten menschen",
    "echte person",
    "echter mensch",
    "mit einem menschen",
    "mit einem mitarbeiter",
    "mit einer mitarbeiterin",
    "kundenservice",
    "kundendienst",
    "personlich sprechen",
    "persona real",
    "una persona",
    "un humano",
    "atencion al cliente",
    "servicio al cliente",
    "un agente",
    "un asesor",
];

const REQUEST_VERBS: &[&str] = &[
    "talk",
    "speak",
    "chat",
    "connect",
    "transfer",
    "put",
    "get",
    "want",
    "need",
    "reach",
    "contact",
    "escalate",
    "sprechen",
    "reden",
    "verbind*",
    "chatten",
    "schreiben",
    "mochte",
    "will",
    "brauche",
    "hablar",
    "habla",
    "comunicar*",
    "contactar",
    "pasame",
    "pasar",
    "quiero",
    "necesito",
    "conectar*",
];

const PERSON_NOUNS: &[&str] = &[
    "person",
    "human",
    "humans",
    "someone",
    "somebody",
    "agent",
    "agents",
    "representative",
    "rep",
    "operator",
    "staff",
    "employee",
    "manager",
    "people",
    "mensch*",
    "mitarbeiter*",
    "jemand*",
    "berater*",
    "agent*",
    "persona",
    "personas",
    "humano",
    "alguien",
    "agente",
    "representante",
    "operador*",
    "asesor*",
    "empleado*",
];

const POLITE: &[&str] = &[
    "please", "pls", "a", "an", "bitte", "por", "favor", "un", "una", "now", "jetzt", "ya",
];

const NEGATIONS: &[&str] = &[
    "not", "no", "never", "dont", "didnt", "doesnt", "isnt", "wasnt", "arent", "nothing",
    "without", "nicht", "kein", "keine", "keinen", "nie", "nunca", "sin", "ni",
];

const INTENSIFIERS: &[&str] = &[
    "very",
    "so",
    "really",
    "extremely",
    "totally",
    "absolutely",
    "completely",
    "utterly",
    "incredibly",
    "sehr",
    "total",
    "echt",
    "voll",
    "absolut",
    "muy",
    "totalmente",
    "realmente",
    "super",
];

/// "frustrated with my …": the feeling is about the visitor's own things.
const ABOUT: &[&str] = &["with", "about", "by", "mit", "uber", "con", "por"];
const OWN: &[&str] = &[
    "my", "our", "meinem", "meiner", "meinen", "unserem", "mi", "mis", "nuestro", "nuestra",
];

/// Words and phrases of frustration and anger, with weights (2 alone is
/// enough to hand over; 1 needs company).
const FRUSTRATION: &[(&str, f32)] = &[
    ("ridiculous", 2.0),
    ("useless", 2.0),
    ("pointless", 1.5),
    ("frustrat*", 2.0),
    ("annoy*", 1.5),
    ("angry", 2.0),
    ("furious", 3.0),
    ("pissed", 2.5),
    ("livid", 3.0),
    ("outrageous", 2.5),
    ("unacceptable", 2.5),
    ("disgrace*", 2.5),
    ("terrible", 1.5),
    ("awful", 1.5),
    ("horrible", 1.5),
    ("worst", 2.0),
    ("incompetent", 2.5),
    ("pathetic", 2.5),
    ("stupid", 1.5),
    ("joke", 1.0),
    ("hate", 1.5),
    ("fed up", 2.0),
    ("sick of", 2.0),
    ("sick and tired", 2.5),
    ("waste of time", 2.0),
    ("wasting my time", 2.0),
    ("for the third time", 2.0),
    ("again and again", 1.0),
    ("how many times", 2.0),
    ("still waiting", 1.5),
    ("enough", 0.5),
    ("kidding me", 2.0),
    ("are you serious", 1.5),
    ("seriously", 1.0),
    ("wtf", 2.0),
    ("damn", 1.0),
    ("dammit", 1.5),
    ("crap", 1.0),
    ("bloody", 1.0),
    ("shit*", 2.0),
    ("fuck*", 2.5),
    ("bullshit", 2.5),
    ("lacherlich", 2.0),
    ("nervig", 1.5),
    ("nervt", 1.5),
    ("sauer", 1.5),
    ("wutend", 2.5),
    ("verargert", 2.0),
    ("frechheit", 2.5),
    ("unverschamt*", 2.5),
    ("katastroph*", 2.0),
    ("nutzlos", 2.0),
    ("unmoglich", 1.5),
    ("zumutung", 2.5),
    ("scheiss*", 2.0),
    ("verdammt*", 1.5),
    ("ridicul*", 2.0),
    ("inutil", 2.0),
    ("harto", 2.0),
    ("harta", 2.0),
    ("enfadad*", 2.0),
    ("enojad*", 2.0),
    ("furios*", 3.0),
    ("indignant*", 2.5),
    ("pesim*", 2.0),
    ("verguenza", 2.5),
    ("inaceptable", 2.5),
    ("mierda", 2.0),
    ("joder", 2.0),
    ("hostia", 1.5),
];

/// Good words whose negation is frustration ("not helpful at all").
const NOT_GOOD: &[(&str, f32)] = &[
    ("happy", 1.5),
    ("satisfied", 1.5),
    ("pleased", 1.5),
    ("helpful", 1.5),
    ("zufrieden", 1.5),
    ("hilfreich", 1.5),
    ("contento", 1.5),
    ("contenta", 1.5),
    ("satisfecho", 1.5),
    ("util", 1.5),
];

/// Complaints, however calmly put.
const COMPLAINT: &[&str] = &[
    "complain*",
    "complaint*",
    "file a complaint",
    "damaged my",
    "scratched my",
    "broke my",
    "ruined my",
    "lost my",
    "overcharged",
    "over charged",
    "rip off",
    "ripoff",
    "ripped off",
    "poor service",
    "bad service",
    "bad repair",
    "not fixed properly",
    "still broken after",
    "want my money back",
    "money back",
    "refund",
    "beschwer*",
    "reklamation*",
    "reklamier*",
    "beschadigt",
    "kaputt gemacht",
    "geld zuruck",
    "queja*",
    "quejar*",
    "reclamacion*",
    "reclamar",
    "danaron",
    "devolucion",
    "devuelvan",
];

/// "That didn't help."
const UNHELPFUL: &[&str] = &[
    "didnt help",
    "doesnt help",
    "does not help",
    "did not help",
    "not helpful",
    "no help",
    "not what i asked",
    "not what i meant",
    "not my question",
    "wrong answer",
    "doesnt answer",
    "didnt answer",
    "you didnt understand",
    "you dont understand",
    "hilft nicht",
    "hat nicht geholfen",
    "nicht hilfreich",
    "falsche antwort",
    "nicht meine frage",
    "no me ayuda",
    "no ayuda",
    "no sirve",
    "no es lo que pregunte",
    "respuesta incorrecta",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> EscalationPolicy {
        EscalationPolicy::default()
    }

    fn decide_one(text: &str) -> Decision {
        decide(
            &policy(),
            &[],
            &Turn {
                text,
                answered: true,
                handoff_entry: None,
            },
        )
    }

    fn answered(text: &str) -> PastTurn {
        PastTurn {
            text: text.into(),
            answered: true,
        }
    }

    #[test]
    fn asking_for_a_person_in_words_hands_over_in_three_languages() {
        for q in [
            "Can I speak to a human?",
            "I want to talk to a real person",
            "agent",
            "Agent please!",
            "human please",
            "representative",
            "Can you connect me with someone from the team?",
            "I need to speak to someone",
            "let me talk to a person",
            "put me through to an operator",
            "is there a live agent available",
            "customer service please",
            "I'd like to chat with a member of staff",
            "can i get a human",
            "Transfer me to a representative",
            "Please have someone call me back",
            "I want a real human, not a bot",
            "talk to someone",
            "Kann ich mit einem Menschen sprechen?",
            "Ich möchte mit einem Mitarbeiter reden",
            "Bitte verbinden Sie mich mit einem Berater",
            "echten Menschen bitte",
            "Kundenservice",
            "Quiero hablar con una persona",
            "¿Puedo hablar con un agente?",
            "necesito un humano",
            "Pásame con alguien por favor",
            "atención al cliente",
        ] {
            let d = decide_one(q);
            assert_eq!(
                d.trigger,
                Some(Trigger::AskedInWords),
                "{q}: {:?}",
                d.reasons
            );
            assert!(
                d.summary().starts_with("asked for a person"),
                "{q}: {}",
                d.summary()
            );
        }
    }

    #[test]
    fn frustration_hands_over_and_quotes_the_visitor() {
        for q in [
            "This is ridiculous",
            "this is useless",
            "I'm so frustrated with this chat",
            "Worst service ever",
            "WHY DOES NOBODY ANSWER MY QUESTION!!",
            "are you kidding me?!?! answer!!",
            "I'm really annoyed now",
            "I am furious",
            "what the hell, this is a waste of time",
            "wtf",
            "this is fucking pointless",
            "How many times do I have to ask",
            "I'm sick of this bot",
            "unacceptable",
            "you are not helpful at all, this is terrible",
            "I am fed up",
            "Das ist lächerlich",
            "Ich bin echt sauer!!",
            "So eine Frechheit",
            "Das ist eine Zumutung",
            "Esto es ridículo",
            "Estoy harto de esperar",
            "qué vergüenza de servicio",
            "this is a bloody joke",
        ] {
            let d = decide_one(q);
            assert!(
                d.reasons.iter().any(|r| r.trigger == Trigger::Frustration),
                "{q}: {:?} {:?}",
                d.reasons,
                d.sentiment
            );
            assert!(d.hand_off());
            assert_ne!(d.sentiment.label, Mood::Calm, "{q}");
        }
        let d = decide_one("This is ridiculous");
        assert_eq!(d.summary(), "frustration: 'This is ridiculous'");
    }

    #[test]
    fn calm_product_questions_do_not_escalate() {
        for q in [
            "I'm frustrated with my bike chain, it keeps slipping",
            "my gears are annoying me, they click in third",
            "How much is a puncture repair?",
            "Do you sell helmets for humans with big heads?",
            "my brakes squeak, is that dangerous or just noise?",
            "When are you open on Saturday?",
            "The chain is not bad but the cassette is worn",
            "Can you fix a damn flat tyre today?",
            "my back light is not working",
            "Where can I park?",
            "Is the basic service worth it?",
            "Do you do a safety check on used bikes?",
            "Can I pay by card?",
            "Thanks, that helped a lot!",
            "Do you have an agent for Shimano parts in town?",
            "I don't need a person, just tell me the price of a service",
            "Wann habt ihr am Samstag geöffnet?",
            "Was kostet ein Service?",
            "¿Cuánto cuesta reparar un pinchazo?",
            "¿Abrís el domingo?",
            "I hate hills, do you sell e-bikes?",
            "How long does a wheel truing take?",
        ] {
            let d = decide_one(q);
            assert!(
                !d.hand_off(),
                "{q} escalated: {:?} {:?}",
                d.reasons,
                d.sentiment
            );
        }
    }

    #[test]
    fn negation_cancels_a_frustration_word() {
        assert_eq!(sentiment("not bad at all, thanks").label, Mood::Calm);
        assert_eq!(sentiment("It's not terrible").frustration, 0.0);
        assert!(sentiment("I am not happy").frustration > 0.0);
    }

    #[test]
    fn intensifiers_capitals_and_repeated_punctuation_raise_frustration() {
        let plain = sentiment("annoying").frustration;
        assert!(sentiment("very annoying").frustration > plain);
        assert!(
            sentiment("THIS IS VERY ANNOYING").frustration
                > sentiment("this is very annoying").frustration
        );
        assert!(sentiment("annoying!!").frustration > plain);
    }

    #[test]
    fn complaints_hand_over_even_when_calm() {
        for q in [
            "I'd like to make a complaint",
            "You scratched my frame during the service",
            "I want my money back",
            "I was overcharged for the repair",
            "Ich möchte mich beschweren",
            "Quiero poner una queja",
        ] {
            let d = decide_one(q);
            assert_eq!(d.trigger, Some(Trigger::Complaint), "{q}: {:?}", d.reasons);
        }
    }

    #[test]
    fn an_entry_marked_for_people_hands_over() {
        let d = decide(
            &policy(),
            &[],
            &Turn {
                text: "my order",
                answered: true,
                handoff_entry: Some("complaint"),
            },
        );
        assert_eq!(d.trigger, Some(Trigger::HandoffEntry));
        assert_eq!(d.summary(), "FAQ entry 'complaint' always goes to a person");
    }

    #[test]
    fn sensitive_topics_hand_over_and_name_the_topic() {
        for (q, topic) in [
            ("My lawyer will contact you", "legal"),
            ("I got injured when the wheel came off", "medical"),
            ("You charged me twice for one service", "payment dispute"),
            ("The brakes failed on the way home", "safety"),
            ("Mein Anwalt meldet sich", "legal"),
            ("Tuve un accidente con la bici", "safety"),
        ] {
            let d = decide_one(q);
            assert_eq!(
                d.trigger,
                Some(Trigger::SensitiveTopic),
                "{q}: {:?}",
                d.reasons
            );
            assert_eq!(d.topic.as_deref(), Some(topic), "{q}");
        }
    }

    #[test]
    fn a_site_can_replace_the_sensitive_topics() {
        let policy = EscalationPolicy {
            sensitive_topics: vec![SensitiveTopic {
                name: "recall".into(),
                patterns: vec!["recall*".into()],
            }],
            ..EscalationPolicy::default()
        };
        let d = decide(
            &policy,
            &[],
            &Turn {
                text: "Is my frame part of the recall?",
                answered: true,
                handoff_entry: None,
            },
        );
        assert_eq!(d.topic.as_deref(), Some("recall"));
        let d = decide(
            &policy,
            &[],
            &Turn {
                text: "My lawyer will call",
                answered: true,
                handoff_entry: None,
            },
        );
        assert!(d.topic.is_none(), "the defaults are replaced");
    }

    #[test]
    fn two_misses_in_a_row_hand_over() {
        let first = decide(
            &policy(),
            &[],
            &Turn {
                text: "do you fix unicycles",
                answered: false,
                handoff_entry: None,
            },
        );
        assert!(!first.hand_off(), "one miss is not enough");
        let history = [PastTurn {
            text: "do you fix unicycles".into(),
            answered: false,
        }];
        let d = decide(
            &policy(),
            &history,
            &Turn {
                text: "what about tandems with a motor",
                answered: false,
                handoff_entry: None,
            },
        );
        assert_eq!(d.trigger, Some(Trigger::RepeatedMisses));
        assert_eq!(d.summary(), "2 unanswered or unhelpful answers in a row");
    }

    #[test]
    fn that_did_not_help_twice_counts_as_misses() {
        let history = [
            answered("how much is a service"),
            answered("that didn't help"),
        ];
        let d = decide(
            &policy(),
            &history,
            &Turn {
                text: "no, not what I asked",
                answered: true,
                handoff_entry: None,
            },
        );
        assert_eq!(d.trigger, Some(Trigger::RepeatedMisses), "{:?}", d.reasons);
        let d = decide(
            &policy(),
            &[answered("that didn't help")],
            &Turn {
                text: "where can I park",
                answered: true,
                handoff_entry: None,
            },
        );
        assert!(!d.hand_off(), "an answered question breaks the run");
    }

    #[test]
    fn the_same_question_again_hands_over() {
        let history = [
            answered("How much is a puncture repair?"),
            answered("where can I park"),
        ];
        let d = decide(
            &policy(),
            &history,
            &Turn {
                text: "how much is a puncture repair",
                answered: true,
                handoff_entry: None,
            },
        );
        assert_eq!(d.trigger, Some(Trigger::RepeatedQuestion));
        assert_eq!(d.summary(), "asked again: 'How much is a puncture repair?'");
        let off = EscalationPolicy {
            repeated_question: false,
            ..EscalationPolicy::default()
        };
        assert!(!decide(
            &off,
            &history,
            &Turn {
                text: "how much is a puncture repair",
                answered: true,
                handoff_entry: None
            }
        )
        .hand_off());
    }

    #[test]
    fn asking_whether_it_is_a_bot_is_not_a_request_for_a_person() {
        assert!(!decide_one("Are you a human?").hand_off());
        assert!(!decide_one("am I talking to a real person?").hand_off());
    }

    #[test]
    fn every_reason_is_kept_strongest_first() {
        let history = [PastTurn {
            text: "do you fix unicycles".into(),
            answered: false,
        }];
        let d = decide(
            &policy(),
            &history,
            &Turn {
                text: "This is useless, get me a human",
                answered: false,
                handoff_entry: None,
            },
        );
        let triggers: Vec<Trigger> = d.reasons.iter().map(|r| r.trigger).collect();
        assert_eq!(
            triggers,
            vec![
                Trigger::Frustration,
                Trigger::RepeatedMisses,
                Trigger::AskedInWords
            ]
        );
        assert_eq!(d.trigger, Some(Trigger::Frustration));
        assert!(
            d.summary()
                .contains("frustration: 'This is useless, get me a human'; 2 unanswered"),
            "{}",
            d.summary()
        );
    }
}
