"""Stopping Ocean stops its whole process group, whatever the leader did first.

Ocean's worker processes inherit a SIGTERM handler that does not make them exit: after a cancel the
leader died while they lived on, reparented, holding the output pipe — and the rehearsal waited for
that pipe forever (a CI run hung on it). A stand-in for Ocean reproduces exactly that shape: a shell
leader and a worker that ignores SIGTERM and keeps the pipe open.
"""

from __future__ import annotations

import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from builder.ship import ocean_process
from builder.ship.ocean_process import run_ocean
from builder.ship.rehearse_progress import Cancel, RehearsalCancelled, RehearsalError
from test_rehearse_tab import processes_with  # tests/rehearse (pytest puts this folder on sys.path)

#: The leader writes a line, starts a worker that ignores SIGTERM, then exits (MODE=exit) or waits.
STAND_IN = """#!/bin/sh
"$WORKER_PYTHON" -c 'import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("worker up", flush=True)
time.sleep(600)' &
echo "leader up"
if [ "$MODE" = exit ]; then exit 0; fi
sleep 600
"""

#: A bound for a run that must end: reaching it is the hang this file is about, reported as a failure.
HANG = 60


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(ocean_process, "STOP_GRACE", 0.5)
    python = tmp_path / "python"
    python.write_text(STAND_IN)
    python.chmod(0o755)
    return python


def run(python: Path, tmp_path: Path, mode: str, **kwargs: Any) -> tuple[dict[str, Any], str]:
    """``run_ocean`` in a thread (bounded by :data:`HANG`); returns its outcome and the run's marker."""
    marker = f"REHEARSAL_GROUP_TEST={uuid.uuid4().hex}"
    env = {"MODE": mode, "WORKER_PYTHON": sys.executable, marker.split("=")[0]: marker.split("=")[1]}
    outcome: dict[str, Any] = {"lines": []}
    cancel: Cancel | None = kwargs.pop("cancel", None)

    def on_line(line: str) -> None:
        outcome["lines"].append(line.strip())
        if cancel is not None and len(outcome["lines"]) == 2:  # leader and worker both up
            cancel.set()

    def target() -> None:
        try:
            outcome["status"] = run_ocean(python, tmp_path, env, log_path=tmp_path / "ocean.log", on_line=on_line,
                                          cancel=cancel, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - the test asserts on it
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), f"run_ocean still waiting after {HANG} s: {outcome}, alive: {processes_with(marker)}"
    return outcome, marker


def test_a_cancel_stops_the_worker_that_outlives_its_leader(stand_in, tmp_path):
    outcome, marker = run(stand_in, tmp_path, "wait", timeout=600, cancel=Cancel())
    assert isinstance(outcome.get("error"), RehearsalCancelled), outcome
    assert sorted(outcome["lines"]) == ["leader up", "worker up"]
    assert processes_with(marker) == []


def test_a_leader_that_exits_leaves_no_worker_behind(stand_in, tmp_path):
    outcome, marker = run(stand_in, tmp_path, "exit", timeout=600)
    assert outcome.get("status") == 0, outcome
    assert processes_with(marker) == []


def test_the_timeout_stops_the_whole_group(stand_in, tmp_path):
    outcome, marker = run(stand_in, tmp_path, "wait", timeout=1)
    error = outcome.get("error")
    assert isinstance(error, RehearsalError) and "did not finish within 1 s" in str(error), outcome
    assert processes_with(marker) == []
