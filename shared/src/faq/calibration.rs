//! The confidence of an answer: a logistic curve over the best score and
//! its margin over the runner-up, fitted on the knowledge base itself, so
//! the confidence reads as "the chance this entry is right".

/// Logistic calibration: confidence = σ(a·top + b·margin + c).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Calibration {
    pub a: f32,
    pub b: f32,
    pub c: f32,
    /// Fitted on this knowledge base (true) or the defaults (false).
    pub fitted: bool,
}

/// Used when a knowledge base has too few phrasings to calibrate itself
/// (the fit on Banking77 training data, K = 10).
pub const DEFAULT_CALIBRATION: Calibration = Calibration {
    a: 2.45,
    b: 2.38,
    c: -2.23,
    fitted: false,
};

impl Calibration {
    pub fn confidence(&self, top: f32, margin: f32) -> f32 {
        1.0 / (1.0 + (-(self.a * top + self.b * margin + self.c)).exp())
    }
}

/// Weighted logistic regression on (top, margin) by Newton's method,
/// lightly regularised.
pub(super) fn fit_logistic(samples: &[(f32, f32, bool, f64)]) -> Option<Calibration> {
    let mut w = [0.0f64; 3];
    for _ in 0..25 {
        let mut grad = [0.0f64; 3];
        let mut hess = [[0.0f64; 3]; 3];
        for &(top, margin, right, weight) in samples {
            let x = [top as f64, margin as f64, 1.0];
            let z = w[0] * x[0] + w[1] * x[1] + w[2];
            let p = 1.0 / (1.0 + (-z).exp());
            let y = if right { 1.0 } else { 0.0 };
            for r in 0..3 {
                grad[r] += weight * (p - y) * x[r];
                for c in 0..3 {
                    hess[r][c] += weight * p * (1.0 - p) * x[r] * x[c];
                }
            }
        }
        for r in 0..3 {
            grad[r] += 0.01 * w[r];
            hess[r][r] += 0.01;
        }
        let step = solve3(hess, grad)?;
        for r in 0..3 {
            w[r] -= step[r];
        }
    }
    w.iter().all(|v| v.is_finite()).then_some(Calibration {
        a: w[0] as f32,
        b: w[1] as f32,
        c: w[2] as f32,
        fitted: true,
    })
}

fn solve3(m: [[f64; 3]; 3], v: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: &[[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(&m);
    if d.abs() < 1e-12 {
        return None;
    }
    let mut out = [0.0; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let mut mk = m;
        for r in 0..3 {
            mk[r][k] = v[r];
        }
        *o = det(&mk) / d;
    }
    Some(out)
}
