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

use std::collections::HashMap;
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

/// The vectors, read from `shared/models/word-vectors.bin`.
pub struct WordVectors {
    ids: HashMap<Box<str>, u32>,
    dims: usize,
    scale: Vec<f32>,
    rows: Vec<i8>,
    unknown: Option<u32>,
}

impl WordVectors {
    /// Reads the file's bytes (format in `export_table.py`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VectorsError> {
        let mut at = 0usize;
        let mut take = |n: usize| -> Result<&[u8], VectorsError> {
            let part = bytes.get(at..at + n).ok_or(VectorsError::Truncated)?;
            at += n;
            Ok(part)
        };
        if take(8)? != MAGIC {
            return Err(VectorsError::Magic);
        }
        let u32_at = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let tokens = u32_at(take(4)?);
        let dims = u32_at(take(4)?);
        let mut ids = HashMap::with_capacity(tokens);
        for id in 0..tokens {
            let len = take(1)?[0] as usize;
            let token = std::str::from_utf8(take(len)?).map_err(|_| VectorsError::Token)?;
            ids.insert(token.into(), id as u32);
        }
        let scale = take(tokens * 4)?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let rows = take(tokens * dims)?.iter().map(|&b| b as i8).collect();
        let unknown = ids.get("[UNK]").copied();
        Ok(Self {
            ids,
            dims,
            scale,
            rows,
            unknown,
        })
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
            let row = &self.rows[id * self.dims..(id + 1) * self.dims];
            for (s, &q) in sum.iter_mut().zip(row) {
                *s += scale * q as f32;
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
                if let Some(&id) = self.ids.get(piece.as_str()) {
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
