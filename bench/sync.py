"""Sync throughput into the embedded catalog over loopback, against a naive baseline.

    python bench/sync.py [--entities 20000] [--baseline 2000] [--deadline 120]

Starts the catalog with ``cursor-builder catalog serve`` (uvicorn) on 127.0.0.1 in its own process (a
free port, a fresh SQLite file), so client and server do not share one interpreter, then:

1. sync: the real ``builder.sync.run.sync`` of N usage events (mapping → plan with comparison searches →
   staged blueprints → concurrent bulk upserts of ≤ 20) through ``PortClient`` over loopback;
2. re-sync: the same N again (all unchanged: the plan compares and sends nothing);
3. naive: one ``POST /v1/blueprints/{bp}/entities`` per entity, sequentially, with the same HTTP
   client, for ``--baseline`` entities (fewer than N: its rate is extrapolated to N, and says so).

Prints entities/second for each and the ratio. Every phase stops at ``--deadline`` seconds overall
(the sync is cancelled safely and the rate is computed on what was sent).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from builder.port.catalog import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET  # noqa: E402
from builder.port.client import PortClient  # noqa: E402
from builder.project.load import parse_project  # noqa: E402
from builder.sync.run import sync  # noqa: E402

PROJECT = """\
version: 1
integration: {identifier: cursor-usage, type: custom, config: {baseUrl: https://api.cursor.com}}
portAppConfig:
  resources:
  - kind: /teams/filtered-usage-events
    selector: {query: 'true', method: POST, data_path: .usageEvents}
    port:
      entity:
        mappings:
          identifier: .timestamp + "-" + .userEmail
          title: .userEmail + " " + .model
          blueprint: '"cursorUsageEvent"'
          properties:
            timestamp: .timestamp | tonumber / 1000 | todate
            email: .userEmail
            model: .model
            kind: .kind
            input_tokens: .tokenUsage.inputTokens
            output_tokens: .tokenUsage.outputTokens
            cache_read_tokens: .tokenUsage.cacheReadTokens
            charged_cents: .chargedCents
            max_mode: .maxMode
    x-builder: {name: usage events}
blueprints:
- identifier: cursorUsageEvent
  title: Cursor usage event
  schema:
    properties:
      timestamp: {type: string, format: date-time}
      email: {type: string, format: email}
      model: {type: string}
      kind: {type: string}
      input_tokens: {type: number}
      output_tokens: {type: number}
      cache_read_tokens: {type: number}
      charged_cents: {type: number}
      max_mode: {type: boolean}
    required: [timestamp]
"""
MODELS = ("claude-4.5-sonnet", "gpt-5", "composer-1", "claude-4.5-opus")


def events(n: int) -> list[dict[str, Any]]:
    return [{"timestamp": str(1777900000000 + i * 997), "userEmail": f"dev{i % 40}@northwind.dev",
             "model": MODELS[i % len(MODELS)], "kind": "Usage-based", "maxMode": i % 9 == 0, "requestsCosts": 1,
             "isTokenBasedCall": True, "isChargeable": True, "isHeadless": False,
             "tokenUsage": {"inputTokens": 900 + i % 5000, "outputTokens": 120 + i % 700, "cacheWriteTokens": 0,
                            "cacheReadTokens": 20000 + i % 9000, "totalCents": 1.25},
             "chargedCents": round((i % 500) / 7, 4)} for i in range(n)]


class LoopbackServer:
    """``cursor-builder catalog serve --port 0`` in a child process; the URL is read from its banner."""

    def __init__(self, db: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "builder", "catalog", "serve", "--host", "127.0.0.1", "--port", "0", "--db",
             str(db)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])

    def __enter__(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # the first banner line names the URL
        if " at http://" not in line:
            self.process.kill()
            raise SystemExit(f"the catalog server did not start: {line.strip() or 'no output'}")
        return line.split(" at ", 1)[1].split(" ", 1)[0]

    def __exit__(self, *exc: Any) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def run_sync(url: str, n: int, remaining: float) -> tuple[float, int, int, str, dict[str, float]]:
    project = parse_project(PROJECT, "bench.yaml")
    pages = {"usage events": [{"usageEvents": chunk} for chunk in
                              (lambda data: [data[i:i + 1000] for i in range(0, len(data), 1000)])(events(n))]}
    cancel = asyncio.Event()
    loop = asyncio.get_running_loop()
    timer = loop.call_later(max(remaining, 1), cancel.set)
    phases: dict[str, float] = {}

    def on_progress(progress: Any) -> None:
        phases.setdefault(progress.phase, time.perf_counter())

    async with PortClient(base_url=url, client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET) as client:
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            report = await sync(project, client, pages=pages, cancel=cancel, failures_file=Path(tmp) / "f.jsonl",
                                on_progress=on_progress)
        end = time.perf_counter()
    timer.cancel()
    total = report.total()
    # Phase durations: fetch = mapping (pages are given), plan = validation + comparison searches,
    # load = blueprints + bulk upserts (+ deletes).
    marks = [("map", phases.get("fetch", start)), ("plan", phases.get("plan", start)),
             ("load", phases.get("blueprints", phases.get("upsert", end))), ("end", end)]
    durations = {name: max(marks[i + 1][1] - at, 0.0) for i, (name, at) in enumerate(marks[:-1])}
    note = "cancelled at the deadline" if report.cancelled else ("" if report.ok else f"{len(report.failures)} failed")
    return end - start, total.created + total.updated, total.unchanged, note, durations


async def run_naive(url: str, n: int, remaining: float) -> tuple[float, int]:
    project = parse_project(PROJECT, "bench.yaml")
    from builder.engine import mapping

    entities = mapping.run(project.resources[0], [{"usageEvents": events(n)}]).entities
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        token = (await http.post("/v1/auth/access_token", json={"clientId": LOCAL_CLIENT_ID,
                                                               "clientSecret": LOCAL_CLIENT_SECRET})).json()
        headers = {"Authorization": f"Bearer {token['accessToken']}"}
        blueprint = parse_project(PROJECT).blueprints[0]
        await http.post("/v1/blueprints", json={**blueprint, "identifier": "naiveUsageEvent"}, headers=headers)
        deadline = time.perf_counter() + remaining
        start = time.perf_counter()
        sent = 0
        for entity in entities:
            if time.perf_counter() > deadline:
                break
            response = await http.post("/v1/blueprints/naiveUsageEvent/entities", json=entity, headers=headers,
                                       params={"upsert": "true", "merge": "true"})
            response.raise_for_status()
            sent += 1
        return time.perf_counter() - start, sent


def mapping_cost(n: int) -> tuple[float, float]:
    """Seconds to map ``n`` events as the sync does (every field in jq: what a sync writes never
    rests on the fast path) and with the fast path (what the preview uses)."""
    from builder.engine import mapping

    resource = parse_project(PROJECT, "bench.yaml").resources[0]
    pages = [{"usageEvents": chunk} for chunk in
             (lambda data: [data[i:i + 1000] for i in range(0, len(data), 1000)])(events(n))]
    out = []
    for native in (False, True):
        mapping.run(resource, pages[:1], native=native)  # compile
        start = time.perf_counter()
        mapping.run(resource, pages, native=native)
        out.append(time.perf_counter() - start)
    return out[0], out[1]


def _phases(phases: dict[str, float]) -> str:
    return "(" + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.items()) + ")"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--baseline", type=int, default=2_000, help="entities for the naive baseline")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds for the whole benchmark")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        with LoopbackServer(Path(tmp) / "catalog.db") as url:
            print(f"catalog: {url} (uvicorn in a child process, loopback; SQLite file in a temp dir)")
            left = lambda: args.deadline - (time.monotonic() - started)  # noqa: E731
            elapsed, sent, _, note, phases = asyncio.run(run_sync(url, args.entities, left() * 0.6))
            sync_rate = sent / elapsed if elapsed else 0.0
            load_rate = sent / phases["load"] if phases["load"] else 0.0
            print(f"sync     : {sent:>6} entities in {elapsed:6.2f} s = {sync_rate:8.0f} entities/s end to end "
                  f"{_phases(phases)}{' — ' + note if note else ''}")
            print(f"  loading: {sent:>6} entities in {phases['load']:6.2f} s = {load_rate:8.0f} entities/s "
                  "(staged blueprints + concurrent bulk upserts of ≤ 20)")
            elapsed2, sent2, unchanged, note2, phases2 = asyncio.run(run_sync(url, args.entities, left() * 0.5))
            print(f"re-sync  : {unchanged:>6} unchanged in {elapsed2:6.2f} s, {sent2} sent (idempotent) "
                  f"{_phases(phases2)}{' — ' + note2 if note2 else ''}")
            naive_elapsed, naive_sent = asyncio.run(run_naive(url, min(args.baseline, args.entities), left()))
            naive_rate = naive_sent / naive_elapsed if naive_elapsed else 0.0
            print(f"naive    : {naive_sent:>6} entities in {naive_elapsed:6.2f} s = {naive_rate:8.0f} entities/s "
                  "(one POST per entity, sequential)")
            if naive_sent < args.entities and naive_rate:
                print(f"           extrapolated to {args.entities}: {args.entities / naive_rate:6.1f} s "
                      f"(baseline ran on {naive_sent} entities)")
            jq_seconds, native_seconds = mapping_cost(args.entities)
            print(f"mapping  : {args.entities:>6} records in {jq_seconds:6.2f} s with every field in jq, as the sync "
                  f"maps (the fast path would take {native_seconds:.2f} s: jq costs the sync "
                  f"{jq_seconds - native_seconds:+.2f} s, {(jq_seconds - native_seconds) / elapsed * 100:.0f}% of it)")
            if naive_rate:
                print(f"ratio    : loading is {load_rate / naive_rate:.1f}× the naive rate; the whole sync "
                      f"(mapping and plan included) is {sync_rate / naive_rate:.1f}×")
    print(f"total bench time {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
