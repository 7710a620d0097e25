"""When to retry an HTTP request, and how long to wait first.

Two policies on purpose, with one reading of the server's hint:

* :class:`RetryPolicy` (the HTTP source, a person waiting at the preview): a few attempts, backoff
  from 1 s with a little added jitter, and a ``Retry-After`` longer than ``max_retry_after`` is not
  waited for at all, so the user decides instead of watching a frozen screen;
* :func:`retry_delay` (the Port client, a sync running unattended): Ocean-like backoff from 0.5 s
  with "equal jitter" so concurrent bulks spread out, and the server's hint (``Retry-After`` or
  ``x-ratelimit-reset``) always honoured, capped at ``max_backoff``.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Callable, Mapping

#: An overall bound on ONE request of the HTTP source, connect to last byte (issue #11 row 12):
#: httpx's ``timeout`` bounds each read, so a server trickling a byte a second holds a request for
#: ever under it. Here (no httpx import) so the CLI's parsers can name it without loading httpx.
DEFAULT_REQUEST_DEADLINE = 60.0

def retry_after_seconds(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """A ``Retry-After`` value (delta-seconds or an HTTP date) as seconds from ``now()``; negative for
    a date already past, None when absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        try:
            return parsedate_to_datetime(value).timestamp() - now()
        except (TypeError, ValueError):
            return None


@dataclass
class RetryPolicy:
    """Bounded retries with capped exponential backoff and jitter; Retry-After wins when given."""

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    jitter: float = 0.25  # up to this fraction of the delay is added at random (spreads retries out)
    max_retry_after: float = 120.0  # a longer Retry-After is not waited for: the user decides

    def delay(self, retry: int, retry_after: float | None, rng: random.Random) -> float | None:
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        base = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return min(self.max_delay, base * (1 + self.jitter * rng.random()))


def retry_delay(attempt: int, headers: Mapping[str, str] | None, *, max_backoff: float,
                rng: Callable[[], float] = random.random, now: Callable[[], float] = time.time) -> float:
    """Seconds to wait before retry ``attempt`` (1-based): the server's hint when it gives one
    (``Retry-After`` seconds or HTTP date, else ``x-ratelimit-reset`` seconds or epoch), else
    exponential backoff from 0.5 s; always capped, with jitter so concurrent bulks spread out."""
    hinted: float | None = None
    if headers:
        hinted = retry_after_seconds(headers.get("retry-after"), now)
        reset = (headers.get("x-ratelimit-reset") or "").strip()
        if hinted is None and reset:
            try:
                value = float(reset)
                hinted = value - now() if value > 1e9 else value  # epoch seconds or seconds to go
            except ValueError:
                hinted = None
    if hinted is not None:
        return min(max(hinted, 0.0) * (1 + 0.1 * rng()), max_backoff)
    base = min(0.5 * 2 ** (attempt - 1), max_backoff)
    return base * (0.5 + rng() / 2)
