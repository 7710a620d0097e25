"""The JQ programs known to compile, kept between starts (builder.project.compile_memo): asking
the memo gives what compiling gives, and the file holds digests, never a program."""

from __future__ import annotations

import json
import marshal
import random
from pathlib import Path
from typing import Any, Iterator

import pytest

from builder.engine import jqrt
from builder.project import compile_memo
from builder.project.compile_memo import CompileMemo
from builder.engine.mapping import CompiledMapping
from tests.engine import jqgen
from tests.engine.compiles import counted_compiles
from tests.kept_files import command, kept_once, no_home_directory, run_python


# Programs as a mapping holds them: plain paths, Ocean's single quotes, `env` and `$ENV`, comments,
# definitions, string interpolation, numbers (pydantic's str()), and texts that do not compile, among
# them one that would compile inside parentheses and one only the prefix's `def` could explain.
PROGRAMS: list[tuple[Any, bool]] = [
    (".a", True),
    (".a.b | tostring", True),
    ("'x'", True),
    (".name + ' ' + .team", False),  # Ocean's rewrite leaves a quote before a space alone
    ("env.CURSOR_API_KEY", True),
    ("$ENV | keys", True),
    (".x # a comment", True),
    ("def f: 1; f + .a", True),
    ('"\\(.a)-\\(.b)"', True),
    ("$__loc__", True),
    (".[] | select(.a) | .b", True),
    (12, True),
    (1.5, True),
    (True, False),  # pydantic's str(): "True", an undefined function
    (".a |", False),
    (")", False),
    ("$undefined", False),
    ("foo(", False),
    (".a.b[", False),
    ('"unterminated', False),
    ("undefined_function", False),
    ("1) , (2", False),
    (".a as $x", False),
]


