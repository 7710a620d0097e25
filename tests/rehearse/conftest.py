"""The Ocean runtime the rehearsal tests run: the real one, or a loud failure with the setup hint.

A missing runtime must not pass silently — the rehearsal is the proof that the preview equals what
Ocean delivers — so these tests fail, saying how to install it (scripts/test.sh always does).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.ship.rehearse import OceanRuntime
from builder.ship.rehearse_progress import RehearsalError

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "ocean-custom"


@pytest.fixture(scope="session")
def runtime() -> OceanRuntime:
    try:
        found = OceanRuntime.find()
    except RehearsalError as exc:
        pytest.fail(f"no Ocean runtime for the rehearsal: {exc} — run `bash scripts/setup-oracle.sh` "
                    "(installs port-ocean[cli]==0.56.2 into .oracle-venv) or set ORACLE_PYTHON", pytrace=False)
    assert found.source == REFERENCE.resolve()
    return found
