"""``cursor-builder rehearse PROJECT [--demo]``: run the real Ocean Custom integration once against
the embedded catalog (a local Port) and show, per resource, that it delivers what the preview shows.

``--ocean-source DIR`` runs it from a checkout of port-labs/ocean ``integrations/custom`` with a
Python ≥ 3.12 that has ``port-ocean[cli]`` (``--ocean-python``, default ``$ORACLE_PYTHON`` or this
checkout's ``.oracle-venv``). ``--docker`` prints the exported Docker command pointed at a local
catalog and simulator instead, for those who deploy with Docker. Exit codes: 0 delivered ==
preview everywhere, 1 a difference (or Ocean failed), 2 user error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from builder.cli import UserError
from builder.project.load import load_project
from builder.project.model import DEFAULT_PROJECT_FILE
from builder.ship import environment

if TYPE_CHECKING:
    from builder.project.model import Project


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "rehearse",
        help="run the real Ocean Custom integration against the local catalog and compare with the preview",
        description="Install the project's integration in the embedded catalog through Port's API, run the "
                    "unmodified Ocean Custom integration once with the exported settings (against the simulator "
                    "with --demo), and report per resource what Ocean fetched, sent and what landed against the "
                    "preview.",
    )
    parser.add_argument("project", nargs="?", default=DEFAULT_PROJECT_FILE,
                        help=f"project file (default {DEFAULT_PROJECT_FILE})")
    parser.add_argument("--demo", action="store_true", help="serve the Cursor simulator to Ocean (no key needed)")
    parser.add_argument("--ocean-source", metavar="DIR",
                        help="Ocean Custom source checkout (default: ../shared/reference/ocean-custom beside this "
                             "repository, when present)")
    parser.add_argument("--ocean-python", metavar="PYTHON",
                        help="Python ≥ 3.12 with port-ocean[cli] (default $ORACLE_PYTHON or .oracle-venv)")
    parser.add_argument("--db", metavar="FILE",
                        help="catalog database (default: the shared local catalog, which keeps the integration, "
                             "its resync state and kind examples)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds Ocean may take per installation")
    parser.add_argument("--docker", action="store_true",
                        help="print the exported Docker command pointed at a local catalog and simulator "
                             "(--network host) instead of running Ocean here")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(func=run)
    return parser


def _docker(project: Project, demo: bool) -> int:
    from builder.ship.rehearse import docker_rehearsal, installations

    port_url, api_url = "http://127.0.0.1:8766", "http://127.0.0.1:8765" if demo else None
    from builder.port.catalog import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET

    print("# 1. In one terminal: cursor-builder catalog serve --port 8766")
    if demo:
        print("# 2. In another:     cursor-builder simulate --port 8765   (export CURSOR_API_KEY=<the key it prints>)")
    print(f"# 3. Blueprints and mappings into the catalog: PORT_API_URL={port_url}/v1 "
          f"PORT_CLIENT_ID={LOCAL_CLIENT_ID} PORT_CLIENT_SECRET={LOCAL_CLIENT_SECRET} bash setup-port.sh "
          "(from `cursor-builder export`)")
    print("# 4. Then run each installation:")
    for _, sub in installations(project):
        print(docker_rehearsal(sub, port_url=port_url, api_url=api_url))
    return 0


def run(args: argparse.Namespace) -> int:
    from builder.ship.rehearse import OceanRuntime, RehearsalOptions, rehearse
    from builder.ship.rehearse_progress import RehearsalProgress

    project = load_project(args.project)
    environment.install(project)  # `env` as the deployed integration sees it (main restores it)
    if args.timeout <= 0:
        raise UserError("--timeout must be positive")
    if args.docker:
        return _docker(project, args.demo)
    runtime = OceanRuntime.find(args.ocean_source, args.ocean_python)
    if args.db:
        db: str = args.db
    else:
        from builder.port.catalog import default_db_path

        db = str(default_db_path())
    table = args.format == "table"

    def progress(state: RehearsalProgress) -> None:
        # Our steps and Ocean's per-resource start / finish; the rest of Ocean's log is in its log file.
        if table and state.event != "ocean" and state.phase != "done":  # the table's last line says it
            print(state.message, file=sys.stderr, flush=True)

    report = rehearse(project, runtime, RehearsalOptions(demo=args.demo, db=db, timeout=args.timeout),
                      progress=progress)
    if table:
        print("\n".join(report.lines()))
    else:
        json.dump(report.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0 if report.ok else 1
