//! The words the policy listens for, in English, German and Spanish, and
//! how a pattern matches a message's normalized words.

use crate::analysis::Analysis;

/// A message's normalized words, matched against patterns: a pattern is a
/// run of words, and a word ending in `*` matches any word starting with it.
pub(super) struct Words<'a> {
    pub list: &'a [String],
}

impl<'a> Words<'a> {
    pub fn of(analysis: &'a Analysis) -> Self {
        Self {
            list: &analysis.words,
        }
    }

    /// Start positions where `pattern` matches.
    pub fn positions(&self, pattern: &str) -> Vec<usize> {
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
    pub fn find(&self, pattern: &str) -> Option<String> {
        let at = *self.positions(pattern).first()?;
        let len = pattern.split(' ').count();
        Some(self.list[at..at + len].join(" "))
    }
}

pub(super) fn word_matches(pattern: &str, word: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => pattern == word,
    }
}

pub(super) const PERSON_PHRASES: &[&str] = &[
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

pub(super) const REQUEST_VERBS: &[&str] = &[
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

pub(super) const PERSON_NOUNS: &[&str] = &[
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

pub(super) const POLITE: &[&str] = &[
    "please", "pls", "a", "an", "bitte", "por", "favor", "un", "una", "now", "jetzt", "ya",
];

pub(super) const NEGATIONS: &[&str] = &[
    "not", "no", "never", "dont", "didnt", "doesnt", "isnt", "wasnt", "arent", "nothing",
    "without", "nicht", "kein", "keine", "keinen", "nie", "nunca", "sin", "ni",
];

pub(super) const INTENSIFIERS: &[&str] = &[
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
pub(super) const ABOUT: &[&str] = &["with", "about", "by", "mit", "uber", "con", "por"];
pub(super) const OWN: &[&str] = &[
    "my", "our", "meinem", "meiner", "meinen", "unserem", "mi", "mis", "nuestro", "nuestra",
];

/// Words and phrases of frustration and anger, with weights (2 alone is
/// enough to hand over; 1 needs company).
pub(super) const FRUSTRATION: &[(&str, f32)] = &[
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
pub(super) const NOT_GOOD: &[(&str, f32)] = &[
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

/// "That didn't help."
pub(super) const UNHELPFUL: &[&str] = &[
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
