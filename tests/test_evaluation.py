"""Batch ranking and SQuAD evaluation on small real samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import BotError
from bot.evaluation import EvalReport, batch_search, evaluate_squad, read_jsonl
from bot.search.segment import Segmenter

FIXTURES = Path(__file__).parent / "fixtures" / "retrieval"


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    """Articles rebuilt from the paragraph fixture: {id, title, text}."""
    articles: dict[str, list[str]] = {}
    for row in read_jsonl(FIXTURES / "news_paragraphs.jsonl"):
        articles.setdefault(row["article"], []).append(row["text"])
    return [{"id": k, "title": None, "text": "\n".join(v)} for k, v in articles.items()]


def test_read_jsonl_skips_blank_lines_and_reports_bad_ones(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": 1}\n\n{"id": 2}\n', encoding="utf-8")
    assert [r["id"] for r in read_jsonl(good)] == [1, 2]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    with pytest.raises(BotError, match=":2:"):
        list(read_jsonl(bad))
    with pytest.raises(BotError):
        list(read_jsonl(tmp_path / "missing.jsonl"))


def test_batch_search_ranks_the_article_a_sentence_comes_from_first(corpus, segmenter):
    queries = []
    for article in corpus[:15]:
        longest = max(article["text"].split("\n"), key=len)
        queries.append({"id": article["id"], "text": longest[:40]})
    rows = list(batch_search(corpus, queries, segmenter=segmenter, top=3))
    assert [r["id"] for r in rows] == [q["id"] for q in queries]
    for row in rows:
        assert 1 <= len(row["ranking"]) <= 3
        assert len(set(row["ranking"])) == len(row["ranking"])
        assert isinstance(row["ms"], float) and row["ms"] >= 0
    first_right = sum(row["ranking"][0] == row["id"] for row in rows)
    assert first_right >= 13  # a verbatim sentence should almost always win


def test_batch_search_query_without_known_words_ranks_nothing(corpus, segmenter):
    rows = list(batch_search(corpus[:3], [{"id": "q", "text": "什么？"}], segmenter=segmenter))
    assert rows == [{"id": "q", "ranking": [], "ms": rows[0]["ms"]}]


def test_evaluate_squad_pools_files_and_scores_recall(segmenter):
    cmrc = FIXTURES / "cmrc_sample.json"
    report = evaluate_squad([cmrc], segmenter=segmenter)
    data = json.loads(cmrc.read_text(encoding="utf-8"))
    contexts = [p for a in data["data"] for p in a["paragraphs"]]
    assert isinstance(report, EvalReport)
    assert report.contexts == len(contexts)
    assert report.questions == sum(len(p["qas"]) for p in contexts)
    assert 0 <= report.recall[1] <= report.recall[3] <= report.recall[5] <= 1
    # MRR@10 from the recall figures: ranks 2-3 give 1/2..1/3, ranks 4-5 give 1/4..1/5, and a
    # question not in the top 5 gives at most 1/6 (rank 6) and at least 0
    r1, r3, r5 = report.recall[1], report.recall[3], report.recall[5]
    lowest = r1 + (r3 - r1) / 3 + (r5 - r3) / 5
    highest = r1 + (r3 - r1) / 2 + (r5 - r3) / 4 + (1 - r5) / 6
    assert lowest - 1e-9 <= report.mrr_at_10 <= highest + 1e-9
    assert report.recall[1] >= 0.8  # questions written about a context mostly find it
    assert len(report.misses) == round(report.questions * (1 - report.recall[1]))
    text = "\n".join(report.lines())
    assert "recall@1" in text and "mrr@10" in text and "ms" in text

    pooled = evaluate_squad([cmrc, FIXTURES / "drcd_sample.json"], segmenter=segmenter)
    assert pooled.contexts == report.contexts + 12
    assert pooled.questions > report.questions


def test_traditional_questions_find_simplified_contexts(segmenter):
    drcd = FIXTURES / "drcd_sample.json"
    converted = evaluate_squad([drcd], segmenter=segmenter, convert_contexts_to_simplified=True)
    as_is = evaluate_squad([drcd], segmenter=segmenter)
    # the segmenter converts both sides to simplified, so converting first changes little
    assert converted.recall[1] >= 0.8
    assert abs(converted.recall[1] - as_is.recall[1]) <= 0.1


def test_evaluate_squad_refuses_other_json(tmp_path, segmenter):
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"items": []}', encoding="utf-8")
    with pytest.raises(BotError):
        evaluate_squad([wrong], segmenter=segmenter)
