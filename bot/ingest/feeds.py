"""Feed documents → items: RSS 2.0, RSS 1.0 (RDF) and Atom via feedparser; OPML in and out.

Pure functions over bytes: nothing here fetches (feedparser is only ever given a byte stream,
never a URL or a path, so it cannot open either on its own). Each item gets a de-duplication
key: its guid, else its link, else a hash of its normalised title and text.
"""

from __future__ import annotations

import calendar
import email.utils
import hashlib
import html
import io
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import feedparser
from lxml import etree

from ..errors import FeedError

_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_NAME_SPLIT = re.compile(r"\s*[、,，;；/]\s*")
_EMAIL_NAME = re.compile(r"^\S+@\S+\s*\((.+)\)$")


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, as the feed gives it."""

    key: str
    title: str | None
    link: str | None
    authors: list[str] = field(default_factory=list)
    date_iso: str | None = None
    date_text: str | None = None
    content_html: str | None = None  # the full text, when the feed carries it
    summary_html: str | None = None

    @property
    def own_html(self) -> str | None:
        return self.content_html or self.summary_html

    @property
    def text_chars(self) -> int:
        """How much text the item itself carries (tags removed)."""
        return len(html_text(self.own_html or ""))


@dataclass(frozen=True)
class FeedDocument:
    title: str | None
    link: str | None
    items: list[FeedItem]


def html_text(fragment: str) -> str:
    return _SPACES.sub(" ", html.unescape(_TAGS.sub(" ", fragment))).strip()


def _normalised(text: str) -> str:
    return _SPACES.sub("", html_text(text)).lower()


def item_key(guid: str | None, link: str | None, title: str | None, text: str | None) -> str:
    """guid → link → hash of the normalised title and text."""
    if guid and guid.strip():
        return "guid:" + guid.strip()
    if link and link.strip():
        return "link:" + link.strip()
    digest = hashlib.sha1(f"{_normalised(title or '')}\n{_normalised(text or '')}".encode())
    return "hash:" + digest.hexdigest()


def _date(entry: Any) -> tuple[str | None, str | None]:
    """The item's date in its own time zone (as printed), ISO without zone, and as given."""
    for name in ("published", "updated", "created"):
        raw = entry.get(name)
        if not raw:
            continue
        parsed: datetime | None = None
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            try:
                parsed = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
            except ValueError:
                parsed = None
        if parsed is None:
            stamp = entry.get(f"{name}_parsed")
            if stamp:
                parsed = datetime.utcfromtimestamp(calendar.timegm(stamp))
        if parsed is not None:
            return parsed.replace(tzinfo=None).isoformat(timespec="seconds"), raw
        return None, raw
    return None, None


def _authors(entry: Any) -> list[str]:
    names: list[str] = []
    for author in entry.get("authors") or []:
        name = (author or {}).get("name") if isinstance(author, dict) else None
        if name:
            names.append(name)
    if not names and entry.get("author"):
        names.append(entry["author"])
    found: list[str] = []
    for name in names:
        match = _EMAIL_NAME.match(name.strip())
        name = match.group(1) if match else name
        if "@" in name:
            continue  # an address alone is no credit
        for part in _NAME_SPLIT.split(name.strip()):
            if part and part not in found:
                found.append(part)
    return found


def parse_feed(data: bytes, *, url: str, content_type: str | None = None) -> FeedDocument:
    """A feed's title, link and items; FeedError when the bytes are no RSS/Atom feed."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # No sanitising / URI rewriting inside the HTML: only its text is kept (our parser drops
    # scripts and markup), never shown as HTML; it halves feedparser's time.
    parsed = feedparser.parse(
        io.BytesIO(data), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    if not parsed.get("version") and not parsed.entries:
        raise FeedError(f"不是 RSS/Atom 订阅源：{url}")
    items: list[FeedItem] = []
    for entry in parsed.entries:
        content = entry.get("content") or []
        content_html = "".join(part.get("value", "") for part in content) or None
        summary = entry.get("summary") or None
        if content_html and summary and html_text(content_html) == html_text(summary):
            summary = None
        title = html_text(entry["title"]) if entry.get("title") else None
        link = entry.get("link") or None
        if link and not link.lower().startswith(("http://", "https://")):
            link = None  # javascript:, mailto:, a path feedparser could not resolve
        date_iso, date_text = _date(entry)
        key = item_key(entry.get("id") or entry.get("guid"), link, title, content_html or summary)
        items.append(
            FeedItem(
                key=key,
                title=title or None,
                link=link,
                authors=_authors(entry),
                date_iso=date_iso,
                date_text=date_text,
                content_html=content_html,
                summary_html=summary,
            )
        )
    feed = parsed.get("feed") or {}
    title = html_text(feed["title"]) if feed.get("title") else None
    return FeedDocument(title=title or None, link=feed.get("link") or None, items=items)


_ALTERNATE = re.compile(r"<link\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_FEED_LINK_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


def discover_feed_link(page: str) -> str | None:
    """The first ``<link rel="alternate" type="application/rss+xml" href=…>`` of a page."""
    for tag in _ALTERNATE.findall(page[:200_000]):
        attributes = {
            name.lower(): next(v for v in values if v) if any(values) else ""
            for name, *values in _ATTRIBUTE.findall(tag)
        }
        if (
            "alternate" in attributes.get("rel", "").lower().split()
            and attributes.get("type", "").lower() in _FEED_LINK_TYPES
            and attributes.get("href")
        ):
            return html.unescape(attributes["href"])
    return None


# -- OPML -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str | None = None


def parse_opml(data: bytes, *, origin: str = "OPML") -> list[OpmlFeed]:
    """The feeds an OPML document lists (every ``outline`` with an ``xmlUrl``), in order."""
    if re.search(rb"<!DOCTYPE|<!ENTITY", data[:4096], re.I):
        # OPML needs no DTD; entity definitions are how XML bombs expand.
        raise FeedError(f"{origin}: OPML 文件不能包含 DOCTYPE")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"{origin}: 不是有效的 OPML 文件（{exc.msg}）") from None
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise FeedError(f"{origin}: 不是 OPML 文件")
    found: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter("{*}outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in seen:
            seen.add(url)
            title = outline.get("title") or outline.get("text")
            found.append(OpmlFeed(url=url, title=title.strip() if title else None))
    return found


def write_opml(feeds: Iterable[OpmlFeed], *, title: str = "newsquote-bot feeds") -> bytes:
    """An OPML 2.0 document listing the feeds (what ``/feeds opml`` sends)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = email.utils.formatdate(time.time(), usegmt=True)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        ET.SubElement(
            body,
            "outline",
            type="rss",
            text=feed.title or feed.url,
            title=feed.title or feed.url,
            xmlUrl=feed.url,
        )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
