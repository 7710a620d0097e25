"""Issue #11 "nothing lost, nothing leaked": one test per row that reproduces what went wrong.

Real files, the real catalog over ASGI, faults injected in the transport or the app.
"""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from builder.cli import main
from builder.net.faults import FaultSpecError, parse_faults
from builder.port.catalog import CatalogFaults, CatalogStore, Fault, FaultyTransport, create_app
from builder.port.outcomes import PortError
from builder.sync.failures import FailureRecord, corrupt_path, read_failures, write_failures
from builder.sync.run import sync
from builder.sync.target import open_target, port_target
from sync_fixtures import PROJECT_YAML, catalog_client, make_project, pages_for, usage_event

ROOT = Path(__file__).resolve().parents[2]


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def record(resource: str, n: int) -> FailureRecord:
    return FailureRecord("port", "rejected", resource, "cursorUsageEvent", f"id-{n}", {"identifier": f"id-{n}"})


async def _sync(app: Any, project: Any, events: list[dict[str, Any]], transport: Any = None, **kwargs: Any) -> Any:
    async with catalog_client(app, transport=transport, max_attempts=3) as client:
        return await sync(project, client, pages=pages_for(events), **kwargs)


# -- row 1: a damaged failures file is never dropped ------------------------------------------------

def test_row1_an_unreadable_line_is_kept_aside_and_every_readable_record_kept(tmp_path):
    file = tmp_path / "p.failures.jsonl"
    write_failures(file, [record("usage events", n) for n in range(5)])
    with file.open("a", encoding="utf-8") as stream:
        stream.write('{"stage": "port", "reason": "cut her\n')  # a truncated line
    with file.open("ab") as stream:
        stream.write(b"\xff\xfe not utf-8\n")
    result = write_failures(file, [record("members", 9)], replace_resources=["members"])
    assert result.corrupt == 2 and result.corrupt_file == corrupt_path(file)
    assert sorted(r.identifier for r in read_failures(file)) == [*(f"id-{n}" for n in range(5)), "id-9"]
    assert corrupt_path(file).read_bytes().count(b"\n") == 2


def test_row1_a_sync_reports_the_lines_it_kept_aside(tmp_path):
    project = make_project(tmp_path)
    file = tmp_path / "cursor-builder.failures.jsonl"
    file.write_text('{"truncated\n', encoding="utf-8")
    report = run(_sync(create_app(), project, [usage_event(i) for i in range(3)]))
    assert report.corrupt_lines == 1 and any("kept aside" in line for line in report.lines())
    assert report.exit_code == 1


# -- row 2: a 2xx whose body is not JSON is a failed answer ------------------------------------------

class BadBodies:
    """ASGI wrapper: 200 with a body that is not JSON on paths containing ``needle``."""

    def __init__(self, app: Any, needle: str) -> None:
        self.app, self.needle, self.hits = app, needle, 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and self.needle in scope.get("path", ""):
            self.hits += 1
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": b'{"ok": true, "entit'})
            return
        await self.app(scope, receive, send)


def test_row2_malformed_bulk_answers_are_retried_then_every_record_is_in_the_failures_file(tmp_path):
    app = create_app()
    bad = BadBodies(app, "/entities/bulk")
    project = make_project(tmp_path)
    report = run(_sync(app, project, [usage_event(i) for i in range(30)], transport=httpx.ASGITransport(app=bad)))
    failed = read_failures(tmp_path / "cursor-builder.failures.jsonl")
    assert len(failed) == 34 and all("not valid JSON" in f.reason for f in failed)
    assert report.exit_code == 1 and bad.hits == 3 * 3  # three bulks (4 members, 20 + 10 events), three attempts each


@pytest.mark.parametrize("needle", ["/v1/auth/access_token", "/v1/blueprints/cursorMember"])
def test_row2_malformed_token_and_blueprint_answers_are_one_clear_error(needle):
    async def go() -> None:
        async with catalog_client(None, transport=httpx.ASGITransport(app=BadBodies(create_app(), needle)),
                                  max_attempts=2) as client:
            await client.authenticate()
            await client.get_blueprint("cursorMember")

    with pytest.raises(PortError, match="not valid JSON"):
        run(go())


# -- row 3: files holding user data are private ------------------------------------------------------

