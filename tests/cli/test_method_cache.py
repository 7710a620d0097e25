"""The compiled methods of ``@dataclass`` and ``namedtuple`` kept between starts
(builder.project.method_cache): a class built from the table is the class Python builds."""

from __future__ import annotations

import collections
import dataclasses
import marshal
import os
import subprocess
import sys
import textwrap
import typing
from pathlib import Path
from types import CodeType
from typing import Any, Iterator

import pytest

from builder.project import method_cache
from builder.project.method_cache import MethodCache
from tests.kept_files import command, kept_once, no_home_directory, run_python

ROOT = Path(__file__).resolve().parents[2]

# Every kind of class the hooks see: each option of @dataclass that changes the methods it writes,
# fields with defaults, factories, InitVar, ClassVar, keyword-only and unannotated defaults; the
# namedtuple forms (typing's and collections', with defaults and renamed fields).
CLASSES = textwrap.dedent('''
    import collections, dataclasses, typing
    from dataclasses import InitVar, KW_ONLY, dataclass, field

    @dataclass
    class Plain:
        a: int
        b: str = "x"
        c: list = field(default_factory=list)

    @dataclass(frozen=True, order=True)
    class Frozen:
        a: int
        b: tuple = ()

    @dataclass(eq=False, repr=False)
    class Bare:
        a: int = 0

    @dataclass(unsafe_hash=True, slots=True)
    class Slotted:
        a: int
        b: int = field(default=2, compare=False, repr=False)

    @dataclass(kw_only=True)
    class KeywordOnly:
        a: int
        b: int = 1

    @dataclass
    class Mixed:
        a: int
        _: KW_ONLY
        b: int = 3
        scale: InitVar[int] = 1
        counter: typing.ClassVar[int] = 0

        def __post_init__(self, scale):
            self.a *= scale

    @dataclass(frozen=True)
    class Child(Frozen):
        c: str = "child"

    Point = collections.namedtuple("Point", "x y z", defaults=(0,))
    Renamed = collections.namedtuple("Renamed", ["ok", "def", "ok"], rename=True)

    class Typed(typing.NamedTuple):
        name: str
        size: int = 1

    class Later(typing.NamedTuple):  # annotations as text: typing compiles each
        name: "str"
        sizes: "list[int]" = []
''')


def build() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "method_cache_classes"}
    exec(compile(CLASSES, "<classes>", "exec", dont_inherit=True), namespace)
    return namespace


def generated_code(namespace: dict[str, Any]) -> dict[str, CodeType]:
    """The code of every method the hooks made, by class and name."""
    found = {}
    for cls_name in ("Plain", "Frozen", "Bare", "Slotted", "KeywordOnly", "Mixed", "Child", "Point", "Renamed", "Typed",
                     "Later"):
        cls = namespace[cls_name]
        for name, value in vars(cls).items():
            function = getattr(value, "__func__", value)
            code = getattr(function, "__code__", None)
            if code is not None and code.co_filename == "<string>":
                found[f"{cls_name}.{name}"] = code
        for name, hint in cls.__annotations__.items():
            if isinstance(hint, typing.ForwardRef):
                found[f"{cls_name}.{name}: {hint.__forward_arg__}"] = hint.__forward_code__
    return found


