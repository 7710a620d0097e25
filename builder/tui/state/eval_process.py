"""Mapping evaluation in a separate process, so typing never waits for jq.

Why a process: jq holds the GIL while it runs, so an evaluation over 1,000 records in a worker
*thread* still starves the event loop (every key waits behind a jq call). In a child process it
cannot. The child keeps the fetched pages (sent once per fetch) and answers only the newest
request: a request that arrives mid-run cancels the run between chunks.

Protocol (pickled tuples over a Pipe)::

    parent → child  ("pages", token, pages) | ("run", generation, token, spec) | ("stop",)
    child → parent  ("ready", 0) once its imports are done, then
                    ("result", generation, MappingResult without compiled/markers)
                    | ("skipped", generation) | ("error", generation, message)

The child takes about a second to import the engine (more on a loaded machine): the app starts
it after its first paint and evaluates in a thread until ``ready`` says the child answers.

The parent re-attaches the compiled mapping (cached by content, so the compile is shared with
the preview). ``Evaluator`` (in-thread) remains the fallback when a process cannot be started.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from dataclasses import dataclass
from typing import Any, Callable

log = logging.getLogger("cursor-builder")


@dataclass
class Spec:
    """What the child needs of a resource to map it (a Resource is not worth pickling)."""

    data_path: str | None
    items_to_parse: str | None
    items_to_parse_name: str
    items_to_parse_top_level_transform: bool
    mappings: dict[str, Any]
    query: str
    #: what `env` / `$ENV` mean (``jqrt.environment_token()`` of the parent, which installed the
    #: deployed integration's environment for the project): the child evaluates exactly as the parent
    environment: str

    @classmethod
    def of(cls, resource: Any, environment: str) -> Spec:
        import copy

        return cls(resource.data_path, resource.items_to_parse, resource.items_to_parse_name,
                   resource.items_to_parse_top_level_transform, copy.deepcopy(resource.mappings), resource.query,
                   environment)


def _serve(conn: Any) -> None:
    """The child's loop."""
    from builder.engine import jqrt
    from builder.tui.state.evaluation import Evaluator

    jqrt.install_environment({})  # until a request says otherwise (each Spec carries the parent's)

    evaluator = Evaluator()
    pages: dict[int, list[Any]] = {}
    pending: tuple[Any, ...] | None = None
    conn.send(("ready", 0))
    while True:
        try:
            message = pending if pending is not None else conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone (quit skips its teardown): nothing left to answer
        pending = None
        kind = message[0]
        if kind == "stop":
            return
        if kind == "pages":
            _, token, data = message
            pages.clear()  # one fetch at a time is all the UI looks at
            pages[token] = data
            continue
        _, generation, token, spec = message
        # Newest wins: anything already queued replaces this request before it starts.
        while conn.poll():
            newer = conn.recv()
            if newer[0] == "run":
                conn.send(("skipped", generation))
                _, generation, token, spec = newer
            elif newer[0] == "pages":
                pages.clear()
                pages[newer[1]] = newer[2]
            else:
                return
        try:
            jqrt.restore_environment(spec.environment)
            result = evaluator.run(spec, pages.get(token, []), cancelled=conn.poll)
        except Exception as exc:  # a bug must come back as a message, not kill the child silently
            conn.send(("error", generation, f"{type(exc).__name__}: {exc}"))
            continue
        if result is None:
            conn.send(("skipped", generation))
            continue
        result.compiled = None  # jq programs cannot be pickled; the parent compiles its own
        result._markers = []  # values for the record in view come from the parent's preview
        conn.send(("result", generation, result))


def prepare() -> None:
    """Start multiprocessing's resource tracker now. Call before the app runs: while Textual
    captures stdout/stderr, starting it fails (it hands stderr's file descriptor to the tracker)."""
    try:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    except Exception:
        log.warning("cannot prepare the evaluation process; evaluation will run in a thread")


class EvalProcess:
    """The parent's handle: ``submit`` a request, get the result through ``on_result``."""

    def __init__(self, on_result: Callable[[int, Any, str | None], None]) -> None:
        self._on_result = on_result
        context = multiprocessing.get_context("spawn")  # fork is unsafe with the app's threads
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True, name="builder-eval")
        self._process.start()
        child.close()
        self._send_lock = threading.Lock()
        self._pages_token: int | None = None
        self._pages_ref: Any = None
        self._closed = False
        self._reaper: threading.Thread | None = None
        self._ready = threading.Event()
        self._answered = threading.Event()  # ready, or ended before it was
        self._reader = threading.Thread(target=self._read, daemon=True, name="builder-eval-reader")
        self._reader.start()

    @property
    def ready(self) -> bool:
        """The child has imported the engine and answers requests (until then: the thread fallback)."""
        return self._ready.is_set() and not self._closed

    @property
    def starting(self) -> bool:
        """Started, and neither ready nor ended yet."""
        return not self._answered.is_set() and not self._closed

    def wait_ready(self, timeout: float) -> bool:
        """Block until the child is ready or has ended (tests; never on the event loop)."""
        self._answered.wait(timeout)
        return self.ready

    def submit(self, generation: int, pages: list[Any], spec: Spec) -> None:
        with self._send_lock:
            if pages is not self._pages_ref:
                self._pages_ref = pages
                self._pages_token = id(pages)
                self._conn.send(("pages", self._pages_token, pages))
            self._conn.send(("run", generation, self._pages_token, spec))

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                self._ready.clear()  # an ended child answers nothing: evaluate in a thread again
                self._answered.set()
                if not self._closed:
                    log.warning("the evaluation process ended")
                self._conn.close()
                return
            kind, generation = message[0], message[1]
            if kind == "ready":
                self._ready.set()
                self._answered.set()
            elif kind == "result":
                self._on_result(generation, message[2], None)
            elif kind == "error":
                self._on_result(generation, None, message[2])
            else:
                self._on_result(generation, None, None)

    def close(self) -> None:
        """Stop the child without waiting for it: quitting waits on nothing here."""
        self._closed = True
        # The child only computes, so stopping it mid-run loses nothing; asking it politely would
        # cost quit its interpreter teardown (~70 ms) or the rest of a chunk.
        self._process.terminate()  # the reader then sees the pipe end, and closes it
        # Reaped off the quitting thread (a test session starts many apps: no zombies left behind).
        self._reaper = threading.Thread(target=self._process.join, daemon=True, name="builder-eval-reaper")
        self._reaper.start()

    def wait_ended(self, timeout: float) -> bool:
        """After ``close``: block until the child has been reaped (tests; never on the event loop)."""
        if self._reaper is None:
            return False  # never closed
        self._reaper.join(timeout)
        return self._process.exitcode is not None
