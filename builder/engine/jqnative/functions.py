"""jq's builtin functions (``length``, ``keys``, ``sort_by``, ``test``, ``strftime``, …) on those values.

Same contract as :mod:`builder.engine.jqnative.values`: jq's answer, ``JqError`` where jq raises,
``Empty`` where jq gives no output, ``Bail`` where this cannot be sure to match jq.
"""

from __future__ import annotations

import calendar
import math
import re
import time
from typing import Any, Callable

from builder.engine.jqnative.values import (_TYPE_NAME, Bail, Empty, JqError, Unsupported, _index, _int, _iterate,
                                             _num, _order_key, _plus, _tostring, _truthy)


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


_values_of = _iterate  # what `.[]` walks, for the filters built on it (map, any, all, sort_by, …)


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


def _fabs(x: Any) -> Any:
    """libm's fabs: a fresh double, so no literal survives (`-2.0 | fabs` prints "2")."""
    if x.__class__ is int or x.__class__ is float:
        return _num(math.fabs(x))
    raise JqError  # "… number required"


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
