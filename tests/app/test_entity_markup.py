"""Issue #11 (TUI): the entity table shows data as written. DataTable reads a str cell as Rich
markup, so a title ``[bold]x[/]`` would show as a bold "x" and ``[link=…]`` would make the cell a
link; the table's cells are rich ``Text`` instead. Served in-process (ASGI) to the real app.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.text import Text
from textual.widgets._data_table import default_cell_formatter

from builder.net.asgi import Response, dispatch
from builder.net.retry import RetryPolicy
from builder.source.client import Source
from builder.tui.app import make_app
from widgets.entity_table import EntityTable

from .conftest import SIZE, fixture_project, settle
from .test_bad_input import send

pytestmark = pytest.mark.anyio

MARKUP = ["[bold]x[/]", "[link=https://evil.example]click me[/link]", "[red on white]owner[/]", "[/]", "a [b"]
ANSWER = {"teamMembers": [
    {"email": f"user{i}@example.com", "name": text, "role": MARKUP[(i + 2) % len(MARKUP)], "isRemoved": False}
    for i, text in enumerate(MARKUP)
]}


def as_written(text: str, shown: str) -> bool:
    return shown == text or (shown.endswith("…") and text.startswith(shown[:-1]) and len(shown) > 8)


async def _members(scope: dict[str, Any], receive: Any, send: Any) -> None:
    async def answer(request: Any) -> Response:
        return Response(200, json.dumps(ANSWER).encode(), {"content-type": "application/json"})

    await dispatch(scope, receive, send, answer)


async def test_markup_in_data_is_shown_literally_in_the_entity_table(tmp_path: Path) -> None:
    env = {"CURSOR_API_KEY": "k" * 20}

    def source(project):
        return Source(project, transport=httpx.ASGITransport(app=_members), env=env, retry=RetryPolicy(attempts=1))

    app = make_app(fixture_project(tmp_path), source=source, env=env, test_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "members")
        assert app.session.run.error is None and app.session.result.kept == len(MARKUP)
        await app.run_action("sort_entities")  # opens the entity table
        await settle(pilot)
        table = app.query_one(EntityTable)
        labels = [str(column.label) for column in table.ordered_columns]
        title, role = labels.index("title"), labels.index("role")
        shown_titles, shown_roles = [], []
        for i in range(table.row_count):
            row = table.get_row_at(i)
            for column, into in ((title, shown_titles), (role, shown_roles)):
                # What the DataTable draws for the cell: the same text, no style, no link.
                drawn = default_cell_formatter(row[column])
                assert isinstance(drawn, Text)
                assert not drawn.spans and not drawn.style, (row[column], drawn.spans, drawn.style)
                into.append(drawn.plain)
        for shown in (shown_titles, shown_roles):
            # Each value as written (a long one abridged with "…" at the column's width).
            assert len(shown) == len(MARKUP) and all(any(as_written(text, value) for text in MARKUP)
                                                     for value in shown), shown
        assert "[bold]x[/]" in shown_titles and "[/]" in shown_titles and "a [b" in shown_titles
        screen = app.export_screenshot()
        assert "evil.example" not in screen.replace("[link=https://evil.example]", ""), "a cell became a link"
