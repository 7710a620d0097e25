"""The Dashboard tab: the project's dashboard (Cursor AI Insights) drawn from the entities, with
Port's semantics (builder.see.widgets), before anything is deployed.

The entities come from the **preview** (each resource a widget reads, fetched from the simulator or
the API and mapped exactly as Ocean would) or from the **local catalog** after a sync. Calculation
properties are computed on read, as Port does. The same values as ``cursor-builder dashboard``.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Static

from builder.see.entities import catalog_entities, page_blueprints, preview_entities
from builder.see.options import DEFAULT_OPTIONS, OptionsError, SeeOptions
from builder.see.widgets import WidgetValue, compute_page
from widgets.help_data import HelpData
from widgets.line_chart import LineChart
from widgets.number_chart import NumberChart
from widgets.pie_chart import PieChart

if TYPE_CHECKING:
    from builder.project.model import Project
    from builder.source.client import Source
    from builder.tui.screens.registry import TabHost
    from builder.tui.state.session import Session

CELL = 18  # characters per table cell: the calculated columns stay in view at 140 columns

HELP_TEXT = """The project's **dashboard** (`dashboards:` in the project file, Port page JSON), drawn from the
entities the way Port computes it: **number** = count / sum / average over every entity of the blueprint
(no time filter); **line** = one point per ISO week (Monday) of `measureTimeBy`, over the past 30 days;
**pie** = entities per value, the 14 largest slices and **Other**; **table** = the shown columns, where
**ƒ** marks a calculation property (computed when read, like Port: first jq output, an error gives null).

Where Port does not say what it does, this tab chooses, in one setting (also `cursor-builder dashboard
--tz --range --nulls`): buckets in **UTC**; the past 30 days are **rolling** (now − 720 h; `g` switches to
whole days); **null** values are **skipped** by sum / average / min / max / median and left out of pies
(`n` counts them as 0 and as a "No value" slice); a week with no value is a gap, not a zero.

