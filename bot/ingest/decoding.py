"""Bytes → text for scraped articles: BOMs, UTF-8, GB18030/GBK; binary content refused.

Order matters: a BOM is proof; strict UTF-8 almost never succeeds by accident on GBK bytes;
GB18030 (a superset of GBK and GB2312) is the other encoding Chinese pages actually use;
charset-normalizer is only the last resort for the odd Big5 or UTF-16-without-BOM file.
"""

from __future__ import annotations

import codecs
import re

from ..errors import UnreadableFile

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# UTF-16/32 are not among them: without a BOM their text has NUL bytes (newlines, ASCII), and
# NUL bytes were refused above as binary.
_PLAUSIBLE_GUESSES = frozenset({"big5", "big5hkscs", "cp950", "hz", "gb2312", "gbk", "gb18030"})
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# Control characters that never occur in text (all but tab, newlines, VT, FF) and U+FFFD.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd]")
# A text with more than this share of control characters / replacement marks is binary.
_MAX_CONTROL_SHARE = 0.01


def decode_bytes(data: bytes, *, origin: str | None = None) -> str:
    """Decode article bytes, or raise UnreadableFile saying why they are not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(encoding), origin)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                    f"(byte {exc.start + len(bom)})",
                    origin=origin,
                ) from None
    if b"\x00" in data:
        raise UnreadableFile("binary content (NUL bytes), not a text article", origin=origin)
    try:
        return _checked(data.decode("utf-8"), origin)
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    # Big5 bytes mostly decode as GB18030 too, into nonsense with private-use characters;
    # real GBK text has none. Then Big5 is the better reading when it decodes cleanly.
    if text is not None and _PRIVATE_USE.search(text):
        try:
            big5 = data.decode("big5hkscs")
            if not _PRIVATE_USE.search(big5):
                text = big5
        except UnicodeDecodeError:
            pass
    if text is not None:
        return _checked(text, origin)
    return _checked(_guess_decode(data, origin), origin)


def _guess_decode(data: bytes, origin: str | None) -> str:
    from charset_normalizer import from_bytes  # imported lazily: rarely needed, slow import

    best = from_bytes(data).best()
    # Only encodings Chinese articles really come in: a guess of cp1252, latin-1 or UTF-16 for
    # bytes that are neither UTF-8 nor GB18030 means "some binary", not "an article".
    if best is None or best.encoding not in _PLAUSIBLE_GUESSES:
        raise UnreadableFile(
            "undecodable bytes: not UTF-8, GB18030/GBK, or any encoding that could be detected",
            origin=origin,
        )
    return str(best)


def _checked(text: str, origin: str | None) -> str:
    """Refuse decoded text that is mostly control characters (binary that happened to decode)."""
    if not text:
        return text
    sample = text[:20000]
    bad = len(_CONTROL_CHARS.findall(sample))
    if bad > max(2, len(sample) * _MAX_CONTROL_SHARE):
        raise UnreadableFile(
            "binary content (control characters), not a text article", origin=origin
        )
    return text
