"""Teacher embeddings (MiniLM-L6, mean pooling, final layer as Y, and after each earlier layer as L0..L5) for lines START..START+N of
cache/corpus.txt (already shuffled with seed 0). Writes cache/corpus_teacher.npz."""
import sys, time, numpy as np
from common import *
N = int(sys.argv[1]) if len(sys.argv) > 1 else 60000
START = int(sys.argv[2]) if len(sys.argv) > 2 else 0
OUT = sys.argv[3] if len(sys.argv) > 3 else "corpus_teacher"
texts = open(f"{CACHE}/corpus.txt").read().split("\n")[START:START + N]
m = Bert()
t0 = time.time()
res = m.encode(texts, bs=128, all_layers=True)
print(len(texts), "texts", round(time.time() - t0, 1), "s")
np.savez(f"{CACHE}/{OUT}.npz", texts=np.array(texts, dtype=object), Y=res[-1], **{f"L{i}": r for i, r in enumerate(res[:-1])})
