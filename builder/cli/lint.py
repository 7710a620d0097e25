"""``cursor-builder lint``: what the deployed Ocean Custom integration will do differently.

Exit 0 when there is no error (warnings and infos are printed), 1 when there is at least one error.
With ``--response NAME=FILE`` the lint also maps that saved response, so it can see identifier
collisions, dropped records and entities Port would reject.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from builder.engine import mapping
from builder.cli import UserError
from builder.ship.lint import lint_project, render_text
from builder.project.load import load_project
from builder.project.model import DEFAULT_PROJECT_FILE
from builder.ship import environment

if TYPE_CHECKING:
    from builder.project.model import Project


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="say what the deployed Ocean integration will do differently from the builder's preview",
        description="Check the project against Ocean Custom's real behaviour (literal body and query params, "
                    "pagination rules, settings it ignores) and Cursor's limits. Exit 1 when there are errors.",
    )
    parser.add_argument("project", nargs="?", default=DEFAULT_PROJECT_FILE,
                        help=f"project file (default {DEFAULT_PROJECT_FILE})")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--response", action="append", default=[], metavar="RESOURCE=FILE",
                        help="a saved response body (JSON) for a resource; repeatable")
    parser.set_defaults(func=run)


def _responses(project: Project, specs: list[str]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    from builder.cli.preview import load_response

    results: dict[str, Any] = {}
    samples: dict[str, list[Any]] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise UserError(f"--response expects RESOURCE=FILE, got {spec!r}")
        resource = project.find_resource(name)
        pages = load_response(path, pages=False)
        samples[resource.name] = pages
        results[resource.name] = mapping.run(resource, pages)
    return results, samples


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    environment.install(project)  # `env` as the deployed integration sees it (main restores it)
    results, samples = _responses(project, args.response)
    findings = lint_project(project, results=results or None, samples=samples or None)
    if args.format == "json":
        json.dump([f.to_json() for f in findings], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(findings, project))
    return 1 if any(f.severity == "error" for f in findings) else 0
