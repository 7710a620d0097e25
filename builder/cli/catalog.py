"""``cursor-builder catalog serve | ls``: the embedded, Port-compatible catalog.

``serve`` puts it on loopback with uvicorn so anything that speaks Port's REST API (curl, a real
Ocean with ``OCEAN__PORT__BASE_URL``, the builder itself) can use it; ``ls`` lists what it holds
with the same query functions the TUI's catalog browser uses. Loopback only: the credentials it
accepts are well known.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable

from builder.net.asgi import CannotServe, is_loopback, serve_loopback, url_host
from builder.cli import UserError
from builder.project.printable import printable
from builder.net.faults import fault_spec_arg


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "catalog",
        help="serve or list the embedded Port-compatible catalog",
        description="The local catalog that `sync --target local` writes to (SQLite; default "
                    "~/.local/share/cursor-builder/catalog.db).",
    )
    commands = parser.add_subparsers(dest="catalog_command", metavar="{serve,ls}")
    serve = commands.add_parser("serve", help="serve Port's REST API for the catalog on loopback")
    serve.add_argument("--db", metavar="FILE", help="database file (default: the shared local catalog)")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8766, help="port (default 8766; 0 picks a free one)")
    serve.add_argument("--faults", metavar="SPEC", type=fault_spec_arg, default=None,
                       help="inject faults per request, e.g. 429=0.05,500=0.02,reset=0.02,truncate=0.01,"
                            "badjson=0.01,delay=0.1:2s, to rehearse a sync against a misbehaving Port")
    serve.add_argument("--seed", type=int, default=0, help="seed of --faults (same seed, same faults)")
    serve.set_defaults(func=run_serve)
    ls = commands.add_parser("ls", help="list blueprints, or the entities of one blueprint")
    ls.add_argument("--db", metavar="FILE", help="database file (default: the shared local catalog)")
    ls.add_argument("blueprint_name", nargs="?", metavar="BLUEPRINT", help="list this blueprint's entities")
    ls.add_argument("--blueprint", "-b", metavar="BP", help="the same as BLUEPRINT")
    ls.add_argument("--search", "-s", metavar="TEXT", help="only entities whose identifier or title contains TEXT")
    ls.add_argument("--limit", type=int, default=50, help="entities per page (default 50)")
    ls.add_argument("--offset", type=int, default=0, help="skip this many entities")
    ls.add_argument("--format", choices=("table", "json"), default="table")
    ls.add_argument("--integrations", action="store_true",
                    help="list the installed integrations: resync state, kinds with examples, logs")
    ls.set_defaults(func=run_ls)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])
    return parser


def _db_path(arg: str | None) -> Path:
    from builder.port.catalog import default_db_path

    return Path(arg).expanduser() if arg else default_db_path()


def open_store(path: Path, *, explicit: bool) -> Any:
    """The catalog at ``path``, or a one-line user error (a directory, not SQLite, no such folder)."""
    from builder.port.catalog import CatalogStore
    from builder.port.catalog.store import CatalogFileError

    try:
        return CatalogStore(path, create_parents=not explicit)
    except CatalogFileError as exc:
        raise UserError(str(exc)) from None


def run_ls(args: argparse.Namespace) -> int:

    path = _db_path(args.db)
    if not path.exists():
        raise UserError(f"no catalog at {path} yet: run `cursor-builder sync --target local` first")
    if args.limit < 1 or args.offset < 0:
        raise UserError("--limit must be at least 1 and --offset at least 0")
    store = open_store(path, explicit=True)
    try:
        if args.integrations:
            return _ls_integrations(store, path, args.format)
        args.blueprint = args.blueprint or args.blueprint_name
        if args.blueprint is None:
            return _table(store.list_blueprints(), args.format, f"{path}: no blueprints yet",
                          lambda width: f"{'BLUEPRINT'.ljust(width)}  {'ENTITIES':>8}  TITLE",
                          lambda row, width: f"{printable(row['identifier']).ljust(width)}  {row['entities']:>8}  "
                                             f"{printable(row['title'] or '')}")
        if store.get_blueprint(args.blueprint) is None:
            import difflib

            names = [r["identifier"] for r in store.list_blueprints()]
            close = difflib.get_close_matches(args.blueprint, names, n=3, cutoff=0.6)
            if close:
                raise UserError(f"no blueprint {args.blueprint!r} in {path}: did you mean "
                                f"{' or '.join(map(repr, close))}?")
            raise UserError(f"no blueprint {args.blueprint!r} in {path} (blueprints: {', '.join(names) or 'none'})")
        entities = store.list_entities(args.blueprint, limit=args.limit, offset=args.offset, search=args.search)
        total = store.count_entities(args.blueprint, search=args.search)
        if args.format == "json":
            print(json.dumps(entities, indent=2, ensure_ascii=False))
            return 0
        width = max([len(e["identifier"]) for e in entities] + [10])
        print(f"{'IDENTIFIER'.ljust(width)}  {'UPDATED':24}  TITLE")
        for entity in entities:
            print(f"{printable(entity['identifier']).ljust(width)}  {printable(entity.get('updatedAt', '')):24}  "
                  f"{printable(entity.get('title') or '')}")
        shown_to = args.offset + len(entities)
        print(f"{args.offset + 1 if entities else 0}–{shown_to} of {total} entities in {args.blueprint}"
              + (f" matching {args.search!r}" if args.search else ""))
        return 0
    finally:
        store.close()


def _ls_integrations(store: Any, path: Path, fmt: str) -> int:
    """What Ocean integrations reported to this catalog (``cursor-builder rehearse`` installs them)."""
    from builder.port.catalog.integrations import IntegrationStore

    return _table(IntegrationStore(store).summary(), fmt,
                  f"{path}: no integrations yet (cursor-builder rehearse installs one)",
                  lambda width: f"{'INTEGRATION'.ljust(width)}  {'RESOURCES':>9}  {'RESYNC':10}  {'EXAMPLES':>8}  "
                                f"{'LOGS':>5}  LAST RESYNC END",
                  lambda r, width: f"{printable(r['identifier']).ljust(width)}  {r['resources']:>9}  "
                                   f"{printable(str(r['resyncStatus'] or '-')):10}  {r['kindsWithExamples']:>8}  "
                                   f"{r['logs']:>5}  {printable(str(r['lastResyncEnd'] or '-'))}")


def _table(rows: list[dict[str, Any]], fmt: str, empty: str, head: Callable[[int], str],
           line: Callable[[dict[str, Any], int], str]) -> int:
    """A listing keyed by ``identifier``: JSON, a one-line note when empty, or an aligned table whose
    data cells are escaped (what a catalog holds came from outside: issue #11 row 13)."""
    if fmt == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print(empty)
        return 0
    width = max(len(printable(r["identifier"])) for r in rows)
    print(head(width))
    for row in rows:
        print(line(row, width))
    return 0


def banner(url: str, path: Path) -> str:
    from builder.port.catalog import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET

    return "\n".join([
        f"Port-compatible catalog at {url} (database {path})",
        f"client id: {LOCAL_CLIENT_ID}   client secret: {LOCAL_CLIENT_SECRET}",
        f"Try: curl -s {url}/v1/auth/access_token -H 'content-type: application/json' "
        f"-d '{{\"clientId\": \"{LOCAL_CLIENT_ID}\", \"clientSecret\": \"{LOCAL_CLIENT_SECRET}\"}}'",
        "Press Ctrl+C to stop.",
    ])


def run_serve(args: argparse.Namespace) -> int:
    if not is_loopback(args.host):
        raise UserError(f"--host {args.host} is not a loopback address; the catalog only serves on 127.0.0.1, "
                        "::1 or localhost")
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port {args.port} is out of range (0-65535)")
    from builder.port.catalog import create_app

    path = _db_path(args.db)
    store = open_store(path, explicit=args.db is not None)
    dice = None
    if args.faults is not None:
        from builder.net.faults import FaultDice

        dice = FaultDice(args.faults, args.seed)
        print(f"injecting faults: {args.faults} (seed {args.seed})", file=sys.stderr)
    try:
        started = serve_loopback(create_app(store, dice=dice), args.host, args.port,
                                 lambda port: print(banner(f"http://{url_host(args.host)}:{port}", path), flush=True))
    except CannotServe as exc:
        print(f"cursor-builder: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0 if started else 1
