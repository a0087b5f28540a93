"""model2vec-style distillation of MiniLM-L6 (no Banking77 involved): every vocabulary token
(minus [unused*]) goes through the full model alone as [CLS] tok [SEP]; its vector is the mean
of the output over those 3 positions (and, kept too, the output at the token position).
Writes cache/m2v_raw.npz (token ids, raw 384-d vectors). PCA / weighting are applied in eval."""
import time, numpy as np
from common import *
m = Bert()
vocab = m.tok.get_vocab()
ids = sorted(i for t, i in vocab.items() if not t.startswith("[unused"))
print(len(ids), "tokens")
t0 = time.time()
mean_out, tok_out = [], []
for j in range(0, len(ids), 512):
    b = [[101, i, 102] for i in ids[j:j + 512]]
    outs, x, mask = m.encode_ids(b, all_layers=False)
    mean_out.append(outs[-1]); tok_out.append(x[:, 1])
print(round(time.time() - t0, 1), "s")
np.savez(f"{CACHE}/m2v_raw.npz", ids=np.array(ids), mean=np.concatenate(mean_out), tok=np.concatenate(tok_out))
