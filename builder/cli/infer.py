"""``cursor-builder infer``: the Port blueprint a resource's entities need.

Maps a saved response with the resource's mapping, infers the blueprint from every entity and
prints it as JSON on stdout; ``--compare`` prints the diff against the project's blueprint and the
validation problems instead. Decisions for the user (null-only fields, guessed relation targets,
mixed types) go to stderr.
"""

from __future__ import annotations

import argparse
import sys

from builder.cli import UserError, jsonio
from builder.cli.responses import check_found_records, read_response
from builder.engine import mapping
from builder.project.load import load_project
from builder.project.model import DEFAULT_PROJECT_FILE
from builder.ship.schema import compare_blueprints, infer_blueprint, validate_result
from builder.ship import environment


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "infer",
        help="infer the Port blueprint from a resource's entities (and compare it with the project's)",
        description="Run the resource's mapping on a saved response and infer a blueprint from ALL entities.",
    )
    parser.add_argument("project", nargs="?", default=DEFAULT_PROJECT_FILE,
                        help=f"project file (default {DEFAULT_PROJECT_FILE})")
    parser.add_argument("--resource", "-r", required=True, help="resource name or kind")
    parser.add_argument("--response", required=True, metavar="FILE.json",
                        help="saved response: a raw JSON body (a JSON list of pages with --pages), the output of "
                             "`fetch --format json`, or a recorded sample (`fetch --save FILE`)")
    parser.add_argument("--pages", action="store_true", help="the response file holds a list of page bodies")
    parser.add_argument("--compare", action="store_true",
                        help="print the diff against the project's blueprint and the validation problems")
    parser.add_argument("--propose-required", action="store_true",
                        help="propose `required` for fields present in every entity (by default a blueprint "
                             "already in the project keeps its own `required`: that is the user's decision)")
    parser.add_argument("--format", choices=("text", "json"), default=None,
                        help="--compare output format (default text); the blueprint itself is always JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    environment.install(project)  # `env` as the deployed integration sees it (main restores it)
    resource = project.find_resource(args.resource)
    response = read_response(args.response, args.pages, resource.kind)
    print(f"cursor-builder: {response.describe()}", file=sys.stderr)
    result = mapping.run(resource, response.pages, page_params=response.page_params)
    check_found_records(response, resource, len(result.records), result.dropped)
    if not result.entities:
        reasons = sorted({drop.reason for drop in result.dropped})[:2]
        raise UserError(f"{response.path}: {len(result.records)} records but no entity to infer a blueprint from"
                        + (f" ({'; '.join(reasons)})" if reasons else "")
                        + ": fix the mapping first (cursor-builder preview shows why)")
    bp_id = resource.blueprint_literal
    existing = project.find_blueprint(bp_id) if bp_id else None
    known = [b.get("identifier") for b in project.blueprints]
    inferred = infer_blueprint(result, resource, known_blueprints=known, existing=existing,
                               propose_required=True if args.propose_required else None)
    print(f"cursor-builder: inferred {inferred.identifier} from {inferred.samples} entities "
          f"({len(result.records)} records)", file=sys.stderr)
    for note in inferred.notes:
        print(f"cursor-builder: decide: {note}", file=sys.stderr)
    if not args.compare:
        jsonio.write(inferred.blueprint, sys.stdout)
        return 0
    diff = compare_blueprints(inferred, existing)
    problems = validate_result(result, existing or inferred.blueprint, known_blueprints=known)
    if args.format == "json":
        jsonio.write({"blueprint": inferred.identifier, "exists": existing is not None, "diff": diff.to_json(),
                      "problems": [p.to_json() for p in problems], "inferred": inferred.to_json()}, sys.stdout)
    else:
        head = f"blueprint {inferred.identifier}: " + ("new (not in the project)" if existing is None else
                                                         "no changes" if diff.is_empty else "changes")
        lines = [head] + [f"  {line}" for line in diff.lines()]
        against = "the project's blueprint" if existing else "the inferred blueprint"
        lines.append(f"validation against {against}: {len(problems)} problem(s)")
        lines += [f"  {p}" for p in problems[:50]]
        if len(problems) > 50:
            lines.append(f"  … {len(problems) - 50} more (use --format json)")
        sys.stdout.write("\n".join(lines) + "\n")
    return 0
