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

import calendar
import itertools
import json
import math
import re
import time
from dataclasses import dataclass
from typing import Any, Callable

from builder.jqrt import MAX_EXACT, NotNormal, Outcome, format_filter, normal_form


class Bail(Exception):
    """Native evaluation cannot be sure to match jq here: ask jq."""


class JqError(Exception):
    """jq raises an error here (its message comes from jq when needed)."""


class Empty(Exception):
    """jq gives no output here."""


class Unsupported(Exception):
    """The program uses jq this module does not compile."""


# -- runtime helpers (the generated code calls these) ----------------------------------------------

_NUM = (int, float)
_TYPE_NAME = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string",
              list: "array", dict: "object"}
_RANK = {type(None): 0, bool: 1, int: 3, float: 3, str: 4, list: 5, dict: 6}


def _num(x: float) -> Any:
    """A double result in jq.py's form: integral → int; beyond exactness or non-finite → Bail."""
    if x.is_integer():
        if -MAX_EXACT <= x <= MAX_EXACT and (x or math.copysign(1.0, x) > 0):
            return int(x)
        raise Bail  # beyond exactness, or -0 (which jq prints as "-0")
    if x != x or x in (math.inf, -math.inf):
        raise Bail
    return x


def _int(x: int) -> int:
    if -MAX_EXACT <= x <= MAX_EXACT:
        return x
    raise Bail


def _index(x: Any, key: Any) -> Any:
    """``x[key]`` for the cases the inline fast path (dict + str key) did not take."""
    if x is None:
        if key is None or key.__class__ in (str, int):
            return None
        raise Bail
    cls = x.__class__
    if cls is dict:
        if key.__class__ is str:
            return x.get(key)
        if key.__class__ in _NUM or key is None or key.__class__ is bool:
            raise JqError
        raise Bail
    if cls is list:
        if key.__class__ is int:
            if -len(x) <= key < len(x):
                return x[key]
            return None
        if key.__class__ is str:
            raise JqError
        raise Bail  # floats (jq floors them), arrays (indices), objects (slices)
    if cls is str or cls in _NUM or cls is bool:
        if key.__class__ in (str, int):
            raise JqError
        raise Bail
    raise Bail


def _slice(x: Any, start: Any, end: Any) -> Any:
    """``.[start:end]`` on an array or string (code points), null on null."""
    if (start is not None and start.__class__ is not int) or (end is not None and end.__class__ is not int):
        raise Bail  # fractional bounds round in jq's own way; non-numbers are errors
    cls = x.__class__
    if cls is list or cls is str:
        return x[start:end]
    if x is None:
        return None
    raise JqError


def _iterate(x: Any) -> Any:
    cls = x.__class__
    if cls is list:
        return x
    if cls is dict:
        return list(x.values())
    raise JqError  # null, strings, numbers, booleans cannot be iterated


def _truthy(x: Any) -> bool:
    return x is not None and x is not False


def _plus(a: Any, b: Any) -> Any:
    ca, cb = a.__class__, b.__class__
    if ca is int and cb is int:
        return _int(a + b)
    if a is None:
        return b
    if b is None:
        return a
    if (ca is int or ca is float) and (cb is int or cb is float):
        return _num(float(a) + float(b))
    if ca is cb:
        if ca is str or ca is list:
            return a + b
        if ca is dict:
            merged = dict(a)
            merged.update(b)
            return merged
    raise JqError


def _minus(a: Any, b: Any) -> Any:
    ca, cb = a.__class__, b.__class__
    if ca is int and cb is int:
        return _int(a - b)
    if (ca is int or ca is float) and (cb is int or cb is float):
        return _num(float(a) - float(b))
    if ca is list and cb is list:
        return [item for item in a if not any(_eq(item, other) for other in b)]
    if ca in (str, dict, list, type(None), bool, int, float) and cb in (str, dict, list, type(None), bool, int, float):
        raise JqError
    raise Bail


def _times(a: Any, b: Any) -> Any:
    ca, cb = a.__class__, b.__class__
    if ca is int and cb is int:
        if (a < 0 or b < 0) and (a == 0 or b == 0):
            raise Bail  # a double's -0
        return _int(a * b)
    if (ca is int or ca is float) and (cb is int or cb is float):
        return _num(float(a) * float(b))
    raise Bail  # string repetition and deep object merge: jq's rules, jq's job


def _divide(a: Any, b: Any) -> Any:
    ca, cb = a.__class__, b.__class__
    if (ca is int or ca is float) and (cb is int or cb is float):
        if b == 0:
            raise JqError
        return _num(a / b)
    raise Bail  # string / string splits


def _modulo(a: Any, b: Any) -> Any:
    if a.__class__ is int and b.__class__ is int:
        if b == 0:
            raise JqError
        result = abs(a) % abs(b)  # C's %: the sign follows the dividend
        return -result if a < 0 else result
    raise Bail


def _eq(a: Any, b: Any) -> bool:
    ca, cb = a.__class__, b.__class__
    if ca is cb:
        if ca is list:
            return len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
        if ca is dict:
            return a.keys() == b.keys() and all(_eq(a[k], b[k]) for k in a)
        return a == b
    if (ca is int or ca is float) and (cb is int or cb is float):
        return a == b
    return False


def _order_key(x: Any) -> Any:
    """jq's total order (null < false < true < numbers < strings < arrays < objects) as a key."""
    cls = x.__class__
    if cls is bool:
        return (2,) if x else (1,)
    if cls is list:
        return (5, tuple(_order_key(item) for item in x))
    if cls is dict:
        raise Bail  # objects order by their sorted keys, then values: jq's job
    rank = _RANK.get(cls)
    if rank is None:
        raise Bail
    return (rank, x) if rank else (0,)


def _compare(a: Any, b: Any) -> int:
    ca, cb = a.__class__, b.__class__
    if (ca is cb and (ca is str or ca is int or ca is float)) or (ca in _NUM and cb in _NUM):
        return (a > b) - (a < b)
    ka, kb = _order_key(a), _order_key(b)
    return (ka > kb) - (ka < kb)


def _lt(a: Any, b: Any) -> bool:
    return _compare(a, b) < 0


def _le(a: Any, b: Any) -> bool:
    return _compare(a, b) <= 0


def _gt(a: Any, b: Any) -> bool:
    return _compare(a, b) > 0


def _ge(a: Any, b: Any) -> bool:
    return _compare(a, b) >= 0


def _float_text(x: float) -> str:
    """How jq prints a (non-integral, finite) double: its shortest form, where that has no
    exponent; jq's exponent notation differs from Python's, so those bail."""
    if 1e-4 <= abs(x) < 1e15:
        text = repr(x)
        if "e" not in text:
            return text
    raise Bail


def _tostring(x: Any) -> str:
    cls = x.__class__
    if cls is str:
        return x
    if cls is int:
        if -10 ** 15 < x < 10 ** 15:
            return str(x)
        raise Bail
    if cls is float:
        return _float_text(x)
    if x is None:
        return "null"
    if cls is bool:
        return "true" if x else "false"
    return _tojson(x)


def _check_json(x: Any) -> None:
    cls = x.__class__
    if cls is str:
        if "\x7f" in x:
            raise Bail  # jq escapes DEL, Python's json does not
    elif cls is float:
        _float_text(x)
    elif cls is int:
        if not -10 ** 15 < x < 10 ** 15:
            raise Bail
    elif cls is list:
        for item in x:
            _check_json(item)
    elif cls is dict:
        for key, item in x.items():
            _check_json(key)
            _check_json(item)


