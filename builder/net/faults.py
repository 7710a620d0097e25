"""``--faults``: one spelling of injected misbehaviour for ``simulate`` and ``catalog serve``.

``429=0.05,500=0.02,reset=0.02,truncate=0.01,badjson=0.01,delay=0.1:2s`` — per request, each
status answers with that probability; ``reset`` drops the connection after the server did the
work (the answer is lost, the hardest case for "nothing lost"); ``truncate`` cuts a successful
JSON body; ``badjson`` answers a success with a body that is not JSON; ``delay=P:Ns`` waits N
seconds with probability P. A user rehearses a sync against a misbehaving API and Port with it,
and the conservation tests use the same flag. Draws come from one seeded stream and every
request consumes the same number of values, so a seed replays the same faults.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import httpx

KINDS = ("reset", "truncate", "badjson", "delay")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)?$")


class FaultSpecError(ValueError):
    """A ``--faults`` value that does not parse: one line saying which part and why."""


class InjectedReset(httpx.ReadError):
    """Raised by an app for a ``reset`` fault. In-process (``httpx.ASGITransport``) it reaches the
    client as the transport error a dropped connection is; served by uvicorn, the connection closes."""

    def __init__(self) -> None:
        super().__init__("connection reset after the server answered (injected)")


@dataclass(frozen=True)
class FaultSpec:
    statuses: tuple[tuple[int, float], ...] = ()  # (status, probability), in the order given
    reset: float = 0.0
    truncate: float = 0.0
    badjson: float = 0.0
    delay: float = 0.0
    delay_seconds: float = 0.0
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.statuses or self.reset or self.truncate or self.badjson or self.delay)

    def __str__(self) -> str:
        return self.text or "none"


def parse_faults(text: str) -> FaultSpec:
    """Parse ``STATUS=P,reset=P,truncate=P,badjson=P,delay=P:DURATION`` (any subset, any order)."""
    statuses: list[tuple[int, float]] = []
    values: dict[str, float] = {}
    delay_seconds = 0.0
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep:
            raise FaultSpecError(f"--faults: {part!r} needs a probability, e.g. {name}=0.05")
        if name == "delay":
            rate_text, colon, duration = value.partition(":")
            match = _DURATION.match(duration.strip()) if colon else None
            if match is None:
                raise FaultSpecError(f"--faults: {part!r}: write delay=PROBABILITY:DURATION, e.g. delay=0.1:2s")
            delay_seconds = float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
            value = rate_text
        rate = _probability(part, value)
        if name.isdigit():
            status = int(name)
            if not (status == 429 or 500 <= status <= 599):
                raise FaultSpecError(f"--faults: {part!r}: injected statuses are 429 or 5xx")
            statuses.append((status, rate))
        elif name in KINDS:
            values[name] = rate
        else:
            raise FaultSpecError(f"--faults: unknown fault {name!r}: use a status (429, 500, 503…), "
                                 f"{', '.join(KINDS)}")
    if sum(rate for _, rate in statuses) + values.get("reset", 0.0) > 1.0:
        raise FaultSpecError("--faults: the status and reset probabilities add up to more than 1")
    return FaultSpec(tuple(statuses), values.get("reset", 0.0), values.get("truncate", 0.0),
                     values.get("badjson", 0.0), values.get("delay", 0.0), delay_seconds, text.strip())


def fault_spec_arg(text: str) -> FaultSpec:
    """argparse ``type=`` for ``--faults`` (``simulate`` and ``catalog serve`` share it)."""
    import argparse

    try:
        return parse_faults(text)
    except FaultSpecError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--faults: ")) from None


def _probability(part: str, value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        raise FaultSpecError(f"--faults: {part!r}: {value!r} is not a probability (0..1)") from None
    if not 0.0 <= rate <= 1.0:
        raise FaultSpecError(f"--faults: {part!r}: a probability is between 0 and 1")
    return rate


@dataclass
class FaultDraw:
    """What one request gets."""

    status: int | None = None
    reset: bool = False
    truncate_at: float | None = None  # fraction of the body kept
    badjson: bool = False
    delay_seconds: float = 0.0

    @property
    def before(self) -> bool:
        """A fault answered before the server does the work."""
        return self.status is not None


@dataclass
class FaultDice:
    spec: FaultSpec
    seed: int = 0
    drawn: list[str] = field(default_factory=list)  # what fired, in order (tests and logs)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"{self.seed}/--faults")

    def draw(self, label: str = "") -> FaultDraw:
        # Always four values, so changing one rate does not reshuffle the others.
        outcome, body, cut, slow = (self._rng.random() for _ in range(4))
        spec = self.spec
        out = FaultDraw()
        edge = 0.0
        for status, rate in spec.statuses:
            edge += rate
            if outcome < edge:
                out.status = status
                break
        else:
            out.reset = outcome < edge + spec.reset
        if out.status is None and not out.reset:
            if body < spec.badjson:
                out.badjson = True
            elif body < spec.badjson + spec.truncate:
                out.truncate_at = 0.2 + 0.6 * cut
        if slow < spec.delay:
            out.delay_seconds = spec.delay_seconds
        fired = [f"{out.status}" if out.status else "", "reset" if out.reset else "",
                 "badjson" if out.badjson else "", "truncate" if out.truncate_at is not None else "",
                 "delay" if out.delay_seconds else ""]
        if any(fired):
            self.drawn.append(f"{'+'.join(f for f in fired if f)} {label}".strip())
        return out


def cut_body(body: bytes, fraction: float) -> bytes:
    """A prefix of a JSON body that does not parse (a parseable prefix would hide the fault)."""
    import json

    cut = min(max(1, int(len(body) * fraction)), max(0, len(body) - 1))
    out = body[:cut]
    try:
        json.loads(out)
    except ValueError:
        return out
    return out[:-1]


BAD_JSON = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
