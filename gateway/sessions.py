"""What a gateway process remembers between requests about sessions and failed sign-ins.

- ``SessionCheck``: a token that names a session is accepted only while the members service says
  the session is valid (``members.verify_session``, which also records the activity that keeps
  the session from idling out). An answer is believed for ``seconds`` (a few), so a revoked
  session is refused within that time on every gateway process, at one RPC per session and
  process at most that often.
- ``FailureThrottle``: failed sign-ins and kiosk pairings per client address and window; beyond
  the limit every attempt from that address is refused (429) until the window has passed. It
  is per process, so N gateway processes allow N times the limit; the per-account lockout in
  the members service is the rule that holds whatever the number of processes.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from cachetools import TTLCache


class SessionCheck:
    def __init__(self, seconds: float, maxsize: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._known: TTLCache[str, bool] | None = (
            TTLCache(maxsize=maxsize, ttl=seconds) if seconds > 0 else None
        )

    def valid(self, session_id: str, ask: Callable[[], bool]) -> bool:
        if self._known is None:
            return ask()
        with self._lock:
            known = self._known.get(session_id)
        if known is not None:
            return known
        answer = bool(ask())
        with self._lock:
            self._known[session_id] = answer
        return answer

    def forget(self, session_id: str) -> None:
        if self._known is not None:
            with self._lock:
                self._known.pop(session_id, None)


class FailureThrottle:
    def __init__(
        self,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        maxsize: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        # address -> times of its failures within the window (oldest first)
        self._failures: TTLCache[str, list[float]] = TTLCache(
            maxsize=maxsize, ttl=max(window_seconds, 1), timer=clock
        )

    def retry_after(self, key: str) -> int | None:
        """Seconds until ``key`` may try again, or None when it may now."""
        now = self._clock()
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if now - t < self.window]
        if len(recent) < self.limit:
            return None
        return max(1, math.ceil(recent[-self.limit] + self.window - now))

    def failed(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if now - t < self.window]
            self._failures[key] = [*recent[-(self.limit - 1) :], now] if self.limit > 1 else [now]
