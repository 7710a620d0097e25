"""Which JQ programs compile, remembered between starts, so that asking is not compiling.

Why: a mapping's every leaf, its selector and each JQ box on screen ask "does this compile?"
before anything runs (a leaf that does not compile goes after the others in Ocean's entity, and
is shown as an error), and libjq parses its whole builtin library with every program it compiles:
~1.2–2.3 ms a program here, 10–16 programs before the app's first frame and before a CLI preview's
first entity. Most of those programs are never compiled again: the fields jqnative runs are run
as Python, and jq compiles the batch programs of its own.

How: :func:`builder.engine.jqrt.compile_error` asks the installed memo first; a program the memo
knows compiled is answered without compiling (jq compiles it the first time it runs it), any other
is compiled and, when it compiles, learned. The file (in the user's cache) is named by the jq
extension's file and its stamp, and the text put before every program (``jqrt.PREFIX_SHAPE``): a
program that compiled with one libjq build is not trusted by another, nor after the prefix changes.
This module holds the memo and its file (the engine does no I/O); ``jqrt`` consults it.

What it holds: 16-byte BLAKE2 digests of the program texts that compiled, never a text, so no JQ
and nothing a JQ holds reaches the file; a text that does not compile is never remembered (it is
compiled each time, for its message). Whether a program compiles does not depend on the values in
the environment prefix (``def env: X; X as $ENV | `` with X a JSON object, which jq always parses
as an object of strings), so the digest is the program's own text as jq receives it.

Only ``builder.start`` installs it (the command's first step), like ``builder.project.method_cache``:
the engine used as a library compiles every program it is asked about.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path
from typing import ClassVar, Mapping

from builder.project.user_cache import cache_path, file_stamp, write_atomically

#: The most digests the file keeps: past it, only those this process used (typing in a JQ box
#: learns each prefix of the text that compiles).
KEPT = 20_000


def digest(program: str) -> bytes:
    """The key of a program's text (already formatted as jq receives it, without the prefix)."""
    return hashlib.blake2b(program.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class CompileMemo:
    """A set of the digests of programs that compiled (see the module's docstring)."""

    #: Compile every program the memo answers for and raise AssertionError when one does not
    #: compile (tests turn it on).
    check: ClassVar[bool] = False

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.valid: set[bytes] = set()
        self.used: set[bytes] = set()
        self.learned = 0  # programs learned since the last save

    def load(self) -> bool:
        """The file's digests (False: none, or not a file this module wrote: it is ignored)."""
        if self.path is None:
            return False
        try:
            kept = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return False
        if not isinstance(kept, (set, frozenset)):
            return False
        self.valid.update(key for key in kept if isinstance(key, bytes) and len(key) == 16)
        return True

    def knows(self, key: bytes) -> bool:
        """Did this program compile before (with this jq, this prefix)?"""
        if key in self.valid:
            self.used.add(key)
            return True
        return False

    def learn(self, key: bytes) -> None:
        """This program compiled."""
        self.used.add(key)
        if key not in self.valid:
            self.valid.add(key)
            self.learned += 1

    def save(self) -> None:
        """Write the digests when this process learned one (an unwritable cache is no error)."""
        if not self.learned or self.path is None:
            return
        kept = self.valid if len(self.valid) <= KEPT else self.used
        try:
            write_atomically(self.path, marshal.dumps(frozenset(kept)))
        except (OSError, ValueError):
            return
        self.learned = 0


def cache_file(library: str, prefix_shape: str, env: Mapping[str, str] = os.environ) -> Path | None:
    """The file for this jq extension build (``library``: its file) and prefix; None: no home for it."""
    key = f"{file_stamp(library)}|{library}|{prefix_shape}"
    name = hashlib.sha1(key.encode()).hexdigest()[:20]
    return cache_path(f"jq-compiles-{name}.marshal", env)


#: The process's memo, once ``builder.start`` installed it (``jqrt.compile_error`` consults it).
installed: CompileMemo | None = None


def install(library: str, prefix_shape: str, env: Mapping[str, str] = os.environ) -> CompileMemo | None:
    """Load the memo of this jq build and prefix (``jqrt.LIBRARY``, ``jqrt.PREFIX_SHAPE``; once a
    process; None, and nothing installed, when there is no cache folder to name: no home directory)."""
    global installed
    if installed is None:
        path = cache_file(library, prefix_shape, env)
        if path is None:
            return None
        installed = CompileMemo(path)
        installed.load()
    return installed


def save() -> None:
    """Write what the process learned, if ``install`` ran."""
    if installed is not None:
        installed.save()
