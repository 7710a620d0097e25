"""``cursor-builder dashboard``: every widget of the project's dashboards, computed headless.

The entities come from the preview (each resource a page reads, fetched live or from the
simulator with ``--demo``, mapped exactly as Ocean would) or, with ``--from-catalog``, from the
embedded catalog after a ``sync --target local``. Calculation properties are computed on read, as
Port does. ``--format json`` is for CI jobs and reports; the table format is for people.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from builder.cli import UserError
from builder.project.load import load_project
from builder.project.model import DEFAULT_PROJECT_FILE, Project
from builder.see.options import NULLS, TIME_RANGES, OptionsError, SeeOptions
from builder.see.widgets import WidgetValue, compute_page, format_number
from builder.ship import environment


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dashboard",
        help="compute every widget of the project's dashboards (Cursor AI Insights) from the entities",
        description="Compute each widget of the project's dashboards: pages with Port's semantics (number: "
                    "count/sum/average over all entities; line: per ISO week over the past 30 days; pie: 14 "
                    "slices + Other; table: the shown columns, calculation properties included).",
    )
    parser.add_argument("project", nargs="?", default=DEFAULT_PROJECT_FILE,
                        help=f"project file (default {DEFAULT_PROJECT_FILE})")
    parser.add_argument("--demo", action="store_true", help="fetch from the built-in Cursor simulator")
    parser.add_argument("--from-catalog", action="store_true",
                        help="read the entities from the embedded catalog (after `sync --target local`)")
    parser.add_argument("--db", metavar="FILE", help="local catalog database (with --from-catalog)")
    parser.add_argument("--page", help="only this dashboard (its identifier)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--tz", default="UTC", help="time zone of line-chart buckets (default UTC)")
    parser.add_argument("--range", choices=TIME_RANGES, default="rolling",
                        help="rolling: the past 30 days are now − 720 h (default); days: from 00:00 of the first day")
    parser.add_argument("--nulls", choices=NULLS, default="skip",
                        help="skip: null values are left out of sums, averages and pies (default); zero: count as 0")
    parser.add_argument("--now", help="the instant line-chart ranges end at, ISO 8601 (default: now; with --demo "
                                      "also the simulator's clock)")
    parser.set_defaults(func=run)


def _now(text: str | None) -> datetime:
    if not text:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--now {text!r} is not an ISO 8601 date-time (e.g. 2026-05-05T12:00:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _pages(project: Project, only: str | None) -> list[dict[str, Any]]:
    pages = [p for p in project.dashboards if only is None or p.get("identifier") == only]
    if not pages:
        known = ", ".join(str(p.get("identifier")) for p in project.dashboards) or "none"
        raise UserError(f"no dashboard {only!r} in the project (dashboards: {known})" if only else
                        "the project has no dashboards: section; add one (the Cursor preset ships Cursor AI Insights)")
    return pages


async def load_entities(project: Project, pages: list[dict[str, Any]], *, demo: bool, now: datetime,
                        from_catalog: bool = False, db: str | None = None) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    from builder.see.entities import catalog_entities, page_blueprints, preview_entities

    wanted = page_blueprints(pages)
    if from_catalog:
        from builder.port.catalog import CatalogStore, default_db_path

        path = Path(db) if db else default_db_path()
        if not path.exists():
            raise UserError(f"{path}: no local catalog yet; run `cursor-builder sync --target local` first")
        return catalog_entities(project, CatalogStore(str(path)), wanted), []
    from builder.source.client import Source

    if demo:
        from builder.simulator import SimulatorConfig

        source = Source.demo(project, SimulatorConfig(now=now), now=now.timestamp())
    else:
        source = Source(project, now=now.timestamp())
    async with source:
        return await preview_entities(project, source, wanted)


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    environment.install(project)  # `env` as the deployed integration sees it (main restores it)
    pages = _pages(project, args.page)
    try:
        options = SeeOptions(timezone=args.tz, time_range=args.range, nulls=args.nulls)
    except OptionsError as exc:
        raise UserError(str(exc)) from None
    now = _now(args.now)
    entities, problems = asyncio.run(load_entities(project, pages, demo=args.demo, now=now,
                                                   from_catalog=args.from_catalog, db=args.db))
    for problem in problems:
        print(f"cursor-builder: {problem}", file=sys.stderr)
    blueprints = {bp["identifier"]: bp for bp in project.blueprints}
    computed = [(page, compute_page(page, entities, now=now, blueprints=blueprints, options=options))
                for page in pages]
    if args.format == "json":
        out = {"now": now.isoformat(), "options": {"timezone": options.timezone, "timeRange": options.time_range,
                                                   "nulls": options.nulls},
               "dashboards": [{"identifier": page.get("identifier"), "title": page.get("title"),
                               "widgets": [w.to_json() for w in widgets]} for page, widgets in computed]}
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for page, widgets in computed:
            sys.stdout.write(render_text(page, widgets, options, now))
    return 0


def _cell(value: Any, width: int = 22) -> str:
    if value is None:
        text = "—"
    elif isinstance(value, float):
        text = format_number(value)
    else:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def render_widget(widget: WidgetValue) -> list[str]:
    lines = [f"■ {widget.title}  ({widget.type}, {widget.entities} entities)"]
    if widget.kind == "number":
        lines.append(f"  {format_number(widget.value, widget.unit)}")
    elif widget.kind == "line":
        if widget.range:
            lines.append(f"  {widget.range[0][:16]} → {widget.range[1][:16]}")
        buckets = [b[:10] for b, _ in widget.series[0].points] if widget.series else []
        name_width = max([len(s.name) for s in widget.series] + [6])
        lines.append("  " + " " * name_width + "".join(f"{b:>12}" for b in buckets))
        for series in widget.series:
            lines.append(f"  {series.name:<{name_width}}" + "".join(f"{_cell(v, 11):>12}" for _, v in series.points))
    elif widget.kind == "pie":
        total = sum(count for _, count in widget.slices) or 1
        for label, count in widget.slices:
            lines.append(f"  {_cell(label, 30):<30} {count:>6}  {count / total:6.1%}")
    elif widget.kind == "table":
        header = [c + (" ƒ" if c in widget.calculated else "") for c in widget.columns]
        lines.append("  " + "  ".join(f"{_cell(h):<22}" for h in header))
        for row in widget.rows[:20]:
            lines.append("  " + "  ".join(f"{_cell(v):<22}" for v in row))
        if len(widget.rows) > 20:
            lines.append(f"  … {len(widget.rows) - 20} more rows (use --format json for all)")
    if widget.note:
        lines.append(f"  note: {widget.note}")
    return lines


def render_text(page: dict[str, Any], widgets: list[WidgetValue], options: SeeOptions, now: datetime) -> str:
    lines = [f"{page.get('title') or page.get('identifier')}  ({len(widgets)} widgets; now {now.isoformat()}; "
             f"{options.describe()}; ƒ = calculation property)", ""]
    for widget in widgets:
        lines.extend(render_widget(widget))
        lines.append("")
    return "\n".join(lines)
