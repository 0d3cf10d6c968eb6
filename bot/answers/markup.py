"""Telegram HTML: escaping, sizes and the validator. Pure code, no Telegram import.

Every article and user string goes through ``escape`` (``& < > "`` only, the entities Telegram
knows); lengths are measured as Telegram measures them (UTF-16 code units, ``utf16_len``);
``check_telegram_html`` holds a message to the rules Telegram's HTML parse mode enforces, and
the tests apply it to every message the bot sends.
"""

from __future__ import annotations

import re
import urllib.parse

#: Telegram's message limit (UTF-16 code units after entity parsing).
MAX_MESSAGE_UNITS = 4096
#: Longest URL ever linked (longer ones are shown without a link).
MAX_URL_CHARS = 2000

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
# C0/C1 control characters other than tab and newline (a terminal escape sequence in an
# article must not reach the user's terminal or Telegram); removed, not escaped. Lone
# surrogates too (a question or JSON field holding half an emoji): no UTF-8/UTF-16 can
# carry them, so a message holding one could not even be measured or sent.
# Bidi embeddings, overrides and isolates, directional marks, zero-width characters and other
# invisible format characters: an article or a user could use them to reorder what a reply
# shows (a link that reads backwards, a fake source) or to hide text; removed as well.
INVISIBLE_FORMAT = [
    0x061C,
    0x180E,
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2070),
    0xFEFF,
    *range(0xFFF9, 0xFFFC),
]
_CONTROLS = {
    c: None
    for c in [
        *range(0, 9),
        11,
        12,
        *range(14, 32),
        127,
        *range(128, 160),
        *range(0xD800, 0xE000),
        *INVISIBLE_FORMAT,
    ]
}
_INVISIBLE = frozenset(chr(c) for c in _CONTROLS)
# A host name as links may carry it: labels of letters (any script), digits and hyphens.
_HOST_RE = re.compile(r"^(?:[^\W_]|[-.])+$")


def escape(text: str) -> str:
    """Escape text for Telegram HTML: ``& < > "`` only (the entities Telegram knows);
    control characters other than tab and newline, lone surrogates, bidi controls and
    zero-width characters are dropped."""
    return text.translate(_CONTROLS).translate(_ESCAPES)


def esc(value: object) -> str:
    """``escape`` for any value (numbers, ids, paths) put into an interface text."""
    return escape(str(value))