def _tojson(x: Any) -> str:
    _check_json(x)
    return json.dumps(x, ensure_ascii=False, separators=(",", ":"))


def _interpolate(x: Any) -> str:
    return x if x.__class__ is str else _tostring(x)


_CANONICAL_INT = re.compile(r"0|-?[1-9][0-9]{0,14}")
_CANONICAL_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}")


def _tonumber(x: Any) -> Any:
    cls = x.__class__
    if cls is int or cls is float:
        return x
    if cls is str:
        if x.isdigit() and x.isascii() and len(x) <= 15 and (x[0] != "0" or x == "0"):
            return int(x)  # the usual case (epoch milliseconds as a string), without the regex
        if _CANONICAL_INT.fullmatch(x):
            return int(x)
        if _CANONICAL_DECIMAL.fullmatch(x):
            number = float(x)
            if repr(number) == x and number:  # jq keeps the literal: "1.0" stays 1.0 (printed "1.0")
                return number
        raise Bail
    raise JqError


def _length(x: Any) -> Any:
    cls = x.__class__
    if cls is str or cls is list or cls is dict:
        return len(x)
    if x is None:
        return 0
    if cls is int:
        return -x if x < 0 else x
    if cls is float:
        return -x if x < 0 else x  # jq keeps the literal: `2.0 | length | tostring` is "2.0"
    raise JqError  # booleans have no length


def _utf8bytelength(x: Any) -> int:
    if x.__class__ is str:
        return len(x.encode("utf-8"))
    raise JqError


def _not(x: Any) -> bool:
    return x is None or x is False


def _type(x: Any) -> str:
    return _TYPE_NAME[x.__class__]


def _keys(x: Any) -> list[Any]:
    if x.__class__ is dict:
        return sorted(x)
    if x.__class__ is list:
        return list(range(len(x)))
    raise JqError


def _keys_unsorted(x: Any) -> list[Any]:
    if x.__class__ is dict:
        return list(x)
    if x.__class__ is list:
        return list(range(len(x)))
    raise JqError


def _has(x: Any, key: Any) -> bool:
    if x is None and key.__class__ in (str, int):
        return False
    if x.__class__ is dict and key.__class__ is str:
        return key in x
    if x.__class__ is list and key.__class__ is int:
        return 0 <= key < len(x)
    if x.__class__ in (dict, list, str, int, float, bool, type(None)) and key.__class__ in (str, int):
        raise JqError
    raise Bail


def _add(x: Any) -> Any:
    if x.__class__ is dict:
        x = list(x.values())
    elif x.__class__ is not list:
        raise JqError
    total = None
    for item in x:
        total = _plus(total, item)
    return total


def _values_of(x: Any) -> Any:
    """What ``.[]`` walks, for the filters that take an array (map, any, all, sort_by, …)."""
    if x.__class__ is list:
        return x
    if x.__class__ is dict:
        return list(x.values())
    raise JqError


def _sorted_by(items: list[Any], keys: list[Any]) -> list[Any]:
    order = sorted(range(len(items)), key=lambda i: keys[i])  # stable, as jq's sort
    return [items[i] for i in order]


def _sort(x: Any) -> list[Any]:
    if x.__class__ is not list:
        raise JqError
    return sorted(x, key=_order_key)


def _unique(x: Any) -> list[Any]:
    if x.__class__ is not list:
        raise JqError
    out: list[Any] = []
    last = None
    for item in sorted(x, key=_order_key):
        key = _order_key(item)
        if not out or key != last:
            out.append(item)
            last = key
    return out


def _min(x: Any) -> Any:
    if x.__class__ is not list:
        raise Bail
    best = None
    for index, item in enumerate(x):
        if index == 0 or _order_key(item) < _order_key(best):
            best = item
    return best


def _max(x: Any) -> Any:
    if x.__class__ is not list:
        raise Bail
    best = None
    for index, item in enumerate(x):
        if index == 0 or _order_key(item) >= _order_key(best):  # jq keeps the last of equals
            best = item
    return best


def _reverse(x: Any) -> Any:
    # jq 1.8: `[.[length - 1 - range(0; length)]]`: strings and objects index by number and fail
    # unless empty.
    if x.__class__ is list:
        return x[::-1]
    if x is None or x == "" or x == {}:
        return []
    if x.__class__ is str or x.__class__ is dict:
        raise JqError
    raise Bail


def _first(x: Any) -> Any:
    return _index(x, 0) if x.__class__ is not list else (x[0] if x else None)


def _last(x: Any) -> Any:
    return _index(x, -1) if x.__class__ is not list else (x[-1] if x else None)


def _to_entries(x: Any) -> list[dict[str, Any]]:
    if x.__class__ is dict:
        return [{"key": key, "value": value} for key, value in x.items()]
    raise Bail


def _from_entries(x: Any) -> dict[str, Any]:
    if x.__class__ is not list:
        raise Bail
    out: dict[str, Any] = {}
    for entry in x:
        if entry.__class__ is not dict or entry.get("key").__class__ is not str or "value" not in entry:
            raise Bail  # k/name/Name/K/Key, v/Value/V and non-string keys: jq's rules
        out[entry["key"]] = entry["value"]
    return out


def _flatten(x: Any) -> list[Any]:
    if x.__class__ is not list:
        raise Bail
    out: list[Any] = []
    for item in x:
        if item.__class__ is list:
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def _any(x: Any) -> bool:
    return any(_truthy(item) for item in _values_of(x))


def _all(x: Any) -> bool:
    return all(_truthy(item) for item in _values_of(x))


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _ascii_downcase(x: Any) -> str:
    if x.__class__ is str:
        return x.translate(_ASCII_LOWER)
    raise JqError


def _ascii_upcase(x: Any) -> str:
    if x.__class__ is str:
        return x.translate(_ASCII_UPPER)
    raise JqError


def _ltrimstr(x: Any, prefix: Any) -> Any:
    if x.__class__ is str and prefix.__class__ is str:
        return x[len(prefix):] if x.startswith(prefix) else x
    raise Bail


def _rtrimstr(x: Any, suffix: Any) -> Any:
    if x.__class__ is str and suffix.__class__ is str:
        return x[:len(x) - len(suffix)] if suffix and x.endswith(suffix) else x
    raise Bail


def _startswith(x: Any, prefix: Any) -> bool:
    if x.__class__ is str and prefix.__class__ is str:
        return x.startswith(prefix)
    raise JqError


def _endswith(x: Any, suffix: Any) -> bool:
    if x.__class__ is str and suffix.__class__ is str:
        return x.endswith(suffix)
    raise JqError


def _trim(x: Any, how: str) -> str:
    if x.__class__ is str and x.isascii():
        whitespace = " \t\n\r\f\v"
        return x.strip(whitespace) if how == "both" else x.lstrip(whitespace) if how == "left" else x.rstrip(whitespace)
    raise Bail


def _split(x: Any, separator: Any) -> list[str]:
    if x.__class__ is str and separator.__class__ is str and separator:
        return x.split(separator) if x else []
    raise Bail


def _join(x: Any, separator: Any) -> str:
    if x.__class__ is not list or separator.__class__ is not str:
        raise Bail
    parts = []
    for item in x:
        cls = item.__class__
        if cls is str:
            parts.append(item)
        elif item is None:
            parts.append("")
        elif cls is bool or cls is int or cls is float:
            parts.append(_tostring(item))
        else:
            raise JqError  # jq cannot add an array or object to a string
    return separator.join(parts)


def _contains(x: Any, part: Any) -> bool:
    if x.__class__ is str and part.__class__ is str:
        return part in x
    raise Bail


