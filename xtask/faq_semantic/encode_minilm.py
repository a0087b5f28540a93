"""Encode every Banking77 training text with MiniLM-L6 (numpy), keeping the mean-pooled output
after each layer 0..6 (0 = embeddings layer). Writes cache/minilm_train.npz. Test texts only with
--test (used once at the very end)."""
import sys, time, numpy as np
from common import *
which = "test" if "--test" in sys.argv else "train"
texts = sorted(set(t for t, _ in test_set())) if which == "test" else all_train_texts()
m = Bert()
t0 = time.time()
res = m.encode(texts, bs=64)
print(len(texts), "texts", round(time.time() - t0, 1), "s")
np.savez(f"{CACHE}/minilm_{which}.npz", texts=np.array(texts, dtype=object), **{f"L{i}": r for i, r in enumerate(res)})
