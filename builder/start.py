"""The ``cursor-builder`` command (and ``python -m builder``): its first step, then the CLI.

The first step installs the compile cache of the methods ``@dataclass`` writes
(``builder.project.method_cache``) before any module defines a class, ours or Textual's; which is
why this is a module of its own, outside ``builder.cli`` (whose imports define classes); and the
compile cache of the regular expressions modules compile when imported
(``builder.project.regex_cache``). Then the memo of the JQ programs known to compile
(``builder.project.compile_memo``).
"""

from __future__ import annotations


def entry() -> None:
    from builder.project import method_cache

    method_cache.install()
    from builder.project import regex_cache

    regex_cache.install()
    from builder.engine import jqrt
    from builder.project import compile_memo

    compile_memo.install(jqrt.LIBRARY, jqrt.PREFIX_SHAPE)
    try:
        from builder.cli import entry as run

        run()  # exits (the TUI saves the caches itself after its first frame: its exit skips this)
    finally:
        method_cache.save()
        regex_cache.save()
        compile_memo.save()
