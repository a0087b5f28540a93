//! The escalation model: what a visitor's message is about, among the nine
//! reasons to hand over or the kinds of ordinary message, in English,
//! German and Spanish.
//!
//! A linear (softmax) classifier over TF-IDF features that do not depend on
//! the language: character 2-5-grams of each word as written (typos, word
//! forms, compounds, emoji, "!!"), words and word pairs, and a few cues of
//! the message's shape (capitals, repeated punctuation, stretched letters).
//! Each family is weighted by term frequency (sublinear) and inverse
//! document frequency, and scaled to unit length, so a long message weighs
//! no more than a short one. Trained by `cargo xtask train-escalation` on
//! the project's corpus (`data/escalation`, train split only) into
//! `shared/models/escalation.bin`: the features seen in training, sorted by
//! hash, each with its IDF and one weight per category quantized to a byte.
//! (The recipe was chosen on the dev split against alternatives with
//! sentence embeddings and stems: docs/escalation-benchmark.md.)
//!
//! Ordinary messages are learned as the kinds they are (a question, a
//! harmless question with alarming words, a denied trigger, a question
//! about the AI, a greeting, thanks, small talk): each is its own kind of
//! message, and together they are "nothing for a person" when it decides.
//!
//! Besides the category the model says which words led to it: the features
//! that pushed hardest from "nothing for a person" to it, traced back to
//! the words they came from.

use crate::analysis::Analysis;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Why a message needs a person, or which kind of ordinary message it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// An ordinary question.
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
    /// Small talk.
    Smalltalk,
    /// A harmless question with words that sound alarming.
    Alarming,
    /// A trigger denied: "not frustrated, just curious".
    Negated,
    Greeting,
    Thanks,
}

/// Every category, in the order of the model's weights.
pub const CATEGORIES: [Category; 16] = [
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
    Category::Alarming,
    Category::Negated,
    Category::Greeting,
    Category::Thanks,
];

const N: usize = CATEGORIES.len();

impl Category {
    /// Nothing for a person.
    pub fn is_ordinary(self) -> bool {
        matches!(
            self,
            Category::None
                | Category::Disclosure
                | Category::Smalltalk
                | Category::Alarming
                | Category::Negated
                | Category::Greeting
                | Category::Thanks
        )
    }

    pub fn index(self) -> usize {
        CATEGORIES.iter().position(|c| *c == self).unwrap_or(0)
    }

    /// The corpus label (`none` for every ordinary kind but its own name
    /// for the rest of them, as `kind` names them).
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
            Category::Alarming => "alarming",
            Category::Negated => "negated",
            Category::Greeting => "greeting",
            Category::Thanks => "thanks",
        }
    }

    pub fn from_label(label: &str) -> Option<Self> {
        CATEGORIES.into_iter().find(|c| c.label() == label)
    }
}

// ------------------------------------------------------------ features

/// The two families of counted features, each scaled to unit length
/// (the shape cues are taken as they are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Family {
    Chars,
    Words,
}

/// One feature occurrence: its hashed key, its family, and the word of
/// the message it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Occurrence {
    key: u32,
    family: Family,
    word: usize,
}

/// The message's features: occurrences, and the words they point back to
/// (as written, lower case, without surrounding punctuation).
struct Features {
    occurrences: Vec<Occurrence>,
    /// Value of each shape cue, by its key.
    shape: Vec<(u32, f32)>,
    words: Vec<String>,
}

const CHAR_NGRAMS: std::ops::RangeInclusive<usize> = 2..=5;

