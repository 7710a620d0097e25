"""What mapping a resource gives: entities, the records that gave none and why, and how each field fared.

``MappingResult`` is what the CLI prints, the TUI shows and the sync plans from; ``Dropped`` and
``FieldStatus`` are its parts. The guard's notices (``Disagreement``) ride along so that every
front end can tell the user when the fast path was caught disagreeing with jq.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from builder.engine.jqrt import Outcome

if TYPE_CHECKING:
    from builder.engine.mapping.compiled import CompiledMapping
    from builder.engine.mapping.guard import Disagreement


@dataclass
class Dropped:
    """An item that produced no entity, and why. ``stage`` names the step that dropped it."""

    stage: str  # data_path | not_object | items_to_parse | selector | selector_error | identifier | blueprint | entity
    reason: str
    record: int | None = None  # index into MappingResult.records (None for page-level drops)
    page: int | None = None
    item: Any = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stage": self.stage, "reason": self.reason}
        if self.record is not None:
            out["record"] = self.record
        if self.page is not None:
            out["page"] = self.page
        return out


@dataclass
class FieldStatus:
    """How one mapping field fared across every record that passed the selector."""

    path: str
    expr: Any
    compile_error: str | None = None
    ok: int = 0
    nulls: int = 0  # a genuine null result
    empties: int = 0  # no output at all (Ocean sends null)
    errors: int = 0
    first_error_record: int | None = None
    first_error: str | None = None
    first_null_record: int | None = None

    @property
    def state(self) -> str:
        if self.errors:
            return "error"
        if self.nulls or self.empties:
            return "null"
        return "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "expr": self.expr,
            "ok": self.ok,
            "nulls": self.nulls + self.empties,
            "errors": self.errors,
            "first_error_record": self.first_error_record,
            "error": self.first_error,
            "first_null_record": self.first_null_record,
        }


@dataclass
class FieldValue:
    path: str
    expr: Any
    outcome: Outcome


@dataclass
class MappingResult:
    records: list[Any]  # items after data_path and itemsToParse, in order
    entities: list[dict[str, Any]]  # Ocean's payloads, in order
    entity_records: list[int]  # record index of each entity
    dropped: list[Dropped]
    fields: dict[str, FieldStatus]
    selector: FieldStatus
    compiled: CompiledMapping
    passed: int = 0  # records whose selector said true
    filtered: int = 0  # records whose selector said false
    pages: int = 0
    #: the runtime guard's findings while mapping these records (the answers above are jq's)
    disagreements: list[Disagreement] = field(default_factory=list)
    _markers: list[list[Any]] = field(default_factory=list, repr=False)

    @property
    def kept(self) -> int:
        return len(self.entities)

    def entity_for_record(self, record: int) -> dict[str, Any] | None:
        try:
            return self.entities[self.entity_records.index(record)]
        except ValueError:
            return None

    def drop_for_record(self, record: int) -> Dropped | None:
        for drop in self.dropped:
            if drop.record == record:
                return drop
        return None

    def values(self, record: int) -> list[FieldValue]:
        """Every field's outcome for one record, with jq's own error text where it failed."""
        item = self.records[record]
        markers = self.compiled.markers(self._markers[record]) if record < len(self._markers) else None
        out = []
        for index, leaf in enumerate(self.compiled.leaves):
            marker = markers[index + 1] if markers is not None else None
            if markers is not None and marker is not None:
                outcome = Outcome("empty") if marker == [] else Outcome(
                    "null" if marker[0] is None else "ok", marker[0])
            else:
                outcome = self.compiled.leaf_outcome(index, item)
            out.append(FieldValue(leaf.name, leaf.expr, outcome))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "entities": self.entities,
            "dropped": [drop.to_json() for drop in self.dropped],
            "fields": {name: status.to_json() for name, status in self.fields.items()},
        }
