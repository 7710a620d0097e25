"""`--json` on every command, and a command that parses only its own arguments (and imports only what it needs)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from builder.cli import SUBCOMMANDS, build_parser, main

ROOT = Path(__file__).resolve().parents[2]
PRESET = str(ROOT / "presets" / "cursor" / "project.yaml")
MEMBERS = str(ROOT / "presets" / "cursor" / "samples" / "members.json")


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not nested:
        return [(path, parser)]
    return [leaf for name, child in nested[0].choices.items() for leaf in _leaves(child, (*path, name))]


def test_every_command_takes_json():
    leaves = [leaf for path, leaf in _leaves(build_parser()) if path]
    assert {path[0] for path, _ in _leaves(build_parser())} == set(SUBCOMMANDS)
    missing = [leaf.prog for leaf in leaves if "--json" not in leaf._option_string_actions]
    assert missing == []


def test_json_is_format_json_where_the_command_has_it(capsys):
    assert main(["preview", PRESET, "-r", "members", "--response", MEMBERS, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["entities"]) == 3


def test_json_elsewhere_is_json_lines_then_the_exit_code(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    assert main(["init", str(path), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert list(lines[0]) == ["line"] and lines[0]["line"].startswith(f"wrote {path} from preset 'cursor': ")
    assert lines[-1] == {"exit": 0}


def test_a_user_error_in_json_mode_is_one_json_object(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text("# mine\n")
    assert main(["init", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"error": f"{path} already exists; pass --force to overwrite it", "exit": 2}
    assert captured.err.startswith("cursor-builder: ")  # people still read stderr


@pytest.mark.parametrize("command, absent", [
    ("preview", ("httpx", "builder.source.client", "builder.simulator", "textual", "builder.port.catalog")),
    ("infer", ("httpx", "builder.simulator", "textual")),
    ("lint", ("textual",)),
])
def test_a_command_imports_only_what_it_needs(command, absent):
    code = (f"import sys; from builder.cli import build_parser; build_parser({command!r}); "
            f"print([m for m in {absent!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"


def test_help_still_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in SUBCOMMANDS)
