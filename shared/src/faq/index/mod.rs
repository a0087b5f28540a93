//! The matching index, built once per knowledge-base version.
//!
//! Model: every question and phrasing becomes a sparse vector of stemmed
//! words, word pairs and character 3-5-grams (which carry typos and word
//! forms), weighted by sublinear term frequency times inverse *entry*
//! frequency — a feature found in many entries says little about which one
//! is meant. An entry scores by a blend of its centroid's cosine and its
//! nearest phrasing's cosine. The top score and its margin over the
//! runner-up go through a logistic calibration fitted on the knowledge base
//! itself by leave-one-out, so the confidence reads as "the chance this
//! entry is right"; below the site's threshold the engine abstains.

use super::analyzer::{Analyzer, Word};
pub use super::calibration::Calibration;
use super::calibration::{fit_logistic, DEFAULT_CALIBRATION};
use super::kb::{Entry, KnowledgeBase, Language, Settings};
use super::residual::{Residual, MAX_MODEL_WEIGHTS};
use super::vectors::WordVectors;
use crate::analysis::Analysis;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

mod dense;
mod stored;

use dense::{Meaning, Postings};
pub(super) use stored::f32_bytes;
pub use stored::{StoredIndexError, ENGINE};

/// Relative weight of each feature family (tuned on Banking77 training data
/// only; see docs/faq-benchmark.md).
const WORD_WEIGHT: f32 = 1.0;
const PAIR_WEIGHT: f32 = 0.6;
const CHAR_WEIGHT: f32 = 0.35;
const CHAR_NGRAMS: std::ops::RangeInclusive<usize> = 3..=5;
/// Share of the centroid in an entry's similarity; the rest is its best phrasing.
const CENTROID_SHARE: f32 = 0.75;
/// Weight of a simulated unanswerable question in calibration, relative
/// to an answerable one.
const UNANSWERABLE_WEIGHT: f32 = 1.0;
/// Candidates kept per search.
const TOP: usize = 5;
/// Weight of the word vectors' meaning beside the words themselves (both
/// parts of a vector have unit length before it; tuned on Banking77's
/// left-over training questions, docs/faq-semantic-study.md).
const MEANING_WEIGHT: f32 = 1.0;

/// One scored entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// Index into [`FaqIndex::entries`].
    pub entry: usize,
    /// Similarity in 0..=1.
    pub score: f32,
}

/// The outcome of matching one visitor question.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    /// Best first; up to five. Empty when nothing matched at all.
    pub candidates: Vec<Candidate>,
    /// Calibrated chance that the best candidate is right, 0..=1.
    pub confidence: f32,
    /// True when the confidence reaches the site's threshold.
    pub answered: bool,
}

impl Search {
    pub fn best(&self) -> Option<Candidate> {
        self.candidates.first().copied()
    }
}

pub struct FaqIndex {
    entries: Vec<Entry>,
    settings: Settings,
    analyzer: Analyzer,
    /// Hashed with FxHash, as are the sets below: every question looks
    /// its features up here, and a cold isolate fills them from storage.
    columns: FxHashMap<u64, u32>,
    idf: Vec<f32>,
    /// Weight of a feature no entry has: the largest possible idf.
    unknown_idf: f32,
    phrasing_entry: Vec<u32>,
    phrasings: Postings,
    centroids: Postings,
    /// |Σ phrasing vectors| of each entry, before normalizing.
    centroid_lengths: Vec<f32>,
    /// Normalized words of the KB, for typo correction, by length.
    vocabulary: Vec<Vec<(String, u32)>>,
    known_words: FxHashSet<String>,
    known_stems: FxHashSet<String>,
    calibration: Calibration,
    residual: Option<Residual>,
    phrasing_count: usize,
    /// Word vectors, when the knowledge base's language has them; their
    /// dimensions are the columns after the words'.
    meaning: Option<Meaning>,
}

