"""A Bot API transport that rides out short outages: retries with backoff, ``retry_after`` honoured.

PTB already retries ``getUpdates`` forever (its polling loop backs off 1 s → 1.5× → 30 s on a
``NetworkError`` and sleeps ``retry_after`` + 0.5 s on a ``RetryAfter``), and ``AIORateLimiter``
retries a method once after a ``RetryAfter``. Nothing retries a ``sendMessage`` that met a
502 or a refused connection: the answer to a question whose update was already acknowledged
would be lost. ``RetryingRequest`` wraps PTB's ``HTTPXRequest`` (any ``BaseRequest``) and,
bounded in attempts and in total time:

* HTTP 429 with ``parameters.retry_after``: waits exactly that long (at most
  ``max_retry_after``; longer waits are left to PTB's ``RetryAfter`` handling) and retries;
* HTTP 500/502/503/504: the API answered that it did not do it — retries with exponential
  backoff and jitter;
* the request never left (connection refused, connect timeout, pool timeout): retries the
  same way, whatever the method;
* the connection broke after the request was sent (read timeout, reset, server hung up):
  retried only for methods that are harmless to repeat (``get*``, edits, callback answers,
  command menus, file downloads). A ``sendMessage`` is not repeated then — it may have been
  delivered, and a duplicate answer is worse than the error handler's log line.

The token is part of every URL, so log lines name the API method only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable

import httpx
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({500, 502, 503, 504})
#: httpx errors raised before anything was sent: always safe to retry.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Methods that do no harm when repeated (besides every get*).
REPEATABLE = frozenset(
    {
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "answerInlineQuery",
        "setMyCommands",
        "deleteMyCommands",
        "setWebhook",
        "deleteWebhook",
        "sendChatAction",
        "logOut",
        "close",
    }
)


def api_method(url: str) -> str:
    """``https://api.telegram.org/bot<token>/sendMessage`` → ``sendMessage``; files → ``file``."""
    if "/file/bot" in url:
        return "file"
    return url.rstrip("/").rsplit("/", 1)[-1]


def repeatable(method: str) -> bool:
    return method == "file" or method.startswith("get") or method in REPEATABLE


def retry_after_of(payload: bytes) -> float | None:
    """``parameters.retry_after`` of a Bot API error body, if any."""
    try:
        value = json.loads(payload.decode("utf-8", "replace"))["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return None
    return float(value) if isinstance(value, (int, float)) and value >= 0 else None


class RetryingRequest(BaseRequest):
    """Wraps a ``BaseRequest`` (default: PTB's ``HTTPXRequest``) with bounded retries."""

    # Defaults: 12 attempts, delays 0.5 s doubling to 15 s (each × 0.5–1 jitter), at most
    # 120 s in all — an outage of a minute or two costs a late answer, not a lost one.
    def __init__(
        self,
        inner: BaseRequest | None = None,
        *,
        attempts: int = 12,
        base_delay: float = 0.5,
        max_delay: float = 15.0,
        deadline: float = 120.0,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ):
        self.inner = inner if inner is not None else HTTPXRequest()
        self.attempts = max(1, attempts)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.deadline = deadline
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._rng = rng
        self.retries = 0  # total retries made (observability, tests)

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1, 2, …): exponential, capped, ±50 % jitter."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling * (0.5 + self._rng() / 2)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        name = api_method(url)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.attempts
            try:
                code, payload = await self.inner.do_request(
                    url=url,
                    method=method,
                    request_data=request_data,
                    read_timeout=read_timeout,
                    write_timeout=write_timeout,
                    connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
            except (NetworkError, TimedOut) as exc:
                if last or not self._may_repeat(exc, name):
                    raise
                delay, why = self.backoff(attempt), _describe(exc)
                if time.monotonic() - started + delay > self.deadline:
                    raise
            else:
                if code == 429:
                    wait = retry_after_of(payload)
                    if last or wait is None or wait > self.max_retry_after:
                        return code, payload
                    delay, why = wait, f"429 retry_after={wait:g}"
                elif code in RETRY_STATUSES and not last:
                    delay, why = self.backoff(attempt), f"HTTP {code}"
                else:
                    return code, payload
                if time.monotonic() - started + delay > self.deadline:
                    return code, payload
            self.retries += 1
            log.warning(
                "Bot API %s: %s; retry %d/%d in %.1f s",
                name,
                why,
                attempt,
                self.attempts - 1,
                delay,
            )
            await self._sleep(delay)

    @staticmethod
    def _may_repeat(exc: Exception, name: str) -> bool:
        """Whether repeating cannot do the thing twice: nothing was sent, or it is harmless."""
        cause = exc.__cause__
        if isinstance(cause, NOT_SENT):
            return True
        return repeatable(name)


def _describe(exc: Exception) -> str:
    cause = exc.__cause__
    return (
        f"{exc.__class__.__name__} ({cause.__class__.__name__})"
        if cause
        else exc.__class__.__name__
    )
