"""An admin's correction of an article's attribution: validated values, applied to articles.

A correction names some of ``title``, ``source``, ``reporters`` and ``date``; an empty value
clears the field (``未注明`` beats a wrong credit). It is stored apart from the article (see
``Library.correct_article``) and applied again whenever the article is parsed anew.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import ArticleError
from ..models import Article
from .cleaning import collapse_spaces, normalize_chars

FIELDS = ("title", "source", "reporters", "date")
MAX_TEXT_CHARS = {"title": 200, "source": 60}
MAX_REPORTERS = 10
MAX_NAME_CHARS = 20
EVIDENCE = "corrected by an admin"
_DATE = re.compile(r"^(?:\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?)?|\d{4}-\d{2}|--\d{2}-\d{2})$")
_NAME_SPLIT = re.compile(r"[、，,;；/\s]+")


class CorrectionError(ArticleError):
    """A correction names an unknown field or a value that cannot be stored."""


def _text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CorrectionError(f"{name} must be text")
    text = collapse_spaces(" ".join(normalize_chars(value).split()))
    if not text:
        return None
    if len(text) > MAX_TEXT_CHARS[name]:
        raise CorrectionError(f"{name} is too long (at most {MAX_TEXT_CHARS[name]} characters)")
    if any(not ch.isprintable() for ch in text):
        raise CorrectionError(f"{name} may not contain control characters")
    return text


def _reporters(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = _NAME_SPLIT.split(value)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise CorrectionError("reporters must be names (a list, or text separated by 、)")
    names = [" ".join(normalize_chars(v).split()) for v in value]
    names = [n for n in names if n]
    if len(names) > MAX_REPORTERS:
        raise CorrectionError(f"at most {MAX_REPORTERS} reporters")
    for name in names:
        if len(name) > MAX_NAME_CHARS or any(not ch.isprintable() for ch in name):
            raise CorrectionError(f"not a name: {name[:MAX_NAME_CHARS]!r}")
    return list(dict.fromkeys(names))


def _date(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CorrectionError("date must be text such as 2020-04-12, 2020-04-12T16:25 or --04-12")
    text = normalize_chars(value).strip().replace(" ", "T", 1)
    if not text:
        return None
    if not _DATE.match(text) or not _valid_date(text):
        raise CorrectionError(
            f"not a date: {value[:30]!r} (use 2020-04-12, 2020-04-12T16:25 or --04-12)"
        )
    return text


def _valid_date(text: str) -> bool:
    import datetime as dt

    try:
        if text.startswith("--"):
            dt.date(2000, int(text[2:4]), int(text[5:7]))
        elif len(text) == 7:
            dt.date(int(text[:4]), int(text[5:7]), 1)
        else:
            dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def validated(fields: dict[str, Any]) -> dict[str, Any]:
    """The correction's values, cleaned; CorrectionError (one line) for anything else."""
    if not fields:
        raise CorrectionError(f"nothing to correct: name one of {', '.join(FIELDS)}")
    unknown = [name for name in fields if name not in FIELDS]
    if unknown:
        raise CorrectionError(f"cannot correct {unknown[0]!r}: only {', '.join(FIELDS)}")
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("title", "source"):
            clean[name] = _text(name, value)
        elif name == "reporters":
            clean[name] = _reporters(value)
        else:
            clean[name] = _date(value)
    return clean


def apply(article: Article, correction: dict[str, Any]) -> Article:
    """The article with the corrected fields (and their evidence) set, in place."""
    for name, value in correction.items():
        if name not in FIELDS:
            continue
        if name == "reporters":
            article.reporters = list(value or [])
        elif name == "date":
            article.date = value
            article.date_text = value
        else:
            setattr(article, name, value)
        article.evidence[name] = EVIDENCE
    return article


def meta_key(article_id: str) -> str:
    return f"correction:{article_id}"


def loads(text: str | None) -> dict[str, Any]:
    """A stored correction (an unreadable one counts as none: the article stays as parsed)."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return {k: v for k, v in data.items() if k in FIELDS} if isinstance(data, dict) else {}
