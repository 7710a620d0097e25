"""The embedded, Port-compatible catalog: SQLite storage + an ASGI app speaking Port's REST API.

``cursor-builder sync --target local`` writes here in-process; ``cursor-builder catalog serve``
puts the same app on loopback; ``catalog ls`` and the TUI read it with the store's query functions.
"""

from __future__ import annotations

import os
from pathlib import Path

from builder.port.catalog.app import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, CatalogApp, create_app
from builder.port.catalog.faults import CatalogFaults, Fault, FaultyTransport
from builder.port.catalog.store import CatalogStore

__all__ = [
    "CatalogApp", "CatalogFaults", "CatalogStore", "Fault", "FaultyTransport", "LOCAL_CLIENT_ID",
    "LOCAL_CLIENT_SECRET", "create_app", "default_db_path",
]


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/cursor-builder/catalog.db`` (default ``~/.local/share/cursor-builder/catalog.db``).

    One catalog for all projects, like one Port organisation: ``sync --target local``,
    ``catalog serve`` and ``catalog ls`` all see the same data without passing ``--db``.
    """
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cursor-builder" / "catalog.db"
