"""The jq that mappings are written in, compiled to Python: the engine's fast path.

jq itself (through jq.py) is the reference and stays the slow path. Most mapping fields are
paths, literals, ``//``, ``if``, string building, ``tostring``, ``gsub`` and dates; running those
through jq costs a JSON round trip per batch and jq's interpreter per field, which bounds the
engine near a tenth of what a Python expression costs. So a field that parses into the subset
below compiles to a Python function, and every record is mapped by those functions.

Exactness is the rule, and it rests on three outcomes besides a value:

* ``JqError``: jq raises here, for certain (a type error jq reports). The engine records an
  error and asks jq for its message only when a user looks at it.
* ``Empty``: jq gives no output here (``select``, ``empty``, ``.a?`` on a string…).
* ``Bail``: this code cannot be sure it matches jq (a float that jq would print in exponent
  form, a regex outside the plain subset, a string with a newline under ``$``…). The record goes
  to jq. Bailing is always correct, only slower; tests/engine/test_jqnative_differential.py
  holds native and jq to the same answers on a large corpus.

Unsupported syntax (``reduce``, ``def``, ``try``/``catch``, ``..``, formats, assignment, …)
makes ``compile_native`` return None and the field runs in jq as before.

Values are what jq.py hands back: numbers are doubles, integral ones come back as Python int.
Input records must pass ``jqrt.normal_form`` (ints within ±2**53, finite floats, strings jq can
encode); a float such as 1.0 may stay as it is, since jq keeps a number's literal text: its
``tostring`` is "1.0" in both. Numbers this module computes are brought to jq.py's form at once
(``_num``), as jq prints computed numbers in their shortest form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from builder.engine.jqnative.codegen import _Codegen
from builder.engine.jqnative.runtime import RUNTIME
from builder.engine.jqnative.syntax import _Lexer, _Parser
from builder.engine.jqnative.values import Bail, Empty, JqError, Unsupported
from builder.engine.jqrt import NotNormal, Outcome, format_filter, normal_form

__all__ = ["Bail", "Empty", "JqError", "NativeProgram", "Unsupported", "compile_native", "first", "fuse", "run"]


# -- public API ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NativeProgram:
    text: str
    source: str  # the generated Python, for the curious and for tests
    fn: Callable[[Any], Any]  # the value as jq.py gives it, or raises JqError / Empty / Bail
    tree: Any = None  # the parsed program (``fuse`` compiles several into one function)


_cache: dict[str, NativeProgram | None] = {}


def compile_native(text: Any) -> NativeProgram | None:
    """The program compiled to Python, or None when it uses jq outside the supported subset.

    ``text`` must already compile in jq (callers check): the parser trusts jq's grammar."""
    if not isinstance(text, str):
        return None
    found = _cache.get(text, False)
    if found is not False:
        return found  # type: ignore[return-value]
    program: NativeProgram | None
    try:
        program = _compile(text)
    except (Unsupported, RecursionError, SyntaxError):
        program = None  # SyntaxError: a generator bug; jq stays correct, and the tests say so
    if len(_cache) > 4096:
        _cache.clear()
    _cache[text] = program
    return program


# The value as jq.py hands it back: strings, booleans and null as they are, ints within 2**53 and
# non-integral finite floats too; anything else through _out (integral floats → int, containers
# checked, what jq would change → Bail). Inline: most fields end here, and a call per field shows.
_OUT = ("{r} if (c := {r}.__class__) is str or {r} is None or c is bool"
        " or (c is int and -9007199254740992 <= {r} <= 9007199254740992)"
        " or (c is float and not {r}.is_integer() and {r} - {r} == 0.0) else _out({r})")


def _compile(text: str) -> NativeProgram:
    tree = _Parser(_Lexer(format_filter(text)).tokens()).parse_all()
    gen = _Codegen()
    value = gen.value(tree, "v")
    gen.emit(f"r = {value}")
    gen.emit("return " + _OUT.format(r="r"))
    source = "def field(v):\n" + "\n".join(gen.lines) + "\n"
    return NativeProgram(text, source, _define(source, "field", gen.consts, text), tree)


def _define(source: str, name: str, consts: dict[str, Any], label: str) -> Callable[..., Any]:
    namespace = dict(RUNTIME)
    namespace.update(consts)
    exec(compile(source, f"<jq {label[:60]}>", "exec"), namespace)  # noqa: S102 - our own generated code
    return namespace[name]


def fuse(programs: list[NativeProgram | None]) -> Callable[[Any], tuple[Any, ...]]:
    """One function computing every program on one input, as a tuple (None where a program is
    None). It raises as soon as any program raises; callers then go field by field
    (``run``) to tell which. One call per record instead of one per field."""
    gen = _Codegen()
    cells = []
    for program in programs:
        if program is None:
            cells.append("None")
            continue
        value = gen.value(program.tree, "v")
        cell = gen.fresh("r")
        gen.emit(f"{cell} = {value}")
        gen.emit(f"{cell} = " + _OUT.format(r=cell))
        cells.append(cell)
    gen.emit("return (" + ", ".join(cells) + ",)")
    source = "def row(v):\n" + "\n".join(gen.lines) + "\n"
    return _define(source, "row", gen.consts, "row")


def run(program: NativeProgram, value: Any) -> Outcome | None:
    """One field on one (normal-form) value: an Outcome, or None when only jq can tell."""
    try:
        result = program.fn(value)
    except JqError:
        return Outcome("error")
    except Empty:
        return Outcome("empty")
    except (Bail, RecursionError):
        return None
    return Outcome("null" if result is None else "ok", result)


def first(text: str, value: Any) -> Outcome | None:
    """``jqrt.first`` natively; None when the program or this input needs jq."""
    program = compile_native(text)
    if program is None:
        return None
    try:
        normal_form(value)  # only a check: a float such as 1.0 stays (jq prints it as written)
    except (NotNormal, RecursionError):
        return None
    return run(program, value)