def test_row3_failures_file_and_catalog_database_are_created_0600(tmp_path):
    file = tmp_path / "p.failures.jsonl"
    write_failures(file, [record("r", 1)])
    store = CatalogStore(tmp_path / "catalog.db")
    store.close()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "catalog.db").stat().st_mode) == 0o600


# -- row 4: one resolution of the Port target --------------------------------------------------------

def test_row4_cli_and_tui_resolve_the_same_port_url_from_port_base_url(monkeypatch):
    text = PROJECT_YAML.replace("  region: local\n", "  region: us\n  baseUrl: https://port.proxy.example\n")
    project = make_project(text=text)
    env = {"PORT_CLIENT_ID": "id", "PORT_CLIENT_SECRET": "secret"}
    cli = open_target(project, target="port", env=env)  # the CLI passes --region only when given
    tui = open_target(project, target="port", region="us", env=env)  # the TUI passes its selection
    assert cli.client.base_url == tui.client.base_url == "https://port.proxy.example"
    assert port_target(project, "eu") == ("eu", "https://api.port.io")  # another region: its own URL
    for target in (cli, tui):
        run(target.aclose())


# -- row 5: an unwritable failures file --------------------------------------------------------------

def test_row5_records_go_to_a_fallback_file_whose_path_is_said(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "not-a-dir").write_text("a file where a folder should be", encoding="utf-8")
    project = make_project(tmp_path)
    project.path = tmp_path / "not-a-dir" / "cursor-builder.yaml"  # writing next to it fails even as root
    app = create_app(faults=CatalogFaults(reject={"1777900001000-bob@northwind.dev": "no"}))
    report = run(_sync(app, project, [usage_event(i) for i in range(3)]))
    assert report.exit_code == 1 and report.failures_error
    assert "could not write the failures file" in report.failures_error
    assert report.failures_file is not None and str(report.failures_file) in report.failures_error
    assert report.failures_file.is_relative_to(tmp_path / "state")
    assert [r.identifier for r in read_failures(report.failures_file)] == ["1777900001000-bob@northwind.dev"]


# -- row 7: a locked catalog database ----------------------------------------------------------------

def test_row7_a_locked_database_is_waited_for_then_recorded_as_database_locked(tmp_path):
    db = tmp_path / "catalog.db"
    app = create_app(CatalogStore(db, busy_timeout=0.05))
    project = make_project(tmp_path)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database for the whole sync
    try:
        report = run(_sync(app, project, [usage_event(i) for i in range(5)]))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    failed = read_failures(tmp_path / "cursor-builder.failures.jsonl")
    assert report.exit_code == 1 and len(failed) == 9
    assert all("database locked" in f.reason for f in failed)


# -- row 8: two processes writing one failures file --------------------------------------------------

WRITER = textwrap.dedent("""\
    import sys
    from builder.sync.failures import FailureRecord, write_failures
    file, resource = sys.argv[1], sys.argv[2]
    for n in range(40):
        write_failures(file, [FailureRecord("port", "r", resource, "bp", f"{resource}-{n}", {"n": n})],
                       replace_resources=[resource])
    """)


def test_row8_concurrent_writers_keep_each_others_lines(tmp_path):
    file = tmp_path / "p.failures.jsonl"
    children = [subprocess.Popen([sys.executable, "-c", WRITER, str(file), name], cwd=ROOT,
                                 stderr=subprocess.PIPE, text=True) for name in ("a", "b", "c")]
    errors = [child.communicate(timeout=60)[1] for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], errors
    assert sorted(r.identifier for r in read_failures(file)) == ["a-39", "b-39", "c-39"]
    assert not list(tmp_path.glob("*.tmp"))


# -- row 9 and 15: answers lost after the work was done -----------------------------------------------

def test_row9_a_409_on_a_blueprint_create_we_sent_is_reconciled(tmp_path):
    faults = CatalogFaults([Fault(kind="drop", path="/v1/blueprints", method="POST", after_processing=True)])
    app = create_app(faults=faults)
    report = run(_sync(app, make_project(tmp_path), [usage_event(i) for i in range(10)],
                       transport=FaultyTransport(app)))
    assert faults.count("drop POST /v1/blueprints") == 1
    assert report.exit_code == 0 and not report.blueprint_errors
    assert report.total().created == 14


