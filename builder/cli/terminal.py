"""Text from data on a terminal: control characters shown, never obeyed.

Entity titles, identifiers and API answers are other people's data. Printed raw, an ESC sequence in
a title can recolour, move the cursor, retitle the window or hide lines (issue #11 row 13).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(value: object) -> str:
    """``value`` as text with every C0/C1 control character except tab and newline escaped (``\\x1b``)."""
    text = "" if value is None else str(value)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
