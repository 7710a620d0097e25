"""Every test's: what no test may touch on this machine."""

from __future__ import annotations

import os
from typing import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def own_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The app keeps Textual's parsed CSS in ``$XDG_CACHE_HOME/cursor-builder`` (builder.tui.css_cache):
    the session's apps share one of their own, never the user's (the first app writes it, the rest read it)."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(autouse=True, scope="session")
def remembered_styles_checked() -> Iterator[None]:
    """Every app of the session computes each style it remembered again and fails on a difference
    (builder.tui.css_cache.RememberingStylesheet.check): the memo is proven on every screen the tests
    draw, not only on the start tests/app/test_css_cache.py compares."""
    from builder.tui.css_cache import RememberingStylesheet

    RememberingStylesheet.check = True
    try:
        yield
    finally:
        RememberingStylesheet.check = False


@pytest.fixture(autouse=True, scope="session")
def compile_memo_checked() -> Iterator[None]:
    """The session's programs are learned by a memo of the programs known to compile
    (builder.project.compile_memo, in memory) that compiles each one it answers for again and fails
    when it does not compile: the memo is proven on every program the tests ask about."""
    from builder.project import compile_memo
    from builder.project.compile_memo import CompileMemo

    before = compile_memo.installed
    compile_memo.installed = CompileMemo(None)
    CompileMemo.check = True
    try:
        yield
    finally:
        CompileMemo.check = False
        compile_memo.installed = before


def pytest_configure(config: pytest.Config) -> None:
    """Widget classes are defined as the app's start defines them (builder.tui.widget_classes), from
    before the test modules define theirs, with ``check`` on: each class is compared with what
    Textual's own ``DOMNode.__init_subclass__`` makes as it is defined."""
    from builder.tui import widget_classes

    widget_classes.FastSubclassing.check = True
    widget_classes.install()
