"""What the Telegram layer keeps in the store besides articles: chat settings and the state of
the messages and buttons it sent. Every store access here runs in a thread.

The event loop must never wait on SQLite: a worker thread may hold the store's lock through an
fsynced commit (a large ``/add``), and a read on the loop would stall every chat meanwhile. So
both classes below are async and call the store through ``asyncio.to_thread``; chat settings,
read on every question, are also cached in memory (writes go through the cache, so it is never
stale in this process).

Message state lives in the store's meta table keyed by chat and message id
(``msg:<chat id>:<message id>``), never per user, so buttons keep working for everyone in the
chat and after a restart; spilled button data is kept under ``cb:<key>`` and the last applied
edit of a channel post under ``edit:<chat id>:<message id>``. The oldest rows are pruned now and
then (``KEEP_MSG_ROWS``, ``KEEP_CB_ROWS``, ``KEEP_EDIT_ROWS``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from typing import Any

from ..errors import StoreError
from ..store import ArticleStore, ChatSettings

log = logging.getLogger(__name__)

# The meta table gets a ``msg:`` row per message the bot sends (what it answered, for its
# buttons and reply follow-ups) and a ``cb:`` row per spilled button. Without pruning it grows
# for ever; a message whose row is pruned only loses its buttons ("expired"), so keeping the
# newest rows is enough: 50,000 messages is weeks of a busy bot, spilled buttons are rarer.
# Pruning costs one indexed DELETE, so it runs every PRUNE_EVERY writes, not on each one.
PRUNE_EVERY = 500
KEEP_MSG_ROWS = 50_000
KEEP_CB_ROWS = 20_000
# The last applied edit date per channel post: only posts edited again much later than tens
# of thousands of other posts lose the protection against an older edit arriving late.
KEEP_EDIT_ROWS = 50_000
# Chats whose settings are kept in memory (a settings row is a few dozen bytes).
SETTINGS_CACHE_SIZE = 20_000


class ChatSettingsCache:
    """Chat settings read once from the store (in a thread) and kept; writes update both."""

    def __init__(self, store: ArticleStore, size: int = SETTINGS_CACHE_SIZE):
        """Cache up to ``size`` chats' settings of ``store``."""
        self._store = store
        self._size = size
        self._cache: OrderedDict[int, ChatSettings] = OrderedDict()

    async def get(self, chat_id: int) -> ChatSettings:
        """The chat's settings (defaults when it has none)."""
        cached = self._cache.get(chat_id)
        if cached is not None:
            self._cache.move_to_end(chat_id)
            return cached
        settings = await asyncio.to_thread(self._store.chat_settings, chat_id)
        self._keep(chat_id, settings)
        return settings

    async def change(self, chat_id: int, **changes: Any) -> ChatSettings:
        """Save changed settings of one chat (raises ``StoreError`` when it cannot be written)."""
        settings = await asyncio.to_thread(self._change, chat_id, changes)
        self._keep(chat_id, settings)
        return settings

    def forget(self, *chat_ids: int) -> None:
        """Drop cached settings changed behind the cache's back (a chat migration)."""
        for chat_id in chat_ids:
            self._cache.pop(chat_id, None)

    def _change(self, chat_id: int, changes: dict[str, Any]) -> ChatSettings:
        settings = self._store.chat_settings(chat_id).with_changes(**changes)
        self._store.save_chat_settings(chat_id, settings)
        return settings

    def _keep(self, chat_id: int, settings: ChatSettings) -> None:
        self._cache[chat_id] = settings
        self._cache.move_to_end(chat_id)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)


def message_key(chat_id: int, message_id: int) -> str:
    """The meta key holding the state of one bot message."""
    return f"msg:{chat_id}:{message_id}"


def edit_key(chat_id: int, message_id: int) -> str:
    """The meta key holding the edit_date of the last applied edit of a channel post."""
    return f"edit:{chat_id}:{message_id}"


class MessageState:
    """State of sent messages and buttons in the store's meta table (see the module docstring)."""

    def __init__(self, store: ArticleStore):
        """Keep message state in ``store``."""
        self._store = store
        self._writes = 0

    async def keep(self, rows: dict[str, str]) -> None:
        """Write meta rows off the event loop, pruning old rows every PRUNE_EVERY writes.
        Best effort: on a full disk the answer has been sent already; only its buttons expire."""
        if not rows:
            return
        self._writes += len(rows)
        prune = self._writes >= PRUNE_EVERY
        if prune:
            self._writes = 0
        try:
            await asyncio.to_thread(self._write, rows, prune)
        except StoreError as exc:
            log.warning("button state not kept: %s", exc)

    async def remember(self, chat_id: int, message_id: int, **state: Any) -> None:
        """Keep what a bot message answered or quoted, for its buttons and reply follow-ups."""
        await self.keep({message_key(chat_id, message_id): json.dumps(state, ensure_ascii=False)})

    async def recall(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The state remembered for a bot message, or None (never answered, or pruned)."""
        raw = await self.get(message_key(chat_id, message_id))
        try:
            state = json.loads(raw) if raw else None
        except ValueError:
            return None
        return state if isinstance(state, dict) else None

    async def get(self, key: str) -> str | None:
        """One meta value (spilled button data, an edit date), read in a thread."""
        return await asyncio.to_thread(self._store.get_meta, key)

    async def set(self, key: str, value: str) -> None:
        """Write one meta value in a thread (raises ``StoreError``)."""
        await asyncio.to_thread(self._store.set_meta, key, value)

    def get_blocking(self, key: str) -> str | None:
        """``get`` for code already running in a worker thread (button unpacking)."""
        return self._store.get_meta(key)

    def _write(self, rows: dict[str, str], prune: bool) -> None:
        for key, value in rows.items():
            self._store.set_meta(key, value)
        if prune:
            removed = (
                self._store.prune_meta("msg:", KEEP_MSG_ROWS)
                + self._store.prune_meta("cb:", KEEP_CB_ROWS)
                + self._store.prune_meta("edit:", KEEP_EDIT_ROWS)
            )
            if removed:
                log.info("pruned %d old button-state rows", removed)
