"""Textual's parsed CSS kept on disk between starts (builder.tui.css_cache, #13): a start from the
file draws exactly what a start that parsed everything draws, and a file that does not fit is
never used."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from textual.css.stylesheet import Stylesheet

from builder.tui.app import BuilderApp
from builder.tui.css_cache import ParsedCss, cache_file

from .conftest import SIZE, settle

pytestmark = pytest.mark.anyio

CSS = ("Label { color: $primary; padding: 0 1; }\n#x > .y:hover { background: $surface 50%; }", ("here.tcss", ""))
VARIABLES = {"primary": "#ff0000", "surface": "#00ff00"}


def sheet(variables: dict[str, str] = VARIABLES) -> Stylesheet:
    stylesheet = Stylesheet(variables=variables)
    stylesheet.add_source(CSS[0], read_from=CSS[1], is_default_css=True, tie_breaker=2)
    return stylesheet


def parsed_count(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each CSS text Textual's parser is asked to parse, in order."""
    import textual.css.stylesheet as module

    calls: list[str] = []
    parse = module.parse

    def counted(scope: str, css: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(css)
        return parse(scope, css, *args, **kwargs)

    monkeypatch.setattr(module, "parse", counted)
    return calls


def test_rule_sets_come_back_from_the_file_as_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    first = sheet()
    cache = ParsedCss(first, env)
    assert cache.load() == 0
    expected = [rule.css for rule in first.rules]
    assert cache.save() and cache_file(VARIABLES, env).is_file()
    assert not cache.save()  # nothing parsed anew: not written again

    calls = parsed_count(monkeypatch)
    second = sheet()
    assert ParsedCss(second, env).load() == 1
    assert [rule.css for rule in second.rules] == expected
    assert calls == []  # from the file, not parsed


def test_another_theme_reads_another_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    first = sheet()
    first.parse()
    ParsedCss(first, env).save()
    other = {"primary": "#0000ff", "surface": "#00ff00"}
    assert cache_file(other, env) != cache_file(VARIABLES, env)
    calls = parsed_count(monkeypatch)
    second = sheet(other)
    assert ParsedCss(second, env).load() == 0
    assert "#0000FF" in second.rules[0].css  # its own colours: parsed with its variables
    assert calls == [CSS[0]]


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05K\x01.", b"\x80\x05\x95\x00"],
                         ids=["empty", "text", "not-a-dict", "truncated"])
def test_a_damaged_file_is_ignored_and_written_anew(tmp_path: Path, content: bytes) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    path = cache_file(VARIABLES, env)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    stylesheet = sheet()
    cache = ParsedCss(stylesheet, env)
    assert cache.load() == 0
    stylesheet.parse()
    assert cache.save()
    assert ParsedCss(sheet(), env).load() == 1


def test_a_cache_that_cannot_be_written_costs_nothing_else(tmp_path: Path) -> None:
    """(Its directory is a file here: as unwritable as a read-only home, for root too.)"""
    (tmp_path / "cursor-builder").write_text("in the way")
    stylesheet = sheet()
    stylesheet.parse()
    assert not ParsedCss(stylesheet, {"XDG_CACHE_HOME": str(tmp_path)}).save()


async def test_an_app_started_from_the_file_draws_what_a_parsing_start_draws(
        demo_app: Callable[..., BuilderApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    async def screen(app: BuilderApp) -> str:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            return app.export_screenshot()

    first = demo_app()
    assert first.parsed_css.load() == 0
    drawn = await screen(first)
    path = cache_file(first.stylesheet._variables)
    assert path.is_file()

    calls = parsed_count(monkeypatch)
    second = demo_app()
    assert second.parsed_css.loaded  # read at construction
    painted: list[int] = []
    display = second._display

    def spy(*args: Any) -> None:
        painted.append(len(calls))
        display(*args)

    second._display = spy  # type: ignore[method-assign]
    assert await screen(second) == drawn
    assert painted and painted[0] == 0  # nothing parsed before the first frame
    assert path.stat().st_size > 0
