"""callback_data packing: every button's state in ≤ 64 bytes, never tied to a user.

Formats (fields separated by ``|``):

    m|<offset>              More: next quotes of the question the pressed message answered
                            (question and scope looked up by chat + message id in the store)
    f|<article id>          Full article: send page 0 of the article as a new message
    p|<article id>|<page>   Full article paging: edit the pressed message to that page
    l|<offset>              /list paging
    s|<key>|<value>         /settings change (key: pm, corpus, ingest)
    k|<hash>                any of the above that did not fit: the real data is kept in the
                            store's meta under ``cb:<hash>`` (article ids may be long)

Because nothing here depends on who pressed, buttons keep working for everyone in the chat
and after a restart (the state lives in the SQLite store).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

MAX_BYTES = 64
_SEP = "|"


@dataclass(frozen=True)
class Button:
    """A decoded callback: ``kind`` is the first field, ``args`` the rest."""

    kind: str
    args: tuple[str, ...]

    def arg(self, i: int, default: str = "") -> str:
        return self.args[i] if i < len(self.args) else default

    def int_arg(self, i: int, default: int = 0) -> int:
        try:
            return int(self.args[i])
        except (IndexError, ValueError):
            return default


def fits(data: str) -> bool:
    return 1 <= len(data.encode("utf-8")) <= MAX_BYTES


def pack(kind: str, *args: object, set_meta: Callable[[str, str], None] | None = None) -> str:
    """callback_data for a button; spills to the store's meta when it would exceed 64 bytes."""
    data = _SEP.join([kind, *(str(a) for a in args)])
    if fits(data):
        return data
    if set_meta is None:
        raise ValueError(f"callback data too long ({len(data.encode())} bytes): {data[:40]}…")
    key = hashlib.sha1(data.encode("utf-8")).hexdigest()[:20]
    set_meta(f"cb:{key}", data)
    return f"k{_SEP}{key}"


def unpack(data: str | None, *, get_meta: Callable[[str], str | None] | None = None) -> Button | None:
    """Decode callback_data; None when it is not one of ours or its spilled state is gone."""
    if not data:
        return None
    parts = data.split(_SEP)
    if parts[0] == "k":
        if get_meta is None or len(parts) != 2:
            return None
        stored = get_meta(f"cb:{parts[1]}")
        if stored is None:
            return None
        parts = stored.split(_SEP)
        if parts[0] == "k":
            return None
    if parts[0] not in {"m", "f", "p", "l", "s"}:
        return None
    return Button(parts[0], tuple(parts[1:]))
