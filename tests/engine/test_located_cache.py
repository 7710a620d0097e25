"""The presets' parse kept in the user's cache (yamlio.load_located_cached, #13): what comes back is
what a parse gives, a bad cache costs the parse and nothing else, and a user's project file is
never copied there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import builder.project.yamlio as yamlio
from builder.project.load import load_project
from builder.project.presets import load_preset, preset_path
from builder.project.yamlio import load_located, load_located_cached
from tests.kept_files import no_home_directory

ROOT = Path(__file__).resolve().parents[2]
PRESET = preset_path("cursor").read_text(encoding="utf-8")
DOCS = {
    "preset": PRESET,
    "anchors": "base: &b {a: 1, b: [x, 'y', 2.5, null, true]}\nuse:\n  <<: *b\n  c: !!str 3\n  d: '0x10'\n",
    "scalars": "a: 1\nb: 1.0\nc: .inf\nd: ~\ne: yes\nf: '007'\ng: |\n  two\n  lines\n",
}


@pytest.mark.parametrize("name", DOCS)
def test_what_comes_back_is_what_a_parse_gives(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    parsed = load_located(DOCS[name], "f.yaml")
    first = load_located_cached(DOCS[name], "f.yaml", env)
    assert (first.data, first.lines, first.file) == (parsed.data, parsed.lines, parsed.file)
    assert len(list((tmp_path / "cursor-builder").glob("yaml-*.marshal"))) == 1

    def no_parse(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(yamlio, "load_located", no_parse)
    again = load_located_cached(DOCS[name], "f.yaml", env)
    assert (again.data, again.lines, again.file) == (parsed.data, parsed.lines, parsed.file)
    assert repr(again.data) == repr(parsed.data)  # types too (1 vs 1.0 vs True)


@pytest.mark.parametrize("content", [b"", b"garbage", b"\xff\xff", b"\xa9\x02\xe9\x00\x00\x00\x00\xda\x01x"],
                         ids=["empty", "text", "bytes", "not-a-pair"])
def test_a_damaged_cache_is_parsed_again_and_rewritten(content: bytes, tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    load_located_cached(DOCS["anchors"], None, env)
    [path] = (tmp_path / "cursor-builder").glob("yaml-*.marshal")
    path.write_bytes(content)
    got = load_located_cached(DOCS["anchors"], None, env)
    assert got.data == load_located(DOCS["anchors"]).data
    assert path.read_bytes() != content


def test_an_unwritable_cache_or_an_unstorable_value_costs_only_the_parse(tmp_path: Path) -> None:
    (tmp_path / "cursor-builder").write_text("a file where the directory goes")
    got = load_located_cached(DOCS["scalars"], None, {"XDG_CACHE_HOME": str(tmp_path)})
    assert got.data == load_located(DOCS["scalars"]).data
    other = tmp_path / "other"
    dated = load_located_cached("when: 2026-05-05\n", None, {"XDG_CACHE_HOME": str(other)})  # a datetime.date
    assert str(dated.data["when"]) == "2026-05-05"
    assert not list(other.rglob("yaml-*"))  # marshal cannot hold a date: nothing written, nothing half-written


def test_a_users_project_file_is_never_copied_to_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mine = tmp_path / "cursor-builder.yaml"
    mine.write_text(PRESET, encoding="utf-8")
    project = load_project(mine)
    assert not list((tmp_path / "cache").rglob("yaml-*"))
    assert load_preset().to_dict() == project.to_dict()  # the preset itself is kept
    assert len(list((tmp_path / "cache").rglob("yaml-*"))) == 1


def test_a_start_from_the_cached_preset_does_not_import_pyyaml(tmp_path: Path) -> None:
    """What the app reads before its first frame, in a fresh interpreter: PyYAML waits until needed."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    code = ("import sys; from builder.project.presets import load_preset; load_preset(); "
            "print('yaml' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
            for _ in range(2)]
    assert [run.stdout.strip() for run in runs] == ["True", "False"]  # parsed (and kept), then read back


def test_another_pyyaml_parses_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another PyYAML may construct values otherwise: what the last one made is not read back."""
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    load_located_cached(DOCS["scalars"], None, env)
    monkeypatch.setattr(yamlio, "_pyyaml_stamp", lambda: "another PyYAML")
    parses: list[str] = []
    parse = yamlio.load_located

    def counted(text: str, file: object = None) -> object:
        parses.append(text)
        return parse(text, file)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlio, "load_located", counted)
    load_located_cached(DOCS["scalars"], None, env)
    assert parses == [DOCS["scalars"]]
    assert len(list((tmp_path / "cursor-builder").glob("yaml-*.marshal"))) == 2


def test_no_home_directory_means_a_parse_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    no_home_directory(monkeypatch)
    text = "a: 1\nb: [x]\n"
    assert load_located_cached(text, "x.yaml", env={}).data == load_located(text).data
