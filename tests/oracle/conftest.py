"""The oracle runner runs under port-ocean's own venv (Python >= 3.12), never under pytest.

The engine never reads this process's environment on its own (`env` is ``{}`` until one is
installed). port-ocean with ``allowEnvironmentVariablesJqAccess`` true hands libjq its process
environment, and the oracle runner inherits ours (``subprocess.run`` without ``env=``), so each
test here installs exactly that environment in the engine: the same setup on both sides, the
assertions unchanged."""

from __future__ import annotations

import os
from typing import Iterator

import pytest

from builder.engine import jqrt

collect_ignore = ["ocean_runner.py", "cursor_data.py"]


@pytest.fixture(autouse=True)
def the_oracle_process_environment() -> Iterator[None]:
    token = jqrt.install_environment(dict(os.environ))
    try:
        yield
    finally:
        jqrt.restore_environment(token)
