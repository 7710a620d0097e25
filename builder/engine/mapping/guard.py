"""The runtime guard: the fast path checks itself against jq while it works.

builder.engine.jqnative is held to jq by generated differential tests, but a test corpus is never
the whole world. So every compiled mapping also runs jq on its first records and on a random
sample of the rest, and compares each natively computed field, type-exactly, with jq's answer.
On a disagreement that field's program is distrusted for the rest of this process (every mapping
that uses the same text runs it in jq from then on), the records in hand are mapped again, and a
``Disagreement`` says which field, which record and both values: the answer shown is jq's.

What a sync writes does not rest on this sample: the sync maps with the fast path off.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

import orjson

#: Records checked at the start of every compiled mapping (the ones a person looks at first).
FIRST = 32
#: Share of the later records checked, drawn at random per record.
RATE = 1 / 32

_distrusted: set[str] = set()
#: Bumped on every new distrust, so compiled mappings built before it rebuild their fast path.
_generation = 0


@dataclass(frozen=True)
class Disagreement:
    """jqnative and jq gave different answers for one field of one record (markers: ``[v]``, ``[]``
    for no output, None for an error)."""

    field: str
    expr: str
    record: int
    native: Any
    jq: Any

    def message(self) -> str:
        return (f"the fast path disagreed with jq on {self.field} for record {self.record}: "
                f"jqnative gave {_shown(self.native)}, jq gave {_shown(self.jq)}; this field now runs in jq "
                "(the values shown are jq's)")


def _shown(marker: Any) -> str:
    if marker is None:
        return "an error"
    if marker == []:
        return "no output"
    text = json.dumps(marker[0], ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


def same(native: Any, jq: Any) -> bool:
    """Type-exact equality of two markers, key order included (``2`` and ``2.0`` differ, as in
    the payload)."""
    if native is None or jq is None:
        return native is jq
    try:
        # orjson first (~10x cheaper; the guard compares thousands of fields a batch): equal bytes
        # of equal values mean equal types too. NaN, ±Infinity (orjson writes null), big integers
        # and non-string keys do not pass both tests and go to json, which tells them apart.
        if native == jq and orjson.dumps(native) == orjson.dumps(jq):
            return True
    except (TypeError, orjson.JSONEncodeError):
        pass
    try:
        return json.dumps(native) == json.dumps(jq)
    except (TypeError, ValueError):
        return False


def distrust(text: str) -> None:
    global _generation
    if text not in _distrusted:
        _distrusted.add(text)
        _generation += 1


def distrusted(text: str) -> bool:
    return text in _distrusted


def generation() -> int:
    return _generation


def forget() -> None:
    """Trust the fast path again, as a new process would (tests)."""
    global _generation
    _distrusted.clear()
    _generation += 1


class Sampler:
    """Which records of a compiled mapping get checked: the first ``FIRST``, then a random ``RATE``."""

    def __init__(self, seed: int | None = None) -> None:
        self.seen = 0
        self._random = random.Random(seed)

    def picks(self, count: int) -> list[int]:
        first = max(0, min(count, FIRST - self.seen))
        chosen = list(range(first))
        draw = self._random.random
        chosen.extend(index for index in range(first, count) if draw() < RATE)
        self.seen += count
        return chosen


class Guarded(Protocol):
    """What ``check`` needs of a compiled mapping (builder.engine.mapping.compiled.CompiledMapping)."""

    sampler: Sampler

    @property
    def native_flags(self) -> tuple[bool, ...]: ...

    def markers(self, row: Any) -> list[Any]: ...

    def reference_rows(self, items: Sequence[Any]) -> list[Any]: ...

    def field_name(self, position: int) -> str: ...

    def program_text(self, position: int) -> str: ...


def check(compiled: Guarded, items: Sequence[Any], rows: Sequence[Any], offset: int) -> list[Disagreement]:
    """Compare the natively computed fields of the sampled records with jq; distrust every field
    that disagrees. ``offset``: the index of ``items[0]`` among the records being mapped."""
    picks = compiled.sampler.picks(len(items))
    positions = [position for position, native in enumerate(compiled.native_flags) if native]
    if not picks or not positions:
        return []
    reference = compiled.reference_rows([items[index] for index in picks])
    found: list[Disagreement] = []
    for index, jq_row in zip(picks, reference):
        ours, theirs = compiled.markers(rows[index]), compiled.markers(jq_row)
        for position in positions:
            if not same(ours[position], theirs[position]):
                text = compiled.program_text(position)
                if distrusted(text):
                    continue  # reported once, for its first record
                distrust(text)
                found.append(Disagreement(compiled.field_name(position), text, offset + index,
                                          ours[position], theirs[position]))
    return found
