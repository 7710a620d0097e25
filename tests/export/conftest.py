"""ocean_check.py runs inside port-ocean's venv (Python >= 3.12), never under pytest."""

from __future__ import annotations

import pytest

from builder.project.model import Project
from export_helpers import fixture_project

collect_ignore = ["ocean_check.py"]


@pytest.fixture
def project() -> Project:
    return fixture_project()
