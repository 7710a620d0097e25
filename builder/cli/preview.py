"""``cursor-builder preview``: run the mapping engine on a saved (or live) response, headless.

``--format json`` prints ``{"entities": [...], "dropped": [...], "fields": {...}}`` on stdout, where
``entities`` is exactly what Ocean would send (one entity a line); the table format is for people.
A large response whose data_path is a plain key is streamed in bounded memory (``cli/stream.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from builder.cli import UserError, jsonio
from builder.cli.deadline import add_request_deadline, check_request_deadline
from builder.cli.responses import ResponseFile, check_found_records, read_response
from builder.engine import mapping
from builder.project.load import load_project
from builder.project.model import DEFAULT_PROJECT_FILE, Project, Resource
from builder.ship import environment


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
    parser.add_argument("--response", help="saved response: a raw JSON body (a JSON list of pages with --pages), "
                                           "the output of `fetch --format json`, or a recorded sample "
                                           "(`fetch --save FILE`)")
    parser.add_argument("--pages", action="store_true", help="the --response file holds a list of page bodies")
    parser.add_argument("--demo", action="store_true", help="fetch the response live from the built-in simulator")
    parser.add_argument("--live", action="store_true", help="fetch the response live from the project's API")
    add_request_deadline(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--record", type=int, default=0, help="record whose field values the table shows")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="say on stderr what the file was read as and whether it was streamed")
    parser.set_defaults(func=run)


def load_response(path: str, pages: bool) -> list[Any]:
    """The response pages in ``path`` (any shape ``responses.read_response`` accepts)."""
    return read_response(path, pages).pages


def _fetch_live(project: Project, resource: Resource, demo: bool,
                request_deadline: float | None) -> tuple[list[Any], list[dict[str, str]]]:
    import asyncio  # only a live fetch needs it (~40 ms of imports a saved response never pays)

    from builder.source.client import fetch_pages_for_preview

    result = asyncio.run(fetch_pages_for_preview(project, resource, demo, request_deadline=request_deadline))
    for exchange in result.exchanges:
        print(exchange.summary(), file=sys.stderr)  # stdout stays the entities only
    return result.pages, result.page_params


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    resource = project.find_resource(args.resource)
    environment.install(project)  # `env` as the deployed integration sees it (main restores it)
    verbose = getattr(args, "verbose", False)
    if args.response and args.format == "json" and not args.pages and _stream(args.response, resource, verbose,
                                                                             _calculations(project)):
        return 0
    page_params: list[dict[str, str]] | None = None
    response: ResponseFile | None = None
    if args.response:
        response = read_response(args.response, args.pages, resource.kind)
        pages, page_params = response.pages, response.page_params
        if verbose:
            print(f"cursor-builder: {response.describe()}; mapped as a whole document", file=sys.stderr)
    elif args.demo or args.live:
        check_request_deadline(args)
        pages, page_params = _fetch_live(project, resource, args.demo, args.request_deadline)
    else:
        raise UserError("give a saved response with --response FILE, or fetch one with --demo / --live")
    result = mapping.run(resource, pages, page_params=page_params)
    for disagreement in result.disagreements:  # the runtime guard: the values printed are jq's
        print(f"cursor-builder: warning: {disagreement.message()}", file=sys.stderr)
    if response is not None:
        check_found_records(response, resource, len(result.records), result.dropped)
    if args.format == "json":
        from builder.cli.stream import write_result

        from builder.port.calculations import preview_calculations

        out = jsonio.binary_stdout(sys.stdout)
        write_result(out, result, preview_calculations({b["identifier"]: b for b in project.blueprints},
                                                       result.entities))
        out.flush()
    else:
        sys.stdout.write(render_table(resource, result, args.record))
    return 0


def _calculations(project: Project) -> Any:
    """What ``calculated`` lists for a streamed preview: Port's calculation properties, per entity
    (None when no blueprint has any: then there is nothing to compute)."""
    from builder.port.calculations import calculation_properties, preview_calculations

    blueprints = {b["identifier"]: b for b in project.blueprints}
    if not any(calculation_properties(blueprint) for blueprint in blueprints.values()):
        return None
    return lambda entities: preview_calculations(blueprints, entities, mirrors=False)


def _stream(path: str, resource: Resource, verbose: bool, calculate: Any = None) -> bool:
    """Map ``path`` streamed, in chunks, and print the JSON; False when it must be read whole."""
    from builder.cli import stream

    key = stream.plain_key(resource)
    why = "data_path is not one plain key (.usageEvents, .data…) or itemsToParse is set" if key is None else None
    if key is not None:
        try:
            why = stream.why_not_streamable(Path(path), key)
        except OSError:
            return False  # read_response says what is wrong with the file
    if why is None:
        assert key is not None
        with stream.spool_file() as spool:
            try:
                done = stream.stream_entities(Path(path), resource, key, spool, calculate=calculate)
            except Exception as exc:  # ijson's parse errors: the whole-document read names the line
                if type(exc).__module__.startswith("ijson"):
                    return False
                raise
            for warning in done.warnings:  # the runtime guard: the values printed are jq's
                print(f"cursor-builder: warning: {warning}", file=sys.stderr)
            if done.lost:
                why = f"{done.lost}: mapped whole to say exactly what Ocean does"
            elif not done.records:
                why = f"no records under .{key} at the top level"
            else:
                if verbose:
                    print(f"cursor-builder: {path}: read as a raw response; streamed {done.records:,} records of "
                          f".{key} in chunks of {stream.CHUNK:,} ({done.workers} process"
                          f"{'es' if done.workers > 1 else ''})", file=sys.stderr)
                out = jsonio.binary_stdout(sys.stdout)
                stream.write_streamed(out, done, spool)
                out.flush()
                return True
    if verbose:
        print(f"cursor-builder: {path}: not streamed ({why}); reading the whole document", file=sys.stderr)
    return False


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
