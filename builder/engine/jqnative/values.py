"""jq's values as the generated code sees them: numbers in jq.py's form, indexing and slicing,
arithmetic, equality and ordering, text forms, and the control flow of generators (``first``, ``?``,
``a, b``, ``//``).

Each helper gives jq's answer, raises ``JqError`` where jq raises, ``Empty`` where jq gives no
output, and ``Bail`` where it cannot be sure to match jq (the record then goes to jq).
"""

from __future__ import annotations

import json
import math
from typing import Any, Callable

from builder.engine.jqrt import MAX_EXACT, NotNormal, normal_form


class Bail(Exception):
    """Native evaluation cannot be sure to match jq here: ask jq."""


class JqError(Exception):
    """jq raises an error here (its message comes from jq when needed)."""


class Empty(Exception):
    """jq gives no output here."""


class Unsupported(Exception):
    """The program uses jq this module does not compile."""


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
        if key.__class__ in (str, int):
            return None
        if key is None or key.__class__ is bool or key.__class__ is list:
            raise JqError  # "Cannot index null with null"
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


def _optional(fn: Callable[[Any], Any], x: Any) -> Any:
    """``f?``: f's outputs until it errors (then silence)."""
    try:
        yield from fn(x)
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
