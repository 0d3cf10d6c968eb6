"""Article files and records → ``Article``: formats, line cleaning, metadata, paragraphs.

Formats: plain text as scraped, HTML pages, Markdown/text with YAML front matter, JSON (one
object or a list) and JSONL records. Whatever the format, the text goes through the same line
pipeline (``lines.LineReader``): characters normalised, page junk and footers dropped, credits and
header lines turned into metadata, the rest kept as headings and quotable paragraphs.

Metadata precedence, most trusted first: values given by the record / front matter; ``来源：``
lines (and an HTML page's own ``source`` meta); datelines (``新华社北京4月12日电``); bylines.

Decisions worth knowing:
* front matter that is not a mapping (a list, a scalar) or not valid YAML → ParseError: a file
  that says it has metadata but whose metadata cannot be read is better refused than half-read;
* ``【声音】`` headings lose their brackets (``声音``);
* a dateline credit opening the first paragraph (``新华社北京4月12日电（记者 X）``) is removed
  from the paragraph with its dateline, like every other byline; so is a dateline without
  credit when it surely is one (``重庆晨报讯 ``, ``中新网4月12日电 ``, ``央视网消息（新闻联播）：``:
  the head names an outlet, or a space or punctuation follows) — ``据新华社…电，``, ``电视``,
  ``通讯员`` stay text; its outlet becomes the dateline source;
* label lines (``来源：重庆日报  作者：李四  2023-05-06``): each value ends at the next label or
  at the date; credit values must be names, or the line is text (``记者：你怎么看？``);
* an HTML page's lines just above/below the body element are read for metadata only;
* a given id must pass ``models.article_id_problem`` (else ParseError quoting it); a number
  (``"id": 42``) is read as its digits;
* article ids hash the body paragraphs (headings excluded) joined by newlines.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from ..errors import ParseError, UnreadableFile
from ..models import Article, Paragraph, ParagraphKind, article_id_problem, paragraph_id
from . import attribution as attr
from . import byline as bl
from .attribution import Facts
from .cleaning import (
    breadcrumb_section,
    collapse_spaces,
    ends_sentence,
    normalize_chars,
)
from .decoding import decode_bytes
from .lines import LineReader
from .names import split_names
from .pagehead import is_page_copy, locate_head, looks_like_chrome, page_owner
from .webpage import looks_like_html, parse_page, readable_lines

_TEXT_EXTENSIONS = {".txt", ".text"}
_HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
_MARKDOWN_EXTENSIONS = {".md", ".markdown"}

# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def parse_file(path: Path, *, max_bytes: int | None = None) -> list[Article]:
    """Read and parse one file (any supported format); one Article per record."""
    path = Path(path)
    origin = str(path)
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise UnreadableFile(f"too large: {size} bytes (limit {max_bytes})", origin=origin)
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile("no such file", origin=origin) from None
    except IsADirectoryError:
        raise UnreadableFile("is a directory, not a file", origin=origin) from None
    except PermissionError:
        raise UnreadableFile("permission denied", origin=origin) from None
    except OSError as exc:
        raise UnreadableFile(f"cannot be read ({exc.strerror or exc})", origin=origin) from None
    return parse_bytes(data, name=origin, max_bytes=max_bytes)


def parse_bytes(data: bytes, *, name: str, max_bytes: int | None = None) -> list[Article]:
    """Parse file content; ``name``'s extension picks the format, content sniffing otherwise."""
    if max_bytes is not None and len(data) > max_bytes:
        raise UnreadableFile(f"too large: {len(data)} bytes (limit {max_bytes})", origin=name)
    text = decode_bytes(data, origin=name)
    if not text.strip():
        raise ParseError("empty file: no article text", origin=name)
    suffix = Path(name).suffix.lower()
    if suffix == ".jsonl":
        return _parse_jsonl(text, name)
    if suffix == ".json":
        return _parse_json(text, name)
    if suffix in _HTML_EXTENSIONS:
        return [parse_text(text, origin=name, is_html=True)]
    if suffix in _TEXT_EXTENSIONS or suffix in _MARKDOWN_EXTENSIONS:
        return [parse_text(text, origin=name)]
    return _parse_sniffed(text, name)


