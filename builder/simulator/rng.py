"""A seeded random stream with cheaper draws.

``random.Random.randint``/``choice``/``choices`` go through rejection sampling and argument
checks that dominate the generator's run time; deriving every draw from one ``random()`` float is
several times faster and just as deterministic for a given seed.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate
from typing import Generic, Mapping, Sequence, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Weighted(Generic[T]):
    """Items with relative weights, prepared once for ``Rng.weighted``."""

    items: tuple[T, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weights: Mapping[T, float]) -> Weighted[T]:
        return cls(tuple(weights), tuple(accumulate(float(w) for w in weights.values())))


class Rng(random.Random):
    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def weighted(self, table: Weighted[T]) -> T:
        return table.items[bisect(table.cumulative, self.random() * table.cumulative[-1])]
