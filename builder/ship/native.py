"""Port's native Cursor integration (port-labs/ocean ``integrations/cursor``): what it covers, and how.

Read from its code (v0.1.57, summarised in reference/cursor-api.md §9): five kinds, each one
Cursor endpoint paged by ``totalPages``/``numPages`` with a rolling ``startDate``/``endDate``
window it computes at every resync (``Nd``, at most 30 days). That is exactly what Ocean Custom
cannot do, so the deployment plan and the lint point at it when a resource needs it, and say
where its published mapping differs from the project's.

``compare(resource, records)`` also runs the native identifier on records (a preset sample or a
fetch) with jq: its ``(.userId + "-" + .day)`` fails on a numeric ``userId`` and Ocean drops
every such entity, which the Cursor API documents as the usual case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from builder.engine import jqrt

if TYPE_CHECKING:
    from builder.project.model import Resource

SOURCE = "port-labs/ocean integrations/cursor v0.1.57"


@dataclass(frozen=True)
class NativeKind:
    kind: str  # the native integration's resource kind
    method: str
    endpoint: str  # the Cursor endpoint it reads
    blueprint: str
    identifier: str  # its published identifier mapping (jq)
    differences: tuple[str, ...] = ()


NATIVE_KINDS: tuple[NativeKind, ...] = (
    NativeKind("cursor-daily-usage", "POST", "/teams/daily-usage-data", "cursorDailyUsage",
               '(.userId + "-" + .day)',
               ("its identifier errors whenever userId is a number, as Cursor documents it (jq: number and "
                "string cannot be added), and Ocean drops that entity: every daily-usage row is lost",
                "one entity per user per day like this project, keyed by userId instead of email",
                "no relation to the member or the Port user")),
    NativeKind("cursor-usage-event", "POST", "/teams/filtered-usage-events", "cursorUsageEvent",
               '((.timestamp + "-" + .userEmail + "-" + .model + "-" + .kind) | gsub("[^A-Za-z0-9@_.+:\\\\/=\'-]"; "_"))',
               ("identifier has no conversationId or chargedCents: two events of one user, model and kind in "
                "the same millisecond become one entity",
                "token_cost and charged_amount in dollars (cents / 100), not cents",
                "no relation to the Port user")),
    NativeKind("cursor-team-model-usage", "GET", "/analytics/team/models", "cursorTeamModelUsage",
               '(.date + "-" + .item.key)',
               ("one entity per day and model (itemsToParse .model_breakdown | to_entries)",)),
    NativeKind("cursor-user-model-usage", "GET", "/analytics/by-user/models", "cursorUserModelUsage",
               '(.userEmail + "-" + .date + "-" + .item.key)',
               ("one entity per user, day and model; no relation to the Port user",)),
    NativeKind("cursor-team-skill-usage", "GET", "/analytics/team/skills", "cursorTeamSkillUsage",
               '((.event_date + "-" + (.skill_name // "unknown")) | gsub("[^A-Za-z0-9@_.+:\\\\/=\'-]"; "_"))',
               ("one entity per day and skill",)),
)

#: The window and paging every native kind shares (its selector and client).
NATIVE_BEHAVIOUR = ("computes its startDate/endDate window (selector Nd, at most 30 days) at every resync",
                    "pages every endpoint by totalPages/numPages, in the JSON body for POST endpoints")


@dataclass
class NativeComparison:
    """Whether the native integration covers one resource's data, and how its mapping differs."""

    native: NativeKind | None
    differences: list[str] = field(default_factory=list)
    checked: int = 0  # records the native identifier was run on
    dropped: int = 0  # of those, records whose native identifier fails (Ocean drops the entity)
    collided: int = 0  # records whose native identifier repeats an earlier one's (Port keeps one entity)
    example: str | None = None  # the first failure, one line

    @property
    def covers(self) -> bool:
        return self.native is not None

    def summary(self) -> str:
        if self.native is None:
            return "not covered by Port's native Cursor integration"
        text = f"native kind {self.native.kind} (blueprint {self.native.blueprint})"
        if self.dropped:
            text += f": its identifier fails on {self.dropped} of {self.checked} records"
        return text

    def to_json(self) -> dict[str, Any]:
        return {"native_kind": self.native.kind if self.native else None, "differences": list(self.differences),
                "checked": self.checked, "dropped": self.dropped, "collided": self.collided, "example": self.example}


def _path(kind: str) -> str:
    return "/" + kind.strip().lstrip("/").split("?")[0]


def native_kind(kind: str) -> NativeKind | None:
    """The native kind that reads the same Cursor endpoint as a resource ``kind``, if any."""
    path = _path(kind)
    return next((n for n in NATIVE_KINDS if n.endpoint == path), None)


def compare(resource: Resource, records: Iterable[Any] = ()) -> NativeComparison:
    """``resource`` (a project Resource) against the native kind reading its endpoint.

    ``records`` are the resource's raw records (after its data_path is NOT required: the native
    integration maps the endpoint's own rows, so pass the endpoint's rows).
    """
    found = native_kind(resource.kind)
    if found is None:
        return NativeComparison(None)
    result = NativeComparison(found, list(found.differences) + list(NATIVE_BEHAVIOUR))
    ours = resource.mappings.get("identifier")
    if isinstance(ours, str) and ours.strip() != found.identifier:
        result.differences.insert(0, f"identifier {found.identifier} (this project: {ours.strip()})")
    seen: set[Any] = set()
    for record in records:
        if not isinstance(record, dict):
            continue
        result.checked += 1
        outcome = jqrt.first(found.identifier, record)
        if outcome.status != "error" and outcome.value not in (None, ""):
            # A null userId (Airbyte types it string-or-null, cursor-api.md §9) gives "-<day>" for every such
            # user of a day: jq's null + "-" is "-", so they share one identifier and overwrite each other.
            key = str(outcome.value)
            result.collided += key in seen
            seen.add(key)
        if outcome.status == "error" or outcome.value in (None, ""):
            result.dropped += 1
            if result.example is None:
                why = outcome.error or "empty identifier"
                result.example = f"{why} (record with userId {record.get('userId')!r})" if "userId" in record \
                    else why
    if result.collided:
        result.differences.insert(0, f"its identifier {found.identifier} repeats on {result.collided} of "
                                     f"{result.checked} records (a null userId gives the same identifier to every "
                                     "such user of a day): Port keeps one entity for each")
    if result.dropped:
        result.differences.insert(0, f"its identifier {found.identifier} fails on {result.dropped} of "
                                     f"{result.checked} records ({result.example}): Ocean drops those entities")
    return result


def native_rows(kind: str, pages: Iterable[Any]) -> list[Any]:
    """The rows the native kind maps from raw pages of its endpoint (its exporters' extraction)."""
    found = native_kind(kind)
    rows: list[Any] = []
    if found is None:
        return rows
    for page in pages:
        if not isinstance(page, dict):
            continue
        if found.endpoint == "/teams/filtered-usage-events":
            rows += list(page.get("usageEvents") or [])
        elif found.endpoint == "/analytics/by-user/models":
            data = page.get("data") or {}
            if isinstance(data, dict):
                rows += [{"userEmail": email, **row} for email, items in data.items() for row in (items or [])
                         if isinstance(row, dict)]
        else:
            data = page.get("data") or []
            rows += list(data) if isinstance(data, list) else []
    return rows
