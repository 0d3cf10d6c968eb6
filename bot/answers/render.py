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
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from ..models import Article
from ..texts import role_label, t
from .excerpt import shorten
from .markup import MAX_MESSAGE_UNITS, MAX_URL_CHARS, cap, escape, is_http_url, printable, utf16_len

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .records import Answer, AnswerSet

#: Highlight markers of the plain-text rendering.
PLAIN_MARK = "**"

LANGUAGES = ("zh-hans", "zh-hant", "en")

#: Longest attribution fields in HTML messages (longer ones end with …), so that the
#: attribution line of a hostile article can never push a quote over the message limit.
FIELD_CAPS = {"title": 120, "source": 60, "name": 30, "names": 8, "url": MAX_URL_CHARS}
#: Longest attribution line in HTML (UTF-16 units, escaped); see ``attribution_html``.
MAX_ATTRIBUTION_UNITS = 1500


def _labels(lang: str) -> dict[str, str]:
    return {key: t("credit_" + key, lang) for key in _LABEL_KEYS}


_LABEL_KEYS = (
    "reporters",
    "names_sep",
    "link",
    "unknown_source",
    "no_answer",
    "no_answer_plain",
    "try",
    "tips",
)


# -- attribution -----------------------------------------------------------------------


def format_date(article: Article) -> str | None:
    """``2020-04-12 16:25`` from the ISO date (minutes kept, seconds dropped), the date as
    printed when only that is known, else None."""
    if article.date:
        m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?", article.date)
        if m:
            return m.group(1) + (" " + m.group(2) if m.group(2) else "")
        year_less = re.match(r"^--(\d{2})-(\d{2})$", article.date)
        if year_less:  # a month and day the text states without a year: as it was printed
            return article.date_text or f"{int(year_less.group(1))}月{int(year_less.group(2))}日"
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
            items = [cap(n, FIELD_CAPS["name"]) for n in items[: FIELD_CAPS["names"]]]
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
        role = role_label(role, lang)  # 实习生 → 實習生 for a zh-hant reader, like 記者
        role_text = cap(role, FIELD_CAPS["name"]) if capped else " ".join(role.split())
        parts.append(f"{role_text} {names(people)}".strip())
    return parts


def _attribution_fields(
    article: Article, lang: str, *, capped: bool
) -> tuple[str | None, list[str]]:
    title = " ".join((article.title or "").split()) or None
    if title and capped:
        title = cap(title, FIELD_CAPS["title"])
    rest: list[str] = []
    source = " ".join((article.source or "").split())
    if source:
        rest.append(cap(source, FIELD_CAPS["source"]) if capped else source)
    rest.extend(_credit_parts(article, lang, capped=capped))
    date = format_date(article)
    if date:
        rest.append(cap(date, 40) if capped else date)
    return title, rest


def attribution_plain(article: Article, *, lang: str = "zh-hans") -> str:
    """``— title · source · 记者 严薇、郭欣欣 · 2020-04-12 16:25 · url`` (known fields only)."""
    title, rest = _attribution_fields(article, lang, capped=False)
    parts = ([title] if title else []) + rest
    if article.url and article.url.strip():
        parts.append(article.url.strip())
    if not parts:
        parts = [_labels(lang)["unknown_source"]]
    return printable("— " + " · ".join(parts))


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
        title = cap(title, 40) if title else None
        source = " ".join((article.source or "").split())
        date = format_date(article)
        rest = ([cap(source, 30)] if source else []) + ([cap(date, 20)] if date else [])
    url = article.url.strip() if article.url else None
    link = url if url and is_http_url(url) and (full or len(escape(url)) <= 400) else None
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


def _marked(
    text: str,
    spans: Iterable[Sequence[int]],
    open_: str,
    close: str,
    esc: Callable[[str], str] = str,
) -> str:
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
    return _marked(text, spans, PLAIN_MARK, PLAIN_MARK, printable)


def _quote_html(answer: Answer, lang: str, limit: int) -> str:
    """One quote block (blockquote + attribution) within ``limit`` UTF-16 units."""
    attribution = attribution_html(answer.article, lang=lang)
    excerpt = answer.excerpt or ""
    spans = list(answer.highlights)

    also = _also_in_html(answer, lang)

    def build(text: str, marks: Sequence[tuple[int, int]]) -> str:
        body = highlight_html(text, marks) if printable(text).strip() else escape("…")
        return f"<blockquote>{body}</blockquote>\n{attribution}{also}"

    block = build(excerpt, spans)
    chars = len(excerpt)
    while utf16_len(block) > limit and chars > 1:
        chars = max(1, min(chars - 1, int(chars * 0.8)))
        text, marks = shorten(excerpt, _clean_spans(excerpt, spans), chars)
        block = build(text, marks)
    return block