Keys: `s` switch between the preview and the local catalog (after a sync), `r` reload, `n` nulls, `g` range,
`z` time zone."""


class DashboardPane(Vertical):
    """One dashboard page, widget by widget, in the page's own layout."""

    HELP = HelpData("Dashboard", HELP_TEXT)

    BINDINGS = [
        Binding("r", "reload", "Reload", id="dashboard.reload", tooltip="Fetch the entities again and redraw"),
        Binding("s", "switch_source", "Preview/catalog", id="dashboard.source",
                tooltip="Draw from the preview (fetched now) or from the local catalog (after a sync)"),
        Binding("n", "toggle_nulls", "Nulls", id="dashboard.nulls",
                tooltip="Skip null values in aggregations (Port's likely behaviour) or count them as 0"),
        Binding("g", "toggle_range", "Range", id="dashboard.range",
                tooltip="The past 30 days: rolling (now − 720 h) or from 00:00 of the first day"),
        Binding("z", "time_zone", "Time zone", id="dashboard.tz",
                tooltip="The time zone of line-chart buckets (default UTC)"),
    ]

    DEFAULT_CSS = """
    DashboardPane { height: 1fr; }
    DashboardPane #dash-summary { height: 1; padding: 0 1; color: $text-muted; }
    DashboardPane .dash-row { height: 2fr; }
    DashboardPane .dash-row.-numbers { height: 5; }
    DashboardPane.-short .dash-row.-numbers { height: 3; }
    DashboardPane .dash-row.-table { height: 1fr; min-height: 6; }
    DashboardPane #dash-table { height: 1fr; border: round $foreground 30%; }
    DashboardPane:focus-within #dash-table { border: round $accent; }
    """

    can_focus = True

    def __init__(self, session: Session, *, make_source: Callable[[Project], Source],
                 catalog_path: Callable[[], Path | None], now: float | None = None,
                 id: str | None = "dashboard-pane") -> None:
        super().__init__(id=id)
        self.session = session
        self._make_source = make_source
        self._sync_db_path = catalog_path  # the Sync tab's catalog once it is open (tests move it)
        self.now = now  # the instant "today" is in the charts; fixed in tests
        self.options: SeeOptions = DEFAULT_OPTIONS
        self.source = "preview"  # preview | catalog
        self.entities: dict[str, list[dict[str, Any]]] = {}
        self.values: list[WidgetValue] = []
        self.problems: list[str] = []
        self.loaded = False
        self._built_for: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="dash-summary")
        yield Vertical(id="dash-body")

    def on_resize(self, event: Any) -> None:
        # A short terminal gives the number row's padding to the charts.
        self.set_class(event.size.height < 32, "-short")

    def on_mount(self) -> None:
        self._layout()
        self.action_reload()
        self.call_after_refresh(self.focus)  # its keys (s, r, n, g) work at once

    def on_tab_shown(self) -> None:
        if not self.is_mounted:
            return
        if not self.loaded:
            self.action_reload()
        self.focus()

    # -- the page ---------------------------------------------------------------------------------
    @property
    def page(self) -> dict[str, Any] | None:
        pages = self.session.project.dashboards
        return pages[0] if pages else None

    def _layout(self) -> None:
        """One row per layout row, one widget per column, widths in twelfths as in Port."""
        body = self.query_one("#dash-body", Vertical)
        page = self.page
        key = repr(page.get("widgets")) if page else ""
        if key == self._built_for:
            return
        self._built_for = key
        body.remove_children()
        if page is None:
            body.mount(Static("This project has no dashboards: section. The Cursor preset ships Cursor AI Insights "
                              "(cursor-builder init).", classes="dash-empty"))
            return
        wrapper = (page.get("widgets") or [{}])[0]
        by_id = {w.get("id"): w for w in wrapper.get("widgets") or [] if isinstance(w, dict)}
        for row in wrapper.get("layout") or []:
            kinds = [by_id.get(c.get("id"), {}).get("type") for c in row.get("columns") or []]
            classes = "dash-row" + (" -numbers" if kinds and all(k == "entities-number-chart" for k in kinds) else "")
            classes += " -table" if "table-entities-explorer" in kinds else ""
            children = [self._widget_for(by_id.get(c.get("id")) or {}, int(c.get("size") or 12))
                        for c in row.get("columns") or []]
            body.mount(Horizontal(*children, classes=classes))

    def _widget_for(self, widget: dict[str, Any], size: int) -> Widget:
        kind = widget.get("type")
        wid = f"w-{widget.get('id')}"
        found: Widget
        if kind == "entities-number-chart":
            found = NumberChart("…", id=wid)
        elif kind in ("line-chart", "multi-line-chart"):
            found = LineChart(id=wid)
        elif kind == "entities-pie-chart":
            found = PieChart(id=wid)
        elif kind == "table-entities-explorer":
            found = DataTable(id="dash-table", cursor_type="row", zebra_stripes=True)
        else:
            found = Static(f"{widget.get('title')}: {kind} is not drawn here", id=wid)
        found.styles.width = f"{size}fr"
        return found

    # -- loading ------------------------------------------------------------------------------------
    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.now if self.now is not None else time.time(), timezone.utc)

    def _catalog_path(self) -> Path:
        from builder.port.catalog import default_db_path

        return Path(self._sync_db_path() or default_db_path())

    def action_reload(self) -> None:
        self.query_one("#dash-summary", Static).update(f"Loading the entities from the {self.source}…")
        self.load()

    @work(exclusive=True, group="dashboard", description="load the dashboard")
    async def load(self) -> None:
        project = self.session.project
        page = self.page
        if page is None:
            self.loaded = True
            return
        wanted = page_blueprints([page])
        problems: list[str] = []
        if self.source == "catalog":
            path = self._catalog_path()
            if not path.exists():
                entities: dict[str, list[dict[str, Any]]] = {}
                problems.append(f"no local catalog at {path}: sync first (ctrl+y), or press s for the preview")
            else:
                from builder.port.catalog import CatalogStore

                entities = catalog_entities(project, CatalogStore(str(path)), wanted)
        else:
            source = self._make_source(project)
            try:
                entities, problems = await preview_entities(project, source, wanted)
            except Exception as exc:  # a dead network or a bad answer is a line on the tab, never a crash
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                entities, problems = {}, [f"could not fetch the entities: {first}"]
            finally:
                await source.aclose()
        self.entities, self.problems, self.loaded = entities, problems, True
        self.redraw()

    def redraw(self) -> None:
        page = self.page
        if page is None:
            return
        self._layout()
        project = self.session.project
        blueprints = {bp["identifier"]: bp for bp in project.blueprints}
        self.values = compute_page(page, self.entities, now=self._now(), blueprints=blueprints, options=self.options)
        for value in self.values:
            self._show(value)
        total = sum(len(v) for v in self.entities.values())
        where = "preview (mapped as Ocean would)" if self.source == "preview" else "local catalog"
        # The keys (s, n, g, z, F1) are in the footer: the line keeps to what is drawn, in one row.
        text = f"{page.get('title')} · {total} entities from the {where} · {self.options.describe()}"
        if self.problems:
            text = f"⚠ {self.problems[0]} · " + text
        self.query_one("#dash-summary", Static).update(text)

    def _show(self, value: WidgetValue) -> None:
        if value.kind == "table":
            table = self.query_one("#dash-table", DataTable)
            table.border_title = value.title
            table.border_subtitle = f"{len(value.rows)} entities · ƒ calculation property"
            table.clear(columns=True)
            for column in value.columns:
                table.add_column(column + (" ƒ" if column in value.calculated else ""))
            for row in value.rows[:500]:
                table.add_row(*[_cell(v) for v in row])
            return
        found = self.query(f"#w-{value.id}")
        if found and hasattr(found.first(), "show"):
            found.first().show(value)

    # -- settings ------------------------------------------------------------------------------------
    def action_switch_source(self) -> None:
        self.source = "catalog" if self.source == "preview" else "preview"
        self.action_reload()

    def action_toggle_nulls(self) -> None:
        self.options = self.options.with_(nulls="zero" if self.options.nulls == "skip" else "skip")
        self.redraw()

    def action_time_zone(self) -> None:
        from builder.tui.screens.dialogs import PromptScreen

        def check(value: str) -> str | None:
            try:
                self.options.with_(timezone=value.strip())
            except OptionsError as exc:
                return str(exc)
            return None

        def chosen(value: str | None) -> None:
            if value:
                self.options = self.options.with_(timezone=value.strip())
                self.redraw()

        self.app.push_screen(PromptScreen("Time zone of line-chart buckets", self.options.timezone,
                                          hint="an IANA name: UTC, Europe/Paris, America/New_York …",
                                          check=check), chosen)

    def action_toggle_range(self) -> None:
        self.options = self.options.with_(time_range="days" if self.options.time_range == "rolling" else "rolling")
        self.redraw()


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    text = str(value)
    if len(text) == 20 and text[10:11] == "T" and text.endswith("Z"):
        return text[:10]  # a date-time at midnight UTC is a day: the table has room for more columns
    return text if len(text) <= CELL else text[:CELL - 1] + "…"