def test_row15_a_retried_create_that_landed_counts_as_created(tmp_path):
    faults = CatalogFaults([Fault(kind="drop", path="/entities/bulk", after_processing=True, times=2)])
    app = create_app(faults=faults)
    report = run(_sync(app, make_project(tmp_path), [usage_event(i) for i in range(40)],
                       transport=FaultyTransport(app)))
    assert faults.count("drop") == 2
    assert (report.total().created, report.total().updated) == (44, 0)


# -- the extra notes -----------------------------------------------------------------------------------

def test_dry_run_does_not_create_the_database(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PORT_CLIENT_ID", raising=False)
    project = tmp_path / "cursor-builder.yaml"
    project.write_text(PROJECT_YAML, encoding="utf-8")
    db = tmp_path / "never.db"
    assert main(["sync", str(project), "--demo", "--dry-run", "--db", str(db)]) == 0
    assert not db.exists() and "would create" in capsys.readouterr().out


def test_simulate_does_not_show_a_key_from_the_environment():
    from builder.cli.simulate import KEY_ENV, banner
    from builder.simulator import DEMO_API_KEY, SimulatorConfig

    secret = "crsr_" + "s" * 64
    text = banner("127.0.0.1", 8765, secret, SimulatorConfig(api_key=secret))
    assert secret not in text and KEY_ENV in text
    assert DEMO_API_KEY in banner("127.0.0.1", 8765, DEMO_API_KEY, SimulatorConfig())


# -- --faults ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("429=0.05,500=0.02,reset=0.02,truncate=0.01,badjson=0.01,delay=0.1:2s",
     ((429, 0.05), (500, 0.02), 0.02, 0.01, 0.01, 0.1, 2.0)),
    ("delay=1:150ms", ((), 0.0, 0.0, 0.0, 1.0, 0.15)),
    ("", ((), 0.0, 0.0, 0.0, 0.0, 0.0)),
])
def test_faults_spec_parses(text, expected):
    spec = parse_faults(text)
    statuses, rest = expected[:-5] if len(expected) == 7 else expected[0], expected[-5:]
    assert spec.statuses == (tuple(statuses) if len(expected) == 7 else statuses)
    assert (spec.reset, spec.truncate, spec.badjson, spec.delay, spec.delay_seconds) == rest


@pytest.mark.parametrize("text, message", [
    ("429", "needs a probability"), ("404=0.1", "429 or 5xx"), ("boom=0.1", "unknown fault"),
    ("500=2", "between 0 and 1"), ("delay=0.1", "delay=PROBABILITY:DURATION"), ("500=0.6,reset=0.6", "more than 1"),
    ("500=x", "not a probability"),
])
def test_faults_spec_errors_are_one_line(text, message):
    with pytest.raises(FaultSpecError, match=message) as caught:
        parse_faults(text)
    assert "\n" not in str(caught.value)


# -- row 13: the catalog decides from the headers before reading a body -------------------------------

def test_row13_catalog_refuses_foreign_hosts_and_unauthenticated_bodies_before_reading_them():
    app = create_app()

    async def call(headers: list[tuple[bytes, bytes]], path: str = "/v1/blueprints") -> int:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            raise AssertionError("the body was read")

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
                 "headers": headers, "server": ("127.0.0.1", 8766)}
        await app(scope, receive, send)
        return sent[0]["status"]

    assert run(call([(b"host", b"evil.example"), (b"authorization", b"Bearer x")])) == 403
    assert run(call([(b"host", b"127.0.0.1:8766"), (b"content-length", b"1500000000")])) == 401
    assert run(call([(b"host", b"localhost"), (b"authorization", b"Bearer x"),
                     (b"content-length", b"1500000000")])) == 413


def test_row13_catalog_ls_escapes_control_characters(tmp_path, capsys):
    store = CatalogStore(tmp_path / "catalog.db")
    store.put_blueprint({"identifier": "bp", "title": "B\x1b]0;pwned\x07", "schema": {"properties": {}}})
    app = create_app(store)

    async def put() -> None:
        async with catalog_client(app) as client:
            report = await client.upsert_entities("bp", [{"identifier": "e1", "title": "red \x1b[31mtext\x1b[0m"}])
            assert report.created == 1

    run(put())
    store.close()
    assert main(["catalog", "ls", "--db", str(tmp_path / "catalog.db")]) == 0
    assert main(["catalog", "ls", "--db", str(tmp_path / "catalog.db"), "-b", "bp"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[31mtext" in out and "\\x1b]0;pwned\\x07" in out
