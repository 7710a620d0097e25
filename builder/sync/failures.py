"""The failures file: every record a sync could not deliver, with why, so nothing is lost.

``<project>.failures.jsonl`` next to the project file (``cursor-builder.yaml`` →
``cursor-builder.failures.jsonl``), one JSON object per line::

    {"stage": "port", "reason": "properties/cost: must be a number, got string", "resource": "usage events",
     "blueprint": "cursorUsageEvent", "identifier": "1777900012345-alice@…", "status": 422,
     "payload": {…the entity as sent…}, "record": {…the raw API item…}, "at": "2026-…Z"}

Stages: ``fetch`` (a page never arrived: its records are unknown, so the line names the resource
and page; a re-run of that resource's sync fetches it and replaces the line), ``mapping`` (the record produced no entity), ``validation`` (the entity breaks its
blueprint's rules), ``blueprint`` (its blueprint could not be created), ``port`` (Port rejected it),
``network`` (never confirmed: retries exhausted), ``cancelled`` (not sent: the user cancelled),
``pending`` (written before sending and replaced when the run ends: only a killed run leaves it).
Unreadable lines are never dropped: they are moved to ``<file>.corrupt`` and reported. The file
is private (0600) and written under an exclusive lock, so concurrent syncs keep each other's lines.
A sync replaces the lines of the resources it covered and keeps the others; ``retry_failed``
re-sends exactly the lines in the file and rewrites it with what still fails. Records carry user
data (emails, repo names) but never credentials: payloads are entities, not requests.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import orjson

STAGES = ("fetch", "mapping", "validation", "blueprint", "port", "network", "cancelled", "pending")
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


#: Files that hold user data are private to the user (0600): a failures file carries entities and raw records.
PRIVATE_MODE = 0o600


@dataclass
class FailuresFile:
    """What a failures file holds: the readable records and the lines that are not (kept, never dropped)."""

    records: list[FailureRecord]
    corrupt: list[tuple[int, bytes]] = field(default_factory=list)  # (line number, raw bytes)


def corrupt_path(path: str | Path) -> Path:
    file = Path(path)
    return file.with_name(file.name + ".corrupt")


def load_failures(path: str | Path) -> FailuresFile:
    """Every readable record of the file, plus its unreadable lines (truncated, not JSON, not
    UTF-8). Raises :class:`FailuresFileError` only when the file itself cannot be read."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise FailuresFileError(f"{file}: no such failures file") from None
    except IsADirectoryError:
        raise FailuresFileError(f"{file}: is a directory, not a failures file (.failures.jsonl)") from None
    except OSError as exc:
        raise FailuresFileError(f"{file}: cannot read the failures file ({exc.strerror})") from None
    out = FailuresFile([])
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            data = _parse_line(line)
        except (UnicodeDecodeError, ValueError, RecursionError):
            out.corrupt.append((number, line))
            continue
        if not isinstance(data, dict):
            out.corrupt.append((number, line))
            continue
        out.records.append(FailureRecord.from_json(data))
    return out


_LONG_NUMBER = re.compile(rb"\d{19}")


def _parse_line(line: bytes) -> Any:
    # orjson is the fast path (a sync re-reads its own write-ahead lines), but it reads an integer
    # beyond 64 bits as a float and refuses NaN: those lines go to json, which keeps them exact.
    if _LONG_NUMBER.search(line) is None:
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            pass
    return json.loads(line.decode("utf-8"))


def read_failures(path: str | Path) -> list[FailureRecord]:
    """The readable records (unreadable lines are skipped here; :func:`load_failures` reports them)."""
    return load_failures(path).records


def fallback_failures_path(original: str | Path, env: Mapping[str, str] | None = None) -> Path:
    """Where records go when the project's failures file cannot be written: the user's state
    directory (``$XDG_STATE_HOME/cursor-builder/failures/``), one file per run so nothing is overwritten."""
    env = os.environ if env is None else env
    state = Path(env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return state / "cursor-builder" / "failures" / f"{Path(original).stem}-{stamp}-{os.getpid()}.jsonl"


@contextmanager
def _locked(file: Path) -> Iterator[None]:
    """An exclusive lock around read-merge-write, so two syncs writing the same failures file
    keep each other's lines. The folder is locked, not the file (which is replaced by a rename),
    so no lock file is left beside the project."""
    fd = os.open(file.parent if str(file.parent) else ".", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _write_private(file: Path, data: bytes) -> None:
    """Atomic and private: a unique temporary file (0600) in the same directory, then rename."""
    fd, tmp = tempfile.mkstemp(prefix=file.name + ".", suffix=".tmp", dir=file.parent)
    try:
        os.fchmod(fd, PRIVATE_MODE)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _keep_corrupt(file: Path, corrupt: list[tuple[int, bytes]]) -> None:
    if not corrupt:
        return
    fd = os.open(corrupt_path(file), os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_MODE)
    with os.fdopen(fd, "ab") as stream:
        stream.write(b"".join(line + b"\n" for _, line in corrupt))


@dataclass
class WriteResult:
    lines: int  # lines now in the file
    corrupt: int = 0  # unreadable lines moved to ``<file>.corrupt``
    corrupt_file: Path | None = None


def write_failures(path: str | Path, records: Iterable[FailureRecord], *,
                   replace_resources: Iterable[str] | None = None) -> WriteResult:
    """Write ``records``, keeping existing lines of resources not in ``replace_resources``
    (None = replace the whole file). Atomic, private (0600) and locked against concurrent
    writers; lines of the existing file that cannot be read are appended to ``<file>.corrupt``,
    never dropped. An empty result removes the file. Raises ``OSError`` when it cannot write."""
    file = Path(path)
    records = list(records)
    with _locked(file):
        keep: list[FailureRecord] = []
        result = WriteResult(0)
        if file.exists():
            try:
                current = load_failures(file)
            except FailuresFileError:
                current = FailuresFile([])
            if replace_resources is not None:
                covered = set(replace_resources)
                keep = [r for r in current.records if r.resource not in covered]
            _keep_corrupt(file, current.corrupt)
            result.corrupt = len(current.corrupt)
            result.corrupt_file = corrupt_path(file) if current.corrupt else None
        lines = [_line(r) for r in [*keep, *records]]
        result.lines = len(lines)
        if not lines:
            file.unlink(missing_ok=True)
            return result
        _write_private(file, b"\n".join(lines) + b"\n")
        return result


def _line(record: FailureRecord) -> bytes:
    # json, not orjson: orjson writes NaN as null, and a failures line must give back the record as read.
    return json.dumps(record.to_json(), ensure_ascii=False, default=str).encode("utf-8")
