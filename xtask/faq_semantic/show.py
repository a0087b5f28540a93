import sys, json
for l in sys.stdin:
    try:
        r = json.loads(l); print(r['K'], r['top1'], r.get('ans_correct@p90'), r['method'])
    except Exception:
        print(l.strip()[:200])
