//! A built index as bytes: built once per knowledge-base version and
//! language, stored with the version, and read by a cold isolate instead of
//! building it again (the build trains a layer and calibrates by
//! leave-one-out; reading only copies). Everything the build computed is
//! in the bytes; what the knowledge base gives at once (its entries,
//! settings and synonyms) and the word vectors are supplied when read.
//!
//! The bytes name the engine that made them ([`ENGINE`], a hash of the
//! matching code, the lockfile and the word vectors made by `build.rs`):
//! bytes of another build are refused, and the caller builds anew. Bytes
//! that do not fit the knowledge base are refused too, so a search never
//! indexes out of bounds.

use super::dense::{Meaning, Postings};
use super::{Analyzer, FaqIndex, KnowledgeBase, Residual, WordVectors};
use crate::faq::calibration::Calibration;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The build of the matching engine; stored indexes of another are rebuilt.
pub const ENGINE: &str = env!("FAQ_ENGINE");

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoredIndexError {
    #[error("the stored index is not readable")]
    Unreadable,
    #[error("the stored index was made by another build of the engine")]
    OtherEngine,
    #[error("the stored index does not fit the knowledge base: {0}")]
    Mismatch(&'static str),
}

impl From<postcard::Error> for StoredIndexError {
    fn from(_: postcard::Error) -> Self {
        Self::Unreadable
    }
}

/// Arrays of f32 as their little-endian bytes: read back with one pass
/// over a borrowed slice instead of one serde call per number (the demo's
/// English index holds about 550,000; each call cost a cold isolate).
pub(in crate::faq) mod f32_bytes {
    use serde::de::{Error, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(values: &[f32], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        s.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        struct Floats;
        impl Visitor<'_> for Floats {
            type Value = Vec<f32>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("f32 values as little-endian bytes")
            }
            fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<Vec<f32>, E> {
                if !bytes.len().is_multiple_of(4) {
                    return Err(E::custom("not a whole number of f32"));
                }
                Ok(bytes
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect())
            }
        }
        d.deserialize_bytes(Floats)
    }
}

/// What the build computed, in the order it is written.
#[derive(Serialize, Deserialize)]
struct Stored {
    engine: String,
    entries: u32,
    /// Feature keys by column.
    columns: Vec<u64>,
    #[serde(with = "f32_bytes")]
    idf: Vec<f32>,
    unknown_idf: f32,
    phrasing_entry: Vec<u32>,
    phrasings: Postings,
    centroids: Postings,
    #[serde(with = "f32_bytes")]
    centroid_lengths: Vec<f32>,
    vocabulary: Vec<Vec<(String, u32)>>,
    /// Sorted, so the same index always gives the same bytes.
    known_stems: Vec<String>,
    calibration: Calibration,
    residual: Option<Residual>,
    meaning: Option<StoredMeaning>,
}

#[derive(Serialize, Deserialize)]
struct StoredMeaning {
    first_column: u32,
    #[serde(with = "f32_bytes")]
    center: Vec<f32>,
    #[serde(with = "f32_bytes")]
    phrasings: Vec<f32>,
    #[serde(with = "f32_bytes")]
    centroids: Vec<f32>,
}

