"""Asymmetric: FAQ phrasings encoded ONCE by the full MiniLM-L6 (at publish time, not per question),
visitor questions by the static tokenlearn model (which regresses MiniLM's normalised sentence
embedding, so both live in the same space). usage: eval_asym.py NPZ [WEIGHTED(0/1)]"""
import sys, numpy as np
from tokenizers import Tokenizer
from lib_eval import *
from eval_static import zipf_weights
z = np.load(sys.argv[1]); wflag = len(sys.argv) > 2 and sys.argv[2] == "1"
tok = Tokenizer.from_file(f"{MINILM}/tokenizer.json"); tok.no_padding(); tok.no_truncation()
st = Static(tok, {int(i): r for r, i in enumerate(z["ids"])}, z["E"].astype(np.float32), zipf_weights(len(z["ids"])) if wflag else None)
c = np.load(f"{CACHE}/minilm_train.npz", allow_pickle=True)
idx = {t: i for i, t in enumerate(c["texts"])}
E6 = normalize(c["L6"])
for k in (3, 10):
    kb, dev = split(k)
    kbt, kbl = [t for t, _ in kb], [l for _, l in kb]
    dvt, gold = [t for t, _ in dev], [l for _, l in dev]
    Ek = E6[[idx[t] for t in kbt]]; Eq = st.encode(dvt); Eks = st.encode(kbt)
    labs, per = nearest(Ek, kbl, Eq)
    log_result(f"asymmetric: phrasings by MiniLM, questions by {sys.argv[1]} (w={wflag}), nearest", k, scores_report(labs, per, gold))
    # both: average of asymmetric and static-static similarities
    labs2, per2 = nearest(Eks, kbl, Eq)
    log_result(f"asymmetric + static-static similarity averaged ({sys.argv[1]})", k, scores_report(labs, (per + per2) / 2, gold))
    Xk, Xq = ngram_features(kbt, dvt)
    # LR trained on phrasings with MiniLM phrasing vectors; questions use the static approximation
    labs3, P = lr_scores(hstack_dense(Xk, Ek, 2.0), kbl, hstack_dense(Xq, Eq, 2.0))
    log_result(f"asymmetric LR: ngrams + MiniLM phrasing vectors, static question vectors ({sys.argv[1]})", k, scores_report(labs3, P, gold))
