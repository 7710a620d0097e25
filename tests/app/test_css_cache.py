"""Textual's CSS work kept between starts (builder.tui.css_cache, #13): the parsed rule sets and the
rules each widget matched. A start from the file styles every node and draws exactly what a start
from nothing does; a remembered outcome is used only when every question its matching asked gets
the same answer; a file that does not fit is never used.

(tests/conftest.py turns ``RememberingStylesheet.check`` on for the whole session: every outcome
used anywhere in the suite is computed again and compared.)"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Callable

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.widgets import Button, Input

import builder.tui.css_cache as css_cache
from builder.tui.app import BuilderApp
from builder.tui.css_cache import CssCache, RememberingStylesheet, cache_file

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
    cache = CssCache(first, env)
    assert not cache.load()
    expected = [rule.css for rule in first.rules]
    assert cache.save() and cache_file(VARIABLES, env).is_file()
    assert not cache.save()  # nothing parsed anew: not written again

    calls = parsed_count(monkeypatch)
    second = sheet()
    assert CssCache(second, env).load()
    assert [rule.css for rule in second.rules] == expected
    assert calls == []  # from the file, not parsed


def test_another_theme_reads_another_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    first = sheet()
    first.parse()
    CssCache(first, env).save()
    other = {"primary": "#0000ff", "surface": "#00ff00"}
    assert cache_file(other, env) != cache_file(VARIABLES, env)
    calls = parsed_count(monkeypatch)
    second = sheet(other)
    assert not CssCache(second, env).load()
    assert "#0000FF" in second.rules[0].css  # its own colours: parsed with its variables
    assert calls == [CSS[0]]


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05K\x01.", b"\x80\x05\x95\x00", b"\x80\x05}\x94."],
                         ids=["empty", "text", "not-a-dict", "truncated", "no-rules"])
def test_a_damaged_file_is_ignored_and_written_anew(tmp_path: Path, content: bytes) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    path = cache_file(VARIABLES, env)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    stylesheet = sheet()
    cache = CssCache(stylesheet, env)
    assert not cache.load()
    stylesheet.parse()
    assert cache.save()
    assert CssCache(sheet(), env).load()


def test_rule_sets_are_unpickled_at_the_first_parse_and_written_back_as_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A remembering stylesheet gets the file's styles at once and its rule sets only when it parses;
    a save that learned something but parsed nothing writes the rule sets back untouched."""
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    first = RememberingStylesheet(variables=VARIABLES)
    first.add_source(CSS[0], read_from=CSS[1], is_default_css=True, tie_breaker=2)
    first.parse()
    first.memo[("g", ())] = [((), None, (False,) * 4)]
    first.used.add(("g", ()))
    first.learned = 1
    assert CssCache(first, env).save()

    second = RememberingStylesheet(variables=VARIABLES)
    second.add_source(CSS[0], read_from=CSS[1], is_default_css=True, tie_breaker=2)
    cache = CssCache(second, env)
    assert cache.load() and ("g", ()) in second.memo
    assert not second._parse_cache.keys() and cache._rules is not None  # not yet
    second.used.add(("g", ()))
    second.learned = 1
    assert cache.save()  # learned something, parsed nothing
    plain = sheet()  # reads the rule sets at once: they were written back whole
    assert CssCache(plain, env).load() and len(plain._parse_cache.keys()) == 1 and cache._rules is not None

    calls = parsed_count(monkeypatch)
    assert [rule.css for rule in second.rules] == [rule.css for rule in first.rules]
    assert cache._rules is None and cache.loaded and calls == []  # unpickled at the first parse


def test_a_cache_that_cannot_be_written_costs_nothing_else(tmp_path: Path) -> None:
    """(Its directory is a file here: as unwritable as a read-only home, for root too.)"""
    (tmp_path / "cursor-builder").write_text("in the way")
    stylesheet = sheet()
    stylesheet.parse()
    assert not CssCache(stylesheet, {"XDG_CACHE_HOME": str(tmp_path)}).save()


def styles_of(app: App[Any]) -> list[tuple[str, Any, dict[str, Any]]]:
    """Every node's own rules and its component classes' rules, in DOM order (as text: a layout
    compares by identity, and the two apps' come from two parses)."""
    def text(rules: Any) -> dict[str, str]:
        return {name: repr(value) for name, value in rules.items()}

    return [(repr(node), text(node.styles.base._rules),
             {name: text(styles.base._rules) for name, styles in sorted(node._component_styles.items())})
            for node in app.screen.walk_children(with_self=True)]


