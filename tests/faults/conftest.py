"""The fault matrix reuses the sync tests' small project and pages (tests/sync/sync_fixtures.py)."""

from __future__ import annotations

import sys
from pathlib import Path

SYNC_TESTS = Path(__file__).resolve().parents[1] / "sync"
if str(SYNC_TESTS) not in sys.path:
    sys.path.insert(0, str(SYNC_TESTS))