/// A feature before weighting: its key, its family's weight, and how often
/// it occurs.
type RawFeatures = Vec<(u64, f32, f32)>;

impl FaqIndex {
    pub fn build(kb: &KnowledgeBase) -> Self {
        Self::build_with(kb, None)
    }

    /// With word vectors, an English index also matches by meaning (the
    /// vectors' vocabulary is English; other languages ignore them).
    pub fn build_with(kb: &KnowledgeBase, vectors: Option<Arc<WordVectors>>) -> Self {
        let vectors = vectors.filter(|_| Self::uses_vectors(kb));
        let analyzer = Analyzer::new(kb.settings.language(), kb.default_synonyms());
        let entries = kb.entries.clone();

        // Every question and phrasing, analyzed once.
        let mut phrasing_entry = Vec::new();
        let mut texts: Vec<&str> = Vec::new();
        let mut raw: Vec<RawFeatures> = Vec::new();
        let mut word_counts: HashMap<String, u32> = HashMap::new();
        let mut known_stems = FxHashSet::default();
        for (e, entry) in entries.iter().enumerate() {
            for text in std::iter::once(&entry.question).chain(entry.phrasings.iter()) {
                let words: Vec<Word> = analyzer
                    .words(&Analysis::new(text))
                    .into_iter()
                    .map(|w| analyzer.analyze_word(w))
                    .collect();
                for w in &words {
                    *word_counts.entry(w.text.clone()).or_default() += 1;
                    if let Some(stem) = &w.stem {
                        known_stems.insert(stem.clone());
                    }
                }
                raw.push(features(&words));
                texts.push(text);
                phrasing_entry.push(e as u32);
            }
        }

        // Columns and inverse entry frequency.
        let mut columns: FxHashMap<u64, u32> = FxHashMap::default();
        let mut entry_freq: Vec<u32> = Vec::new();
        let mut last_entry: Vec<u32> = Vec::new();
        for (p, feats) in raw.iter().enumerate() {
            let e = phrasing_entry[p];
            for &(key, _, _) in feats {
                let next = columns.len() as u32;
                let col = *columns.entry(key).or_insert(next) as usize;
                if col == entry_freq.len() {
                    entry_freq.push(0);
                    last_entry.push(u32::MAX);
                }
                if last_entry[col] != e {
                    last_entry[col] = e;
                    entry_freq[col] += 1;
                }
            }
        }
        let n = entries.len() as f32;
        let idf: Vec<f32> = entry_freq
            .iter()
            .map(|&f| ((1.0 + n) / (1.0 + f as f32)).ln() + 1.0)
            .collect();
        let unknown_idf = (1.0 + n).ln() + 1.0;

        // Weighted, normalized phrasing vectors; entry centroids.
        let mut meanings: Vec<Option<Vec<f32>>> = vec![None; texts.len()];
        let mut meaning = vectors.map(|vectors| {
            meanings = texts.iter().map(|t| vectors.embed(t)).collect();
            let mut center = vec![0.0f32; vectors.dims()];
            for meaning in meanings.iter().flatten() {
                center.iter_mut().zip(meaning).for_each(|(c, v)| *c += v);
            }
            let n = texts.len().max(1) as f32;
            center.iter_mut().for_each(|c| *c /= n);
            Meaning {
                vectors,
                first_column: columns.len() as u32,
                center,
                phrasings: Vec::new(),
                centroids: Vec::new(),
            }
        });
        let rows: Vec<Vec<(u32, f32)>> = raw
            .iter()
            .zip(meanings)
            .map(|(feats, text_meaning)| {
                let (row, _) = weigh(
                    feats,
                    |key| columns.get(&key).map(|&c| (c, idf[c as usize])),
                    unknown_idf,
                );
                match &meaning {
                    Some(m) => m.add_to(row, text_meaning),
                    None => row,
                }
            })
            .collect();
        let mut sums: Vec<BTreeMap<u32, f32>> = vec![BTreeMap::new(); entries.len()];
        for (p, row) in rows.iter().enumerate() {
            let sum = &mut sums[phrasing_entry[p] as usize];
            for &(c, w) in row {
                *sum.entry(c).or_default() += w;
            }
        }
        let mut centroid_lengths = Vec::with_capacity(sums.len());
        let centroid_rows: Vec<Vec<(u32, f32)>> = sums
            .into_iter()
            .map(|sum| {
                let norm = sum
                    .values()
                    .map(|w| w * w)
                    .sum::<f32>()
                    .sqrt()
                    .max(f32::EPSILON);
                centroid_lengths.push(norm);
                let mut row: Vec<(u32, f32)> =
                    sum.into_iter().map(|(c, w)| (c, w / norm)).collect();
                row.sort_unstable_by_key(|&(c, _)| c);
                row
            })
            .collect();

        let mut vocabulary: Vec<Vec<(String, u32)>> = Vec::new();
        for (word, count) in &word_counts {
            let len = word.chars().count();
            if vocabulary.len() <= len {
                vocabulary.resize(len + 1, Vec::new());
            }
            vocabulary[len].push((word.clone(), *count));
        }
        for list in &mut vocabulary {
            list.sort();
        }

        if let Some(m) = &mut meaning {
            m.phrasings = m.dense(&rows);
            m.centroids = m.dense(&centroid_rows);
        }
        let mut index = FaqIndex {
            phrasing_count: rows.len(),
            phrasings: Postings::from_rows(&rows, columns.len()),
            centroids: Postings::from_rows(&centroid_rows, columns.len()),
            centroid_lengths,
            entries,
            settings: kb.settings.clone(),
            analyzer,
            columns,
            idf,
            unknown_idf,
            phrasing_entry,
            known_words: word_counts.keys().cloned().collect(),
            vocabulary,
            known_stems,
            calibration: DEFAULT_CALIBRATION,
            residual: None,
            meaning,
        };
        index.fit_model(&rows);
        index
    }

