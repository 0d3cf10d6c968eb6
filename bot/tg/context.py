"""The handlers' typed context and the data they share (``BotData``).

Kept apart from ``app`` so that handlers can import their context without importing the module
that registers them (no ``app`` ⇄ ``handlers`` cycle).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from ..config import Config
from . import buttons
from .access import AdminCheck
from .ratelimit import QuestionLimiter
from .state import ChatSettingsCache, MessageState

if TYPE_CHECKING:
    from ..library import Library

#: Inline queries allowed per question of the per-user budget (one per pause in typing).
INLINE_BUDGET = 5


@dataclass
class BotData:
    """Everything the handlers share; PTB creates it empty, ``build_application`` fills it."""

    library: Library | None = None
    config: Config = field(default_factory=Config)
    limiter: QuestionLimiter | None = None
    # Inline queries arrive while the user types: a separate, larger budget.
    inline_limiter: QuestionLimiter = field(default_factory=lambda: QuestionLimiter(30, 60))
    admins: AdminCheck | None = None
    # Writes a changed large index to disk now and then; started in post_init.
    flush_task: asyncio.Task[None] | None = None
    # Re-checks every stored channel link with getChat now and then; started in post_init.
    link_task: asyncio.Task[None] | None = None
    # One lock per chat around "is there room?" + add, and around channel-post edits.
    chat_locks: dict[int, asyncio.Lock] = field(default_factory=dict)
    # Chat settings, cached (``state.ChatSettingsCache``), and message/button state.
    chat_settings: ChatSettingsCache | None = None
    messages: MessageState | None = None
    # Store problems already logged once (e.g. a chat link that cannot be saved).
    logged_problems: set[str] = field(default_factory=set)


class BotContext(CallbackContext[ExtBot, dict, dict, BotData]):
    """The handlers' context: typed access to the library, the config and the helpers."""

    @property
    def library(self) -> Library:
        """The open Library (store, index, answerer) every handler works on."""
        library = self.bot_data.library
        assert library is not None, "build_application() sets the library"
        return library

    @property
    def config(self) -> Config:
        """The validated configuration."""
        return self.bot_data.config

    @property
    def limiter(self) -> QuestionLimiter:
        """The per-asker question budget."""
        assert self.bot_data.limiter is not None
        return self.bot_data.limiter

    @property
    def admins(self) -> AdminCheck:
        """Who may administer a chat (cached getChatMember answers)."""
        assert self.bot_data.admins is not None
        return self.bot_data.admins

    @property
    def inline_limiter(self) -> QuestionLimiter:
        """The per-user budget of inline queries (larger: they arrive while the user types)."""
        return self.bot_data.inline_limiter

    @property
    def chat_settings(self) -> ChatSettingsCache:
        """Chat settings, read in a thread and cached; writes go through it."""
        assert self.bot_data.chat_settings is not None
        return self.bot_data.chat_settings

    @property
    def messages(self) -> MessageState:
        """State of the messages and buttons the bot sent (kept in the store, in a thread)."""
        assert self.bot_data.messages is not None
        return self.bot_data.messages

    async def pressed(self, data: str | object | None) -> buttons.Button | None:
        """The button behind a callback's data (spilled data read in a thread), or None."""
        if not isinstance(data, str):
            return None
        return await asyncio.to_thread(buttons.unpack, data, get_meta=self.messages.get_blocking)

    def chat_lock(self, chat_id: int) -> asyncio.Lock:
        """The lock serialising article changes of one chat (limit check + add, post edits)."""
        locks = self.bot_data.chat_locks
        if len(locks) > 10_000:
            # Forget idle locks: an unlocked asyncio.Lock has no holder and no waiters.
            for idle in [cid for cid, lock in locks.items() if not lock.locked()]:
                del locks[idle]
        return locks.setdefault(chat_id, asyncio.Lock())


BotApplication = Application[ExtBot, BotContext, dict, dict, BotData, Any]
