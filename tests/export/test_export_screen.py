"""The Export tab, driven by keys through Pilot: the text is the CLI's, copy and write work, the lint
follows the fetched results."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import DataTable, TabbedContent, TextArea

from builder.cli.lint import render_text
from builder.ship.export import FORMATS, export_all
from builder.ship.lint import lint_project
from builder.tui.screens.export import ExportPane
from export_helpers import SIZE, demo_app, open_tab, settle


def test_export_tab_shows_the_cli_text_and_copies_it(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            pane = await open_tab(pilot, "export", ExportPane)
            expected = export_all(app.session.project, env={})
            for fmt, name in FORMATS.items():
                assert pane.query_one(f"#text-{fmt}", TextArea).text == expected[name]
            table = pane.query_one("#lint-table", DataTable)
            codes = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
            findings = lint_project(app.session.project, now=app.now)
            assert codes == [f.code for f in findings]
            assert "computed-body" in codes and "per-resource-pagination" in codes
            errors = sum(1 for f in findings if f.severity == "error")
            assert f"lint: {errors} error(s)" in str(pane.query_one("#export-summary").render())

            pane.query_one("#export-tabs", TabbedContent).active = "export-helm"
            helm_text = pane.query_one("#text-helm", TextArea)
            for _ in range(20):  # the pane moves the focus to the shown export after a refresh
                await pilot.pause()
                if app.focused is helm_text:
                    break
            assert app.focused is helm_text
            await pilot.press("c")
            await pilot.pause()
            assert app.clipboard == expected["helm-install.sh"]
            assert '"$CURSOR_API_KEY"' in app.clipboard  # a reference, never the value

    asyncio.run(scenario())


def test_lint_detail_follows_the_highlighted_finding(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            pane = await open_tab(pilot, "export", ExportPane)
            await pilot.press("down")
            await pilot.pause()
            detail = str(pane.query_one("#lint-detail").render())
            second = pane.findings[1]
            assert second.consequence[:40] in detail.replace("\n", " ")
            await pilot.press("c")  # on the Lint tab: the findings as `cursor-builder lint` prints them
            await pilot.pause()
            assert app.clipboard == render_text(pane.findings)
            assert "consequence:" in app.clipboard

    asyncio.run(scenario())


def test_write_files_asks_for_a_directory_and_writes_every_export(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await open_tab(pilot, "export", ExportPane)
            await pilot.press("w")
            await pilot.pause()
            target = tmp_path / "out"
            await pilot.press("ctrl+u", *str(target), "enter")
            await pilot.pause()
            expected = export_all(app.session.project, env={})
            assert sorted(p.name for p in target.iterdir()) == sorted(expected)
            for name, text in expected.items():
                assert (target / name).read_text() == text

    asyncio.run(scenario())


def test_lint_sees_the_fetched_results(tmp_path: Path) -> None:
    """After a send, the lint knows the records: the members resource maps cleanly, and the
    Basic-with-empty-password setup the simulator accepts is what Ocean would send no auth for."""

    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert app.session.results["members"].entities
            pane = await open_tab(pilot, "export", ExportPane)
            codes = [(f.resource, f.code) for f in pane.findings]
            assert (None, "basic-empty-password") in codes
            assert not [c for c in codes if c[0] == "members"]

    asyncio.run(scenario())


def test_plan_tab_shows_installations_and_what_each_ingests(tmp_path: Path) -> None:
    """The Plan tab lists every resource under its installation, and once the plan has run on the
    simulator, what the deployed integration ingests against the preview."""
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            pane = await open_tab(pilot, "export", ExportPane)
            await app.workers.wait_for_complete()  # the proof worker
            await pilot.pause()
            table = pane.query_one("#plan-table", DataTable)
            rows = {str(table.get_row_at(i)[1]): [str(c) for c in table.get_row_at(i)] for i in range(table.row_count)}
            assert set(rows) == set(app.session.project.resource_names())
            assert [row[0] for row in rows.values()] == [pane.plan.installations[0].identifier] * len(rows)
            members = rows["members"]
            ingested, preview = members[3].split(" of ")
            assert members[4] == "ok" and ingested == preview and int(preview) > 0
            # Pagination in a POST body: an error naming why, and the native kind that covers the data.
            assert rows["usage-events"][4].startswith("ERROR: pagination inside the POST body")
            assert rows["usage-events"][5] == "cursor-usage-event"

    asyncio.run(scenario())


def test_plan_table_fits_140_columns_and_the_note_gives_the_highlighted_row_in_full(tmp_path: Path) -> None:
    """Every plan column is in sight at 140 columns (installation, resource and counts whole; a
    longer cell is drawn cut, its value whole), and the note below says the highlighted row in full."""
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            pane = await open_tab(pilot, "export", ExportPane)
            await app.workers.wait_for_complete()  # the proof worker
            pane.query_one("#export-tabs", TabbedContent).active = "export-plan"
            await settle(pilot)
            table = pane.query_one("#plan-table", DataTable)
            columns = list(table.columns.values())
            drawn = sum(column.get_render_width(table) for column in columns)
            assert drawn <= table.scrollable_content_region.width, (drawn, table.scrollable_content_region)
            rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
            for index in (0, 1, 3):  # installation, resource, ingested / preview: whole
                assert columns[index].width >= max(len(row[index]) for row in rows), columns[index].label
            events = next(i for i, row in enumerate(rows) if row[1] == "usage-events")
            entry = pane.plan.resource("usage-events")
            assert len(rows[events][4]) > columns[4].width  # the verdict is held whole, drawn cut
            table.focus()
            table.move_cursor(row=events)
            await pilot.pause()
            note = str(pane.query_one("#plan-note").render())
            assert rows[events][4] in note and entry.closest in note and entry.alternative in note
            assert "Port's native kind cursor-usage-event" in note

    asyncio.run(scenario())
