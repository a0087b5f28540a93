//! Word vectors: what a question means beyond the words it shares with the
//! knowledge base. One vector per WordPiece token of MiniLM's English
//! vocabulary, fitted so that the mean of a sentence's token vectors comes
//! close to MiniLM's sentence embedding (`xtask/faq_semantic/make_table.sh`
//! makes the file; docs/faq-semantic-study.md says why this and not a
//! transformer: a transformer costs more than the 2 ms a question may).
//! A sentence's vector is the mean of its tokens' rows (each row already
//! weighted by how rare its token is), normalized.
//!
//! The tokenizer is BERT's uncased WordPiece, written here because it is a
//! few dozen lines and the `tokenizers` crate does not build for the worker.

use hashbrown::HashTable;
use std::hash::BuildHasher;
use unicode_normalization::UnicodeNormalization;

const MAGIC: &[u8; 8] = b"WVEC1\0\0\0";
/// BERT's limit: a longer word is one unknown token.
const MAX_WORD_CHARS: usize = 100;

/// Why a word-vector file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VectorsError {
    #[error("not a word-vector file (bad magic)")]
    Magic,
    #[error("the word-vector file ends early")]
    Truncated,
    #[error("a token in the word-vector file is not UTF-8")]
    Token,
}

/// The vectors, read from `shared/models/word-vectors.bin`. The file's
/// bytes are kept as they are and read in place (tokens and rows): a cold
/// isolate reads them before its first answer, where a copy of each part
/// and a map of 30,522 owned strings hashed with SipHash cost it about
/// 30 ms of CPU (profiled in workerd).
pub struct WordVectors {
    data: Vec<u8>,
    /// Where token `id`'s text is in `data`.
    spans: Vec<(u32, u32)>,
    /// Token ids by their text (hashed with FxHash; the keys stay in `data`).
    ids: HashTable<u32>,
    dims: usize,
    scale: Vec<f32>,
    /// Where the rows (int8, `dims` per token) start in `data`.
    rows_at: usize,
    unknown: Option<u32>,
}

impl WordVectors {
    /// Reads the file's bytes (format in `export_table.py`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VectorsError> {
        Self::from_vec(bytes.to_vec())
    }

    /// The same, keeping the bytes given.
    pub fn from_vec(data: Vec<u8>) -> Result<Self, VectorsError> {
        let mut at = 0usize;
        let mut take = |n: usize| -> Result<(usize, &[u8]), VectorsError> {
            let part = data.get(at..at + n).ok_or(VectorsError::Truncated)?;
            at += n;
            Ok((at - n, part))
        };
        if take(8)?.1 != MAGIC {
            return Err(VectorsError::Magic);
        }
        let u32_at = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let tokens = u32_at(take(4)?.1);
        let dims = u32_at(take(4)?.1);
        let mut spans = Vec::with_capacity(tokens);
        let mut ids = HashTable::with_capacity(tokens);
        for id in 0..tokens {
            let len = take(1)?.1[0] as usize;
            let (start, token) = take(len)?;
            std::str::from_utf8(token).map_err(|_| VectorsError::Token)?;
            spans.push((start as u32, (start + len) as u32));
            // Duplicates are not in a vocabulary; the first would win.
            ids.insert_unique(hash(token), id as u32, |&id| {
                hash(token_in(&data, &spans, id))
            });
        }
        let scale = take(tokens * 4)?
            .1
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let (rows_at, _) = take(tokens * dims)?;
        let mut vectors = Self {
            data,
            spans,
            ids,
            dims,
            scale,
            rows_at,
            unknown: None,
        };
        vectors.unknown = vectors.id("[UNK]");
        Ok(vectors)
    }

    fn id(&self, token: &str) -> Option<u32> {
        let token = token.as_bytes();
        self.ids
            .find(hash(token), |&id| {
                token_in(&self.data, &self.spans, id) == token
            })
            .copied()
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The sentence's vector, unit length; `None` when no token is known.
    pub fn embed(&self, text: &str) -> Option<Vec<f32>> {
        let mut sum = vec![0.0f32; self.dims];
        let mut count = 0usize;
        for id in self.token_ids(text) {
            let id = id as usize;
            let scale = self.scale[id];
            let row = &self.data[self.rows_at + id * self.dims..][..self.dims];
            for (s, &q) in sum.iter_mut().zip(row) {
                *s += scale * f32::from(q as i8);
            }
            count += 1;
        }
        let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt();
        if count == 0 || norm <= f32::EPSILON {
            return None;
        }
        sum.iter_mut().for_each(|v| *v /= norm);
        Some(sum)
    }

    /// BERT's uncased tokenization: lower case, accents off, punctuation
    /// apart, then each word as the longest vocabulary pieces from its
    /// start ("##" marks a piece inside a word); a word that cannot be
    /// pieced together is one unknown token.
    pub fn token_ids(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        for word in basic_words(text) {
            self.pieces(&word, &mut out);
        }
        out
    }

    fn pieces(&self, word: &str, out: &mut Vec<u32>) {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.len() > MAX_WORD_CHARS {
            out.extend(self.unknown);
            return;
        }
        let mark = out.len();
        let mut start = 0usize;
        let mut piece = String::new();
        while start < chars.len() {
            let mut end = chars.len();
            let mut found = None;
            while end > start {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                let from = chars[start].0;
                let to = chars.get(end).map_or(word.len(), |c| c.0);
                piece.push_str(&word[from..to]);
                if let Some(id) = self.id(&piece) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            match found {
                Some(id) => out.push(id),
                None => {
                    out.truncate(mark);
                    out.extend(self.unknown);
                    return;
                }
            }
            start = end;
        }
    }
}

fn hash(token: &[u8]) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(token)
}