fn fnv(tag: &str, text: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in tag.bytes().chain([0x1f]).chain(text.bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn features(text: &str) -> Features {
    let lower = text.to_lowercase();
    let mut occurrences = Vec::with_capacity(lower.len() * 5);
    let mut words = Vec::new();
    let mut previous: Option<(String, usize)> = None;
    for (i, token) in lower.split_whitespace().enumerate() {
        // Character n-grams of the word padded with spaces (a short word
        // is one n-gram of itself).
        let padded: Vec<char> = std::iter::once(' ')
            .chain(token.chars())
            .chain(std::iter::once(' '))
            .collect();
        let mut gram = String::new();
        for n in CHAR_NGRAMS {
            if padded.len() <= n {
                gram.clear();
                gram.extend(&padded);
                occurrences.push(Occurrence {
                    key: fnv("c", &gram),
                    family: Family::Chars,
                    word: i,
                });
                continue;
            }
            for window in padded.windows(n) {
                gram.clear();
                gram.extend(window);
                occurrences.push(Occurrence {
                    key: fnv("c", &gram),
                    family: Family::Chars,
                    word: i,
                });
            }
        }
        // Words (runs of letters and digits) and pairs of them.
        for part in token
            .split(|c: char| !is_word_char(c))
            .filter(|p| !p.is_empty())
        {
            occurrences.push(Occurrence {
                key: fnv("w", part),
                family: Family::Words,
                word: i,
            });
            if let Some((before, at)) = &previous {
                occurrences.push(Occurrence {
                    key: fnv("b", &format!("{before} {part}")),
                    family: Family::Words,
                    word: *at,
                });
            }
            previous = Some((part.to_string(), i));
        }
        words.push(
            token
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_string(),
        );
    }
    Features {
        occurrences,
        shape: shape(text),
        words,
    }
}

/// How the message looks: capitals, shouting, "!!", stretched letters,
/// length, quotation marks (sarcasm).
fn shape(text: &str) -> Vec<(u32, f32)> {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    let ratio = upper as f32 / letters.len().max(1) as f32;
    let words: Vec<&str> = text
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .collect();
    let capital_words = words
        .iter()
        .filter(|w| {
            w.chars().count() >= 2
                && w.chars().all(char::is_alphabetic)
                && w.chars().all(|c| !c.is_lowercase())
        })
        .count();
    let chars: Vec<char> = text.chars().collect();
    let repeated_marks = chars
        .windows(2)
        .any(|w| matches!(w[0], '!' | '?') && matches!(w[1], '!' | '?'));
    let stretched = chars
        .windows(3)
        .any(|w| is_word_char(w[0]) && w[0] == w[1] && w[1] == w[2]);
    let quotes = text.contains(['"', '„', '“', '«']);
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    [
        if letters.len() >= 4 { ratio } else { 0.0 },
        capital_words.min(5) as f32 / 5.0,
        flag(letters.len() >= 6 && ratio > 0.7),
        flag(repeated_marks),
        flag(stretched),
        words.len().min(60) as f32 / 60.0,
        flag(quotes),
    ]
    .iter()
    .enumerate()
    .map(|(i, &v)| (fnv("shape", &i.to_string()), v))
    .filter(|(_, v)| *v != 0.0)
    .collect()
}

/// Sublinear term frequency times IDF, each family scaled to unit length,
/// over the features `known` knows (it gives a feature's IDF and where the
/// caller keeps it): `(at, value, words)` per feature.
///
/// Written for speed (it runs on every visitor message in the worker):
/// the occurrences are sorted and counted in runs instead of hashed, and
/// the words each feature came from are ranges of one list.
fn weigh<T: Copy>(f: &Features, known: impl Fn(u32) -> Option<(f32, T)>) -> Weighed<T> {
    let mut sorted: Vec<(Family, u32, usize)> = f
        .occurrences
        .iter()
        .map(|o| (o.family, o.key, o.word))
        .collect();
    sorted.sort_unstable();
    let mut word_list = Vec::with_capacity(sorted.len());
    let mut weighed: Vec<(Family, T, f32, std::ops::Range<usize>)> = Vec::new();
    let mut run = 0;
    while run < sorted.len() {
        let (family, key, _) = sorted[run];
        let end = sorted[run..]
            .iter()
            .position(|&(fa, k, _)| (fa, k) != (family, key))
            .map_or(sorted.len(), |n| run + n);
        if let Some((idf, at)) = known(key) {
            let count = (end - run) as f32;
            let start = word_list.len();
            for &(_, _, word) in &sorted[run..end] {
                if word_list.last() != Some(&word) || word_list.len() == start {
                    word_list.push(word);
                }
            }
            weighed.push((family, at, (1.0 + count.ln()) * idf, start..word_list.len()));
        }
        run = end;
    }
    // Summed in a fixed order (family, then key, as sorted), so the same
    // text gives the same bits (and the same data the same model file).
    let mut norms = [0.0f32; 2];
    for (family, _, value, _) in &weighed {
        norms[*family as usize] += value * value;
    }
    let mut features = Vec::with_capacity(weighed.len() + f.shape.len());
    for (family, at, value, words) in weighed {
        let norm = norms[family as usize].sqrt().max(1e-9);
        features.push((at, value / norm, words));
    }
    for &(key, v) in &f.shape {
        if let Some((_, at)) = known(key) {
            features.push((at, v, 0..0));
        }
    }
    Weighed {
        features,
        word_list,
    }
}

/// A message's weighed features: where each is kept, its value, and the
/// range of `word_list` holding the words it came from.
struct Weighed<T> {
    features: Vec<(T, f32, std::ops::Range<usize>)>,
    word_list: Vec<usize>,
}

// ------------------------------------------------------------ the model

/// The trained model: for each known feature, its IDF and one weight per
/// category.
#[derive(Debug, Clone)]
pub struct Model {
    bias: [f32; N],
    keys: Vec<u32>,
    idf: Vec<f32>,
    /// `N` per key, quantized; weight = q × scale of its category.
    weights: Vec<i8>,
    scales: [f32; N],
}

/// The model's answer for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// Probability per category, in [`CATEGORIES`] order.
    pub probabilities: [f32; N],
    /// The likeliest reason for a person (never an ordinary kind).
    pub category: Category,
    /// The words that led to `category`, strongest first, as written
    /// (lower case).
    pub evidence: Vec<String>,
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

const MAGIC: &[u8; 8] = b"ESCMOD03";

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
            return Err("not an escalation model file of this version".into());
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
        // IDF in 1/16 steps from 1: one byte each.
        let idf = take(count)?
            .iter()
            .map(|&q| 1.0 + f32::from(q) / 16.0)
            .collect();
        let weights = take(count * N)?.iter().map(|&b| b as i8).collect();
        if keys.windows(2).any(|w| w[0] >= w[1]) {
            return Err("the escalation model's keys are not sorted".into());
        }
        if !r.is_empty() {
            return Err("the escalation model file has bytes left over".into());
        }
        Ok(Self {
            bias,
            keys,
            idf,
            weights,
            scales,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 8 * N + 4 + self.keys.len() * (5 + N));
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
        out.extend(self.idf.iter().map(|&x| quantize_idf(x)));
        out.extend(self.weights.iter().map(|&w| w as u8));
        out
    }

    pub fn feature_count(&self) -> usize {
        self.keys.len()
    }

    fn position(&self, key: u32) -> Option<usize> {
        self.keys.binary_search(&key).ok()
    }

    pub fn classify(&self, message: &Analysis) -> Classification {
        let f = features(&message.text);
        let weighed = weigh(&f, |key| self.position(key).map(|i| (self.idf[i], i)));
        let mut logits = self.bias;
        let mut pushes: Vec<(&[usize], [f32; N])> = Vec::with_capacity(weighed.features.len());
        for (i, value, words) in &weighed.features {
            let (i, words) = (*i, &weighed.word_list[words.clone()]);
            let row = &self.weights[i * N..(i + 1) * N];
            let mut contribution = [0.0f32; N];
            for (c, &q) in row.iter().enumerate() {
                contribution[c] = f32::from(q) * self.scales[c] * value;
                logits[c] += contribution[c];
            }
            pushes.push((words, contribution));
        }
        let probabilities = softmax(logits);
        let category = CATEGORIES
            .iter()
            .copied()
            .filter(|c| !c.is_ordinary())
            .max_by(|a, b| probabilities[a.index()].total_cmp(&probabilities[b.index()]))
            .unwrap_or(Category::Person);
        // Per word, how far its features pushed from the likeliest
        // ordinary kind to `category`.
        let c = category.index();
        let ordinary = CATEGORIES
            .iter()
            .copied()
            .filter(|c| c.is_ordinary())
            .max_by(|a, b| probabilities[a.index()].total_cmp(&probabilities[b.index()]))
            .unwrap_or(Category::None)
            .index();
        let mut by_word: HashMap<usize, f32> = HashMap::new();
        for (words, contribution) in pushes {
            let push = (contribution[c] - contribution[ordinary]) / words.len().max(1) as f32;
            for &w in words {
                *by_word.entry(w).or_default() += push;
            }
        }
        // Words of one or two letters ("to", "me") are glue, not evidence
        // an agent can read.
        let mut evidence: Vec<(usize, f32)> = by_word
            .into_iter()
            .filter(|(w, push)| {
                *push > 0.0 && f.words.get(*w).is_some_and(|t| t.chars().count() > 2)
            })
            .collect();
        evidence.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut words: Vec<String> = Vec::new();
        for (w, _) in evidence {
            if words.len() < 4 && !words.contains(&f.words[w]) {
                words.push(f.words[w].clone());
            }
        }
        Classification {
            probabilities,
            category,
            evidence: words,
        }
    }
}

fn quantize_idf(x: f32) -> u8 {
    ((x - 1.0) * 16.0).round().clamp(0.0, 255.0) as u8
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
    /// The inverse of the regularization's strength, as in logistic
    /// regression elsewhere (`C`): the L2 term is 1 / (C × messages).
    pub c: f32,
    /// Features seen in fewer messages are left out (a smaller file).
    pub min_df: u32,
}

impl Default for Training {
    fn default() -> Self {
        Self {
            epochs: 200,
            learning_rate: 0.1,
            c: 30.0,
            min_df: 4,
        }
    }
}

/// Trains on labeled messages (Adagrad on softmax cross-entropy with L2,
/// in an order shuffled by a fixed seed: the same data gives the same
/// model).
pub fn train(examples: &[(&str, Category)], t: Training) -> Model {
    let raw: Vec<Features> = examples.iter().map(|(text, _)| features(text)).collect();
    // Document frequencies over the training messages; IDF as the usual
    // smoothed ln((1 + n) / (1 + df)) + 1, quantized as the file keeps it.
    let mut df: HashMap<u32, u32> = HashMap::new();
    for f in &raw {
        let mut keys: Vec<u32> = f.occurrences.iter().map(|o| o.key).collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            *df.entry(k).or_default() += 1;
        }
    }
    let n = examples.len() as f32;
    let mut idf: HashMap<u32, f32> = df
        .iter()
        .filter(|(_, &d)| d >= t.min_df)
        .map(|(&k, &d)| {
            let x = ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0;
            (k, 1.0 + f32::from(quantize_idf(x)) / 16.0)
        })
        .collect();
    for i in 0..7 {
        idf.insert(fnv("shape", &i.to_string()), 1.0);
    }
    let mut index: HashMap<u32, usize> = HashMap::new();
    let vectors: Vec<(Vec<(usize, f32)>, usize)> = raw
        .iter()
        .zip(examples)
        .map(|(f, (_, c))| {
            let v = weigh(f, |k| idf.get(&k).map(|&x| (x, k)))
                .features
                .into_iter()
                .map(|(key, value, _)| {
                    let next = index.len();
                    (*index.entry(key).or_insert(next), value)
                })
                .collect();
            (v, c.index())
        })
        .collect();
    let dims = index.len();
    let l2 = 1.0 / (t.c * n);

    let mut w = vec![0.0f32; dims * N];
    let mut g2 = vec![1e-6f32; dims * N];
    let mut bias = [0.0f32; N];
    let mut bias_g2 = [1e-6f32; N];
    let mut order: Vec<usize> = (0..vectors.len()).collect();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..t.epochs {
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        for &ex in &order {
            let (v, truth) = &vectors[ex];
            let mut logits = bias;
            for &(d, value) in v {
                for (l, x) in logits.iter_mut().zip(&w[d * N..(d + 1) * N]) {
                    *l += x * value;
                }
            }
            let mut grad = softmax(logits);
            grad[*truth] -= 1.0;
            for ((b, b2), g) in bias.iter_mut().zip(bias_g2.iter_mut()).zip(&grad) {
                *b2 += g * g;
                *b -= t.learning_rate * g / b2.sqrt();
            }
            for &(d, value) in v {
                let row = d * N..(d + 1) * N;
                for ((x, x2), gc) in w[row.clone()].iter_mut().zip(&mut g2[row]).zip(&grad) {
                    let g = gc * value + l2 * *x;
                    *x2 += g * g;
                    *x -= t.learning_rate * g / x2.sqrt();
                }
            }
        }
    }
    quantize(&index, &idf, &w, bias)
}

