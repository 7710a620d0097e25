"""The failures file: every record a sync could not deliver, with why, so nothing is lost.

``<project>.failures.jsonl`` next to the project file (``cursor-builder.yaml`` →
``cursor-builder.failures.jsonl``), one JSON object per line::

    {"stage": "port", "reason": "properties/cost: must be a number, got string", "resource": "usage events",
     "blueprint": "cursorUsageEvent", "identifier": "1777900012345-alice@…", "status": 422,
     "payload": {…the entity as sent…}, "record": {…the raw API item…}, "at": "2026-…Z"}

Stages: ``mapping`` (the record produced no entity), ``validation`` (the entity breaks its
blueprint's rules), ``blueprint`` (its blueprint could not be created), ``port`` (Port rejected it),
``network`` (never confirmed: retries exhausted), ``cancelled`` (not sent: the user cancelled).
A sync replaces the lines of the resources it covered and keeps the others; ``retry_failed``
re-sends exactly the lines in the file and rewrites it with what still fails. Records carry user
data (emails, repo names) but never credentials: payloads are entities, not requests.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

STAGES = ("mapping", "validation", "blueprint", "port", "network", "cancelled")
#: Mapping drops that are about one record (``Dropped.stage`` in builder.engine.mapping); others are pages.
RECORD_MAPPING_STAGES = frozenset({"selector_error", "identifier", "blueprint", "entity"})


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class FailureRecord:
    stage: str
    reason: str
    resource: str
    blueprint: str | None = None
    identifier: Any = None
    payload: dict[str, Any] | None = None
    record: Any = None
    status: int | None = None
    #: mapping sub-stage (builder.engine.mapping.Dropped.stage), so a retry knows whether it can re-map
    detail: str | None = None
    at: str = field(default_factory=_now)

    @property
    def retryable(self) -> bool:
        if self.payload is not None:
            return True
        return self.stage == "mapping" and self.detail in RECORD_MAPPING_STAGES and isinstance(self.record, dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stage": self.stage, "reason": self.reason, "resource": self.resource,
                               "blueprint": self.blueprint, "identifier": self.identifier}
        if self.status is not None:
            out["status"] = self.status
        if self.detail is not None:
            out["detail"] = self.detail
        out["payload"] = self.payload
        out["record"] = self.record
        out["at"] = self.at
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FailureRecord:
        return cls(stage=str(data.get("stage", "port")), reason=str(data.get("reason", "")),
                   resource=str(data.get("resource", "")), blueprint=data.get("blueprint"),
                   identifier=data.get("identifier"), payload=data.get("payload"), record=data.get("record"),
                   status=data.get("status"), detail=data.get("detail"), at=str(data.get("at") or _now()))


def failures_path(project_path: str | Path | None) -> Path:
    """``dir/name.yaml`` → ``dir/name.failures.jsonl``; no project file → ./cursor-builder.failures.jsonl."""
    if project_path is None:
        return Path("cursor-builder.failures.jsonl")
    path = Path(project_path)
    return path.with_name(path.stem + ".failures.jsonl")


class FailuresFileError(ValueError):
    pass


def read_failures(path: str | Path) -> list[FailureRecord]:
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise FailuresFileError(f"{file}: no such failures file") from None
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FailuresFileError(f"{file}:{number}: not a JSON line ({exc.msg})") from None
        if not isinstance(data, dict):
            raise FailuresFileError(f"{file}:{number}: expected a JSON object")
        out.append(FailureRecord.from_json(data))
    return out


def write_failures(path: str | Path, records: Iterable[FailureRecord], *,
                   replace_resources: Iterable[str] | None = None) -> int:
    """Write ``records``, keeping existing lines of resources not in ``replace_resources``
    (None = replace the whole file). Atomic; an empty result removes the file. Returns the
    number of lines written."""
    file = Path(path)
    keep: list[FailureRecord] = []
    if replace_resources is not None and file.exists():
        covered = set(replace_resources)
        try:
            keep = [r for r in read_failures(file) if r.resource not in covered]
        except FailuresFileError:
            keep = []  # an unreadable file is replaced rather than blocking every future sync
    lines = [json.dumps(r.to_json(), ensure_ascii=False, default=str) for r in [*keep, *records]]
    if not lines:
        file.unlink(missing_ok=True)
        return 0
    tmp = file.with_name(file.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, file)
    return len(lines)
