"""``cursor-builder export``: the files that ship the integration (mapping, blueprints, Helm, Docker).

stdout carries only the export (pipe it into a file or `bash`); messages go to stderr. Secrets are
``"$VAR"`` references unless ``--reveal-secrets``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from builder.cli import UserError
from builder.ship.export import FORMATS, export_all, export_format
from builder.ship.lint import lint_project
from builder.project.load import load_project
from builder.project.model import DEFAULT_PROJECT_FILE
from builder.ship import environment

# "setup" writes setup-port.sh alone (blueprints, pages and each installation's mapping through Port's API).
CHOICES = ("yaml", "blueprints", "dashboard", "setup", "helm", "docker", "values", "readme", "all")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the port-app-config YAML, blueprints JSON, Helm command / values.yaml and Docker command",
        description="Export what the deployed Ocean Custom integration needs. Without --out one format is printed "
                    "on stdout (default yaml); with --out DIR the chosen format(s) are written there.",
    )
    parser.add_argument("project", nargs="?", default=DEFAULT_PROJECT_FILE,
                        help=f"project file (default {DEFAULT_PROJECT_FILE})")
    parser.add_argument("--out", metavar="DIR", help="write files into DIR instead of printing")
    parser.add_argument("--format", choices=CHOICES, default=None,
                        help="which export (default: all with --out, yaml on stdout)")
    parser.add_argument("--reveal-secrets", action="store_true",
                        help="write real secret values from the environment instead of $VAR references")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    environment.install(project)  # `env` as the deployed integration sees it (main restores it)
    fmt = args.format or ("all" if args.out else "yaml")
    if fmt == "all":
        files = export_all(project, reveal_secrets=args.reveal_secrets)
    else:
        files = {FORMATS[fmt]: export_format(project, fmt, reveal_secrets=args.reveal_secrets)}
    errors = [f for f in lint_project(project) if f.severity == "error"]
    if errors:
        print(f"cursor-builder: note: {len(errors)} lint error(s): the deployed integration will differ from the "
              "preview; run `cursor-builder lint` for details", file=sys.stderr)
    if args.reveal_secrets:
        print("cursor-builder: warning: the export contains secrets; do not commit or share it", file=sys.stderr)
    if not args.out:
        if len(files) > 1:
            for name, text in files.items():
                sys.stdout.write(f"# ===== {name} =====\n{text}")
        else:
            sys.stdout.write(next(iter(files.values())))
        return 0
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            path = out / name
            path.write_text(text, encoding="utf-8")
            if name.endswith(".sh"):
                path.chmod(0o755)
            if args.reveal_secrets:
                path.chmod(path.stat().st_mode & ~0o077)  # secrets: owner only
            print(f"wrote {path}", file=sys.stderr)
    except OSError as exc:
        raise UserError(f"{args.out}: cannot write: {exc.strerror}") from None
    return 0


