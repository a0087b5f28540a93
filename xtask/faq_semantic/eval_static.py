"""Static token-embedding models: nearest phrasing, and fused with the n-gram model.
usage: eval_static.py NAME NPZ [KEY]  (npz holds ids + matrix KEY; rows = ids)
Variants: PCA dims (none/256/128), weighting (none / Zipf-by-id SIF as model2vec / corpus SIF)."""
import os, sys, json, numpy as np
ALPHAS = [float(a) for a in os.environ.get('ALPHAS', '1,2').split(',')]
PCAS = [None if p == 'none' else int(p) for p in os.environ.get('PCAS', '256,128').split(',')]
WEIGHTS = os.environ.get('WEIGHTS', 'none,zipf,corpus').split(',')
from sklearn.decomposition import PCA
from lib_eval import *

def token_freq_weights(tok, ids, coef=1e-3):
    """SIF weights a/(a+p) with p = token frequency in the general corpus (cache/corpus.txt)."""
    lines = open(f"{CACHE}/corpus.txt").read().split("\n")
    cnt = np.zeros(max(ids) + 1)
    for e in tok.encode_batch(lines, add_special_tokens=False):
        np.add.at(cnt, e.ids, 1)
    p = (cnt[ids] + 1) / (cnt.sum() + len(ids))
    return (coef / (coef + p)).astype(np.float32)

def zipf_weights(n, coef=1e-4):
    inv = 1 / np.arange(2, n + 2)
    p = inv / inv.sum()
    return (coef / (coef + p)).astype(np.float32)

def variants(raw, ids, tok, pcas=(256, 128), weightings=("none", "zipf", "corpus")):
    for dims in pcas:
        E = raw if dims is None else PCA(n_components=dims, random_state=0).fit_transform(raw).astype(np.float32)
        for wname in weightings:
            w = {"none": None, "zipf": lambda: zipf_weights(len(ids)),
                 "corpus": lambda: token_freq_weights(tok, ids)}[wname]
            yield dims, wname, E, (w() if w else None)

def evaluate(name, E, ids, tok, w, fuse=True, ks=(3, 10)):
    row = {int(i): r for r, i in enumerate(ids)}
    st = Static(tok, row, E, w)
    for k in ks:
        kb, dev = split(k)
        kbt, kbl = [t for t, _ in kb], [l for _, l in kb]
        dvt, gold = [t for t, _ in dev], [l for _, l in dev]
        Ek, Eq = st.encode(kbt), st.encode(dvt)
        labs, per = nearest(Ek, kbl, Eq)
        log_result(f"{name}, nearest", k, scores_report(labs, per, gold))
        if not fuse:
            continue
        Xk, Xq = ngram_features(kbt, dvt)
        for alpha in ALPHAS:
            labs2, P = lr_scores(hstack_dense(Xk, Ek, alpha), kbl, hstack_dense(Xq, Eq, alpha))
            log_result(f"{name}, + ngrams in one LR (alpha {alpha})", k, scores_report(labs2, P, gold))

if __name__ == "__main__":
    from tokenizers import Tokenizer
    name, path = sys.argv[1], sys.argv[2]
    key = sys.argv[3] if len(sys.argv) > 3 else "mean"
    z = np.load(path)
    tok = Tokenizer.from_file(f"{MINILM}/tokenizer.json")
    tok.no_padding(); tok.no_truncation()
    for dims, wname, E, w in variants(z[key].astype(np.float32), z["ids"], tok, PCAS, WEIGHTS):
        evaluate(f"{name} [{key}] pca{dims} w={wname}", E, z["ids"], tok, w, fuse=(wname != "none"))
