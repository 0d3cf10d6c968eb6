"""Per-user question budget (at most N questions in any sliding window of W seconds), and the
Bot API rate limiter: Telegram's flood limits, each message's wait bounded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

#: What a Bot API call returns (PTB's JSONDict).
JSONDict = dict[str, Any]


class QuestionLimiter:
    """Sliding-window counter per user id; in memory (a restart forgives everyone)."""

    def __init__(
        self, per_window: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ):
        """At most ``per_window`` questions per ``window_seconds`` for each id."""
        self.per_window = per_window
        self.window = float(window_seconds)
        self._clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._noticed: dict[int, float] = {}

    def _prune(self, user_id: int, now: float) -> deque[float]:
        """The id's question times still inside the window (older ones dropped)."""
        times = self._seen.setdefault(user_id, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def hit(self, user_id: int) -> float:
        """Count a question; 0 if allowed, else the seconds until the next one is allowed."""
        now = self._clock()
        times = self._prune(user_id, now)
        if len(times) >= self.per_window:
            return max(0.0, times[0] + self.window - now)
        times.append(now)
        if len(self._seen) > 10_000:  # forget idle users now and then
            for uid in [u for u, q in self._seen.items() if not q or q[-1] <= now - self.window]:
                del self._seen[uid]
        return 0.0

    def notice_due(self, user_id: int) -> bool:
        """True at most once per window for an id that is being refused: a flooder gets one
        "slow down" notice, not one per message (the rest are dropped silently)."""
        now = self._clock()
        last = self._noticed.get(user_id)
        if last is not None and now - last < self.window:
            return False
        if len(self._noticed) > 10_000:
            self._noticed = {u: t for u, t in self._noticed.items() if now - t < self.window}
        self._noticed[user_id] = now
        return True

    @staticmethod
    def seconds_text(wait: float) -> int:
        """A wait in whole seconds for people (at least 1)."""
        return max(1, math.ceil(wait))


# -- replies: Telegram's flood limits, with a bound on how long a reply may wait ---------------


class ReplyDropped(TelegramError):
    """A message that could not be sent within the wait bound (its chat is flooded): dropped."""


#: Bot API methods that send or change messages: the ones Telegram's flood limits count.
def counts_as_message(endpoint: str) -> bool:
    """True for the methods Telegram's per-chat and overall message limits apply to."""
    return (
        endpoint.startswith(("send", "edit", "copyMessage", "forwardMessage"))
        and endpoint != "sendChatAction"
    )


class BoundedRateLimiter(BaseRateLimiter[int]):
    """Telegram's limits (≈30 messages/s overall, 20 a minute per group) like PTB's
    ``AIORateLimiter``, but a message that cannot get its turn within ``max_wait`` seconds is
    dropped (``ReplyDropped``) instead of holding an update slot for minutes; once a group's
    message was dropped, its next ones that would have to wait are dropped at once, for
    ``max_wait`` seconds. A ``RetryAfter`` is retried ``max_retries`` times when its wait fits
    in the bound, and it pauses only that chat (PTB's pauses every chat).
    """

    def __init__(
        self,
        *,
        overall_per_second: float = 30,
        group_per_minute: float = 20,
        max_wait: float = 10.0,
        max_retries: int = 1,
    ) -> None:
        """Limits as Telegram documents them; ``max_wait`` bounds each message's wait."""
        self.overall = AsyncLimiter(overall_per_second, 1)
        self.group_per_minute = group_per_minute
        self.max_wait = max_wait
        self.max_retries = max_retries
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._congested_until: dict[int | str, float] = {}
        self.dropped = 0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    def _group(self, chat: int | str) -> AsyncLimiter:
        if len(self._groups) > 1024:  # forget groups whose bucket is full again (idle)
            for key in [k for k, v in self._groups.items() if v.has_capacity(v.max_rate)]:
                del self._groups[key]
                self._congested_until.pop(key, None)
        limiter = self._groups.get(chat)
        if limiter is None:
            limiter = self._groups[chat] = AsyncLimiter(self.group_per_minute, 60)
        return limiter

    async def _take(self, limiter: AsyncLimiter, chat: int | str, deadline: float) -> None:
        """One turn of ``limiter`` before ``deadline``, or ``ReplyDropped``."""
        loop = asyncio.get_running_loop()
        if limiter.has_capacity():
            await limiter.acquire()
            return
        if self._congested_until.get(chat, 0.0) > loop.time():
            raise ReplyDropped(f"chat {chat} is flooded: message dropped")
        try:
            await asyncio.wait_for(limiter.acquire(), max(0.0, deadline - loop.time()))
        except TimeoutError:
            self._congested_until[chat] = loop.time() + self.max_wait
            raise ReplyDropped(
                f"chat {chat}: no turn within {self.max_wait:g} s, message dropped"
            ) from None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for the chat's and the overall turn (bounded), then call the Bot API."""
        chat_id = data.get("chat_id")
        limited = chat_id is not None and counts_as_message(endpoint)
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        group = (
            chat_id
            if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)
            else None
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            if limited:
                if group is not None:
                    await self._take(self._group(group), group, deadline)
                await self._take(self.overall, "overall", deadline)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = (
                    exc.retry_after
                    if isinstance(exc.retry_after, (int, float))
                    else exc.retry_after.total_seconds()
                )
                if attempt == retries or loop.time() + wait > deadline + self.max_wait:
                    raise
                log.info("%s: flood limit hit, retrying in %.1f s", endpoint, wait)
                await asyncio.sleep(wait + 0.1)
        raise AssertionError("unreachable")  # the last attempt returned or raised
