"""``cursor-builder preview``: run the mapping engine on a saved (or live) response, headless.

``--format json`` prints ``{"entities": [...], "dropped": [...], "fields": {...}}`` on stdout, where
``entities`` is exactly what Ocean would send; the table format is for people.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from builder.engine import mapping
from builder.cli import UserError
from builder.project.model import DEFAULT_PROJECT_FILE, Project, Resource, load_project


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "preview",
        help="map a saved or live response and print the entities Port would receive",
        description="Run data_path → itemsToParse → selector.query → entity mappings on a response, exactly "
                    "as Ocean would. PROJECT may be a cursor-builder project or a bare port-app-config YAML.",
    )
    parser.add_argument("project", nargs="?", default=DEFAULT_PROJECT_FILE,
                        help=f"project or port-app-config file (default {DEFAULT_PROJECT_FILE})")
    parser.add_argument("--resource", "-r", required=True, help="resource name or kind, e.g. /teams/members")
    parser.add_argument("--response", help="saved response: one JSON body, or a JSON list of pages with "
                                           "--pages")
    parser.add_argument("--pages", action="store_true", help="the --response file holds a list of page bodies")
    parser.add_argument("--demo", action="store_true", help="fetch the response live from the built-in simulator")
    parser.add_argument("--live", action="store_true", help="fetch the response live from the project's API")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--record", type=int, default=0, help="record whose field values the table shows")
    parser.set_defaults(func=run)


def load_response(path: str, pages: bool) -> list[Any]:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: response file not found") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if pages:
        if not isinstance(data, list):
            raise UserError(f"{path}: --pages expects a JSON list of response bodies")
        return data
    return [data]


def _fetch_live(project: Project, resource: Resource, demo: bool) -> tuple[list[Any], list[dict[str, str]]]:
    from builder.source.client import fetch_pages_for_preview

    result = asyncio.run(fetch_pages_for_preview(project, resource, demo))
    for exchange in result.exchanges:
        print(exchange.summary(), file=sys.stderr)  # stdout stays the entities only
    return result.pages, result.page_params


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    resource = project.find_resource(args.resource)
    page_params: list[dict[str, str]] | None = None
    if args.response:
        pages = load_response(args.response, args.pages)
    elif args.demo or args.live:
        pages, page_params = _fetch_live(project, resource, args.demo)
    else:
        raise UserError("give a saved response with --response FILE, or fetch one with --demo / --live")
    result = mapping.run(resource, pages, page_params=page_params)
    if args.format == "json":
        json.dump(result.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_table(resource, result, args.record))
    return 0


def _short(value: Any, width: int) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else json.dumps(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(resource: Resource, result: mapping.MappingResult, record: int = 0) -> str:
    lines: list[str] = []
    total = len(result.records)
    lines.append(f"resource {resource.name}  ({resource.method} {resource.kind})")
    lines.append(f"  data_path {resource.data_path or '.'!s} → {total} records in {result.pages} page(s); "
                 f"selector {resource.query} → {result.passed} kept, {result.filtered} filtered; "
                 f"{result.kept} entities, {len(result.dropped) - result.filtered} dropped")
    if result.selector.errors:
        lines.append(f"  selector errors: {result.selector.errors} (first at record {result.selector.first_error_record}:"
                     f" {result.selector.first_error})")
    lines.append("")
    if total:
        record = max(0, min(record, total - 1))
        lines.append(f"fields (values for record {record} of {total})")
        values = {value.path: value for value in result.values(record)}
        name_width = max([len(name) for name in result.fields] + [5])
        for name, status in result.fields.items():
            outcome = values[name].outcome
            if outcome.status == "error":
                shown = f"error: {outcome.error}"
            elif outcome.status == "empty":
                shown = "(no output → null)"
            else:
                shown = _short(outcome.value, 48)
            if status.errors:
                summary = f"{status.errors} errors (first at record {status.first_error_record}: {status.first_error})"
            elif status.nulls or status.empties:
                summary = f"{status.nulls + status.empties} null"
            else:
                summary = "ok"
            lines.append(f"  {name:<{name_width}}  {shown:<50}  {summary}")
        lines.append("")
    lines.append(f"entities ({len(result.entities)})")
    for entity in result.entities[:20]:
        lines.append("  " + _short(entity, 160))
    if len(result.entities) > 20:
        lines.append(f"  … {len(result.entities) - 20} more (use --format json for all)")
    real_drops = [drop for drop in result.dropped if drop.stage != "selector"]
    if real_drops:
        lines.append("")
        lines.append(f"dropped ({len(real_drops)})")
        for drop in real_drops[:20]:
            where = f"record {drop.record}" if drop.record is not None else f"page {(drop.page or 0) + 1}"
            lines.append(f"  {where}: [{drop.stage}] {drop.reason}")
        if len(real_drops) > 20:
            lines.append(f"  … {len(real_drops) - 20} more")
    return "\n".join(lines) + "\n"
