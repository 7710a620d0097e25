"""`env` / `$ENV` in a mapping see the deployed integration's environment, never this machine's.

A marker secret sits in this process's environment (where a user's CURSOR_API_KEY would be); mappings
read it every way jq allows. It must appear in no preview, failures file or catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.cli import main
from builder.engine import jqrt, mapping
from builder.port.catalog import CatalogStore
from builder.project.load import load_project
from builder.ship.environment import deployed_environment

import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
from sync_fixtures import PROJECT_YAML  # noqa: E402  (tests/sync/sync_fixtures.py)

MARKER = "crsr_marker_5ecret_do_not_leak"
READERS = {"env_x": "env.CURSOR_API_KEY", "env_all": "env | tostring", "dollar_env": "$ENV.CURSOR_API_KEY",
           "dollar_index": '$ENV["CURSOR_API_KEY"]', "dollar_all": "$ENV | tojson",
           "ocean_key": 'env.OCEAN__INTEGRATION__CONFIG__API_KEY // "none"'}


@pytest.fixture(autouse=True)
def marker_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURSOR_API_KEY", MARKER)
    monkeypatch.setenv("PORT_CLIENT_SECRET", MARKER + "_port")
    monkeypatch.delenv("PORT_CLIENT_ID", raising=False)
    mapping.clear_compiled_cache()


def project_text(opt_in: bool) -> str:
    readers = "".join(f", {name}: {json.dumps(expr)}" for name, expr in READERS.items())
    text = PROJECT_YAML.replace("properties: {email: .email, role: .role}",
                                "properties: {email: .email, role: .role" + readers + "}")
    if opt_in:
        text = text.replace("  type: custom\n", "  type: custom\n  allowEnvironmentVariablesJqAccess: true\n", 1)
    return text


def members_response(tmp_path: Path) -> Path:
    response = tmp_path / "members.json"
    response.write_text(json.dumps({"teamMembers": [{"email": "a@x.dev", "name": "A", "role": "owner"}]}))
    return response


@pytest.mark.parametrize("opt_in", [False, True])
def test_preview_never_shows_this_machines_environment(opt_in: bool, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p.yaml"
    project.write_text(project_text(opt_in), encoding="utf-8")
    for fmt in ("json", "table"):
        assert main(["preview", str(project), "-r", "members", "--response", str(members_response(tmp_path)),
                     "--format", fmt]) == 0
        captured = capsys.readouterr()
        assert MARKER not in captured.out and MARKER not in captured.err
    assert main(["preview", str(project), "-r", "members", "--response", str(members_response(tmp_path)),
                 "--format", "json"]) == 0
    properties = json.loads(capsys.readouterr().out)["entities"][0]["properties"]
    if opt_in:  # the container's environment as the export sets it, the key as a placeholder
        assert properties["env_x"] is None  # the container has no CURSOR_API_KEY: the export renames it
        assert properties["ocean_key"] == "<secret: $CURSOR_API_KEY>"
        assert "OCEAN__PORT__CLIENT_SECRET" in json.loads(properties["dollar_all"])
    else:  # the export pins allowEnvironmentVariablesJqAccess false: Ocean's `env` is {}
        assert properties["env_all"] == "{}" and properties["dollar_all"] == "{}"
        assert properties["ocean_key"] == "none"


def test_the_deployed_environment_holds_placeholders_only(tmp_path: Path) -> None:
    project = tmp_path / "p.yaml"
    project.write_text(project_text(True), encoding="utf-8")
    environment = deployed_environment(load_project(project))
    assert environment["OCEAN__PORT__CLIENT_SECRET"] == "<secret: $PORT_CLIENT_SECRET>"
    assert environment["OCEAN__INTEGRATION__CONFIG__BASE_URL"] == "https://api.cursor.com"
    assert not any(MARKER in value for value in environment.values())
    project.write_text(project_text(False), encoding="utf-8")
    assert deployed_environment(load_project(project)) == {}


@pytest.mark.parametrize("opt_in", [False, True], ids=["pinned-off", "opted-in"])
def test_a_sync_writes_no_local_environment(opt_in: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "cursor-builder.yaml"
    # role is a string property: env values would be stored as they are; a number field fails validation
    # and lands in the failures file with its record, which must not hold the secret either.
    text = project_text(opt_in).replace("role: .role,", "role: 'env.CURSOR_API_KEY // $ENV.HOME',")
    text = text.replace("charged_cents: .chargedCents", "charged_cents: '$ENV[\"CURSOR_API_KEY\"] // env'")
    project.write_text(text, encoding="utf-8")
    db = tmp_path / "catalog.db"
    code = main(["sync", str(project), "--db", str(db), "--demo"])
    out = capsys.readouterr()
    assert code in (0, 1)
    assert MARKER not in out.out and MARKER not in out.err
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert MARKER.encode() not in path.read_bytes(), path
    store = CatalogStore(db)
    try:
        written = store.count_entities()
    finally:
        store.close()
    failures = tmp_path / "cursor-builder.failures.jsonl"
    assert written > 0 or failures.exists()  # the scan above looked at what the sync really wrote
    if opt_in:  # the entities hold what the deployed integration's `env` gives: placeholders
        store = CatalogStore(db)
        try:
            stored = json.dumps(list(store.iter_entities("cursorMember")))
        finally:
            store.close()
        if failures.exists():  # an entity Port's rules refuse is written there, with its values
            stored += failures.read_text(encoding="utf-8")
        assert "<secret: $CURSOR_API_KEY>" in stored


def test_the_engine_reads_only_the_installed_environment() -> None:
    items = [{"id": "a"}]
    mappings = {"identifier": ".id", "blueprint": '"b"', "properties": dict(READERS)}
    token = jqrt.install_environment({"CURSOR_API_KEY": "<secret: $CURSOR_API_KEY>"})
    try:
        properties = mapping.map_items(items, mappings).entities[0]["properties"]
        assert properties["env_x"] == properties["dollar_index"] == "<secret: $CURSOR_API_KEY>"
        assert MARKER not in json.dumps(properties)
    finally:
        jqrt.restore_environment(token)


def reading_project(tmp_path: Path, opt_in: bool) -> Path:
    """The members resource's identifier and a property read the environment: under a leak every
    record would get the marker as its identifier (a collision the lint names) and as a value."""
    project = tmp_path / "p.yaml"
    text = project_text(opt_in).replace(
        "identifier: .email", "identifier: '(env.OCEAN__INTEGRATION__CONFIG__API_KEY // env.CURSOR_API_KEY) // .email'")
    project.write_text(text, encoding="utf-8")
    return project


def two_members(tmp_path: Path) -> Path:
    response = tmp_path / "members.json"
    response.write_text(json.dumps({"teamMembers": [{"email": "a@x.dev", "name": "A", "role": "owner"},
                                                    {"email": "b@x.dev", "name": "B", "role": "member"}]}))
    return response


@pytest.mark.parametrize("opt_in", [False, True], ids=["pinned-off", "opted-in"])
def test_lint_infer_and_export_never_show_this_machines_environment(opt_in: bool, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    project, response = reading_project(tmp_path, opt_in), two_members(tmp_path)
    outputs: list[str] = []
    for fmt in ("text", "json"):
        main(["lint", str(project), "--response", f"members={response}", "--format", fmt])
        captured = capsys.readouterr()
        outputs += [captured.out, captured.err]
    findings = json.loads(outputs[2])
    assert ("members", "reads-environment") in {(f["resource"], f["code"]) for f in findings}
    collisions = [f for f in findings if f["resource"] == "members" and f["code"] == "identifier-collision"]
    # opted in, every record's identifier is the deployed key's placeholder: one entity, as Ocean would do
    assert bool(collisions) is opt_in
    if opt_in:
        assert "<secret: $CURSOR_API_KEY>" in json.dumps(collisions)
    assert main(["infer", str(project), "-r", "members", "--response", str(response)]) == 0
    captured = capsys.readouterr()
    outputs += [captured.out, captured.err]
    main(["infer", str(project), "-r", "members", "--response", str(response), "--compare", "--format", "json"])
    captured = capsys.readouterr()
    outputs += [captured.out, captured.err]
    out_dir = tmp_path / "export"
    assert main(["export", str(project), "--out", str(out_dir)]) == 0
    captured = capsys.readouterr()
    outputs += [captured.out, captured.err]
    assert "lint error(s)" in captured.err  # the export says the mapping reads the environment
    for text in outputs:
        assert MARKER not in text
    for path in out_dir.rglob("*"):
        assert MARKER.encode() not in path.read_bytes(), path
    values = (out_dir / "values.yaml").read_text(encoding="utf-8")
    assert ("allowEnvironmentVariablesJqAccess: false" in values) is not opt_in
    readme = (out_dir / "README.md").read_text(encoding="utf-8")  # says why it pins, and only what it pins
    assert "`OCEAN__PROCESSING_MODE=ocean-core`" in readme and "defaults to `dsp`" in readme
    assert ("`allowEnvironmentVariablesJqAccess: false`" in readme) is not opt_in


@pytest.mark.parametrize(("expr", "reads"), [
    ("env.CURSOR_API_KEY", True), ("$ENV.X", True), ('$ENV["X"]', True), (".a | env", True),
    ("(env|keys)", True), ("[env][0]", True), (".a |\nenv.X", True), (".a|\tenv", True), ('"x"|\x0benv', True),
    ('"a\\"|env', True), ("\r\n$ENV", True),
    (".env", True),  # a field named env: not the builtin, but the check may only err towards installing
    (".environment", False), ("$env", False), (". as $env | $env", False), ("my_env", False),
    ('"the envelope"', False), (".email", False), ("$ENVIRONMENT", False),
])
def test_reads_environment_finds_every_jq_that_may_read_env(expr: str, reads: bool, tmp_path: Path) -> None:
    """The TUI works `env` out only for a project whose JQ may read it (#13: the start skips the
    export's import). Missing a reader would show a value computed with the wrong `env`."""
    from builder.ship.environment import reads_environment

    text = PROJECT_YAML.replace("properties: {email: .email, role: .role}",
                                f"properties: {{email: .email, role: {json.dumps(expr)}}}")
    assert expr in text or json.dumps(expr) in text
    path = tmp_path / "cursor-builder.yaml"
    path.write_text(text, encoding="utf-8")
    assert reads_environment(load_project(path)) is reads
