"""The Sync tab's Catalog view: the local catalog's blueprints, a page of the selected one's entities
(searchable by identifier or title) and the highlighted entity, read with the store's own query
functions in a worker (the newest question wins). :class:`CatalogBrowser` is composed by
:class:`builder.tui.screens.sync.SyncPane`, which gives it where the catalog is and its width.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from builder.project.printable import printable, printable_json

ENTITY_PAGE = 200


def cell(value: object) -> Text:
    """Catalog and plan data in a table: control characters escaped, no markup (it is other people's text)."""
    return Text(printable(value, one_line=True), no_wrap=True, overflow="ellipsis")  # cut with … by its column

#: The catalog browser's columns: the blueprint list is CATALOG_LIST wide (its title column takes
#: what the identifier and the count leave); the entities' title takes what the identifier and the
#: time leave. A longer cell is drawn cut with …, its value held whole.
CATALOG_LIST = 56
CATALOG_BLUEPRINT, CATALOG_COUNT, CATALOG_ID, CATALOG_UPDATED = 30, 8, 40, 16


class CatalogBrowser(Horizontal):
    """Blueprints on the left; search, entities and the highlighted entity on the right."""

    def __init__(self, db_path: Callable[[], Path]) -> None:
        super().__init__()
        self._db_path = db_path  # the pane's: tests point it into a temporary directory
        self._laid_out = False  # columns made: the pane is mounted and knows its width
        self._entities: list[dict[str, Any]] = []
        self._catalog_generation = 0  # of catalog questions: only the newest answer is shown
        self._shown: tuple[str | None, str | None] | None = None  # (blueprint, search) in the table

    def compose(self) -> ComposeResult:
        yield DataTable(id="catalog-blueprints", cursor_type="row")
        with Vertical():
            yield Input(placeholder="search identifier or title", id="catalog-search")
            yield DataTable(id="catalog-entities", cursor_type="row", zebra_stripes=True)
            yield Static("", id="catalog-entity")

    def lay_out(self, pane_width: int) -> None:
        """The columns for the Sync pane's width: every one in sight at 140 columns."""
        self._laid_out = True
        pad = 2 * self.query_one("#catalog-blueprints", DataTable).cell_padding
        for table_id, columns in (
                ("#catalog-blueprints", [("blueprint", CATALOG_BLUEPRINT), ("entities", CATALOG_COUNT),
                                         # less the scrollbar and the border
                                         ("title", CATALOG_LIST - 3 - 3 * pad - CATALOG_BLUEPRINT - CATALOG_COUNT)]),
                ("#catalog-entities", [("identifier", CATALOG_ID),
                                       # less the list, the pane's edge and the scrollbar (2 each)
                                       ("title", pane_width - CATALOG_LIST - 4
                                        - 3 * pad - CATALOG_ID - CATALOG_UPDATED),
                                       ("updated", CATALOG_UPDATED)])):
            table = self.query_one(table_id, DataTable)
            table.clear(columns=True)
            for label, width in columns:
                table.add_column(label, width=max(8, width))

    def refresh_catalog(self) -> None:
        """Ask the catalog again (its blueprints and the selected one's entities)."""
        if not self._laid_out:
            return
        self._query_catalog(self._selected_blueprint(), with_blueprints=True)

    def _selected_blueprint(self) -> str | None:
        table = self.query_one("#catalog-blueprints", DataTable)
        if not table.row_count:
            return None
        return str(table.get_row_at(table.cursor_row)[0])

    def _load_entities(self, blueprint: str | None) -> None:
        self._query_catalog(blueprint, with_blueprints=False)

    def _query_catalog(self, blueprint: str | None, *, with_blueprints: bool) -> None:
        """Ask the local catalog in a thread (SQLite on every keystroke of the search must not hold
        the screen); the newest question wins and ``CatalogPage`` shows its answer."""
        self._catalog_generation += 1
        search = self.query_one("#catalog-search", Input).value.strip() or None
        self._catalog_worker(self._catalog_generation, self._db_path(), blueprint, search, with_blueprints)

    class CatalogPage(Message):
        """One answer of the local catalog: its blueprints (when asked) and a page of entities."""

        def __init__(self, generation: int, db_path: Path, blueprints: list[dict[str, Any]] | None,
                     blueprint: str | None, search: str | None, entities: list[dict[str, Any]], total: int) -> None:
            super().__init__()
            self.generation, self.db_path, self.blueprints = generation, db_path, blueprints
            self.blueprint, self.search, self.entities, self.total = blueprint, search, entities, total

    @work(thread=True, exclusive=True, group="sync-catalog", description="search the catalog")
    def _catalog_worker(self, generation: int, db_path: Path, blueprint: str | None, search: str | None,
                        with_blueprints: bool) -> None:
        from builder.port.catalog import CatalogStore

        blueprints: list[dict[str, Any]] | None = None
        entities: list[dict[str, Any]] = []
        total = 0
        if db_path.exists():
            store = CatalogStore(db_path)
            try:
                if with_blueprints:
                    blueprints = store.list_blueprints()
                    names = [row["identifier"] for row in blueprints]
                    blueprint = blueprint if blueprint in names else (names[0] if names else None)
                if blueprint:
                    entities = store.list_entities(blueprint, limit=ENTITY_PAGE, search=search)
                    total = store.count_entities(blueprint, search=search)
            finally:
                store.close()
        elif with_blueprints:
            blueprint = None
        if not get_current_worker().is_cancelled:
            self.post_message(self.CatalogPage(generation, db_path, blueprints, blueprint, search, entities, total))

    def on_catalog_browser_catalog_page(self, page: CatalogBrowser.CatalogPage) -> None:
        page.stop()
        if page.generation != self._catalog_generation:
            return  # a newer question is on its way
        if page.blueprints is not None:
            blueprints = self.query_one("#catalog-blueprints", DataTable)
            blueprints.clear()
            if not page.db_path.exists():
                self._entities, self._shown = [], None
                self.query_one("#catalog-entities", DataTable).clear()
                self.query_one("#catalog-entity", Static).update(f"No local catalog yet at {page.db_path}.")
                return
            for row in page.blueprints:
                blueprints.add_row(cell(row["identifier"]), row["entities"], cell(row["title"] or ""),
                                   key=row["identifier"])
            names = [row["identifier"] for row in page.blueprints]
            if page.blueprint in names:
                blueprints.move_cursor(row=names.index(page.blueprint))
        self._shown = (page.blueprint, page.search)  # the highlight that follows asks nothing again
        table = self.query_one("#catalog-entities", DataTable)
        table.clear()
        self._entities = page.entities
        if page.blueprint is None:
            return
        for entity in self._entities:
            # The minute is enough in a column (the entity below gives the full time).
            table.add_row(cell(entity["identifier"]), cell(entity.get("title") or ""),
                          cell(str(entity.get("updatedAt") or "")[:16].replace("T", " ")))
        shown = (f"{len(self._entities)} of {page.total} entities in {page.blueprint}"
                 + (f" matching {page.search!r}" if page.search else ""))
        self.query_one("#catalog-entity", Static).update(Text(printable(shown)))

    @on(DataTable.RowHighlighted, "#catalog-blueprints")
    def _blueprint_highlighted(self, event: DataTable.RowHighlighted) -> None:
        blueprint = self._selected_blueprint()
        search = self.query_one("#catalog-search", Input).value.strip() or None
        if (blueprint, search) != self._shown:
            self._load_entities(blueprint)

    @on(DataTable.RowHighlighted, "#catalog-entities")
    def _entity_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self._entities):
            entity = self._entities[event.cursor_row]
            self.query_one("#catalog-entity", Static).update(
                Text(printable_json(entity, indent=2)[:4000]))

    @on(Input.Changed, "#catalog-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._load_entities(self._selected_blueprint())
