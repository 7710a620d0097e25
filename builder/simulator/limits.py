"""Rate limits (cursor-api.md §1.5) and ETag caching (§1.6).

Limits are counted in a sliding 60-second window per bucket. Admin and AI Code limits are scoped
to one endpoint ("most are scoped to a single endpoint"), while the Analytics page states its
100/min and 50/min per team for all team-level and all by-user endpoints, so those share a bucket.
The clock is injected so that tests move time forward instead of sleeping.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from typing import Callable

WINDOW_SECONDS = 60.0
RETRY_AFTER = "60"  # documented constant, not the real time left in the window

# group name -> documented requests per minute
GROUPS: dict[str, int] = {
    "admin": 20,
    "usage-events": 60,
    "user-spend-limit": 250,
    "user-spend-limits": 20,
    "remove-member": 50,
    "analytics-team": 100,
    "conversation-insights": 20,
    "analytics-by-user": 50,
    "ai-code": 20,
    "cloud-agents": 60,  # not documented (§9): an invented per-endpoint limit so 429s can be exercised
}

ADMIN_429 = {"code": "error", "message": "Rate limit exceeded"}
GENERIC_429 = {"error": "Too Many Requests", "message": "Rate limit exceeded. Please try again later."}


class RateLimiter:
    def __init__(self, *, enabled: bool = True, overrides: dict[str, int] | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.enabled = enabled
        self.limits = {**GROUPS, **(overrides or {})}
        self._clock = clock or time.monotonic
        self._hits: dict[str, deque[float]] = {}

    def _window(self, bucket: str) -> deque[float]:
        hits = self._hits.setdefault(bucket, deque())
        horizon = self._clock() - WINDOW_SECONDS
        while hits and hits[0] <= horizon:
            hits.popleft()
        return hits

    def allows(self, bucket: str, group: str) -> bool:
        """Would one more request in ``bucket`` fit? Does not count it."""
        if not self.enabled:
            return True
        return len(self._window(bucket)) < self.limits[group]

    def record(self, bucket: str) -> None:
        if self.enabled:
            self._window(bucket).append(self._clock())

    def remaining(self, bucket: str, group: str) -> int:
        return max(0, self.limits[group] - len(self._window(bucket)))

    def reset(self) -> None:
        self._hits.clear()


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False
