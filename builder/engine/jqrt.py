"""JQ the way Ocean runs it: single-quote rewriting, compile cache, first output only.

Every mapping value, ``data_path``, ``selector.query`` and ``itemsToParse`` goes through here so
that the builder's preview and the deployed integration agree on what a program means.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import jq

from builder.project import compile_memo

# Ocean's `_format_filter` (jq_entity_processor.py): a single quote that opens (at the start or
# after whitespace) or closes (before whitespace or the end) a string becomes a double quote.
_SINGLE_QUOTE = re.compile(r'(^|\s)\'(?!\s|")|(?<!\s|")\'(\s|$)')
_NO_ENV_PREFIX = "def env: {}; {} as $ENV | "
#: The text before every program, its JSON values aside, and the jq extension's file: what
#: builder.project.compile_memo names its file by.
PREFIX_SHAPE = _NO_ENV_PREFIX
LIBRARY: str = jq.__file__


class JQCompileError(ValueError):
    """The program does not compile; ``message`` is jq's own first line, cleaned up."""

    def __init__(self, expr: str, message: str) -> None:
        self.expr = expr
        self.message = message
        super().__init__(message)


class JQRuntimeError(ValueError):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# Builtins and keywords that yield at most one output per input. An expression built only from
# these, paths, literals and operators cannot stream, so `[f]` means the same as `[first(f)]`
# (and cannot error after a first output). `first` costs jq a label and a break per call, which
# is most of the evaluation time of a typical mapping; this list lets us skip it safely.
_SINGLE_OUTPUT_WORDS = frozenset("""
if then elif else end and or not as reduce try catch null true false
length utf8bytelength keys keys_unsorted values has in contains inside startswith endswith
ltrimstr rtrimstr trimstr trim ltrim rtrim ascii_downcase ascii_upcase explode implode split join
tostring tonumber tojson fromjson type add any all flatten floor ceil round sqrt pow log log2 log10 exp
fabs abs min max min_by max_by unique unique_by group_by sort sort_by reverse map map_values
to_entries from_entries with_entries select empty error not test sub gsub ascii todate fromdate
todateiso8601 fromdateiso8601 dateadd datesub date now mktime gmtime localtime strftime strptime
strflocaltime getpath setpath delpaths del to_number toarray indices index rindex
isnan isinfinite isnormal infinite nan env builtins input_filename
ascii tojson halt_error objects arrays strings numbers booleans nulls iterables scalars
isvalid pick transpose walk first last @text @json @html @uri @csv @tsv @sh
@base64 @base64d significand gamma lgamma tgamma drem ldexp scalb nearbyint trunc
""".split())

_WORD = re.compile(r"@?[A-Za-z_][A-Za-z0-9_]*")


def is_single_output(text: str) -> bool:
    """Conservative check that a program yields at most one output (False when unsure)."""
    depth_stack: list[str] = []  # which bracket we are inside: "(", "[", "{", or "\\(" (interpolation)
    prev = ""  # the previous significant token, to tell `.x[]` (iterate) from `[]` (empty array)
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "#":
            return False  # comments are rare in mappings; not worth lexing
        if ch == '"':
            # A string literal; `\(` opens an interpolation whose contents we must inspect.
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "(":
                    return False  # interpolation: could stream; rare enough to take the slow path
                i += 2 if text[i] == "\\" else 1
            i += 1
            prev = "lit"
            continue
        if ch == ".":
            if text.startswith("..", i):
                return False  # recursive descent
            i += 1
            word = _WORD.match(text, i)
            if word:
                i = word.end()
            prev = "term"
            continue
        if ch == "$":
            word = _WORD.match(text, i + 1)
            if not word:
                return False
            i = word.end()
            prev = "term"
            continue
        if ch.isdigit():
            while i < n and (text[i].isalnum() or text[i] == "." or text[i] in "+-" and text[i - 1] in "eE"):
                i += 1
            prev = "term"
            continue
        word = _WORD.match(text, i)
        if word:
            after = text[word.end():].lstrip()
            if depth_stack and depth_stack[-1] == "{" and prev == "op" and after[:1] in (":", ",", "}"):
                i = word.end()  # an object key (`{a: …}` or the shorthand `{a}`), not a call
                prev = "op" if after[:1] == ":" else "term"
                continue
            if word.group(0) not in _SINGLE_OUTPUT_WORDS:
                return False
            i = word.end()
            prev = "term" if word.group(0) not in {"if", "then", "elif", "else", "and", "or", "as",
                                                     "reduce", "try", "catch"} else "op"
            continue
        if ch in "([{":
            if ch == "[" and prev == "term":
                # `.x[...]`: an index or slice is fine, `.x[]` iterates.
                j = i + 1
                while j < n and text[j].isspace():
                    j += 1
                if j < n and text[j] == "]":
                    return False
            # An index after a term (`.x[...]`) streams if its contents do: commas count there.
            depth_stack.append("(" if ch == "[" and prev == "term" else ch)
            prev = "op"
            i += 1
            continue
        if ch in ")]}":
            if not depth_stack:
                return False
            depth_stack.pop()
            prev = "term"
            i += 1
            continue
        if ch == ",":
            # Only inside an array or object constructor is a comma harmless (collected / a separator).
            if not depth_stack or depth_stack[-1] == "(":
                return False
            prev = "op"
            i += 1
            continue
        if ch == "?":
            if text.startswith("?//", i):
                return False
            prev = "term"
            i += 1
            continue
        if ch in "|+-*/%<>=!:;":
            if ch == ";" and (not depth_stack or depth_stack[-1] != "("):
                return False  # `def f: …;` and friends
            prev = "op"
            i += 1
            continue
        return False
    return not depth_stack