def create_pane(app: TabHost) -> DashboardPane:
    def catalog_path() -> Path | None:
        sync = app.tab_pane("sync")
        if sync is None:
            return None
        from builder.tui.screens.sync import SyncPane  # already imported: its pane exists

        return sync.db_path if isinstance(sync, SyncPane) else None

    return DashboardPane(app.session, make_source=app.make_source, catalog_path=catalog_path, now=app.now)


def commands(app: TabHost) -> Iterable[tuple[str, str, Callable[[], Any]]]:
    from builder.tui.screens.registry import when_pane

    def on_pane(action: Callable[[DashboardPane], Any]) -> Callable[[], Any]:
        return lambda: when_pane(app, DashboardPane, "dashboard", action)

    yield ("Dashboard: reload", "Fetch the dashboard's entities again and redraw", on_pane(DashboardPane.action_reload))
    yield ("Dashboard: preview or local catalog", "Draw from the preview or from the local catalog after a sync",
           on_pane(DashboardPane.action_switch_source))
    yield ("Dashboard: null values skipped or zero", "How nulls enter sums, averages and pies",
           on_pane(DashboardPane.action_toggle_nulls))
    yield ("Dashboard: time zone…", "The time zone of line-chart buckets (default UTC)", on_pane(DashboardPane.action_time_zone))
