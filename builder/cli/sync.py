"""``cursor-builder sync``: plan and run a direct sync to Port (EU / US) or the local catalog.

Prints the plan (create / update / unchanged / stale per blueprint), then runs it with a progress
bar on a terminal (plain lines otherwise) and a summary. Ctrl+C or SIGTERM cancels safely: requests
in flight finish, the rest are written to the failures file as "not sent: cancelled" (a second
signal aborts at once, with what was not confirmed recorded as cancelled; exit 130). Exit codes: 0 everything synced, 1 some records failed (see
``<project>.failures.jsonl``; ``--retry-failed`` re-sends them), 2 user error.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from builder.cli import UserError
from builder.project.load import load_project
from builder.project.model import DEFAULT_PROJECT_FILE
from builder.project.yamlio import ProjectError
from builder.ship import environment

if TYPE_CHECKING:
    from builder.project.model import Project


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "sync",
        help="sync the project's resources into Port or the local catalog",
        description="Fetch every resource, map it exactly as Ocean would, compare with the target and upsert "
                    "what changed. The target is Port (needs PORT_CLIENT_ID / PORT_CLIENT_SECRET) or the "
                    "embedded local catalog (default in demo mode or without Port credentials; stored in "
                    "~/.local/share/cursor-builder/catalog.db unless --db). Records that fail are written to "
                    "<project>.failures.jsonl. Exit codes: 0 all synced, 1 some records failed, 2 user error.",
    )
    parser.add_argument("project", nargs="?", default=DEFAULT_PROJECT_FILE,
                        help=f"project file (default {DEFAULT_PROJECT_FILE})")
    parser.add_argument("--demo", action="store_true", help="fetch from the built-in Cursor simulator")
    parser.add_argument("--target", choices=("port", "local"), default=None,
                        help="where to write (default: local in demo mode or without Port credentials, else port)")
    parser.add_argument("--region", choices=("eu", "us"), default=None,
                        help="Port region (default: the project's port.region, else eu)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and write nothing")
    parser.add_argument("--resource", "-r", action="append", metavar="NAME",
                        help="only this resource (name or kind); repeatable")
    parser.add_argument("--delete-stale", action="store_true",
                        help="also delete entities this integration wrote earlier that the source no longer has "
                             "(stopped by entityDeletionThreshold)")
    parser.add_argument("--retry-failed", metavar="FILE", help="re-send exactly the records of a failures file")
    parser.add_argument("--db", metavar="FILE", help="local catalog database (with --target local)")
    parser.set_defaults(func=run)
    return parser


class ProgressPrinter:
    """A one-line bar redrawn in place on a terminal; phase lines and 10 % steps otherwise."""

    def __init__(self, stream: TextIO, tty: bool | None = None) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.phase: tuple[str, str] = ("", "")
        self.last_step = -1
        self.last_draw = 0.0
        self.drawn = False

    def __call__(self, progress: Any) -> None:
        if (progress.phase, progress.message) != self.phase:
            self.phase = (progress.phase, progress.message)
            self.clear()
            if progress.phase not in ("done", "upsert"):
                print(f"… {progress.message}", file=self.stream, flush=True)
        total = progress.total()
        if progress.phase != "upsert" or not total.planned:
            return
        if self.tty:
            now = time.monotonic()
            if now - self.last_draw < 0.05 and total.done < total.planned:
                return  # redrawing faster than the eye helps nobody and slows big syncs
            self.last_draw = now
            width = 30
            filled = int(width * progress.fraction)
            parts = [f"{r} → {b} {c.done}/{c.planned}" for (r, b), c in sorted(progress.counts.items()) if c.planned]
            line = (f"\r[{'#' * filled}{'-' * (width - filled)}] {progress.fraction:4.0%} {total.done}/{total.planned}"
                    f" · {' · '.join(parts)}" + (f" · {total.failed} failed" if total.failed else ""))
            self.stream.write(line[:200].ljust(80))
            self.stream.flush()
            self.drawn = True
        else:
            step = int(progress.fraction * 10)
            if step != self.last_step:
                self.last_step = step
                print(f"upsert: {total.done}/{total.planned} ({total.created} created, {total.updated} updated, "
                      f"{total.failed} failed)", file=self.stream, flush=True)

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    environment.install(project)  # `env` as the deployed integration sees it (main restores it)
    if args.retry_failed and (args.resource or args.delete_stale):
        raise UserError("--retry-failed re-sends the records of a file: it takes no --resource / --delete-stale")
    if args.db and args.target == "port":
        raise UserError("--db is the local catalog's database: it does not go with --target port")
    try:
        return asyncio.run(_run(args, project))
    except ProjectError as exc:
        raise UserError(str(exc)) from None
    except asyncio.CancelledError:
        # A second Ctrl+C / SIGTERM: the run stopped at once, and what it had not confirmed was
        # written to the failures file as cancelled before we got here.
        print("cursor-builder: aborted; records not confirmed are in the failures file (--retry-failed re-sends "
              "them)", file=sys.stderr)
        return 130


async def _run(args: argparse.Namespace, project: Project) -> int:
    from builder.sync.failures import FailuresFileError, failures_path
    from builder.port.outcomes import PortAuthError, PortError
    from builder.sync.report import SyncProgress
    from builder.sync.run import dry_run_report, plan_sync, retry_failed, run_plan
    from builder.sync.target import open_target

    if args.resource:
        for name in args.resource:
            project.find_resource(name)  # unknown names are a user error before anything runs
    target = open_target(project, target=args.target, region=args.region, db=args.db, demo=args.demo,
                         dry_run=args.dry_run)
    out, err = sys.stdout, sys.stderr
    print(f"target: {target.description}" + (f" — {target.reason}" if target.reason else ""), file=out)
    for warning in target.client.warnings:
        print(f"warning: {warning}", file=err)
    cancel = asyncio.Event()
    printer = ProgressPrinter(err)
    loop = asyncio.get_running_loop()
    presses = {"n": 0}
    main_task = asyncio.current_task()

    def on_interrupt() -> None:
        # SIGTERM (a service manager, `kill`) is handled like Ctrl+C: stopping must not lose records.
        presses["n"] += 1
        if presses["n"] > 1:
            if main_task is not None:
                main_task.cancel()  # run_plan records what is unconfirmed before the task ends
            return
        printer.clear()
        print("cancelling: requests in flight finish, the rest are recorded as not sent (Ctrl+C again to abort)",
              file=err, flush=True)
        cancel.set()

    for signum in STOP_SIGNALS:
        try:
            loop.add_signal_handler(signum, on_interrupt)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (tests) or no signals on this platform
    source = None
    try:
        try:
            await target.client.authenticate()
        except PortAuthError as exc:
            raise UserError(str(exc)) from None
        progress = SyncProgress()
        if args.retry_failed:
            try:
                report = await retry_failed(project, target.client, args.retry_failed, cancel=cancel,
                                            on_progress=printer, target=target.description, dry_run=args.dry_run)
            except FailuresFileError as exc:
                raise UserError(str(exc)) from None
            print("\n".join(report.plan.lines()[1:]), file=out)
        else:
            if args.demo:
                from builder.source.client import Source

                source = Source.demo(project)
            plan = await plan_sync(project, target.client, resources=args.resource, delete_stale=args.delete_stale,
                                   source=source, target=target.description, on_progress=printer, progress=progress)
            printer.clear()
            print("\n".join(plan.lines()[1:]), file=out, flush=True)  # line 0 (target) is printed above
            if args.dry_run:
                report = dry_run_report(plan)
            elif cancel.is_set():
                print("cancelled before anything was written: run the sync again to send it", file=err)
                return 1
            else:
                report = await run_plan(project, target.client, plan, cancel=cancel, on_progress=printer,
                                        failures_file=failures_path(project.path or Path(args.project)),
                                        replace_resources=[r.name for r in plan.resources], progress=progress)
        printer.clear()
        print("\n".join(report.lines()), file=out)
        if report.dry_run and report.failures:
            print(f"{len(report.failures)} records would fail before sending:", file=out)
            for failure in report.failures[:10]:
                print(f"  {failure.resource} {failure.identifier or ''}: {failure.stage}: {failure.reason}", file=out)
        return report.exit_code
    except PortError as exc:
        printer.clear()
        print(f"cursor-builder: {exc}", file=err)
        return 1
    finally:
        for signum in STOP_SIGNALS:
            try:
                loop.remove_signal_handler(signum)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        if source is not None:
            await source.aclose()
        await target.aclose()
