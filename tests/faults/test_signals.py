"""Signals to a real ``cursor-builder sync`` child process (issue #11 row 6): SIGINT, SIGTERM, a
second signal (abort) and SIGKILL, each while the sync writes to a real ``catalog serve`` child over
loopback (slowed by ``--faults delay=…`` so there is a "during"). Afterwards, and after one
``--retry-failed``, every planned entity is in the catalog exactly once or in the failures file.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from builder.cli import main
from builder.port.catalog import CatalogStore
from builder.sync.failures import load_failures
from sync_fixtures import PROJECT_YAML

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0
EVENTS = 100  # the demo team's usage events in the fixture's window, plus its members
CREDENTIALS = {"PORT_CLIENT_ID": "local-catalog", "PORT_CLIENT_SECRET": "local-catalog-secret"}


def wait_for(condition: Any, what: str, deadline: float = DEADLINE) -> Any:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.02)  # polling a condition, not waiting in place of one
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Iterator[dict[str, Any]]:
    db = tmp_path_factory.mktemp("catalog") / "catalog.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen([sys.executable, "-m", "builder", "catalog", "serve", "--host", "127.0.0.1", "--port", "0",
                              "--db", str(db), "--faults", "delay=1:0.15s"],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = child.stdout.readline() if child.stdout else ""
        match = re.search(r"at (http://127\.0\.0\.1:\d+)", line)
        assert match, f"catalog serve did not start: {line!r}"
        yield {"url": match.group(1), "db": db}
    finally:
        child.terminate()
        child.wait(timeout=DEADLINE)


def project_for(tmp_path: Path, url: str, case: str) -> Path:
    # Each case writes its own blueprints, so the shared catalog starts empty for it.
    text = (PROJECT_YAML.replace("cursorMember", f"cursorMember{case}")
            .replace("cursorUsageEvent", f"cursorUsageEvent{case}")
            .replace("  region: local\n", f"  region: eu\n  baseUrl: {url}\n"))
    path = tmp_path / "cursor-builder.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def start_sync(tmp_path: Path, project: Path) -> subprocess.Popen[str]:
    env = {**os.environ, **CREDENTIALS, "XDG_STATE_HOME": str(tmp_path / "state"), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "builder", "sync", str(project), "--demo", "--target", "port"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stored(db: Path, case: str) -> dict[tuple[str, str], int]:
    store = CatalogStore(db)
    try:
        out: dict[tuple[str, str], int] = {}
        for bp in (f"cursorMember{case}", f"cursorUsageEvent{case}"):
            for entity in store.iter_entities(bp):
                out[(bp, entity["identifier"])] = out.get((bp, entity["identifier"]), 0) + 1
        return out
    finally:
        store.close()


CASES = {
    "int": [signal.SIGINT],
    "term": [signal.SIGTERM],
    "termterm": [signal.SIGTERM, signal.SIGTERM],
    "kill": [signal.SIGKILL],
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_signal_during_the_sync_loses_nothing(tmp_path, catalog, monkeypatch, case):
    project = project_for(tmp_path, catalog["url"], case)
    failures = tmp_path / "cursor-builder.failures.jsonl"
    child = start_sync(tmp_path, project)
    try:
        # The write-ahead lists every entity to send before the first upsert: that is "during".
        wait_for(lambda: failures.exists() or child.poll() is not None, "the sync to start sending")
        assert child.poll() is None, child.communicate()
        planned = {(r.blueprint, r.identifier) for r in load_failures(failures).records}
        assert len(planned) == EVENTS + 12
        first, *again = CASES[case]
        child.send_signal(first)
        seen = ""
        if again:
            # Signals are not queued: send the second once the first was handled (blueprints are
            # still being applied then, so the abort lands mid-run).
            while "cancelling" not in seen and child.stderr is not None:
                line = child.stderr.readline()
                if not line:
                    break
                seen += line
            for signum in again:
                child.send_signal(signum)
        out, err = child.communicate(timeout=DEADLINE)
        err = seen + err
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert "Traceback" not in err
    if case == "kill":
        assert child.returncode == -signal.SIGKILL
    elif case == "termterm":
        assert child.returncode == 130 and "aborted" in err
    else:
        assert child.returncode == 1 and "cancelling" in err
    in_catalog = stored(catalog["db"], case)
    recorded = {(r.blueprint, r.identifier): r for r in load_failures(failures).records} if failures.exists() else {}
    assert all(n == 1 for n in in_catalog.values())
    assert not planned - set(in_catalog) - set(recorded), "entities neither stored nor recorded"
    assert all(r.reason for r in recorded.values())
    # One retry converges: everything stored, the failures file gone.
    for name, value in {**CREDENTIALS, "XDG_STATE_HOME": str(tmp_path / "state")}.items():
        monkeypatch.setenv(name, value)
    assert main(["sync", str(project), "--target", "port", "--retry-failed", str(failures)]) == 0
    # (the catalog may hold more: related entities Port creates for createMissingRelatedEntities)
    final = set(stored(catalog["db"], case))
    assert planned <= final, sorted(planned - final)[:5]
    assert not failures.exists()
