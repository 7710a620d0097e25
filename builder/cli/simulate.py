"""``cursor-builder simulate``: serve the Cursor API simulator on loopback with uvicorn.

Loopback only on purpose: the demo key is public, so the simulator must never be reachable from
another machine by accident.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from builder.net.asgi import CannotServe, is_loopback, serve_loopback, url_host
from builder.net.faults import fault_spec_arg
from builder.simulator import DEMO_API_KEY, SimulatorConfig, create_app
from builder.simulator.faults import FaultInjector


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "simulate",
        help="serve a simulated Cursor team API on loopback",
        description="Serve a seeded simulation of the Cursor Admin, AI Code Tracking and Analytics APIs "
                    "on a loopback address, for demos and for trying mappings without a real key.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--api-key", default=None,
                        help=f"key to accept (default: ${KEY_ENV}, else the built-in demo key); prefer the "
                             "environment variable: a command-line argument is visible in the process list")
    parser.add_argument("--tier", choices=("team", "enterprise"), default="enterprise",
                        help="plan to simulate; 'team' denies the Enterprise-only endpoints")
    parser.add_argument("--team-size", type=_positive, default=12, help="members in the team (default 12)")
    parser.add_argument("--days", type=_positive, default=30, help="days of history up to now (default 30)")
    parser.add_argument("--seed", type=int, default=42, help="random seed; same seed, same data (default 42)")
    parser.add_argument("--faults", metavar="SPEC", type=fault_spec_arg, default=None,
                        help="inject faults per request, e.g. 429=0.05,500=0.02,reset=0.02,truncate=0.01,"
                             "badjson=0.01,delay=0.1:2s (seeded by --seed) to rehearse a sync against a "
                             "misbehaving API")
    parser.set_defaults(func=run)
    return parser


KEY_ENV = "CURSOR_SIMULATOR_API_KEY"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def banner(host: str, port: int, key: str, config: SimulatorConfig) -> str:
    url = f"http://{url_host(host)}:{port}"
    return "\n".join([
        f"Simulated Cursor API ({config.tier} tier, {config.team_size} members, {config.days} days, "
        f"seed {config.seed}) at {url}",
        f"API key it accepts: {key}" if key == DEMO_API_KEY else f"API key it accepts: the one in ${KEY_ENV} "
        "or --api-key (not shown)",
        f"Try: curl -u {key if key == DEMO_API_KEY else '$' + KEY_ENV}: {url}/teams/members",
        "Press Ctrl+C to stop.",
    ])


def run(args: argparse.Namespace) -> int:
    if not is_loopback(args.host):
        print(f"error: --host {args.host} is not a loopback address; the simulator only serves on "
              "127.0.0.1, ::1 or localhost", file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print(f"error: --port {args.port} is out of range (0-65535)", file=sys.stderr)
        return 2
    if args.api_key:
        print(f"warning: --api-key is visible to every user in the process list; set {KEY_ENV} instead",
              file=sys.stderr)
    key = args.api_key or os.environ.get(KEY_ENV) or DEMO_API_KEY
    try:
        config = SimulatorConfig(api_key=key, tier=args.tier, team_size=args.team_size, days=args.days,
                                 seed=args.seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    app = create_app(config)
    if args.faults is not None:
        app.faults = FaultInjector(config.faults, config.seed, spec=args.faults)
        print(f"injecting faults: {args.faults}", file=sys.stderr)
    try:
        started = serve_loopback(app, args.host, args.port,
                                 lambda port: print(banner(args.host, port, key, config), flush=True))
    except CannotServe as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0 if started else 1