    /// Whether the knowledge base's index matches by meaning when given
    /// word vectors: their vocabulary is English.
    fn uses_vectors(kb: &KnowledgeBase) -> bool {
        kb.settings.language() == Language::English
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn calibration(&self) -> Calibration {
        self.calibration
    }

    /// The lowest score offered as a "Did you mean" choice.
    pub fn suggestion_floor(&self) -> f32 {
        match self.meaning {
            Some(_) => super::SUGGESTION_FLOOR_WITH_VECTORS,
            None => super::SUGGESTION_FLOOR,
        }
    }

    /// Number of questions and phrasings indexed.
    pub fn phrasing_count(&self) -> usize {
        self.phrasing_count
    }

    /// Matches a visitor question against the knowledge base.
    pub fn search(&self, question: &Analysis) -> Search {
        self.search_with_threshold(question, self.settings.answer_threshold)
    }

    pub fn search_with_threshold(&self, question: &Analysis, threshold: f32) -> Search {
        let words: Vec<Word> = self
            .analyzer
            .words(question)
            .into_iter()
            .map(|w| self.analyzer.analyze_word(self.correct_typo(w)))
            .collect();
        let (query, _) = weigh(&features(&words), |key| self.column(key), self.unknown_idf);
        let query = match &self.meaning {
            Some(m) => m.add_to(query, m.vectors.embed(&question.text)),
            None => query,
        };
        let candidates = self.rank(&query, None);
        let confidence = match (candidates.first(), candidates.get(1)) {
            (Some(top), second) => self
                .calibration
                .confidence(top.score, top.score - second.map_or(0.0, |c| c.score)),
            (None, _) => 0.0,
        };
        let answered = candidates.first().is_some_and(|c| c.score > 0.0) && confidence >= threshold;
        Search {
            candidates,
            confidence,
            answered,
        }
    }

    /// Columns of the model: the words' features, then the meaning's.
    fn column_count(&self) -> usize {
        self.columns.len() + self.meaning.as_ref().map_or(0, |m| m.vectors.dims())
    }

    fn column(&self, key: u64) -> Option<(u32, f32)> {
        self.columns.get(&key).map(|&c| (c, self.idf[c as usize]))
    }

    /// Scores every entry; with `leave_out`, as if that phrasing were not
    /// in the index (for calibration).
    fn rank(&self, query: &[(u32, f32)], leave_out: Option<LeaveOut>) -> Vec<Candidate> {
        let base = self.similarity(query, leave_out);
        match &self.residual {
            Some(model) => top_candidates(model.probabilities(query, &base)),
            None => top_candidates(base),
        }
    }

    /// The similarity of every entry: a blend of centroid cosine and best
    /// phrasing cosine. With `leave_out`, as if that phrasing were not in
    /// the index.
    fn similarity(&self, query: &[(u32, f32)], leave_out: Option<LeaveOut>) -> Vec<f32> {
        let mut phrasing_scores = vec![0.0f32; self.phrasing_count];
        let mut centroid_scores = vec![0.0f32; self.entries.len()];
        self.phrasings.accumulate(query, &mut phrasing_scores);
        self.centroids.accumulate(query, &mut centroid_scores);
        if let Some(m) = &self.meaning {
            m.accumulate(query, &mut phrasing_scores, &mut centroid_scores);
        }
        if let Some(lo) = &leave_out {
            // The query is the phrasing's own unit vector v. Its entry's
            // centroid without it points along (c·L − v), L = |sum|, so
            // cos = (L·c·v − 1) / √(L² − 2L·c·v + 1); 0 when it was alone.
            phrasing_scores[lo.phrasing] = f32::NEG_INFINITY;
            let l = self.centroid_lengths[lo.entry];
            let cv = centroid_scores[lo.entry];
            let den = (l * l - 2.0 * l * cv + 1.0).max(0.0).sqrt();
            centroid_scores[lo.entry] = if den > 1e-4 {
                ((l * cv - 1.0) / den).max(0.0)
            } else {
                0.0
            };
        }
        let mut best_phrasing = vec![0.0f32; self.entries.len()];
        for (p, &s) in phrasing_scores.iter().enumerate() {
            let e = self.phrasing_entry[p] as usize;
            if s > best_phrasing[e] {
                best_phrasing[e] = s;
            }
        }
        let share = CENTROID_SHARE;
        centroid_scores
            .iter()
            .zip(&best_phrasing)
            .map(|(&c, &p)| share * c + (1.0 - share) * p)
            .collect()
    }

    /// Replaces an unknown word by the closest known one within one edit
    /// (two for words of eight letters or more), preferring frequent words.
    fn correct_typo(&self, word: String) -> String {
        let len = word.chars().count();
        if len < 4 || word.chars().any(|c| c.is_ascii_digit()) || self.known_words.contains(&word) {
            return word;
        }
        let stem = self.analyzer.analyze_word(word.clone()).stem;
        if stem.is_none_or(|s| self.known_stems.contains(&s)) {
            return word;
        }
        let max = if len >= 8 { 2 } else { 1 };
        let mut best: Option<(usize, u32, &str)> = None;
        for l in len.saturating_sub(max)..=len + max {
            for (candidate, count) in self
                .vocabulary
                .get(l)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let d = strsim::osa_distance(&word, candidate);
                if d <= max && best.is_none_or(|(bd, bc, _)| d < bd || (d == bd && *count > bc)) {
                    best = Some((d, *count, candidate));
                }
            }
        }
        best.map_or(word, |(_, _, w)| w.to_string())
    }