fn quantize(
    index: &HashMap<u32, usize>,
    idf: &HashMap<u32, f32>,
    w: &[f32],
    bias: [f32; N],
) -> Model {
    let mut scales = [0.0f32; N];
    for row in w.chunks_exact(N) {
        for (c, &x) in row.iter().enumerate() {
            scales[c] = scales[c].max(x.abs());
        }
    }
    for s in scales.iter_mut() {
        *s = if *s > 0.0 { *s / 127.0 } else { 1.0 };
    }
    // Every feature of the vocabulary stays, weights or not: its IDF
    // counts in the length a message is scaled by.
    let mut rows: Vec<(u32, f32, [i8; N])> = idf
        .iter()
        .map(|(&key, &x)| {
            let mut q = [0i8; N];
            if let Some(&i) = index.get(&key) {
                for c in 0..N {
                    q[c] = (w[i * N + c] / scales[c]).round().clamp(-127.0, 127.0) as i8;
                }
            }
            (key, x, q)
        })
        .collect();
    rows.sort_by_key(|(k, ..)| *k);
    Model {
        bias,
        keys: rows.iter().map(|(k, ..)| *k).collect(),
        idf: rows.iter().map(|(_, x, _)| *x).collect(),
        weights: rows.iter().flat_map(|(.., q)| q.iter().copied()).collect(),
        scales,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Vec<(&'static str, Category)> {
        vec![
            ("can I talk to a real person", Category::Person),
            ("please put me through to a real person", Category::Person),
            ("I want a real person", Category::Person),
            ("my refund never arrived", Category::Payment),
            ("you charged me twice", Category::Payment),
            ("charged twice for one repair", Category::Payment),
            ("how much is a puncture repair", Category::None),
            ("when are you open", Category::None),
            ("do you rent bikes", Category::None),
            ("how much is a service", Category::None),
        ]
    }

    fn trained() -> Model {
        let t = Training {
            min_df: 1,
            ..Training::default()
        };
        train(&toy(), t)
    }

    #[test]
    fn a_trained_model_survives_its_file_and_classifies_what_it_learned() {
        let model = trained();
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
        let c = trained().classify(&Analysis::new("Hi, you CHARGED me twice!"));
        assert!(
            c.evidence.iter().any(|w| w == "charged"),
            "{:?}",
            c.evidence
        );
    }

    #[test]
    fn the_same_data_trains_the_same_model_file() {
        assert_eq!(trained().to_bytes(), trained().to_bytes());
    }

    #[test]
    fn a_damaged_file_is_refused() {
        assert!(Model::from_bytes(b"nonsense").is_err());
        let bytes = trained().to_bytes();
        assert!(Model::from_bytes(&bytes[..bytes.len() - 3]).is_err());
    }

    #[test]
    fn shouting_and_repeated_marks_are_cues_of_their_own() {
        let calm = shape("where is my order");
        let loud = shape("WHERE IS MY ORDER?!?! soooo slow");
        assert!(loud.len() > calm.len(), "{calm:?} {loud:?}");
    }
}
