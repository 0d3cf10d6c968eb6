"""callback_data packing: every button's state in ≤ 64 bytes, never tied to a user.

Formats (fields separated by ``|``):

    m|<offset>              More: next quotes of the question the pressed message answered
                            (question and scope looked up by chat + message id in the store)
    f|<article id>          Full article: send page 0 of the article as a new message
    p|<article id>|<page>   Full article paging: edit the pressed message to that page
    l|<offset>              /list paging
    s|<key>|<value>         /settings change (key: pm, corpus, ingest)
    a|0                     Search everything: a follow-up found nothing in its article; ask
                            the same question of every article the chat reads
    k<kind>|<hash>          any of the above that did not fit, or whose arguments contain
                            ``|`` (an old article id may): the real data is kept in the
                            store's meta under ``cb:<hash>`` as a JSON list, so no
                            separator can split it; the kind stays visible so that every
                            kind has its own handler (``pattern``). ``k|<hash>`` (no kind)
                            is what earlier versions sent; it is still understood.

Because nothing here depends on who pressed, buttons keep working for everyone in the chat
and after a restart (the state lives in the SQLite store).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

MAX_BYTES = 64
_SEP = "|"
KINDS = frozenset({"m", "f", "p", "l", "s", "a"})


def pattern(kind: str) -> str:
    """The ``CallbackQueryHandler`` pattern of one kind, packed directly or spilled."""
    return rf"^k?{kind}\|"


@dataclass(frozen=True)
class Button:
    """A decoded callback: ``kind`` is the first field, ``args`` the rest."""

    kind: str
    args: tuple[str, ...]

    def arg(self, i: int, default: str = "") -> str:
        """Argument ``i`` as text (``default`` when missing)."""
        return self.args[i] if i < len(self.args) else default

    def int_arg(self, i: int, default: int = 0) -> int:
        """Argument ``i`` as an integer (``default`` when missing or not a number)."""
        try:
            return int(self.args[i])
        except (IndexError, ValueError):
            return default


def fits(data: str) -> bool:
    """True when ``data`` is valid callback_data (1 to 64 bytes of UTF-8)."""
    return 1 <= len(data.encode("utf-8")) <= MAX_BYTES


def pack(kind: str, *args: object, set_meta: Callable[[str, str], None] | None = None) -> str:
    """callback_data for a button; spills to the store's meta when it would exceed 64 bytes
    or when an argument contains the separator ``|``."""
    fields = [kind, *(str(a) for a in args)]
    data = _SEP.join(fields)
    if fits(data) and not any(_SEP in f for f in fields[1:]):
        return data
    if set_meta is None:
        raise ValueError(
            f"callback data needs the store ({len(data.encode())} bytes): {data[:40]}…"
        )
    stored = json.dumps(fields, ensure_ascii=False)
    # A fresh key per button (not a hash of the data alone): the store prunes the oldest
    # ``cb:`` rows, and a re-used key would keep its first, old position and be pruned while
    # a new button still points at it.
    key = hashlib.sha1(stored.encode("utf-8") + secrets.token_bytes(8)).hexdigest()[:20]
    set_meta(f"cb:{key}", stored)
    return f"k{kind}{_SEP}{key}"


def _stored_fields(stored: str) -> list[str] | None:
    """The fields of spilled state: a JSON list (or, as written before, ``|``-joined text)."""
    if stored.startswith("["):
        try:
            fields = json.loads(stored)
        except ValueError:
            return None
        if isinstance(fields, list) and fields and all(isinstance(f, str) for f in fields):
            return fields
        return None
    return stored.split(_SEP)


def unpack(
    data: str | None, *, get_meta: Callable[[str], str | None] | None = None
) -> Button | None:
    """Decode callback_data; None when it is not one of ours or its spilled state is gone."""
    if not data:
        return None
    parts = data.split(_SEP)
    if parts[0][:1] == "k":
        spilled_kind = parts[0][1:]
        if get_meta is None or len(parts) != 2:
            return None
        stored = get_meta(f"cb:{parts[1]}")
        if stored is None:
            return None
        fields = _stored_fields(stored)
        if fields is None:
            return None
        parts = fields
        if parts[0][:1] == "k" or (spilled_kind and parts[0] != spilled_kind):
            return None
    if parts[0] not in KINDS:
        return None
    return Button(parts[0], tuple(parts[1:]))
