"""AnswerSet → plain text (terminal) or Telegram HTML messages. Pure code, no Telegram import.

Plain text (``render_plain``): every quote is numbered, the question's words are marked
``**like this**`` (Markdown-style bold, rare in Chinese news text, readable in any terminal),
and the attribution follows on its own line::

    1. 下一步，**两江新区**、**天府新区**将依托……
       — 唱好“双城记”… · 上游新闻·重庆晨报 · 记者 严薇、郭欣欣 · 2020-04-12 16:25 · https://…

Telegram HTML (``render_html``, for ``parse_mode="HTML"``): one ``<blockquote>`` per quote
with the question's words in ``<b>``, then the attribution line, the title linked with
``<a href>`` when the article has an http(s) URL. Every article and user string goes through
``escape`` (``& < > "`` → ``&amp; &lt; &gt; &quot;``, the only entities ever produced), so an
article that contains ``<b>`` or ``</blockquote>`` is shown as text, never as markup. At most
``per_message`` quotes per message and at most ``MAX_MESSAGE_UNITS`` UTF-16 code units of
*escaped* HTML per message (Telegram counts 4096 after entity parsing, which is never more);
messages are split only between quotes, and a single quote too long for one message has its
excerpt shortened (the markup is rebuilt, never cut).

``check_telegram_html`` validates a message against those rules; the tests use it on every
message the renderer produces.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Sequence

from .excerpt import shorten
from .models import Article

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .answer import Answer, AnswerSet

#: Telegram's message limit (UTF-16 code units after entity parsing).
MAX_MESSAGE_UNITS = 4096
#: Highlight markers of the plain-text rendering.
PLAIN_MARK = "**"

LANGUAGES = ("zh-hans", "zh-hant", "en")

#: Longest attribution fields in HTML messages (longer ones end with …), so that the
#: attribution line of a hostile article can never push a quote over the message limit.
FIELD_CAPS = {"title": 120, "source": 60, "name": 30, "names": 8, "url": 2000}
#: Longest attribution line in HTML (UTF-16 units, escaped); see ``attribution_html``.
MAX_ATTRIBUTION_UNITS = 1500

_LABELS: dict[str, dict[str, str]] = {
    "zh-hans": {
        "reporters": "记者",
        "names_sep": "、",
        "link": "原文",
        "unknown_source": "出处未注明",
        "no_answer": "没有找到能回答“{question}”的段落。",
        "no_answer_plain": "没有找到能回答“{question}”的段落。",
        "try": "可以换个问法试试：",
        "tips": "用更少或别的关键词，例如只留下最关键的两三个词\n"
                "写上人名、地名或机构名，例如“两江新区”“李彩桦”\n"
                "繁体、简体都能搜到，不必转换\n"
                "问文章本身，例如“这篇文章的记者是谁？”“什么时候发布的？”",
    },
    "zh-hant": {
        "reporters": "記者",
        "names_sep": "、",
        "link": "原文",
        "unknown_source": "出處未註明",
        "no_answer": "沒有找到能回答「{question}」的段落。",
        "no_answer_plain": "沒有找到能回答「{question}」的段落。",
        "try": "可以換個問法試試：",
        "tips": "用更少或別的關鍵詞，例如只留下最關鍵的兩三個詞\n"
                "寫上人名、地名或機構名，例如「兩江新區」「李彩樺」\n"
                "繁體、簡體都能搜到，不必轉換\n"
                "問文章本身，例如「這篇文章的記者是誰？」「什麼時候發布的？」",
    },
    "en": {
        "reporters": "Reporters",
        "names_sep": ", ",
        "link": "Original article",
        "unknown_source": "source not stated",
        "no_answer": "No paragraph answers “{question}”.",
        "no_answer_plain": "No paragraph answers “{question}”.",
        "try": "Try asking differently:",
        "tips": "use fewer or other key words — keep the two or three that matter\n"
                "names of people, places or organisations help, e.g. 两江新区\n"
                "simplified and traditional characters both work; no need to convert\n"
                "ask about an article itself: “who wrote this?”, “when was it published?”",
    },
}


def _labels(lang: str) -> dict[str, str]:
    return _LABELS.get(lang, _LABELS["zh-hans"])


# -- escaping and sizes -----------------------------------------------------------------

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
# C0/C1 control characters other than tab and newline (a terminal escape sequence in an
# article must not reach the user's terminal or Telegram); removed, not escaped. Lone
# surrogates too (a question or JSON field holding half an emoji): no UTF-8/UTF-16 can
# carry them, so a message holding one could not even be measured or sent.
_CONTROLS = {c: None for c in [*range(0, 9), 11, 12, *range(14, 32), 127, *range(128, 160),
                               *range(0xD800, 0xE000)]}


def escape(text: str) -> str:
    """Escape text for Telegram HTML: ``& < > "`` only (the entities Telegram knows);
    control characters other than tab and newline, and lone surrogates, are dropped."""
    return text.translate(_CONTROLS).translate(_ESCAPES)


def _printable(text: str) -> str:
    return text.translate(_CONTROLS)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (how Telegram counts message length)."""
    return len(text.encode("utf-16-le")) // 2


