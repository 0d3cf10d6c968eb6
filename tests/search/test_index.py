"""BM25Index: exact BM25Okapi scores (differential, real paragraphs), filters, order,
incremental changes, persistence and corruption."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.errors import SearchIndexError
from bot.search.base import Hit, IndexDoc, SearchIndex
from bot.search.bm25 import BM25Index, build_index, load_index
from bot.search.segment import Segmenter

FIXTURE = Path(__file__).parents[1] / "fixtures" / "retrieval" / "news_paragraphs.jsonl"


@pytest.fixture(scope="module")
def real_docs() -> list[IndexDoc]:
    """The fixture's real news paragraphs, segmented; two scopes, one group per article."""
    segmenter = Segmenter()
    docs = []
    for n, line in enumerate(FIXTURE.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        scope = "shared" if n % 3 else "chat:-1001"
        docs.append(
            IndexDoc(
                f"{row['article']}#{row['paragraph']}",
                segmenter.tokens(row["text"]),
                scope,
                row["article"],
            )
        )
    return docs


def queries_from(docs: list[IndexDoc], rng: random.Random, count: int = 25) -> list[list[str]]:
    """Queries made of real tokens: a few tokens of a document, sometimes one repeated,
    sometimes with a token no document has."""
    queries = []
    for _ in range(count):
        doc = rng.choice([d for d in docs if d.tokens])
        query = rng.sample(list(doc.tokens), min(len(doc.tokens), rng.randint(1, 6)))
        if rng.random() < 0.3:
            query.append(query[0])  # duplicated query tokens count twice
        if rng.random() < 0.2:
            query.append("不存在的词")
        queries.append(query)
    return queries


def assert_matches_reference(index: SearchIndex, live: dict[str, IndexDoc], queries) -> None:
    """Every live document's score equals BM25Okapi's over the live documents; documents
    without a query token are not returned."""
    ids = list(live)
    reference = BM25Okapi([list(live[i].tokens) for i in ids])
    assert len(index) == len(live)
    for query in queries:
        expected = reference.get_scores(query)
        hits = index.search(query, len(ids) + 5)
        got = {hit.doc_id: hit.score for hit in hits}
        assert len(got) == len(hits)
        for doc_id, score in zip(ids, expected, strict=False):
            if doc_id in got:
                assert got[doc_id] == pytest.approx(score, abs=1e-6)
            else:
                assert not set(query) & set(live[doc_id].tokens)
        assert set(got) <= set(live)
        scores = [hit.score for hit in hits]
        assert scores == sorted(scores, reverse=True)
        matching = sorted(
            (s for i, s in zip(ids, expected, strict=False) if set(query) & set(live[i].tokens)),
            reverse=True,
        )
        for k in (1, 3, 10):  # small k: the pruned search must keep exactly the best k
            top = index.search(query, k)
            assert [h.score for h in top] == pytest.approx(matching[:k], abs=1e-6)
            assert all(got[h.doc_id] == pytest.approx(h.score, abs=1e-9) for h in top)


def test_default_backend_satisfies_the_protocol():
    assert isinstance(build_index([]), SearchIndex)


def test_scores_equal_bm25okapi_on_real_paragraphs(real_docs):
    index = build_index(real_docs)
    assert_matches_reference(
        index, {d.doc_id: d for d in real_docs}, queries_from(real_docs, random.Random(1))
    )


def test_scores_equal_bm25okapi_after_removals_additions_and_replacements(real_docs):
    rng = random.Random(2)
    first, later = real_docs[:200], real_docs[200:]
    index = build_index(first)
    live = {d.doc_id: d for d in first}
    queries = queries_from(real_docs, rng, 15)

    removed = rng.sample(sorted(live), 30)
    assert index.remove(removed + ["no-such-id"]) == 30
    for doc_id in removed:
        del live[doc_id]
    assert_matches_reference(index, live, queries)

    for start in range(0, len(later), 12):  # many small additions: segments get merged
        batch = later[start : start + 12]
        index.add(batch)
        live.update((d.doc_id, d) for d in batch)
    assert_matches_reference(index, live, queries)

    # replacing: same id, other tokens (taken from another paragraph)
    victim, donor = sorted(live)[5], real_docs[-1]
    replacement = IndexDoc(victim, donor.tokens, "shared", "replaced-group")
    index.add([replacement])
    live[victim] = replacement
    assert_matches_reference(index, live, queries)

    group = real_docs[0].group
    members = [i for i, d in live.items() if d.group == group]
    assert index.remove_group(group) == len(members) > 0
    for doc_id in members:
        del live[doc_id]
    assert index.remove_group(group) == 0
    assert_matches_reference(index, live, queries)

    # remove most documents: tombstones are purged, positions renumbered
    doomed = rng.sample(sorted(live), len(live) * 2 // 3)
    index.remove(doomed)
    for doc_id in doomed:
        del live[doc_id]
    assert_matches_reference(index, live, queries)
    assert all(doc_id in index for doc_id in live)
    assert not any(doc_id in index for doc_id in doomed)


@pytest.mark.parametrize("path", ["dense", "pruned"])
def test_every_scoring_path_matches_the_reference(real_docs, monkeypatch, path):
    """The small fixture would always take the sparse path: force the others."""
    import bot.search.bm25 as index_module

    calls = {"dense": 0, "candidates": 0}
    dense, candidates = BM25Index._dense_scores, BM25Index._score_candidates

    def counting_dense(self, *args):
        calls["dense"] += 1
        return dense(self, *args)

    def counting_candidates(self, *args):
        calls["candidates"] += 1
        return candidates(self, *args)

    monkeypatch.setattr(BM25Index, "_dense_scores", counting_dense)
    monkeypatch.setattr(BM25Index, "_score_candidates", counting_candidates)
    if path == "dense":
        monkeypatch.setattr(index_module, "_DENSE_MIN", 0)
        monkeypatch.setattr(index_module, "_DENSE_SHARE", 10**9)
    index = build_index(real_docs)
    index.remove([d.doc_id for d in real_docs[::7]])
    live = {d.doc_id: d for i, d in enumerate(real_docs) if i % 7}
    assert_matches_reference(index, live, queries_from(real_docs, random.Random(5), 30))
    assert calls["dense" if path == "dense" else "candidates"] > 0


def test_duplicate_ids_within_one_add_keep_the_last(real_docs):
    a, b = real_docs[0], real_docs[1]
    index = build_index([a, IndexDoc(a.doc_id, b.tokens, b.scope, b.group), real_docs[2]])
    assert len(index) == 2
    assert_matches_reference(
        index,
        {
            a.doc_id: IndexDoc(a.doc_id, b.tokens, b.scope, b.group),
            real_docs[2].doc_id: real_docs[2],
        },
        [list(b.tokens[:3]), list(a.tokens[:3])],
    )


def test_top_k_is_best_first_with_ties_in_document_order():
    docs = [
        IndexDoc(f"d{i}", ["apple", "pear"] if i % 2 else ["apple"], "s", "g") for i in range(10)
    ]
    docs.append(IndexDoc("other", ["plum"] * 3, "s", "g"))
    index = build_index(docs)
    hits = index.search(["apple"], 4)
    # the single-token documents are shorter, so they score higher; among equals, doc order
    assert [h.doc_id for h in hits] == ["d0", "d2", "d4", "d6"]
    assert hits[0].score == hits[3].score > 0
    assert [h.doc_id for h in index.search(["apple"], 20)][5:] == ["d1", "d3", "d5", "d7", "d9"]
    assert index.search(["apple"], 20)[-1].doc_id == "d9"  # "other" has no query token


def test_scopes_and_groups_filter_documents_but_keep_global_statistics(real_docs):
    index = build_index(real_docs)
    query = list(real_docs[10].tokens[:4])
    everything = {h.doc_id: h for h in index.search(query, len(real_docs))}
    scope_of = {d.doc_id: d.scope for d in real_docs}
    in_chat = index.search(query, len(real_docs), scopes={"chat:-1001"})
    assert in_chat and all(scope_of[h.doc_id] == "chat:-1001" for h in in_chat)
    assert {h.doc_id for h in in_chat} == {i for i in everything if scope_of[i] == "chat:-1001"}
    assert all(h.score == pytest.approx(everything[h.doc_id].score) for h in in_chat)

    group = real_docs[10].group
    within = index.search(query, 100, groups={group})
    assert within and all(h.group == group for h in within)
    assert (
        within[0].doc_id == real_docs[10].doc_id
        or within[0].score >= everything[real_docs[10].doc_id].score
    )
    assert index.search(query, 5, scopes={"chat:unknown"}) == []
    assert index.search(query, 5, groups=set()) == []
    both = index.search(query, 100, scopes={"shared"}, groups={group})
    assert all(scope_of[h.doc_id] == "shared" and h.group == group for h in both)


def test_small_and_degenerate_searches():
    index = build_index(
        [
            IndexDoc("a", ["x", "y"], "s", "g1"),
            IndexDoc("b", ["y", "z", "z"], "s", "g2"),
            IndexDoc("c", [], "s", "g2"),
        ]
    )
    assert index.search([], 5) == []
    assert index.search(["unknown"], 5) == []
    assert index.search(["x"], 0) == []
    hits = index.search(["z", "x"], 10)  # more asked than there are matches
    assert [h.doc_id for h in hits] == ["a", "b"] or [h.doc_id for h in hits] == ["b", "a"]
    assert all(isinstance(h, Hit) and h.group in {"g1", "g2"} for h in hits)
    assert len(index) == 3 and "c" in index and "d" not in index
    empty = build_index([])
    assert len(empty) == 0 and empty.search(["x"], 3) == []
    index.remove(["a", "b", "c"])
    assert len(index) == 0 and index.search(["x"], 3) == []


def test_ids_and_tokens_with_line_breaks_are_refused():
    index = build_index([IndexDoc("a", ["x"], "s", "g")])
    with pytest.raises(ValueError):
        index.add([IndexDoc("bad\nid", ["x"], "s", "g")])
    with pytest.raises(ValueError):
        index.add([IndexDoc("b", ["new\ntoken"], "s", "g")])
    assert len(index) == 1 and index.search(["x"], 5)[0].doc_id == "a"
    index.add([IndexDoc("b", ["x", "fresh"], "s", "g")])  # the index is still consistent
    assert [h.doc_id for h in index.search(["fresh"], 5)] == ["b"]


# -- persistence ---------------------------------------------------------------------------


def saved_index(tmp_path: Path, docs: list[IndexDoc]) -> tuple[BM25Index, Path]:
    index = build_index(docs)
    directory = tmp_path / "index"
    index.save(directory, meta={"corpus_digest": "abc", "n": 3})
    return index, directory


def test_save_and_load_round_trip_after_changes(tmp_path, real_docs):
    index = build_index(real_docs[:150])
    index.remove([d.doc_id for d in real_docs[:20]])
    index.add(real_docs[150:])
    live = {d.doc_id: d for d in real_docs[20:]}
    directory = tmp_path / "index"
    index.save(directory, meta={"corpus_digest": "abc"})
    loaded = load_index(directory)
    assert loaded.meta == {"corpus_digest": "abc"} and index.meta == loaded.meta
    queries = queries_from(real_docs, random.Random(3), 10)
    assert_matches_reference(loaded, live, queries)
    for query in queries:
        assert loaded.search(query, 7, scopes={"shared"}) == index.search(
            query, 7, scopes={"shared"}
        )
    # a loaded index keeps working incrementally
    loaded.add(real_docs[:5])
    loaded.remove_group(real_docs[30].group)
    live.update((d.doc_id, d) for d in real_docs[:5])
    for doc_id in [i for i, d in live.items() if d.group == real_docs[30].group]:
        del live[doc_id]
    assert_matches_reference(loaded, live, queries)


def test_saving_again_replaces_the_files(tmp_path, real_docs):
    index, directory = saved_index(tmp_path, real_docs[:50])
    before = set(p.name for p in directory.iterdir())
    index.add(real_docs[50:60])
    index.save(directory, meta={"v": 2})
    after = set(p.name for p in directory.iterdir())
    assert not before - {"manifest.json"} & after  # old array files deleted
    assert len(load_index(directory)) == 60 and load_index(directory).meta == {"v": 2}


def test_an_interrupted_save_leaves_the_previous_index_loadable(tmp_path, real_docs, monkeypatch):
    index, directory = saved_index(tmp_path, real_docs[:50])
    index.add(real_docs[50:80])

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        index.save(directory)
    monkeypatch.undo()
    assert len(load_index(directory)) == 50


@pytest.mark.parametrize(
    "damage",
    [
        "truncate",
        "flip",
        "delete_manifest",
        "delete_array",
        "wrong_version",
        "garbage_manifest",
        "edited_manifest",
    ],
)
def test_damaged_index_raises_index_error(tmp_path, real_docs, damage):
    _, directory = saved_index(tmp_path, real_docs[:60])
    manifest_path = directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    docs_file = directory / manifest["files"]["docs"]["file"]
    if damage == "truncate":
        data = docs_file.read_bytes()
        docs_file.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        data = bytearray(docs_file.read_bytes())
        data[len(data) // 3] ^= 0xFF
        docs_file.write_bytes(bytes(data))
    elif damage == "delete_manifest":
        manifest_path.unlink()
    elif damage == "delete_array":
        (directory / manifest["files"]["terms"]["file"]).unlink()
    elif damage == "wrong_version":
        manifest["version"] = 999
        manifest_path.write_text(json.dumps(manifest))
    elif damage == "garbage_manifest":
        manifest_path.write_bytes(b"{not json")
    elif damage == "edited_manifest":  # consistent checksums, arrays that do not fit together
        manifest["documents"] = manifest["documents"] + 1
        manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(SearchIndexError):
        load_index(directory)


def test_loading_a_missing_directory_raises_index_error(tmp_path):
    with pytest.raises(SearchIndexError):
        load_index(tmp_path / "nowhere")


def test_empty_index_round_trip(tmp_path):
    index = build_index([IndexDoc("a", ["x"], "s", "g")])
    index.remove(["a"])
    index.save(tmp_path / "i")
    loaded = load_index(tmp_path / "i")
    assert len(loaded) == 0 and loaded.search(["x"], 3) == []
    loaded.add([IndexDoc("b", ["x"], "s", "g")])
    assert [h.doc_id for h in loaded.search(["x"], 3)] == ["b"]


def test_scores_are_float64_exact_for_large_term_frequencies():
    docs = [
        IndexDoc("long", ["w"] * 70000 + ["v"], "s", "g"),
        IndexDoc("short", ["v", "u"], "s", "g"),
        IndexDoc("third", ["u"], "s", "g"),
    ]
    index = build_index(docs)
    expected = BM25Okapi([list(d.tokens) for d in docs]).get_scores(["w", "v"])
    got = {h.doc_id: h.score for h in index.search(["w", "v"], 3)}
    assert got["long"] == pytest.approx(expected[0], abs=1e-9)
    assert np.isclose(got["short"], expected[1])


def test_any_python_string_round_trips_through_save(tmp_path):
    odd = "a\ud800"  # a lone surrogate, as a broken client may send
    index = build_index([IndexDoc(odd, ["词", "x\udc00"], "chat:\ud800", "g\ud800")])
    index.save(tmp_path / "i", meta={"note": "\ud800"})
    loaded = load_index(tmp_path / "i")
    assert [(h.doc_id, h.group) for h in loaded.search(["x\udc00"], 1, scopes={"chat:\ud800"})] == [
        (odd, "g\ud800")
    ]
    assert loaded.meta == {"note": "\ud800"}


def test_term_idf_is_positive_and_largest_for_unseen_terms():
    import math

    docs = [
        IndexDoc(f"d{i}", ["common"] + (["rare"] if i == 0 else []), "s", "g") for i in range(10)
    ]
    index = build_index(docs)
    common, rare, unseen = index.term_idf(["common", "rare", "nowhere"])
    assert 0 < common < rare < unseen
    assert rare == pytest.approx(math.log1p((10 - 1 + 0.5) / (1 + 0.5)))
    assert unseen == pytest.approx(math.log1p((10 + 0.5) / 0.5))
    one = build_index([IndexDoc("x", ["a", "b"], "s", "g")])
    assert all(w > 0 for w in one.term_idf(["a", "b"]))  # BM25Okapi's own would be negative
