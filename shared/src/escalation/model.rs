//! The escalation model: what a visitor's message is about, among the nine
//! reasons to hand over (or none), in English, German and Spanish.
//!
//! A linear (softmax) classifier over features that do not depend on the
//! language: the message's normalized words and word pairs, character
//! 3-5-grams of each word (typos, word forms, compounds), words marked as
//! negated ("not frustrated"), and the cues of the lexicon (a request verb
//! before a person word, frustration and complaint words, "that didn't
//! help", capitals, "!!"). Trained by `cargo xtask train-escalation` on the
//! project's corpus (`data/escalation`, train split only) into
//! `shared/models/escalation.bin`: the features seen in training, sorted by
//! hash, each with ten weights quantized to one byte.
//!
//! Besides the category the model says which words led to it: the features
//! that pushed hardest from "none" to it, traced back to the words they
//! came from.

use super::lexicon::{self, Words};
use crate::analysis::Analysis;
use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Why a message needs a person, or `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    None,
    /// Asks for a person, in so many words or not.
    Person,
    Frustration,
    /// A complaint about a service or product received.
    Complaint,
    /// An accident, an injury, a danger now.
    Safety,
    /// Legal matters and personal-data requests.
    Legal,
    /// A dispute about a payment.
    Payment,
    /// Leaving, cancelling, going elsewhere.
    Churn,
    /// An accessibility need that blocks them.
    Accessibility,
    /// Distrust of the AI: wants no bot for this.
    Distrust,
    /// Asks whether this is a bot or a person: gets the disclosure.
    Disclosure,
    /// Greetings, thanks and small talk.
    Smalltalk,
}

/// `None`, `Disclosure` and `Smalltalk` need no person: the model learns
/// them apart (each is its own kind of message) and they count as one
/// ("nothing for a person") when it decides.
pub const CATEGORIES: [Category; 12] = [
    Category::None,
    Category::Person,
    Category::Frustration,
    Category::Complaint,
    Category::Safety,
    Category::Legal,
    Category::Payment,
    Category::Churn,
    Category::Accessibility,
    Category::Distrust,
    Category::Disclosure,
    Category::Smalltalk,
];

const N: usize = CATEGORIES.len();

impl Category {
    /// Nothing for a person.
    pub fn is_ordinary(self) -> bool {
        matches!(
            self,
            Category::None | Category::Disclosure | Category::Smalltalk
        )
    }

    pub fn index(self) -> usize {
        CATEGORIES.iter().position(|c| *c == self).unwrap_or(0)
    }

    /// The corpus label.
    pub fn label(self) -> &'static str {
        match self {
            Category::None => "none",
            Category::Person => "person",
            Category::Frustration => "frustration",
            Category::Complaint => "complaint",
            Category::Safety => "safety",
            Category::Legal => "legal",
            Category::Payment => "payment",
            Category::Churn => "churn",
            Category::Accessibility => "accessibility",
            Category::Distrust => "distrust",
            Category::Disclosure => "disclosure",
            Category::Smalltalk => "smalltalk",
        }
    }

    pub fn from_label(label: &str) -> Option<Self> {
        CATEGORIES.into_iter().find(|c| c.label() == label)
    }
}

// ------------------------------------------------------------ features

/// One feature of a message: its hashed key, its value, and the word it
/// came from (for the evidence), if one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Feature {
    pub key: u32,
    pub value: f32,
    pub word: Option<usize>,
}

/// Weight of each family, so none dominates by sheer count.
const WORD: f32 = 1.0;
const STEM: f32 = 0.7;
const PAIR: f32 = 0.7;
const CHARS: f32 = 0.5;
const NEGATED: f32 = 1.0;
const CUE: f32 = 1.0;
const CHAR_NGRAMS: std::ops::RangeInclusive<usize> = 3..=5;

thread_local! {
    /// The product's languages' stemmers: a word's stems in all three are
    /// features (the message's language is not known here).
    static STEMMERS: [Stemmer; 3] = [
        Stemmer::create(Algorithm::English),
        Stemmer::create(Algorithm::German),
        Stemmer::create(Algorithm::Spanish),
    ];
}

fn fnv(tag: &str, text: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in tag.bytes().chain([0x1f]).chain(text.bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h
}

/// The features of one analyzed message.
pub fn features(message: &Analysis) -> Vec<Feature> {
    let words = &message.words;
    let mut out: Vec<Feature> = Vec::with_capacity(words.len() * 12 + 8);
    let mut push = |key: u32, value: f32, word: Option<usize>| {
        out.push(Feature { key, value, word });
    };
    let family = |n: usize, weight: f32| weight / (n.max(1) as f32).sqrt();

    let content: Vec<usize> = (0..words.len()).collect();
    let w = family(content.len(), WORD);
    for &i in &content {
        push(fnv("w", &words[i]), w, Some(i));
    }
    let s = family(content.len(), STEM);
    for &i in &content {
        let mut stems: Vec<String> = STEMMERS.with(|all| {
            all.iter()
                .map(|st| st.stem(&words[i]).into_owned())
                .collect()
        });
        stems.sort();
        stems.dedup();
        for stem in stems {
            push(fnv("s", &stem), s, Some(i));
        }
    }
    let p = family(words.len().saturating_sub(1), PAIR);
    for (i, pair) in words.windows(2).enumerate() {
        push(fnv("p", &format!("{} {}", pair[0], pair[1])), p, Some(i));
    }
    let grams: Vec<(String, usize)> = content
        .iter()
        .map(|&i| (i, &words[i]))
        .flat_map(|(i, word)| {
            let padded: Vec<char> = format!(" {word} ").chars().collect();
            CHAR_NGRAMS
                .flat_map(|n| {
                    padded
                        .windows(n)
                        .map(|g| g.iter().collect::<String>())
                        .collect::<Vec<_>>()
                })
                .map(move |g| (g, i))
                .collect::<Vec<_>>()
        })
        .collect();
    let c = family(grams.len(), CHARS);
    for (gram, i) in &grams {
        push(fnv("c", gram), c, Some(*i));
    }
    // Up to three words after a negation read as negated.
    let mut negated = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if lexicon::NEGATIONS.contains(&word.as_str()) {
            for j in i + 1..(i + 4).min(words.len()) {
                negated.push(j);
            }
        }
    }
    negated.dedup();
    let n = family(negated.len(), NEGATED);
    for &j in &negated {
        push(fnv("n", &words[j]), n, Some(j));
    }
    for (cue, at) in cues(message) {
        push(fnv("cue", cue), CUE, at);
    }
    out
}

/// What the lexicon notices, as named cues (and the word where it starts).
fn cues(message: &Analysis) -> Vec<(&'static str, Option<usize>)> {
    let words = Words::of(message);
    let mut cues = Vec::new();
    if let Some(at) = super::person_request_at(&words) {
        cues.push(("person", Some(at)));
    }
    if super::says_unhelpful(message) {
        cues.push(("unhelpful", None));
    }
    if let Some(at) = lexicon::COMPLAINT
        .iter()
        .find_map(|p| words.positions(p).first().copied())
    {
        cues.push(("complaint", Some(at)));
    }
    for topic in lexicon::default_sensitive_topics() {
        if let Some(at) = topic
            .patterns
            .iter()
            .find_map(|p| words.positions(p).first().copied())
        {
            cues.push((topic_cue(&topic.name), Some(at)));
        }
    }
    let sentiment = super::sentiment(message).frustration;
    if sentiment >= 2.0 {
        cues.push(("frustrated", None));
    } else if sentiment >= 1.0 {
        cues.push(("annoyed", None));
    }
    let letters: Vec<char> = message.text.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    if letters.len() >= 10 && upper * 10 >= letters.len() * 7 {
        cues.push(("shouting", None));
    }
    if message.text.contains("!!") || message.text.contains("?!") {
        cues.push(("bangs", None));
    }
    if crate::disclosure::asks_if_bot(message).is_some() {
        cues.push(("asks_if_bot", None));
    }
    if message.text.trim_end().ends_with('?') {
        cues.push(("question", None));
    }
    cues
}

fn topic_cue(name: &str) -> &'static str {
    match name {
        "legal" => "topic_legal",
        "medical" => "topic_medical",
        "payment dispute" => "topic_payment",
        "safety" => "topic_safety",
        _ => "topic_other",
    }
}

// ------------------------------------------------------------ the model

/// The trained model: for each known feature, ten weights.
#[derive(Debug, Clone)]
pub struct Model {
    bias: [f32; N],
    keys: Vec<u32>,
    /// `N` per key, quantized; weight = q × scale of its category.
    weights: Vec<i8>,
    scales: [f32; N],
}

/// The model's answer for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// Probability per category, in [`CATEGORIES`] order.
    pub probabilities: [f32; N],
    /// The likeliest category other than `None`, and its probability.
    pub category: Category,
    /// Indices of the words that led to `category`, strongest first.
    pub evidence: Vec<usize>,
}

impl Classification {
    /// The probability that the message needs no person.
    pub fn none_probability(&self) -> f32 {
        CATEGORIES
            .iter()
            .filter(|c| c.is_ordinary())
            .map(|c| self.probabilities[c.index()])
            .sum()
    }

    pub fn probability(&self, c: Category) -> f32 {
        self.probabilities[c.index()]
    }
}

const MAGIC: &[u8; 8] = b"ESCMOD02";

impl Model {
    /// Reads the model file (`to_bytes`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let mut r = bytes;
        let mut take = |n: usize| -> Result<&[u8], String> {
            if r.len() < n {
                return Err("the escalation model file is cut short".into());
            }
            let (head, tail) = r.split_at(n);
            r = tail;
            Ok(head)
        };
        if take(8)? != MAGIC {
            return Err("not an escalation model file".into());
        }
        let f32_at = |b: &[u8]| f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let mut bias = [0.0; N];
        for b in bias.iter_mut() {
            *b = f32_at(take(4)?);
        }
        let mut scales = [0.0; N];
        for s in scales.iter_mut() {
            *s = f32_at(take(4)?);
        }
        let count = u32::from_le_bytes(take(4)?.try_into().map_err(|_| "count")?) as usize;
        let keys = take(count * 4)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect::<Vec<_>>();
        let weights = take(count * N)?.iter().map(|&b| b as i8).collect();
        if keys.windows(2).any(|w| w[0] >= w[1]) {
            return Err("the escalation model's keys are not sorted".into());
        }
        Ok(Self {
            bias,
            keys,
            weights,
            scales,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 8 * N + 4 + self.keys.len() * (4 + N));
        out.extend_from_slice(MAGIC);
        for b in self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        for s in self.scales {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        out.extend(self.weights.iter().map(|&w| w as u8));
        out
    }

    pub fn feature_count(&self) -> usize {
        self.keys.len()
    }

    fn row(&self, key: u32) -> Option<&[i8]> {
        let i = self.keys.binary_search(&key).ok()?;
        Some(&self.weights[i * N..(i + 1) * N])
    }

    pub fn classify(&self, message: &Analysis) -> Classification {
        let feats = features(message);
        let mut logits = self.bias;
        let mut pushes: Vec<(usize, [f32; N])> = Vec::new();
        for f in &feats {
            if let Some(row) = self.row(f.key) {
                let mut contribution = [0.0f32; N];
                for (c, &q) in row.iter().enumerate() {
                    contribution[c] = f32::from(q) * self.scales[c] * f.value;
                    logits[c] += contribution[c];
                }
                if let Some(word) = f.word {
                    pushes.push((word, contribution));
                }
            }
        }
        let probabilities = softmax(logits);
        let category = CATEGORIES
            .iter()
            .copied()
            .filter(|c| !c.is_ordinary())
            .max_by(|a, b| probabilities[a.index()].total_cmp(&probabilities[b.index()]))
            .unwrap_or(Category::Person);
        // Per word, how far its features pushed from "none" to `category`.
        let c = category.index();
        let mut by_word: HashMap<usize, f32> = HashMap::new();
        for (word, contribution) in pushes {
            *by_word.entry(word).or_default() += contribution[c] - contribution[0];
        }
        let mut evidence: Vec<(usize, f32)> = by_word
            .into_iter()
            .filter(|(_, push)| *push > 0.0)
            .collect();
        evidence.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Classification {
            probabilities,
            category,
            evidence: evidence.into_iter().map(|(w, _)| w).take(4).collect(),
        }
    }
}

fn softmax(mut v: [f32; N]) -> [f32; N] {
    let max = v.iter().fold(f32::MIN, |m, &x| m.max(x));
    let mut z = 0.0;
    for x in v.iter_mut() {
        *x = (*x - max).exp();
        z += *x;
    }
    for x in v.iter_mut() {
        *x /= z;
    }
    v
}

// ------------------------------------------------------------ training

/// How the model is trained (chosen on the dev split; see
/// docs/escalation-benchmark.md).
#[derive(Debug, Clone, Copy)]
pub struct Training {
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// Weights whose magnitude stays under this are dropped (a smaller file).
    pub prune_below: f32,
}

impl Default for Training {
    fn default() -> Self {
        Self {
            epochs: 20,
            learning_rate: 0.3,
            l2: 1e-4,
            prune_below: 0.02,
        }
    }
}

/// Trains on labeled messages (Adagrad on softmax cross-entropy with L2,
/// in a fixed order shuffled by a fixed seed: the same data gives the same
/// model).
pub fn train(examples: &[(Analysis, Category)], t: Training) -> Model {
    let featurized: Vec<(Vec<Feature>, usize)> = examples
        .iter()
        .map(|(a, c)| (features(a), c.index()))
        .collect();
    let mut index: HashMap<u32, usize> = HashMap::new();
    for (fs, _) in &featurized {
        for f in fs {
            let next = index.len();
            index.entry(f.key).or_insert(next);
        }
    }
    let dims = index.len();
    let mut w = vec![0.0f32; dims * N];
    let mut g2 = vec![1e-6f32; dims * N];
    let mut bias = [0.0f32; N];
    let mut bias_g2 = [1e-6f32; N];
    let mut order: Vec<usize> = (0..featurized.len()).collect();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..t.epochs {
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        for &ex in &order {
            let (fs, truth) = &featurized[ex];
            let mut logits = bias;
            for f in fs {
                let row = index[&f.key] * N;
                for c in 0..N {
                    logits[c] += w[row + c] * f.value;
                }
            }
            let mut grad = softmax(logits);
            grad[*truth] -= 1.0;
            for c in 0..N {
                bias_g2[c] += grad[c] * grad[c];
                bias[c] -= t.learning_rate * grad[c] / bias_g2[c].sqrt();
            }
            for f in fs {
                let row = index[&f.key] * N;
                for c in 0..N {
                    let g = grad[c] * f.value + t.l2 * w[row + c];
                    g2[row + c] += g * g;
                    w[row + c] -= t.learning_rate * g / g2[row + c].sqrt();
                }
            }
        }
    }
    quantize(&index, &w, bias, t.prune_below)
}

fn quantize(index: &HashMap<u32, usize>, w: &[f32], bias: [f32; N], prune_below: f32) -> Model {
    let mut scales = [0.0f32; N];
    for row in w.chunks_exact(N) {
        for (c, &x) in row.iter().enumerate() {
            scales[c] = scales[c].max(x.abs());
        }
    }
    for s in scales.iter_mut() {
        *s = if *s > 0.0 { *s / 127.0 } else { 1.0 };
    }
    let mut rows: Vec<(u32, [i8; N])> = index
        .iter()
        .filter_map(|(&key, &i)| {
            let row = &w[i * N..(i + 1) * N];
            if row.iter().all(|x| x.abs() < prune_below) {
                return None;
            }
            let mut q = [0i8; N];
            for c in 0..N {
                q[c] = (row[c] / scales[c]).round().clamp(-127.0, 127.0) as i8;
            }
            Some((key, q))
        })
        .collect();
    rows.sort_by_key(|(k, _)| *k);
    Model {
        bias,
        keys: rows.iter().map(|(k, _)| *k).collect(),
        weights: rows.iter().flat_map(|(_, q)| q.iter().copied()).collect(),
        scales,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Vec<(Analysis, Category)> {
        [
            ("can I talk to a real person", Category::Person),
            ("please put me through to someone", Category::Person),
            ("I want a human", Category::Person),
            ("my refund never arrived", Category::Payment),
            ("you charged me twice", Category::Payment),
            ("how much is a puncture repair", Category::None),
            ("when are you open", Category::None),
            ("do you rent bikes", Category::None),
        ]
        .into_iter()
        .map(|(t, c)| (Analysis::new(t), c))
        .collect()
    }

    #[test]
    fn a_trained_model_survives_its_file_and_classifies_what_it_learned() {
        let model = train(&toy(), Training::default());
        let again = Model::from_bytes(&model.to_bytes()).expect("reads back");
        assert_eq!(again.to_bytes(), model.to_bytes());
        let c = again.classify(&Analysis::new("you charged me twice!"));
        assert_eq!(c.category, Category::Payment);
        assert!(c.none_probability() < 0.5, "{:?}", c.probabilities);
        let calm = again.classify(&Analysis::new("when are you open"));
        assert!(calm.none_probability() > 0.5, "{:?}", calm.probabilities);
    }

    #[test]
    fn the_evidence_names_the_words_that_led_to_the_category() {
        let model = train(&toy(), Training::default());
        let message = Analysis::new("hi, my refund never arrived");
        let c = model.classify(&message);
        let words: Vec<&str> = c
            .evidence
            .iter()
            .map(|&i| message.words[i].as_str())
            .collect();
        assert!(words.contains(&"refund"), "{words:?}");
    }

    #[test]
    fn a_damaged_file_is_refused() {
        assert!(Model::from_bytes(b"nonsense").is_err());
        let bytes = train(&toy(), Training::default()).to_bytes();
        assert!(Model::from_bytes(&bytes[..bytes.len() - 3]).is_err());
    }
}
