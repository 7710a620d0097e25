"""``cursor-builder``: the TUI with no arguments, headless subcommands otherwise.

Each subcommand lives in its own module exposing ``register(subparsers)``; the module sets
``func`` on its parser. Exit codes: 0 done, 1 ran but some records failed (sync), 2 user error.
A user error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from builder.project.yamlio import ProjectError

# Subcommand modules, in the order `--help` lists them.
SUBCOMMANDS = ("init", "preview", "fetch", "export", "lint", "infer", "sync", "simulate", "catalog", "dashboard", "rehearse")


class UserError(Exception):
    """Raised by subcommands for a problem the user can fix; printed as one line, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cursor-builder",
        description="Build, check and ship the Port Ocean Custom integration for Cursor usage metrics.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"builder.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"builder.cli.{name}":
                continue  # not built yet
            raise
        module.register(subparsers)
    return parser


def build_tui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cursor-builder",
        description="Open the interactive builder. Headless commands: " + ", ".join(SUBCOMMANDS)
        + " (cursor-builder COMMAND --help).",
    )
    parser.add_argument("project", nargs="?", help="project file (default ./cursor-builder.yaml; created "
                        "from the Cursor preset when missing)")
    parser.add_argument("--demo", action="store_true",
                        help="connect to the built-in Cursor simulator (no API key needed)")
    return parser


def _run_tui(args: argparse.Namespace) -> int:
    from builder.tui.app import run_app

    return run_app(args.project, demo=args.demo)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `cursor-builder my.yaml` opens the TUI; `cursor-builder preview …` runs a command. One
    # argparse parser cannot hold an optional positional beside subcommands, so dispatch first.
    is_command = bool(argv) and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help"))
    try:
        if not is_command:
            return _run_tui(build_tui_parser().parse_args(argv))
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except (ProjectError, UserError) as exc:
        print(f"cursor-builder: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cursor-builder: interrupted", file=sys.stderr)
        return 130


def entry() -> None:
    sys.exit(main())
