"""Build the shippable static model from a fitted tokenlearn matrix and evaluate it as shipped.
 - fold the Zipf-SIF weight into each token row, optional PCA (fitted on the token rows, no
   Banking77), int8 with one f32 scale per row; rows indexed by WordPiece id (30,522; unused = 0)
 - file: b"FAQSE1\\0\\0", u32 vocab, u32 dims, f32 scale[vocab], i8 rows[vocab*dims] (little endian)
usage: final_model.py NPZ DIMS(none|256|128) [--test]   (--test: once, at the very end)"""
import os, sys, struct, numpy as np
from sklearn.decomposition import PCA
from tokenizers import Tokenizer
from lib_eval import *
from eval_static import zipf_weights
src, dims = sys.argv[1], sys.argv[2]; use_test = "--test" in sys.argv
z = np.load(src); ids = z["ids"]; E = z["E"].astype(np.float32) * zipf_weights(len(ids))[:, None]
if dims != "none":
    pca = PCA(n_components=int(dims), random_state=0).fit(E)
    # project without centring (keeps each token's share of the mean direction), unless CENTER=1
    E = (pca.transform(E) if os.environ.get("CENTER") == "1" else E @ pca.components_.T).astype(np.float32)
V = 30522
full = np.zeros((V, E.shape[1]), np.float32); full[ids] = E
scale = np.abs(full).max(1) / 127.0; scale[scale == 0] = 1.0
q = np.clip(np.round(full / scale[:, None]), -127, 127).astype(np.int8)
name = f"faq-static-{E.shape[1]}d-int8" + ("-centred" if os.environ.get("CENTER") == "1" else "")
with open(f"{CACHE}/{name}.bin", "wb") as f:
    f.write(b"FAQSE1\0\0" + struct.pack("<II", V, E.shape[1]))
    f.write(scale.astype("<f4").tobytes()); f.write(q.tobytes())
deq = q.astype(np.float32) * scale[:, None]
tok = Tokenizer.from_file(f"{MINILM}/tokenizer.json"); tok.no_padding(); tok.no_truncation()
st = Static(tok, {i: i for i in range(V)}, deq)
label = f"{name} ({src.split('/')[-1]})"
for k in (3, 10):
    kb, dev = split(k)
    queries = test_set() if use_test else dev
    kbt, kbl = [t for t, _ in kb], [l for _, l in kb]
    qt, gold = [t for t, _ in queries], [l for _, l in queries]
    Ek, Eq = st.encode(kbt), st.encode(qt)
    labs, per = nearest(Ek, kbl, Eq)
    extra = {"set": "test" if use_test else "dev", "bytes": 16 + 4 * V + V * E.shape[1]}
    log_result(f"{label}, nearest", k, scores_report(labs, per, gold), extra)
    Xk, Xq = ngram_features(kbt, qt)
    labs, P = lr_scores(hstack_dense(Xk, Ek, 2.0), kbl, hstack_dense(Xq, Eq, 2.0))
    log_result(f"{label} + ngrams in one LR", k, scores_report(labs, P, gold), extra)
    if use_test:
        labs, P = lr_scores(Xk, kbl, Xq)
        log_result("ngram-LR (char2-5+word1-2 tfidf) baseline", k, scores_report(labs, P, gold), extra)
