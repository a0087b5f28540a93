"""Print results.jsonl as a markdown table (latest record per method, K and set)."""
import json, sys
d = {}
for l in open("results.jsonl"):
    r = json.loads(l); d.setdefault((r["method"], r.get("set", "dev")), {})[r["K"]] = r
print("| method | set | top-1 K=3 | top-1 K=10 | answered-correct @90% precision K=3 | K=10 |")
print("| --- | --- | --- | --- | --- | --- |")
for (m, s), v in d.items():
    a, b = v.get(3, {}), v.get(10, {})
    print(f"| {m} | {s} | {a.get('top1', '')} | {b.get('top1', '')} | {a.get('ans_correct@p90', '')} | {b.get('ans_correct@p90', '')} |")
