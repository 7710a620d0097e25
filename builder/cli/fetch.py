"""``cursor-builder fetch``: request one resource and report what came back and what Ocean would get.

One line per HTTP exchange (printed as it happens, so a Retry-After wait is visible), then the
coverage: pages, records, duplicate identifiers, why it stopped, and what the deployed
integration's own pagination would have ingested. ``--format json`` prints the whole result.
Exit codes: 0 fetched, 1 fetched some pages then failed, 2 nothing fetched (one-line reason).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from builder.cli import UserError, jsonio
from builder.project.load import load_project
from builder.project.model import DEFAULT_PROJECT_FILE, SECRET_CONFIG_KEYS, Project, Resource, env_ref_name
from builder.cli.deadline import add_request_deadline, check_request_deadline
from builder.source.client import Source
from builder.source.exchange import Exchange, FetchResult
from builder.ship import environment

_CREDENTIAL_KEYS = ("username", *sorted(SECRET_CONFIG_KEYS))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fetch",
        help="fetch a resource's pages and report coverage, incl. what Ocean would ingest",
        description="Request a resource like the builder does (x-builder extensions applied) or exactly like "
                    "the deployed Ocean integration (--mode ocean); print one line per request and a coverage "
                    "report that compares with Ocean's own pagination.",
    )
    parser.add_argument("project", nargs="?", default=DEFAULT_PROJECT_FILE,
                        help=f"project file (default {DEFAULT_PROJECT_FILE})")
    parser.add_argument("--resource", "-r", required=True, help="resource name or kind")
    parser.add_argument("--demo", action="store_true", help="use the built-in Cursor simulator (no key needed)")
    parser.add_argument("--all-pages", action="store_true", help="follow pagination to the end (default: page 1)")
    parser.add_argument("--max-pages", type=int, default=None, help="stop after this many pages")
    parser.add_argument("--mode", choices=("builder", "ocean"), default="builder",
                        help="builder: apply x-builder extensions; ocean: exactly what the integration sends")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--save", metavar="FILE",
                        help="also write the pages fetched, in the recorded-sample shape that `preview --response` "
                             "and `infer --response` read (responses only: no key, no headers)")
    parser.add_argument("--deadline", type=float, default=DEFAULT_DEADLINE, metavar="SECONDS",
                        help=f"give up when the whole fetch takes longer (default {DEFAULT_DEADLINE:g}): a server "
                             "that trickles bytes or never answers cannot hold the command forever")
    add_request_deadline(parser)
    parser.set_defaults(func=run)


#: An overall bound on one fetch (issue #11 row 12): httpx's timeouts bound each read, not a
#: server trickling one byte a second.
DEFAULT_DEADLINE = 300.0


def save_pages(path: str, resource: Resource, result: FetchResult, demo: bool) -> None:
    """The pages in the shape of ``presets/*/samples/*.json`` (``cli/responses.py`` reads both)."""
    from datetime import datetime, timezone

    saved = {
        "resource": resource.name, "kind": resource.kind,
        "recorded": {"source": "cursor-builder fetch" + (" --demo (simulator)" if demo else ""),
                     "mode": result.mode, "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "pages": len(result.pages), "stop": result.coverage.stop_reason},
        "pages": result.pages,
    }
    if any(result.page_params):
        saved["page_params"] = result.page_params
    try:
        with open(path, "wb") as file:
            file.write(jsonio.dumps(saved) + b"\n")
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror} (choose another --save path)") from None


def _missing_credentials(project: Project) -> list[str]:
    names = [env_ref_name(project.config.get(key)) for key in _CREDENTIAL_KEYS]
    return [name for name in names if name and not os.environ.get(name)]


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    environment.install(project)  # `env` as the deployed integration sees it (main restores it)
    resource = project.find_resource(args.resource)
    if args.max_pages is not None and args.max_pages < 1:
        raise UserError("--max-pages must be at least 1")
    if not args.demo:
        missing = _missing_credentials(project)
        if missing:
            raise UserError(f"{missing[0]} is not set: export {missing[0]}=<your Cursor admin API key>, "
                            "or use --demo for the built-in simulator")
    table = args.format == "table"

    def show(exchange: Exchange) -> None:
        if table:
            print(exchange.summary(), flush=True)

    async def go() -> FetchResult:
        bound = {"mode": args.mode, "request_deadline": args.request_deadline}
        source = Source.demo(project, **bound) if args.demo else Source(project, **bound)
        async with source:
            return await source.fetch(resource, all_pages=args.all_pages or args.max_pages is not None,
                                      max_pages=args.max_pages, on_exchange=show, compare_ocean=True)

    if table:
        where = "simulator" if args.demo else project.base_url
        print(f"resource {resource.name}  ({resource.method} {resource.kind})  mode {args.mode}, {where}")
    if args.deadline <= 0:
        raise UserError("--deadline must be a number of seconds above 0")
    check_request_deadline(args)

    async def bounded() -> FetchResult:
        return await asyncio.wait_for(go(), args.deadline)

    try:
        result = asyncio.run(bounded())
    except TimeoutError:
        where = "the simulator" if args.demo else project.base_url
        print(f"cursor-builder: fetch stopped at its deadline of {args.deadline:g} s: {where} answered too slowly "
              "or not at all (raise --deadline, or check the server)", file=sys.stderr)
        return 1
    if table:
        print("coverage")
        for line in result.coverage.lines():
            print("  " + line)
        if result.coverage.stop_code == "first_page_only":
            print("  (use --all-pages to follow pagination)")
    else:
        jsonio.write(result.to_json(), sys.stdout)
    if args.save and result.pages:
        save_pages(args.save, resource, result, args.demo)
        print(f"cursor-builder: saved {len(result.pages)} page(s) to {args.save} "
              f"(cursor-builder preview -r {resource.name} --response {args.save})", file=sys.stderr)
    if result.error:
        if not result.pages:
            raise UserError(result.error)
        print(f"cursor-builder: {result.error}", file=sys.stderr)
        return 1
    return 0
