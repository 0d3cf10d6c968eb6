"""Batch ranking and SQuAD-style retrieval evaluation (the ``search`` and ``eval`` commands).

Both build an in-memory index with the default backend and rank with the same segmenter the
bot uses; nothing here knows how the index works inside.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .errors import ArticleError, BotError
from .search.base import IndexDoc
from .search.bm25 import build_index
from .search.segment import Segmenter

# Paragraphs searched per query in batch_search before ranking articles: an article ranks by
# its best paragraph, so more paragraphs than articles are needed to fill `top` articles.
_PARAGRAPHS_PER_ARTICLE_WANTED = 8


class EvaluationError(BotError):
    """An evaluation input cannot be used (not JSON, not SQuAD-shaped)."""


def read_jsonl(path: Path) -> Iterator[dict]:
    """The JSON objects of a JSONL file, one a line (blank lines skipped)."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise EvaluationError(f"{path}:{number}: not valid JSON") from None
            if not isinstance(record, dict):
                raise EvaluationError(f"{path}:{number}: not a JSON object")
            yield record


def _paragraphs(record: dict) -> list[str]:
    """The body paragraphs of a corpus record, split by the article parser when available."""
    text = str(record.get("text") or "")
    try:
        from .ingest.parsing import parse_text
    except ImportError:  # the parser is optional here: plain newline-separated paragraphs
        return [line.strip() for line in text.splitlines() if line.strip()]
    metadata = {k: v for k, v in record.items() if k != "text"}
    try:
        article = parse_text(text, metadata=metadata)
    except ArticleError:
        return []
    return [p.text for p in article.body]


def batch_search(corpus: Iterable[dict], queries: Iterable[dict], *, segmenter: Segmenter,
                 top: int = 10) -> Iterator[dict]:
    """Rank corpus records for every query: ``{"id", "ranking", "ms"}`` per query.

    Each corpus record's paragraphs are indexed with the record id as group; a record ranks by
    its best paragraph. ``ms`` covers the query's normalisation, segmentation and retrieval.
    """
    docs = []
    for number, record in enumerate(corpus):
        record_id = str(record.get("id", number))
        for position, text in enumerate(_paragraphs(record)):
            docs.append(IndexDoc(f"{record_id}#{position}", segmenter.tokens(text), "corpus", record_id))
    index = build_index(docs)
    for number, query in enumerate(queries):
        text = str(query.get("text") or query.get("question") or "")
        started = time.perf_counter()
        hits = index.search(segmenter.query_tokens(text), max(top, 1) * _PARAGRAPHS_PER_ARTICLE_WANTED)
        ranking: list[str] = []
        for hit in hits:
            if hit.group not in ranking:
                ranking.append(hit.group)
        elapsed = (time.perf_counter() - started) * 1000
        yield {"id": query.get("id", number), "ranking": ranking[:top], "ms": round(elapsed, 3)}


@dataclass
class EvalReport:
    files: list[str]
    contexts: int
    questions: int
    recall: dict[int, float]   # k → share of questions whose own context ranks within top k
    mrr_at_10: float
    mean_query_ms: float
    median_query_ms: float
    misses: list[tuple[str, int | None]] = field(default_factory=list)  # (question, rank)

    def lines(self) -> list[str]:
        return [
            "files: " + ", ".join(self.files),
            f"contexts: {self.contexts}  questions: {self.questions}",
            "  ".join(f"recall@{k}: {v:.4f}" for k, v in sorted(self.recall.items())),
            f"mrr@10: {self.mrr_at_10:.4f}",
            f"query time: mean {self.mean_query_ms:.2f} ms, median {self.median_query_ms:.2f} ms "
            "(normalisation + segmentation + retrieval)",
        ]


def _read_squad(path: Path) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        paragraphs = [p for article in data["data"] for p in article["paragraphs"]]
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    except (ValueError, KeyError, TypeError):
        raise EvaluationError(f"{path}: not a SQuAD-format JSON file "
                              "(data[].paragraphs[].context/qas)") from None
    return paragraphs


def evaluate_squad(paths: Sequence[Path], *, segmenter: Segmenter,
                   convert_contexts_to_simplified: bool = False,
                   recall_at: Sequence[int] = (1, 3, 5)) -> EvalReport:
    """Pool the contexts of all files into one index (each context one document), ask every
    question, and score whether its own context comes first / in the top k.

    ``convert_contexts_to_simplified`` converts contexts with OpenCC t2s before indexing (the
    questions are left as they are), which simulates a simplified corpus asked in traditional.
    """
    convert: Callable[[str], str] = lambda text: text
    if convert_contexts_to_simplified:
        import opencc

        convert = opencc.OpenCC("t2s.json").convert
    docs: list[IndexDoc] = []
    questions: list[tuple[str, str]] = []  # (question, doc id of its context)
    for file_number, path in enumerate(paths):
        for number, paragraph in enumerate(_read_squad(path)):
            doc_id = f"{file_number}:{number}"
            docs.append(IndexDoc(doc_id, segmenter.tokens(convert(str(paragraph.get("context", "")))),
                                 "squad", doc_id))
            for qa in paragraph.get("qas") or []:
                questions.append((str(qa.get("question", "")), doc_id))
    index = build_index(docs)
    depth = max([10, *recall_at])
    hits_at = {k: 0 for k in recall_at}
    reciprocal_ranks = 0.0
    times: list[float] = []
    misses: list[tuple[str, int | None]] = []
    for question, own in questions:
        started = time.perf_counter()
        hits = index.search(segmenter.query_tokens(question), depth)
        times.append((time.perf_counter() - started) * 1000)
        ranking = [hit.doc_id for hit in hits]
        rank = ranking.index(own) + 1 if own in ranking else None
        for k in recall_at:
            hits_at[k] += rank is not None and rank <= k
        if rank is not None and rank <= 10:
            reciprocal_ranks += 1 / rank
        if rank != 1:
            misses.append((question, rank))
    n = len(questions) or 1
    return EvalReport(
        files=[str(p) for p in paths], contexts=len(docs), questions=len(questions),
        recall={k: hits_at[k] / n for k in recall_at}, mrr_at_10=reciprocal_ranks / n,
        mean_query_ms=statistics.fmean(times) if times else 0.0,
        median_query_ms=statistics.median(times) if times else 0.0, misses=misses)
