//! The correcting layer of the index: a small softmax model trained at
//! index time on the knowledge base's own phrasings.

/// How strongly the correcting layer starts from the similarity.
const SHARPNESS: f32 = 10.0;
/// Training of the correcting layer (SGD with a 1/(1+epoch) rate).
const EPOCHS: usize = 10;
const LEARNING_RATE: f32 = 1.0;
const L2: f32 = 0.0001;

/// A softmax layer over the entries that corrects the similarity: logits =
/// sharpness·similarity + W·x + b, trained on the knowledge base's own
/// phrasings (each scored by leave-one-out, so it learns what similarity
/// alone gets wrong, negative evidence included). Dense, so only built when
/// features × entries fits [`MAX_MODEL_WEIGHTS`].
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Residual {
    entries: usize,
    #[serde(with = "super::index::f32_bytes")]
    weights: Vec<f32>,
    #[serde(with = "super::index::f32_bytes")]
    bias: Vec<f32>,
}

/// 4 M weights: 16 MB, well within a worker isolate.
pub(super) const MAX_MODEL_WEIGHTS: usize = 4_000_000;

impl Residual {
    pub(super) fn new(columns: usize, entries: usize) -> Self {
        Self {
            entries,
            weights: vec![0.0; columns * entries],
            bias: vec![0.0; entries],
        }
    }

    /// Whether the layer has the shape of `columns` × `entries`.
    pub(super) fn fits(&self, columns: usize, entries: usize) -> bool {
        self.entries == entries
            && self.bias.len() == entries
            && self.weights.len() == columns * entries
    }

    fn logits(&self, x: &[(u32, f32)], base: &[f32], out: &mut [f32]) {
        let sharp = SHARPNESS;
        for ((o, &b), &bias) in out.iter_mut().zip(base).zip(&self.bias) {
            *o = sharp * b + bias;
        }
        for &(col, v) in x {
            let row = &self.weights[col as usize * self.entries..(col as usize + 1) * self.entries];
            for (o, &w) in out.iter_mut().zip(row) {
                *o += v * w;
            }
        }
    }

    pub(super) fn probabilities(&self, x: &[(u32, f32)], base: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0; self.entries];
        self.logits(x, base, &mut out);
        softmax(&mut out);
        out
    }

    /// SGD on softmax cross-entropy with L2, over the given examples.
    pub(super) fn train(
        &mut self,
        examples: &[usize],
        rows: &[Vec<(u32, f32)>],
        bases: &[Vec<f32>],
        truth: &[u32],
    ) {
        let (epochs, rate0, l2) = (EPOCHS, LEARNING_RATE, L2);
        let mut p = vec![0.0f32; self.entries];
        let mut order = examples.to_vec();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for epoch in 0..epochs {
            // Deterministic shuffle (xorshift): the same KB gives the same model.
            for i in (1..order.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                order.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            let rate = rate0 / (1.0 + epoch as f32);
            for &ex in &order {
                self.logits(&rows[ex], &bases[ex], &mut p);
                softmax(&mut p);
                p[truth[ex] as usize] -= 1.0;
                for (b, &g) in self.bias.iter_mut().zip(&p) {
                    *b -= rate * g;
                }
                for &(col, v) in &rows[ex] {
                    let row = &mut self.weights
                        [col as usize * self.entries..(col as usize + 1) * self.entries];
                    for (w, &g) in row.iter_mut().zip(&p) {
                        *w -= rate * (v * g + l2 * *w);
                    }
                }
            }
        }
    }
}

fn softmax(v: &mut [f32]) {
    let max = v.iter().fold(f32::MIN, |m, &x| m.max(x));
    let mut z = 0.0;
    for x in v.iter_mut() {
        *x = (*x - max).exp();
        z += *x;
    }
    for x in v.iter_mut() {
        *x /= z;
    }
}