def parse_text(
    text: str, *, metadata: Mapping | None = None, origin: str | None = None, is_html: bool = False
) -> Article:
    """One article from its text (plain, front-matter or HTML); given metadata wins."""
    given = validated_metadata(metadata or {}, origin)
    text = _without_lone_surrogates(text)
    if not is_html:
        front, text = _split_front_matter(text, origin)
        given = {**validated_metadata(front, origin), **given}
    facts = Facts()
    context: tuple[list[str], list[str]] = ([], [])
    if is_html:
        page = parse_page(text)
        lines = page.lines
        context = (page.above, page.below)
        visible = [normalize_chars(line).strip() for line in page.visible]
        shown = [line for line in visible if line]
        facts.head = locate_head(shown)
        facts.page_owner = page_owner(shown)
        facts.page_dates = list(page.other_dates)
        if _weak_body(lines):
            readable = readable_lines(text)
            if not _weak_body(readable):
                lines, context = readable, ([], [])
        if facts.head is not None and _weak_body(lines):
            # the body element holds no article (scripts render it, or it is split in
            # many blocks): read the visible page from the header on instead
            lines = shown[facts.head.body_start :]
            context = ([], [])
        facts.page_title = attr.page_title(page, facts.head, facts)
        facts.page_site_title = page.document_title
        facts.page_visible = "\n".join(visible)
        facts.page_source = page.source
        facts.page_author = page.author
        facts.page_date = page.published
        facts.page_url = page.url
        if page.breadcrumb:
            facts.section = breadcrumb_section(page.breadcrumb) or None
        evidence_text = " ".join(lines)
    else:
        lines = text.splitlines()
        evidence_text = text
        lines = _after_page_head(lines, facts)
    # A page's own title counts as known: its first body line is often the same headline.
    known_title = (
        given.get("title") or facts.page_title or (facts.head.title if facts.head else None)
    )
    reader = LineReader(facts, known_title=normalize_chars(known_title) if known_title else None)
    paragraphs = reader.read(lines)
    reader.read_context(*context)
    return _assemble(paragraphs, facts, given, origin, evidence_text)


_CHROME_LINES = 4  # menu lines among the first eight that make a text a copied page


def _weak_body(lines: list[str]) -> bool:
    """Too little sentence text in the chosen body element to be an article."""
    return sum(len(line) for line in lines if len(line) >= 40 or ends_sentence(line)) < 150


def _after_page_head(lines: list[str], facts: Facts) -> list[str]:
    """A whole page copied as text: the lines after its article header (menus above it
    dropped), the header read into ``facts.head``. Other texts are returned unchanged."""
    opening = [line.strip() for line in lines[:12] if line.strip()][:8]
    # menu words carry no punctuation; the short pieces of a crawled text do (`这是在，`)
    short = sum(1 for line in opening if looks_like_chrome(line))
    if len(opening) < 4 or ends_sentence(opening[0]) or short < _CHROME_LINES:
        return lines  # an article or a feed text opens with its headline or its lead, not
        # with the short lines of a page's menus
    cleaned = [normalize_chars(line).strip() for line in lines]
    cleaned = [line for line in cleaned if line]
    head = locate_head(cleaned)
    if head is None or not is_page_copy(cleaned, head):
        return lines
    facts.head = head
    facts.page_owner = page_owner(cleaned)
    return cleaned[head.body_start :]


# --------------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S
)


def _split_front_matter(text: str, origin: str | None) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    import yaml  # only front-matter files pay for the import

    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ParseError(
            f"front matter is not valid YAML ({exc.__class__.__name__})", origin=origin
        ) from None
    except RecursionError:  # [[[[…]]]] thousands deep
        raise ParseError("front matter is nested too deeply", origin=origin) from None
    except ValueError:  # an integer of more than 4300 digits
        raise ParseError("front matter holds a number too long to read", origin=origin) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParseError(
            f"front matter must be a mapping of metadata (title: …), got a {type(data).__name__}",
            origin=origin,
        )
    return {str(k): _yaml_scalar_as_text(v) for k, v in data.items()}, text[match.end() :]


def _yaml_scalar_as_text(value: Any, *, in_list: bool = False) -> Any:
    """YAML reads `date: 2020-04-12` as a date and `title: 2020` as a number; metadata is
    text, so scalars become their text form (lists item by item). Mappings stay, and are
    refused by the type check; so do lists inside lists, which are not walked: YAML aliases
    (`b: [*a, *a, …]`) let a 500-byte file name a list of 9⁸ items, and copying it took
    seconds and gigabytes."""
    if isinstance(value, list) and not in_list:
        return [_yaml_scalar_as_text(v, in_list=True) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _parse_json(text: str, name: str) -> list[Article]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"not valid JSON (line {exc.lineno}: {exc.msg})", origin=name) from None
    except RecursionError:  # [[[[…]]]] thousands deep
        raise ParseError("JSON nested too deeply", origin=name) from None
    except ValueError:  # an integer of more than 4300 digits (JSONDecodeError is caught above)
        raise ParseError("JSON holds a number too long to read", origin=name) from None
    records = data if isinstance(data, list) else [data]
    if not records:
        raise ParseError("empty JSON list: no article records", origin=name)
    return [
        _parse_record(record, f"{name}: record {index}") for index, record in enumerate(records, 1)
    ]