def _regex_input(x: Any) -> str:
    if x.__class__ is not str:
        raise JqError  # "… cannot be matched, as it is not a string"
    if not x.isascii() or "\n" in x:
        raise Bail  # Unicode classes and Oniguruma's line anchors: jq's job
    return x


def _test(x: Any, pattern: re.Pattern[str]) -> bool:
    return pattern.search(_regex_input(x)) is not None


def _substitute(x: Any, pattern: re.Pattern[str], replacement: str, count: int) -> str:
    text = _regex_input(x)

    def literal(match: re.Match[str]) -> str:
        if match.end() == match.start():
            raise Bail  # jq's handling of empty matches differs between versions
        return replacement

    return pattern.sub(literal, text, count=count)


# strftime directives that libc formats the same for jq (in this process) and for Python.
_STRFTIME_SAFE = set("aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyY%")
_MAX_TIME = 253402300800  # year 10000


def _check_format(fmt: str) -> str:
    index = fmt.find("%")
    while index != -1:
        if index + 1 >= len(fmt) or fmt[index + 1] not in _STRFTIME_SAFE:
            raise Unsupported(f"strftime directive in {fmt!r}")
        index = fmt.find("%", index + 2)
    return fmt


_STRFTIME_MEMO: dict[tuple[int, str], str] = {}


def _strftime(x: Any, fmt: str) -> str:
    cls = x.__class__
    if cls is int or cls is float:
        if 0 <= x < _MAX_TIME:
            # A mapping often formats one timestamp several ways (title, date, day): remember.
            key = (int(x), fmt)
            text = _STRFTIME_MEMO.get(key)
            if text is None:
                if len(_STRFTIME_MEMO) > 8192:
                    _STRFTIME_MEMO.clear()
                text = _STRFTIME_MEMO[key] = time.strftime(fmt, time.gmtime(key[0]))
            return text
        raise Bail
    if cls is str:
        raise JqError  # strftime/1 requires parsed datetime inputs
    raise Bail  # broken-down time arrays: jq's job


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z")


def _fromdateiso8601(x: Any) -> int:
    if x.__class__ is not str:
        raise JqError
    found = _ISO_DATE.fullmatch(x)
    if found is None:
        raise Bail  # glibc's strptime is lenient in ways a regex is not
    year, month, day, hour, minute, second = (int(part) for part in found.groups())
    if not (1970 <= year < 10000 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
            and hour < 24 and minute < 60 and second < 60):
        raise Bail
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))


def _math(x: Any, fn: Callable[[float], float]) -> Any:
    if x.__class__ is int:
        return x
    if x.__class__ is float:
        result = fn(x)
        if x == 0 or (result == 0 and x < 0):
            raise Bail  # a -0 (jq prints it "-0")
        return _num(float(result))
    raise JqError


def _sqrt(x: Any) -> Any:
    if (x.__class__ is int or x.__class__ is float) and x >= 0:
        return _num(math.sqrt(x))
    raise Bail


def _abs(x: Any) -> Any:
    if x.__class__ is int:
        return -x if x < 0 else x
    if x.__class__ is float:
        return -x if x < 0 else x  # the literal kept, as `length`
    raise Bail


def _round(x: Any) -> Any:
    """C's round(): half away from zero (Python's round() goes to even)."""
    if x.__class__ is int:
        return x
    if x.__class__ is float:
        low = math.floor(x)
        fraction = x - low  # exact for a double
        result = low + 1 if fraction > 0.5 or (fraction == 0.5 and x > 0) else low
        if result == 0 and (x < 0 or math.copysign(1.0, x) < 0):
            raise Bail  # -0
        return _int(result)
    raise JqError


def _out(x: Any) -> Any:
    """A field's value as jq.py would hand it back (numbers already are; containers are checked)."""
    cls = x.__class__
    if cls is int:
        return _int(x)
    if cls is float:
        return _num(x)
    if cls is list or cls is dict:
        try:
            return normal_form(x)
        except NotNormal:
            raise Bail from None
    return x


def _gen_first(iterable: Any) -> Any:
    for value in iterable:
        return value
    raise Empty


def _single(fn: Callable[[Any], Any], x: Any) -> tuple[Any, ...]:
    try:
        return (fn(x),)
    except Empty:
        return ()


def _by(items: Any, fn: Callable[[Any], Any]) -> tuple[list[Any], list[Any]]:
    values = _values_of(items) if items.__class__ is list else None
    if values is None:
        raise JqError if items.__class__ is not dict else Bail
    try:
        keys = [_order_key(fn(item)) for item in values]
    except Empty:
        raise Bail from None  # an empty key sorts as [] in jq
    return values, keys


def _sort_by(x: Any, fn: Callable[[Any], Any]) -> list[Any]:
    values, keys = _by(x, fn)
    return _sorted_by(values, keys)


def _group_by(x: Any, fn: Callable[[Any], Any]) -> list[list[Any]]:
    values, keys = _by(x, fn)
    order = sorted(range(len(values)), key=lambda i: keys[i])
    groups: list[list[Any]] = []
    last = None
    for i in order:
        if not groups or keys[i] != last:
            groups.append([])
            last = keys[i]
        groups[-1].append(values[i])
    return groups


def _unique_by(x: Any, fn: Callable[[Any], Any]) -> list[Any]:
    return [group[0] for group in _group_by(x, fn)]


def _max_by(x: Any, fn: Callable[[Any], Any]) -> Any:
    values, keys = _by(x, fn)
    best = None
    for i in range(len(values)):
        if best is None or keys[i] >= keys[best]:
            best = i
    return None if best is None else values[best]


def _min_by(x: Any, fn: Callable[[Any], Any]) -> Any:
    values, keys = _by(x, fn)
    best = None
    for i in range(len(values)):
        if best is None or keys[i] < keys[best]:
            best = i
    return None if best is None else values[best]


RUNTIME: dict[str, Any] = {name: value for name, value in globals().items()
                           if name.startswith("_") and callable(value) and not name.startswith("__")}
RUNTIME.update(Bail=Bail, JqError=JqError, Empty=Empty, _chain=itertools.chain, _re=re)


# -- lexer ---------------------------------------------------------------------------------------

