"""Fair update processing: one chat or one user can never take the slots every chat needs.

PTB's ``concurrent_updates(True)`` runs up to 256 updates at once, first come first served. A
flooding group fills them all: each of its updates waits for the group's 20-messages-a-minute
turn while holding a slot, and every other chat waits behind it. ``FairUpdateProcessor``:

* runs at most ``max_running`` updates at once (all chats together);
* runs at most ``chat_running`` updates of one chat, and ``user_running`` of one sender, at
  once; further ones wait in line (without holding a running slot), at most ``chat_pending``
  per chat and ``user_pending`` per sender in all; beyond that, the update is dropped.
  Documents (uploads: several files sent at once arrive as as many messages) wait in a
  longer line, ``upload_pending``, before any is dropped;
* coalesces presses of one button: while a press of a button under a message is pending, more
  presses of the same button there are dropped (the 300th 全文 press is worth nothing);
* never drops what must not be lost: channel posts and their edits, membership changes,
  group migrations (they bypass the per-chat bounds; channel posts are serialised by the
  handlers' per-chat lock).

Dropped updates are counted (``dropped``) and logged once a minute per chat or sender.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Hashable
from contextlib import AsyncExitStack
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

#: Placeholder senders shared by many people: anonymous admins, channel identities, Telegram's
#: automatic forwards. Their sender is the chat they post as (``sender_chat``).
SHARED_SENDERS = frozenset({1087968824, 136817688, 777000})
#: How often a dropping chat or sender is logged, in seconds.
DROP_LOG_SECONDS = 60.0


def flood_keys(update: object) -> list[tuple[Hashable, int, int]] | None:
    """The (key, running bound index, pending bound index) an update counts against, or None
    for updates that are never held back (channel posts, membership, anything unknown)."""
    if not isinstance(update, Update):
        return None
    if (
        update.channel_post
        or update.edited_channel_post
        or update.my_chat_member
        or update.chat_member
        or update.chat_join_request
    ):
        return None
    message = update.message or update.edited_message
    if message is not None and (message.migrate_to_chat_id or message.migrate_from_chat_id):
        return None
    keys: list[tuple[Hashable, int, int]] = []
    chat = update.effective_chat
    user = update.effective_user
    sender = message.sender_chat if message is not None else None
    # Documents are uploads (an admin selecting 60 files sends 60 messages at once): they wait
    # in a longer line instead of being dropped (pending bounds 3 and 4).
    upload = message is not None and message.document is not None
    if sender is not None and (user is None or user.id in SHARED_SENDERS):
        keys.append((("sender", sender.id), 1, 4 if upload else 1))
    elif user is not None:
        keys.append((("sender", user.id), 1, 4 if upload else 1))
    if chat is not None and (user is None or chat.id != user.id):
        keys.append((("chat", chat.id), 0, 3 if upload else 0))
    query = update.callback_query
    if query is not None and query.message is not None:
        keys.append((("press", query.message.chat.id, query.message.message_id, query.data), 2, 2))
    return keys or None


class FairUpdateProcessor(BaseUpdateProcessor):
    """Global, per-chat and per-sender bounds on running updates; floods dropped or coalesced."""

    def __init__(
        self,
        *,
        max_running: int = 256,
        chat_running: int = 8,
        chat_pending: int = 32,
        user_running: int = 4,
        user_pending: int = 12,
        upload_pending: int = 200,
        admitted: int = 4096,
    ) -> None:
        """``admitted`` bounds updates inside the processor at all (running and in line)."""
        super().__init__(admitted)
        self.max_running = max_running
        self._running = asyncio.BoundedSemaphore(max_running)
        # Index 0: a chat, 1: a sender, 2: presses of one button (coalesced: one at a time).
        self._running_bounds = (chat_running, user_running, 1)
        # 3, 4: documents of a chat, of a sender (uploads wait instead of being dropped).
        self._pending_bounds = (chat_pending, user_pending, 1, upload_pending, upload_pending)
        self._pending: Counter[Hashable] = Counter()
        self._slots: dict[Hashable, asyncio.Semaphore] = {}
        self._logged: dict[Hashable, float] = {}
        self.dropped = 0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    def _drop(self, key: Hashable, coroutine: Awaitable[Any]) -> None:
        self.dropped += 1
        if inspect.iscoroutine(coroutine):
            coroutine.close()  # never awaited: no "coroutine was never awaited" warning
        now = time.monotonic()
        if now - self._logged.get(key, -DROP_LOG_SECONDS) >= DROP_LOG_SECONDS:
            if len(self._logged) > 10_000:
                self._logged = {k: t for k, t in self._logged.items() if now - t < DROP_LOG_SECONDS}
            self._logged[key] = now
            log.warning(
                "flood from %s: updates dropped (%d dropped in all so far)", key, self.dropped
            )

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update within the bounds, after the ones of its chat and sender before it."""
        keys = flood_keys(update)
        if keys is None:
            async with self._running:
                await coroutine
            return
        for key, _, pending in keys:
            if self._pending[key] >= self._pending_bounds[pending]:
                self._drop(key, coroutine)
                return
        for key, _, _ in keys:
            self._pending[key] += 1
        started = False
        try:
            async with AsyncExitStack() as stack:
                # Always in the same order (sender, chat, press, then a running slot): no
                # update holds one bound while another waits for it the other way round.
                for key, running, _ in keys:
                    slot = self._slots.get(key)
                    if slot is None:
                        slot = self._slots[key] = asyncio.Semaphore(self._running_bounds[running])
                    await stack.enter_async_context(slot)
                await stack.enter_async_context(self._running)
                started = True
                await coroutine
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while in line (shutdown)
            for key, _, _ in keys:
                self._pending[key] -= 1
                if not self._pending[key]:
                    del self._pending[key]
                    self._slots.pop(key, None)
