"""Plain data records shared by every layer: articles, paragraphs, credits.

They carry no behaviour beyond (de)serialisation so the parser, the store, the index, the
answerer and the Telegram layer can all pass them around without importing each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ParagraphKind = Literal["paragraph", "heading"]

#: The scope of the bundled/shared corpus. A chat's own articles use ``chat:<chat_id>``.
SHARED_SCOPE = "shared"


def chat_scope(chat_id: int) -> str:
    """The scope name under which a chat's own articles are stored and indexed."""
    return f"chat:{chat_id}"


@dataclass(frozen=True)
class Paragraph:
    """One quotable unit of an article. ``id`` is ``<article id>#<position>``."""

    id: str
    text: str
    kind: ParagraphKind = "paragraph"

    @property
    def position(self) -> int:
        return int(self.id.rsplit("#", 1)[1])


def paragraph_id(article_id: str, position: int) -> str:
    return f"{article_id}#{position}"


MAX_ARTICLE_ID_LENGTH = 64


def article_id_problem(article_id: object) -> str | None:
    """Why a string cannot be an article id, or None when it can.

    Ids travel in paragraph ids (``id#n``), button data (``|``-separated, 64 bytes) and log
    lines, so they are short and free of separators, spaces and control characters.
    """
    if not isinstance(article_id, str) or not article_id:
        return "an article id must be a non-empty string"
    if len(article_id) > MAX_ARTICLE_ID_LENGTH:
        return f"an article id must be at most {MAX_ARTICLE_ID_LENGTH} characters"
    if any(ch in "#|" or ch.isspace() or not ch.isprintable() for ch in article_id):
        return "an article id may not contain spaces, control characters, '#' or '|'"
    return None


@dataclass(frozen=True)
class Contributor:
    """Someone credited beside the reporters: 实习生, 通讯员 …"""

    name: str
    role: str


@dataclass
class Article:
    """A parsed, cleaned article with its attribution.

    ``date`` is ISO 8601 without time zone (``2020-04-12T16:25:33`` or ``2020-04-12``), as
    printed in the article (local time, never converted), or None when unknown.
    ``date_text`` keeps the date as printed. When only month and day are printed and no
    evidence gives the year, ``date`` is ``--MM-DD`` (ISO 8601 without a year).
    """

    id: str
    title: str | None = None
    source: str | None = None
    reporters: list[str] = field(default_factory=list)
    contributors: list[Contributor] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    date: str | None = None
    date_text: str | None = None
    url: str | None = None
    section: str | None = None
    original_title: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    origin: str | None = None
    # field name (title, source, reporters, date) → the short snippet it was read from
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> list[Paragraph]:
        """The paragraphs that may be quoted as answers (headings excluded)."""
        return [p for p in self.paragraphs if p.kind == "paragraph"]

    def paragraph(self, pid: str) -> Paragraph | None:
        for p in self.paragraphs:
            if p.id == pid:
                return p
        return None

    def to_json(self) -> dict[str, Any]:
        """The ``parse --json`` shape (also what the store keeps)."""
        data = asdict(self)
        data["contributors"] = [asdict(c) for c in self.contributors]
        data["paragraphs"] = [asdict(p) for p in self.paragraphs]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["contributors"] = [Contributor(**c) for c in data.get("contributors") or []]
        kwargs["paragraphs"] = [Paragraph(**p) for p in data.get("paragraphs") or []]
        for key in ("reporters", "editors", "photographers"):
            kwargs[key] = list(data.get(key) or [])
        evidence = data.get("evidence")
        kwargs["evidence"] = (
            {str(k): str(v) for k, v in evidence.items()} if isinstance(evidence, dict) else {}
        )
        return cls(**kwargs)
