"""Batch ranking and evaluation (the ``search``, ``eval`` and ``ask --questions`` commands).

All build an in-memory index with the default backend and the segmenter the bot uses
(paragraph tokens with the article's title, ``Segmenter.doc_tokens``); nothing here knows
how the index works inside. ``eval --relevance`` runs the bot's own ``Answerer``.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .answers.confidence import asked_type, evidence_terms, idf_of, rerank
from .errors import ArticleError, BotError
from .search.base import IndexDoc
from .search.bm25 import build_index
from .search.segment import Segmenter

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .answers.answerer import Answerer
    from .config import Config
    from .library import Library

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


def batch_search(
    corpus: Iterable[dict], queries: Iterable[dict], *, segmenter: Segmenter, top: int = 10
) -> Iterator[dict]:
    """Rank corpus records for every query: ``{"id", "ranking", "ms"}`` per query.

    Each corpus record's paragraphs are indexed with the record id as group; a record ranks by
    its best paragraph. ``ms`` covers the query's normalisation, segmentation and retrieval.
    """
    docs = []
    for number, record in enumerate(corpus):
        record_id = str(record.get("id", number))
        for position, text in enumerate(_paragraphs(record)):
            docs.append(
                IndexDoc(
                    f"{record_id}#{position}",
                    segmenter.doc_tokens(text, str(record.get("title") or "")),
                    "corpus",
                    record_id,
                )
            )
    index = build_index(docs)
    for number, query in enumerate(queries):
        text = str(query.get("text") or query.get("question") or "")
        started = time.perf_counter()
        hits = index.search(
            segmenter.query_tokens(text), max(top, 1) * _PARAGRAPHS_PER_ARTICLE_WANTED
        )
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
    recall: dict[int, float]  # k → share of questions whose own context ranks within top k
    mrr_at_10: float
    mean_query_ms: float
    median_query_ms: float
    misses: list[tuple[str, int | None]] = field(default_factory=list)  # (question, rank)
    same_story_at_1: float = 0.0  # first hit is the gold passage or near-identical to it

    def lines(self) -> list[str]:
        return [
            "files: " + ", ".join(self.files),
            f"contexts: {self.contexts}  questions: {self.questions}",
            "  ".join(f"recall@{k}: {v:.4f}" for k, v in sorted(self.recall.items())),
            f"recall@1 same story (near-identical passages count as one): "
            f"{self.same_story_at_1:.4f}",
            f"mrr@10: {self.mrr_at_10:.4f}",
            f"query time: mean {self.mean_query_ms:.2f} ms, median {self.median_query_ms:.2f} ms "
            "(normalisation + segmentation + retrieval)",
        ]


def _read_squad_titled(path: Path) -> list[tuple[str, dict]]:
    """(article title, paragraph) pairs of a SQuAD-format file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        return [
            (str(article.get("title") or ""), p)
            for article in data["data"]
            for p in article["paragraphs"]
        ]
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise EvaluationError(
            f"{path}: not a SQuAD-format JSON file (data[].paragraphs[].context/qas)"
        ) from None


def _read_squad(path: Path) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        paragraphs = [p for article in data["data"] for p in article["paragraphs"]]
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    except (ValueError, KeyError, TypeError):
        raise EvaluationError(
            f"{path}: not a SQuAD-format JSON file (data[].paragraphs[].context/qas)"
        ) from None
    return paragraphs


_PASSAGE_RE = re.compile(r"[^。！？!?；;…]*(?:[。！？!?；;…]+[”’」』）)]*|$)")


def chunk_passages(text: str, size: int) -> list[str]:
    """``text`` cut into passages of about ``size`` characters, at sentence ends: sentences
    are added until a passage holds ``size`` characters; a short tail (under a quarter of
    ``size``) joins the passage before it. The passages put together give ``text``."""
    sentences = [m.group(0) for m in _PASSAGE_RE.finditer(text) if m.group(0)]
    passages: list[str] = []
    current = ""
    for sentence in sentences:
        current += sentence
        if len(current) >= size:
            passages.append(current)
            current = ""
    if current:
        if passages and len(current) < size / 4:
            passages[-1] += current
        else:
            passages.append(current)
    return passages


def _answer_passage(context: str, starts: list[int], passages: list[str], qa: dict) -> int | None:
    """The passage holding the (first given) answer whole: of the answer text's occurrences,
    the one nearest ``answer_start``; None when no passage holds it whole."""
    answers = qa.get("answers") or []
    if not answers or not isinstance(answers[0], dict):
        return None
    answer = str(answers[0].get("text") or "")
    if not answer:
        return None
    given = answers[0].get("answer_start")
    given = given if isinstance(given, int) else 0
    found = [m.start() for m in re.finditer(re.escape(answer), context)]
    if not found:
        return None
    at = min(found, key=lambda position: abs(position - given))
    for number, (start, passage) in enumerate(zip(starts, passages, strict=True)):
        if start <= at and at + len(answer) <= start + len(passage):
            return number
    return None


def _same_story(a: str, b: str, threshold: float) -> bool:
    from .answers.excerpt import jaccard, shingles

    return jaccard(shingles(a, 3), shingles(b, 3)) >= threshold


