"""The regular expressions compiled once per Python and kept (builder.project.regex_cache): a pattern
built from the table is the pattern ``re`` compiles."""

from __future__ import annotations

import marshal
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from builder.project import method_cache, regex_cache
from builder.project.regex_cache import RegexCache
from tests.kept_files import command, kept_once, no_home_directory, run_python


# What modules compile: named groups and alternations (Textual's tokenizer), a class of most of Unicode
# (PyYAML's reader), lookarounds, backreferences, possessive and lazy repeats, inline and passed
# flags, bytes patterns (with LOCALE), an empty pattern, conditional groups.
PATTERNS: list[tuple[str | bytes, int, list[Any]]] = [
    (r"(?P<number>-?\d+(\.\d+)?)|(?P<name>[A-Za-z_][\w-]*)|(?P<space>\s+)", 0, ["12.5 ab-c", "  x", "-3"]),
    ("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]", 0, ["ok", "\x00", "é\x07"]),
    (r"(?<=\$)\w+(?!\()", 0, ["$now", "$f(", "now"]),
    (r"(\w)\1(?:ab)*?c++", 0, ["aaababc", "bbc"]),
    (r"(?i)^cursor[-_ ]?builder$", 0, ["Cursor-Builder", "cursorbuilder", "nope"]),
    (r"^\s*#.*$", re.MULTILINE, ["a\n  # c\nb"]),
    (r"""
        (?P<key> [a-z]+ )   # a key
        \s* = \s*
        (?P<value> .* )
     """, re.VERBOSE, ["a = 1", "b=two"]),
    (r"\w+", re.ASCII, ["héllo"]),
    (rb"[\x00-\x1f]+|\xff", 0, [b"ab\x01\x02", b"\xff"]),
    (rb"\w+", re.LOCALE, [b"abc def"]),
    ("", 0, ["", "x"]),
    (r"(<)?(\w+@\w+(?:\.\w+)+)(?(1)>|$)", 0, ["<a@b.c>", "a@b.c", "<a@b.c"]),
    (r"[\u0400-\u04ff]+", re.IGNORECASE, ["ПРИВЕТ мир", "hello"]),
]


def behaviour(pattern: Any, samples: list[Any]) -> list[Any]:
    return [(m.span(), m.groups(), m.groupdict()) if (m := pattern.search(sample)) else None for sample in samples] + \
           [pattern.findall(sample) for sample in samples] + [pattern.groupindex, pattern.groups, pattern.flags]


@pytest.fixture
def hooked(tmp_path: Path) -> Iterator[RegexCache]:
    cache = RegexCache(tmp_path / "regexes.marshal")
    cache.install()
    try:
        yield cache
    finally:
        cache.uninstall()


def compiled(pattern: str | bytes, flags: int) -> Any:
    re.purge()  # past re's own cache: to the compiler (hooked or not)
    return re.compile(pattern, flags)


@pytest.mark.parametrize("pattern, flags, samples", PATTERNS, ids=[repr(p)[:40] for p, _, _ in PATTERNS])
def test_a_pattern_built_from_the_table_is_the_pattern_re_compiles(pattern: str | bytes, flags: int, samples: list[Any],
                                                                 tmp_path: Path) -> None:
    plain = compiled(pattern, flags)
    learning = RegexCache(tmp_path / "regexes.marshal")
    learning.install()
    try:
        learned = compiled(pattern, flags)
    finally:
        learning.uninstall()
    assert learning.learned == 1 and learned == plain
    learning.save()
    kept = RegexCache(tmp_path / "regexes.marshal")
    assert kept.load() and (pattern, int(flags)) in kept.codes
    kept.install()
    try:
        again = compiled(pattern, flags)
    finally:
        kept.uninstall()
    assert kept.learned == 0, "built from the table"
    assert again == plain, "same flags, pattern and code"
    assert behaviour(again, samples) == behaviour(plain, samples)


