"""The footer (widgets/footer.py): the keys Textual's Footer would show, composed again only when
they change (#13: Textual's composed them five times after start and at every focus change)."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from textual.widgets._footer import FooterKey

from builder.tui.app import BuilderApp
from widgets.footer import BuilderFooter
from widgets.mapping_table import MappingTable
from widgets.resource_list import ResourceList

from .conftest import SIZE, settle

pytestmark = pytest.mark.anyio


def shown(app: BuilderApp) -> list[tuple[str, str]]:
    return [(key.key, key.description) for key in app.screen.query(FooterKey)]


def expected(app: BuilderApp) -> list[tuple[str, str]]:
    """What the screen's bindings say the footer shows: each shown action once, then the palette."""
    keys: dict[str, tuple[str, str]] = {}
    for _, binding, _, _ in app.screen.active_bindings.values():
        if binding.show:
            keys.setdefault(binding.action, (binding.key, binding.description))
    palette = app.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
    return list(keys.values()) + ([(palette[1].key, palette[1].description)] if palette else [])


def count_recomposes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    recompose = BuilderFooter.recompose

    async def counted(self: BuilderFooter) -> None:
        calls[0] += 1
        await recompose(self)

    monkeypatch.setattr(BuilderFooter, "recompose", counted)
    return calls


async def test_the_footer_composes_its_keys_once_at_start(demo_app: Callable[..., BuilderApp],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_recomposes(monkeypatch)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert calls == [1]
        assert shown(app) == expected(app) and ("ctrl+q", "Quit") in shown(app)


async def test_a_focus_change_recomposes_only_when_the_keys_change(demo_app: Callable[..., BuilderApp],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_recomposes(monkeypatch)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = calls[0]
        resources = app.query_one(ResourceList)
        assert resources.has_focus
        resources.blur()
        await settle(pilot)
        resources.focus()  # away and back: the same keys at the end of each frame at most
        await settle(pilot)
        assert shown(app) == expected(app)
        after_same = calls[0]
        table = app.query_one(MappingTable)
        table.focus_field(table.rows()[0].path)  # the mapping's keys differ from the resource list's
        await settle(pilot)
        assert calls[0] > after_same
        assert shown(app) == expected(app) and ("a", "Add") not in shown(app)
        assert after_same - before <= 2  # blur and focus: at most one each, none when a frame holds both


async def test_the_keys_take_the_footers_compact_setting_before_they_mount(
        demo_app: Callable[..., BuilderApp]) -> None:
    """Each key was made compact, then bound to the footer's setting (not compact): two restyles per
    key as it mounted. The command palette's key is not bound to it and stays compact, as Textual draws it."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = app.query_one(BuilderFooter)
        keys: list[Any] = list(app.screen.query(FooterKey))
        assert keys and not footer.compact
        for key in keys:
            palette = key.has_class("-command-palette")
            assert key.compact is palette and key.has_class("-compact") is palette
