"""Fault injection: the ways a real API and the network in front of it misbehave.

Each request draws the same number of values from one seeded stream, whatever the configuration
and whatever the outcome, so a given seed and request sequence always fails the same way.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from http import HTTPStatus

from builder.net.asgi import Response
from ..net.faults import FaultDice, FaultSpec, InjectedReset
from .config import FaultConfig

_HTML_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def server_error(status: int = 500) -> Response:
    message = "An unexpected error occurred"
    return Response.json({"error": reason(status), "message": message}, status=status)


def html_error(status: int) -> Response:
    page = _HTML_PAGE.format(status=status, reason=reason(status))
    return Response.text(page, status=status, content_type="text/html")


@dataclass
class Draw:
    """The dice for one request, rolled up front."""

    delay_seconds: float
    error_status: int | None
    non_json: bool
    truncate_at: float | None  # fraction of the body to keep
    reset: bool = False  # the answer is lost after the work is done (``--faults reset=P``)


class FaultInjector:
    def __init__(self, config: FaultConfig, seed: int, spec: FaultSpec | None = None) -> None:
        self.config = config
        #: ``simulate --faults``: the shared spelling (builder.net.faults) replaces ``config``'s rates
        self.dice = FaultDice(spec, seed) if spec is not None and spec.active else None
        self._rng = random.Random(f"{seed}/faults")
        self._burst_left = config.burst
        self._burst_status = config.burst_status

    def trigger_burst(self, count: int, status: int = 503) -> None:
        """Make the next ``count`` requests (on faulted paths) fail with ``status``."""
        if not 500 <= status <= 599:
            raise ValueError("burst status must be a 5xx code")
        self._burst_left = count
        self._burst_status = status

    def applies_to(self, path: str) -> bool:
        return not self.config.paths or any(path.startswith(prefix) for prefix in self.config.paths)

    def draw(self, path: str) -> Draw | None:
        if self.dice is not None:
            rolled = self.dice.draw(path)
            return Draw(rolled.delay_seconds, rolled.status, rolled.badjson, rolled.truncate_at, rolled.reset)
        if not self.applies_to(path):
            return None
        cfg = self.config
        rng = self._rng
        # Always consume five values so that changing one rate does not reshuffle the others.
        jitter, error_roll, status_roll, html_roll, truncate_roll = (rng.random() for _ in range(5))
        delay = (cfg.latency_ms + jitter * cfg.latency_jitter_ms) / 1000.0
        status: int | None = None
        if self._burst_left > 0:
            self._burst_left -= 1
            status = self._burst_status
        elif error_roll < cfg.error_rate:
            status = cfg.error_statuses[int(status_roll * len(cfg.error_statuses))]
        non_json = status is None and html_roll < cfg.non_json_rate
        truncate = None
        if status is None and not non_json and truncate_roll < cfg.truncate_rate:
            truncate = 0.2 + 0.6 * ((truncate_roll / cfg.truncate_rate) if cfg.truncate_rate else 0.5)
        return Draw(delay, status, non_json, truncate)

    def apply_after(self, draw: Draw | None, response: Response) -> Response:
        """Body-level faults: only on successful JSON bodies, the case a client trusts most."""
        if draw is not None and draw.reset:
            raise InjectedReset()
        if draw is None or response.status >= 300:
            return response
        if draw.non_json:
            return html_error(self.config.non_json_status)
        if draw.truncate_at is not None and response.headers.get("content-type", "").startswith("application/json"):
            cut = max(1, int(len(response.body) * draw.truncate_at))
            if cut >= len(response.body):
                cut = len(response.body) - 1
            truncated = response.body[:cut]
            try:  # never hand out a body that still happens to parse
                json.loads(truncated)
                truncated = truncated[:-1]
            except ValueError:
                pass
            headers = {k: v for k, v in response.headers.items() if k.lower() not in ("etag", "content-length")}
            return Response(response.status, truncated, headers)
        return response