def test_check_catches_a_table_that_holds_other_code(tmp_path: Path) -> None:
    other = RegexCache(tmp_path / "other.marshal")
    other.install()
    try:
        compiled(r"x+y", 0)
    finally:
        other.uninstall()
    cache = RegexCache(tmp_path / "regexes.marshal")
    cache.install()
    RegexCache.check = True
    try:
        compiled(r"a+b", 0)
        compiled(r"a+b", 0)  # from the table, compiled again by check: the same
        flags, _, *rest = cache.codes[(r"a+b", 0)]
        cache.codes[(r"a+b", 0)] = (flags, other.codes[(r"x+y", 0)][1], *rest)
        with pytest.raises(AssertionError, match="regex cache"):
            compiled(r"a+b", 0)
    finally:
        RegexCache.check = False
        cache.uninstall()


def test_debug_compiles_and_other_inputs_go_to_re_itself(hooked: RegexCache, capsys: pytest.CaptureFixture[str]) -> None:
    compiled(r"ab", re.DEBUG)
    assert "LITERAL" in capsys.readouterr().out, "re.DEBUG still prints the code"
    assert hooked.codes == {}, "and is not kept"


def test_uninstall_gives_re_back(tmp_path: Path) -> None:
    import re._compiler as compiler

    import _sre

    before = compiler.compile
    cache = RegexCache(tmp_path / "x.marshal")
    cache.install()
    cache.install()  # twice: still one hook
    cache.uninstall()
    assert compiler.compile is before and compiler._sre is _sre


@pytest.mark.parametrize("content", [b"", b"not marshal", marshal.dumps([1, 2]),
                                     marshal.dumps({("a", 0): (0, (1, 2), 0, {}, ())}),
                                     marshal.dumps({("a", "0"): (0, [1], 0, {}, ())})])
def test_a_damaged_or_foreign_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "regexes.marshal"
    path.write_bytes(content)
    cache = RegexCache(path)
    cache.load()
    assert cache.codes == {}


def test_past_kept_only_the_used_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "regexes.marshal"
    cache = RegexCache(path)
    cache.install()
    try:
        for index in range(5):
            compiled(f"old{index}", 0)
    finally:
        cache.uninstall()
    cache.save()
    again = RegexCache(path)
    assert again.load() and len(again.codes) == 5
    monkeypatch.setattr(method_cache, "KEPT", 3)
    again.install()
    try:
        compiled("new", 0)
    finally:
        again.uninstall()
    again.save()
    kept = RegexCache(path)
    assert kept.load() and set(kept.codes) == {("new", 0)}


def test_the_command_keeps_the_table_and_the_library_never_hooks(tmp_path: Path) -> None:
    """A second run builds every pattern the command compiled from the table, and each is the pattern
    ``re`` compiles (compared one by one in that process); importing the builder hooks nothing."""
    path = kept_once(command("lint", "--help"), tmp_path, "regexes-*.marshal")
    table = RegexCache(path)
    assert table.load() and len(table.codes) >= 10, "the command's modules compiled patterns"
    checked = run_python("import re, sys; from builder.project import regex_cache; regex_cache.RegexCache.check = True; "
                  "cache = regex_cache.install(); import builder.cli, builder.tui.app, yaml; "
                  "print(cache.learned, len(cache.used))", tmp_path)
    assert checked.returncode == 0, checked.stderr
    learned, used = map(int, checked.stdout.split())
    assert used > learned, "patterns came from the table (and check compiled each again: no difference)"
    library = run_python("import re, builder.cli, builder.tui.app; import re._compiler as c, _sre; print(c._sre is _sre)",
                  tmp_path / "other")
    assert library.returncode == 0, library.stderr
    assert library.stdout.split() == ["True"]
    assert not (tmp_path / "other").exists()


def test_no_home_directory_means_no_cache_and_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    no_home_directory(monkeypatch)
    monkeypatch.setattr(regex_cache, "installed", None)
    assert regex_cache.install({}) is None
    regex_cache.save()  # nothing installed: nothing to write, no error
