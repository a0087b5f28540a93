"""Truncated MiniLM (first L layers, mean pooling) + a linear adapter fitted on the GENERAL corpus
(no Banking77) that maps the layer-L mean-pooled vector to the full model's normalised sentence
embedding (ridge regression). Also plain centering (subtract the corpus mean). Nearest phrasing,
and + ngrams in one LR."""
import numpy as np
from lib_eval import *
z = np.load(f"{CACHE}/corpus_teacher.npz", allow_pickle=True)
Y = normalize(z["Y"].astype(np.float32))
c = np.load(f"{CACHE}/minilm_train.npz", allow_pickle=True)
idx = {t: i for i, t in enumerate(c["texts"])}
for L in (0, 1, 2, 3):
    X = z[f"L{L}"].astype(np.float32)
    mu = X.mean(0)
    Xc = X - mu
    W = np.linalg.solve(Xc.T @ Xc + 1.0 * np.eye(X.shape[1]), Xc.T @ (Y - Y.mean(0)))
    b = Y.mean(0)
    fit = (normalize(Xc @ W + b) * Y).sum(1).mean()
    B = c[f"L{L}"]
    for k in (3, 10):
        kb, dev = split(k)
        kbt, kbl = [t for t, _ in kb], [l for _, l in kb]
        dvt, gold = [t for t, _ in dev], [l for _, l in dev]
        Ek, Eq = B[[idx[t] for t in kbt]], B[[idx[t] for t in dvt]]
        labs, per = nearest(Ek - mu, kbl, Eq - mu)
        log_result(f"MiniLM first {L} layers, centred (corpus mean), nearest", k, scores_report(labs, per, gold))
        Ak, Aq = (Ek - mu) @ W + b, (Eq - mu) @ W + b
        labs, per = nearest(Ak, kbl, Aq)
        log_result(f"MiniLM first {L} layers + linear adapter to L6 (corpus fit cos {fit:.3f}), nearest", k, scores_report(labs, per, gold))
        Xk, Xq = ngram_features(kbt, dvt)
        labs, P = lr_scores(hstack_dense(Xk, Ak, 2.0), kbl, hstack_dense(Xq, Aq, 2.0))
        log_result(f"MiniLM first {L} layers + adapter, + ngrams in one LR", k, scores_report(labs, P, gold))
