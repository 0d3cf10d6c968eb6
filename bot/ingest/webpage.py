"""An HTML news page → the article body as lines of text, plus what the page says about itself.

lxml's HTML parser repairs broken markup instead of failing, so a broken page still yields
text. The body is the ``<article>`` / ``itemprop=articleBody`` / content-looking container
when there is one, else the element holding the most paragraph text; page chrome (nav,
header, footer, aside, scripts, share widgets, related lists, comments) is removed first.
The few lines just above and below the body (a date/source block, a 责任编辑 line) are kept
apart in ``Page.above`` / ``Page.below``, for metadata only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from lxml import etree

#: An lxml element (lxml ships no type information).
Element = Any

_CHROME_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "button",
    "select",
    "svg",
    "template",
    "object",
    "embed",
)
# class/id words of page chrome. A class/id is chrome when its first or last word is one of
# these (`share-bar`, `main-nav`, `related`), so `article-content` or `shareholder` are not.
_CHROME_WORDS = frozenset(
    {
        "nav",
        "navbar",
        "menu",
        "breadcrumb",
        "breadcrumbs",
        "crumb",
        "crumbs",
        "share",
        "sharing",
        "social",
        "related",
        "recommend",
        "comment",
        "comments",
        "footer",
        "sidebar",
        "side",
        "advert",
        "ad",
        "ads",
        "banner",
        "toolbar",
        "hot",
        "rank",
        "ranking",
        "copyright",
        "subscribe",
        "login",
        "pagination",
        "pager",
        "tags",
        "widget",
        "topbar",
        "header",
    }
)
_WORD_SPLIT = re.compile(r"[-_]+")
_BODY_WORDS = re.compile(
    r"(?:^|[\s_-])(?:article|content|post|entry|main|text|body|detail)"
    r"(?:[\s_-]|$)",
    re.IGNORECASE,
)
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
    "figcaption",
    "figure",
    "br",
    "hr",
    "main",
}
_NEWLINES = re.compile(r"[ \t\r\f\v]*\n[\s]*")
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml\b[^>]*>")
_CLOSING_ROOT = re.compile(r"</\s*(?:html|body)\s*>", re.IGNORECASE)
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass
class Page:
    """The article's lines and the page metadata found in <head> and the chrome."""

    lines: list[str] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    source: str | None = None
    breadcrumb: str | None = None
    # The text lines just outside the body element: a header block above it (`<div
    # class="info">2022-07-01 09:00 来源：某某日报</div>`), credits below it. For metadata only.
    above: list[str] = field(default_factory=list)
    below: list[str] = field(default_factory=list)
    # What a reader sees of the whole page (menus included), for finding the headline and
    # the date/source line under it; the <title>, the <h1>s and other dates the page states.
    visible: list[str] = field(default_factory=list)
    document_title: str | None = None
    headings: list[str] = field(default_factory=list)
    other_dates: list[str] = field(default_factory=list)


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return (
        "<html" in head
        or "<!doctype html" in head
        or ("<body" in head)
        or ("<p>" in head and "</p>" in head)
        or "<article" in head
    )


def parse_page(markup: str) -> Page:
    """Article lines + page metadata. Never raises on broken markup (empty Page instead)."""
    # lxml refuses a str that opens with an XML declaration naming an encoding (XHTML pages
    # do): the text is already decoded, so the declaration says nothing any more.
    markup = _XML_DECLARATION.sub("", markup, count=1)
    # Control characters (and U+FFFE/U+FFFF) cannot live in an lxml tree: setting them as
    # text raises ValueError. They carry nothing a reader sees.
    markup = _XML_INCOMPATIBLE.sub(" ", markup)
    # A stray </html> or </body> from a server-side include in the middle of the page makes
    # libxml2 drop everything after it (the article, too); closing tags are implied anyway.
    markup = _CLOSING_ROOT.sub(" ", markup)
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return Page()
    page = Page()
    _read_metadata(root, page)
    page.visible = _visible_lines(root)
    for element in root.iter("nav", "ol", "ul", "div", "p"):
        if _has_chrome_word(element, ("breadcrumb", "crumb")):
            page.breadcrumb = _text_of(element).replace("\n", " ")
            break
    own = _own_header_and_footer(root)
    _drop_chrome(root)
    body = _pick_body(root)
    if body is None:
        return page
    page.lines = _lines_of(body)
    page.above, page.below = _context_lines(root, body)
    # An <article>'s own <header>/<footer> (title, date, source; credits) is chrome for the
    # body text but metadata for the article: read when it sat inside the chosen body.
    for anchor, tag, lines in own:
        if anchor is body or body in anchor.iterancestors():
            if tag == "header":
                page.above = (page.above + lines)[-_CONTEXT_ABOVE:]
            else:
                page.below = (lines + page.below)[:_CONTEXT_BELOW]
    return page


