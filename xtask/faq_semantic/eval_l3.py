"""paraphrase-MiniLM-L3-v2 (3-layer encoder): nearest phrasing and + ngrams in one LR."""
import numpy as np
from lib_eval import *
c = np.load(f"{CACHE}/l3_train.npz", allow_pickle=True)
idx = {t: i for i, t in enumerate(c["texts"])}; E = c["L3"]
for k in (3, 10):
    kb, dev = split(k)
    kbt, kbl = [t for t, _ in kb], [l for _, l in kb]
    dvt, gold = [t for t, _ in dev], [l for _, l in dev]
    Ek, Eq = E[[idx[t] for t in kbt]], E[[idx[t] for t in dvt]]
    labs, per = nearest(Ek, kbl, Eq)
    log_result("paraphrase-MiniLM-L3-v2, nearest", k, scores_report(labs, per, gold))
    Xk, Xq = ngram_features(kbt, dvt)
    labs, P = lr_scores(hstack_dense(Xk, Ek, 2.0), kbl, hstack_dense(Xq, Eq, 2.0))
    log_result("paraphrase-MiniLM-L3-v2 + ngrams in one LR", k, scores_report(labs, P, gold))
