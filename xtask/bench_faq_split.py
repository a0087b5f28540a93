"""Builds the Banking77 FAQ benchmark files (called by `cargo xtask bench-faq`).

K variants per intent are drawn exactly as in the data's SOURCE.md:
random.seed(0), then random.sample over each intent's training rows in file
order, intents sorted by name. Ten intents, chosen with a separate
random.Random(77) so the samples above stay the reference ones, are held out:
none of their rows is in the knowledge base and their test questions are
labeled `oos`.

Besides the test queries it writes dev queries from the *training* rows not
drawn into the KB: thresholds and weights are tuned on those, never on test.
"""
import csv, json, random, sys
from collections import OrderedDict

data, out = sys.argv[1], sys.argv[2]

def rows(name):
    with open(f"{data}/{name}", newline="", encoding="utf-8") as f:
        return [(r["text"], r["category"]) for r in csv.DictReader(f)]

train, test = rows("train.csv"), rows("test.csv")
by_intent = OrderedDict()
for text, cat in train:
    by_intent.setdefault(cat, []).append(text)
intents = sorted(by_intent)
held_out = set(random.Random(77).sample(intents, 10))

def write(name, pairs):
    with open(f"{out}/{name}", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "category"])
        w.writerows(pairs)

write("test_queries.csv", [(t, "oos" if c in held_out else c) for t, c in test])
for k in ["1", "3", "10", "15", "all"]:  # 15: about 1,000 phrasings, for cost
    random.seed(0)
    kb, dev = [], []
    for intent in intents:
        texts = by_intent[intent]
        chosen = texts if k == "all" else random.sample(texts, int(k))
        if intent in held_out:
            dev += [(t, "oos") for t in texts]
            continue
        kb += [(t, intent) for t in chosen]
        picked = set(chosen)
        dev += [(t, intent) for t in texts if t not in picked]
    write(f"kb_{k}.csv", kb)
    write(f"dev_queries_{k}.csv", dev)
json.dump(sorted(held_out), open(f"{out}/held_out.json", "w"))
