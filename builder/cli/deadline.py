"""``--request-deadline``, shared by every command that fetches live (``fetch``, ``preview --live``).

No httpx here: ``preview --response`` parses its arguments without loading the HTTP stack.
"""

from __future__ import annotations

import argparse

from builder.cli import UserError
from builder.net.retry import DEFAULT_REQUEST_DEADLINE


def add_request_deadline(parser: argparse.ArgumentParser) -> None:
    # default None, not the number: "not given" lets each resource's x-builder.requestDeadline apply.
    parser.add_argument("--request-deadline", type=float, default=None, metavar="SECONDS",
                        help="give up on one request (connect to last byte) after this long (default: the "
                             f"resource's x-builder.requestDeadline, else {DEFAULT_REQUEST_DEADLINE:g}; the TUI "
                             "uses the same)")


def check_request_deadline(args: argparse.Namespace) -> None:
    """One line, exit 2, for a deadline that is not a positive number (NaN included)."""
    if args.request_deadline is not None and not args.request_deadline > 0:
        raise UserError("--request-deadline must be a number of seconds above 0")
