"""A faithful, seeded simulator of Cursor's Admin, AI Code Tracking and Analytics APIs.

It backs ``cursor-builder --demo`` and the test suite: ``create_app(SimulatorConfig(...))`` returns an
ASGI app to use in-process through ``httpx.ASGITransport`` or to serve with uvicorn
(``cursor-builder simulate``). Shapes follow ../shared/reference/cursor-api.md.
"""

from __future__ import annotations

from .app import SimulatorApp, create_app
from .config import DEMO_API_KEY, FaultConfig, SimulatorConfig
from .limits import GROUPS as RATE_LIMIT_GROUPS

__all__ = ["DEMO_API_KEY", "FaultConfig", "RATE_LIMIT_GROUPS", "SimulatorApp", "SimulatorConfig", "create_app"]