impl FaqIndex {
    /// The index as bytes for [`FaqIndex::from_bytes`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut columns = vec![0u64; self.columns.len()];
        for (&key, &column) in &self.columns {
            columns[column as usize] = key;
        }
        let mut known_stems: Vec<String> = self.known_stems.iter().cloned().collect();
        known_stems.sort_unstable();
        let stored = Stored {
            engine: ENGINE.to_string(),
            entries: self.entries.len() as u32,
            columns,
            idf: self.idf.clone(),
            unknown_idf: self.unknown_idf,
            phrasing_entry: self.phrasing_entry.clone(),
            phrasings: self.phrasings.clone(),
            centroids: self.centroids.clone(),
            centroid_lengths: self.centroid_lengths.clone(),
            vocabulary: self.vocabulary.clone(),
            known_stems,
            calibration: self.calibration,
            residual: self.residual.clone(),
            meaning: self.meaning.as_ref().map(|m| StoredMeaning {
                first_column: m.first_column,
                center: m.center.clone(),
                phrasings: m.phrasings.clone(),
                centroids: m.centroids.clone(),
            }),
        };
        postcard::to_allocvec(&stored).unwrap_or_else(|_| unreachable!("writing to a Vec"))
    }

    /// The index [`FaqIndex::build_with`] made of `kb` with `vectors`, read
    /// back from its bytes.
    pub fn from_bytes(
        kb: &KnowledgeBase,
        vectors: Option<Arc<WordVectors>>,
        bytes: &[u8],
    ) -> Result<Self, StoredIndexError> {
        let s: Stored = postcard::from_bytes(bytes)?;
        if s.engine != ENGINE {
            return Err(StoredIndexError::OtherEngine);
        }
        let entries = kb.entries.len();
        let phrasing_count = s.phrasing_entry.len();
        let words = s.columns.len();
        let vectors = vectors.filter(|_| Self::uses_vectors(kb));
        let meaning = match (s.meaning, vectors) {
            (None, None) => None,
            (Some(m), Some(vectors)) => Some(Meaning {
                vectors,
                first_column: m.first_column,
                center: m.center,
                phrasings: m.phrasings,
                centroids: m.centroids,
            }),
            _ => return Err(StoredIndexError::Mismatch("word vectors")),
        };
        let dims = meaning.as_ref().map_or(0, Meaning::dims);
        let checks = [
            (s.entries as usize == entries, "entries"),
            (s.idf.len() == words, "columns"),
            (
                s.phrasing_entry.iter().all(|&e| (e as usize) < entries),
                "phrasings",
            ),
            (s.phrasings.fits(words, phrasing_count), "phrasing postings"),
            (s.centroids.fits(words, entries), "centroid postings"),
            (s.centroid_lengths.len() == entries, "centroids"),
            (
                s.residual
                    .as_ref()
                    .is_none_or(|r| r.fits(words + dims, entries)),
                "correcting layer",
            ),
            (
                meaning.as_ref().is_none_or(|m| {
                    m.first_column as usize == words
                        && m.center.len() == dims
                        && m.phrasings.len() == phrasing_count * dims
                        && m.centroids.len() == entries * dims
                }),
                "meaning",
            ),
        ];
        if let Some((_, part)) = checks.iter().find(|(fits, _)| !fits) {
            return Err(StoredIndexError::Mismatch(part));
        }
        let known_words: FxHashSet<String> = s
            .vocabulary
            .iter()
            .flatten()
            .map(|(word, _)| word.clone())
            .collect();
        Ok(FaqIndex {
            entries: kb.entries.clone(),
            settings: kb.settings.clone(),
            analyzer: Analyzer::new(kb.settings.language(), kb.default_synonyms()),
            columns: s.columns.into_iter().zip(0..).collect(),
            idf: s.idf,
            unknown_idf: s.unknown_idf,
            phrasing_entry: s.phrasing_entry,
            phrasings: s.phrasings,
            centroids: s.centroids,
            centroid_lengths: s.centroid_lengths,
            vocabulary: s.vocabulary,
            known_words,
            known_stems: s.known_stems.into_iter().collect(),
            calibration: s.calibration,
            residual: s.residual,
            phrasing_count,
            meaning,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;

    const KB: &str = r#"
[settings]
languages = ["en"]

[[entry]]
id = "hours"
question = "When are you open?"
answer = "Mon-Fri 8-18."
phrasings = ["opening hours", "what time do you close", "are you open on saturday"]

[[entry]]
id = "parking"
question = "Where can I park?"
answer = "Behind the shop."
phrasings = ["is there parking", "can I leave my car nearby"]

[[entry]]
id = "prices"
question = "How much is a service?"
answer = "From 49 EUR."
phrasings = ["what does a service cost", "price of an inspection"]
"#;

    fn kb() -> KnowledgeBase {
        KnowledgeBase::from_toml("test.toml", KB).expect("the test knowledge base loads")
    }

    fn vectors() -> Arc<WordVectors> {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/word-vectors.bin"
        ))
        .expect("the word vectors are in the repository");
        Arc::new(WordVectors::from_bytes(&bytes).expect("they load"))
    }

    fn same_answers(built: &FaqIndex, read: &FaqIndex) {
        for question in [
            "when do you open",
            "parkng behind the shop?",
            "how much does an inspection cost",
            "do you sell bicycles",
        ] {
            let q = Analysis::new(question);
            assert_eq!(built.search(&q), read.search(&q), "{question}");
        }
    }

    #[test]
    fn a_stored_index_answers_exactly_as_the_built_one() {
        for vectors in [None, Some(vectors())] {
            let built = FaqIndex::build_with(&kb(), vectors.clone());
            let bytes = built.to_bytes();
            let read = FaqIndex::from_bytes(&kb(), vectors, &bytes).expect("it reads back");
            same_answers(&built, &read);
            assert_eq!(
                read.to_bytes(),
                bytes,
                "reading and writing again changes nothing"
            );
        }
    }

    #[test]
    fn stored_bytes_of_another_engine_or_knowledge_base_are_refused() {
        let bytes = FaqIndex::build(&kb()).to_bytes();
        let mut other = postcard::from_bytes::<Stored>(&bytes).expect("readable");
        other.engine = "another build".into();
        let other = postcard::to_allocvec(&other).expect("writable");
        assert_eq!(
            FaqIndex::from_bytes(&kb(), None, &other).err(),
            Some(StoredIndexError::OtherEngine)
        );
        let mut smaller = kb();
        smaller.entries.pop();
        assert!(matches!(
            FaqIndex::from_bytes(&smaller, None, &bytes),
            Err(StoredIndexError::Mismatch(_))
        ));
        assert_eq!(
            FaqIndex::from_bytes(&kb(), None, &bytes[..bytes.len() / 2]).err(),
            Some(StoredIndexError::Unreadable)
        );
    }

    #[test]
    fn an_index_stored_with_word_vectors_needs_them_to_be_read() {
        let bytes = FaqIndex::build_with(&kb(), Some(vectors())).to_bytes();
        assert_eq!(
            FaqIndex::from_bytes(&kb(), None, &bytes).err(),
            Some(StoredIndexError::Mismatch("word vectors"))
        );
        let german =
            KnowledgeBase::from_toml("de.toml", &KB.replace("\"en\"", "\"de\"")).expect("loads");
        let bytes = FaqIndex::build_with(&german, Some(vectors())).to_bytes();
        assert!(
            FaqIndex::from_bytes(&german, Some(vectors()), &bytes).is_ok(),
            "a German index ignores the vectors, stored or read"
        );
    }
}
