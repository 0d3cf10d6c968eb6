"""What the answerer returns: ``Answer`` (one quote or metadata fact) and ``AnswerSet`` (a
question's answers with its status), and the ``ArticleLookup`` it reads articles through."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ..models import Article
from .confidence import Evidence

Status = Literal["answered", "not_found", "chitchat", "other_language", "unclear_article"]
STATUSES: tuple[str, ...] = (
    "answered",
    "not_found",
    "chitchat",
    "other_language",
    "unclear_article",
)


def _article_ref(article: Article) -> dict[str, Any]:
    return {
        "article_id": article.id,
        "title": article.title,
        "source": article.source,
        "url": article.url,
    }


@dataclass(frozen=True)
class Answer:
    kind: Literal["quote", "metadata"]
    article: Article
    paragraph_id: str | None
    score: float
    excerpt: str  # plain text, article's own characters
    highlights: list[tuple[int, int]] = field(default_factory=list)  # offsets into excerpt
    paragraph: str | None = None  # the whole paragraph (quotes only)
    confidence: float = 1.0  # 0–1, see bot.answers.confidence
    also_in: list[Article] = field(default_factory=list)  # other articles carrying this text
    evidence: Evidence | None = None  # what the confidence was computed from (quotes)

    def to_json(self) -> dict[str, Any]:
        """The ``ask --json`` answer object (a stable contract for tests and benchmarks)."""
        a = self.article
        return {
            "kind": self.kind,
            "article_id": a.id,
            "paragraph_id": self.paragraph_id,
            "score": round(float(self.score), 6),
            "confidence": round(float(self.confidence), 4),
            "excerpt": self.excerpt,
            "highlights": [[int(s), int(e)] for s, e in self.highlights],
            "paragraph": self.paragraph,
            "title": a.title,
            "source": a.source,
            "reporters": list(a.reporters),
            "contributors": [{"name": c.name, "role": c.role} for c in a.contributors],
            "date": a.date,
            "url": a.url,
            "also_in": [_article_ref(other) for other in self.also_in],
            "evidence": self.evidence.to_json() if self.evidence is not None else None,
        }


@dataclass(frozen=True)
class AnswerSet:
    question: str
    answers: list[Answer] = field(default_factory=list)
    status: str = ""  # one of STATUSES; "" → answered / not_found by answers
    language: str = "zh-hans"  # the question's: zh-hans, zh-hant or en
    more: bool = False  # another confident answer exists beyond this page
    related: list[Article] = field(default_factory=list)  # closest articles (not_found only)
    within_article: str | None = None  # the article a follow-up was confined to

    def __post_init__(self) -> None:
        if not self.status:
            object.__setattr__(self, "status", "answered" if self.answers else "not_found")
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "status": self.status,
            "language": self.language,
            "more": self.more,
            "within_article": self.within_article,
            "answers": [a.to_json() for a in self.answers],
            "related": [_article_ref(a) for a in self.related],
        }

    def __bool__(self) -> bool:
        return bool(self.answers)

    def __len__(self) -> int:
        return len(self.answers)


class ArticleLookup(Protocol):
    def get(self, article_id: str) -> Article | None: ...
