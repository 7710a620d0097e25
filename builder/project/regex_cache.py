"""The regular expressions modules compile at import, compiled once per Python and kept.

Why: ``re`` parses a pattern and compiles it to the regex engine's code in Python, every process;
its own cache lives as long as the process. Modules compile their patterns when imported:
Textual's CSS tokenizer (large alternations of named groups), PyYAML's reader (a class of most of
Unicode), ``logging``, ``platform``… ~90 patterns and ~25-30 ms of a start of the app (measured:
a timer around ``re._compiler.compile`` over the imports of ``builder.tui.app`` and a project's load).

How: :meth:`RegexCache.install` replaces ``re._compiler.compile`` (what ``re.compile`` and friends
call when a pattern is not in ``re``'s own cache) with one that looks ``(pattern, flags)`` up in a
table of what the regex engine's constructor (``_sre.compile``) was given for it: the flags with
those set inside the pattern, the compiled code (a list of integers), the group count, names and
indexes. A pattern found there is built by that constructor from those arguments, without parsing
or compiling; a pattern not found is compiled by ``re``'s own code, whose call to the constructor is
recorded (``re._compiler`` is given a ``_sre`` whose ``compile`` notes its arguments). The same
arguments build the same pattern (patterns compare equal by flags, pattern and code); with
:attr:`RegexCache.check` every pattern found in the table is compiled again and compared. Patterns
are the modules' own text (no data, no secret). One file per interpreter build and regex engine
(``_sre.MAGIC``), beside the method cache, with the same load, save and ``KEPT`` rules
(:class:`builder.project.method_cache.MethodCache`, which this extends).

Only ``builder.start`` installs it (the command's first step): importing the builder as a library
changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import re._compiler as _re_compiler
import sys
import threading
import types
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping

import _sre

from builder.project.method_cache import MethodCache
from builder.project.user_cache import cache_path

#: ``re``'s compiler module (private, as the hook is: tests/cli/test_regex_cache.py pins its behaviour).
_compiler: Any = _re_compiler
#: ``re.DEBUG`` prints the compiled code: such a compile always goes to ``re`` itself.
_DEBUG = int(re.DEBUG)


def cache_file(env: Mapping[str, str] = os.environ) -> Path | None:
    """The file of this interpreter build and regex engine; None: no home for it."""
    key = f"{sys.implementation.cache_tag}|{sys.version}|{_sre.MAGIC}|{_sre.CODESIZE}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:20]
    return cache_path(f"regexes-{digest}.marshal", env)


class _Recorded(threading.local):
    """What the regex engine's constructor was last given, in this thread."""

    arguments: tuple[Any, ...] | None = None


class RegexCache(MethodCache):
    """A table ``(pattern, flags) → the constructor's other arguments`` and the hook that consults it."""

    #: Compile every pattern found in the table again and raise AssertionError when it differs.
    check: ClassVar[bool] = False

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._recorded = _Recorded()
        self._original: Callable[..., Any] | None = None

    @staticmethod
    def kept_entry(key: Any, value: Any) -> bool:
        return (isinstance(key, tuple) and len(key) == 2 and type(key[0]) in (str, bytes) and type(key[1]) is int
                and isinstance(value, tuple) and len(value) == 5 and type(value[1]) is list)

    def pattern(self, pattern: str | bytes, flags: int) -> Any:
        """What ``re._compiler.compile(pattern, flags)`` gives."""
        key = (pattern, flags)
        self.used.add(key)
        arguments = self.codes.get(key)
        if arguments is None:
            compiled, arguments = self._compiled(pattern, flags)
            if arguments is not None:
                self.codes[key] = arguments
                self.learned += 1
            return compiled
        if self.check:
            _, fresh = self._compiled(pattern, flags)
            if fresh != arguments:
                raise AssertionError(f"regex cache: what is kept for {pattern[:60]!r} is not what it compiles to")
        return _sre.compile(pattern, *arguments)

    def _compiled(self, pattern: str | bytes, flags: int) -> tuple[Any, tuple[Any, ...] | None]:
        """``re``'s own compile, and the constructor's arguments after the pattern (None: not seen)."""
        assert self._original is not None
        self._recorded.arguments = None
        compiled = self._original(pattern, flags)
        arguments = self._recorded.arguments
        self._recorded.arguments = None
        if arguments is None or arguments[0] is not pattern:
            return compiled, None
        flags, code, groups, groupindex, indexgroup = arguments[1:]
        # The code's opcodes are int subclasses (named constants): the engine reads them as plain ints,
        # and marshal keeps only plain ones.
        return compiled, (int(flags), [int(word) for word in code], int(groups), dict(groupindex), tuple(indexgroup))

    def install(self) -> None:
        """Route ``re``'s compiles through the table, and record what its constructor is given."""
        if self._original is not None:
            return
        recorded = self._recorded

        def construct(*arguments: Any) -> Any:
            recorded.arguments = arguments
            return _sre.compile(*arguments)

        original = self._original = _compiler.compile
        _compiler._sre = types.SimpleNamespace(**{**vars(_sre), "compile": construct})

        def compiled(pattern: Any, flags: int = 0) -> Any:
            if type(pattern) in (str, bytes) and type(flags) is int and not flags & _DEBUG:
                return self.pattern(pattern, flags)
            return original(pattern, flags)

        _compiler.compile = compiled

    def uninstall(self) -> None:
        if self._original is not None:
            _compiler.compile = self._original
            _compiler._sre = _sre
            self._original = None


#: The process's cache, once ``builder.start`` installed it.
installed: RegexCache | None = None


def install(env: Mapping[str, str] = os.environ) -> RegexCache | None:
    """Load this interpreter's table and hook ``re`` (once a process; None, and nothing hooked, when
    there is no cache folder to name: no home directory)."""
    global installed
    if installed is None:
        installed = RegexCache.opened(cache_file(env))
    return installed


def save() -> None:
    """Write what the process learned, if ``install`` ran."""
    if installed is not None:
        installed.save()
