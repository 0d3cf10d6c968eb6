"""What an article's text and page say about it, and the precedence that turns those facts
into its title, outlet, date and each field's evidence (parsing collects, this decides)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import byline as bl
from .cleaning import normalize_chars
from .dates import FoundDate, complete_date, month_day_iso, parse_date_value
from .names import names_no_person
from .pagehead import PageHead


@dataclass
class Facts:
    """What the text and the page say about the article (before precedence is applied)."""

    title: str | None = None
    source_line: str | None = None  # 来源：/稿源： — wins over other guesses
    dateline_outlet: str | None = None
    byline_outlet: str | None = None
    credits: bl.Credits = field(default_factory=bl.Credits)
    header_date: FoundDate | None = None
    dateline_date: FoundDate | None = None
    section: str | None = None
    original_title: str | None = None
    page_title: str | None = None
    page_source: str | None = None
    page_author: str | None = None
    page_date: str | None = None
    page_url: str | None = None
    page_visible: str | None = None  # an HTML page's visible text, for checking its meta
    page_site_title: str | None = None  # the HTML <title> (it names the site)
    page_owner: tuple[str, str] | None = None  # (name, footer line) of a page copy's site
    credited_outlet: str | None = None  # `X 出品`, `X记者注意到`: the outlet at work
    photo_outlet: str | None = None  # `某社记者 甲某 摄`: the agency of a photo story
    head: PageHead | None = None  # a page copy's headline/date/source block
    evidence: dict[str, str] = field(default_factory=dict)  # fact name → the snippet read
    page_dates: list[str] = field(default_factory=list)  # other page dates: year evidence


LOCAL_OUTLETS = ("本报", "本刊", "本台", "本网")


def same_title(a: str, b: str) -> bool:
    a, b = "".join(a.split()), "".join(b.split())
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    return short in long and len(short) >= 0.4 * len(long)


_TITLE_SUFFIX = re.compile(r"\s*(?:[_|｜–—]|-{1,2}|\s-\s).*$")


def page_title(page: Any, head: PageHead | None, facts: Facts) -> str | None:
    """The headline of an HTML page: the printed headline when metadata agrees with it,
    else og:title, an <h1> that matches <title>, the printed headline, <title> minus its
    site suffix — never a site banner or a breadcrumb."""
    metadata = [t for t in (page.title, page.document_title, *page.headings) if t]
    if head is not None and any(same_title(head.title, t) for t in metadata):
        facts.evidence["page_title"] = f"headline above the date line: {head.title}"
        return head.title
    document = page.document_title or ""
    # og:title, when the page has one (else page.title is the first <h1> or the <title>)
    og_title = page.title if page.title not in (*page.headings, document) else None
    for heading in page.headings:
        if same_title(heading, document) or og_title and same_title(heading, og_title):
            facts.evidence["page_title"] = f"<h1> matching the page title: {heading}"
            return heading
    if og_title:
        facts.evidence["page_title"] = f"og:title: {og_title}"
        return og_title
    if head is not None:
        facts.evidence["page_title"] = f"headline above the date line: {head.title}"
        return head.title
    if document:
        stripped = _TITLE_SUFFIX.sub("", document).strip() or document
        facts.evidence["page_title"] = f"<title> without the site name: {document}"
        return stripped
    return page.title


def personal_author(facts: Facts) -> bool:
    """A page's ``author`` meta names a person, not the site (``<meta name=author>`` is
    often the site's or the outlet's name)."""
    author = normalize_chars(facts.page_author or "").strip()
    site_words = " ".join(
        v
        for v in (
            facts.page_source,
            facts.page_site_title,
            facts.head.source if facts.head else None,
        )
        if v
    )
    credited_otherwise = facts.credits.editors + facts.credits.photographers
    # shown to readers somewhere on the page: a meta tag alone names the uploader as often
    printed = facts.page_visible is None or author in facts.page_visible
    return (
        bool(author)
        and author not in site_words
        and not bl.looks_like_outlet(author)
        and not names_no_person(author)
        and author not in credited_otherwise
        and printed
    )


def choose_title(given: dict, facts: Facts) -> tuple[str | None, str | None]:
    """(title, where it was read). A record's title wins; then the text's own headline."""
    if given.get("title"):
        return given["title"], "given"
    head = facts.head
    if head is not None and facts.page_title is None:
        return head.title, f"headline above the date line: {head.title}"
    if facts.page_title:
        return facts.page_title, facts.evidence.get("page_title", "page metadata")
    if facts.title:
        return facts.title, f"headline: {facts.title}"
    return None, None


def choose_source(given: dict, facts: Facts) -> tuple[str | None, str | None]:
    """(outlet, where it was read): given > header slot > 来源 line > page meta > dateline >
    byline; ``本报`` means the page's own outlet, when the page names it."""
    if given.get("source"):
        return given["source"], "given"
    head = facts.head
    candidates: list[tuple[str | None, str | None]] = [
        (head.source if head else None, head.source_evidence if head else None),
        (facts.source_line, facts.evidence.get("source_line")),
        (
            normalize_chars(facts.page_source) if facts.page_source else None,
            f"page metadata: {facts.page_source}",
        ),
    ]
    page_named = next(((value, where) for value, where in candidates if value), (None, None))
    if page_named[0]:
        return page_named
    for value, key in (
        (facts.dateline_outlet, "dateline"),
        (facts.byline_outlet, "byline"),
        (facts.credited_outlet, "credited"),
        (facts.photo_outlet, "photo"),
    ):
        if value:
            if value in LOCAL_OUTLETS:
                break  # 本报: the page's own outlet, named only by its owner if at all
            return value, facts.evidence.get(key)
    if facts.page_owner:
        return facts.page_owner  # the site's own article: its owner in the footer
    return None, None


