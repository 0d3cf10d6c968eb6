"""The default search backend, ``BM25Index``: an inverted index with BM25Okapi's exact scores.

The index takes tokens, never text (the ``Segmenter`` makes them), and scores exactly like
``rank_bm25.BM25Okapi(corpus_tokens).get_scores(query_tokens)`` over all live documents
(k1=1.5, b=0.75, epsilon=0.25; a negative idf is floored at epsilon × the mean idf of all
terms; a duplicated query token counts twice). It is an inverted index, so a search only
touches the documents that contain a query term.

Layout (bm25s style: documents are positions, with an explicit id table):

* every document has a *position* (insertion order); ``_ids[position]`` is its id, and
  per-position arrays hold its length, scope code, group code and whether it is alive;
* postings are term-major CSC-like *segments* (``indptr`` over term ids, then the positions
  and term frequencies of the documents holding each term). ``add`` appends a small segment,
  ``remove`` only clears the alive flag (a tombstone) and decrements the document
  frequencies; a few segments are merged once there are too many, and tombstones are purged
  when they grow — all vectorised, nothing is re-segmented;
* idf and the length norms are recomputed (vectorised, over the whole vocabulary and all
  positions) on the first search after a change;
* searches are exact MaxScore: rare terms first; once the k-th best partial score beats what
  the remaining (common) terms could add, those are only looked up for the candidates.

Filtered searches (``scopes``, ``groups``) keep the *global* statistics: a paragraph scores
the same whichever chat asks, so scores stay comparable with the reference and with the
``min_score`` threshold, and a tiny chat corpus does not get wild idf values.

Persistence: ``save`` writes raw array files under fresh names, each with the sha256 of
every 32 MB block in ``manifest.json``, and replaces the manifest last (atomic ``os.replace``); files the new
manifest does not name are deleted afterwards. ``load`` verifies the format version, every
size and checksum and the structure, and raises ``SearchIndexError`` on any mismatch.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import threading
import uuid
from array import array
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SearchIndexError
from . import storage
from .base import Hit, IndexDoc, SearchIndex
from .postings import (
    Names,
    QueryTerm,
    RunTerms,
    Segment,
    count_terms,
    merge_sorted,
    segment_from_batches,
)
from .scoring import EPSILON, K1, B, okapi_idf, okapi_length_norm, okapi_term_weight, top_k

FORMAT_NAME = "newsquote-bm25"
FORMAT_VERSION = 2
MANIFEST = "manifest.json"

# Documents processed per vectorised batch while adding (bounds the temporary arrays).
_ADD_BATCH = 50_000
# More segments than this and the small ones are merged (each costs a slice per query term).
_MAX_SEGMENTS = 8
# Small segments are folded into the main one once they hold this share of its postings.
_MERGE_INTO_MAIN_SHARE = 0.25
# A query term with more postings than 1/_DENSE_SHARE of all documents (and _DENSE_MIN) is
# summed in an array over every document rather than merged by sorting.
_DENSE_SHARE = 16
_DENSE_MIN = 1024
# Tombstones are purged (positions renumbered) once this share of positions is dead.
_PURGE_DEAD_SHARE = 0.25


def build_index(docs: Iterable[IndexDoc]) -> SearchIndex:
    """An index of the default backend holding ``docs``."""
    index = BM25Index()
    index.add(docs)
    return index


def load_index(directory: Path) -> SearchIndex:
    """Load an index saved by the default backend (raises ``SearchIndexError``)."""
    return BM25Index.load(directory)


# --------------------------------------------------------------------------------------------
# The default backend
# --------------------------------------------------------------------------------------------


class BM25Index:
    """Inverted BM25 index with BM25Okapi's exact scores; see the module docstring."""

    def __init__(self) -> None:
        self.meta: dict = {}
        self._lock = threading.RLock()
        # Vocabulary: a missing term gets the next id when *adding* (defaultdict); searches
        # use .get so they never grow it.
        self._vocab: defaultdict[str, int] = defaultdict()
        self._vocab.default_factory = self._vocab.__len__
        self._terms: list[str] = []
        self._doc_freq = np.zeros(0, dtype=np.int64)  # live documents per term
        # Per position:
        self._ids: list[str] = []
        self._doc_len = np.zeros(0, dtype=np.int32)
        self._alive = np.zeros(0, dtype=bool)
        self._scope = np.zeros(0, dtype=np.int32)
        self._group = np.zeros(0, dtype=np.int32)
        self._scopes = Names()
        self._groups = Names()
        self._position_of: dict[str, int] | None = {}  # live ids; built lazily after load
        self._segments: list[Segment] = []
        self._n_live = 0
        self._total_len = 0
        # Caches dropped by every change: idf, documents sorted by group.
        self._idf: np.ndarray | None = None
        self._length_norm = np.zeros(0, dtype=np.float64)
        self._by_group: tuple[np.ndarray, np.ndarray] | None = None
        self._max_weights: dict[int, float] = {}
        # Scratch space for summing the scores of several query terms (guarded by the lock).
        self._accumulator = np.zeros(0, dtype=np.float64)
        self._touched = np.zeros(0, dtype=bool)

    # -- sizes ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._n_live

    def __contains__(self, doc_id: object) -> bool:
        with self._lock:
            return doc_id in self._positions()

    @property
    def vocabulary_size(self) -> int:
        return len(self._terms)

    @property
    def n_postings(self) -> int:
        return sum(len(s.docs) for s in self._segments)

    def _positions(self) -> dict[str, int]:
        if self._position_of is None:
            alive = self._alive
            self._position_of = {doc_id: pos for pos, doc_id in enumerate(self._ids) if alive[pos]}
        return self._position_of

    # -- changes -------------------------------------------------------------------------

    def add(self, docs: Iterable[IndexDoc]) -> None:
        """Index ``docs``; a document whose id is already present replaces the old one."""
        # Adding (and segmenting, when ``docs`` is a generator) allocates millions of small
        # objects and no reference cycles: the cyclic GC would only rescan them, again and
        # again (measured: build 1.4x faster without it).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._add(docs)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _add(self, docs: Iterable[IndexDoc]) -> None:
        with self._lock:
            iterator = iter(docs)
            triples: list[tuple[RunTerms, np.ndarray, np.ndarray]] = []
            replaced: list[int] = []
            while True:
                batch = list(itertools.islice(iterator, _ADD_BATCH))
                if not batch:
                    break
                triples.append(self._add_batch(batch, replaced))
            if not triples:
                return
            segment = segment_from_batches(triples, len(self._terms))
            self._segments.append(segment)
            self._doc_freq = np.concatenate(
                [self._doc_freq, np.zeros(len(self._terms) - len(self._doc_freq), np.int64)]
            )
            self._doc_freq += np.diff(segment.indptr)
            if replaced:
                self._kill(np.array(replaced, dtype=np.int64))
            self._changed()
            self._maintain()

    def _add_batch(
        self, batch: list[IndexDoc], replaced: list[int]
    ) -> tuple[RunTerms, np.ndarray, np.ndarray]:
        for doc in batch:
            if storage.SEPARATOR in doc.doc_id:
                raise ValueError(f"a document id may not contain a line break: {doc.doc_id!r}")
        # Tokens → term ids first: the only change so far is the vocabulary, undone on error.
        known_terms = len(self._terms)
        lengths = np.array([len(doc.tokens) for doc in batch], dtype=np.int64)
        # one flat map over the batch's tokens: ~20% faster than a map per document
        flat_tokens = list(itertools.chain.from_iterable(doc.tokens for doc in batch))
        token_ids = np.array(list(map(self._vocab.__getitem__, flat_tokens)), dtype=np.int32)
        del flat_tokens
        new_terms = list(itertools.islice(self._vocab, known_terms, None))
        if any(storage.SEPARATOR in term for term in new_terms):
            for term in new_terms:
                del self._vocab[term]
            raise ValueError("a token may not contain a line break")
        self._terms.extend(new_terms)

        positions = self._positions()
        scopes = array("i")
        groups = array("i")
        first = len(self._ids)
        for offset, doc in enumerate(batch):
            old = positions.get(doc.doc_id)
            if old is not None:
                replaced.append(old)
            positions[doc.doc_id] = first + offset
            self._ids.append(doc.doc_id)
            scopes.append(self._scopes.code(doc.scope))
            groups.append(self._groups.code(doc.group))

        lengths_np = lengths.astype(np.int32)
        self._doc_len = np.concatenate([self._doc_len, lengths_np])
        self._alive = np.concatenate([self._alive, np.ones(len(batch), dtype=bool)])
        self._scope = np.concatenate([self._scope, np.frombuffer(scopes, dtype=np.int32)])
        self._group = np.concatenate([self._group, np.frombuffer(groups, dtype=np.int32)])
        self._n_live += len(batch)
        self._total_len += int(lengths_np.sum())
        token_positions = np.repeat(
            np.arange(first, first + len(batch), dtype=np.int64), lengths_np
        )
        return count_terms(token_ids, token_positions, first, len(batch))

    def remove(self, doc_ids: Iterable[str]) -> int:
        """Remove the given documents; returns how many were present."""
        with self._lock:
            positions = self._positions()
            dead = [positions.pop(doc_id) for doc_id in set(doc_ids) if doc_id in positions]
            if dead:
                self._kill(np.array(dead, dtype=np.int64))
                self._changed()
                self._maintain()
            return len(dead)

    def remove_group(self, group: str) -> int:
        """Remove every document of one group (an article's paragraphs)."""
        with self._lock:
            code = self._groups.codes.get(group)
            if code is None:
                return 0
            members = np.flatnonzero((self._group == code) & self._alive)
            return self.remove([self._ids[p] for p in members])

    def _kill(self, positions: np.ndarray) -> None:
        """Tombstone positions (already out of the id map) and take them out of the stats."""
        positions = positions[self._alive[positions]]
        if not len(positions):
            return
        dying = np.zeros(len(self._ids), dtype=bool)
        dying[positions] = True
        for segment in self._segments:
            hit = np.flatnonzero(dying[segment.docs])
            if len(hit):
                terms = np.searchsorted(segment.indptr, hit, side="right") - 1
                self._doc_freq[: segment.n_terms] -= np.bincount(terms, minlength=segment.n_terms)
        alive = self._alive.copy()  # may be a read-only view of a loaded file
        alive[positions] = False
        self._alive = alive
        self._n_live -= len(positions)
        self._total_len -= int(self._doc_len[positions].sum())

    def _changed(self) -> None:
        self._idf = None
        self._by_group = None
        self._max_weights.clear()

    def _maintain(self) -> None:
        """Keep queries cheap: merge small segments, purge tombstones when they pile up."""
        n_positions = len(self._ids)
        dead_share = 1 - self._n_live / n_positions if n_positions else 0.0
        if dead_share > _PURGE_DEAD_SHARE:
            self._purge()
            return
        if len(self._segments) > _MAX_SEGMENTS:
            main, small = self._segments[0], self._segments[1:]
            merged = self._merge(small)
            if len(merged.docs) > _MERGE_INTO_MAIN_SHARE * len(main.docs):
                self._segments = [self._merge([main, merged])]
            else:
                self._segments = [main, merged]

    def _merge(self, segments: list[Segment], renumber: np.ndarray | None = None) -> Segment:
        """One segment with the live postings of ``segments`` (positions renumbered through
        ``renumber``, which keeps their order, when given). Segments hold increasing
        positions, so they are already the term-major batches a counting sort wants."""
        batches = []
        for segment in segments:
            terms = segment.terms_of_postings()
            live = self._alive[segment.docs]
            docs = segment.docs[live]
            batches.append(
                (
                    terms[live],
                    docs if renumber is None else renumber[docs],
                    segment.tfs[live].astype(np.int32),
                )
            )
        return segment_from_batches(batches, len(self._terms))

    def _purge(self) -> None:
        """Drop dead positions and renumber the live ones (keeping their order)."""
        alive = self._alive
        renumber = (np.cumsum(alive) - 1).astype(np.int32)
        segment = self._merge(self._segments, renumber) if self._segments else None
        keep = np.flatnonzero(alive)
        self._ids = [self._ids[p] for p in keep]
        self._doc_len = self._doc_len[keep]
        self._scope = self._scope[keep]
        self._group = self._group[keep]
        self._alive = np.ones(len(keep), dtype=bool)
        self._segments = [segment] if segment is not None and len(keep) else []
        self._position_of = None
        self._changed()  # positions moved: the per-position caches are stale

    # -- search --------------------------------------------------------------------------

    def _statistics(self) -> tuple[np.ndarray, np.ndarray]:
        """(idf of every term, length norm of every position), recomputed after a change."""
        if self._idf is None:
            self._idf = okapi_idf(self._doc_freq, self._n_live)
            self._length_norm = okapi_length_norm(self._doc_len, self._total_len / self._n_live)
        return self._idf, self._length_norm

    def term_idf(self, tokens: Sequence[str]) -> list[float]:
        """Each token's rarity as evidence weight: log(1 + (N − df + 0.5) / (df + 0.5)), the
        always-positive form of BM25's idf (BM25Okapi's own goes negative, then to a floor,
        for terms in half the documents or more — in a corpus of one article, every term);
        a token in no live document gets df = 0, the rarest a term can be. Read-only; the
        answerer's confidence weighs a question's words with it."""
        with self._lock:
            n = self._n_live
            weights = []
            for token in tokens:
                term = self._vocab.get(token)
                df = int(self._doc_freq[term]) if term is not None else 0
                weights.append(float(np.log1p((n - df + 0.5) / (df + 0.5))))
            return weights

    def search(
        self,
        query_tokens: Sequence[str],
        k: int,
        *,
        scopes: Collection[str] | None = None,
        groups: Collection[str] | None = None,
    ) -> list[Hit]:
        """The k best live documents containing at least one query token, best first
        (ties in document order). ``scopes``/``groups`` restrict the documents considered,
        not the statistics."""
        with self._lock:
            if k <= 0 or self._n_live == 0:
                return []
            counts = Counter(term for t in query_tokens if (term := self._vocab.get(t)) is not None)
            idf, norm = self._statistics()
            terms = []
            for term, times in counts.items():
                docs, tfs = self._term_postings(term)
                if len(docs):
                    terms.append(QueryTerm(term, float(idf[term] * times), docs, tfs))
            if not terms:
                return []
            scope_codes = None if scopes is None else self._scopes.known_codes(scopes)
            if groups is not None:
                positions = self._group_positions(self._groups.known_codes(groups))
                positions = positions[self._allowed(positions, scope_codes)]
                scores, matched = self._score_candidates(positions, terms, norm)
                positions, scores = positions[matched], scores[matched]
            else:
                positions, scores = self._max_score(terms, k, norm, scope_codes)
            positions, scores = top_k(positions, scores, k)
            ids, group_codes, group_names = self._ids, self._group, self._groups.names
            return [
                Hit(ids[p], float(s), group_names[group_codes[p]])
                for p, s in zip(positions.tolist(), scores.tolist(), strict=False)
            ]

    def _term_postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """A term's postings over all segments; positions ascend (segments hold increasing
        positions)."""
        parts = [p for p in (s.postings(term) for s in self._segments) if len(p[0])]
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return np.zeros(0, np.int32), np.zeros(0, np.uint8)
        return (
            np.concatenate([d for d, _ in parts]),
            np.concatenate([t.astype(np.int32) for _, t in parts]),
        )

    def _allowed(self, positions: np.ndarray, scope_codes: np.ndarray | None) -> np.ndarray:
        keep = self._alive[positions]
        if scope_codes is not None:
            keep &= np.isin(self._scope[positions], scope_codes)
        return keep

    def _weights(
        self, term: QueryTerm, at: np.ndarray | slice, positions: np.ndarray, norm: np.ndarray
    ) -> np.ndarray:
        return term.factor * okapi_term_weight(term.tfs[at], norm[positions])

    def _max_score(
        self, terms: list[QueryTerm], k: int, norm: np.ndarray, scope_codes: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-k candidates with MaxScore pruning.

        Terms are taken by falling upper bound (idf·count·the term's largest tf part, see
        ``_max_weight``). Once the k-th best partial score beats what all remaining terms could
        add together, no document outside the candidates can reach the top k: the remaining
        (common, long) terms are only looked up for the candidates, never scanned. Every
        returned score is complete, and equal to the reference's."""
        prunable = all(t.factor > 0 for t in terms)  # a negative idf could lower a score
        bounds_of = {id(t): t.factor * self._max_weight(t, norm) for t in terms} if prunable else {}
        terms = sorted(terms, key=lambda t: (-bounds_of.get(id(t), 0.0), len(t.docs)))
        bounds = np.array([bounds_of.get(id(t), 0.0) for t in terms] + [0.0])
        remaining = np.cumsum(bounds[::-1])[::-1]  # remaining[i]: most terms i.. can add
        positions = np.zeros(0, dtype=np.int32)
        scores = np.zeros(0, dtype=np.float64)
        dense_above = max(len(self._ids) // _DENSE_SHARE, _DENSE_MIN)
        for i, term in enumerate(terms):
            # (the k-th best score cannot beat the remaining bound if the best one does not)
            if prunable and len(positions) >= k and scores.max() > remaining[i]:
                threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
                if threshold > remaining[i]:
                    hopeful = scores + remaining[i] >= threshold
                    positions, scores = positions[hopeful], scores[hopeful]
                    extra, _ = self._score_candidates(positions, terms[i:], norm)
                    return positions, scores + extra
            if len(term.docs) + len(positions) > dense_above:
                return self._dense_scores(positions, scores, terms[i:], norm, scope_codes)
            keep = self._allowed(term.docs, scope_codes)
            docs = term.docs[keep]
            weights = self._weights(term, keep, docs, norm)
            positions, scores = merge_sorted(positions, scores, docs, weights)
        return positions, scores

    def _max_weight(self, term: QueryTerm, norm: np.ndarray) -> float:
        """The largest tf part of BM25 over a term's postings (dead documents included, so
        still an upper bound), cached until the next change. Far tighter than k1+1, so
        MaxScore stops scanning sooner; computing it once costs one scan of the postings."""
        bound = self._max_weights.get(term.term)
        if bound is None:
            bound = float(okapi_term_weight(term.tfs, norm[term.docs]).max())
            self._max_weights[term.term] = bound
        return bound

    def _score_candidates(
        self, positions: np.ndarray, terms: list[QueryTerm], norm: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores of the given (sorted) positions over ``terms`` by binary search in the
        postings, and which positions hold at least one of the terms."""
        scores = np.zeros(len(positions), dtype=np.float64)
        matched = np.zeros(len(positions), dtype=bool)
        if not len(positions):
            return scores, matched
        for term in terms:
            docs = term.docs
            if len(docs) <= len(positions):  # look the postings up among the candidates
                at = np.minimum(np.searchsorted(positions, docs), len(positions) - 1)
                hit = positions[at] == docs
                where, found = at[hit], np.flatnonzero(hit)
            else:  # look the candidates up in the postings
                at = np.minimum(np.searchsorted(docs, positions), len(docs) - 1)
                hit = docs[at] == positions
                where, found = np.flatnonzero(hit), at[hit]
            scores[where] += self._weights(term, found, positions[where], norm)
            matched[where] = True
        return scores, matched

    def _dense_scores(
        self,
        positions: np.ndarray,
        scores: np.ndarray,
        terms: list[QueryTerm],
        norm: np.ndarray,
        scope_codes: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sum long postings in an array over all documents (cheaper than sorting them)."""
        if len(self._accumulator) < len(self._ids):
            self._accumulator = np.zeros(len(self._ids), dtype=np.float64)
            self._touched = np.zeros(len(self._ids), dtype=bool)
        accumulator, touched = self._accumulator, self._touched
        accumulator[positions] = scores
        touched[positions] = True
        for term in terms:
            accumulator[term.docs] += self._weights(term, slice(None), term.docs, norm)
            touched[term.docs] = True
        found = np.flatnonzero(touched)
        totals = accumulator[found]
        accumulator[found] = 0.0
        touched[found] = False
        keep = self._allowed(found, scope_codes)
        return found[keep], totals[keep]

    def _group_positions(self, group_codes: np.ndarray) -> np.ndarray:
        """Sorted positions of the documents of the given groups (dead ones included)."""
        if self._by_group is None:
            order = np.argsort(self._group, kind="stable").astype(np.int32)
            self._by_group = (order, self._group[order])
        order, sorted_codes = self._by_group
        parts = [
            order[np.searchsorted(sorted_codes, c) : np.searchsorted(sorted_codes, c, side="right")]
            for c in group_codes.tolist()
        ]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int32)

    # -- persistence ---------------------------------------------------------------------

    def save(self, directory: Path, *, meta: Mapping[str, Any] = {}) -> None:
        """Write the index to ``directory`` atomically (see the module docstring)."""
        with self._lock:
            directory = Path(directory)
            directory.mkdir(parents=True, exist_ok=True)
            meta = dict(meta)
            json.dumps(meta)  # fail before writing anything if meta is not JSON
            if len(self._segments) > 1 or self._n_live < len(self._ids):
                self._purge()  # one clean segment: document frequencies follow from indptr
            segment = (
                self._segments[0]
                if self._segments
                else Segment(
                    np.zeros(len(self._terms) + 1, np.int64),
                    np.zeros(0, np.int32),
                    np.zeros(0, np.uint8),
                )
            )
            if segment.n_terms < len(self._terms):
                indptr = np.concatenate(
                    [
                        segment.indptr,
                        np.full(len(self._terms) - segment.n_terms, segment.indptr[-1], np.int64),
                    ]
                )
                segment = Segment(indptr, segment.docs, segment.tfs)
            arrays = {
                "indptr": segment.indptr,
                "docs": segment.docs,
                "tfs": segment.tfs,
                "doc_len": self._doc_len,
                "scope": self._scope,
                "group": self._group,
                "ids": storage.encode_strings(self._ids),
                "terms": storage.encode_strings(self._terms),
                "scopes": storage.encode_strings(self._scopes.names),
                "groups": storage.encode_strings(self._groups.names),
            }
            generation = uuid.uuid4().hex[:12]
            files = {}
            for name, values in arrays.items():
                values = np.ascontiguousarray(values)
                file_name = f"{name}.{generation}.bin"
                data = values.tobytes()
                storage.write_durably(directory / file_name, data)
                files[name] = {
                    "file": file_name,
                    "dtype": values.dtype.str,
                    "shape": list(values.shape),
                    "bytes": len(data),
                    "block_bytes": storage.HASH_BLOCK,
                    "sha256": storage.block_digests(data),
                }
            manifest = {
                "format": FORMAT_NAME,
                "version": FORMAT_VERSION,
                "params": {"k1": K1, "b": B, "epsilon": EPSILON},
                "documents": len(self._ids),
                "terms": len(self._terms),
                "scopes": len(self._scopes.names),
                "groups": len(self._groups.names),
                "meta": meta,
                "files": files,
            }
            temporary = directory / f"{MANIFEST}.{generation}.tmp"
            storage.write_durably(temporary, json.dumps(manifest, indent=1).encode())
            os.replace(temporary, directory / MANIFEST)
            storage.sync_directory(directory)
            keep = {MANIFEST} | {f["file"] for f in files.values()}
            for leftover in directory.iterdir():
                if leftover.name not in keep and leftover.name.endswith((".bin", ".tmp")):
                    leftover.unlink(missing_ok=True)
            self.meta = meta

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        """Load an index written by ``save``; ``SearchIndexError`` if missing, corrupt, or of
        another format version."""
        directory = Path(directory)
        try:
            manifest = json.loads((directory / MANIFEST).read_bytes())
        except FileNotFoundError:
            raise SearchIndexError(f"{directory}: no index here ({MANIFEST} missing)") from None
        except (OSError, ValueError) as exc:
            raise SearchIndexError(
                f"{directory / MANIFEST}: unreadable ({exc.__class__.__name__})"
            ) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
            raise SearchIndexError(f"{directory}: not a {FORMAT_NAME} index")
        if manifest.get("version") != FORMAT_VERSION:
            raise SearchIndexError(
                f"{directory}: index format version {manifest.get('version')!r}, "
                f"this program reads version {FORMAT_VERSION}; rebuild the index"
            )
        try:
            arrays = storage.read_arrays(directory, manifest["files"])
            return cls._from_arrays(arrays, manifest)
        except SearchIndexError:
            raise
        except (KeyError, TypeError, ValueError, OSError) as exc:
            raise SearchIndexError(
                f"{directory}: corrupt index ({exc.__class__.__name__}: {exc})"
            ) from None

    @classmethod
    def _from_arrays(cls, arrays: dict[str, np.ndarray], manifest: dict) -> BM25Index:
        n_docs, n_terms = int(manifest["documents"]), int(manifest["terms"])
        indptr, docs, tfs = arrays["indptr"], arrays["docs"], arrays["tfs"]
        ids = storage.decode_strings(arrays["ids"], n_docs)
        terms = storage.decode_strings(arrays["terms"], n_terms)
        scopes = storage.decode_strings(arrays["scopes"], int(manifest["scopes"]))
        groups = storage.decode_strings(arrays["groups"], int(manifest["groups"]))
        problems = [
            len(indptr) != n_terms + 1,
            len(indptr) and (indptr[0] != 0 or indptr[-1] != len(docs)),
            len(tfs) != len(docs),
            bool(len(indptr) > 1 and (np.diff(indptr) < 0).any()),
            bool(len(docs) and (docs.min() < 0 or docs.max() >= n_docs)),
            any(len(arrays[name]) != n_docs for name in ("doc_len", "scope", "group")),
            bool(
                n_docs
                and (arrays["scope"].max() >= len(scopes) or arrays["group"].max() >= len(groups))
            ),
        ]
        if any(problems):
            raise SearchIndexError("corrupt index: arrays do not fit together")
        index = cls()
        index.meta = dict(manifest.get("meta") or {})
        index._terms = terms
        index._vocab.update(zip(terms, range(n_terms), strict=False))
        index._ids = ids
        index._position_of = None
        index._doc_len = arrays["doc_len"]
        index._alive = np.ones(n_docs, dtype=bool)
        index._scope = arrays["scope"]
        index._group = arrays["group"]
        index._scopes = Names(scopes)
        index._groups = Names(groups)
        index._segments = [Segment(indptr, docs, tfs)] if n_docs else []
        index._doc_freq = np.diff(indptr).astype(np.int64)
        index._n_live = n_docs
        index._total_len = int(arrays["doc_len"].sum(dtype=np.int64))
        if len(index._vocab) != n_terms:
            raise SearchIndexError("corrupt index: duplicated vocabulary terms")
        return index
