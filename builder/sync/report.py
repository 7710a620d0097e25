"""What a sync tells: the counts per (resource, blueprint), the live progress, and the final report.

Plain data with the wording of the summary (``SyncReport.lines``); ``builder.sync.run`` fills them in,
the CLI prints them and the TUI's Sync tab shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from builder.sync.failures import FailureRecord
from builder.sync.plan import SyncPlan


@dataclass
class Counts:
    planned: int = 0  # entities to send (create + update)
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # already identical at the target: not sent
    duplicates: int = 0  # same identifier as a later record: not sent (the last one wins)
    failed: int = 0  # validation, blueprint, Port rejection, network
    cancelled: int = 0

    @property
    def done(self) -> int:
        return self.created + self.updated + self.failed + self.cancelled

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @classmethod
    def sum(cls, many: Iterable[Counts]) -> Counts:
        out = cls()
        for counts in many:
            out.add(counts)
        return out


@dataclass
class SyncProgress:
    phase: str = "fetch"  # fetch | plan | blueprints | upsert | delete | done
    resource: str | None = None
    counts: dict[tuple[str, str], Counts] = field(default_factory=dict)
    deleted: int = 0
    message: str = ""

    def total(self) -> Counts:
        return Counts.sum(self.counts.values())

    @property
    def fraction(self) -> float:
        total = self.total()
        return 1.0 if not total.planned else min(1.0, total.done / total.planned)


@dataclass
class SyncReport:
    plan: SyncPlan
    counts: dict[tuple[str, str], Counts]
    failures: list[FailureRecord]
    deleted: list[tuple[str, str]] = field(default_factory=list)
    delete_failed: dict[tuple[str, str], str] = field(default_factory=dict)
    blueprint_errors: dict[str, str] = field(default_factory=dict)
    cancelled: bool = False
    dry_run: bool = False
    failures_file: Path | None = None
    kept_failures: int = 0  # lines of the failures file a retry could not re-send (left in the file)
    pages: list[Any] = field(default_factory=list)  # a PageOutcome per dashboard (builder.sync.pages)
    #: the failures file could not be written (e.g. a read-only folder): why; ``failures_file`` is then the fallback
    failures_error: str | None = None
    corrupt_lines: int = 0  # unreadable lines of the failures file, moved aside to ``corrupt_file``
    corrupt_file: Path | None = None
    #: (blueprint, identifier) of every entity Port confirmed in this run
    confirmed: set[tuple[str, Any]] = field(default_factory=set, repr=False)

    def total(self) -> Counts:
        return Counts.sum(self.counts.values())

    @property
    def fetch_errors(self) -> list[str]:
        return [f"{r.name}: {r.fetch_error}" for r in self.plan.resources if r.fetch_error]

    @property
    def ok(self) -> bool:
        return (not self.failures and not self.fetch_errors and not self.delete_failed and not self.kept_failures
                and not self.failures_error and not self.corrupt_lines)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def lines(self) -> list[str]:
        total = self.total()
        verb = "would send" if self.dry_run else "sent"
        out = [f"{'dry run — ' if self.dry_run else ''}{total.planned} entities {verb}: {total.created} created, "
               f"{total.updated} updated; {total.unchanged} unchanged (not sent)"
               + (f"; {total.duplicates} duplicates" if total.duplicates else "")]
        if self.dry_run:
            total_create = sum(bp.create for bp in self.plan.blueprints.values())
            total_update = sum(bp.update for bp in self.plan.blueprints.values())
            out[0] = (f"dry run — would create {total_create}, update {total_update}; {total.unchanged} unchanged"
                      + (f"; {total.duplicates} duplicates" if total.duplicates else ""))
        out.extend(f"  {outcome}" for outcome in self.pages)
        for (resource, blueprint), c in sorted(self.counts.items()):
            out.append(f"  {resource} → {blueprint}: {c.created} created, {c.updated} updated, {c.unchanged} "
                       f"unchanged, {c.failed} failed" + (f", {c.cancelled} cancelled" if c.cancelled else ""))
        for bp, error in self.blueprint_errors.items():
            out.append(f"blueprint {bp} could not be applied: {error}")
        out.extend(f"fetch failed: {e}" for e in self.fetch_errors)
        if self.deleted:
            out.append(f"deleted {len(self.deleted)} stale entities")
        if self.delete_failed:
            out.append(f"{len(self.delete_failed)} stale entities could not be deleted")
        if self.plan.delete_stale and self.plan.deletion_blocked:
            out.append(f"stale entities not deleted: {self.plan.deletion_blocked}")
        if self.cancelled:
            out.append("cancelled: requests in flight finished; the rest were not sent")
        if self.failures:
            where = f" → {self.failures_file}" if self.failures_file else ""
            by_stage: dict[str, int] = {}
            for failure in self.failures:
                by_stage[failure.stage] = by_stage.get(failure.stage, 0) + 1
            out.append(f"{len(self.failures)} records failed ({', '.join(f'{n} {s}' for s, n in by_stage.items())})"
                       + where)
        if self.failures_error:
            out.append(self.failures_error)
        if self.corrupt_lines:
            out.append(f"{self.corrupt_lines} unreadable lines of the failures file were kept aside in "
                       f"{self.corrupt_file}: repair or delete them by hand")
        if self.kept_failures:
            out.append(f"{self.kept_failures} records in the failures file cannot be re-sent as they are "
                       "(pages never fetched, page-level mapping failures): run the sync of their resource again "
                       "(after fixing the mapping)")
        return out
