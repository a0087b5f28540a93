"""General-English sentence corpus that is available offline and has a permissive licence:
- WordNet 3.0 glosses and usage examples (Debian package wordnet-base, WordNet 3.0 licence, BSD-like)
- Python 3.11 documentation reST sources (Debian package python3-doc, PSF licence)
Writes cache/corpus.txt (one sentence a line, deduplicated, 3..40 words)."""
import glob, re, random
out = set()
def add(s):
    s = re.sub(r"\s+", " ", s).strip().strip('"').strip()
    n = len(s.split())
    if 3 <= n <= 40:
        out.add(s)
for f in glob.glob("/usr/share/wordnet/data.*"):
    for line in open(f, encoding="latin-1"):
        if line.startswith("  ") or "|" not in line:
            continue
        gloss = line.split("|", 1)[1]
        for part in gloss.split(";"):
            add(part.replace("_", " "))
wn = len(out)
for f in glob.glob("/usr/share/doc/python3-doc/html/_sources/**/*.txt", recursive=True):
    txt = open(f, encoding="utf-8", errors="ignore").read()
    # drop code blocks and directives crudely
    paras = re.split(r"\n\s*\n", txt)
    for p in paras:
        if p.startswith((" ", ">>>", "..", "$", "=", "-", "*", "+")) or "::" in p[-4:]:
            continue
        p = re.sub(r":[a-z:]+:`~?([^`<]*?)(<[^>]*>)?`", r"\1", p)
        p = re.sub(r"[`*]", "", p)
        for s in re.split(r"(?<=[.?!])\s+", p):
            add(s)
print("wordnet", wn, "total", len(out))
lines = sorted(out)
random.Random(0).shuffle(lines)
open("cache/corpus.txt", "w").write("\n".join(lines) + "\n")
