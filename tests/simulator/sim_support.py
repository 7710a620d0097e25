"""Helpers shared by the simulator tests: fixed time, a fake clock, a sync client over ASGI."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import httpx

from builder.simulator import SimulatorConfig

# A Monday noon: today is partial, the weekend before is quiet, the cycle boundary is deterministic.
FIXED_NOW = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)
NOW_MS = int(FIXED_NOW.timestamp() * 1000)
DAY_MS = 86_400_000


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class SimClient:
    """httpx over ASGI, driven from synchronous tests by one private event loop."""

    def __init__(self, app: Any, auth: Any) -> None:
        self.app = app
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://api.cursor.com",
                                         auth=auth)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self._loop.run_until_complete(self._client.request(method, path, **kwargs))

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


def small_config(**overrides: Any) -> SimulatorConfig:
    values: dict[str, Any] = {"team_size": 8, "days": 30, "seed": 7, "now": FIXED_NOW, "rate_limits": False}
    values.update(overrides)
    return SimulatorConfig(**values)