_CONTINUED_COMMENT = re.compile(r"\\(?:\r?\n|$)")


def wraps_safely(text: str) -> bool:
    """Whether a field keeps Ocean's one-field answer inside a combined batch program (one jq
    program over many records and fields, each field as ``first(f)`` between newlines).

    Not for ``?//``: inside its body, the break that ends ``first`` counts as an error and the
    next pattern is tried (``.[] as $a ?// {a:$a} | $a`` on ``[[3]]`` gives [3] alone, null
    wrapped). Not for ``$__loc__``: its line moves. Not for a comment that a trailing backslash
    continues onto the next line: it would swallow the program's own text after the field."""
    if "?//" in text or "$__loc__" in text:
        return False
    return "#" not in text or _CONTINUED_COMMENT.search(text) is None


def format_filter(expr: str) -> str:
    return _SINGLE_QUOTE.sub(r'\1"\2', expr)


def as_program_text(value: Any) -> str:
    """A mapping leaf as Ocean's pydantic models hand it to jq (numbers become their str())."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)  # pydantic v1 str coercion: True → "True" (which then fails to compile)
    if isinstance(value, (int, float)):
        return str(value)
    raise JQCompileError(repr(value), f"expected a JQ string, got {type(value).__name__}")


def clean_message(text: str) -> str:
    """jq's error text without the 'jq: error (at <unknown>):' noise, first line only."""
    first = str(text).strip().splitlines()[0] if str(text).strip() else "error"
    first = re.sub(r"^jq: error(?: \(at [^)]*\))?:\s*", "", first)
    first = re.sub(r"\s+at <top-level>, line \d+, column \d+:?$", "", first)
    return first


def _compile_message(exc: Exception) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    head = lines[0] if lines else "does not compile"
    head = re.sub(r"^jq: error:\s*", "", head)
    # jq points at `<top-level>, line 1, column N`; the column is what a user can act on.
    found = re.search(r"at <top-level>, line (\d+), column (\d+)", head)
    head = re.sub(r"\s*at <top-level>, line \d+, column \d+:?", "", head)
    if found and found.group(1) == "1":
        head += f" (column {found.group(2)})"
    return head


# -- the environment a mapping sees (`env`, `$ENV`) ------------------------------------------------
# port-ocean hands libjq its own process environment unless allowEnvironmentVariablesJqAccess is
# false (then `def env: {}; {} as $ENV | ` is prefixed). Ours would be this machine's, secrets and
# all, so the engine never lets a program read it: until something is installed `env` is `{}`, and
# the CLI and the TUI install the deployed integration's environment (secrets as placeholders;
# builder.ship.environment), so a preview shows what the integration would send. The differential
# test against port-ocean installs the environment it gives the oracle process, explicitly.
_environment_prefix: str = _NO_ENV_PREFIX


def install_environment(environment: Mapping[str, str] | None) -> str:
    """What `env`/`$ENV` give from now on (None: nothing, ``{}``). Returns the previous setting
    (a token for ``restore_environment``)."""
    global _environment_prefix
    previous = _environment_prefix
    value = json.dumps(dict(environment or {}), ensure_ascii=False)
    _environment_prefix = f"def env: {value}; {value} as $ENV | "
    return previous


