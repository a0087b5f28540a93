"""Baseline: logistic regression on char 2-5 (char_wb) + word 1-2 TF-IDF, trained on the K phrasings."""
from lib_eval import *
for k in (3, 10):
    kb, dev = split(k)
    Xk, Xq = ngram_features([t for t, _ in kb], [t for t, _ in dev])
    labs, P = lr_scores(Xk, [l for _, l in kb], Xq)
    log_result("ngram-LR (char2-5+word1-2 tfidf)", k, scores_report(labs, P, [l for _, l in dev]))
