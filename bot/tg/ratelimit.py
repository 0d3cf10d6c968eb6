"""Per-user question budget: at most N questions in any sliding window of W seconds."""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Callable


class QuestionLimiter:
    """Sliding-window counter per user id; in memory (a restart forgives everyone)."""

    def __init__(self, per_window: int, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic):
        """At most ``per_window`` questions per ``window_seconds`` for each id."""
        self.per_window = per_window
        self.window = float(window_seconds)
        self._clock = clock
        self._seen: dict[int, deque[float]] = {}

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

    @staticmethod
    def seconds_text(wait: float) -> int:
        """A wait in whole seconds for people (at least 1)."""
        return max(1, math.ceil(wait))
