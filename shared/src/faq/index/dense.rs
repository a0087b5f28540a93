//! The index's matrices: the sparse postings of words and the dense
//! columns of meaning.

use super::MEANING_WEIGHT;
use crate::faq::vectors::WordVectors;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub(super) struct Meaning {
    pub(super) vectors: Arc<WordVectors>,
    pub(super) first_column: u32,
    /// The mean of the knowledge base's own vectors, taken off every
    /// vector: what all its texts share says nothing about which is meant.
    pub(super) center: Vec<f32>,
    /// The meaning columns of the phrasings and of the centroids, row by
    /// row: dense, so they are multiplied as a matrix, not as postings.
    pub(super) phrasings: Vec<f32>,
    pub(super) centroids: Vec<f32>,
}

impl Meaning {
    pub(super) fn dims(&self) -> usize {
        self.vectors.dims()
    }

    /// The meaning columns of each row, as one row-major matrix.
    pub(super) fn dense(&self, rows: &[Vec<(u32, f32)>]) -> Vec<f32> {
        let mut out = vec![0.0f32; rows.len() * self.dims()];
        for (row, slot) in rows.iter().zip(out.chunks_exact_mut(self.dims())) {
            self.copy_dense(row, slot);
        }
        out
    }

    /// Writes a (sorted) row's meaning columns into `out`.
    pub(super) fn copy_dense(&self, row: &[(u32, f32)], out: &mut [f32]) {
        let from = row.partition_point(|&(c, _)| c < self.first_column);
        for &(col, v) in &row[from..] {
            out[(col - self.first_column) as usize] = v;
        }
    }

    /// Adds the meaning's share of the query's similarity to each phrasing
    /// and each centroid.
    pub(super) fn accumulate(
        &self,
        query: &[(u32, f32)],
        phrasings: &mut [f32],
        centroids: &mut [f32],
    ) {
        let mut q = vec![0.0f32; self.dims()];
        self.copy_dense(query, &mut q);
        for (scores, matrix) in [(phrasings, &self.phrasings), (centroids, &self.centroids)] {
            for (score, row) in scores.iter_mut().zip(matrix.chunks_exact(self.dims())) {
                *score += dot(row, &q);
            }
        }
    }

    /// Appends the text's meaning (centred, unit length) to its word
    /// vector, both parts weighed so that the whole keeps unit length.
    pub(super) fn add_to(
        &self,
        mut row: Vec<(u32, f32)>,
        meaning: Option<Vec<f32>>,
    ) -> Vec<(u32, f32)> {
        let total = (1.0 + MEANING_WEIGHT * MEANING_WEIGHT).sqrt();
        row.iter_mut().for_each(|(_, w)| *w /= total);
        if let Some(mut meaning) = meaning {
            meaning
                .iter_mut()
                .zip(&self.center)
                .for_each(|(v, c)| *v -= c);
            let norm = meaning.iter().map(|v| v * v).sum::<f32>().sqrt();
            if norm > f32::EPSILON {
                let weight = MEANING_WEIGHT / total / norm;
                row.extend(
                    (self.first_column..)
                        .zip(meaning)
                        .map(|(column, v)| (column, v * weight)),
                );
            }
        }
        row
    }
}

/// a · b in eight lanes, which the compiler turns into vector instructions
/// (a plain sum must keep its order, so it stays scalar): leave-one-out
/// makes this the similarity's largest part when the index is built.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for ((lane, xi), yi) in lanes.iter_mut().zip(x).zip(y) {
            *lane += xi * yi;
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Column-major sparse matrix: for each feature, the documents having it.
#[derive(Default, Clone, Serialize, Deserialize)]
pub(super) struct Postings {
    pub(super) start: Vec<u32>,
    pub(super) doc: Vec<u32>,
    #[serde(with = "super::stored::f32_bytes")]
    pub(super) weight: Vec<f32>,
}

impl Postings {
    /// The first `columns` columns of the rows (the meaning's are apart).
    pub(super) fn from_rows(rows: &[Vec<(u32, f32)>], columns: usize) -> Self {
        let mut per_column: Vec<Vec<(u32, f32)>> = vec![Vec::new(); columns];
        for (doc, row) in rows.iter().enumerate() {
            for &(col, w) in row.iter().filter(|(c, _)| (*c as usize) < columns) {
                per_column[col as usize].push((doc as u32, w));
            }
        }
        let mut p = Postings {
            start: Vec::with_capacity(columns + 1),
            ..Default::default()
        };
        p.start.push(0);
        for list in per_column {
            for (doc, w) in list {
                p.doc.push(doc);
                p.weight.push(w);
            }
            p.start.push(p.doc.len() as u32);
        }
        p
    }

    /// Whether these are `columns` columns of documents below `docs`, in
    /// order (stored postings are checked before a search relies on them).
    pub(super) fn fits(&self, columns: usize, docs: usize) -> bool {
        self.start.len() == columns + 1
            && self.start.first() == Some(&0)
            && self.start.windows(2).all(|w| w[0] <= w[1])
            && self
                .start
                .last()
                .is_some_and(|&end| end as usize == self.doc.len())
            && self.weight.len() == self.doc.len()
            && self.doc.iter().all(|&d| (d as usize) < docs)
    }

    /// scores[doc] += q · column, for each query column it has (the query
    /// is sorted, its meaning columns last).
    pub(super) fn accumulate(&self, query: &[(u32, f32)], scores: &mut [f32]) {
        let columns = self.start.len().saturating_sub(1) as u32;
        for &(col, qw) in query.iter().take_while(|(c, _)| *c < columns) {
            let (s, e) = (
                self.start[col as usize] as usize,
                self.start[col as usize + 1] as usize,
            );
            for i in s..e {
                scores[self.doc[i] as usize] += qw * self.weight[i];
            }
        }
    }
}