fn token_in<'d>(data: &'d [u8], spans: &[(u32, u32)], id: u32) -> &'d [u8] {
    let (start, end) = spans[id as usize];
    &data[start as usize..end as usize]
}

/// Words and punctuation marks, lower case, without accents or control
/// characters; CJK ideographs stand alone, as in BERT.
fn basic_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
    };
    for c in text.nfd().flat_map(char::to_lowercase) {
        if is_combining_mark(c) || (c.is_control() && !c.is_whitespace()) || c == '\u{fffd}' {
            continue;
        }
        if c.is_whitespace() {
            flush(&mut word, &mut words);
        } else if is_punctuation(c) || is_cjk(c) {
            flush(&mut word, &mut words);
            words.push(c.to_string());
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut words);
    words
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}'
        | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// BERT counts all non-alphanumeric ASCII as punctuation, and Unicode's
/// punctuation classes; outside ASCII this takes the general punctuation
/// and CJK/fullwidth punctuation blocks, close enough for the vocabulary.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c, '\u{a1}' | '\u{a7}' | '\u{ab}' | '\u{b6}' | '\u{b7}' | '\u{bb}' | '\u{bf}'
            | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205e}' | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}' | '\u{ff01}'..='\u{ff0f}')
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2a6df}')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny file: five tokens, two dimensions.
    fn tiny() -> WordVectors {
        let tokens = ["[UNK]", "flat", "tyre", "##s", "puncture"];
        let mut b = MAGIC.to_vec();
        b.extend((tokens.len() as u32).to_le_bytes());
        b.extend(2u32.to_le_bytes());
        for t in tokens {
            b.push(t.len() as u8);
            b.extend(t.as_bytes());
        }
        for _ in tokens {
            b.extend(1.0f32.to_le_bytes());
        }
        b.extend([0i8, 0, 10, 0, 0, 10, 1, 1, 8, 6].map(|v| v as u8));
        WordVectors::from_bytes(&b).expect("tiny file")
    }

    #[test]
    fn words_are_split_into_the_longest_vocabulary_pieces() {
        let v = tiny();
        assert_eq!(v.token_ids("Flat TYRES!"), vec![1, 2, 3, 0]);
        assert_eq!(v.token_ids("punctüre"), vec![4]);
        assert_eq!(v.token_ids("flatbread"), vec![0]);
    }

    #[test]
    fn a_sentence_vector_is_the_normalized_mean_of_its_tokens() {
        let v = tiny();
        let e = v.embed("flat tyre").expect("known words");
        let s = std::f32::consts::FRAC_1_SQRT_2;
        assert!((e[0] - s).abs() < 1e-6 && (e[1] - s).abs() < 1e-6);
        assert_eq!(v.embed("   "), None);
    }

    #[test]
    fn a_file_cut_short_or_foreign_is_refused() {
        assert_eq!(
            WordVectors::from_bytes(b"GIF89a..").err(),
            Some(VectorsError::Magic)
        );
        assert_eq!(
            WordVectors::from_bytes(&MAGIC[..]).err(),
            Some(VectorsError::Truncated)
        );
    }
}
