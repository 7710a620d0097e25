"""Opening a project must not rewrite its connection: the panel's own widgets echo the values
load() puts in them, and an echo is not a user's choice."""

from __future__ import annotations

import pytest

from builder.tui.app import make_app
from builder.project.presets import load_preset


@pytest.mark.anyio
async def test_opening_an_api_key_project_keeps_its_auth():
    project = load_preset()
    config = project.config
    config.update({"authType": "api_key", "apiKeyHeader": "Authorization", "apiKey": "${CURSOR_BASIC}"})
    config.pop("username", None)
    config.pop("password", None)
    before = dict(config)
    app = make_app(project, env={}, test_mode=True)
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.pause()
        await pilot.pause(0.3)
        assert dict(app.session.project.config) == before
        assert app.session.dirty is False
        # a real choice still goes through
        from textual.widgets import Select

        app.query_one("#auth-type", Select).value = "bearer_token"
        await pilot.pause()
        await pilot.pause(0.1)
        assert app.session.project.config["authType"] == "bearer_token"
        assert app.session.project.config["apiToken"] == "${CURSOR_BASIC}"
        assert app.session.dirty is True
