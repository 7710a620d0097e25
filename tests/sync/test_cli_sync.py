"""`cursor-builder sync` and `catalog ls|serve`: exit codes, files and output (demo simulator, local catalog)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from builder.port.catalog import CatalogStore
from builder.cli import main
from builder.cli.sync import ProgressPrinter
from builder.sync.failures import read_failures
from builder.sync.report import Counts, SyncProgress
from builder.sync.target import open_target
from sync_fixtures import PROJECT_YAML, make_project


@pytest.fixture(autouse=True)
def no_port_credentials(monkeypatch):
    monkeypatch.delenv("PORT_CLIENT_ID", raising=False)
    monkeypatch.delenv("PORT_CLIENT_SECRET", raising=False)


def write_project(tmp_path: Path, text: str = PROJECT_YAML) -> Path:
    path = tmp_path / "cursor-builder.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def sync(tmp_path: Path, *args: str, project: Path | None = None) -> int:
    project = project or tmp_path / "cursor-builder.yaml"
    return main(["sync", str(project), "--db", str(tmp_path / "catalog.db"), *args])


def test_demo_sync_to_the_local_catalog_then_a_rerun_sends_nothing(tmp_path, capsys):
    write_project(tmp_path)
    assert sync(tmp_path, "--demo") == 0
    out = capsys.readouterr().out
    assert "target: local catalog" in out and "demo mode" in out
    assert "usage events → cursorUsageEvent: 100 created" in out
    assert sync(tmp_path, "--demo") == 0
    out = capsys.readouterr().out
    assert "0 entities sent" in out and "112 unchanged" in out
    store = CatalogStore(tmp_path / "catalog.db")
    assert store.count_entities("cursorUsageEvent") == 100
    store.close()
    assert not (tmp_path / "cursor-builder.failures.jsonl").exists()


def test_failed_records_exit_1_and_retry_failed_recovers_them(tmp_path, capsys):
    broken = PROJECT_YAML.replace("charged_cents: .chargedCents", "charged_cents: .model")  # a string in a number
    project = write_project(tmp_path, broken)
    assert sync(tmp_path, "--demo") == 1
    out = capsys.readouterr().out
    failures_file = tmp_path / "cursor-builder.failures.jsonl"
    failures = read_failures(failures_file)
    assert len(failures) == 100 and {f.stage for f in failures} == {"validation"}
    assert "100 records failed (100 validation)" in out and str(failures_file) in out
    # Fix the blueprint instead of the mapping: the same payloads are now valid.
    project.write_text(broken.replace("charged_cents: {type: number", "charged_cents: {type: string"),
                       encoding="utf-8")
    assert sync(tmp_path, "--retry-failed", str(failures_file)) == 0
    assert "100 created" in capsys.readouterr().out
    assert not failures_file.exists()


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path, capsys):
    write_project(tmp_path)
    assert sync(tmp_path, "--demo", "--dry-run", "--resource", "members") == 0
    out = capsys.readouterr().out
    assert "blueprint cursorMember (create): 12 create" in out and "dry run — would create 12" in out
    assert "usage events" not in out
    store = CatalogStore(tmp_path / "catalog.db")
    assert store.list_blueprints() == []
    store.close()


def test_plain_progress_lines_when_not_a_terminal(tmp_path, capsys):
    write_project(tmp_path)
    sync(tmp_path, "--demo")
    err = capsys.readouterr().err
    assert "\r" not in err and "… fetching usage events" in err and "upsert: 112/112" in err


def test_progress_bar_on_a_terminal():
    stream = io.StringIO()
    printer = ProgressPrinter(stream, tty=True)
    progress = SyncProgress(phase="upsert", counts={("usage events", "evt"): Counts(planned=40, created=20)})
    printer(progress)
    assert stream.getvalue().startswith("\r[###############---------------]  50% 20/40 · usage events → evt 20/40")


@pytest.mark.parametrize("args,message", [
    (["sync", "{dir}/missing.yaml"], "file not found"),
    (["sync", "{project}", "--resource", "nope", "--db", "{dir}/c.db"], "no resource named 'nope'"),
    (["sync", "{project}", "--target", "port"], "PORT_CLIENT_ID and PORT_CLIENT_SECRET"),
    (["sync", "{project}", "--target", "port", "--db", "{dir}/c.db"], "--db"),
    (["sync", "{project}", "--retry-failed", "{dir}/none.jsonl", "--db", "{dir}/c.db"], "no such failures file"),
    (["sync", "{project}", "--retry-failed", "{dir}/f.jsonl", "--resource", "members"], "--retry-failed"),
    (["catalog", "ls", "--db", "{dir}/none.db"], "no catalog at"),
    (["catalog", "serve", "--host", "0.0.0.0", "--db", "{dir}/c.db"], "not a loopback address"),
])
def test_user_errors_exit_2_with_one_line(tmp_path, capsys, args, message):
    project = write_project(tmp_path)
    argv = [a.format(dir=tmp_path, project=project) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "Traceback" not in err[0]


def test_bad_port_credentials_are_a_user_error(tmp_path, capsys, monkeypatch):
    # The local catalog refuses anything but its own credentials: the same path as a wrong Port secret.
    from builder.port.catalog import LOCAL_CLIENT_ID
    from builder.sync import target as sync_module

    original = sync_module.open_target

    def wrong_secret(*args, **kwargs):
        target = original(*args, **kwargs)
        target.client._client_secret = "wrong"
        return target

    monkeypatch.setattr(sync_module, "open_target", wrong_secret)
    write_project(tmp_path)
    assert sync(tmp_path, "--demo") == 2
    err = capsys.readouterr().err
    assert "Port rejected the client id / secret" in err and LOCAL_CLIENT_ID not in err


def test_target_defaults_and_regions(tmp_path):
    project = make_project(tmp_path)
    env = {"PORT_CLIENT_ID": "id", "PORT_CLIENT_SECRET": "secret"}
    project.port["region"] = "us"
    us = open_target(project, env=env)
    assert us.kind == "port" and us.client.base_url == "https://api.us.port.io"
    eu = open_target(project, region="eu", env=env)
    assert eu.client.base_url == "https://api.port.io" and "Port EU" in eu.description
    local = open_target(project, env={}, db=tmp_path / "c.db")
    assert local.kind == "local" and "no Port credentials" in local.reason
    project.port["region"] = "local"
    assert open_target(project, env=env, db=tmp_path / "c.db").kind == "local"
    import asyncio

    for target in (us, eu, local):
        asyncio.run(target.aclose())


def test_catalog_ls_lists_blueprints_and_entities(tmp_path, capsys):
    write_project(tmp_path)
    sync(tmp_path, "--demo", "--resource", "members")
    capsys.readouterr()
    assert main(["catalog", "ls", "--db", str(tmp_path / "catalog.db")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["BLUEPRINT", "ENTITIES", "TITLE"]
    assert out[1].split()[:2] == ["cursorMember", "12"]
    assert main(["catalog", "ls", "--db", str(tmp_path / "catalog.db"), "-b", "cursorMember", "--limit", "5",
                 "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 5
    assert main(["catalog", "ls", "--db", str(tmp_path / "catalog.db"), "-b", "cursorMember", "--limit", "5"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1–5 of 12 entities in cursorMember"
    assert main(["catalog", "ls", "--db", str(tmp_path / "catalog.db"), "-b", "nope"]) == 2