def printable(text: str) -> str:
    """Plain text as the bot may send it: ``escape`` without the HTML escaping."""
    return text.translate(_CONTROLS)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (how Telegram counts message length)."""
    return len(text.encode("utf-16-le")) // 2


def cap(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_http_url(url: str | None) -> bool:
    """True for a URL that may be linked: http(s), a real host, nothing invisible in it."""
    if not url or len(url) > MAX_URL_CHARS:
        return False
    # any non-space, visible characters: escape() makes & " < > safe in the attribute
    if any(ch.isspace() or ch in _INVISIBLE for ch in url):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return False
    # No user@ part: ``https://trusted.example@other.example`` would read as the wrong site.
    return (
        parts.scheme.lower() in ("http", "https")
        and url.lower().startswith(("http://", "https://"))
        and parts.username is None
        and host is not None
        and (bool(_HOST_RE.match(host)) or ":" in host)
    )


#: Tags Telegram's HTML parse mode accepts, with the attributes each may carry.
TELEGRAM_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "tg-spoiler": frozenset(),
    "span": frozenset({"class"}),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
}
_STYLE_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "span"}
_TAG_RE = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:="[^"<>]*")?)*)\s*>')
_ATTR_RE = re.compile(r'([a-zA-Z-]+)(?:="([^"<>]*)")?')
_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot);")


def _check_entities(text: str, where: str) -> None:
    pos = text.find("&")
    while pos != -1:
        if not _ENTITY_RE.match(text, pos):
            raise ValueError(
                f"bare '&' or unsupported entity at {where} {pos}: {text[pos : pos + 12]!r}"
            )
        pos = text.find("&", pos + 1)


def check_telegram_html(message: str, *, max_units: int = MAX_MESSAGE_UNITS) -> None:
    """Raise ValueError unless ``message`` is HTML Telegram (and this bot) accepts.

    Checks: only Telegram's tags and their attributes; tags balanced and properly nested
    (no blockquote in a blockquote, no link in a link, nothing inside code/pre but code in
    pre); no raw ``<`` or ``>`` in text; ``&`` only as ``&amp; &lt; &gt; &quot;`` (numeric
    entities are legal for Telegram but never produced here, so refused); a link's href is
    http(s); visible text non-empty; 1..``max_units`` UTF-16 code units of HTML; no lone
    surrogate (it could not be encoded to be sent); no control, bidi or zero-width character.
    """
    surrogate = re.search("[\ud800-\udfff]", message)
    if surrogate:  # (utf16_len would raise UnicodeEncodeError, not ValueError)
        raise ValueError(f"lone surrogate at {surrogate.start()}: not valid Unicode text")
    hidden = next((i for i, ch in enumerate(message) if ch in _INVISIBLE), None)
    if hidden is not None:
        raise ValueError(
            f"control or invisible format character U+{ord(message[hidden]):04X} at {hidden}"
        )
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
            raise ValueError(f"raw '<' or malformed tag at {lt}: {message[lt : lt + 20]!r}")
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
        if name not in TELEGRAM_TAGS:
            raise ValueError(f"tag <{name}> is not supported by Telegram")
        if closing:
            if attrs.strip():
                raise ValueError(f"closing tag </{name}> with attributes")
            if not stack or stack[-1] != name:
                opened = "<" + stack[-1] + ">" if stack else "nothing"
                raise ValueError(f"</{name}> closes {opened}")
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
            if (
                stack
                and stack[-1] in ("code", "pre")
                and not (stack[-1] == "pre" and name == "code")
            ):
                raise ValueError(f"<{name}> inside <{stack[-1]}>")
            if (
                name not in _STYLE_TAGS
                and name not in ("blockquote",)
                and any(
                    t not in _STYLE_TAGS
                    and t != "blockquote"
                    and not (t == "pre" and name == "code")
                    for t in stack
                )
            ):
                raise ValueError(f"<{name}> cannot be nested in {stack}")
            stack.append(name)
        pos = match.end()
    if stack:
        raise ValueError(f"unclosed tags: {stack}")
    if not "".join(visible).strip():
        raise ValueError("message has no visible text")


_TOKEN_RE = re.compile(r"<[^<>]*>|&[a-z]+;|[\s\S]")


def fit_html(message: str, max_units: int = MAX_MESSAGE_UNITS) -> str:
    """The message itself when it fits in ``max_units`` UTF-16 units; else its longest head
    that fits, cut between characters (never inside a tag or an entity), with "…" and the
    tags still open closed. The one length guard every message the bot sends goes through."""
    if utf16_len(message) <= max_units:
        return message
    stack: list[str] = []
    closing = 1  # units of "…" plus the closing tags of what is open
    used = 0
    cut = 0
    for token in _TOKEN_RE.finditer(message):
        text = token.group()
        units = utf16_len(text)
        tag = _TAG_RE.fullmatch(text) if text.startswith("<") else None
        if tag is not None and tag.group(1):  # a closing tag: what it closes is paid for
            if stack and stack[-1] == tag.group(2).lower():
                closing -= units
                stack.pop()
            used += units
            cut = token.end()
            continue
        extra = 3 + len(tag.group(2)) if tag is not None else 0  # its "</name>"
        if used + units + closing + extra > max_units:
            break
        used += units
        cut = token.end()
        if tag is not None:
            stack.append(tag.group(2).lower())
            closing += extra
    return message[:cut] + "…" + "".join(f"</{name}>" for name in reversed(stack))
