"""What the generated code calls: the namespace a compiled program runs in.

jq's semantics are one helper per operation in two modules: :mod:`builder.engine.jqnative.values`
(numbers, indexing, arithmetic, equality and ordering, text forms, the control flow of generators)
and :mod:`builder.engine.jqnative.functions` (the builtins). Each helper gives jq's answer, raises
``JqError`` where jq raises, ``Empty`` where jq gives no output, and ``Bail`` where it cannot be
sure to match jq (the record then goes to jq). ``RUNTIME`` gathers them for ``exec``.
"""

from __future__ import annotations

import itertools
import math
import re
from types import ModuleType
from typing import Any

from builder.engine.jqnative import functions, values
from builder.engine.jqnative.values import _BIN_OPS, Bail, Empty, JqError, Unsupported

__all__ = ["RUNTIME", "Bail", "Empty", "JqError", "Unsupported"]


def _helpers(module: ModuleType) -> dict[str, Any]:
    """The helpers a module defines for the generated code: its callables named ``_x``."""
    return {name: value for name, value in vars(module).items()
            if name.startswith("_") and callable(value) and not name.startswith("__")}


RUNTIME: dict[str, Any] = {**_helpers(values), **_helpers(functions)}
RUNTIME.update(Bail=Bail, JqError=JqError, Empty=Empty, _chain=itertools.chain, _re=re)
RUNTIME["_BIN_OPS"] = _BIN_OPS
RUNTIME["_floor"] = math.floor
RUNTIME["_ceil"] = math.ceil