    /// Fits the correcting layer and the confidence calibration.
    ///
    /// Calibration needs scores the model has not been trained on, so it is
    /// cross-fitted: a layer trained on the even phrasings scores the odd
    /// ones (and the other way round), each scored by leave-one-out; a
    /// logistic curve is fitted to (top, margin) → right or wrong. Then the
    /// final layer is trained on all phrasings. A phrasing whose entry has no
    /// other one acts as a question the KB cannot answer.
    fn fit_model(&mut self, rows: &[Vec<(u32, f32)>]) {
        let n = rows.len();
        let entries = self.entries.len();
        let fits = entries >= 2 && self.column_count().saturating_mul(entries) <= MAX_MODEL_WEIGHTS;
        let bases: Vec<Vec<f32>> = (0..n)
            .map(|p| {
                self.similarity(
                    &rows[p],
                    Some(LeaveOut {
                        phrasing: p,
                        entry: self.phrasing_entry[p] as usize,
                    }),
                )
            })
            .collect();
        let truth = &self.phrasing_entry;
        let mut samples = Vec::new();
        // Each held-out phrasing gives two samples: as asked, and with its
        // own entry removed — a question the KB cannot answer, so that
        // abstention is calibrated too.
        // Probabilities are renormalized without the removed entry;
        // similarities are not.
        let sample = |mut scores: Vec<f32>,
                      p: usize,
                      probabilities: bool,
                      samples: &mut Vec<(f32, f32, bool, f64)>| {
            let truth = truth[p] as usize;
            for unanswerable in [false, true] {
                if unanswerable {
                    scores[truth] = 0.0;
                    let total: f32 = scores.iter().sum();
                    if total <= 0.0 {
                        break;
                    }
                    if probabilities {
                        scores.iter_mut().for_each(|s| *s /= total);
                    }
                }
                let ranked = top_candidates(scores.clone());
                if let Some(top) = ranked.first() {
                    let margin = top.score - ranked.get(1).map_or(0.0, |c| c.score);
                    let weight = if unanswerable {
                        UNANSWERABLE_WEIGHT
                    } else {
                        1.0
                    };
                    samples.push((top.score, margin, top.entry == truth, weight as f64));
                }
            }
        };
        if fits {
            let folds: [Vec<usize>; 2] = [(0..n).step_by(2).collect(), (1..n).step_by(2).collect()];
            for k in 0..2 {
                let mut layer = Residual::new(self.column_count(), entries);
                layer.train(&folds[k], rows, &bases, truth);
                for &p in &folds[1 - k] {
                    sample(
                        layer.probabilities(&rows[p], &bases[p]),
                        p,
                        true,
                        &mut samples,
                    );
                }
            }
            let mut layer = Residual::new(self.column_count(), entries);
            layer.train(&(0..n).collect::<Vec<_>>(), rows, &bases, truth);
            self.residual = Some(layer);
        } else {
            for (p, base) in bases.iter().enumerate() {
                sample(base.clone(), p, false, &mut samples);
            }
        }
        let right = samples.iter().filter(|s| s.2).count();
        self.calibration = if n >= 40 && right >= 10 && samples.len() - right >= 10 {
            fit_logistic(&samples).unwrap_or(DEFAULT_CALIBRATION)
        } else {
            DEFAULT_CALIBRATION
        };
    }
}

