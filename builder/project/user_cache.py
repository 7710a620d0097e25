"""Where cursor-builder keeps what it can always make again (parsed CSS, parsed presets): the
user's cache directory. Deleting it costs the next start the time to make them, nothing else."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping


def cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_CACHE_HOME/cursor-builder`` (default ``~/.cache/cursor-builder``)."""
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cursor-builder"


def cache_path(name: str, env: Mapping[str, str] = os.environ) -> Path | None:
    """``cache_dir(env) / name``, or None when there is no home directory to keep it under (``HOME``
    unset, no passwd entry, no ``XDG_CACHE_HOME``): the caller then makes what it would have read
    there, and keeps nothing. A start never fails for want of a cache."""
    try:
        return cache_dir(env) / name
    except (RuntimeError, KeyError, OSError):  # Path.home()
        return None


def file_stamp(path: str | Path | None) -> str:
    """Which version of a file this is, cheaply: its modification time and size ("?" when it cannot be
    read). Installing another version of a package rewrites its files, so a cache keyed by the stamps
    of a package's files is never read by another version of it."""
    try:
        status = os.stat(path) if path else None
    except OSError:
        status = None
    return f"{status.st_mtime_ns}:{status.st_size}" if status else "?"


def write_atomically(path: Path, content: bytes) -> None:
    """A temporary file beside it, renamed over it: a reader (another app starting) never sees half a
    file. Raises OSError (an unwritable cache); the temporary file is never left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
