"""Counting what jq compiles (tests of the compile memo and of the batch programs)."""

from __future__ import annotations

from typing import Any

import pytest

from builder.engine import jqrt


def counted_compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The list each program jq compiles from now on is appended to (``jqrt.compile_raw``, the one
    place programs are compiled)."""
    seen: list[str] = []
    real = jqrt.compile_raw

    def counted(program: str, label: str | None = None) -> Any:
        seen.append(program)
        return real(program, label)

    monkeypatch.setattr(jqrt, "compile_raw", counted)
    return seen