def evaluate_squad(
    paths: Sequence[Path],
    *,
    segmenter: Segmenter,
    convert_contexts_to_simplified: bool = False,
    recall_at: Sequence[int] = (1, 3, 5),
    chunk: int | None = None,
    duplicate_similarity: float = 0.8,
) -> EvalReport:
    """Pool the contexts of all files into one index, ask every question, and score whether
    its own passage comes first / in the top k.

    Each context is one document, or with ``chunk`` is cut into ~``chunk``-character
    passages (``chunk_passages``) and the gold passage is the one holding the answer
    (questions whose answer no passage holds whole are left out). Identical passages (the
    same article twice in a file) are indexed once. Every passage carries its article's
    title (``data[].title``) as the bot's paragraphs do. ``recall@1 same story`` also counts
    a first hit near-identical to the gold (3-gram Jaccard ≥ ``duplicate_similarity``): the
    bot shows such paragraphs as one quote.

    ``convert_contexts_to_simplified`` converts contexts with OpenCC t2s before indexing (the
    questions are left as they are), which simulates a simplified corpus asked in traditional.
    """
    convert: Callable[[str], str] = str
    if convert_contexts_to_simplified:
        import opencc

        convert = opencc.OpenCC("t2s.json").convert
    docs: list[IndexDoc] = []
    texts: list[str] = []
    views: dict[str, str] = {}  # doc id → normalised text and title, for the re-ranking
    seen: dict[str, str] = {}
    questions: list[tuple[str, str]] = []  # (question, doc id of its passage)
    for file_number, path in enumerate(paths):
        for number, (title, paragraph) in enumerate(_read_squad_titled(path)):
            context = str(paragraph.get("context", ""))
            passages = chunk_passages(context, chunk) if chunk else [context]
            starts = [sum(map(len, passages[:i])) for i in range(len(passages))]
            title_tokens = segmenter.title_tokens(convert(title)) if title else []
            ids = []
            for part, passage in enumerate(passages):
                text = convert(passage)
                if text not in seen:
                    doc_id = f"{file_number}:{number}:{part}"
                    seen[text] = doc_id
                    docs.append(
                        IndexDoc(doc_id, segmenter.tokens(text) + title_tokens, "squad", doc_id)
                    )
                    texts.append(text)
                    views[doc_id] = (
                        segmenter.aligned(text) + "\n" + segmenter.aligned(convert(title))
                    )
                ids.append(seen[text])
            for qa in paragraph.get("qas") or []:
                gold = _answer_passage(context, starts, passages, qa) if chunk else 0
                if gold is not None:
                    questions.append((str(qa.get("question", "")), ids[gold]))
    text_of = {doc.doc_id: text for doc, text in zip(docs, texts, strict=True)}
    index = build_index(docs)
    weigh = idf_of(index)
    depth = max([10, *recall_at])
    hits_at = {k: 0 for k in recall_at}
    reciprocal_ranks = 0.0
    times: list[float] = []
    misses: list[tuple[str, int | None]] = []
    same_story = 0
    for question, own in questions:
        started = time.perf_counter()
        tokens = segmenter.query_tokens(question)
        words, bigrams = evidence_terms(segmenter, question, weigh)
        hits = rerank(
            index.search(tokens, depth),
            lambda hit: views[hit.doc_id],
            words,
            bigrams,
            asked_type(segmenter.normalize(question)),
        )
        times.append((time.perf_counter() - started) * 1000)
        ranking = [hit.doc_id for hit, _ in hits]
        rank = ranking.index(own) + 1 if own in ranking else None
        for k in recall_at:
            hits_at[k] += rank is not None and rank <= k
        same_story += (
            rank == 1
            or bool(ranking)
            and _same_story(text_of[ranking[0]], text_of[own], duplicate_similarity)
        )
        if rank is not None and rank <= 10:
            reciprocal_ranks += 1 / rank
        if rank != 1:
            misses.append((question, rank))
    n = len(questions) or 1
    return EvalReport(
        files=[str(p) for p in paths],
        contexts=len(docs),
        questions=len(questions),
        recall={k: hits_at[k] / n for k in recall_at},
        mrr_at_10=reciprocal_ranks / n,
        mean_query_ms=statistics.fmean(times) if times else 0.0,
        median_query_ms=statistics.median(times) if times else 0.0,
        misses=misses,
        same_story_at_1=same_story / n,
    )


# -- batch questions and the answer-or-silent evaluation -------------------------------------


def answer_batch(
    library: Library, path: Path, *, top: int | None = None, per_article: int | None = None
) -> Iterator[dict]:
    """``ask --questions``: one ``{"id", "question", "answers", …}`` (the ``ask --json``
    object plus the id) per ``{"id", "question"}`` line; a line without a question gets
    ``"error"`` instead of answers."""
    for number, record in enumerate(read_jsonl(path), 1):
        question = record.get("question")
        record_id = record.get("id", number)
        if not isinstance(question, str) or not question.strip():
            yield {
                "id": record_id,
                "question": question,
                "error": "the question is empty",
                "answers": [],
            }
            continue
        yield {"id": record_id, **library.ask(question, top=top, per_article=per_article).to_json()}