def answer(value: Any) -> str | None:
    return jqrt.compile_error(jqrt.as_program_text(value))


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Each program jq compiles from now on (the in-process compile cache emptied first; the session's
    check, which compiles what a memo answers for, off: these tests count compiles)."""
    monkeypatch.setattr(CompileMemo, "check", False)
    seen = counted_compiles(monkeypatch)
    jqrt._compile.cache_clear()
    yield seen
    jqrt._compile.cache_clear()


def use(monkeypatch: pytest.MonkeyPatch, memo: CompileMemo | None) -> None:
    monkeypatch.setattr(compile_memo, "installed", memo)


@pytest.mark.parametrize("value, valid", PROGRAMS, ids=[repr(value) for value, _ in PROGRAMS])
def test_the_memo_answers_what_compiling_answers(value: Any, valid: bool, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, compiles: list[str]) -> None:
    use(monkeypatch, None)
    plain = answer(value)
    assert (plain is None) is valid, plain
    learning = CompileMemo(tmp_path / "memo.marshal")
    use(monkeypatch, learning)
    jqrt._compile.cache_clear()
    assert answer(value) == plain
    assert learning.learned == (1 if valid else 0), "only a program that compiles is learned"
    learning.save()
    kept = CompileMemo(tmp_path / "memo.marshal")
    assert kept.load() is valid  # no file when nothing was learned
    use(monkeypatch, kept)
    jqrt._compile.cache_clear()
    compiles.clear()
    assert answer(value) == plain
    if valid:
        assert compiles == [], "a program known to compile is not compiled to be asked about"
        assert jqrt.compile_program(jqrt.as_program_text(value)) is not None, "it still compiles when it runs"
    else:
        assert compiles, "a program that does not compile is compiled each time (for its message)"


def test_a_mapping_built_from_the_memo_is_the_mapping_compiling_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     compiles: list[str]) -> None:
    """Key order (Ocean puts the leaves that do not compile last), the leaves' errors and the
    entities are the same; a second build compiles none of the leaves only to ask about them."""
    mappings = {"identifier": ".id", "title": ".a |", "blueprint": "'cursor_event'",
                "properties": {"broken": "foo(", "model": ".model", "n": 3, "flag": True, "env": "env.X"},
                "relations": {"user": ".user"}}
    records = [{"id": "1", "model": "m", "user": "u"}, {"id": "2"}]
    use(monkeypatch, None)
    plain = CompiledMapping(mappings, "true")
    memo = CompileMemo(tmp_path / "memo.marshal")
    use(monkeypatch, memo)
    jqrt._compile.cache_clear()
    CompiledMapping(mappings, "true")
    memo.save()
    kept = CompileMemo(tmp_path / "memo.marshal")
    assert kept.load()
    use(monkeypatch, kept)
    jqrt._compile.cache_clear()
    compiles.clear()
    remembered = CompiledMapping(mappings, "true")
    assert [leaf.compile_error for leaf in remembered.leaves] == [leaf.compile_error for leaf in plain.leaves]
    assert remembered.selector_error is None and plain.selector_error is None
    asked = [program for program in compiles if not program.startswith(jqrt.environment_prefix() + "[.[]")]
    failing = {"foo(", ".a |", "True"}
    assert set(asked) == failing | {jqrt.environment_prefix() + text for text in failing}, \
        "only the leaves that do not compile are compiled (with and without the prefix, for the message)"
    rows = [json.dumps(remembered.build_plain(row), sort_keys=False) if isinstance(row, tuple) else row
            for row in remembered.evaluate_rows(records)]
    expected = [json.dumps(plain.build_plain(row), sort_keys=False) if isinstance(row, tuple) else row
                for row in plain.evaluate_rows(records)]
    assert rows == expected


ENVIRONMENTS: list[dict[str, str]] = [
    {},
    {"A": "x"},
    {"KEY": 'quote " and \\ backslash', "U": "é ✓ \u0000 \u2028", "I": "\\(not interpolation)", "N": "line\nbreak"},
    {"": "", "a b": "}", "{": "; def env: 1;", "$ENV": "| .", "#": "# comment"},
]


def generated_texts(seed: int, count: int) -> Iterator[str]:
    """Programs of jqgen's grammar and their prefixes cut at random places (most do not compile)."""
    rng = random.Random(seed)
    generator = jqgen.ProgramGenerator(rng)
    for _ in range(count):
        text = generator.program().render()
        yield text
        yield text[:rng.randrange(len(text) + 1)]


def test_whether_a_program_compiles_does_not_depend_on_the_environment_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the memo rests on: the digest leaves out the environment's values (`def env: X; X as $ENV | `)."""
    use(monkeypatch, None)
    texts = [str(value) for value, _ in PROGRAMS] + list(generated_texts(seed=13, count=300))
    verdicts: dict[str, set[bool]] = {text: set() for text in texts}
    for environment in ENVIRONMENTS:
        token = jqrt.install_environment(environment)
        try:
            jqrt._compile.cache_clear()
            for text in texts:
                verdicts[text].add(jqrt.compile_error(text) is None)
        finally:
            jqrt.restore_environment(token)
    for text in texts:
        jqrt._compile.cache_clear()
        verdicts[text].add(jqrt.compile_error(text, env_access=False) is None)
    jqrt._compile.cache_clear()
    changed = [text for text, seen in verdicts.items() if len(seen) > 1]
    assert not changed, changed[:5]
    both = {True, False} <= {next(iter(seen)) for seen in verdicts.values() if seen}
    assert both, "the generated texts hold programs that compile and programs that do not"


def test_check_catches_a_memo_that_holds_a_program_that_does_not_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = CompileMemo(None)
    wrong.valid.add(compile_memo.digest(jqrt.format_filter(".a |")))
    use(monkeypatch, wrong)
    monkeypatch.setattr(CompileMemo, "check", True)
    with pytest.raises(AssertionError, match="compile memo"):
        jqrt.compile_error(".a |")