def _cap(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _is_http_url(url: str | None) -> bool:
    if not url:
        return False
    # any non-space, non-control characters: escape() makes & " < > safe in the attribute
    return bool(re.match(r"^https?://[^\s\x00-\x1f\x7f]+$", url, re.IGNORECASE)) and \
        len(url) <= FIELD_CAPS["url"]


# -- attribution -----------------------------------------------------------------------

def format_date(article: Article) -> str | None:
    """``2020-04-12 16:25`` from the ISO date (minutes kept, seconds dropped), the date as
    printed when only that is known, else None."""
    if article.date:
        m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?", article.date)
        if m:
            return m.group(1) + (" " + m.group(2) if m.group(2) else "")
        return article.date
    return article.date_text or None


def _credit_parts(article: Article, lang: str, *, capped: bool) -> list[str]:
    """'记者 严薇、郭欣欣', '实习生 张三' … — only what the article states."""
    labels = _labels(lang)
    sep = labels["names_sep"]

    def names(items: Sequence[str]) -> str:
        items = [n for n in (" ".join(x.split()) for x in items) if n]
        if capped:
            extra = len(items) > FIELD_CAPS["names"]
            items = [_cap(n, FIELD_CAPS["name"]) for n in items[: FIELD_CAPS["names"]]]
            if extra:
                items.append("…")
        return sep.join(items)

    parts = []
    if article.reporters and names(article.reporters):
        parts.append(f"{labels['reporters']} {names(article.reporters)}")
    roles: dict[str, list[str]] = {}
    for c in article.contributors:
        if c.name and c.name.strip():
            roles.setdefault((c.role or "").strip(), []).append(c.name)
    for role, people in list(roles.items())[: FIELD_CAPS["names"] if capped else None]:
        role_text = _cap(role, FIELD_CAPS["name"]) if capped else " ".join(role.split())
        parts.append(f"{role_text} {names(people)}".strip())
    return parts


def _attribution_fields(article: Article, lang: str, *, capped: bool) -> tuple[str | None, list[str]]:
    title = " ".join((article.title or "").split()) or None
    if title and capped:
        title = _cap(title, FIELD_CAPS["title"])
    rest: list[str] = []
    source = " ".join((article.source or "").split())
    if source:
        rest.append(_cap(source, FIELD_CAPS["source"]) if capped else source)
    rest.extend(_credit_parts(article, lang, capped=capped))
    date = format_date(article)
    if date:
        rest.append(_cap(date, 40) if capped else date)
    return title, rest


def attribution_plain(article: Article, *, lang: str = "zh-hans") -> str:
    """``— title · source · 记者 严薇、郭欣欣 · 2020-04-12 16:25 · url`` (known fields only)."""
    title, rest = _attribution_fields(article, lang, capped=False)
    parts = ([title] if title else []) + rest
    if article.url and article.url.strip():
        parts.append(article.url.strip())
    if not parts:
        parts = [_labels(lang)["unknown_source"]]
    return _printable("— " + " · ".join(parts))


def attribution_html(article: Article, *, lang: str = "zh-hans") -> str:
    """The attribution line as Telegram HTML; the title is linked when the URL is http(s).

    At most ``MAX_ATTRIBUTION_UNITS`` UTF-16 units: an article whose fields would make it
    longer (hundreds of credited names, quotes everywhere) is credited by title, source and
    date only, so a quote always fits a message.
    """
    line = _attribution_html(article, lang, full=True)
    if utf16_len(line) > MAX_ATTRIBUTION_UNITS:
        line = _attribution_html(article, lang, full=False)
    return line


def _attribution_html(article: Article, lang: str, *, full: bool) -> str:
    title, rest = _attribution_fields(article, lang, capped=True)
    if not full:
        title = _cap(title, 40) if title else None
        source = " ".join((article.source or "").split())
        date = format_date(article)
        rest = ([_cap(source, 30)] if source else []) + ([_cap(date, 20)] if date else [])
    url = article.url.strip() if article.url else None
    link = url if _is_http_url(url) and (full or len(escape(url)) <= 400) else None
    parts: list[str] = []
    if title and link:
        parts.append(f'<a href="{escape(link)}">{escape(title)}</a>')
    elif title:
        parts.append(escape(title))
    parts.extend(escape(p) for p in rest)
    if link and not title:
        parts.append(f'<a href="{escape(link)}">{escape(_labels(lang)["link"])}</a>')
    if not parts:
        parts = [escape(_labels(lang)["unknown_source"])]
    return "— " + " · ".join(parts)


# -- quotes ------------------------------------------------------------------------------

def _clean_spans(text: str, spans: Iterable[Sequence[int]]) -> list[tuple[int, int]]:
    """Valid, sorted, non-overlapping spans inside ``text`` (defensive: bad spans dropped)."""
    out: list[tuple[int, int]] = []
    for span in sorted((int(s[0]), int(s[1])) for s in spans):
        a, b = max(0, span[0]), min(len(text), span[1])
        if b <= a:
            continue
        if out and a < out[-1][1]:
            a = out[-1][1]
            if b <= a:
                continue
        out.append((a, b))
    return out


def _marked(text: str, spans: Iterable[Sequence[int]], open_: str, close: str,
            esc=lambda s: s) -> str:
    pieces: list[str] = []
    pos = 0
    for a, b in _clean_spans(text, spans):
        pieces.append(esc(text[pos:a]))
        pieces.append(open_ + esc(text[a:b]) + close)
        pos = b
    pieces.append(esc(text[pos:]))
    return "".join(pieces)


def highlight_html(text: str, spans: Iterable[Sequence[int]]) -> str:
    """Escaped text with the spans wrapped in ``<b>``."""
    return _marked(text, spans, "<b>", "</b>", escape)


def highlight_plain(text: str, spans: Iterable[Sequence[int]]) -> str:
    return _marked(text, spans, PLAIN_MARK, PLAIN_MARK, _printable)


def _quote_html(answer: "Answer", lang: str, limit: int) -> str:
    """One quote block (blockquote + attribution) within ``limit`` UTF-16 units."""
    attribution = attribution_html(answer.article, lang=lang)
    excerpt = answer.excerpt or ""
    spans = list(answer.highlights)

    def build(text: str, marks: Sequence[tuple[int, int]]) -> str:
        body = highlight_html(text, marks) if _printable(text).strip() else escape("…")
        return f"<blockquote>{body}</blockquote>\n{attribution}"

    block = build(excerpt, spans)
    chars = len(excerpt)
    while utf16_len(block) > limit and chars > 1:
        chars = max(1, min(chars - 1, int(chars * 0.8)))
        text, marks = shorten(excerpt, _clean_spans(excerpt, spans), chars)
        block = build(text, marks)
    return block


def _no_answer_html(answers: "AnswerSet", lang: str) -> str:
    labels = _labels(lang)
    question = _cap(answers.question or "", 100)
    tips = "\n".join("• " + escape(t) for t in labels["tips"].split("\n"))
    return (escape(labels["no_answer"].format(question=question)) + "\n\n" +
            f"<b>{escape(labels['try'])}</b>\n" + tips)


def render_html(answers: "AnswerSet", *, lang: str = "zh-hans", per_message: int = 3) -> list[str]:
    """Telegram HTML messages (``parse_mode="HTML"``), each ≤ 4096 UTF-16 units.

    At most ``per_message`` quotes per message, split only between quotes. An empty answer
    set gives one message saying nothing was found, with suggestions.
    """
    if per_message < 1:
        raise ValueError("per_message must be at least 1")
    if not answers.answers:
        return [_no_answer_html(answers, lang)]
    separator = "\n\n"
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for answer in answers.answers:
        block = _quote_html(answer, lang, MAX_MESSAGE_UNITS)
        units = utf16_len(block)
        extra = units + (utf16_len(separator) if current else 0)
        if current and (len(current) >= per_message or size + extra > MAX_MESSAGE_UNITS):
            messages.append(separator.join(current))
            current, size = [], 0
            extra = units
        current.append(block)
        size += extra
    if current:
        messages.append(separator.join(current))
    return messages


def render_plain(answers: "AnswerSet", *, lang: str = "zh-hans") -> str:
    """Terminal text: numbered quotes, highlights as ``**word**``, attribution lines."""
    labels = _labels(lang)
    if not answers.answers:
        question = " ".join((answers.question or "").split())
        tips = "\n".join("  - " + t for t in labels["tips"].split("\n"))
        return _printable(labels["no_answer_plain"].format(question=question)) + "\n" + \
            labels["try"] + "\n" + tips
    blocks = []
    for number, answer in enumerate(answers.answers, 1):
        text = highlight_plain(answer.excerpt or "", answer.highlights)
        indent = " " * (len(str(number)) + 2)
        lines = text.split("\n")
        body = f"{number}. {lines[0]}" + "".join("\n" + indent + line for line in lines[1:])
        blocks.append(body + "\n" + indent + attribution_plain(answer.article, lang=lang))
    return "\n\n".join(blocks)


# -- validation --------------------------------------------------------------------------

#: Tags Telegram's HTML parse mode accepts, with the attributes each may carry.
TELEGRAM_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(), "strong": frozenset(), "i": frozenset(), "em": frozenset(),
    "u": frozenset(), "ins": frozenset(), "s": frozenset(), "strike": frozenset(),
    "del": frozenset(), "tg-spoiler": frozenset(), "span": frozenset({"class"}),
    "a": frozenset({"href"}), "code": frozenset({"class"}), "pre": frozenset(),
    "blockquote": frozenset({"expandable"}), "tg-emoji": frozenset({"emoji-id"}),
}
_STYLE_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "span"}
_TAG_RE = re.compile(
    r'<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:="[^"<>]*")?)*)\s*>')
