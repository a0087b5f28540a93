"""Helpers: static-embedding sentence vectors, the n-gram logistic regression, fusion."""
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from common import *


class Static:
    """Static token vectors: sentence = weighted mean of its wordpiece vectors (no [CLS]/[SEP])."""
    def __init__(self, tok, row_of_id, E, w=None):
        self.tok, self.row, self.E = tok, row_of_id, E
        self.w = np.ones(len(E), np.float32) if w is None else w

    def encode(self, texts):
        encs = self.tok.encode_batch(texts, add_special_tokens=False)
        out = np.zeros((len(texts), self.E.shape[1]), np.float32)
        for i, e in enumerate(encs):
            r = [self.row[t] for t in e.ids if t in self.row]
            if r:
                r = np.array(r)
                out[i] = (self.E[r] * self.w[r, None]).sum(0) / max(len(r), 1)
        return out


def ngram_features(kb_texts, q_texts):
    cv = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True)
    wv = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True,
                         token_pattern=r"(?u)\b\w+\b")
    Xk = sparse.hstack([cv.fit_transform(kb_texts), wv.fit_transform(kb_texts)]).tocsr()
    Xq = sparse.hstack([cv.transform(q_texts), wv.transform(q_texts)]).tocsr()
    return Xk, Xq


def lr_scores(Xk, yk, Xq, C=10.0):
    clf = LogisticRegression(C=C, max_iter=3000)
    clf.fit(Xk, yk)
    return list(clf.classes_), clf.predict_proba(Xq)


def hstack_dense(Xs, D, alpha):
    return sparse.hstack([Xs, sparse.csr_matrix(normalize(D) * alpha)]).tocsr()
