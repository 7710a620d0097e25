"""``cursor-builder init``: start a project file from a preset (the Cursor one by default)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from builder.cli import UserError
from builder.project.presets import list_presets, load_preset
from builder.project.model import DEFAULT_PROJECT_FILE
from builder.source.request import refresh_literal_values


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init",
        help="write a new project file from a preset",
        description="Write a project with the preset's connection settings, one resource and blueprint per "
                    "endpoint, and literal date windows that end now. Secrets stay ${ENV} references.",
    )
    parser.add_argument("project", nargs="?", default=DEFAULT_PROJECT_FILE,
                        help=f"file to write (default {DEFAULT_PROJECT_FILE})")
    parser.add_argument("--preset", default="cursor", help=f"preset name ({', '.join(list_presets()) or 'none'})")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    target = Path(args.project)
    if target.exists() and not args.force:
        raise UserError(f"{target} already exists; pass --force to overwrite it")
    if target.is_dir():
        raise UserError(f"{target} is a directory; give a file name such as {target / DEFAULT_PROJECT_FILE}")
    if not target.parent.is_dir():
        raise UserError(f"{target.parent} does not exist; create the directory first")
    # The deployed integration sends literal bodies: start them on a window that ends now.
    project = load_preset(args.preset)
    refresh_literal_values(project, time.time())
    try:
        project.save(target)
    except OSError as exc:
        raise UserError(f"{target}: cannot write: {exc.strerror}") from None
    refs = sorted(set(project.env_refs().values()))
    print(f"wrote {target} from preset {args.preset!r}: {len(project.resources)} resources, "
          f"{len(project.blueprints)} blueprints")
    if refs:
        print("secrets are read from the environment: " + ", ".join(refs))
    first = project.resources[0].name if project.resources else "NAME"
    print(f"next: cursor-builder fetch {target} --resource {first} --demo   (or set "
          f"{refs[0] if refs else 'the key'} and drop --demo)")
    return 0