def restore_environment(token: str) -> None:
    """Install again what ``install_environment`` returned, or what ``environment_token`` gave in
    another process (the TUI's evaluation process evaluates with its parent's environment)."""
    global _environment_prefix
    if not token.startswith("def env: "):  # never an empty prefix: that would read this process's env
        raise ValueError("not an environment token")
    _environment_prefix = token


def environment_token() -> str:
    """The installed environment, as a token ``restore_environment`` takes (picklable)."""
    return _environment_prefix


def environment_prefix(env_access: bool = True) -> str:
    """The text put before every program so that `env`/`$ENV` mean what they would in Ocean."""
    if not env_access:
        return _NO_ENV_PREFIX
    return _environment_prefix


def compile_program(text: str, env_access: bool = True) -> Any:
    """Compile exactly as Ocean does (format, optional env lock-out), cached. Raises JQCompileError."""
    return _compile(text, environment_prefix(env_access))


@lru_cache(maxsize=8192)
def _compile(text: str, prefix: str) -> Any:
    program = format_filter(text)
    try:
        return compile_raw(prefix + program, text)
    except JQCompileError:
        if prefix:  # errors (and their columns) as Ocean reports them: without our prefix
            compile_raw(program, text)
        raise


def compile_with(text: str, args: Mapping[str, Any]) -> Any:
    """A builder-side program (computed request values, pagination stop rules) with ``$name``
    variables bound; ``now`` means ``$now`` when it is bound (a fixed instant, as the request
    that uses it). `env` as everywhere else. Raises JQCompileError."""
    program = format_filter(text)
    if "now" in args:
        program = "def now: $now; " + program
    try:
        return jq.compile(environment_prefix(True) + program, args=dict(args))
    except Exception as exc:
        raise JQCompileError(text, _compile_message(exc)) from None


def compile_raw(program: str, label: str | None = None) -> Any:
    """jq.compile for text already formatted (the engine's combined batch programs, computed request
    values); the one place jq programs are compiled. Raises JQCompileError."""
    try:
        return jq.compile(program)
    except Exception as exc:  # jq raises ValueError; anything else is still a compile failure
        raise JQCompileError(program if label is None else label, _compile_message(exc)) from None


def compile_error(text: str, env_access: bool = True) -> str | None:
    """None when the program compiles as Ocean compiles it, else jq's message (as
    ``compile_program`` raises it). A program the installed ``compile_memo`` knows compiled is
    answered without compiling it: jq compiles it when something runs it."""
    memo = compile_memo.installed
    key = None
    if memo is not None:
        key = compile_memo.digest(format_filter(text))
        if memo.knows(key):
            if memo.check and _compiled_error(text, env_access) is not None:
                raise AssertionError(f"compile memo: {text[:60]!r} was known to compile and does not")
            return None
    error = _compiled_error(text, env_access)
    if error is None and memo is not None and key is not None:
        memo.learn(key)  # (key is set whenever memo is)
    return error


def _compiled_error(text: str, env_access: bool) -> str | None:
    try:
        compile_program(text, env_access)
    except JQCompileError as exc:
        return exc.message
    return None


def check(text: str) -> str | None:
    """None when the program compiles, else the error message."""
    return compile_error(text)


@dataclass(frozen=True)
class Outcome:
    """One program run on one input, with Ocean's view (``value``) and ours (``status``)."""

    status: str  # "ok" | "null" | "empty" | "error"
    value: Any = None
    error: str | None = None

    @property
    def ocean_value(self) -> Any:
        return self.value if self.status == "ok" else None


class NotNormal(ValueError):
    """A value jq would change on its way through (big integer, NaN, lone surrogate…)."""


MAX_EXACT = 2 ** 53  # beyond this jq's doubles and Python's ints part ways


# -- the normal form of data ---------------------------------------------------------------------


