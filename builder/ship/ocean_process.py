"""Ocean as a process: ``ocean sail --once`` from a source checkout, its output read line by line, and
its whole process group stopped however the run ends (the rehearsal's part that runs Ocean itself).

Ocean starts worker processes that share its output pipe; a run ends only when every one of them is
gone, so stopping it means stopping the group, not the process that was started
(:class:`OceanGroup`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from builder.ship.rehearse_progress import Cancel, RehearsalError

#: Runs port-ocean's own CLI (``ocean sail …``) with uvicorn bound to loopback instead of 0.0.0.0.
_LAUNCHER = (
    "import uvicorn\n"
    "_run = uvicorn.run\n"
    "def _loopback(app, *args, **kwargs):\n"
    "    kwargs['host'] = '127.0.0.1'\n"
    "    return _run(app, *args, **kwargs)\n"
    "uvicorn.run = _loopback\n"
    "from port_ocean.cli.cli import cli_start\n"
    "cli_start()\n"
)

#: Seconds Ocean's processes get to stop after SIGTERM before their group is killed outright.
STOP_GRACE = 5.0


def run_ocean(python: Path, source: Path, env: Mapping[str, str], *, timeout: float, log_path: Path,
              on_line: Callable[[str], Any], cancel: Cancel | None = None) -> int:
    """``ocean sail --once`` with ``python`` (it has port-ocean[cli]) in the ``source`` checkout; returns
    its exit status. Ocean's whole process group is stopped on timeout, error, Ctrl+C or ``cancel``, and
    once its leader has exited."""
    child_env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
                 if key in os.environ}
    # Nothing of this machine's Ocean settings or proxies leaks in: exactly the exported environment.
    child_env.update(env)
    child_env.update({"PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "NO_PROXY": "127.0.0.1,localhost",
                      "no_proxy": "127.0.0.1,localhost"})
    command = [str(python), "-c", _LAUNCHER, "sail", "--once", "--port", str(free_port()), "."]
    with open(log_path, "w", encoding="utf-8") as log:
        # stdin from /dev/null: under the TUI the terminal's keystrokes are the app's, not Ocean's.
        process = subprocess.Popen(command, cwd=source, env=child_env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)
        group = OceanGroup(process)
        deadline = [False]

        def expire() -> None:
            deadline[0] = True
            group.stop()

        timer = threading.Timer(timeout, expire)
        timer.daemon = True
        timer.start()
        # The output below ends only when every process holding the pipe is gone, and Ocean's worker
        # processes may outlive the leader: once it exits, the rest of the group is stopped too.
        threading.Thread(target=group.stop_after_leader, name="ocean-reaper", daemon=True).start()
        # ``cancel`` may be set from the TUI's event loop: the stop runs in a thread of its own.
        unregister = cancel.register(group.stop_soon) if cancel is not None else (lambda: None)
        try:
            assert process.stdout is not None
            for line in process.stdout:
                log.write(line)
                on_line(line)
            status = process.wait()
        finally:
            unregister()
            timer.cancel()
            group.stop()
    if cancel is not None:
        cancel.check()
    if deadline[0]:
        raise RehearsalError(f"Ocean did not finish within {timeout:.0f} s (log: {log_path})")
    return status


class OceanGroup:
    """Ocean's process group (``start_new_session``: its id is the leader's pid), stopped as a whole.

    Ocean's worker processes inherit its SIGTERM handler, which does not make them exit: after a
    SIGTERM the leader dies while they live on, holding the output pipe open, so a stop signals the
    group whether or not the leader is still there and kills what is left after :data:`STOP_GRACE`.
    Every wait is bounded (a member that is a zombie nobody reaps still counts as present)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.pgid = process.pid

    def present(self) -> bool:
        self.process.poll()  # reap the leader, or it stays a member as a zombie
        try:
            os.killpg(self.pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # pragma: no cover - a process of another user took the id
            return False
        return True

    def gone_within(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.present():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def signal(self, signum: int) -> None:
        try:
            os.killpg(self.pgid, signum)
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        """SIGTERM the group, SIGKILL what is left after the grace; returns when it is gone (bounded)."""
        if not self.present():
            return
        self.signal(signal.SIGTERM)
        if not self.gone_within(STOP_GRACE):
            self.signal(signal.SIGKILL)
            self.gone_within(STOP_GRACE)

    def stop_soon(self) -> None:
        threading.Thread(target=self.stop, name="ocean-stop", daemon=True).start()

    def stop_after_leader(self) -> None:
        """Wait for the leader, give the rest of the group the grace to finish on its own, then stop it."""
        self.process.wait()
        if not self.gone_within(STOP_GRACE):
            self.stop()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (Ocean's own server, the rehearsal's loopback servers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
