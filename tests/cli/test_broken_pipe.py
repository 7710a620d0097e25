"""Issue #11 row 11: `… | head -1` — the reader leaves early; the command exits quietly (no traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRESET = ROOT / "presets" / "cursor" / "project.yaml"


@pytest.fixture(scope="module")
def catalog_db(tmp_path_factory) -> Path:
    from builder.port.catalog import CatalogStore

    db = tmp_path_factory.mktemp("pipe") / "catalog.db"
    store = CatalogStore(db)
    for n in range(1500):  # more than a pipe buffer (64 KiB), so the writer really meets the closed pipe
        store.put_blueprint({"identifier": f"bp{n:04}", "title": "B" * 60, "schema": {"properties": {}}})
    store.close()
    return db


@pytest.mark.parametrize("command", [
    ["catalog", "ls", "--format", "json", "--db", "{db}"],
    ["catalog", "ls", "--db", "{db}"],
    ["fetch", str(PRESET), "-r", "/teams/filtered-usage-events", "--demo", "--all-pages", "--format", "json"],
    ["preview", str(PRESET), "-r", "/teams/filtered-usage-events", "--demo", "--format", "json"],
])
def test_a_reader_that_leaves_early_gets_a_quiet_exit(catalog_db, command):
    argv = [part.replace("{db}", str(catalog_db)) for part in command]
    writer = subprocess.Popen([sys.executable, "-m", "builder", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert writer.stdout is not None
    writer.stdout.readline()
    writer.stdout.close()  # what `| head -1` does after its line
    _, err = writer.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode(errors="replace")
    assert writer.returncode in (0, 141), (writer.returncode, err)
