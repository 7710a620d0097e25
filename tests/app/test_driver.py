"""The Linux driver whose input thread stops when told to (builder.tui.driver): its selector reports
the terminal's input as Textual's does and wakes when the driver is stopped; the real app, in a
pseudo-terminal, quits on ctrl+q and gives the terminal back."""

from __future__ import annotations

import os
import pty
import select
import selectors
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from textual.drivers import linux_driver

from builder.tui import driver as driver_module
from builder.tui.app import make_app
from builder.tui.driver import WakeableSelector, WakingEvent, WakingLinuxDriver

ROOT = Path(__file__).resolve().parents[2]
#: Seconds a select may wait in these tests: far longer than any wake-up takes, so a selector that
#: does not wake fails the test (by the join's timeout) instead of passing slowly.
LONG = 60.0


def test_linux_gets_the_waking_driver_and_textuals_module_the_wakeable_selector(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    app = make_app(None, demo=True)
    assert app.get_driver_class() is WakingLinuxDriver
    assert linux_driver.selectors.SelectSelector is WakeableSelector
    assert linux_driver.selectors.EVENT_READ == selectors.EVENT_READ


def test_outside_the_drivers_input_thread_it_is_textuals_selector() -> None:
    read, write = os.pipe()
    try:
        selector = WakeableSelector()
        selector.register(read, selectors.EVENT_READ)
        assert selector.select(0) == []
        os.write(write, b"x")
        assert [(key.fd, events) for key, events in selector.select(0)] == [(read, selectors.EVENT_READ)]
        assert set(selector.get_map()) == {read}, "no pipe of its own"
        selector.close()
    finally:
        os.close(read)
        os.close(write)


def run_input_thread(event: WakingEvent, terminal: int, log: list[object], read_some: threading.Event) -> threading.Thread:
    """A thread shaped like Textual's input loop: select on the terminal until the event is set,
    then a last select with nothing registered."""

    def loop() -> None:
        driver_module._input_thread.wake = event.open_pipe()
        try:
            selector = WakeableSelector()
            selector.register(terminal, selectors.EVENT_READ)
            while not event.is_set():
                for key, _ in selector.select(LONG):
                    log.append(os.read(key.fd, 100))
                    read_some.set()
            selector.unregister(terminal)
            log.append(selector.select(LONG))
            selector.close()
        finally:
            driver_module._input_thread.wake = None
            event.close_pipe()

    thread = threading.Thread(target=loop)
    thread.start()
    return thread


@pytest.mark.parametrize("set_before_the_thread_starts", [False, True])
def test_the_input_thread_reads_the_terminal_and_stops_when_told(set_before_the_thread_starts: bool) -> None:
    event = WakingEvent()
    read, write = os.pipe()
    log: list[object] = []
    read_some = threading.Event()
    try:
        if set_before_the_thread_starts:
            event.set()
        thread = run_input_thread(event, read, log, read_some)
        if not set_before_the_thread_starts:
            os.write(write, b"keys")
            assert read_some.wait(LONG / 2)
            assert log == [b"keys"], "the thread reads what was typed, and only that"
            event.set()
        thread.join(timeout=LONG / 2)
        assert not thread.is_alive(), "the input thread did not stop when told to"
        assert log[-1] == [], "the last select reports nothing (the terminal is no longer registered)"
        assert event._pipe is None, "the thread closed its wake pipe"
        event.clear()  # nothing left to read: no error
        assert not event.is_set()
    finally:
        os.close(read)
        os.close(write)


def test_clear_reads_the_pipe_empty_so_a_new_thread_waits_again() -> None:
    event = WakingEvent()
    wake = event.open_pipe()
    try:
        event.set()
        assert select.select([wake], [], [], 0)[0] == [wake]
        event.clear()
        assert select.select([wake], [], [], 0)[0] == []
    finally:
        event.close_pipe()


def test_the_app_in_a_terminal_quits_on_ctrl_q_and_gives_the_terminal_back(tmp_path: Path) -> None:
    """The console script's start, as a person runs it: the first screen, then ctrl+q; the process
    exits with 0 and leaves the alternate screen."""
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30", XDG_CACHE_HOME=str(tmp_path / "cache"),
               PYTHONPATH=str(ROOT))
    env.pop("TEXTUAL_DRIVER", None)
    process = subprocess.Popen([sys.executable, "-m", "builder", "--demo"], stdin=slave, stdout=slave, stderr=slave,
                               cwd=tmp_path, env=env, close_fds=True)
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 120
        while b"Resources" not in seen:
            assert time.monotonic() < deadline and process.poll() is None, seen[-500:]
            if select.select([master], [], [], 0.05)[0]:
                seen += os.read(master, 1 << 16)
        os.write(master, b"\x11")  # ctrl+q
        while process.poll() is None:
            assert time.monotonic() < deadline, "the app did not quit"
            if select.select([master], [], [], 0.05)[0]:
                try:
                    seen += os.read(master, 1 << 16)
                except OSError:
                    break
        assert process.wait(timeout=60) == 0
        assert b"\x1b[?1049l" in seen, "the alternate screen was left"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
