"""``cursor-builder``: the TUI with no arguments, headless subcommands otherwise.

Each subcommand lives in its own module exposing ``register(subparsers)``; the module sets
``func`` on its parser. Exit codes: 0 done, 1 ran but some records failed (sync), 2 user error.
A user error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from typing import Sequence

from builder.engine import jqrt
from builder.project.yamlio import ProjectError

# Subcommand modules, in the order `--help` lists them.
SUBCOMMANDS = ("init", "preview", "fetch", "export", "lint", "infer", "sync", "simulate", "catalog", "dashboard", "rehearse")


class UserError(Exception):
    """Raised by subcommands for a problem the user can fix; printed as one line, exit 2."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of ``only`` that one: a command imports what it needs
    (httpx, the simulator, the catalog…) and not what the others do, which halves its start."""
    parser = argparse.ArgumentParser(
        prog="cursor-builder",
        description="Build, check and ship the Port Ocean Custom integration for Cursor usage metrics.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS if only is None else (only,):
        try:
            module = importlib.import_module(f"builder.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"builder.cli.{name}":
                continue  # not built yet
            raise
        module.register(subparsers)
        if name in subparsers.choices:
            _add_json_flag(subparsers.choices[name])
    return parser


def _add_json_flag(parser: argparse.ArgumentParser) -> None:
    """``--json`` on every command that runs (the leaves: ``catalog ls``, not ``catalog``)."""
    nested = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    if nested:
        for child in nested[0].choices.values():
            _add_json_flag(child)
        return
    if "--json" in parser._option_string_actions:
        return
    has_format = any(action.dest == "format" and action.choices and "json" in action.choices
                     for action in parser._actions)
    parser.add_argument("--json", action="store_true",
                        help="for scripts and agents: " + ("the same as --format json" if has_format else
                             'each output line as a JSON object {"line": …}, then {"exit": CODE}')
                        + '; a user error as {"error": …, "exit": 2}')
    parser.set_defaults(json_format=has_format)


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


_tui_ran = False


def _run_tui(args: argparse.Namespace) -> int:
    global _tui_ran
    # Until the first frame the cyclic GC only slows the start (a fifth of its CPU: hundreds of
    # collections over the objects of the imports, the widgets and the sample, nearly none of them
    # garbage). The app turns it back on after its first paint (builder.tui.app.collect_after_start).
    gc.disable()
    # Before Textual defines its widget classes: defining one is ~0.3 ms faster with it.
    from builder.tui import widget_classes

    widget_classes.install()
    from builder.tui.app import run_app

    _tui_ran = True
    return run_app(args.project, demo=args.demo)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `cursor-builder my.yaml` opens the TUI; `cursor-builder preview …` runs a command. One
    # argparse parser cannot hold an optional positional beside subcommands, so dispatch first.
    is_command = bool(argv) and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help"))
    if is_command:
        _show_project_warnings()
    # `env` / `$ENV` in a mapping never read this machine's environment (secrets!): the deployed
    # integration's, which commands that load a project refine (builder.ship.environment).
    environment = jqrt.install_environment({})
    try:
        if not is_command:
            return _run_tui(build_tui_parser().parse_args(argv))
        parser = build_parser(argv[0] if argv[0] in SUBCOMMANDS else None)
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            parser.print_help()
            return 2
        if getattr(args, "json", False):
            return _run_json(args)
        return int(args.func(args) or 0)
    except (ProjectError, UserError) as exc:
        print(f"cursor-builder: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cursor-builder: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `cursor-builder … | head`: the reader left; point stdout at /dev/null so exit's flush is quiet
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    finally:
        jqrt.restore_environment(environment)


def _run_json(args: argparse.Namespace) -> int:
    from builder.cli import jsonio

    lines = None
    if args.json_format:
        args.format = "json"
    else:
        lines = jsonio.JsonLines(sys.stdout)
    real_stdout = sys.stdout
    try:
        if lines is not None:
            sys.stdout = lines  # type: ignore[assignment]
        code = int(args.func(args) or 0)
    except (ProjectError, UserError) as exc:
        print(f"cursor-builder: {exc}", file=sys.stderr)
        jsonio.JsonLines(real_stdout).emit({"error": str(exc), "exit": 2})
        return 2
    finally:
        sys.stdout = real_stdout
        if lines is not None:
            lines.close()
    if lines is not None:
        lines.emit({"exit": code})
    return code


def _show_project_warnings() -> None:
    """Project warnings (unknown keys…) as one ``warning:`` line each on stderr, not Python's two-line form."""
    import warnings

    from builder.project.load import ProjectWarning

    default = warnings.showwarning
    if getattr(default, "project_warnings", False):
        return  # installed by an earlier main() in this process

    def show(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
        if issubclass(category, ProjectWarning):
            print(f"warning: {message}", file=sys.stderr)
        else:
            default(message, category, *args, **kwargs)  # type: ignore[arg-type]

    show.project_warnings = True  # type: ignore[attr-defined]
    warnings.showwarning = show
    warnings.simplefilter("always", ProjectWarning)


def entry() -> None:
    code = main()
    if _tui_ran:
        # After the TUI, the interpreter's teardown (freeing every widget, record and page) takes
        # 1–2 s on this machine and the person waits for it: flush what must be flushed and leave.
        import logging
        import os

        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
