"""Who may administer a chat: owners, private-chat users, anonymous admins, chat admins.

Chat admins are asked of Telegram (getChatMember) and the answer is trusted for
``telegram.admin_cache_seconds``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot, Chat, ChatMember, User
from telegram.error import TelegramError

log = logging.getLogger(__name__)

_ADMIN_STATUSES = {ChatMember.ADMINISTRATOR, ChatMember.OWNER}
#: The placeholder accounts Telegram puts in "from" when someone posts as a chat.
GROUP_ANONYMOUS_BOT = 1087968824  # anonymous group admins
CHANNEL_BOT = 136817688  # a channel identity posting in a group
TELEGRAM_SERVICE = 777000  # automatic forwards of channel posts


class AdminCheck:
    """Decides admin rights; caches getChatMember answers per (chat, user)."""

    def __init__(
        self,
        owners: list[int] | tuple[int, ...],
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        """``owners`` may administer every chat; admin answers are trusted ``cache_seconds``."""
        self.owners = frozenset(owners)
        self.cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[tuple[int, int], tuple[float, bool]] = {}

    def forget(self, chat_id: int, user_id: int | None = None) -> None:
        """Drop cached answers for a chat (one user, or everyone in it)."""
        for key in [
            k for k in self._cache if k[0] == chat_id and (user_id is None or k[1] == user_id)
        ]:
            del self._cache[key]

    async def is_admin(
        self,
        bot: Bot,
        chat: Chat,
        user: User | None,
        sender_chat: Chat | None = None,
        *,
        linked_chat_id: int | None = None,
    ) -> bool:
        """True when the sender may change this chat's articles and settings."""
        if sender_chat is not None:
            # Anonymous group admins post as the group itself, always "from" GroupAnonymousBot
            # (Telegram sets nothing else); a channel posts as itself with no "from". Any other
            # sender claiming to be the chat is not believed (a forged or relayed update).
            sender_id = user.id if user is not None else None
            if sender_chat.id == chat.id:
                return (
                    sender_id == GROUP_ANONYMOUS_BOT
                    if chat.type != Chat.CHANNEL
                    else sender_id is None
                )
            # A discussion group's linked channel (posts on its behalf, "from" Channel_Bot, or
            # Telegram for automatic forwards) is run by its admins.
            if linked_chat_id is not None and sender_chat.id == linked_chat_id:
                return sender_id in (None, CHANNEL_BOT, TELEGRAM_SERVICE)
            # Any other channel identity hides the person behind it (``from`` is a placeholder
            # bot account then), so it gets no rights.
            return False
        if user is None:
            return chat.type == Chat.CHANNEL
        if user.id in self.owners:
            return True
        if chat.type == Chat.PRIVATE:
            return chat.id == user.id
        return await self.member_is_admin(bot, chat.id, user.id)

    async def member_is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        """getChatMember(chat, user) is administrator/creator, cached."""
        if user_id in self.owners:
            return True
        now = self._clock()
        cached = self._cache.get((chat_id, user_id))
        if cached is not None and now - cached[0] < self.cache_seconds:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            log.warning("getChatMember(%s, %s) failed: %s", chat_id, user_id, exc)
            return False
        allowed = member.status in _ADMIN_STATUSES
        self._cache[(chat_id, user_id)] = (now, allowed)
        if len(self._cache) > 10_000:
            self._cache = {k: v for k, v in self._cache.items() if now - v[0] < self.cache_seconds}
        return allowed
