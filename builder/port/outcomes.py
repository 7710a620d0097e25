"""What Port answered: the one-line errors and the per-entity outcomes of upserts and deletes.

``builder.port.client.PortClient`` produces them; the sync accounts for every record through them
(one :class:`EntityOutcome` per entity sent, whatever happened to its request).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class PortError(Exception):
    """A request Port refused or could not answer; one line that says what to do."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 trace_id: str | None = None) -> None:
        self.message = message
        self.status = status
        self.code = code
        self.trace_id = trace_id
        super().__init__(message + (f" (trace {trace_id})" if trace_id else ""))


class PortAuthError(PortError):
    pass


class Cancelled(Exception):
    """The caller's cancel event was set before this request was (re)sent."""


@dataclass
class EntityOutcome:
    """What happened to one entity passed to :meth:`PortClient.upsert_entities` (same index)."""

    index: int
    identifier: Any
    ok: bool
    created: bool | None = None
    status: int | None = None
    error: str | None = None  # Port's error code, "network" or "cancelled"
    message: str | None = None
    stage: str = "port"  # port (Port rejected it) | network (never confirmed) | cancelled (not sent)


@dataclass
class UpsertReport:
    outcomes: list[EntityOutcome]
    requests: int = 0
    single_fallbacks: int = 0  # bulks answered 413 and re-sent one entity at a time

    @property
    def created(self) -> int:
        return sum(1 for o in self.outcomes if o.ok and o.created)

    @property
    def updated(self) -> int:
        return sum(1 for o in self.outcomes if o.ok and not o.created)

    @property
    def failed(self) -> list[EntityOutcome]:
        return [o for o in self.outcomes if not o.ok]


@dataclass
class DeleteReport:
    deleted: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # identifier → reason
