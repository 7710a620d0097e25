"""Port's server-side rules for a page (dashboard): the wrapper and the layout.

A dashboard page holds exactly one ``dashboard-widget`` wrapper ``{type, layout, widgets}``; each
layout row has a ``height`` of at least 400 and 1–4 ``columns`` of ``size`` 3–12 that sum to 12, and
there is one column per widget ``id`` (reference/port-dashboards.md §1.2, "all enforced server-side").
The embedded catalog refuses a page that breaks them, as Port does; the lint adds the widget fields
and the references to blueprints and properties (builder.see.pages).
"""

from __future__ import annotations

from typing import Any

from builder.port.rules import short

MIN_ROW_HEIGHT = 400
MAX_COLUMNS = 4
GRID = 12


def page_name(page: Any, index: int = 0) -> str:
    """How problems name a page: its identifier, else its place in ``dashboards:``."""
    ident = page.get("identifier") if isinstance(page, dict) else None
    return ident if isinstance(ident, str) and ident else f"dashboards[{index}]"


def page_widgets(page: Any) -> list[Any] | None:
    """The widgets of a dashboard page's wrapper (None when there is no proper wrapper)."""
    wrappers = page.get("widgets") if isinstance(page, dict) else None
    if not isinstance(wrappers, list) or len(wrappers) != 1 or not isinstance(wrappers[0], dict) \
            or wrappers[0].get("type") != "dashboard-widget":
        return None
    found = wrappers[0].get("widgets")
    return found if isinstance(found, list) else None


def layout_problems(page: Any, index: int = 0) -> list[tuple[str, str]]:
    """(where, message) for every wrapper and layout rule the page breaks."""
    out: list[tuple[str, str]] = []
    name = page_name(page, index)
    if not isinstance(page, dict):
        return [(name, "a page must be an object")]
    if not isinstance(page.get("identifier"), str) or not page.get("identifier"):
        out.append((name, "identifier is required"))
    if page.get("type") != "dashboard":
        return out + [(f"{name}.type", f"{short(page.get('type'))}: only type \"dashboard\" pages are built here")]
    widgets = page_widgets(page)
    if widgets is None:
        wrappers = page.get("widgets")
        if isinstance(wrappers, list) and len(wrappers) == 1 and isinstance(wrappers[0], dict) \
                and wrappers[0].get("type") == "dashboard-widget":
            return out + [(f"{name}.widgets[0].widgets", "widgets must be a list")]
        return out + [(f"{name}.widgets", "a dashboard holds exactly one {type: dashboard-widget, layout, widgets}")]
    wrapper = page["widgets"][0]
    for key in wrapper:
        if key not in ("id", "type", "layout", "widgets"):
            out.append((f"{name}.widgets[0].{key}", f"the dashboard-widget does not accept {key!r}"))
    ids: list[str] = []
    for position, widget in enumerate(widgets):
        if not isinstance(widget, dict):
            out.append((f"{name}.widgets[{position}]", "each widget must be an object"))
            continue
        wid = widget.get("id")
        if not isinstance(wid, str) or not wid:
            out.append((f"{name}.widgets[{position}].id", "each widget needs an id (the layout refers to it)"))
        elif wid in ids:
            out.append((f"{name}.{wid}", "two widgets share this id"))
        else:
            ids.append(wid)
    return out + _layout(name, wrapper.get("layout"), ids)


def _layout(name: str, layout: Any, ids: list[str]) -> list[tuple[str, str]]:
    where = f"{name}.layout"
    if not isinstance(layout, list) or not layout:
        return [(where, "layout must be a list of rows {height, columns}")]
    out: list[tuple[str, str]] = []
    placed: list[Any] = []
    for row_index, row in enumerate(layout):
        at = f"{where}[{row_index}]"
        if not isinstance(row, dict):
            out.append((at, "each row must be {height, columns}"))
            continue
        height = row.get("height")
        if not isinstance(height, (int, float)) or isinstance(height, bool) or height < MIN_ROW_HEIGHT:
            out.append((f"{at}.height", f"height {short(height)}: rows are at least {MIN_ROW_HEIGHT} high"))
        columns = row.get("columns")
        if not isinstance(columns, list) or not columns:
            out.append((f"{at}.columns", "each row needs columns"))
            continue
        if len(columns) > MAX_COLUMNS:
            out.append((f"{at}.columns", f"{len(columns)} columns: a row holds at most {MAX_COLUMNS}"))
        sizes = [c.get("size") if isinstance(c, dict) else None for c in columns]
        whole = [s for s in sizes if isinstance(s, int) and not isinstance(s, bool)]
        for col_index, size in enumerate(sizes):
            if size not in whole or not 3 <= size <= GRID:
                out.append((f"{at}.columns[{col_index}].size", f"size {short(size)}: each column is 3..{GRID} wide"))
        if len(whole) == len(sizes) and sum(whole) != GRID:
            out.append((f"{at}.columns", f"sizes sum to {sum(whole)}, not {GRID}"))
        placed.extend(c.get("id") if isinstance(c, dict) else None for c in columns)
    for wid in placed:
        if wid not in ids:
            out.append((where, f"column {short(wid)} names no widget"))
    for wid in ids:
        if wid not in placed:
            out.append((where, f"widget {wid!r} has no column: Port needs one column per widget"))
    if len(placed) != len(set(map(str, placed))):
        out.append((where, "a widget is placed in two columns"))
    return out