#: Other articles named on an "also in" line; titles of related articles in "not found".
MAX_ALSO_IN = 3


def _article_name(article: Article) -> str:
    """``《title》 · source`` (what is known), for "also in" and "not found" lines."""
    title = " ".join((article.title or "").split())
    source = " ".join((article.source or "").split())
    parts = ([f"《{cap(title, 60)}》"] if title else []) + ([cap(source, 30)] if source else [])
    return " · ".join(parts) or article.id


def _also_in_html(answer: Answer, lang: str) -> str:
    """``\n也见于 《…》 · source; 《…》`` when the same text is in other articles, else ""."""
    others = list(getattr(answer, "also_in", []) or [])[:MAX_ALSO_IN]
    if not others:
        return ""
    names = "；".join(escape(_article_name(a)) for a in others)
    return f"\n{escape(t('answer_also_in', lang))} {names}"


def _not_found_lines(answers: AnswerSet, lang: str) -> list[str] | None:
    """The plain lines of an answer set that quotes nothing for a reason other than plain
    "not found" (chit-chat, another language, an unclear article, a follow-up), or None."""
    status = answers.status
    if status == "chitchat":
        return [t("answer_chitchat", lang)]
    if status == "other_language":
        return [t("answer_other_language", lang)]
    if status == "unclear_article":
        return [t("answer_unclear_article", lang)]
    if status == "not_found" and answers.within_article:
        return [t("answer_not_in_article", lang)]
    return None


def _related_lines(answers: AnswerSet, lang: str) -> list[str]:
    related = list(answers.related or [])[:MAX_ALSO_IN]
    lines = [t("answer_not_found", lang)]
    if related:
        lines.append(t("answer_covers", lang))
        lines.extend("• " + _article_name(a) for a in related)
    lines.append(t("answer_about_hint", lang))
    return lines


def _no_answer_html(answers: AnswerSet, lang: str) -> str:
    special = _not_found_lines(answers, lang)
    if special is not None:
        return "\n".join(escape(line) for line in special)
    labels = _labels(lang)
    question = cap(answers.question or "", 100)
    tips = "\n".join("• " + escape(t) for t in labels["tips"].split("\n"))
    related = "\n".join(escape(line) for line in _related_lines(answers, lang))
    return (
        escape(labels["no_answer"].format(question=question))
        + "\n"
        + related
        + "\n\n"
        + f"<b>{escape(labels['try'])}</b>\n"
        + tips
    )


def render_html(answers: AnswerSet, *, lang: str = "zh-hans", per_message: int = 3) -> list[str]:
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


def render_plain(answers: AnswerSet, *, lang: str = "zh-hans") -> str:
    """Terminal text: numbered quotes, highlights as ``**word**``, attribution lines."""
    labels = _labels(lang)
    if not answers.answers:
        special = _not_found_lines(answers, lang)
        if special is not None:
            return printable("\n".join(special))
        question = " ".join((answers.question or "").split())
        tips = "\n".join("  - " + t for t in labels["tips"].split("\n"))
        related = "\n".join(_related_lines(answers, lang))
        return (
            printable(labels["no_answer_plain"].format(question=question) + "\n" + related)
            + "\n"
            + labels["try"]
            + "\n"
            + tips
        )
    blocks = []
    for number, answer in enumerate(answers.answers, 1):
        text = highlight_plain(answer.excerpt or "", answer.highlights)
        indent = " " * (len(str(number)) + 2)
        lines = text.split("\n")
        body = f"{number}. {lines[0]}" + "".join("\n" + indent + line for line in lines[1:])
        block = body + "\n" + indent + attribution_plain(answer.article, lang=lang)
        others = list(getattr(answer, "also_in", []) or [])[:MAX_ALSO_IN]
        if others:
            block += (
                "\n"
                + indent
                + printable(
                    t("answer_also_in", lang) + " " + "；".join(_article_name(a) for a in others)
                )
            )
        blocks.append(block)
    return "\n\n".join(blocks)