/// The best few entries of a score vector, best first.
fn top_candidates(scores: Vec<f32>) -> Vec<Candidate> {
    let mut scored: Vec<Candidate> = scores
        .into_iter()
        .enumerate()
        .map(|(entry, score)| Candidate { entry, score })
        .filter(|c| c.score > 0.0)
        .collect();
    let top = TOP.min(scored.len());
    if top > 0 && scored.len() > top {
        scored.select_nth_unstable_by(top - 1, |a, b| b.score.total_cmp(&a.score));
        scored.truncate(top);
    }
    scored.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
    scored
}

/// A phrasing taken out of the index for leave-one-out.
struct LeaveOut {
    phrasing: usize,
    entry: usize,
}

// ------------------------------------------------------------- features

fn hash(tag: u8, parts: &[&str]) -> u64 {
    // FNV-1a: stable across platforms and runs, so indexes agree.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ tag as u64;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h = (h ^ 0x1f).wrapping_mul(0x0100_0000_01b3);
        }
        for b in part.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Word stems, pairs of neighboring stems, and character n-grams of each
/// content word (with word boundaries), with their counts.
fn features(words: &[Word]) -> RawFeatures {
    let mut counts: FxHashMap<u64, (f32, f32)> = FxHashMap::default();
    let mut add = |key: u64, weight: f32| counts.entry(key).or_insert((weight, 0.0)).1 += 1.0;
    let stems: Vec<&str> = words.iter().filter_map(|w| w.stem.as_deref()).collect();
    for stem in &stems {
        add(hash(b'w', &[stem]), WORD_WEIGHT);
    }
    for pair in stems.windows(2) {
        add(hash(b'p', &[pair[0], pair[1]]), PAIR_WEIGHT);
    }
    for word in words.iter().filter(|w| w.stem.is_some()) {
        let padded: Vec<char> = std::iter::once('^')
            .chain(word.text.chars())
            .chain(std::iter::once('$'))
            .collect();
        let mut buf = String::new();
        for n in CHAR_NGRAMS {
            for gram in padded.windows(n) {
                buf.clear();
                buf.extend(gram);
                add(hash(b'c', &[&buf]), CHAR_WEIGHT);
            }
        }
    }
    // Sorted, so columns and float sums come out the same on every build.
    let mut out: RawFeatures = counts
        .into_iter()
        .map(|(key, (weight, n))| (key, weight, n))
        .collect();
    out.sort_unstable_by_key(|f| f.0);
    out
}

