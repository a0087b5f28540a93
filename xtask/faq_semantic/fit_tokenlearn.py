"""Tokenlearn-style static model, fitted WITHOUT Banking77: static token vectors E (V x 384) such
that the mean of a sentence's token vectors regresses MiniLM-L6's (unit-normalised) sentence
embedding on the general corpus (cache/corpus_teacher.npz: WordNet glosses + Python docs).
Ridge towards the model2vec-distilled vectors E0:  min ||A E - Y||^2 + lam ||E - E0||^2,
solved by conjugate gradient on the normal equations (matrix-free).
usage: fit_tokenlearn.py LAM [INIT=tok|mean|zero] [ITERS] -> cache/tl_<lam>_<init>.npz"""
import sys, time, numpy as np
from scipy import sparse
from tokenizers import Tokenizer
from common import *

lam = float(sys.argv[1]); init = sys.argv[2] if len(sys.argv) > 2 else "tok"
iters = int(sys.argv[3]) if len(sys.argv) > 3 else 150
import os
CORPORA = os.environ.get("CORPORA", "corpus_teacher").split(",")
zs = [np.load(f"{CACHE}/{c}.npz", allow_pickle=True) for c in CORPORA]
texts = [t for z in zs for t in z["texts"]]
Y = normalize(np.concatenate([z["Y"] for z in zs]).astype(np.float32))
TAG = os.environ.get("TAG", "")
m2v = np.load(f"{CACHE}/m2v_raw.npz")
ids = m2v["ids"]; row = {int(i): r for r, i in enumerate(ids)}
tok = Tokenizer.from_file(f"{MINILM}/tokenizer.json"); tok.no_padding(); tok.no_truncation()
import os
WEIGHTED = os.environ.get("WEIGHTED") == "1"  # fit the zipf-SIF weighted mean instead of the plain mean
inv = 1 / np.arange(2, len(ids) + 2); zp = inv / inv.sum(); zw = 1e-4 / (1e-4 + zp)
r_, c_, v_ = [], [], []
for s, e in enumerate(tok.encode_batch(texts, add_special_tokens=False)):
    rr = [row[t] for t in e.ids if t in row]
    tot = sum(zw[t] for t in rr) if WEIGHTED else len(rr)
    for t in rr:
        r_.append(s); c_.append(t); v_.append((zw[t] if WEIGHTED else 1.0) / tot)
A = sparse.csr_matrix((v_, (r_, c_)), shape=(len(texts), len(ids)), dtype=np.float32)
At = A.T.tocsr()
print("corpus", A.shape, "nnz", A.nnz, "tokens seen", int((np.asarray(A.sum(0)) > 0).sum()))
if init == "zero":
    E0 = np.zeros((len(ids), Y.shape[1]), np.float32)
else:
    E0 = m2v[init].astype(np.float32)
    P = A @ E0
    c = float((P * Y).sum() / (P * P).sum())  # best scale
    E0 = E0 * c
B = At @ Y + lam * E0
def M(X): return At @ (A @ X) + lam * X
X = E0.copy(); R = B - M(X); Pd = R.copy(); rs = (R * R).sum(0)
t0 = time.time()
for it in range(iters):
    AP = M(Pd); a = rs / np.maximum((Pd * AP).sum(0), 1e-30)
    X += Pd * a; R -= AP * a
    rn = (R * R).sum(0)
    Pd = R + Pd * (rn / np.maximum(rs, 1e-30)); rs = rn
    if it % 25 == 0:
        print(it, "resid", float(np.sqrt(rs.sum())), round(time.time() - t0, 1), "s", flush=True)
fitcos = (normalize(A @ X) * Y).sum(1).mean()
print("train mean cosine", round(float(fitcos), 4))
np.savez(f"{CACHE}/tl_{sys.argv[1]}_{init}{'_w' if WEIGHTED else ''}{TAG}.npz", ids=ids, E=X)
