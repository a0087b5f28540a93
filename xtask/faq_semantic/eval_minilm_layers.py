"""MiniLM-L6 mean pooling after layer L (0 = embedding layer only), nearest phrasing."""
import numpy as np
from common import *
c = np.load(f"{CACHE}/minilm_train.npz", allow_pickle=True)
idx = {t: i for i, t in enumerate(c["texts"])}
for L in range(7):
    E = c[f"L{L}"]
    for k in (3, 10):
        kb, dev = split(k)
        labs, per = nearest(E[[idx[t] for t, _ in kb]], [l for _, l in kb], E[[idx[t] for t, _ in dev]])
        log_result(f"MiniLM layers 1..{L} mean-pool, nearest" if L else "MiniLM embedding layer only (L0)", k,
                   scores_report(labs, per, [l for _, l in dev]))
