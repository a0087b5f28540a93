"""Fusions of the n-gram model with an embedding: (a) one LR over [ngram tfidf, alpha*embedding];
(b) score fusion: LR(ngrams+emb) probability + beta * best cosine to the intent's phrasings.
usage: eval_fusion.py minilm|m2v|NPZ-of-static"""
import os, sys, numpy as np
from tokenizers import Tokenizer
from sklearn.decomposition import PCA
from lib_eval import *
from eval_static import zipf_weights

which = sys.argv[1]
BETAS = [float(b) for b in os.environ.get("BETAS", "0.5,1,2").split(",")]
if which == "minilm":
    c = np.load(f"{CACHE}/minilm_train.npz", allow_pickle=True)
    idx = {t: i for i, t in enumerate(c["texts"])}
    E6 = c["L6"]
    enc = lambda texts: E6[[idx[t] for t in texts]]
    name = "MiniLM-L6 full"
else:
    z = np.load(which)
    key = os.environ.get("KEY", "tok")
    tok = Tokenizer.from_file(f"{MINILM}/tokenizer.json"); tok.no_padding(); tok.no_truncation()
    E = z[key].astype(np.float32)
    if os.environ.get("PCA", "256") != "none":
        E = PCA(n_components=int(os.environ.get("PCA", "256")), random_state=0).fit_transform(E).astype(np.float32)
    w = zipf_weights(len(z["ids"])) if os.environ.get("W", "zipf") == "zipf" else None
    st = Static(tok, {int(i): r for r, i in enumerate(z["ids"])}, E, w)
    enc = st.encode
    name = os.environ.get("NAME", which)
for k in (3, 10):
    kb, dev = split(k)
    kbt, kbl = [t for t, _ in kb], [l for _, l in kb]
    dvt, gold = [t for t, _ in dev], [l for _, l in dev]
    Ek, Eq = enc(kbt), enc(dvt)
    labs_n, cos = nearest(Ek, kbl, Eq)
    Xk, Xq = ngram_features(kbt, dvt)
    labs, P = lr_scores(hstack_dense(Xk, Ek, 2.0), kbl, hstack_dense(Xq, Eq, 2.0))
    assert labs == labs_n
    log_result(f"{name} + ngrams in one LR (alpha 2)", k, scores_report(labs, P, gold))
    for beta in BETAS:
        log_result(f"{name} + ngrams in one LR, + {beta} x nearest cosine", k, scores_report(labs, P + beta * cos, gold))
    labs0, P0 = lr_scores(Xk, kbl, Xq)
    for beta in BETAS:
        log_result(f"ngram-LR prob + {beta} x {name} nearest cosine", k, scores_report(labs0, P0 + beta * cos, gold))
