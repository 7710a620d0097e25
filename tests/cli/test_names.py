"""Names a user types: `catalog ls BLUEPRINT` without -b, and "did you mean" for a near miss."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.cli import main
from builder.port.catalog import CatalogStore

ROOT = Path(__file__).resolve().parents[2]
PRESET = str(ROOT / "presets" / "cursor" / "project.yaml")
MEMBERS = str(ROOT / "presets" / "cursor" / "samples" / "members.json")


@pytest.fixture
def catalog(tmp_path) -> str:
    path = tmp_path / "catalog.db"
    store = CatalogStore(path)
    store.put_blueprint({"identifier": "cursor_member", "title": "Cursor member", "schema": {"properties": {}}})
    store.write_entities("cursor_member", [{"identifier": f"m{i}", "title": f"Member {i}", "blueprint": "cursor_member",
                                            "properties": {}, "relations": {}, "createdAt": "2026-05-05T12:00:00.000Z",
                                            "updatedAt": "2026-05-05T12:00:00.000Z"} for i in range(3)], {}, None)
    store.close()
    return str(path)


def test_catalog_ls_takes_the_blueprint_as_an_argument(catalog, capsys):
    assert main(["catalog", "ls", "cursor_member", "--db", catalog, "--format", "json"]) == 0
    by_argument = json.loads(capsys.readouterr().out)
    assert main(["catalog", "ls", "-b", "cursor_member", "--db", catalog, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == by_argument and len(by_argument) == 3


@pytest.mark.parametrize("argv, message", [
    (["catalog", "ls", "cursor_membr", "--db", "{db}"], "no blueprint 'cursor_membr' in {db}: did you mean "
                                                        "'cursor_member'?"),
    (["catalog", "ls", "zzz", "--db", "{db}"], "no blueprint 'zzz' in {db} (blueprints: cursor_member)"),
    (["preview", PRESET, "-r", "member", "--response", MEMBERS], "no resource named 'member': did you mean "
                                                                 "'members'"),
    (["preview", PRESET, "-r", "usage-event", "--response", MEMBERS], "did you mean 'usage-events'"),
    (["preview", PRESET, "-r", "zzz", "--response", MEMBERS], "no resource named 'zzz' (resources: members, "),
])
def test_a_near_miss_says_did_you_mean(catalog, capsys, argv, message):
    assert main([arg.format(db=catalog) for arg in argv]) == 2
    err = capsys.readouterr().err
    assert message.format(db=catalog) in err and len(err.strip().splitlines()) == 1
