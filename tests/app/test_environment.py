"""`env` / `$ENV` in the TUI: the deployed integration's environment, never this machine's.

A marker secret sits in this process's environment (where the user's CURSOR_API_KEY is) and the
session keeps that environment (no ``env={}``: the app must not rely on it). Mappings read it every
way jq allows; the Build tab, evaluated in the evaluation process and in the in-thread fallback,
shows ``{}``/null (the export pins env access off) or, for a project that opts in, the export's
variables with every secret as a placeholder. ``make_app`` installs it, not only ``cli.main``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from builder.engine import jqrt, mapping
from builder.project.load import load_project
from builder.ship.environment import deployed_environment
from builder.tui.app import make_app
from builder.tui.messages import ProjectChanged
from builder.tui.screens import results
from widgets.mapping_table import MappingTable

from .conftest import FIXTURES, SIZE, settle, simulator_config
from .test_build_loop import pick, retype

pytestmark = pytest.mark.anyio

MARKER = "crsr_marker_5ecret_do_not_leak"
READERS = {"env_x": "env.CURSOR_API_KEY", "env_all": "env | tojson", "dollar_env": "$ENV.CURSOR_API_KEY",
           "dollar_index": '$ENV["CURSOR_API_KEY"]', "dollar_all": "$ENV | tojson",
           "ocean_key": 'env.OCEAN__INTEGRATION__CONFIG__API_KEY // "none"'}
PLACEHOLDER = "<secret: $CURSOR_API_KEY>"


@pytest.fixture(autouse=True)
def marker_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CURSOR_API_KEY", MARKER)
    monkeypatch.setenv("PORT_CLIENT_SECRET", MARKER + "_port")
    mapping.clear_compiled_cache()
    before = jqrt.environment_token()
    yield
    assert jqrt.environment_token() == before  # the app put back what it found


def project_file(tmp_path: Path, opt_in: bool) -> Path:
    text = (FIXTURES / "project.yaml").read_text(encoding="utf-8")
    readers = "".join(f"\n            {name}: {json.dumps(expr)}" for name, expr in READERS.items())
    text = text.replace("            removed: .isRemoved", "            removed: .isRemoved" + readers, 1)
    if opt_in:
        text = text.replace("  type: custom\n", "  type: custom\n  allowEnvironmentVariablesJqAccess: true\n", 1)
    path = tmp_path / "cursor-builder.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def no_process(*args: Any) -> Any:
    raise OSError("no subprocesses in this test")


def expected(opt_in: bool) -> dict[str, Any]:
    if opt_in:  # the container's environment as the export sets it; the key renamed, as a placeholder
        return {"env_x": None, "dollar_env": None, "dollar_index": None, "ocean_key": PLACEHOLDER}
    return {"env_x": None, "env_all": "{}", "dollar_env": None, "dollar_index": None, "dollar_all": "{}",
            "ocean_key": "none"}


@pytest.mark.parametrize("process", [True, False], ids=["evaluation-process", "thread"])
@pytest.mark.parametrize("opt_in", [False, True], ids=["pinned-off", "opted-in"])
async def test_the_build_tab_never_shows_this_machines_environment(tmp_path: Path, opt_in: bool, process: bool,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if not process:
        monkeypatch.setattr(results, "EvalProcess", no_process)
    app = make_app(project_file(tmp_path, opt_in), demo=True, simulator=simulator_config(), test_mode=True)
    assert MARKER in app.session.env.get("CURSOR_API_KEY", "")  # the session holds the real key...
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "members")
        await pilot.press("ctrl+r")
        await settle(pilot)
        result = app.session.result
        assert result is not None and result.entities
        # ...and no mapped value, cell or paint holds it
        assert MARKER not in json.dumps(result.entities)
        properties = result.entities[0]["properties"]
        for name, value in expected(opt_in).items():
            assert properties[name] == value, name
        if opt_in:
            assert json.loads(properties["env_all"]) == deployed_environment(app.session.project)
        table = app.query_one(MappingTable)
        for name in READERS:
            assert MARKER not in table.row(("properties", name)).value.plain
        assert table.row(("properties", "ocean_key")).value.plain == json.dumps(expected(opt_in)["ocean_key"])
        assert MARKER not in app.export_screenshot()


async def test_env_follows_the_project_when_it_opts_in(tmp_path: Path) -> None:
    """Opting in (a project edit) changes what `env` holds for the next evaluation, in both processes."""
    app = make_app(project_file(tmp_path, False), demo=True, simulator=simulator_config(), test_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "members")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.session.result.entities[0]["properties"]["ocean_key"] == "none"
        app.session.project.integration["allowEnvironmentVariablesJqAccess"] = True
        app.post_message(ProjectChanged())
        await pilot.pause()
        table = app.query_one(MappingTable)
        row = table.row(("properties", "ocean_key"))
        await retype(pilot, table.focus_field(row.path), "env.OCEAN__INTEGRATION__CONFIG__API_KEY")
        assert row.value.plain == json.dumps(PLACEHOLDER)  # the record in view (this process)
        entities = app.session.result.entities  # every record (the evaluation process)
        assert {entity["properties"]["ocean_key"] for entity in entities} == {PLACEHOLDER}
        assert MARKER not in app.export_screenshot()


async def test_a_switch_back_after_opting_in_evaluates_again(tmp_path: Path) -> None:
    """A resource's last result is shown again on a switch only while `env` means what it meant
    when it was made (#13): opting in elsewhere makes the switch back evaluate with the new `env`."""
    app = make_app(project_file(tmp_path, False), demo=True, simulator=simulator_config(), test_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "members")
        await pilot.press("ctrl+r")
        await settle(pilot)
        before = app.session.result
        assert before.entities[0]["properties"]["ocean_key"] == "none"
        await pick(pilot, "commits")
        app.session.project.integration["allowEnvironmentVariablesJqAccess"] = True
        app.post_message(ProjectChanged())
        await settle(pilot)
        await pick(pilot, "members")
        assert app.session.result is not before
        assert {entity["properties"]["ocean_key"] for entity in app.session.result.entities} == {PLACEHOLDER}
        row = app.query_one(MappingTable).row(("properties", "ocean_key"))
        assert row.value.plain == json.dumps(PLACEHOLDER)


def test_make_app_installs_the_deployed_environment(tmp_path: Path) -> None:
    """Without cli.main around it (tests, the screenshot script), the app's own factory installs it."""
    token = jqrt.install_environment({"CURSOR_API_KEY": MARKER})  # a stale install must not survive
    try:
        app = make_app(load_project(project_file(tmp_path, True)), demo=True, simulator=simulator_config())
        environment = deployed_environment(app.session.project)
        assert jqrt.first("env", None).value == environment
        assert jqrt.first('$ENV["OCEAN__INTEGRATION__CONFIG__API_KEY"]', None).value == PLACEHOLDER
        assert MARKER not in json.dumps(jqrt.first("$ENV", None).value)
    finally:
        jqrt.restore_environment(token)


@pytest.mark.parametrize("opt_in", [False, True], ids=["pinned-off", "opted-in"])
async def test_a_sync_from_the_tui_writes_no_local_environment(tmp_path: Path, opt_in: bool) -> None:
    """The Sync tab maps with the deployed integration's `env` too: titles and roles read it."""
    import sys

    from builder.port.catalog import CatalogStore
    from builder.tui.screens.sync import SyncPane

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
    from sync_fixtures import PROJECT_YAML, make_project  # tests/sync/sync_fixtures.py

    reader = "(env.OCEAN__INTEGRATION__CONFIG__API_KEY // env.CURSOR_API_KEY // $ENV.PORT_CLIENT_SECRET)"
    text = PROJECT_YAML.replace("title: .name", f"title: '{reader} // .name'")
    text = text.replace("role: .role}", f"role: '{reader} // .role'}}")
    if opt_in:
        text = text.replace("  type: custom\n", "  type: custom\n  allowEnvironmentVariablesJqAccess: true\n", 1)
    app = make_app(make_project(tmp_path, text), demo=True, simulator=simulator_config(), test_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+y")
        for _ in range(10):
            await pilot.pause()
            if app.query(SyncPane):
                break
        pane = app.query_one(SyncPane)
        pane.db_path = tmp_path / "catalog.db"
        await pilot.press("s")  # plan and run against the local catalog
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert pane.report is not None, pane.error
        assert MARKER not in app.export_screenshot()
    store = CatalogStore(tmp_path / "catalog.db")
    try:
        members = list(store.iter_entities("cursorMember"))
    finally:
        store.close()
    assert members
    # (members only a usage event's relation created have no title: createMissingRelatedEntities)
    titles = {member["title"] for member in members} - {None}
    assert (titles == {PLACEHOLDER}) if opt_in else (PLACEHOLDER not in titles and len(titles) > 1), titles
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert MARKER.encode() not in path.read_bytes(), path


async def test_the_first_jq_that_reads_env_sees_the_deployed_environment_at_once(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A project that reads no `env` does not work it out (a faster start); the first edit that reads it
    gets the deployed environment before the record in view is mapped, not an empty one. The
    run over all records is held back here, so what the row shows is the record in view's own mapping."""
    text = (FIXTURES / "project.yaml").read_text(encoding="utf-8")
    text = text.replace("  type: custom\n", "  type: custom\n  allowEnvironmentVariablesJqAccess: true\n", 1)
    path = tmp_path / "cursor-builder.yaml"
    path.write_text(text, encoding="utf-8")
    stale = jqrt.install_environment({"OCEAN__INTEGRATION__CONFIG__API_KEY": "stale"})
    try:
        app = make_app(path, demo=True, simulator=simulator_config(), test_mode=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pick(pilot, "members")
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert jqrt.first("env", None).value == {}  # the app cleared the stale one; nothing read env yet
            monkeypatch.setattr(results.Results, "_start_evaluation", lambda self: None)
            table = app.query_one(MappingTable)
            row = table.row(("properties", "role"))
            table.focus_field(row.path).field.value = "env.OCEAN__INTEGRATION__CONFIG__API_KEY"  # one edit, as a paste
            await settle(pilot)
            assert row.value.plain == json.dumps(PLACEHOLDER)
            assert jqrt.first("env", None).value == deployed_environment(app.session.project)
    finally:
        jqrt.restore_environment(stale)
