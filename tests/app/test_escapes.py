"""Issue #11 row 13 (TUI): control characters in other people's data are shown escaped, never obeyed.

A members answer whose names hold ESC sequences (clear screen, window title, colour) and a C1 CSI,
served in-process (ASGI) to the real app; the resource list, the entity table, the JSON viewers and
the rendered screen show ``\\x1b`` as text and never the character itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from builder.net.asgi import Response, dispatch
from builder.net.retry import RetryPolicy
from builder.source.client import Source
from builder.tui.app import make_app
from widgets.entity_table import EntityTable
from widgets.json_viewer import JsonLines, JsonViewer
from widgets.resource_list import ResourceList

from .conftest import SIZE, fixture_project, settle
from .test_bad_input import send

pytestmark = pytest.mark.anyio

HOSTILE = {"teamMembers": [
    {"email": "ann\x1b[2J@example.com", "name": "Ann \x1b]0;pwned\x07 \x1b[31mred", "role": "owner\x9b31m",
     "isRemoved": False},
    {"email": "bob@example.com", "name": "Bob", "role": "member", "isRemoved": False},
]}
RAW = ("\x1b", "\x07", "\x9b")


async def _members(scope: dict[str, Any], receive: Any, send: Any) -> None:
    async def answer(request: Any) -> Response:
        return Response(200, json.dumps(HOSTILE, ensure_ascii=False).encode(), {"content-type": "application/json"})

    await dispatch(scope, receive, send, answer)


def _clean(text: str) -> bool:
    return not any(char in text for char in RAW)


async def test_escape_sequences_in_titles_are_shown_not_obeyed(tmp_path: Path) -> None:
    env = {"CURSOR_API_KEY": "k" * 20}

    def source(project):
        return Source(project, transport=httpx.ASGITransport(app=_members), env=env, retry=RetryPolicy(attempts=1))

    project = fixture_project(tmp_path)
    project.resources[0].extensions.name = "members\x1b[5m"  # a project's own names are data too
    app = make_app(project, source=source, env=env, test_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "members\x1b[5m")
        assert app.session.run.error is None and app.session.result.kept == 2

        prompt = str(app.query_one(ResourceList).get_option_at_index(0).prompt)
        assert _clean(prompt) and "members\\x1b[5m" in prompt

        await app.run_action("sort_entities")  # opens the entity table
        await settle(pilot)
        table = app.query_one(EntityTable)
        cells = [str(value) for i in range(table.row_count) for value in table.get_row_at(i)]
        assert all(_clean(value) for value in cells), cells
        assert any("\\x1b]0;pwned\\x07" in value for value in cells)

        response = app.query_one("#response-json", JsonViewer).query_one(JsonLines)
        texts = [line.text() for line in response.json_lines]
        assert all(_clean(text) for text in texts)
        assert any("\\u001b]0;pwned\\u0007" in text for text in texts)  # JSON's own escapes for C0
        assert any("owner\\x9b31m" in text for text in texts)  # and printable's for C1

        screen = app.export_screenshot()
        raw = [screen[max(0, i - 200):i + 40] for i, c in enumerate(screen) if c in RAW]
        assert not raw, raw[:3]