# readability-lxml scores every block of the page; on a huge page that takes seconds, and an
# article page is far smaller than this.
_READABILITY_MAX_CHARS = 2_000_000


def readable_lines(markup: str) -> list[str]:
    """The article body as readability-lxml finds it (used when the body element chosen here
    holds too little text: on the dev pages it keeps as many body paragraphs as the visible
    text from the header on, with a third of the junk lines). [] when it finds nothing."""
    if len(markup) > _READABILITY_MAX_CHARS:
        return []
    from readability import Document  # imported only for the pages that need it

    try:
        clean = _CLOSING_ROOT.sub(" ", _XML_INCOMPATIBLE.sub(" ", markup))
        summary = Document(clean).summary(html_partial=True)
    except Exception:  # noqa: BLE001 - a library failing on odd markup must not stop parsing
        return []
    return parse_page(f"<html><body>{summary}</body></html>").lines


def _own_header_and_footer(root: Element) -> list[tuple[Element, str, list[str]]]:
    """(parent, tag, lines) of the first few <header>/<footer> elements inside an <article>,
    read before the chrome (which they are) is dropped."""
    found: list[tuple[Element, str, list[str]]] = []
    for el in root.iter("header", "footer"):
        if len(found) >= 4:
            break
        parent = el.getparent()
        if parent is not None and any(a.tag == "article" for a in el.iterancestors()):
            found.append((parent, el.tag, _lines_of(el)[:_CONTEXT_ABOVE]))
    return found


_CONTEXT_ABOVE = 6  # lines above the body read for its date, source and credits
_CONTEXT_BELOW = 4  # lines below it read for credits (责任编辑 …)
_BODY_MARK = "\x00"  # cannot occur in the text: control characters were replaced above


def _context_lines(root: Element, body: Element) -> tuple[list[str], list[str]]:
    """The lines of the page nearest above and below the body element."""
    found = root.xpath("//body")
    page_body = found[0] if found else root
    if body is page_body or body is root:
        return [], []
    lines = _lines_of(page_body, placeholder=body)
    try:
        at = lines.index(_BODY_MARK)
    except ValueError:
        return [], []
    return lines[max(0, at - _CONTEXT_ABOVE) : at], lines[at + 1 : at + 1 + _CONTEXT_BELOW]


def _meta(root: Element, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = root.xpath(f'//meta[@{attr}="{name}"]/@content')
            if found and found[0].strip():
                return found[0].strip()
    return None


_JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')
# A publication time kept in a script variable as Unix seconds (a page that renders its date
# with JavaScript): `publish_time = "1581517074"`, `var ct = "1581517074"`.
_SCRIPT_EPOCH = re.compile(r'\b(?:publish_?time|pub_?time|ct)\s*=\s*"?(1[0-9]{9})"?')
_CHINA_UTC_OFFSET = 8 * 3600  # Chinese pages print Beijing time; an epoch is shown as such


def _read_metadata(root: Element, page: Page) -> None:
    title = _meta(root, "og:title", "twitter:title")
    page.headings = [" ".join(h.text_content().split()) for h in root.xpath("//h1")][:5]
    found = root.xpath("//title")
    page.document_title = " ".join(found[0].text_content().split()) if found else None
    if not title:
        title = page.headings[0] if page.headings else None
    if not title:
        title = page.document_title
    page.title = title or None
    page.author = _meta(root, "author", "article:author", "byline")
    page.published = (
        _meta(
            root,
            "article:published_time",
            "pubdate",
            "publishdate",
            "datePublished",
            "og:release_date",
            "publish_time",
        )
        or _itemprop_date(root)
        or _script_date(root)
    )
    for name in ("dateUpdate", "dateModified", "article:modified_time", "lastmod"):
        value = _meta(root, name)
        if value:
            page.other_dates.append(value)
    page.url = _meta(root, "og:url")
    if not page.url:
        canonical = root.xpath('//link[@rel="canonical"]/@href')
        page.url = canonical[0].strip() if canonical else None
    page.source = _meta(root, "source", "article:source", "og:site_name", "site_name")


def _itemprop_date(root: Any) -> str | None:
    """``<time itemprop="datePublished" datetime="…">`` or JSON-LD ``datePublished``."""
    for el in root.xpath('//*[@itemprop="datePublished"]'):
        value = el.get("datetime") or el.get("content") or el.text_content()
        if value and value.strip():
            return value.strip()
    for script in root.xpath('//script[@type="application/ld+json"]'):
        match = _JSON_LD_DATE.search(script.text or "")
        if match:
            return match.group(1)
    return None


def _script_date(root: Any) -> str | None:
    import datetime as dt

    for script in root.iter("script"):
        match = _SCRIPT_EPOCH.search(script.text or "")
        if match:
            moment = dt.datetime.fromtimestamp(int(match.group(1)) + _CHINA_UTC_OFFSET, dt.UTC)
            return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return None


_MORE_BLOCK_TAGS = frozenset(
    {"header", "footer", "nav", "aside", "form", "dl", "address", "center", "body"}
)
_INVISIBLE_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "iframe",
        "object",
        "video",
        "audio",
        "canvas",
        "select",
    }
)