#: Thresholds of the calibration curve printed by ``eval --relevance``.
CURVE_THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass
class RelevanceReport:
    threshold: float
    # per question: (kind, status, confidence of the best answer or None, right article first)
    rows: list[tuple[str, str, float | None, bool]]
    articles: int
    mean_ms: float

    def _figures(self, threshold: float) -> dict[str, float]:
        answerable = [r for r in self.rows if r[0] == "answerable"]
        n = len(answerable) or 1
        shown = [r for r in answerable if r[2] is not None and r[2] >= threshold]
        right = sum(1 for r in shown if r[3])
        figures = {
            "right@1": right / n,
            "wrong": (len(shown) - right) / n,
            "silent": (len(answerable) - len(shown)) / n,
        }
        for kind in sorted({r[0] for r in self.rows} - {"answerable"}):
            rows = [r for r in self.rows if r[0] == kind]
            figures[kind] = sum(1 for r in rows if r[2] is not None and r[2] >= threshold) / (
                len(rows) or 1
            )
        return figures

    def lines(self) -> list[str]:
        kinds: dict[str, int] = {}
        for row in self.rows:
            kinds[row[0]] = kinds.get(row[0], 0) + 1
        chat = [r for r in self.rows if r[0] == "unanswerable-chat"]
        chat_answered = sum(1 for r in chat if r[2] is not None and r[2] >= self.threshold)
        lines = [
            f"articles: {self.articles}  questions: "
            + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
            f"threshold (retrieval.min_confidence): {self.threshold:.2f}",
        ]
        figures = self._figures(self.threshold)
        lines.append(
            "answerable: "
            + "  ".join(f"{k} {figures[k]:.3f}" for k in ("right@1", "wrong", "silent"))
        )
        lines.append(
            "answered share: "
            + "  ".join(f"{k} {v:.3f}" for k, v in figures.items() if k.startswith("unanswerable"))
        )
        if chat:
            lines.append(f"chit-chat answered: {chat_answered} of {len(chat)}")
        lines.append(f"mean time per question: {self.mean_ms:.2f} ms")
        lines.append(
            "curve: threshold | answerable right@1 / wrong / silent | "
            "unanswerable answered share per kind"
        )
        for threshold in CURVE_THRESHOLDS:
            f = self._figures(threshold)
            rest = "  ".join(
                f"{k.removeprefix('unanswerable-')} {v:.3f}"
                for k, v in f.items()
                if k.startswith("unanswerable")
            )
            lines.append(
                f"  {threshold:.1f} | {f['right@1']:.3f} / {f['wrong']:.3f} / "
                f"{f['silent']:.3f} | {rest}"
            )
        return lines


def relevance_answerer(corpus: Iterable[dict], config: Config, segmenter: Segmenter) -> Answerer:
    """An ``Answerer`` over corpus records ``{id, title, text}`` parsed as the bot parses
    articles, indexed as the library indexes them (in memory)."""
    from .answers.answerer import Answerer
    from .ingest.parsing import parse_text
    from .library import index_docs, with_article_id
    from .models import SHARED_SCOPE

    articles = {}
    docs: list[IndexDoc] = []
    for number, record in enumerate(corpus):
        record_id = str(record.get("id", number))
        metadata = {k: v for k, v in record.items() if k in ("title", "source", "url", "date")}
        try:
            article = parse_text(str(record.get("text") or ""), metadata=metadata)
        except ArticleError:
            continue
        article = with_article_id(article, record_id)
        articles[record_id] = article
        docs.extend(index_docs(article, SHARED_SCOPE, segmenter))
    return Answerer(build_index(docs), segmenter, articles, config.retrieval, config.answers)


def evaluate_relevance(directory: Path, *, config: Config, segmenter: Segmenter) -> RelevanceReport:
    """``eval --relevance``: every question of ``questions.jsonl`` asked of the articles of
    ``corpus.jsonl``; the best answer's confidence is kept whatever it is, so the curve
    shows what each threshold would give."""
    directory = Path(directory)
    answerer = relevance_answerer(read_jsonl(directory / "corpus.jsonl"), config, segmenter)
    rows: list[tuple[str, str, float | None, bool]] = []
    times: list[float] = []
    for record in read_jsonl(directory / "questions.jsonl"):
        question = str(record.get("question") or "")
        if not question.strip():
            continue
        started = time.perf_counter()
        result = answerer.ask(question, top=1, min_confidence=0.0)
        times.append((time.perf_counter() - started) * 1000)
        first = result.answers[0] if result.answers else None
        right = first is not None and (
            first.article.id == record.get("gold")
            or any(a.id == record.get("gold") for a in first.also_in)
        )
        rows.append(
            (
                str(record.get("kind") or "?"),
                result.status,
                None if first is None else first.confidence,
                right,
            )
        )
    return RelevanceReport(
        config.retrieval.min_confidence,
        rows,
        len(getattr(answerer.articles, "keys", lambda: [])()),
        statistics.fmean(times) if times else 0.0,
    )
