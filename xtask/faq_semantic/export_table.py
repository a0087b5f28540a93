"""Writes the engine's word-vector file from a fitted tokenlearn matrix (see make_table.sh):
the Zipf-SIF weight folded into each token row, projected onto the top DIMS PCA axes of the
rows without centring, int8 with one f32 scale per row, with the WordPiece vocabulary in front.
Format (little endian), read by shared/src/faq/vectors.rs:
  b"WVEC1\\0\\0\\0", u32 tokens, u32 dims, tokens x (u8 length, UTF-8 token),
  f32 scale[tokens], i8 rows[tokens * dims]
usage: export_table.py NPZ DIMS OUT"""
import json, struct, sys, numpy as np
from sklearn.decomposition import PCA
from common import MINILM
from eval_static import zipf_weights
src, dims, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
z = np.load(src); ids = z["ids"]; E = z["E"].astype(np.float32) * zipf_weights(len(ids))[:, None]
pca = PCA(n_components=dims, random_state=0).fit(E)
E = (E @ pca.components_.T).astype(np.float32)
vocab = json.load(open(f"{MINILM}/tokenizer.json"))["model"]["vocab"]
V = len(vocab)
tokens = [None] * V
for t, i in vocab.items():
    tokens[i] = t
full = np.zeros((V, dims), np.float32); full[ids] = E
scale = np.abs(full).max(1) / 127.0; scale[scale == 0] = 1.0
q = np.clip(np.round(full / scale[:, None]), -127, 127).astype(np.int8)
with open(out, "wb") as f:
    f.write(b"WVEC1\0\0\0" + struct.pack("<II", V, dims))
    for t in tokens:
        b = t.encode("utf-8"); assert len(b) < 256
        f.write(struct.pack("<B", len(b)) + b)
    f.write(scale.astype("<f4").tobytes()); f.write(q.tobytes())
print(out, V, "tokens", dims, "dims")
