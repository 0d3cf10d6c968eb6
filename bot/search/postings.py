"""Postings of the BM25 index: term-major segments, term counting and the name tables.

Internal to ``bot.search.bm25``; vectorised helpers with no state of their own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Segment:
    """Term-major postings: the documents of term t are ``docs[indptr[t]:indptr[t+1]]``.

    ``indptr`` covers the vocabulary as it was when the segment was made; later terms have no
    postings here. Documents ascend within a term."""

    indptr: np.ndarray  # int64, n_terms + 1
    docs: np.ndarray  # int32 positions
    tfs: np.ndarray  # unsigned term frequencies (smallest dtype that fits)

    @property
    def n_terms(self) -> int:
        return len(self.indptr) - 1

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        if term >= self.n_terms:
            return self.docs[:0], self.tfs[:0]
        lo, hi = self.indptr[term], self.indptr[term + 1]
        return self.docs[lo:hi], self.tfs[lo:hi]

    def terms_of_postings(self) -> np.ndarray:
        """The term id of every posting (expanded indptr)."""
        return np.repeat(np.arange(self.n_terms, dtype=np.int32), np.diff(self.indptr))


def compact_tfs(tfs: np.ndarray) -> np.ndarray:
    top = int(tfs.max()) if len(tfs) else 0
    return tfs.astype(np.min_scalar_type(top), copy=False)


def segment_from_batches(
    batches: list[tuple[RunTerms, np.ndarray, np.ndarray]], n_terms: int
) -> Segment:
    """Postings from per-batch (term, doc, tf) triples, each batch term-major with ascending
    docs, later batches holding later positions. Every posting is scattered straight to its
    place (a counting sort: O(n), where a stable argsort of all postings is O(n log n))."""
    runs = [
        (terms.run_terms, terms.run_lengths) if isinstance(terms, RunTerms) else term_runs(terms)
        for terms, _, _ in batches
    ]
    counts = np.zeros(n_terms, dtype=np.int64)
    for run_terms, run_lengths in runs:
        counts[run_terms] += run_lengths
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    tf_type = np.result_type(*[tfs.dtype for _, _, tfs in batches]) if batches else np.uint8
    if len(batches) == 1:
        _, docs, tfs = batches[0]
        return Segment(indptr, docs.astype(np.int32, copy=False), compact_tfs(tfs))
    docs_out = np.empty(int(indptr[-1]), dtype=np.int32)
    tfs_out = np.empty(int(indptr[-1]), dtype=tf_type)
    filled = indptr[:-1].copy()  # next free slot of every term
    for (run_terms, run_lengths), (_, docs, tfs) in zip(runs, batches, strict=False):
        if not len(docs):
            continue
        run_starts = np.cumsum(run_lengths) - run_lengths
        rank = np.arange(len(docs)) - np.repeat(run_starts, run_lengths)
        destination = np.repeat(filled[run_terms], run_lengths) + rank
        docs_out[destination] = docs
        tfs_out[destination] = tfs
        filled[run_terms] += run_lengths
    return Segment(indptr, docs_out, compact_tfs(tfs_out))


def term_runs(terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(term, run length) of a sorted term array."""
    if not len(terms):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]])
    return terms[starts].astype(np.int64), np.diff(np.r_[starts, len(terms)])


class RunTerms:
    """A batch's term column kept as (term, run length) pairs: postings of one batch are
    term-major, so this is a fraction of an int per posting (it bounds build memory)."""

    def __init__(self, run_terms: np.ndarray, run_lengths: np.ndarray):
        self.run_terms, self.run_lengths = run_terms, run_lengths

    def __len__(self) -> int:
        return int(self.run_lengths.sum())


def count_terms(
    term_ids: np.ndarray, doc_positions: np.ndarray, first: int, n_docs: int
) -> tuple[RunTerms, np.ndarray, np.ndarray]:
    """(terms, docs, tfs) of a token stream, term-major with ascending docs, terms as runs.
    ``doc_positions`` are in ``first .. first + n_docs - 1``."""
    keys = term_ids.astype(np.int64) * n_docs + (doc_positions - first)
    keys.sort()
    if not len(keys):
        empty = np.zeros(0, dtype=np.int64)
        return RunTerms(empty, empty), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint8)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    tfs = compact_tfs(np.diff(np.r_[starts, len(keys)]))
    unique = keys[starts]
    del keys, starts
    docs = (unique % n_docs + first).astype(np.int32)
    runs = RunTerms(*term_runs(unique // n_docs))
    return runs, docs, tfs


@dataclass(frozen=True)
class QueryTerm:
    term: int
    factor: float  # idf × how often the query has the term
    docs: np.ndarray  # positions holding the term, ascending
    tfs: np.ndarray  # its frequency in each


def merge_sorted(
    positions: np.ndarray, scores: np.ndarray, docs: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Add (docs, weights) into the sorted candidate arrays (positions, scores): binary search
    and insert, O(n log m) rather than sorting everything again."""
    if not len(positions):
        return docs, weights
    at = np.searchsorted(positions, docs)
    found = at < len(positions)
    found[found] = positions[at[found]] == docs[found]
    scores = scores.copy()
    scores[at[found]] += weights[found]
    new = ~found
    return np.insert(positions, at[new], docs[new]), np.insert(scores, at[new], weights[new])


class Names:
    """A table of strings (scopes, groups) and the int32 code of each."""

    def __init__(self, names: Iterable[str] = ()):
        self.names: list[str] = list(names)
        self.codes: dict[str, int] = {name: code for code, name in enumerate(self.names)}

    def code(self, name: str) -> int:
        code = self.codes.get(name)
        if code is None:
            code = self.codes[name] = len(self.names)
            self.names.append(name)
        return code

    def known_codes(self, names: Collection[str]) -> np.ndarray:
        return np.array([self.codes[n] for n in names if n in self.codes], dtype=np.int32)
