"""Request history per project, kept in the user's state directory (never beside the project, so
it is never committed) with secrets masked, and replayed as it was sent.

Each send appends one JSON line: when, which resource, the first page's request line as the source
captured it (already masked by ``builder.source.auth.Secrets``), the outcome, and the request
sections of the project at that time. Those sections hold ``${ENV}`` references, not values; a
header named like a credential is masked again here in case a value was typed into the YAML.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from builder.project.model import Project, Resource
from builder.source.auth import MASK, Secrets
from builder.tui.state.session import ResourceRun, request_section

log = logging.getLogger("cursor-builder")

SECTIONS = ("query_params", "headers", "body", "x-query", "x-body", "x-pagination")
#: Entries kept per project: the newest win, the file never grows without bound.
KEEP = 200


@dataclass
class Entry:
    at: float
    resource: str
    method: str
    kind: str
    url: str  # masked, as the source captured it
    status: int | None
    pages: int
    error: str | None
    request: dict[str, Any] = field(default_factory=dict)  # SECTIONS → value, secrets masked


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$CURSOR_BUILDER_STATE_DIR``, else ``$XDG_STATE_HOME/cursor-builder``, else ``~/.local/state/cursor-builder``."""
    environ = os.environ if environ is None else environ
    if environ.get("CURSOR_BUILDER_STATE_DIR"):
        return Path(environ["CURSOR_BUILDER_STATE_DIR"])
    base = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "cursor-builder"


def history_file(project: Project, environ: Mapping[str, str] | None = None) -> Path | None:
    """One file per project file (by its absolute path); an unsaved project keeps none."""
    if project.path is None:
        return None
    where = str(Path(project.path).resolve())
    digest = hashlib.sha256(where.encode()).hexdigest()[:16]
    return state_dir(environ) / "history" / f"{Path(where).stem}-{digest}.jsonl"


def _masked_sections(resource: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in SECTIONS:
        value = request_section(resource, key)
        if value is None:
            continue
        if key == "headers" and isinstance(value, dict):
            value = Secrets().headers({str(k): str(v) for k, v in value.items()})
        out[key] = json.loads(json.dumps(value, default=str))
    return out


def entry_for(resource: Resource, run: ResourceRun, at: float) -> Entry:
    page = run.pages[0] if run.pages else None
    status = next((p.status for p in reversed(run.pages) if p.status is not None), None)
    return Entry(at=at, resource=resource.name, method=resource.method, kind=resource.kind,
                 url=page.url if page is not None else "", status=status, pages=len(run.pages),
                 error=run.error, request=_masked_sections(resource))


def record(project: Project, resource: Resource, run: ResourceRun, *, at: float | None = None,
           environ: Mapping[str, str] | None = None) -> Entry | None:
    """Append one send; a history that cannot be written is logged, never in the user's way."""
    entry = entry_for(resource, run, time.time() if at is None else at)
    path = history_file(project, environ)
    if path is None:
        return entry
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        lines.append(json.dumps(asdict(entry), ensure_ascii=False))
        path.write_text("\n".join(lines[-KEEP:]) + "\n", encoding="utf-8")
    except OSError:
        log.exception("cannot write the request history %s", path)
    return entry


def load(project: Project, environ: Mapping[str, str] | None = None) -> list[Entry]:
    """Newest first; lines that do not parse are skipped (a history is a convenience, not data)."""
    path = history_file(project, environ)
    if path is None or not path.exists():
        return []
    entries: list[Entry] = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    for line in text.splitlines():
        try:
            entries.append(Entry(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    return entries[::-1]


def replayed(resource: Resource, entry: Entry) -> Resource:
    """A copy of ``resource`` with the request as the entry sent it (the mapping stays current).
    A header masked in the history keeps the resource's current value: the secret was never stored."""
    copy = resource.copy()
    if entry.method != "GET" or "method" in copy.selector:
        copy.selector["method"] = entry.method
    copy.kind = entry.kind
    current_headers = dict(copy.selector.get("headers") or {})
    for key in ("query_params", "headers", "body"):
        value = entry.request.get(key)
        if key == "headers" and isinstance(value, dict):
            value = {name: current_headers.get(name, v) if MASK in str(v) else v for name, v in value.items()}
        if value is None:
            copy.selector.pop(key, None)
        else:
            copy.selector[key] = value
    copy.extensions.query = dict(entry.request.get("x-query") or {})
    copy.extensions.body = dict(entry.request.get("x-body") or {})
    pagination = entry.request.get("x-pagination")
    copy.extensions.pagination = dict(pagination) if pagination else None
    return copy