_ATTR_RE = re.compile(r'([a-zA-Z-]+)(?:="([^"<>]*)")?')
_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot);")


def _check_entities(text: str, where: str) -> None:
    pos = text.find("&")
    while pos != -1:
        if not _ENTITY_RE.match(text, pos):
            raise ValueError(f"bare '&' or unsupported entity at {where} {pos}: {text[pos:pos + 12]!r}")
        pos = text.find("&", pos + 1)


def check_telegram_html(message: str, *, max_units: int = MAX_MESSAGE_UNITS) -> None:
    """Raise ValueError unless ``message`` is HTML Telegram (and this bot) accepts.

    Checks: only Telegram's tags and their attributes; tags balanced and properly nested
    (no blockquote in a blockquote, no link in a link, nothing inside code/pre but code in
    pre); no raw ``<`` or ``>`` in text; ``&`` only as ``&amp; &lt; &gt; &quot;`` (numeric
    entities are legal for Telegram but never produced here, so refused); a link's href is
    http(s); visible text non-empty; 1..``max_units`` UTF-16 code units of HTML; no lone
    surrogate (it could not be encoded to be sent).
    """
    surrogate = re.search("[\ud800-\udfff]", message)
    if surrogate:  # (utf16_len would raise UnicodeEncodeError, not ValueError)
        raise ValueError(f"lone surrogate at {surrogate.start()}: not valid Unicode text")
    units = utf16_len(message)
    if not 1 <= units <= max_units:
        raise ValueError(f"message is {units} UTF-16 units long (allowed 1..{max_units})")
    stack: list[str] = []
    visible: list[str] = []
    pos = 0
    while pos < len(message):
        lt = message.find("<", pos)
        chunk = message[pos:] if lt == -1 else message[pos:lt]
        if ">" in chunk:
            raise ValueError(f"raw '>' in text near {pos + chunk.index('>')}")
        _check_entities(chunk, "text")
        visible.append(chunk)
        if lt == -1:
            break
        match = _TAG_RE.match(message, lt)
        if not match:
            raise ValueError(f"raw '<' or malformed tag at {lt}: {message[lt:lt + 20]!r}")
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
        if name not in TELEGRAM_TAGS:
            raise ValueError(f"tag <{name}> is not supported by Telegram")
        if closing:
            if attrs.strip():
                raise ValueError(f"closing tag </{name}> with attributes")
            if not stack or stack[-1] != name:
                raise ValueError(f"</{name}> closes {'<' + stack[-1] + '>' if stack else 'nothing'}")
            stack.pop()
        else:
            seen = {}
            for attr in _ATTR_RE.finditer(attrs):
                key, value = attr.group(1).lower(), attr.group(2)
                if key not in TELEGRAM_TAGS[name]:
                    raise ValueError(f"attribute {key!r} not allowed on <{name}>")
                if value is not None:
                    _check_entities(value, f"attribute {key}")
                seen[key] = value
            if name == "a":
                href = seen.get("href")
                if not href or not re.match(r"^https?://", href, re.IGNORECASE):
                    raise ValueError("<a> needs an http(s) href")
                if "a" in stack:
                    raise ValueError("<a> inside <a>")
            if name == "blockquote" and "blockquote" in stack:
                raise ValueError("<blockquote> inside <blockquote>")
            if stack and stack[-1] in ("code", "pre") and not (stack[-1] == "pre" and name == "code"):
                raise ValueError(f"<{name}> inside <{stack[-1]}>")
            if name not in _STYLE_TAGS and name not in ("blockquote",) and any(
                    t not in _STYLE_TAGS and t != "blockquote" and not (t == "pre" and name == "code")
                    for t in stack):
                raise ValueError(f"<{name}> cannot be nested in {stack}")
            stack.append(name)
        pos = match.end()
    if stack:
        raise ValueError(f"unclosed tags: {stack}")
    if not "".join(visible).strip():
        raise ValueError("message has no visible text")