def behaviour(namespace: dict[str, Any]) -> list[Any]:
    """What the classes do, as values that compare across two builds of them."""
    n = namespace
    frozen = n["Frozen"](1, (2,))
    out: list[Any] = [
        repr(n["Plain"](1)), n["Plain"](1) == n["Plain"](1, "x", []), n["Plain"](1) == n["Plain"](2),
        repr(frozen), hash(frozen) == hash(n["Frozen"](1, (2,))), n["Frozen"](1) < n["Frozen"](2),
        n["Bare"](1) == n["Bare"](1), repr(n["Bare"](1)).startswith("<method_cache_classes.Bare object"),
        repr(n["Slotted"](1)), n["Slotted"](1, 5) == n["Slotted"](1, 9), hash(n["Slotted"](1)) == hash(n["Slotted"](1, 7)),
        repr(n["KeywordOnly"](a=1)), repr(n["Mixed"](2, b=4, scale=3)), n["Mixed"].counter,
        repr(n["Child"](1)), n["Point"](1, 2), n["Point"]._fields, n["Renamed"]._fields, n["Typed"]("a"),
        n["Typed"].__annotations__, n["Later"]("x"), typing.get_type_hints(n["Later"]),
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        frozen.a = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        n["KeywordOnly"](1)
    return out


@pytest.fixture
def hooked(tmp_path: Path) -> Iterator[MethodCache]:
    cache = MethodCache(tmp_path / "methods.marshal")
    cache.install()
    try:
        yield cache
    finally:
        cache.uninstall()
    assert "exec" not in vars(dataclasses) and "eval" not in vars(collections) and "compile" not in vars(typing)


def test_a_class_built_from_the_table_is_the_class_python_builds(hooked: MethodCache, tmp_path: Path) -> None:
    first = build()
    assert hooked.learned >= 20, "the classes' methods went through the hooks"
    assert ("eval", "list[int]") in hooked.codes, "and typing's compile of an annotation written as text"
    hooked.save()
    hooked.uninstall()
    plain = build()  # no hook: Python's own
    again = MethodCache(hooked.path)
    assert again.load() and len(again.codes) == len(hooked.codes)
    again.install()
    try:
        MethodCache.check = True  # and each text found in the table is compiled again and compared
        from_table = build()
    finally:
        MethodCache.check = False
        again.uninstall()
    assert again.learned == 0, "every method came from the table"
    expected = generated_code(plain)
    assert len(expected) >= 20
    assert generated_code(first) == expected
    assert generated_code(from_table) == expected
    assert behaviour(from_table) == behaviour(plain) == behaviour(first)


def test_check_catches_a_table_that_holds_other_code(hooked: MethodCache) -> None:
    build()
    key = next(key for key in hooked.codes if key[0] == "exec")
    hooked.codes[key] = compile("x = 1", "<string>", "exec", dont_inherit=True)
    MethodCache.check = True
    try:
        with pytest.raises(AssertionError, match="method cache"):
            build()
    finally:
        MethodCache.check = False


@pytest.mark.parametrize("content", [b"", b"not marshal", marshal.dumps([1, 2]), marshal.dumps({"a": 1}),
                                     marshal.dumps({("exec", "x"): "not code"})])
def test_a_damaged_or_foreign_file_is_ignored_and_written_anew(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "methods.marshal"
    path.write_bytes(content)
    cache = MethodCache(path)
    cache.load()
    assert cache.codes == {}
    cache.install()
    try:
        namespace = build()
    finally:
        cache.uninstall()
    assert behaviour(namespace)
    cache.save()
    assert MethodCache(path).load()


def test_nothing_new_writes_nothing_and_past_kept_only_the_used_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "methods.marshal"
    cache = MethodCache(path)
    stale = {("exec", f"x{i} = {i}"): compile(f"x{i} = {i}", "<string>", "exec") for i in range(50)}
    cache.codes.update(stale)
    cache.install()
    try:
        build()
    finally:
        cache.uninstall()
    monkeypatch.setattr(method_cache, "KEPT", len(cache.used) + 10)  # the stale texts do not fit
    cache.save()
    kept = MethodCache(path)
    assert kept.load() and set(kept.codes) == cache.used
    before = path.stat().st_mtime_ns
    kept.install()
    try:
        build()
    finally:
        kept.uninstall()
    kept.save()
    assert kept.learned == 0 and path.stat().st_mtime_ns == before


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = MethodCache(blocker / "methods.marshal")  # its folder cannot be made
    cache.code("x = 1", "exec")
    cache.save()
    assert cache.learned == 1


def test_the_command_keeps_the_table_and_the_library_never_hooks(tmp_path: Path) -> None:
    path = kept_once(command("preview", "--help"), tmp_path, "methods-*.marshal")
    table = MethodCache(path)
    assert table.load() and len(table.codes) >= 50, "the command's classes (the engine's, argparse's…) were kept"
    library = run_python("import dataclasses, collections, builder.cli, builder.tui.app; "
                         "import typing; print('exec' in vars(dataclasses), 'eval' in vars(collections), "
                         "'compile' in vars(typing))", tmp_path / "other")
    assert library.returncode == 0, library.stderr
    assert library.stdout.split() == ["False", "False", "False"]
    assert not (tmp_path / "other").exists()


def test_no_home_directory_means_no_cache_and_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    no_home_directory(monkeypatch)
    monkeypatch.setattr(method_cache, "installed", None)
    assert method_cache.install({}) is None
    assert "exec" not in vars(dataclasses)
    method_cache.save()  # nothing installed: nothing to write, no error


def test_an_optimised_interpreter_keeps_its_own_table(tmp_path: Path) -> None:
    """``python -O`` compiles asserts away: its code objects are not the plain interpreter's."""
    code = "from builder.project.method_cache import cache_file; print(cache_file().name)"
    plain, optimised = run_python(code, tmp_path), subprocess.run(
        [sys.executable, "-O", "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
        env=dict(os.environ, XDG_CACHE_HOME=str(tmp_path), PYTHONPATH=str(ROOT)))
    assert plain.returncode == optimised.returncode == 0, plain.stderr + optimised.stderr
    assert plain.stdout.startswith("methods-") and plain.stdout != optimised.stdout
