"""BM25Okapi's scoring as small pure functions (float64 throughout, like the reference).

The differential tests hold these, through ``BM25Index``, to ``rank_bm25.BM25Okapi``'s scores.
"""

from __future__ import annotations

import numpy as np

K1 = 1.5
B = 0.75
EPSILON = 0.25


def okapi_idf(doc_freq: np.ndarray, n_docs: int, epsilon: float = EPSILON) -> np.ndarray:
    """BM25Okapi's idf for every term: log((N - df + 0.5) / (df + 0.5)), a negative value
    replaced by epsilon × the mean idf over the terms present in at least one document.
    Terms in no live document get 0 (the reference does not know them)."""
    df = doc_freq.astype(np.float64)
    present = doc_freq > 0
    idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
    if not present.any():
        return np.zeros_like(df)
    floor = epsilon * float(idf[present].mean())
    idf = np.where(idf < 0, floor, idf)
    idf[~present] = 0.0
    return idf


def okapi_length_norm(
    doc_len: np.ndarray, avgdl: float, k1: float = K1, b: float = B
) -> np.ndarray:
    """k1·(1 − b + b·dl/avgdl) for every document (the same operations as the reference, so
    the same floating-point values)."""
    return k1 * (1 - b + b * doc_len.astype(np.float64) / avgdl)


def okapi_term_weight(tf: np.ndarray, length_norm: np.ndarray, k1: float = K1) -> np.ndarray:
    """The tf part of BM25: tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))."""
    tf = tf.astype(np.float64)
    return tf * (k1 + 1) / (tf + length_norm)


def top_k(positions: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best (position, score) pairs, best first, ties by position (document order).
    Partitions only the candidates given (the documents that matched), never all documents."""
    if len(scores) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth  # keeps every tie at the boundary; lexsort settles them
        positions, scores = positions[keep], scores[keep]
    order = np.lexsort((positions, -scores))[:k]
    return positions[order], scores[order]