_KEYWORDS = {"if", "then", "elif", "else", "end", "as", "and", "or", "not_kw", "reduce", "foreach", "try",
             "catch", "label", "def", "import", "include", "__loc__"}
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<field>\.[A-Za-z_][A-Za-z0-9_]*)
  | (?P<var>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>\?//|//=|\|=|\+=|-=|\*=|/=|%=|==|!=|<=|>=|//|\.\.|[.\[\](){}|,:;=<>+\-*/%?])
""", re.VERBOSE)


@dataclass
class Token:
    kind: str  # num | field | var | ident | op | str | end
    text: str
    parts: list[Any] | None = None  # for str: literal pieces and parsed interpolations


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def tokens(self, until_paren: bool = False) -> list[Token]:
        out: list[Token] = []
        depth = 0
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == '"':
                out.append(self._string())
                continue
            if ch == "#":
                raise Unsupported("comment")
            if ch == "@":
                raise Unsupported("format")
            found = _TOKEN.match(text, self.pos)
            if not found:
                raise Unsupported(f"character {ch!r}")
            self.pos = found.end()
            kind = found.lastgroup
            if kind == "ws":
                continue
            value = found.group(0)
            if until_paren:
                if value == "(":
                    depth += 1
                elif value == ")":
                    if depth == 0:
                        return out
                    depth -= 1
            out.append(Token(kind, value))
        if until_paren:
            raise Unsupported("unterminated interpolation")
        return out

    def _string(self) -> Token:
        text = self.text
        self.pos += 1
        parts: list[Any] = []
        buf: list[str] = []
        while True:
            if self.pos >= len(text):
                raise Unsupported("unterminated string")
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                break
            if ch != "\\":
                buf.append(ch)
                self.pos += 1
                continue
            escape = text[self.pos + 1:self.pos + 2]
            self.pos += 2
            if escape == "(":
                if buf:
                    parts.append("".join(buf))
                    buf = []
                inner = self.tokens(until_paren=True)
                parts.append(_Parser(inner).parse_all())
                continue
            simple = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
            if escape in simple:
                buf.append(simple[escape])
            elif escape == "u":
                code = text[self.pos:self.pos + 4]
                if len(code) != 4 or not all(c in "0123456789abcdefABCDEF" for c in code):
                    raise Unsupported("bad \\u escape")
                self.pos += 4
                value = int(code, 16)
                if 0xD800 <= value < 0xE000:
                    raise Unsupported("surrogate escape")
                buf.append(chr(value))
            else:
                raise Unsupported("escape")
        if buf or not parts:
            parts.append("".join(buf))
        return Token("str", "", parts)


# -- parser: tokens → AST (tuples) ------------------------------------------------------------------
#
#   ("id",)  ("field", target, name)  ("index", target, key)  ("iter", target)  ("opt", node)
#   ("lit", value)  ("str", parts)  ("var", name)  ("neg", node)  ("bin", op, left, right)
#   ("and", l, r)  ("or", l, r)  ("alt", l, r)  ("pipe", l, r)  ("comma", l, r)
#   ("if", cond, then, else)  ("array", node|None)  ("object", [(key_node, value_node)])
#   ("bind", source, name, body)  ("call", name, [args])

_CMP = {"==", "!=", "<", "<=", ">", ">="}


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self, offset: int = 0) -> Token:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else Token("end", "")

    def take(self) -> Token:
        token = self.peek()
        self.i += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text or token.kind not in ("op", "ident"):
            raise Unsupported(f"expected {text!r}")

    def at(self, text: str) -> bool:
        token = self.peek()
        return token.kind in ("op", "ident") and token.text == text

    def parse_all(self) -> Any:
        node = self.pipe()
        if self.peek().kind != "end":
            raise Unsupported(f"unexpected {self.peek().text!r}")
        return node

    def pipe(self) -> Any:
        if self.at("def"):
            raise Unsupported("def")
        left = self.comma()
        if self.at("|"):
            self.take()
            return ("pipe", left, self.pipe())
        return left

    def comma(self) -> Any:
        left = self.alt()
        while self.at(","):
            self.take()
            left = ("comma", left, self.alt())
        return left

    def alt(self) -> Any:
        left = self.or_()
        if self.at("//"):
            self.take()
            return ("alt", left, self.alt())
        for bad in ("?//", "=", "|=", "+=", "-=", "*=", "/=", "%=", "//="):
            if self.at(bad):
                raise Unsupported(bad)
        return left

    def or_(self) -> Any:
        left = self.and_()
        while self.at("or"):
            self.take()
            left = ("or", left, self.and_())
        return left

    def and_(self) -> Any:
        left = self.compare()
        while self.at("and"):
            self.take()
            left = ("and", left, self.compare())
        return left

    def compare(self) -> Any:
        left = self.additive()
        token = self.peek()
        if token.kind == "op" and token.text in _CMP:
            self.take()
            right = self.additive()
            if self.peek().kind == "op" and self.peek().text in _CMP:
                raise Unsupported("chained comparison")
            return ("bin", token.text, left, right)
        return left

    def additive(self) -> Any:
        left = self.unary_mul()
        while self.peek().kind == "op" and self.peek().text in ("+", "-"):
            op = self.take().text
            left = ("bin", op, left, self.unary_mul())
        return left

    def unary_mul(self) -> Any:
        if self.at("-"):
            self.take()
            return ("neg", self.multiplicative())
        return self.multiplicative()

    def multiplicative(self) -> Any:
        left = self.postfix()
        while self.peek().kind == "op" and self.peek().text in ("*", "/", "%"):
            op = self.take().text
            if self.at("-"):
                raise Unsupported("unary minus after an operator")
            left = ("bin", op, left, self.postfix())
        return left

    def postfix(self) -> Any:
        first = self.peek()
        node = self.primary()
        # `?` after an access step (`.a.b?`, `.x[]?`, `.[0]?`) silences that step only: an error
        # in what it indexes still propagates. After anything else (`(…)?`, `$x?`) it covers it all.
        step = first.kind == "field" or (first.kind == "op" and first.text == "." and node[0] != "id")
        while True:
            token = self.peek()
            if token.kind == "field":
                self.take()
                node, step = ("field", node, token.text[1:]), True
            elif token.kind == "op" and token.text == "." and self.peek(1).kind == "str":
                self.take()
                node, step = ("index", node, self._string_node(self.take())), True
            elif token.kind == "op" and token.text == "." and self.peek(1).text == "[":
                self.take()  # `.a.[0]`: the same as `.a[0]`
            elif token.kind == "op" and token.text == "[":
                node, step = self._bracket(node), True
            elif token.kind == "op" and token.text == "?":
                self.take()
                node = ("optstep", node) if step and node[0] in ("field", "index", "iter", "slice") else ("opt", node)
                step = False
            else:
                break
        if self.at("as"):
            self.take()
            var = self.take()
            if var.kind != "var":
                raise Unsupported("destructuring")
            self.expect("|")
            return ("bind", node, var.text[1:], self.pipe())
        return node

    def _bracket(self, target: Any) -> Any:
        self.expect("[")
        if self.at("]"):
            self.take()
            return ("iter", target)
        key = None if self.at(":") else self.pipe()
        if self.at(":"):
            self.take()
            end = None if self.at("]") else self.pipe()
            self.expect("]")
            return ("slice", target, key, end)
        self.expect("]")
        return ("index", target, key)

    def _string_node(self, token: Token) -> Any:
        parts = token.parts or [""]
        if len(parts) == 1 and isinstance(parts[0], str):
            return ("lit", parts[0])
        return ("str", parts)

    def primary(self) -> Any:
        token = self.take()
        kind, text = token.kind, token.text
        if kind == "field":
            return ("field", ("id",), text[1:])
        if kind == "str":
            return self._string_node(token)
        if kind == "num":
            return ("lit", _number_literal(text))
        if kind == "var":
            if text == "$__loc__" or text == "$ENV":
                raise Unsupported(text)
            return ("var", text[1:])
        if kind == "op":
            if text == ".":
                nxt = self.peek()
                if nxt.kind == "str":
                    self.take()
                    return ("index", ("id",), self._string_node(nxt))
                if nxt.kind == "op" and nxt.text == "[":
                    return self._bracket(("id",))
                return ("id",)
            if text == "(":
                node = self.pipe()
                self.expect(")")
                return node
            if text == "[":
                if self.at("]"):
                    self.take()
                    return ("array", None)
                node = self.pipe()
                self.expect("]")
                return ("array", node)
            if text == "{":
                return self._object()
            raise Unsupported(text)
        if kind == "ident":
            if text == "if":
                return self._if()
            if text in ("null", "true", "false"):
                return ("lit", {"null": None, "true": True, "false": False}[text])
            if text in _KEYWORDS or "::" in text:
                raise Unsupported(text)
            args: list[Any] = []
            if self.at("("):
                self.take()
                args.append(self.pipe())
                while self.at(";"):
                    self.take()
                    args.append(self.pipe())
                self.expect(")")
            return ("call", text, args)
        raise Unsupported(f"unexpected {kind}")

    def _if(self) -> Any:
        cond = self.pipe()
        self.expect("then")
        then = self.pipe()
        if self.at("elif"):
            self.take()
            return ("if", cond, then, self._if())
        if self.at("else"):
            self.take()
            other = self.pipe()
            self.expect("end")
            return ("if", cond, then, other)
        self.expect("end")
        return ("if", cond, then, ("id",))

    def _object(self) -> Any:
        entries: list[tuple[Any, Any]] = []
        if self.at("}"):
            self.take()
            return ("object", entries)
        while True:
            token = self.take()
            if token.kind == "ident" or (token.kind == "ident" and token.text in _KEYWORDS):
                key: Any = ("lit", token.text)
                value = self._object_value() if self.at(":") else ("field", ("id",), token.text)
            elif token.kind == "var":
                if self.at(":"):
                    raise Unsupported("$var: value")
                key, value = ("lit", token.text[1:]), ("var", token.text[1:])
            elif token.kind == "str":
                key = self._string_node(token)
                value = self._object_value() if self.at(":") else ("index", ("id",), key)
            elif token.kind == "num":
                raise Unsupported("numeric key")
            elif token.kind == "op" and token.text == "(":
                key = self.pipe()
                self.expect(")")
                if not self.at(":"):
                    raise Unsupported("(key) without value")
                value = self._object_value()
            else:
                raise Unsupported("object key")
            entries.append((key, value))
            if self.at(","):
                self.take()
                continue
            self.expect("}")
            return ("object", entries)

    def _object_value(self) -> Any:
        self.expect(":")
        # jq's ObjVal: terms, pipes of terms and unary minus, up to `,` or `}`.
        return self._objval()

    def _objval(self) -> Any:
        if self.at("-"):
            self.take()
            node: Any = ("neg", self.postfix())
        else:
            node = self.postfix()
        if self.at("|"):
            self.take()
            return ("pipe", node, self._objval())
        return node


def _number_literal(text: str) -> Any:
    """A number in the program. jq keeps a literal's text (``1.0 | tostring`` is "1.0"), so
    only literals whose text is what Python would print compile."""
    if re.fullmatch(r"(?:0|[1-9][0-9]{0,14})", text):
        return int(text)
    value = float(text)
    if not value.is_integer() and repr(value) == text and "e" not in text:
        return value
    raise Unsupported(f"number literal {text}")


# -- analysis -----------------------------------------------------------------------------------

# Builtins: name/arity → (single-output?, may give no output?)
_FILTER_BUILTINS = {("map", 1), ("select", 1), ("sort_by", 1), ("group_by", 1), ("unique_by", 1),
                    ("max_by", 1), ("min_by", 1), ("any", 1), ("all", 1), ("first", 1), ("with_entries", 1)}
_VALUE_BUILTINS = {
    # name/arity: runtime helper; arguments are values ($x-style parameters)
    ("length", 0): "_length", ("utf8bytelength", 0): "_utf8bytelength", ("not", 0): "_not",
    ("tostring", 0): "_tostring", ("tonumber", 0): "_tonumber", ("type", 0): "_type", ("keys", 0): "_keys",
    ("keys_unsorted", 0): "_keys_unsorted", ("has", 1): "_has", ("add", 0): "_add", ("sort", 0): "_sort",
    ("unique", 0): "_unique", ("min", 0): "_min", ("max", 0): "_max", ("reverse", 0): "_reverse",
    ("first", 0): "_first", ("last", 0): "_last", ("to_entries", 0): "_to_entries",
    ("from_entries", 0): "_from_entries", ("flatten", 0): "_flatten", ("any", 0): "_any", ("all", 0): "_all",
    ("ascii_downcase", 0): "_ascii_downcase", ("ascii_upcase", 0): "_ascii_upcase",
    ("ltrimstr", 1): "_ltrimstr", ("rtrimstr", 1): "_rtrimstr", ("startswith", 1): "_startswith",
    ("endswith", 1): "_endswith", ("split", 1): "_split", ("join", 1): "_join", ("contains", 1): "_contains",
    ("tojson", 0): "_tojson", ("fromdateiso8601", 0): "_fromdateiso8601", ("fromdate", 0): "_fromdateiso8601",
    ("sqrt", 0): "_sqrt", ("abs", 0): "_abs", ("fabs", 0): "_abs", ("round", 0): "_round",
}
_TYPE_SELECTORS = {"values": "{x} is not None", "nulls": "{x} is None", "booleans": "{x}.__class__ is bool",
                   "numbers": "({x}.__class__ is int or {x}.__class__ is float)", "strings": "{x}.__class__ is str",
                   "arrays": "{x}.__class__ is list", "objects": "{x}.__class__ is dict",
                   "iterables": "({x}.__class__ is list or {x}.__class__ is dict)",
                   "scalars": "not ({x}.__class__ is list or {x}.__class__ is dict)"}


def _is_single(node: Any) -> bool:
    """At most one output for any input (generators: iter, comma, and pipes/binds through them)."""
    kind = node[0]
    if kind in ("id", "lit", "var", "array", "local"):
        return True
    if kind in ("iter", "comma"):
        return False
    if kind == "call":
        name, args = node[1], node[2]
        if (name, len(args)) in _FILTER_BUILTINS:
            # map/sort_by/… collect their filter; select/first(f)/any(f) decide from it.
            return name == "first" or _is_single(args[0]) or name in ("map", "any", "all", "with_entries")
        return all(_is_single(arg) for arg in args)
    if kind == "object":
        return all(_is_single(k) and _is_single(v) for k, v in node[1])
    if kind == "str":
        return all(isinstance(part, str) or _is_single(part) for part in node[1])
    return all(_is_single(child) for child in _children(node))


def _may_be_empty(node: Any) -> bool:
    kind = node[0]
    if kind in ("id", "lit", "var", "array", "local"):
        return False
    if kind in ("opt", "optstep"):
        return True
    if kind == "alt":
        return _may_be_empty(node[2])
    if kind == "call":
        name, args = node[1], node[2]
        if name in ("select", "empty", "first") or name in _TYPE_SELECTORS:
            return True
        if (name, len(args)) in _FILTER_BUILTINS:
            return False  # collected
        return any(_may_be_empty(arg) for arg in args)
    if kind == "object":
        return any(_may_be_empty(k) or _may_be_empty(v) for k, v in node[1])
    if kind == "str":
        return any(not isinstance(part, str) and _may_be_empty(part) for part in node[1])
    return any(_may_be_empty(child) for child in _children(node))


def _comma_items(node: Any) -> list[Any]:
    """``a, b, c`` as [a, b, c] (left to right)."""
    if node[0] == "comma":
        return _comma_items(node[1]) + _comma_items(node[2])
    return [node]


def _children(node: Any) -> list[Any]:
    kind = node[0]
    if kind in ("field", "iter", "opt", "neg", "optstep"):
        return [node[1]]
    if kind == "index":
        return [node[1], node[2]]
    if kind == "slice":
        return [child for child in node[1:] if child is not None]
    if kind == "bin":
        return [node[2], node[3]]
    if kind in ("and", "or", "alt", "pipe", "comma"):
        return [node[1], node[2]]
    if kind == "if":
        return [node[1], node[2], node[3]]
    if kind == "bind":
        return [node[1], node[3]]
    return []


# -- code generation ---------------------------------------------------------------------------

_BIN_HELPERS = {"+": "_plus", "-": "_minus", "*": "_times", "/": "_divide", "%": "_modulo",
                "<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge"}


class _Codegen:
    """Statement-based: ``single(node, inp)`` emits the statements that compute a node and
    returns the name (or literal) that holds its value; errors and no-output are exceptions."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.indent = 1
        self.counter = 0
        self.consts: dict[str, Any] = {}
        self.scope: dict[str, str] = {}  # jq $name → Python local

    def fresh(self, prefix: str = "t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def const(self, value: Any) -> str:
        if value is None or isinstance(value, (bool, str)):
            return repr(value)
        if isinstance(value, (int, float)):
            return f"({value!r})"  # `(0).__class__`, not `0.__class__`
        name = self.fresh("c")
        self.consts[name] = value
        return name

    def value(self, node: Any, inp: str) -> str:
        """A single-output node's value (raises Empty for no output)."""
        if not _is_single(node):
            return f"_gen_first({self.gen(node, inp)})"
        return self.single(node, inp)

    # single-output nodes ------------------------------------------------------------------
    def single(self, node: Any, inp: str) -> str:
        kind = node[0]
        method = getattr(self, "s_" + kind)
        return method(node, inp)

    def s_id(self, node: Any, inp: str) -> str:
        return inp

    def s_lit(self, node: Any, inp: str) -> str:
        value = node[1]
        if isinstance(value, (dict, list)):
            raise Unsupported("container literal")
        out = self.fresh()  # a name, so `x is None` tests never compare a literal
        self.emit(f"{out} = {self.const(value)}")
        return out

    def s_var(self, node: Any, inp: str) -> str:
        name = self.scope.get(node[1])
        if name is None:
            raise Unsupported(f"${node[1]} is not bound here")
        return name

    def s_field(self, node: Any, inp: str) -> str:
        target = self.value(node[1], inp)
        out = self.fresh()
        key = repr(node[2])
        self.emit(f"{out} = {target}.get({key}) if {target}.__class__ is dict else _index({target}, {key})")
        return out

    def s_index(self, node: Any, inp: str) -> str:
        key = self.value(node[2], inp)  # jq evaluates the key against the same input
        target = self.value(node[1], inp)
        out = self.fresh()
        self.emit(f"{out} = {target}.get({key}) if {target}.__class__ is dict and {key}.__class__ is str "
                  f"else _index({target}, {key})")
        return out

    def s_slice(self, node: Any, inp: str) -> str:
        target, start, end = node[1], node[2], node[3]
        if start is not None and end is not None and (_may_be_empty(start) or _may_be_empty(end)):
            raise Unsupported("slice bounds that may be empty")
        end_value = "None" if end is None else self.value(end, inp)
        start_value = "None" if start is None else self.value(start, inp)
        held = self.value(target, inp)
        out = self.fresh()
        self.emit(f"{out} = _slice({held}, {start_value}, {end_value})")
        return out

    def s_local(self, node: Any, inp: str) -> str:
        return node[1]

    def s_optstep(self, node: Any, inp: str) -> str:
        step = node[1]
        target = self.value(step[1], inp)  # outside the try: its errors are not silenced
        local_step = (step[0], ("local", target)) + tuple(step[2:])
        return self.s_opt(("opt", local_step), inp)

    def s_opt(self, node: Any, inp: str) -> str:
        out = self.fresh()
        self.emit("try:")
        self.indent += 1
        inner = self.value(node[1], inp)
        self.emit(f"{out} = {inner}")
        self.indent -= 1
        self.emit("except JqError:")
        self.emit("    raise Empty")
        return out

    def s_str(self, node: Any, inp: str) -> str:
        parts = node[1]
        dynamic = [part for part in parts if not isinstance(part, str)]
        if len(dynamic) > 1 and any(_may_be_empty(part) for part in dynamic):
            raise Unsupported("interpolations that may be empty")
        pieces = []
        for part in parts:
            if isinstance(part, str):
                pieces.append(repr(part))
            else:
                pieces.append(f"_interpolate({self.value(part, inp)})")
        out = self.fresh()
        self.emit(f"{out} = " + " + ".join(pieces))
        return out

    def s_neg(self, node: Any, inp: str) -> str:
        inner = self.value(node[1], inp)
        out = self.fresh()
        # jq negates a number keeping its literal (`-.` on 2.0 prints "-2.0"); 0 would become -0.
        self.emit(f"if ({inner}.__class__ is int or {inner}.__class__ is float) and {inner}: {out} = -{inner}")
        self.emit("else: raise Bail")
        return out

    def s_bin(self, node: Any, inp: str) -> str:
        op, left, right = node[1], node[2], node[3]
        # jq evaluates the right operand first (it matters when one side errors and the other is empty).
        r = self.value(right, inp)
        r = self._pin(r)
        l_ = self.value(left, inp)
        out = self.fresh()
        if op == "==":
            self.emit(f"{out} = _eq({l_}, {r})")
        elif op == "!=":
            self.emit(f"{out} = not _eq({l_}, {r})")
        elif op == "+":
            self.emit(f"{out} = {l_} + {r} if {l_}.__class__ is str and {r}.__class__ is str else _plus({l_}, {r})")
        else:
            self.emit(f"{out} = {_BIN_HELPERS[op]}({l_}, {r})")
        return out

    def _pin(self, name: str) -> str:
        """A value held in a local (not an expression evaluated later)."""
        return name

    def s_and(self, node: Any, inp: str) -> str:
        return self._logic(node, inp, "and")

    def s_or(self, node: Any, inp: str) -> str:
        return self._logic(node, inp, "or")

    def _logic(self, node: Any, inp: str, which: str) -> str:
        left = self.value(node[1], inp)
        out = self.fresh()
        test = f"{left} is not None and {left} is not False"
        self.emit(f"if {test if which == 'and' else 'not (' + test + ')'}:")
        self.indent += 1
        right = self.value(node[2], inp)
        self.emit(f"{out} = {right} is not None and {right} is not False")
        self.indent -= 1
        self.emit("else:")
        self.emit(f"    {out} = {'False' if which == 'and' else 'True'}")
        return out

    def s_alt(self, node: Any, inp: str) -> str:
        out = self.fresh()
        if _may_be_empty(node[1]):
            self.emit("try:")
            self.indent += 1
            left = self.value(node[1], inp)
            self.emit(f"{out} = {left}")
            self.indent -= 1
            self.emit("except Empty:")  # jq (1.7+) lets the left side's errors through
            self.emit(f"    {out} = None")
        else:
            self.emit(f"{out} = {self.value(node[1], inp)}")
        self.emit(f"if {out} is None or {out} is False:")
        self.indent += 1
        right = self.value(node[2], inp)
        self.emit(f"{out} = {right}")
        self.indent -= 1
        return out

    def s_pipe(self, node: Any, inp: str) -> str:
        left = self.value(node[1], inp)
        held = self.fresh()
        self.emit(f"{held} = {left}")
        return self.value(node[2], held)

    def s_if(self, node: Any, inp: str) -> str:
        cond = self.value(node[1], inp)
        out = self.fresh()
        self.emit(f"if {cond} is not None and {cond} is not False:")
        self.indent += 1
        then = self.value(node[2], inp)
        self.emit(f"{out} = {then}")
        self.indent -= 1
        self.emit("else:")
        self.indent += 1
        other = self.value(node[3], inp)
        self.emit(f"{out} = {other}")
        self.indent -= 1
        return out

    def s_bind(self, node: Any, inp: str) -> str:
        source = self.value(node[1], inp)
        local = self.fresh("v_")
        self.emit(f"{local} = {source}")
        saved = self.scope.get(node[2])
        self.scope[node[2]] = local
        try:
            return self.value(node[3], inp)
        finally:
            if saved is None:
                self.scope.pop(node[2], None)
            else:
                self.scope[node[2]] = saved

    def s_array(self, node: Any, inp: str) -> str:
        out = self.fresh()
        if node[1] is None:
            self.emit(f"{out} = []")
            return out
        inner = node[1]
        items = _comma_items(inner)
        if len(items) > 1 and all(_is_single(item) and not _may_be_empty(item) for item in items):
            values = [self.single(item, inp) for item in items]  # `[.a, .b, .c]`: left to right, as jq
            self.emit(f"{out} = [{', '.join(values)}]")
            return out
        if _is_single(inner):
            if _may_be_empty(inner):
                self.emit("try:")
                self.indent += 1
                value = self.single(inner, inp)
                self.emit(f"{out} = [{value}]")
                self.indent -= 1
                self.emit("except Empty:")
                self.emit(f"    {out} = []")
            else:
                value = self.single(inner, inp)
                self.emit(f"{out} = [{value}]")
            return out
        self.emit(f"{out} = list({self.gen(inner, inp)})")
        return out

    def s_object(self, node: Any, inp: str) -> str:
        entries = node[1]
        if len(entries) > 1 and any(_may_be_empty(k) or _may_be_empty(v) for k, v in entries):
            raise Unsupported("object entries that may be empty")
        pairs = []
        for key, value in entries:
            k = self.value(key, inp)
            if key[0] != "lit":
                self.emit(f"if {k}.__class__ is not str: raise JqError")
            elif not isinstance(key[1], str):
                raise Unsupported("non-string key")
            v = self.value(value, inp)
            pairs.append(f"{k}: {v}")
        out = self.fresh()
        self.emit(f"{out} = {{{', '.join(pairs)}}}")
        return out

    def s_call(self, node: Any, inp: str) -> str:
        name, args = node[1], node[2]
        arity = len(args)
        out = self.fresh()
        if (name, arity) in _VALUE_BUILTINS:
            if arity > 1 and any(_may_be_empty(arg) for arg in args):
                raise Unsupported("arguments that may be empty")
            values = [self.value(arg, inp) for arg in args]
            self.emit(f"{out} = {_VALUE_BUILTINS[(name, arity)]}({', '.join([inp] + values)})")
            return out
        if arity == 0 and name in _TYPE_SELECTORS:
            self.emit(f"if not ({_TYPE_SELECTORS[name].format(x=inp)}): raise Empty")
            return inp
        if name == "empty" and arity == 0:
            self.emit("raise Empty")
            return "None"
        if name == "error" and arity in (0, 1):
            if arity:
                self.value(args[0], inp)
            self.emit("raise JqError")
            return "None"
        if name == "select" and arity == 1:
            cond = self.value(args[0], inp)
            self.emit(f"if {cond} is None or {cond} is False: raise Empty")
            return inp
        if name in ("todate", "todateiso8601") and arity == 0:
            self.emit(f"{out} = _strftime({inp}, '%Y-%m-%dT%H:%M:%SZ')")
            return out
        if name == "strftime" and arity == 1:
            fmt = args[0]
            if fmt[0] != "lit" or not isinstance(fmt[1], str):
                raise Unsupported("strftime with a computed format")
            self.emit(f"{out} = _strftime({inp}, {_check_format(fmt[1])!r})")
            return out
        if name in ("floor", "ceil") and arity == 0:
            self.emit(f"{out} = _math({inp}, _{name})")
            return out
        if name in ("ltrim", "rtrim", "trim") and arity == 0:
            how = {"ltrim": "left", "rtrim": "right", "trim": "both"}[name]
            self.emit(f"{out} = _trim({inp}, {how!r})")
            return out
        if name in ("test", "sub", "gsub"):
            return self._regex(name, args, inp, out)
        if (name, arity) in _FILTER_BUILTINS:
            return self._filter(name, args[0], inp, out)
        raise Unsupported(f"{name}/{arity}")

    def _regex(self, name: str, args: list[Any], inp: str, out: str) -> str:
        want = {"test": (1, 2), "sub": (2, 3), "gsub": (2, 3)}[name]
        if len(args) not in want:
            raise Unsupported(f"{name}/{len(args)}")
        pattern = args[0]
        flags_node = args[-1] if len(args) == want[1] else ("lit", None)
        if pattern[0] != "lit" or not isinstance(pattern[1], str) or flags_node[0] != "lit":
            raise Unsupported("regex or flags computed")
        flags = flags_node[1]
        if flags is not None and not isinstance(flags, str):
            raise Unsupported("flags")
        flags = flags or ""
        if set(flags) - set("gi"):
            raise Unsupported(f"regex flags {flags!r}")
        compiled = _safe_regex(pattern[1], re.IGNORECASE if "i" in flags else 0)
        regex = self.const(compiled)
        if name == "test":
            self.emit(f"{out} = _test({inp}, {regex})")
            return out
        replacement = args[1]
        if replacement[0] != "lit" or not isinstance(replacement[1], str):
            raise Unsupported("computed replacement")
        count = 0 if name == "gsub" or "g" in flags else 1
        self.emit(f"{out} = _substitute({inp}, {regex}, {replacement[1]!r}, {count})")
        return out

    def _filter(self, name: str, body: Any, inp: str, out: str) -> str:
        if name == "select":
            raise AssertionError("handled above")
        if name == "first":
            self.emit(f"{out} = _gen_first({self.gen(body, inp)})")
            return out
        if name == "map":
            if _is_single(body) and not _may_be_empty(body):
                self.emit(f"{out} = [{self.single_fn(body)}(x) for x in _values_of({inp})]")
            else:
                self.emit(f"{out} = [y for x in _values_of({inp}) for y in {self.gen_fn(body)}(x)]")
            return out
        if name in ("any", "all"):
            fn = self.gen_fn(body)
            test = f"_truthy(y) for x in _values_of({inp}) for y in {fn}(x)"
            self.emit(f"{out} = {name}({test})")
            return out
        if name == "with_entries":
            fn = self.gen_fn(body)
            self.emit(f"{out} = _from_entries([y for x in _to_entries({inp}) for y in {fn}(x)])")
            return out
        if not _is_single(body):
            raise Unsupported(f"{name} with a generator")
        fn = self.single_fn(body)
        self.emit(f"{out} = _{name}({inp}, {fn})")
        return out

    # functions and generators ---------------------------------------------------------------
    def single_fn(self, node: Any) -> str:
        """A nested function of one input returning the node's value (raising Empty)."""
        name = self.fresh("f")
        arg = self.fresh("x")
        self.emit(f"def {name}({arg}):")
        self.indent += 1
        value = self.single(node, arg)
        self.emit(f"return {value}")
        self.indent -= 1
        return name

    def gen_fn(self, node: Any) -> str:
        """A nested function of one input returning an iterable of the node's outputs."""
        name = self.fresh("g")
        arg = self.fresh("x")
        self.emit(f"def {name}({arg}):")
        self.indent += 1
        self.emit(f"return {self.gen(node, arg)}")
        self.indent -= 1
        return name

    def gen_fn_of(self, arg: str, node: Any) -> str:
        """Like ``gen_fn``, with the argument named ``arg`` (a ("local", arg) node refers to it)."""
        name = self.fresh("g")
        self.emit(f"def {name}({arg}):")
        self.indent += 1
        self.emit(f"return {self.gen(node, arg)}")
        self.indent -= 1
        return name

    def gen(self, node: Any, inp: str) -> str:
        """An expression for an iterable of every output of ``node`` on ``inp`` (lazy where jq is)."""
        kind = node[0]
        if _is_single(node):
            if _may_be_empty(node):
                return f"_single({self.single_fn(node)}, {inp})"
            return f"({self.single(node, inp)},)"
        if kind == "iter":
            if _is_single(node[1]):
                return f"_iterate({self.single(node[1], inp)})"
            return f"(y for x in {self.gen(node[1], inp)} for y in _iterate(x))"
        if kind == "comma":
            left = self.gen_fn(node[1])
            right = self.gen_fn(node[2])
            return f"_then({left}, {right}, {inp})"
        if kind == "pipe":
            left, right = node[1], node[2]
            if _is_single(left) and not _may_be_empty(left):
                held = self.fresh()
                self.emit(f"{held} = {self.single(left, inp)}")
                return self.gen(right, held)
            first_fn = self.gen_fn(left)
            second_fn = self.gen_fn(right)
            return f"(y for x in {first_fn}({inp}) for y in {second_fn}(x))"
        if kind == "field" or kind == "index":
            # `.[]?.x`, `.a[].b`: a path through a generator.
            if kind == "index" and not _is_single(node[2]):
                raise Unsupported("generator key")
            rest = ("field", ("id",), node[2]) if kind == "field" else ("index", ("id",), node[2])
            return self.gen(("pipe", node[1], rest), inp)
        if kind == "opt":
            fn = self.gen_fn(node[1])
            return f"_optional({fn}, {inp})"
        if kind == "optstep":
            step = node[1]
            if _is_single(step[1]) and not _may_be_empty(step[1]):
                target = self.fresh()
                self.emit(f"{target} = {self.single(step[1], inp)}")
                return self.gen(("opt", (step[0], ("local", target)) + tuple(step[2:])), inp)
            held = self.fresh("x")
            fn = self.gen_fn_of(held, ("opt", (step[0], ("local", held)) + tuple(step[2:])))
            return f"(y for {held} in {self.gen(step[1], inp)} for y in {fn}({held}))"
        if kind == "alt":
            return f"_alternative({self.gen_fn(node[1])}, {self.gen_fn(node[2])}, {inp})"
        if kind == "bin":
            left, right = self.gen_fn(node[2]), self.gen_fn(node[3])
            # jq's cartesian product: the right operand's outputs outside, the left's inside.
            return f"(_BIN_OPS[{node[1]!r}](a, b) for b in {right}({inp}) for a in {left}({inp}))"
        if kind == "slice":
            if not all(child is None or _is_single(child) for child in node[2:]):
                raise Unsupported("generator slice bounds")
            rest = ("slice", ("id",), node[2], node[3])
            return self.gen(("pipe", node[1], rest), inp)
        if kind == "bind":
            if not _is_single(node[1]) or _may_be_empty(node[1]):
                raise Unsupported("binding a generator")
            local = self.fresh("v_")
            self.emit(f"{local} = {self.single(node[1], inp)}")
            saved = self.scope.get(node[2])
            self.scope[node[2]] = local
            try:
                return self.gen(node[3], inp)
            finally:
                if saved is None:
                    self.scope.pop(node[2], None)
                else:
                    self.scope[node[2]] = saved
        raise Unsupported(f"{kind} as a generator")


def _optional(fn: Callable[[Any], Any], x: Any) -> Any:
    """``f?``: f's outputs until it errors (then silence)."""
    try:
        for value in fn(x):
            yield value
    except JqError:
        return


def _then(first_fn: Callable[[Any], Any], second_fn: Callable[[Any], Any], x: Any) -> Any:
    """``a, b``: a's outputs, then b's (b is not run before a is done, as in jq)."""
    yield from first_fn(x)
    yield from second_fn(x)


def _alternative(left: Callable[[Any], Any], right: Callable[[Any], Any], x: Any) -> Any:
    """``a // b`` over generators: a's truthy outputs, or b's when there are none (a's errors
    pass through, as in jq 1.7+)."""
    found = False
    for value in left(x):
        if value is not None and value is not False:
            found = True
            yield value
    if not found:
        yield from right(x)


_BIN_OPS = {"+": _plus, "-": _minus, "*": _times, "/": _divide, "%": _modulo, "<": _lt, "<=": _le, ">": _gt,
            ">=": _ge, "==": _eq, "!=": lambda a, b: not _eq(a, b)}

RUNTIME["_optional"] = _optional
RUNTIME["_alternative"] = _alternative
RUNTIME["_BIN_OPS"] = _BIN_OPS
RUNTIME["_then"] = _then
RUNTIME["_floor"] = math.floor
RUNTIME["_ceil"] = math.ceil


_REGEX_CLASS_ESCAPES = set("dDwWsS")
_REGEX_META_ESCAPES = set(".^$|?*+()[]{}\\/-")


def _safe_regex(pattern: str, flags: int) -> re.Pattern[str]:
    """Compile a regex whose meaning Python's re and Oniguruma (Perl_NT syntax) share on ASCII
    text; anything else is Unsupported."""
    if not pattern.isascii() or not pattern.isprintable():
        raise Unsupported("regex with non-ASCII or control characters")
    i, n = 0, len(pattern)
    depth = 0
    previous_quantifiable = False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise Unsupported("trailing backslash")
            nxt = pattern[i + 1]
            if nxt not in _REGEX_CLASS_ESCAPES and nxt not in _REGEX_META_ESCAPES:
                raise Unsupported(f"regex escape \\{nxt}")
            i += 2
            previous_quantifiable = True
            continue
        if ch == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                raise Unsupported("] first in a class")
            while j < n and pattern[j] != "]":
                if pattern[j] == "[" or pattern.startswith("&&", j):
                    raise Unsupported("nested class")
                if pattern[j] == "\\":
                    if j + 1 >= n or (pattern[j + 1] not in _REGEX_CLASS_ESCAPES and pattern[j + 1] not in _REGEX_META_ESCAPES):
                        raise Unsupported("class escape")
                    j += 2
                    continue
                j += 1
            if j >= n:
                raise Unsupported("unterminated class")
            i = j + 1
            previous_quantifiable = True
            continue
        if ch == "(":
            if pattern.startswith("(?", i):
                if not pattern.startswith("(?:", i):
                    raise Unsupported("group extension")
                i += 3
            else:
                i += 1
            depth += 1
            previous_quantifiable = False
            continue
        if ch == ")":
            depth -= 1
            if depth < 0:
                raise Unsupported("unbalanced")
            i += 1
            previous_quantifiable = True
            continue
        if ch in "*+?":
            if not previous_quantifiable:
                raise Unsupported("quantifier without atom")
            i += 1
            if i < n and pattern[i] == "+":
                raise Unsupported("possessive quantifier")
            if i < n and pattern[i] == "?":
                i += 1
            previous_quantifiable = False
            continue
        if ch == "{":
            found = re.match(r"\{(\d+)(,(\d*))?\}", pattern[i:])
            if not found or not previous_quantifiable:
                raise Unsupported("brace")
            i += found.end()
            if i < n and pattern[i] == "+":
                raise Unsupported("possessive quantifier")
            if i < n and pattern[i] == "?":
                i += 1
            previous_quantifiable = False
            continue
        if ch == "}":
            raise Unsupported("brace")
        i += 1
        previous_quantifiable = ch not in "|^$"
    if depth:
        raise Unsupported("unbalanced")
    try:
        return re.compile(pattern, flags)
    except re.error:
        raise Unsupported("regex") from None


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