/// Sublinear tf × idf, L2-normalized over all features (unknown ones
/// included, so a question full of words the KB never uses scores low).
/// Returns the known columns, sorted, and the norm.
fn weigh(
    raw: &RawFeatures,
    column: impl Fn(u64) -> Option<(u32, f32)>,
    unknown_idf: f32,
) -> (Vec<(u32, f32)>, f32) {
    let mut known = Vec::with_capacity(raw.len());
    let mut norm2 = 0.0f32;
    for &(key, family, occurrences) in raw {
        let tf = family * (1.0 + occurrences.ln());
        match column(key) {
            Some((col, idf)) => {
                let w = tf * idf;
                norm2 += w * w;
                known.push((col, w));
            }
            None => {
                let w = tf * unknown_idf;
                norm2 += w * w;
            }
        }
    }
    let norm = norm2.sqrt().max(f32::EPSILON);
    for (_, w) in &mut known {
        *w /= norm;
    }
    known.sort_unstable_by_key(|&(c, _)| c);
    (known, norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb(extra_settings: &str) -> KnowledgeBase {
        let text = format!(
            r#"
[settings]
synonyms = [["bike", "bicycle", "cycle"]]
{extra_settings}

[[entry]]
id = "hours"
question = "When are you open?"
phrasings = ["What are your opening hours?", "Are you open on Saturday?", "What time do you close?", "Are you open on Sundays?"]
answer = "Mon-Fri 8-18, Sat 9-16."

[[entry]]
id = "puncture"
question = "How much is a puncture repair?"
phrasings = ["Can you fix a flat tyre?", "Do you repair punctures while I wait?", "My tyre is flat"]
answer = "15 euros plus parts."

[[entry]]
id = "bike-service"
question = "How much does a bike service cost?"
phrasings = ["What is the price of a full service?", "Can I book a service for my bike?", "How long does a service take?"]
answer = "Basic 59, full 119."

[[entry]]
id = "parking"
question = "Where can I park?"
phrasings = ["Is there parking near the shop?", "Can I park my car outside?"]
answer = "Free parking behind the shop."
"#
        );
        KnowledgeBase::from_toml("test.toml", &text).expect("valid kb")
    }

    fn best_id(index: &FaqIndex, q: &str) -> Option<String> {
        index
            .search(&Analysis::new(q))
            .best()
            .map(|c| index.entries()[c.entry].id.clone())
    }

    #[test]
    fn a_plain_question_finds_its_entry_and_is_answered() {
        let index = FaqIndex::build(&kb(""));
        let s = index.search(&Analysis::new("when are you open on saturday"));
        assert_eq!(index.entries()[s.best().unwrap().entry].id, "hours");
        assert!(s.answered, "confidence {}", s.confidence);
        assert!(s.candidates.len() > 1, "runners-up are returned");
    }

    #[test]
    fn case_accents_and_width_do_not_matter() {
        let index = FaqIndex::build(&kb(""));
        assert_eq!(
            best_id(&index, "WHÉRE CAN I PARK?").as_deref(),
            Some("parking")
        );
        assert_eq!(
            best_id(&index, "ｐｕｎｃｔｕｒｅ repair").as_deref(),
            Some("puncture")
        );
    }

    #[test]
    fn typos_are_tolerated() {
        let index = FaqIndex::build(&kb(""));
        assert_eq!(best_id(&index, "opning hours").as_deref(), Some("hours"));
        assert_eq!(
            best_id(&index, "punctrue repiar").as_deref(),
            Some("puncture")
        );
        assert_eq!(index.correct_typo("parkng".into()), "parking");
        assert_eq!(
            index.correct_typo("xyzzy".into()),
            "xyzzy",
            "no near word: left alone"
        );
    }

    #[test]
    fn synonyms_from_the_knowledge_base_match() {
        let index = FaqIndex::build(&kb(""));
        assert_eq!(
            best_id(&index, "bicycle service price").as_deref(),
            Some("bike-service")
        );
    }

    #[test]
    fn an_unrelated_question_is_not_answered() {
        let index = FaqIndex::build(&kb(""));
        let s = index.search(&Analysis::new("do you sell concert tickets for the opera"));
        assert!(
            !s.answered,
            "confidence {} for {:?}",
            s.confidence,
            s.best()
        );
        let nonsense = index.search(&Analysis::new("qwertz uiop"));
        assert!(!nonsense.answered);
    }

    #[test]
    fn the_threshold_is_a_per_site_setting() {
        let never = FaqIndex::build(&kb("answer_threshold = 1.0"));
        assert!(!never.search(&Analysis::new("when are you open")).answered);
        let always = FaqIndex::build(&kb("answer_threshold = 0.0"));
        assert!(always.search(&Analysis::new("when are you open")).answered);
    }

    #[test]
    fn an_empty_knowledge_base_abstains_without_candidates() {
        let index = FaqIndex::build(&KnowledgeBase::from_toml("empty.toml", "").unwrap());
        let s = index.search(&Analysis::new("when are you open?"));
        assert!(s.candidates.is_empty());
        assert!(!s.answered);
        assert_eq!(s.confidence, 0.0);
    }

    #[test]
    fn an_empty_question_abstains() {
        let index = FaqIndex::build(&kb(""));
        let s = index.search(&Analysis::new("  ?! "));
        assert!(!s.answered);
    }

    #[test]
    fn building_twice_gives_the_same_answers() {
        let (a, b) = (FaqIndex::build(&kb("")), FaqIndex::build(&kb("")));
        for q in ["parking?", "flat tyre", "book a service"] {
            assert_eq!(a.search(&Analysis::new(q)), b.search(&Analysis::new(q)));
        }
    }

    #[test]
    fn calibration_maps_scores_into_zero_to_one_and_rises_with_the_score() {
        let c = DEFAULT_CALIBRATION;
        let (low, high) = (c.confidence(0.1, 0.0), c.confidence(0.9, 0.5));
        assert!((0.0..=1.0).contains(&low) && (0.0..=1.0).contains(&high) && low < high);
    }
}
