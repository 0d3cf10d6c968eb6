"""Article files and records → ``Article``: formats, line cleaning, metadata, paragraphs.

Formats: plain text as scraped, HTML pages, Markdown/text with YAML front matter, JSON (one
object or a list) and JSONL records. Whatever the format, the text goes through the same line
pipeline (``_LineReader``): characters normalised, page junk and footers dropped, credits and
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..errors import ParseError, UnreadableFile
from ..models import Article, Paragraph, article_id_problem, paragraph_id
from . import attribution as attr
from . import byline as bl
from .attribution import Facts
from .cleaning import (
    breadcrumb_section,
    collapse_spaces,
    ends_sentence,
    heading_text,
    is_disclaimer,
    is_heading,
    is_image_file_name,
    is_page_junk,
    is_photo_caption,
    join_broken_lines,
    normalize_chars,
    opens_article_list,
    original_title,
    remove_wrap_spaces,
    strip_leading_junk,
)
from .dates import FoundDate, find_date, month_day_date
from .decoding import decode_bytes
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


def parse_text(text: str, *, metadata: Mapping | None = None, origin: str | None = None,
               is_html: bool = False) -> Article:
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
        facts.head = locate_head([line for line in visible if line])
        facts.page_owner = page_owner([line for line in visible if line])
        facts.page_dates = list(page.other_dates)
        if _weak_body(lines):
            readable = readable_lines(text)
            if not _weak_body(readable):
                lines, context = readable, ([], [])
        if facts.head is not None and _weak_body(lines):
            # the body element holds no article (scripts render it, or it is split in
            # many blocks): read the visible page from the header on instead
            lines = [line for line in visible if line][facts.head.body_start:]
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
    known_title = given.get("title") or facts.page_title or (facts.head.title if facts.head
                                                             else None)
    reader = _LineReader(facts, known_title=normalize_chars(known_title) if known_title else None)
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
    return cleaned[head.body_start:]


# --------------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def _split_front_matter(text: str, origin: str | None) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    import yaml  # only front-matter files pay for the import

    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ParseError(f"front matter is not valid YAML ({exc.__class__.__name__})",
                         origin=origin) from None
    except RecursionError:  # [[[[…]]]] thousands deep
        raise ParseError("front matter is nested too deeply", origin=origin) from None
    except ValueError:  # an integer of more than 4300 digits
        raise ParseError("front matter holds a number too long to read", origin=origin) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParseError(f"front matter must be a mapping of metadata (title: …), "
                         f"got a {type(data).__name__}", origin=origin)
    return {str(k): _yaml_scalar_as_text(v) for k, v in data.items()}, text[match.end():]


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
    return [_parse_record(record, f"{name}: record {index}")
            for index, record in enumerate(records, 1)]


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
            raise ParseError(f"line {number}: JSON holds a number too long to read",
                             origin=name) from None
        articles.append(_parse_record(record, f"{name}: line {number}"))
    if not articles:
        raise ParseError("no article records", origin=name)
    return articles


def _parse_sniffed(text: str, name: str) -> list[Article]:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{") or stripped.startswith("["):
        lines = [line for line in stripped.splitlines() if line.strip()]
        if len(lines) > 1 and all(line.lstrip().startswith("{") and line.rstrip().endswith("}")
                                  for line in lines):
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
    if record_id is not None and not isinstance(record_id, bool) and isinstance(record_id, (str, int)):
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
                raise ParseError(f"'id' {_shown_id(record_id)} cannot be used: {problem}",
                                 origin=where)
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
# The line pipeline
# --------------------------------------------------------------------------------------------


_SOURCE_LINE = re.compile(r"^[【\[（(]?\s*(?:来源|稿源|文章来源|新闻来源|转载自|本文来源)\s*[：:]\s*(?P<value>.+?)"
                          r"\s*[】\]）)]?$")
_OTHER_LABEL = re.compile(r"(?:作者|编辑|责编|记者|通讯员)\s*[：:|｜丨]")
_HEADER_SOURCE = re.compile(r"(?:来源|稿源)\s*[：:]\s*(?P<value>[^\s|｜]+(?:\s+[^\s|｜：:]+)?)")
_HEADER_LABEL = re.compile(r"^(?:发布时间|发布日期|时间|日期|发表于|更新时间)?\s*[：:]?\s*$")
_SOURCE_NOT_OUTLET = {"网络", "网络图片", "网友", "网络综合", "综合", "互联网", "未知"}
_MAX_HEADER_LINES = 8      # the title/date/source block sits in the first lines
_MAX_LEAD_PARAGRAPHS = 2   # datelines open the first paragraph (sometimes after a subtitle)
_FOOTER_LINE_CHARS = 20    # navigation after the article end is short

# `来源：重庆日报  作者：李四  2023-05-06`, `发布时间：2023-05-06 10:00 来源：X 编辑：Y`: a line of
# label：value pairs (and a date). Each value ends at the next label or at the date.
_TIME_LABELS = "发布时间|发布日期|发表时间|更新时间|时间|日期|发表于"
_META_LABEL = re.compile(
    r"(?:(?:^|(?<=[\s|｜丨/,，;；】\]）)]))(?P<time>" + _TIME_LABELS + r")"
    r"|(?P<source>文章来源|新闻来源|本文来源|来源|稿源)"
    r"|(?P<credit>作者|责任编辑|编辑|责编|主编|记者|通讯员|实习生|摄影|校对|审核|监制|统筹))\s*[：:]\s*")
# A label this parser does not read (`浏览量：300`, `字号：`) ends a value too.
_OTHER_META_LABEL = re.compile(r"\s[^\s：:]{1,6}[：:]")
_META_SEPARATORS = " |｜丨/,，;；"
_META_WRAPPERS = re.compile(r"^[【\[（(](.+)[】\]）)]$")


@dataclass
class _LabelledLine:
    source: str | None
    credits: bl.Credits | None
    date: FoundDate | None


def _labelled_line(line: str) -> _LabelledLine | None:
    """A line made of label：value pairs and at most one date, else None. Every credit value
    must be names (``记者：你怎么看？`` is an interview, not a credit) and a time label must be
    followed by the date; unknown labels after a value (``浏览量：300``) are skipped."""
    if len(line) > 100 or ("：" not in line and ":" not in line):
        return None
    core = line.strip()
    wrapped = _META_WRAPPERS.match(core)
    if wrapped:
        core = wrapped.group(1).strip()
    labels = list(_META_LABEL.finditer(core))
    if not labels:
        return None
    found = find_date(core)
    date_start = core.find(found.text) if found else -1
    if date_start < 0:
        found, date_start, date_end = None, len(core) + 1, len(core) + 1
    else:
        date_end = date_start + len(found.text)
        labels = [m for m in labels if not date_start <= m.start() < date_end]
        if not labels:
            return None
    prefix = core[: labels[0].start()]
    if date_end <= labels[0].start():  # a leading date: `2023-05-06 来源：…`
        prefix = prefix[:date_start] + prefix[date_end:]
    if prefix.strip(_META_SEPARATORS):
        return None
    source, credit_parts = None, []
    for index, match in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(core)
        if match.end() <= date_start < end:
            after_date = core[date_end:end].strip(_META_SEPARATORS)
            if after_date and not _OTHER_META_LABEL.match(" " + after_date):
                return None  # text after the date that is no label: not a metadata line
            end = date_start
        value = core[match.end():end]
        other = _OTHER_META_LABEL.search(value)
        if other:
            value = value[: other.start()]
        value = value.strip(_META_SEPARATORS)
        if match.group("time"):
            if value or not (found and match.end() <= date_start <= match.end() + 1):
                return None  # 时间：上午十点 — an event's time, not the article's
        elif match.group("source"):
            source = source or _outlet_value(value)
        elif value:
            credit_parts.append(f"{match.group('credit')}：{value}")
    credits = bl.parse_byline_line(" ".join(credit_parts)) if credit_parts else None
    if credit_parts and credits is None:
        return None
    if not (source or credits or found):
        return None
    return _LabelledLine(source, credits, found)


class _LineReader:
    """Walks the lines once, top to bottom, collecting paragraphs and facts."""

    def __init__(self, facts: Facts, *, known_title: str | None):
        self.facts = facts
        self.known_title = collapse_spaces(known_title) if known_title else None
        self.paragraphs: list[tuple[str, str]] = []   # (kind, text)
        self.body_count = 0
        self.cut_dateline = False  # set by _lead when it cut a dateline without credit
        self.sign_offs: list[tuple[int, bl.Credits, str]] = []  # (paragraph, credit, line)

    def read(self, raw_lines: list[str]) -> list[tuple[str, str]]:
        lines = [normalize_chars(line).strip() for line in raw_lines]
        lines = join_broken_lines([line for line in lines if line], keep_apart=_is_credit_line)
        quiet_after = _quiet_tail_starts(lines)
        footer = False
        state = self._state()
        for index, line in enumerate(lines):
            footer = self._read_line(line, index, footer, quiet_after)
            state = self._note_evidence(state, line)
        while self.paragraphs and self.paragraphs[-1][0] == "heading":
            self.paragraphs.pop()  # a heading with nothing under it is navigation
        for position, credits, line in self.sign_offs:
            after_quote = line[: line.rfind("（") if "（" in line else line.rfind("(")] \
                .rstrip().endswith("”")
            if not after_quote or position >= self.body_count // 2:
                if credits.reporters and not self.facts.credits.reporters:
                    self.facts.evidence.setdefault("reporters", line)
                self.facts.credits.merge(credits)
        return self.paragraphs

    def _read_line(self, line: str, index: int, footer: bool, quiet_after: int) -> bool:
        """Read one line; returns whether the article's footer has been reached."""
        if footer:
            self._footer_line(line)
            return True
        if index < _MAX_HEADER_LINES and self._header_line(line, index):
            return False
        if is_disclaimer(line) or opens_article_list(line):
            return True
        credit = self._credit_line(line)
        if credit:
            # A byline after the body, followed only by short lines: the article has ended.
            return credit == "byline" and self.body_count > 0 and index + 1 >= quiet_after
        self._content_line(line)
        return False

    def _state(self) -> tuple[object, ...]:
        facts = self.facts
        return (facts.source_line, facts.header_date, facts.dateline_outlet,
                facts.dateline_date, facts.byline_outlet, len(facts.credits.reporters))

    def _note_evidence(self, before: tuple[object, ...], line: str) -> tuple[object, ...]:
        """Remember the line each fact was first read from (``parse --json`` shows it);
        returns the state after the line (the next line's state before)."""
        after = self._state()
        if after == before:
            return after
        keys = ("source_line", "header_date", "dateline", "dateline_date", "byline",
                "reporters")
        for key, old, new in zip(keys, before, after, strict=True):
            if old != new and key not in self.facts.evidence:
                self.facts.evidence[key] = line
        return after

    # -- lines that are metadata -------------------------------------------------------------

    def _header_line(self, line: str, index: int) -> bool:
        facts = self.facts
        section = breadcrumb_section(line)
        if section is not None:
            facts.section = facts.section or section or None
            return True
        labelled = _labelled_line(line)
        if labelled is not None and (labelled.date or labelled.source):
            # credit-only lines go on to _credit_line (a byline there may end the article)
            self._labelled(labelled)
            return True
        if self._dated_line(line):
            return True
        if not self.paragraphs and facts.title is None and self.known_title is None \
                and _looks_like_title(line):
            facts.title = collapse_spaces(line)
            return True
        if self.known_title and not self.paragraphs and \
                collapse_spaces(line).replace(" ", "") == self.known_title.replace(" ", ""):
            return True  # the record's title repeated as the first line
        return False

    def _dated_line(self, line: str) -> bool:
        """``2020-04-12 16:25 来源：X``, ``发布时间：…``: a header line led by the date."""
        facts = self.facts
        found = find_date(line)
        if found and facts.header_date is None and len(line) <= 80 and not ends_sentence(line) \
                and line.find(found.text) <= 12:
            before = line[: line.find(found.text)]
            if _HEADER_LABEL.match(before):
                facts.header_date = found
                source = _HEADER_SOURCE.search(line)
                if source:
                    facts.source_line = facts.source_line or _outlet_value(source.group("value"))
                rest = line.replace(found.text, " ")
                if source:
                    rest = rest.replace(source.group(), " ")
                credits = bl.parse_byline_line(collapse_spaces(rest)) if rest.strip() else None
                if credits:
                    facts.credits.merge(credits)
                return True
        return False

    def read_context(self, above: list[str], below: list[str]) -> None:
        """A page's lines just above and below its body element (``<div class="info">``
        with date and source, a 责任编辑 line under the text): read for metadata only, never
        for paragraphs, after the body — what the body itself says wins."""
        for raw in above:
            line = normalize_chars(raw).strip()
            if not line or len(line) > 100:
                continue
            state = self._state()
            labelled = _labelled_line(line)
            if labelled is not None:
                self._labelled(labelled)
            elif not self._dated_line(line):
                self._footer_line(line)
            self._note_evidence(state, line)
        for raw in below:
            line = normalize_chars(raw).strip()
            if line and len(line) <= 100:
                state = self._state()
                self._footer_line(line)
                self._note_evidence(state, line)

    def _credit_line(self, line: str) -> str | None:
        """'byline', 'metadata' (原标题, 来源) or None when the line is no credit."""
        facts = self.facts
        title = original_title(line)
        if title:
            facts.original_title = facts.original_title or title
            return "metadata"
        labelled = _labelled_line(line)
        if labelled is not None and (labelled.source or labelled.credits):
            self._labelled(labelled)
            return "metadata" if labelled.source else "byline"
        source = _SOURCE_LINE.match(line)
        if source and _OTHER_LABEL.search(source.group("value")):
            # 来源：澎湃新闻 作者：X — several credits on one line: read them all.
            credits = bl.parse_byline_line(line)
            if credits is not None:
                facts.source_line = facts.source_line or _outlet_value(credits.outlet or "")
                facts.credits.merge(credits)
                return "metadata"
        if source:
            value = _outlet_value(source.group("value"))
            if value:
                facts.source_line = facts.source_line or value
            return "metadata"
        credits = bl.parse_byline_line(line)
        if credits:
            facts.credits.merge(credits)
            if credits.outlet and (credits.reporters or credits.contributors):
                facts.byline_outlet = facts.byline_outlet or credits.outlet
            return "byline"
        return None

    def _footer_line(self, line: str) -> None:
        # Credits still count after the end (责任编辑 lines sit below disclaimers).
        labelled = _labelled_line(line)
        if labelled is not None and (labelled.source or labelled.credits):
            self._labelled(labelled)
            return
        if original_title(line) or _SOURCE_LINE.match(line):
            self._credit_line(line)
            return
        credits = bl.parse_byline_line(line)
        if credits:
            self.facts.credits.merge(credits)

    def _labelled(self, labelled: _LabelledLine) -> None:
        facts = self.facts
        if labelled.source:
            facts.source_line = facts.source_line or labelled.source
        if labelled.credits:
            facts.credits.merge(labelled.credits)
        if labelled.date and facts.header_date is None:
            facts.header_date = labelled.date

    # -- lines that are content ---------------------------------------------------------------

    def _content_line(self, line: str) -> None:
        line = self._take_appended_byline(line)
        if self.facts.credited_outlet is None and (outlet := bl.outlet_credited(line)):
            self.facts.credited_outlet = outlet
            self.facts.evidence.setdefault("credited", line)
        if is_page_junk(line) or is_image_file_name(line):
            return
        photo = bl.photo_credit(line)
        agency = photo.outlet if photo else None
        agency = agency or (bl.released_photo_outlet(line) if photo else None)
        if agency and bl.looks_like_outlet(agency) and self.facts.photo_outlet is None:
            self.facts.photo_outlet = agency
            self.facts.evidence.setdefault("photo", line)
        if photo:
            self.facts.credits.photographers.extend(
                n for n in photo.photographers if n not in self.facts.credits.photographers)
            return
        if is_photo_caption(line):
            return
        line = strip_leading_junk(line)
        if not line:
            return
        # A paragraph that opened with a dateline stays a paragraph once the dateline is cut
        # (`新华社太原11月26日电因为成绩不理想，小华被一所` is no heading without it).
        opened_as_paragraph = False
        if self.body_count < _MAX_LEAD_PARAGRAPHS:
            uncut = line
            self.cut_dateline = False
            line = self._lead(line)
            if not line:
                return
            opened_as_paragraph = self.cut_dateline and not is_heading(uncut)
        trailing = bl.parse_trailing_credit(line)
        if trailing and bl.is_sign_off(line):
            # a bare （甲某） after a sentence signs a news item; after a closing quote in the
            # text's first half it more likely names the speaker (decided at the end)
            self.sign_offs.append((self.body_count, trailing[0], line))
            line = trailing[1]
        elif trailing:
            self.facts.credits.merge(trailing[0])
            line = trailing[1]
            if not line:
                return
        if is_heading(line) and not opened_as_paragraph:
            self.paragraphs.append(("heading", heading_text(line)))
        else:
            self.paragraphs.append(("paragraph", collapse_spaces(remove_wrap_spaces(line))))
            self.body_count += 1

    def _take_appended_byline(self, line: str) -> str:
        """``本文由封面新闻原创，未经授权不得转载。封面新闻记者 徐语杨``: a byline glued after
        the last sentence is taken as a byline; the sentences before it stay."""
        cut = line.rfind("。")
        if cut <= 0 or cut == len(line) - 1 or len(line) - cut > 40:
            return line
        credits = bl.parse_byline_line(line[cut + 1:].strip())
        if credits and credits.photographers and credits.outlet and \
                bl.looks_like_outlet(credits.outlet):
            self.facts.photo_outlet = self.facts.photo_outlet or credits.outlet
            self.facts.evidence.setdefault("photo", line)
        if not credits or not (credits.reporters or credits.contributors or credits.editors):
            return line
        self.facts.credits.merge(credits)
        if credits.outlet and credits.reporters:
            self.facts.byline_outlet = self.facts.byline_outlet or credits.outlet
        return line[: cut + 1]

    def _lead(self, line: str, *, again: bool = True) -> str:
        lead = bl.parse_lead(line)
        if lead is None:
            return line
        facts = self.facts
        surely_dateline = lead.without_dateline is not None
        if lead.outlet and not facts.dateline_outlet and (lead.credits or lead.month_day
                                                          or surely_dateline):
            facts.dateline_outlet = lead.outlet
        if lead.month_day and facts.dateline_date is None:
            facts.dateline_date = month_day_date(lead.month_day)
        elif facts.dateline_date is None and surely_dateline and lead.without_dateline:
            # 某网讯2009年8月8日下午，…: the date opens the text right after the dateline
            found = find_date(lead.without_dateline[:24])
            if found is not None and lead.without_dateline.lstrip().startswith(found.text):
                facts.dateline_date = found
        if lead.credits:
            facts.credits.merge(lead.credits)
            return strip_leading_junk(lead.rest.strip()) if lead.rest.strip() else ""
        if surely_dateline:  # 重庆晨报讯 昨日，… → 昨日，…
            self.cut_dateline = True
            rest = lead.without_dateline.strip()
            rest = strip_leading_junk(rest) if rest else ""
            # a credit may follow (本报讯 记者X报道：…): read once more, not again and again
            return self._lead(rest, again=False) if rest and again else rest
        return line


