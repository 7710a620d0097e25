"""Text from data on a terminal: control characters shown, never obeyed (issue #11 row 13).

Entity titles, identifiers and API answers are other people's data. Printed raw, an ESC sequence in
a title can recolour, move the cursor, retitle the window or hide lines — in a CLI table and in the
TUI alike. This lives below both (widgets may import the project layer, never the CLI) so there is
one escaping rule for every terminal output.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(value: object, *, one_line: bool = False) -> str:
    """``value`` as text with every C0/C1 control character except tab and newline escaped (``\\x1b``);
    ``one_line``: tab and newline escaped too (a table cell, a list entry)."""
    text = "" if value is None else str(value)
    pattern = _CONTROL_OR_NEWLINE if one_line else _CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def printable_json(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON text for a terminal: json escapes the C0 controls, :func:`printable` the DEL and
    C1 ones it leaves raw (``\\x9b`` is a CSI to some terminals)."""
    import json

    return printable(json.dumps(value, ensure_ascii=False, indent=indent))
