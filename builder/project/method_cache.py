"""The methods ``@dataclass`` and ``namedtuple`` write, compiled once per Python and kept.

Why: ``@dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__``… of each class and
compiles it when the class is defined; ``namedtuple`` does the same for ``__new__``, and ``typing``
compiles each annotation written as a string (``NamedTuple`` fields under ``from __future__ import
annotations``). A start of the app defines ~330 of them (ours and Textual's) and compiling them was
~30 ms of its ~200 ms of imports (measured: bench/tui.py's cold start, and ``-X importtime`` of
``builder.tui.app``).

How: :meth:`MethodCache.install` gives the ``dataclasses`` and ``collections`` modules an ``exec`` /
``eval``, and ``typing`` a ``compile``, of their own that look the source text up in a table of code
objects read from the user's cache (``methods-<python>.marshal``, one file per interpreter build:
marshal's format is the interpreter's own), trusted as the user's ``__pycache__`` is. The texts hold
field names, annotations and the names of defaults, never a value: no data, no secret. A text not in
the table is compiled as the builtin would compile it (the same file name, and none of the caller's
``__future__`` flags: those modules have none) and remembered;
:meth:`MethodCache.save` writes the table when it learned something. The code object of a source
text is what compiling it gives, so a class built from the table is the class Python would build;
with :attr:`MethodCache.check` every text found in the table is compiled again and compared
(tests/cli/test_method_cache.py builds every kind of class both ways).

Only ``builder.start`` installs it (the command's first step, before anything defines a class):
importing the builder as a library changes nothing.
"""

from __future__ import annotations

import builtins
import collections
import dataclasses
import hashlib
import marshal
import os
import sys
import typing
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any, ClassVar, Mapping

from builder.project.user_cache import cache_path, write_atomically

#: Where a compiled source goes through: the module, the builtin it calls, and the compile mode
#: (``compile``: the mode the call names).
HOOKS: tuple[tuple[ModuleType, str, str], ...] = ((dataclasses, "exec", "exec"), (collections, "eval", "eval"),
                                                  (typing, "compile", ""))
#: The most texts the file keeps: past it, only those this process used (a release that renamed
#: many fields would otherwise keep the old texts forever). A start of the app uses ~330.
KEPT = 4000


def cache_file(env: Mapping[str, str] = os.environ) -> Path | None:
    """The file of this interpreter build (marshal's format and the compiler's output are its own) and
    optimisation level (``-O`` / ``-OO`` compile asserts and docstrings away); None: no home for it."""
    key = f"{sys.implementation.cache_tag}|{sys.version}|{sys.flags.optimize}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:20]
    return cache_path(f"methods-{digest}.marshal", env)


class MethodCache:
    """A table ``(mode, source) → code`` and the hooks that consult it (see the module's docstring)."""

    #: Compile every text found in the table again and raise AssertionError when the code differs.
    check: ClassVar[bool] = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self.codes: dict[tuple[Any, Any], Any] = {}  # (mode, source) → code here; a subclass's own
        self.used: set[tuple[Any, Any]] = set()
        self.learned = 0  # texts compiled since the last save

    def load(self) -> bool:
        """The file's table (False: none, or not one this interpreter wrote: it is ignored)."""
        try:
            table = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return False
        if not isinstance(table, dict):
            return False
        self.codes.update({key: value for key, value in table.items() if self.kept_entry(key, value)})
        return True

    @staticmethod
    def kept_entry(key: Any, value: Any) -> bool:
        """Is this an entry of the table this class writes (a file from elsewhere is ignored)?"""
        return isinstance(key, tuple) and len(key) == 2 and isinstance(value, CodeType)

    def code(self, source: str, mode: str) -> CodeType:
        """What ``compile(source, "<string>", mode)`` gives in a module with no ``__future__`` import."""
        key = (mode, source)
        self.used.add(key)
        code: CodeType | None = self.codes.get(key)
        if code is None:
            code = self.codes[key] = compile(source, "<string>", mode, dont_inherit=True)
            self.learned += 1
        elif self.check:
            fresh = compile(source, "<string>", mode, dont_inherit=True)
            if fresh != code:
                raise AssertionError(f"method cache: the code kept for {source[:60]!r}… is not what it compiles to")
        return code

    @classmethod
    def opened(cls, path: Path | None) -> Any:
        """The table at ``path``, loaded and installed (None, and nothing hooked, when there is no path:
        no home directory to keep it under)."""
        if path is None:
            return None
        table = cls(path)
        table.load()
        table.install()
        return table

    def install(self) -> None:
        """Route the hooked modules' ``exec`` / ``eval`` of source text through the table."""
        for module, name, mode in HOOKS:
            setattr(module, name, self._hook(getattr(builtins, name), mode))

    def uninstall(self) -> None:
        for module, name, _ in HOOKS:
            if name in vars(module):
                delattr(module, name)  # the builtin again

    def _hook(self, builtin: Any, mode: str) -> Any:
        if builtin is compile:
            def compiled(source: Any, filename: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
                if type(source) is str and filename == "<string>" and not args and not kwargs:
                    return self.code(source, mode)
                return builtin(source, filename, mode, *args, **kwargs)

            return compiled

        def run(source: Any, globals: Any = None, locals: Any = None, /) -> Any:
            if type(source) is str:
                source = self.code(source, mode)
            return builtin(source, globals, locals)

        return run

    def save(self) -> None:
        """Write the table when this process compiled a text it did not hold (an unwritable cache is
        no error: the next start compiles them again)."""
        if not self.learned:
            return
        keys = self.codes.keys() if len(self.codes) <= KEPT else self.used
        try:
            write_atomically(self.path, marshal.dumps({key: self.codes[key] for key in keys}))
        except (OSError, ValueError):
            return
        self.learned = 0


#: The process's cache, once ``builder.start`` installed it.
installed: MethodCache | None = None


def install(env: Mapping[str, str] = os.environ) -> MethodCache | None:
    """Load this interpreter's table and hook ``dataclasses``, ``collections`` and ``typing`` (once a
    process; None, and nothing hooked, when there is no cache folder to name: no home directory)."""
    global installed
    if installed is None:
        installed = MethodCache.opened(cache_file(env))  # no home for the table: None, compile as Python does
    return installed


def save() -> None:
    """Write what the process learned, if ``install`` ran."""
    if installed is not None:
        installed.save()
