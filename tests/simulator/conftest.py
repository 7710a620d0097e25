"""Fixtures for the simulator contract tests; helpers live in sim_support (importable by name)."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from builder.simulator import create_app
from sim_support import FakeClock, SimClient, small_config


@pytest.fixture
def make_client() -> Callable[..., SimClient]:
    clients: list[SimClient] = []

    def make(auth: Any = "default", **overrides: Any) -> SimClient:
        config = small_config(**overrides)
        client = SimClient(create_app(config), (config.api_key, "") if auth == "default" else auth)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def sim(make_client) -> SimClient:
    return make_client()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
