"""JSON in and out for the headless commands: orjson where it gives the same values as ``json``.

Reading: orjson turns an integer beyond 64 bits into a float and rejects NaN, ±Infinity and lone
surrogates, all of which ``json`` (what httpx's ``response.json()`` in Ocean uses) keeps. Those
documents go to ``json``, so a record reaches the mapping exactly as Ocean would see it.
Writing: orjson is ~10× faster than the pure-Python indenting encoder; what it cannot encode (an
integer beyond 64 bits, a non-string key) falls back to ``json`` for that value only.
"""

from __future__ import annotations

import json
from typing import IO, Any, Iterable

import orjson

# bytes → b'0' for a digit, b'x' for the rest: one C pass (bytes.translate), then a substring test.
_DIGITS = bytes(ord("0") if chr(byte).isdigit() and byte < 128 else ord("x") for byte in range(256))


def number_risk(data: bytes) -> str | None:
    """Why orjson may read a number in ``data`` differently from ``json`` (None: it will not).

    19 digits in a row may be an integer beyond 64 bits, which orjson turns into a float without a
    word (conservative: a 19-digit string counts too). What else differs (NaN, ±Infinity, an
    overflowing exponent, a lone surrogate) makes orjson raise, and ``loads`` asks ``json``."""
    if b"0" * 19 in data.translate(_DIGITS):
        return "an integer of 19 or more digits"
    return None


def loads(data: bytes) -> Any:
    """Parse a JSON document as ``json.loads`` does (raises ``json.JSONDecodeError`` like it)."""
    if number_risk(data) is None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # lone surrogates, NaN…: json decides, and its error carries the line number
    return json.loads(data)


def _default(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any, indent: bool = False) -> bytes:
    """UTF-8 JSON (non-ASCII kept, as ``ensure_ascii=False``); ``indent`` = two spaces."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)
    except (TypeError, orjson.JSONEncodeError):
        # an integer beyond 64 bits or a non-string key: json knows both
        return json.dumps(value, ensure_ascii=False, indent=2 if indent else None).encode("utf-8")


def binary_stdout(stream: IO[str]) -> IO[bytes]:
    """The byte stream under a text stream (flushed first, so text already written stays in order)."""
    stream.flush()
    return stream.buffer  # type: ignore[attr-defined]


def write(value: Any, stream: IO[str]) -> None:
    """``value`` as indented JSON and a newline on a text stream such as sys.stdout."""
    out = binary_stdout(stream)
    out.write(dumps(value, indent=True) + b"\n")
    out.flush()


def write_array_items(out: IO[bytes], items: Iterable[Any], first: bool) -> bool:
    """Append ``items`` to an open JSON array, one compact value a line; returns ``first`` for the next call."""
    for item in items:
        out.write((b"\n  " if first else b",\n  ") + dumps(item))
        first = False
    return first


# -- `--json` on every command ---------------------------------------------------------------------


class JsonLines:
    """A text stream that writes each line it is given as one JSON object ``{"line": …}`` on ``out``.

    For ``--json`` on a command with no JSON output of its own (init, export, sync, simulate…):
    scripts read JSON Lines, and a server's "listening on" line still comes out at once."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self.emit({"line": line})
        return len(text)

    def emit(self, value: Any) -> None:
        self.out.write(dumps(value).decode("utf-8") + "\n")
        self.out.flush()

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        if self.pending:
            self.emit({"line": self.pending})
            self.pending = ""

    def isatty(self) -> bool:
        return False
