"""Textual's Linux driver, with an input thread that stops when told to instead of when it next looks.

Why: quitting stops the driver's input thread and waits for it (``LinuxDriver.disable_input`` joins
it). The thread waits for the terminal in ``select`` calls of 0.1 s and only then sees that it should
stop; after its loop it waits once more (a last ``select`` of 0.1 s, with the terminal no longer
registered: a plain sleep). So every quit waited 0.1–0.2 s for nothing: ~160 ms of the ~270 ms from
ctrl+q to the process's exit (sampled with py-spy; bench/tui.py's quit row).

How: the driver's stop signal (``exit_event``) also writes a byte to a pipe that the input thread's
selector watches beside the terminal, so a waiting ``select`` returns at once. Nothing else changes:
the thread's own code (Textual's) runs as it is; its selector reports the terminal's input exactly as
before and never the pipe; the pipe is read empty when the signal is cleared (a resumed app starts
a new input thread). The selector is swapped in ``textual.drivers.linux_driver`` for one that behaves
as Textual's everywhere except in this driver's input thread (a thread-local tells it the pipe).
``BuilderApp.get_driver_class`` picks this driver wherever Textual would pick ``LinuxDriver``.
"""

from __future__ import annotations

import os
import selectors
import threading
import types
from typing import Any

from textual.drivers import linux_driver
from textual.drivers.linux_driver import LinuxDriver

#: The wake pipe's read end, in the input thread of a WakingLinuxDriver (unset elsewhere).
_input_thread = threading.local()


class WakeableSelector(selectors.SelectSelector):
    """A ``SelectSelector`` that, created in a WakingLinuxDriver's input thread, also watches its
    wake pipe: a ``select`` returns as soon as the pipe is written to, and never reports the pipe."""

    def __init__(self) -> None:
        super().__init__()
        self._wake: int | None = getattr(_input_thread, "wake", None)
        if self._wake is not None:
            super().register(self._wake, selectors.EVENT_READ)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(timeout)
        if self._wake is None:
            return ready
        return [(key, events) for key, events in ready if key.fd != self._wake]


class WakingEvent(threading.Event):
    """The driver's stop signal: ``set`` also writes to the wake pipe (when an input thread has one),
    ``clear`` reads it empty."""

    def __init__(self) -> None:
        super().__init__()
        self._pipe: tuple[int, int] | None = None
        self._pipe_lock = threading.Lock()  # a pipe is never written to while it is being closed

    def open_pipe(self) -> int:
        """A new wake pipe for an input thread; returns its read end."""
        read, write = os.pipe()
        os.set_blocking(read, False)
        with self._pipe_lock:
            self._pipe = (read, write)
        if self.is_set():  # set before the pipe existed: the selector must not wait either
            os.write(write, b"!")
        return read

    def close_pipe(self) -> None:
        with self._pipe_lock:
            pipe, self._pipe = self._pipe, None
        if pipe is not None:
            for fd in pipe:
                os.close(fd)

    def set(self) -> None:
        super().set()
        with self._pipe_lock:
            if self._pipe is not None:
                try:
                    os.write(self._pipe[1], b"!")
                except OSError:  # full (it is only a wake-up): the thread is awake already
                    pass

    def clear(self) -> None:
        super().clear()
        with self._pipe_lock:
            if self._pipe is not None:
                try:
                    while os.read(self._pipe[0], 512):
                        pass
                except BlockingIOError:
                    pass


class WakingLinuxDriver(LinuxDriver):
    """``LinuxDriver`` whose input thread stops at once when input is disabled (quit, suspend)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exit_event = WakingEvent()

    def _run_input_thread(self) -> None:
        event = self.exit_event
        assert isinstance(event, WakingEvent)
        _input_thread.wake = event.open_pipe()
        try:
            super()._run_input_thread()
        finally:
            _input_thread.wake = None
            event.close_pipe()


# Textual's input thread makes its selector with `selectors.SelectSelector()` from its module's
# globals: give that module the same namespace with the wakeable selector (identical to Textual's
# outside a WakingLinuxDriver's input thread).
linux_driver.selectors = types.SimpleNamespace(  # type: ignore[attr-defined]
    **{**vars(selectors), "SelectSelector": WakeableSelector})