def _parse_jsonl(text: str, name: str) -> list[Article]:
    articles = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ParseError(f"line {number} is not valid JSON ({exc.msg})", origin=name) from None
        except RecursionError:  # [[[[…]]]] thousands deep
            raise ParseError(f"line {number}: JSON nested too deeply", origin=name) from None
        except ValueError:  # an integer of more than 4300 digits
            raise ParseError(
                f"line {number}: JSON holds a number too long to read", origin=name
            ) from None
        articles.append(_parse_record(record, f"{name}: line {number}"))
    if not articles:
        raise ParseError("no article records", origin=name)
    return articles


def _parse_sniffed(text: str, name: str) -> list[Article]:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{") or stripped.startswith("["):
        lines = [line for line in stripped.splitlines() if line.strip()]
        if len(lines) > 1 and all(
            line.lstrip().startswith("{") and line.rstrip().endswith("}") for line in lines
        ):
            return _parse_jsonl(text, name)
        return _parse_json(text, name)
    return [parse_text(text, origin=name, is_html=looks_like_html(stripped))]


_STRING_FIELDS = ("title", "source", "date", "date_iso", "url", "section", "original_title")
_LIST_FIELDS = ("reporters", "editors", "photographers")


def _parse_record(record: Any, where: str) -> Article:
    """A JSON record → Article; wrong types → ParseError naming the record."""
    if not isinstance(record, dict):
        raise ParseError(f"must be a JSON object, got {type(record).__name__}", origin=where)
    record_id = record.get("id")
    if (
        record_id is not None
        and not isinstance(record_id, bool)
        and isinstance(record_id, (str, int))
    ):
        shown = _given_id_text(record_id)
        # only a usable id names the record (an unusable one is quoted in the error instead)
        if shown and article_id_problem(shown) is None:
            where = f"{where} (id {shown})"
    text = record.get("text")
    if not isinstance(text, str):
        got = "nothing" if text is None else type(text).__name__
        raise ParseError(f"'text' must be a string, got {got}", origin=where)
    metadata = validated_metadata(record, where)
    try:
        return parse_text(text, metadata=metadata, origin=where, is_html=looks_like_html(text))
    except ParseError as exc:
        raise ParseError(str(exc).removeprefix(f"{where}: "), origin=where) from None


def _given_id_text(record_id: str | int) -> str | None:
    """A record's id as text: numbers (``"id": 42``) are read as their digits, which make a
    valid id; surrounding spaces are dropped. None for an int too long to print."""
    if isinstance(record_id, int):
        try:
            record_id = str(record_id)
        except ValueError:  # more than 4300 digits: Python refuses to print it
            return None
    return _without_lone_surrogates(record_id).strip()


def _shown_id(record_id: str) -> str:
    """An id quoted in a one-line error: escapes for line breaks and control characters,
    cut when long."""
    return repr(record_id if len(record_id) <= 40 else record_id[:40] + "…")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(text: str) -> str:
    """JSON can spell half an emoji (``"\\ud83d"``); such a code point is no character, and
    UTF-8 (the store, Telegram, hashing) cannot encode it: dropped."""
    return _LONE_SURROGATE.sub("", text) if _LONE_SURROGATE.search(text) else text


def validated_metadata(record: Mapping, where: str | None) -> dict[str, Any]:
    """The known metadata keys of a record / front matter / caller's mapping, type-checked:
    strings for id/title/source/date/url…, a list of strings (or one string listing names)
    for reporters/editors/photographers. Unknown keys are ignored; wrong types → ParseError."""
    metadata: dict[str, Any] = {}
    record_id = record.get("id")
    if record_id is not None:
        if isinstance(record_id, bool) or not isinstance(record_id, (str, int)):
            raise ParseError(f"'id' must be a string, got {type(record_id).__name__}", origin=where)
        record_id = _given_id_text(record_id)
        if record_id is None:
            raise ParseError("'id' is a number too long to be an article id", origin=where)
        if record_id:
            problem = article_id_problem(record_id)
            if problem:
                raise ParseError(
                    f"'id' {_shown_id(record_id)} cannot be used: {problem}", origin=where
                )
            metadata["id"] = record_id
    for key in _STRING_FIELDS:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise ParseError(f"'{key}' must be a string, got {type(value).__name__}", origin=where)
        if value is not None:
            value = _without_lone_surrogates(value)
        if value is not None and value.strip():
            metadata[key] = value
    for key in _LIST_FIELDS:
        value = record.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            value = [v for v in re.split(r"[、，,;；\s]+", value) if v]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ParseError(f"'{key}' must be a list of strings or a string", origin=where)
        value = [_without_lone_surrogates(v) for v in value]
        if value:
            metadata[key] = value
    return metadata


# --------------------------------------------------------------------------------------------
# Assembly: precedence, ids
# --------------------------------------------------------------------------------------------


def _assemble(
    paragraphs: list[tuple[str, str]],
    facts: Facts,
    given: dict,
    origin: str | None,
    evidence_text: str,
) -> Article:
    if not any(kind == "paragraph" for kind, _ in paragraphs):
        paragraphs = _fallback_paragraphs(paragraphs, facts, given)
    body = [text for kind, text in paragraphs if kind == "paragraph"]
    if not body:
        raise ParseError(
            "no article text left after cleaning (only navigation, captions or credits)",
            origin=origin,
        )
    article_id = given.get("id")
    if article_id is None:
        digest = hashlib.sha1("\n".join(body).encode("utf-8")).hexdigest()
        article_id = "a" + digest[:12]
    article_id = str(article_id)

    credits = facts.credits
    head = facts.head
    if head is not None and head.credits:
        # the header's byline comes first: it is the article's own credit line
        merged = bl.Credits()
        merged.merge(head.credits)
        merged.merge(credits)
        credits = facts.credits = merged
        if head.credit_evidence and head.credits.reporters:
            facts.evidence.setdefault("reporters", head.credit_evidence)
    if facts.page_author and not credits.reporters and attr.personal_author(facts):
        names = split_names(normalize_chars(facts.page_author))
        if names:
            credits.reporters.extend(names)
            facts.evidence.setdefault("reporters", f"page author: {facts.page_author}")

    title, title_evidence = attr.choose_title(given, facts)
    url = given.get("url") or facts.page_url
    source, source_evidence = attr.choose_source(given, facts)
    date_iso, date_text = attr.resolve_date(given, facts, evidence_text, url)
    evidence = attr.field_evidence(
        facts, given, title_evidence, source_evidence, bool(credits.reporters), date_text
    )

    reporters = _given_list(given, "reporters") or credits.reporters
    editors = _given_list(given, "editors") or credits.editors
    photographers = _given_list(given, "photographers") or credits.photographers

    return Article(
        id=article_id,
        title=collapse_spaces(normalize_chars(title)) if title else None,
        source=collapse_spaces(normalize_chars(source)) if source else None,
        reporters=list(reporters),
        contributors=list(credits.contributors),
        editors=list(editors),
        # One person may be credited both ways (记者 X … X 翻拍): kept in both lists, since each
        # credit was printed; a photographer is never *moved* to reporters.
        photographers=list(photographers),
        date=date_iso,
        date_text=date_text,
        url=url,
        section=given.get("section") or facts.section,
        original_title=given.get("original_title") or facts.original_title,
        paragraphs=[
            Paragraph(paragraph_id(article_id, position), text, cast(ParagraphKind, kind))
            for position, (kind, text) in enumerate(paragraphs)
        ],
        origin=origin,
        evidence=evidence,
    )


def _fallback_paragraphs(
    paragraphs: list[tuple[str, str]], facts: Facts, given: dict
) -> list[tuple[str, str]]:
    """A text that is only headings, or only its (original) title: short dispatches and
    stubs do exist (a headline-only flash). Quote what there is rather than lose the article."""
    if paragraphs:
        return [("paragraph", text) for _, text in paragraphs]
    title = facts.original_title or given.get("title") or facts.title
    # line breaks inside a given title (\r, \n, \t) are spaces in a one-line paragraph
    title = collapse_spaces(" ".join(normalize_chars(title).split())) if title else ""
    # a title of zero-width characters only is no paragraph
    return [("paragraph", title)] if title else []


def _given_list(given: dict, key: str) -> list[str]:
    value = given.get(key)
    if isinstance(value, str):
        value = [v for v in re.split(r"[、，,;；\s]+", value) if v]
    names = (normalize_chars(v).strip() for v in value or [] if isinstance(v, str))
    return [name for name in names if name]  # "\u200b" is no name