def test_the_file_holds_digests_never_a_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = CompileMemo(tmp_path / "memo.marshal")
    use(monkeypatch, memo)
    secret = '"Bearer crsr_0123456789abcdef"'
    assert jqrt.compile_error(f".headers + {{Authorization: {secret}}}") is None
    memo.save()
    content = (tmp_path / "memo.marshal").read_bytes()
    assert b"crsr_" not in content and b"Authorization" not in content and b"headers" not in content
    assert marshal.loads(content) == frozenset(memo.valid) and all(len(key) == 16 for key in memo.valid)


@pytest.mark.parametrize("content", [b"", b"not marshal", marshal.dumps({"a": 1}), marshal.dumps({b"short"}),
                                     marshal.dumps([b"0123456789abcdef"])])
def test_a_damaged_or_foreign_file_is_ignored(tmp_path: Path, content: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "memo.marshal"
    path.write_bytes(content)
    memo = CompileMemo(path)
    memo.load()
    assert memo.valid == set()
    use(monkeypatch, memo)
    assert jqrt.compile_error(".a |") is not None and jqrt.compile_error(".a") is None
    memo.save()
    assert marshal.loads(path.read_bytes()) == {compile_memo.digest(".a")}


def test_nothing_new_writes_nothing_and_past_kept_only_the_used_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "memo.marshal"
    old = {bytes([n]) * 16 for n in range(5)}
    path.write_bytes(marshal.dumps(frozenset(old)))
    memo = CompileMemo(path)
    assert memo.load() and memo.valid == old
    memo.save()
    assert marshal.loads(path.read_bytes()) == old, "nothing learned: the file is left as it was"
    monkeypatch.setattr(compile_memo, "KEPT", 3)
    use(monkeypatch, memo)
    assert jqrt.compile_error(".kept_one") is None
    memo.save()
    assert marshal.loads(path.read_bytes()) == {compile_memo.digest(".kept_one")}


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    memo = CompileMemo(blocked / "cursor-builder" / "memo.marshal")
    memo.learn(compile_memo.digest(".a"))
    memo.save()  # no error; the next start compiles again
    assert memo.learned == 1


def test_no_home_directory_means_no_memo_and_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    no_home_directory(monkeypatch)
    use(monkeypatch, None)
    assert compile_memo.install(jqrt.LIBRARY, jqrt.PREFIX_SHAPE, {}) is None
    assert compile_memo.installed is None
    compile_memo.save()  # nothing installed: nothing to write, no error
    assert jqrt.compile_error(".a") is None


def test_the_command_keeps_the_memo_and_the_library_never_installs_it(tmp_path: Path) -> None:
    """``cursor-builder preview`` learns its mapping's programs; a second run compiles none of them
    to ask, prints the same entities and writes nothing; importing the engine installs nothing."""
    preview = command("preview", "presets/cursor/project.yaml", "-r", "usage-events", "--demo", "--format", "json")
    memo = CompileMemo(kept_once(preview, tmp_path, "jq-compiles-*.marshal"))
    assert memo.load() and len(memo.valid) >= 10, "the mapping's leaves and selector were learned"
    library = run_python("import builder.engine.jqrt, builder.cli; from builder.project import compile_memo; "
                  "print(compile_memo.installed)", tmp_path / "other")
    assert library.returncode == 0, library.stderr
    assert library.stdout.split() == ["None"]
    assert not (tmp_path / "other").exists()


def test_another_jq_build_or_prefix_keeps_its_own_file(tmp_path: Path) -> None:
    here = compile_memo.cache_file(jqrt.LIBRARY, jqrt.PREFIX_SHAPE, {"XDG_CACHE_HOME": str(tmp_path)})
    other = compile_memo.cache_file(jqrt.LIBRARY, "def env: {}; {} as $ENV | def x: 1; ", {"XDG_CACHE_HOME": str(tmp_path)})
    assert here is not None and other is not None and here != other
    assert here.name.startswith("jq-compiles-") and here.parent == tmp_path / "cursor-builder"