def field_evidence(
    facts: Facts,
    given: dict,
    title: str | None,
    source: str | None,
    has_reporters: bool,
    date_text: str | None,
) -> dict[str, str]:
    """Each field's short evidence (the snippet it was read from), for tracing and fixing."""
    evidence: dict[str, str] = {}
    for key, value in (("title", title), ("source", source)):
        if value:
            evidence[key] = _short(value)
    if given.get("reporters"):
        evidence["reporters"] = "given"
    elif has_reporters and facts.evidence.get("reporters"):
        evidence["reporters"] = _short(facts.evidence["reporters"])
    if given.get("date") or given.get("date_iso"):
        evidence["date"] = "given"
    elif date_text:
        evidence["date"] = _short(facts.evidence.get("date") or date_text)
    return evidence


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:79] + "…"


def resolve_date(
    given: dict, facts: Facts, evidence_text: str, url: str | None
) -> tuple[str | None, str | None]:
    """Given date > page meta date > header date > dateline; years inferred from evidence."""
    if given.get("date") or given.get("date_iso"):
        text = str(given.get("date") or given.get("date_iso"))
        iso = None
        if given.get("date_iso"):
            iso, _ = parse_date_value(str(given["date_iso"]))
        if iso is None:
            iso, _ = parse_date_value(text)
        return iso, text
    if facts.page_date:
        iso, text = parse_date_value(facts.page_date)
        if iso:
            facts.evidence.setdefault("date", f"page metadata: {facts.page_date}")
            return iso, text
    evidence = (evidence_text, url or "", *facts.page_dates)
    head_date = facts.head.date if facts.head else None
    if head_date is not None and facts.head is not None and facts.head.date_evidence:
        facts.evidence.setdefault("head_date", facts.head.date_evidence)
    for found, key in (
        (head_date, "head_date"),
        (facts.header_date, "header_date"),
        (facts.dateline_date, "dateline_date"),
    ):
        if found is not None:
            if key in facts.evidence:
                facts.evidence["date"] = facts.evidence[key]
            # a year only on evidence; else the month and day the text states (--MM-DD)
            return complete_date(found, evidence) or month_day_iso(found), found.text
    return None, None