async def screen(app: BuilderApp) -> tuple[str, list[Any]]:
    """What the app draws once settled, and how each node is styled."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        return app.export_screenshot(), styles_of(app)


async def test_an_app_started_from_the_file_styles_and_draws_what_a_start_from_nothing_does(
        demo_app: Callable[..., BuilderApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    first = demo_app()
    assert not first.css_cache.load()
    drawn, styled = await screen(first)
    assert isinstance(first.stylesheet, RememberingStylesheet) and first.stylesheet.learned > 100
    path = cache_file(first.stylesheet._variables)
    assert path.is_file()

    monkeypatch.setattr(RememberingStylesheet, "check", False)  # what a user's start does
    calls = parsed_count(monkeypatch)
    second = demo_app()
    assert isinstance(second.stylesheet, RememberingStylesheet)
    assert second.css_cache._rules is not None and second.stylesheet.memo  # read at construction
    painted: list[tuple[int, int, bool]] = []
    display = second._display

    def spy(*args: Any) -> None:
        painted.append((len(calls), second.stylesheet.learned, second.css_cache._rules is not None))
        display(*args)

    second._display = spy  # type: ignore[method-assign]
    assert await screen(second) == (drawn, styled)
    # Before the first frame nothing was parsed, nothing matched: the file's rule sets still pickled.
    assert painted and painted[0] == (0, 0, True)
    assert path.stat().st_size > 0


class Small(App[None]):
    """Rules that ask about focus, focus within, disabled, order and ids, on nested paths."""

    CSS = """
    Button { width: 12; }
    Button:focus { background: red; }
    Vertical > Button:first-child { color: green; }
    Vertical:focus-within Button { text-style: bold; }
    .warn:disabled { color: yellow; }
    #b2 { height: 5; }
    #b2:focus { height: 6; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.stylesheet = RememberingStylesheet(variables=self.stylesheet._variables)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Button("one", id="b1")
            yield Button("two", id="b2", classes="warn")
        yield Input(id="outside")


async def test_an_outcome_is_used_only_when_its_questions_get_the_same_answers() -> None:
    """Focus, disabled and order change which rules apply: each state is matched once, then
    remembered; the session's check computes every remembered outcome again."""
    app = Small()
    async with app.run_test() as pilot:
        memo = app.stylesheet
        assert isinstance(memo, RememberingStylesheet)
        one, two = app.query_one("#b1", Button), app.query_one("#b2", Button)

        async def visit() -> list[Any]:
            states = []
            for step in (lambda: one.focus(), lambda: two.focus(), lambda: app.query_one("#outside").focus(),
                         lambda: setattr(two, "disabled", True), lambda: setattr(two, "disabled", False)):
                step()
                await pilot.pause()
                states.append((one.styles.background, one.styles.text_style, two.styles.height, two.styles.color))
            return states

        first = await visit()
        learned = memo.learned
        assert await visit() == first  # the same states again: the same styles...
        assert memo.learned == learned  # ...all from the memo
        assert first[1][2].cells == 6 and first[0][2].cells == 5  # #b2:focus applied, then not
        assert str(first[3][3]) != str(first[4][3])  # .warn:disabled applied, then not

        await app.query_one(Vertical).mount(Button("zero", id="b0"), before=one)
        await pilot.pause()
        assert one.styles.color != app.query_one("#b0", Button).styles.color  # :first-child moved


async def test_the_check_fails_on_a_remembered_outcome_that_differs() -> None:
    app = Small()
    async with app.run_test() as pilot:
        memo = app.stylesheet
        assert isinstance(memo, RememberingStylesheet) and memo.check
        button = app.query_one("#b1", Button)
        memo.apply(button)  # an outcome for the button as it is now
        key = next(key for key in memo.memo if key[1][-1][1] == "b1" and key[0] == memo.generation())
        for _, rules, _ in memo.memo[key]:
            assert rules is not None
            rules.pop("width")  # a wrong outcome: Textual's would keep Button's width
        with pytest.raises(AssertionError, match="remembered styles"):
            memo.apply(button)
        await pilot.pause()