def _visible_lines(root: Any) -> list[str]:
    """The page's text as a reader sees it (no CSS run): block elements on their own lines."""
    found = root.xpath("//body")
    top = found[0] if found else root
    parts: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is not None and tag not in _INVISIBLE_TAGS:
            block = tag in _BLOCK_TAGS or tag in _MORE_BLOCK_TAGS
            if block:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
            for child in el:
                walk(child)
                if child.tail:
                    parts.append(child.tail)
            if block:
                parts.append("\n")

    walk(top)
    text = _NEWLINES.sub("\n", "".join(parts))
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _has_chrome_word(element: Element, words: Any = None) -> bool:
    marker = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    if not marker.strip():
        return False
    if words is not None:
        return any(word in marker for word in words)
    for name in marker.split():
        parts = [p for p in _WORD_SPLIT.split(name) if p]
        if parts and (parts[0] in _CHROME_WORDS or parts[-1] in _CHROME_WORDS):
            return True
    return False


def _drop_chrome(root: Element) -> None:
    doomed = [el for el in root.iter(*_CHROME_TAGS)]
    doomed += [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and el.tag not in ("html", "body") and _has_chrome_word(el)
    ]
    doomed += [el for el in root.iter() if not isinstance(el.tag, str)]  # comments, PIs
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            # Keep the tail text: it belongs to the parent, not to the dropped element. An
            # empty <span> takes the element's place and carries its tail (appending each tail
            # to the previous sibling's grew one string per dropped element: quadratic, 40 s
            # for a page of 50,000 <script>s with text between them).
            stub = parent.makeelement("span", {})
            if el.tail and el.tail.strip():
                stub.tail = el.tail
            parent.replace(el, stub)


def _pick_body(root: Element) -> Element:
    for xpath in ('//*[@itemprop="articleBody"]', "//article"):
        found = root.xpath(xpath)
        if found:
            return max(found, key=lambda el: len(el.text_content()))
    # The element whose direct <p> children hold the most text.
    best, best_score = None, 0.0
    for el in root.iter("div", "section", "td", "main"):
        score = float(sum(len(p.text_content()) for p in el.iterchildren("p")))
        if _BODY_WORDS.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            score *= 1.5
        if score > best_score:
            best, best_score = el, score
    if best is not None:
        return best
    found = root.xpath("//body")
    return found[0] if found else root


def _lines_of(element: Element, *, placeholder: Element | None = None) -> list[str]:
    """Text with a line break at every block boundary, headings kept as their own lines.
    ``placeholder`` (an element inside) stands as one line ``_BODY_MARK`` instead of its text."""
    parts: list[str] = []

    def walk(el: Element) -> None:
        if el is placeholder:
            parts.append(f"\n{_BODY_MARK}\n")
            return
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text and tag not in ("script", "style"):
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(element)
    text = _NEWLINES.sub("\n", "".join(parts))
    return [line.strip() for line in text.split("\n") if line.strip()]


def _text_of(element: Element) -> str:
    return " ".join(_lines_of(element))
