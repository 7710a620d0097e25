"""The generated items of one member-day, as plain records the endpoints read.

``payload`` fields hold the exact API objects; the other fields are what the API does not show
but the simulator needs to filter and aggregate (owner, surface, hosting, MCP calls, …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(slots=True)
class UsageEvent:
    ts_ms: int
    member: int | None  # None for service-account events
    mode: str
    surface: str  # ide | cli | cloud
    hosting: str | None
    payload: dict
    mcp: tuple[tuple[str, str, int], ...] = ()
    command: str | None = None
    skill: str | None = None
    plan_model: str | None = None


@dataclass(slots=True)
class Stamped:
    """A change, commit or review: its API payload plus the instant used for range filters."""

    ts_ms: int
    member: int
    payload: dict
    extra: Any = None


@dataclass(slots=True)
class Conversation:
    id: str
    ts_ms: int
    intent: str
    subcategory: str
    complexity: str
    category: str
    guidance: str
    work_type: str


@dataclass
class DayActivity:
    member: int
    day: date
    events: list[UsageEvent] = field(default_factory=list)
    changes: list[Stamped] = field(default_factory=list)
    commits: list[Stamped] = field(default_factory=list)
    reviews: list[Stamped] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    client_version: str | None = None
    # suggested, accepted, rejected diffs; green/red lines accepted; green/red lines rejected
    agent: tuple[int, int, int, int, int, int, int] = (0, 0, 0, 0, 0, 0, 0)
    # suggestions, accepts, rejects; green/red lines accepted; green/red lines rejected
    tab: tuple[int, int, int, int, int, int, int] = (0, 0, 0, 0, 0, 0, 0)
    # extension -> [distinct files, accepts, rejects, lines accepted, lines rejected]
    ext_stats: dict[str, list] = field(default_factory=dict)
    apply_ext: str | None = None
    tab_ext: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.events or self.tab[1] or self.agent[0])

    @property
    def first_ts(self) -> int | None:
        stamps = [e.ts_ms for e in self.events] + [c.ts_ms for c in self.changes]
        return min(stamps) if stamps else None


@dataclass(frozen=True)
class DayContext:
    seed: int
    now_ms: int
    first_day: date
    today: date
    automations: tuple[str, ...]