async def test_matching_that_asks_more_than_the_witnesses_know_turns_the_memo_off(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """(Another Textual 8 release: the app styles as Textual does, without the memo.)"""

    class Forgetful(css_cache._Witness):
        __slots__ = ()

        def __init__(self, node: DOMNode, index: int, questions: list[Any]) -> None:
            super().__init__(node, index, questions)
            del self.id  # matching an #id selector now asks what the witness does not have

    monkeypatch.setattr(css_cache, "_Witness", Forgetful)
    app = Small()
    async with app.run_test() as pilot:
        memo = app.stylesheet
        assert isinstance(memo, RememberingStylesheet) and not memo.enabled
        assert app.query_one("#b2", Button).styles.height.cells == 5
        app.query_one("#b2").focus()
        await pilot.pause()
        assert app.query_one("#b2", Button).styles.height.cells == 6


def test_the_file_keeps_what_the_app_used_and_what_it_held_while_they_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outcomes the file held (another start's: with a saved project, another size) are kept with
    this app's; past css_cache.KEPT only this app's. An outcome neither used nor read is never
    written; a node's (types, id, classes) is one object however many paths it is on, so the pickle
    writes it once. Read with the file: this app's paths and the file's eager ones while they fit in
    css_cache.EAGER; the rest are the file's second pickle."""
    memo = RememberingStylesheet(variables=VARIABLES)
    outcome: Any = [((), None, (False,) * 4)]
    step = (frozenset({"App"}), None, frozenset())
    used = {("g", (step, ("x",))), ("g", ((frozenset({"App"}), None, frozenset()), ("y",)))}
    held, other = ("g", (step, ("held",))), ("g", (step, ("other",)))
    memo.read_from_file({held: outcome}, pickle.dumps({other: outcome}))
    memo.memo.update({key: outcome for key in used} | {("g", (step, ("neither",))): outcome})
    memo.used = set(used)
    eager, more = memo.remembered()
    assert set(eager) == used | {held}
    assert more is memo.more, "the other outcomes were never read: written back as the file held them"
    assert len({id(steps[0]) for _, steps in eager}) == 1

    monkeypatch.setattr(css_cache, "EAGER", 2)  # the file's eager path no longer fits: it joins the others
    eager, more = memo.remembered()
    assert set(eager) == used and more is not None and set(pickle.loads(more)) == {held, other}
    assert memo.more is None  # read to be written anew

    monkeypatch.setattr(css_cache, "KEPT", 2)
    eager, more = memo.remembered()
    assert set(eager) == used and more is None


def test_the_other_outcomes_are_read_the_first_time_a_path_is_not_among_the_eager_ones() -> None:
    memo = RememberingStylesheet(variables=VARIABLES)
    outcome: Any = [((), None, (False,) * 4)]
    step = (frozenset({"App"}), None, frozenset())
    eager, other = ("g", (step, ("eager",))), ("g", (step, ("other",)))
    memo.read_from_file({eager: outcome}, pickle.dumps({other: outcome, eager: "never replaces the eager one"}))
    assert set(memo.memo) == {eager} and memo.more is not None
    memo.read_more()
    assert memo.memo == {eager: outcome, other: outcome} and memo.more is None
    damaged = RememberingStylesheet(variables=VARIABLES)
    damaged.read_from_file({eager: outcome}, b"damaged")
    damaged.read_more()
    assert damaged.memo == {eager: outcome} and damaged.more is None


async def test_a_start_whose_paths_are_among_the_others_styles_the_same_and_reads_them_eagerly_next_time(
        demo_app: Callable[..., BuilderApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    first = demo_app()
    first.css_cache.load()
    expected = await screen(first)
    path = cache_file(first.stylesheet._variables)
    data = pickle.loads(path.read_bytes())
    assert data["styles"] and data["more"] is None
    # As a file written by another kind of start: none of this start's paths read eagerly.
    data["more"], data["styles"] = pickle.dumps(data["styles"]), {}
    path.write_bytes(pickle.dumps(data))

    monkeypatch.setattr(RememberingStylesheet, "check", False)  # what a user's start does
    read_more = RememberingStylesheet.read_more
    reads: list[tuple[int, bool]] = []  # (frames painted, held other outcomes) at each read

    def counted(self: RememberingStylesheet) -> None:
        reads.append((len(painted), self.more is not None))
        read_more(self)

    monkeypatch.setattr(RememberingStylesheet, "read_more", counted)
    painted: list[int] = []

    def started(app: BuilderApp) -> BuilderApp:
        display = app._display

        def spy(*args: Any) -> None:
            painted.append(app.stylesheet.learned)
            display(*args)

        app._display = spy  # type: ignore[method-assign]
        return app

    second = started(demo_app())
    assert second.css_cache.load() and not second.stylesheet.memo and second.stylesheet.more is not None
    assert await screen(second) == expected
    assert reads[0] == (0, True) and painted[0] == 0, "read once, before the first frame; nothing matched"
    second.css_cache.save()  # as at START_SETTLED
    rewritten = pickle.loads(path.read_bytes())
    assert set(rewritten["styles"]) == second.stylesheet.used

    reads.clear()
    painted.clear()
    third = started(demo_app())
    assert third.css_cache.load() and third.stylesheet.memo
    assert await screen(third) == expected
    assert painted[0] == 0 and all(frame > 0 for frame, _ in reads), "its start's paths all read with the file"


async def test_the_app_writes_the_compiled_methods_after_its_first_frame(
        demo_app: Callable[..., BuilderApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the command's method cache installed (builder.start), the classes the start defined are in
    the file once the first frame is on screen, as its CSS work is."""
    from builder.project import method_cache

    cache = method_cache.MethodCache(tmp_path / "methods.marshal")
    cache.code("class Learned: pass", "exec")  # as if a class was defined during the start
    monkeypatch.setattr(method_cache, "installed", cache)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        kept = method_cache.MethodCache(cache.path)
        assert kept.load() and ("exec", "class Learned: pass") in kept.codes
        assert cache.learned == 0