def _is_credit_line(line: str) -> bool:
    if _SOURCE_LINE.match(line) or original_title(line) or bl.parse_byline_line(line) is not None:
        return True
    labelled = _labelled_line(line)
    return labelled is not None and bool(labelled.source or labelled.credits)


def _looks_like_title(line: str) -> bool:
    """A short first line that is no credit and no lead (``【某网报道 记者 甲某】据…`` or
    ``某社某地11月27日电(记者甲某)…`` open a feed text that has no title)."""
    if len(line) > 80 or ends_sentence(line) or "。" in line or is_page_junk(line) \
            or _is_credit_line(line):
        return False
    lead = bl.parse_lead(line)
    return lead is None or not (lead.credits or lead.month_day or lead.without_dateline)


# Page widgets printed after the name in a 来源 slot: `来源：某社 【字号 大 中 小】 打印 关闭`.
_WIDGETS_AFTER = re.compile(r"\s*[【\[]|\s+(?:字号|打印|关闭|分享|举报|收藏|评论|阅读|浏览|点击)")


def _outlet_value(value: str) -> str | None:
    widgets = _WIDGETS_AFTER.search(value)
    if widgets and widgets.start() > 0:
        value = value[: widgets.start()]  # the name ends where the page's widgets start
    value = value.strip(" 　【】[]（）()。")
    return None if not value or value in _SOURCE_NOT_OUTLET else value