def normal_form(value: Any) -> Any:
    """``value`` as jq.py hands it back after a trip through jq: integral floats become ints.

    Returns the same object when nothing changes (the usual case: no copy). Raises NotNormal
    where only jq can tell (integers beyond 2**53, NaN, ±Infinity, lone surrogates)."""
    cls = value.__class__
    if cls is dict:
        changed = None
        for key, item in value.items():
            item_cls = item.__class__
            if item_cls is str:
                if not item.isascii():
                    _check_text(item)
                continue
            if item_cls is int:
                if -MAX_EXACT <= item <= MAX_EXACT:
                    continue
                raise NotNormal("integer beyond 2**53")
            if item is None or item_cls is bool:
                continue
            if item_cls is float and not item.is_integer() and item - item == 0.0:
                continue  # finite, not integral: as jq hands it back
            new = normal_form(item)
            if new is not item:
                if changed is None:
                    changed = dict(value)
                changed[key] = new
        try:
            ascii_keys = "".join(value).isascii()  # the keys, in one pass
        except TypeError:
            raise NotNormal("a key that is not a string") from None
        if not ascii_keys:
            for key in value:
                _check_text(key)
        return value if changed is None else changed
    if cls is list:
        changed_list = None
        for index, item in enumerate(value):
            new = normal_form(item)
            if new is not item:
                if changed_list is None:
                    changed_list = list(value)
                changed_list[index] = new
        return value if changed_list is None else changed_list
    if cls is str:
        if not value.isascii():
            _check_text(value)
        return value
    if cls is int:
        if -MAX_EXACT <= value <= MAX_EXACT:
            return value
        raise NotNormal("integer beyond 2**53")
    if cls is float:
        if value != value or value in (math.inf, -math.inf):
            raise NotNormal("NaN or Infinity")
        if value.is_integer():
            if -MAX_EXACT <= value <= MAX_EXACT:
                return int(value)
            raise NotNormal("integral float beyond 2**53")
        return value
    if value is None or cls is bool:
        return value
    raise NotNormal(f"not JSON: {cls.__name__}")


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotNormal("lone surrogate") from None


_SIMPLE_PATH = re.compile(r"^\s*((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*$")
_JQ_TYPE = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}


def _walk_simple_path(keys: list[str], data: Any) -> Outcome:
    """``.a.b`` without a round trip through jq: a data_path over a large response would
    otherwise serialise the whole page to jq and convert every record back."""
    value = data
    for key in keys:
        if value is None:
            continue
        if not isinstance(value, dict):
            kind = _JQ_TYPE.get(type(value), "object")
            return Outcome("error", None, f'Cannot index {kind} with string ("{key}")')
        value = value.get(key)
    return Outcome("null" if value is None else "ok", value)


def _walk_as_jq(keys: list[str], data: Any) -> Outcome | None:
    """``_walk_simple_path`` on the values jq would see and hand back (None: only jq can tell).

    A trip through jq changes some values, and Ocean's data_path makes that trip, so its records
    carry them (and ``tostring``, interpolation, ``tojson`` in the mapping show them): integral
    numbers come back as ints. ``normal_form`` redoes that; what it cannot (integers beyond 2**53,
    NaN, a lone surrogate, which fails jq's whole parse) goes to jq itself."""
    if data is None or isinstance(data, str) and data.isascii():
        return _walk_simple_path(keys, data)
    try:
        data = normal_form(data)
    except (NotNormal, RecursionError):
        return None
    return _walk_simple_path(keys, data)


def first(text: str, data: Any, env_access: bool = True) -> Outcome:
    """First output of ``text`` on ``data``; errors and no output are outcomes, not exceptions."""
    if isinstance(text, str):
        simple = _SIMPLE_PATH.match(text)
        if simple:
            walked = _walk_as_jq(simple.group(1)[1:].split("."), data)
            if walked is not None:
                return walked
    try:
        program = compile_program(as_program_text(text), env_access)
    except JQCompileError as exc:
        return Outcome("error", None, exc.message)
    try:
        iterator = iter(program.input_text(json.dumps(data)))
        try:
            value = next(iterator)
        except StopIteration:
            return Outcome("empty")
    except Exception as exc:
        return Outcome("error", None, clean_message(str(exc)))
    return Outcome("null" if value is None else "ok", value)


def first_value(text: str, data: Any, env_access: bool = True) -> Any:
    """Ocean's ``_search``: the first output, or None on error or no output."""
    return first(text, data, env_access).ocean_value


def all_outputs(text: str, data: Any) -> list[Any]:
    """Every output (for the lint: a data_path that streams several values loses all but one)."""
    program = compile_program(as_program_text(text))
    try:
        return list(program.input_text(json.dumps(data)))
    except Exception as exc:
        raise JQRuntimeError(clean_message(str(exc))) from None
