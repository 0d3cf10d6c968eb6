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

import lxml.html
from lxml import etree

_CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                "iframe", "button", "select", "svg", "template", "object", "embed")
# class/id words of page chrome. A class/id is chrome when its first or last word is one of
# these (`share-bar`, `main-nav`, `related`), so `article-content` or `shareholder` are not.
_CHROME_WORDS = frozenset({
    "nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "crumb", "crumbs", "share", "sharing",
    "social", "related", "recommend", "comment", "comments", "footer", "sidebar", "side",
    "advert", "ad", "ads", "banner", "toolbar", "hot", "rank", "ranking", "copyright",
    "subscribe", "login", "pagination", "pager", "tags", "widget", "topbar", "header"})
_WORD_SPLIT = re.compile(r"[-_]+")
_BODY_WORDS = re.compile(r"(?:^|[\s_-])(?:article|content|post|entry|main|text|body|detail)"
                         r"(?:[\s_-]|$)", re.IGNORECASE)
_BLOCK_TAGS = {"p", "div", "section", "article", "li", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "pre", "tr", "table", "ul", "ol", "dd", "dt", "figcaption",
               "figure", "br", "hr", "main"}
_NEWLINES = re.compile(r"[ \t\r\f\v]*\n[\s]*")
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml\b[^>]*>")
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


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or ("<body" in head) or (
        "<p>" in head and "</p>" in head) or "<article" in head


def parse_page(markup: str) -> Page:
    """Article lines + page metadata. Never raises on broken markup (empty Page instead)."""
    # lxml refuses a str that opens with an XML declaration naming an encoding (XHTML pages
    # do): the text is already decoded, so the declaration says nothing any more.
    markup = _XML_DECLARATION.sub("", markup, count=1)
    # Control characters (and U+FFFE/U+FFFF) cannot live in an lxml tree: setting them as
    # text raises ValueError. They carry nothing a reader sees.
    markup = _XML_INCOMPATIBLE.sub(" ", markup)
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return Page()
    page = Page()
    _read_metadata(root, page)
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


def _own_header_and_footer(root) -> list[tuple[object, str, list[str]]]:
    """(parent, tag, lines) of the first few <header>/<footer> elements inside an <article>,
    read before the chrome (which they are) is dropped."""
    found = []
    for el in root.iter("header", "footer"):
        if len(found) >= 4:
            break
        parent = el.getparent()
        if parent is not None and any(a.tag == "article" for a in el.iterancestors()):
            found.append((parent, el.tag, _lines_of(el)[:_CONTEXT_ABOVE]))
    return found


_CONTEXT_ABOVE = 6   # lines above the body read for its date, source and credits
_CONTEXT_BELOW = 4   # lines below it read for credits (责任编辑 …)
_BODY_MARK = "\x00"  # cannot occur in the text: control characters were replaced above


def _context_lines(root, body) -> tuple[list[str], list[str]]:
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
    return lines[max(0, at - _CONTEXT_ABOVE): at], lines[at + 1: at + 1 + _CONTEXT_BELOW]


def _meta(root, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = root.xpath(f'//meta[@{attr}="{name}"]/@content')
            if found and found[0].strip():
                return found[0].strip()
    return None


def _read_metadata(root, page: Page) -> None:
    title = _meta(root, "og:title", "twitter:title")
    if not title:
        found = root.xpath("//h1")
        title = found[0].text_content().strip() if found else None
    if not title:
        found = root.xpath("//title")
        title = found[0].text_content().strip() if found else None
    page.title = title or None
    page.author = _meta(root, "author", "article:author", "byline")
    page.published = _meta(root, "article:published_time", "pubdate", "publishdate",
                            "datePublished", "og:release_date", "publish_time")
    page.url = _meta(root, "og:url")
    if not page.url:
        canonical = root.xpath('//link[@rel="canonical"]/@href')
        page.url = canonical[0].strip() if canonical else None
    page.source = _meta(root, "source", "article:source", "og:site_name", "site_name")


def _has_chrome_word(element, words=None) -> bool:
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


def _drop_chrome(root) -> None:
    doomed = [el for el in root.iter(*_CHROME_TAGS)]
    doomed += [el for el in root.iter() if isinstance(el.tag, str) and el.tag not in ("html", "body")
               and _has_chrome_word(el)]
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


def _pick_body(root):
    for xpath in ('//*[@itemprop="articleBody"]', "//article"):
        found = root.xpath(xpath)
        if found:
            return max(found, key=lambda el: len(el.text_content()))
    # The element whose direct <p> children hold the most text.
    best, best_score = None, 0
    for el in root.iter("div", "section", "td", "main"):
        score = sum(len(p.text_content()) for p in el.iterchildren("p"))
        if _BODY_WORDS.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            score *= 1.5
        if score > best_score:
            best, best_score = el, score
    if best is not None:
        return best
    found = root.xpath("//body")
    return found[0] if found else root


def _lines_of(element, *, placeholder=None) -> list[str]:
    """Text with a line break at every block boundary, headings kept as their own lines.
    ``placeholder`` (an element inside) stands as one line ``_BODY_MARK`` instead of its text."""
    parts: list[str] = []

    def walk(el) -> None:
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


def _text_of(element) -> str:
    return " ".join(_lines_of(element))