def _quiet_tail_starts(lines: list[str]) -> int:
    """Index from which every line is short and sentence-less (navigation after the end)."""
    start = len(lines)
    while start > 0:
        line = lines[start - 1]
        if len(line) <= _FOOTER_LINE_CHARS and not ends_sentence(line) or is_page_junk(line):
            start -= 1
        else:
            break
    return start


# --------------------------------------------------------------------------------------------
# Assembly: precedence, ids
# --------------------------------------------------------------------------------------------

def _assemble(paragraphs: list[tuple[str, str]], facts: Facts, given: dict, origin: str | None,
              evidence_text: str) -> Article:
    if not any(kind == "paragraph" for kind, _ in paragraphs):
        paragraphs = _fallback_paragraphs(paragraphs, facts, given)
    body = [text for kind, text in paragraphs if kind == "paragraph"]
    if not body:
        raise ParseError("no article text left after cleaning (only navigation, captions or "
                         "credits)", origin=origin)
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
        names = bl.split_names(normalize_chars(facts.page_author))
        if names:
            credits.reporters.extend(names)
            facts.evidence.setdefault("reporters", f"page author: {facts.page_author}")

    title, title_evidence = attr.choose_title(given, facts)
    url = given.get("url") or facts.page_url
    source, source_evidence = attr.choose_source(given, facts)
    date_iso, date_text = attr.resolve_date(given, facts, evidence_text, url)
    evidence = attr.field_evidence(facts, given, title_evidence, source_evidence,
                               bool(credits.reporters), date_text)

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
        paragraphs=[Paragraph(paragraph_id(article_id, position), text, kind)
                    for position, (kind, text) in enumerate(paragraphs)],
        origin=origin,
        evidence=evidence,
    )


def _fallback_paragraphs(paragraphs: list[tuple[str, str]], facts: Facts,
                         given: dict) -> list[tuple[str, str]]:
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
