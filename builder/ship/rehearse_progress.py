"""Where a rehearsal is, and how to stop it: what the CLI prints and the Sync tab draws while Ocean runs.

:class:`RehearsalProgress` follows the run per installation and, inside one, per resource — read from
the lines Ocean itself logs while it resyncs (``Starting processing resource <kind> with index <n>``
and ``Finished registering kind: <kind>-<n> ,<entities> entities out of <raw> raw results``, both
from port-ocean 0.56.2's ``core/integrations/mixins/sync_raw.py``). :class:`Cancel` is set from any
thread (the TUI's event loop while the rehearsal runs in a worker thread) and stops the running
Ocean process group at once.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from typing import Callable

from builder.project.yamlio import ProjectError

_STARTED = re.compile(r"Starting processing resource (?P<kind>.+) with index (?P<index>\d+)\s*$")
_FINISHED = re.compile(r"Finished registering kind: (?P<kind>.+)-(?P<index>\d+) ,(?P<entities>\d+) entities out of "
                       r"(?P<raw>\d+) raw results")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class RehearsalError(ProjectError):
    """Something the user can fix stopped the rehearsal (one line, what to do)."""


class RehearsalCancelled(Exception):
    """The user stopped the rehearsal; every process it started has been stopped."""


class Cancel:
    """A cancel flag whose setting also runs the stop callbacks registered while it matters (the
    running Ocean's process-group kill), so nothing waits on a poll to notice it."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], object]] = []

    def set(self) -> None:
        with self._lock:
            self._event.set()
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()

    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise RehearsalCancelled("the rehearsal was cancelled; Ocean and the local servers were stopped")

    def register(self, callback: Callable[[], object]) -> Callable[[], None]:
        """Run ``callback`` on :meth:`set` (now, when already set); returns the un-register function."""
        with self._lock:
            already = self._event.is_set()
            if not already:
                self._callbacks.append(callback)
        if already:
            callback()

        def unregister() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return unregister


@dataclass
class ResourceProgress:
    kind: str
    state: str = "waiting"  # waiting | running | done
    entities: int | None = None  # Ocean's count when it finished the kind
    raw: int | None = None


@dataclass
class RehearsalProgress:
    """One snapshot of the run; ``event`` says what changed: ``step`` (a phase of ours), ``resource``
    (Ocean started or finished a resource) or ``ocean`` (any other line of Ocean's log)."""

    phase: str = "starting"  # starting | installing | ocean | comparing | done
    event: str = "step"
    message: str = ""
    installation: str | None = None
    number: int = 0  # 1-based installation being run
    installations: int = 0
    resources: list[ResourceProgress] = field(default_factory=list)

    def snapshot(self) -> RehearsalProgress:
        """A copy a listener on another thread may keep while the run goes on."""
        return replace(self, resources=[replace(r) for r in self.resources])

    def step(self, phase: str, message: str) -> None:
        self.phase, self.event, self.message = phase, "step", message

    def begin_installation(self, identifier: str, number: int, total: int, kinds: list[str]) -> None:
        self.installation, self.number, self.installations = identifier, number, total
        self.resources = [ResourceProgress(kind) for kind in kinds]
        self.step("installing", f"installing {identifier} ({len(kinds)} resources) in the local catalog")

    @property
    def done_resources(self) -> int:
        return sum(r.state == "done" for r in self.resources)

    def ocean_line(self, line: str) -> None:
        """Read one line of Ocean's output."""
        text = _ANSI.sub("", line).strip()
        self.phase, self.event, self.message = "ocean", "ocean", text[:160]
        for pattern, state in ((_STARTED, "running"), (_FINISHED, "done")):
            found = pattern.search(text)
            if not found:
                continue
            index = int(found.group("index"))
            if 0 <= index < len(self.resources):
                row = self.resources[index]
                row.state = state
                if state == "done":
                    row.entities, row.raw = int(found.group("entities")), int(found.group("raw"))
                self.event = "resource"
                verb = "started" if state == "running" else f"finished ({row.entities} entities)"
                self.message = (f"Ocean {verb} {row.kind} — {self.done_resources}/{len(self.resources)} resources of "
                                f"{self.installation}")
            return

    def summary(self) -> str:
        """One line: installation n/N, resources done, what happens now."""
        where = f"installation {self.number}/{self.installations}" if self.installations else "rehearsal"
        if self.phase == "ocean":
            return f"{where}: Ocean resyncing, {self.done_resources}/{len(self.resources)} resources done"
        return f"{where}: {self.message}"
