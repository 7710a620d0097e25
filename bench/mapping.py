"""Mapping throughput: our engine (builder.engine.mapping.run) vs port-ocean's JQEntityProcessor.parse_items.

    python bench/mapping.py                 # 20,000 usage events, pages of 1,000
    python bench/mapping.py --events 5000 --profile

Data: Cursor ``/teams/filtered-usage-events`` pages (cursor-api.md §2.4) from the simulator's own
generator (``builder.simulator``) when present, else tests/oracle/cursor_data.py; deterministic.
Mapping: ~20 fields (identifier with gsub, epoch-ms string → ISO date, tokenUsage conditionals, a
relation). Ours maps the raw pages (data_path included); port-ocean runs in the oracle venv
(scripts/setup-oracle.sh) as a subprocess and times ``parse_items`` INSIDE that process, after
imports, on the already-extracted items. The two entity lists are compared as a sanity check.
Targets: ours >= 20x port-ocean's throughput, and < 50 ms for 1,000 records.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from builder.engine import mapping  # noqa: E402
from builder.engine.mapping import guard  # noqa: E402
from builder.project.load import parse_project  # noqa: E402

RUNNER = ROOT / "tests" / "oracle" / "ocean_runner.py"
NOW = datetime(2026, 5, 5, 12, 0, tzinfo=timezone.utc)

RESOURCE_YAML = r"""
resources:
- kind: /teams/filtered-usage-events
  selector:
    query: 'true'
    method: POST
    data_path: .usageEvents
  port:
    entity:
      mappings:
        identifier: (.timestamp + "-" + .userEmail + "-" + .model + "-" + .kind) | gsub("[^A-Za-z0-9@_.:/=+-]"; "_")
        title: .userEmail + " · " + .model + " · " + (.timestamp | tonumber / 1000 | todate)
        blueprint: '"cursor_usage_event"'
        properties:
          timestamp: (.timestamp | tonumber / 1000 | todate)
          day: (.timestamp | tonumber / 1000 | strftime("%Y-%m-%d"))
          user_email: .userEmail
          model: .model
          kind: .kind
          max_mode: .maxMode
          requests_costs: .requestsCosts
          token_based: .isTokenBasedCall
          chargeable: .isChargeable
          headless: .isHeadless
          input_tokens: if .isTokenBasedCall then .tokenUsage.inputTokens else 0 end
          output_tokens: if .isTokenBasedCall then .tokenUsage.outputTokens else 0 end
          cache_write_tokens: .tokenUsage.cacheWriteTokens // 0
          cache_read_tokens: .tokenUsage.cacheReadTokens // 0
          total_tokens: (.tokenUsage // {}) | [.inputTokens, .outputTokens, .cacheWriteTokens, .cacheReadTokens] | map(. // 0) | add
          model_cents: .tokenUsage.totalCents // 0
          charged_cents: .chargedCents
          token_fee: .cursorTokenFee // 0
          conversation_id: .conversationId
          source: if .cloudAgentId then "cloud-agent" elif .serviceAccountId then "service-account" else "ide" end
        relations:
          user: .userEmail
"""


# -- data ---------------------------------------------------------------------------------------


def simulator_events(count: int, seed: int) -> list[dict[str, Any]] | None:
    """Usage events from the simulator's generator (None when it is not available)."""
    try:
        from builder.simulator.config import SimulatorConfig
        from builder.simulator.generator import World
    except Exception:
        return None
    team_size = 40
    while team_size <= 2000:
        try:
            world = World(SimulatorConfig(seed=seed, now=NOW, team_size=team_size, days=30))
            events = world.usage_events(world.now_ms - 30 * 86_400_000, world.now_ms)
        except Exception:
            return None
        if len(events) >= count:
            return [copy.deepcopy(event.payload) for event in events[:count]]
        team_size = int(team_size * max(1.2, count / max(1, len(events)) * 1.1))
    return None


def local_events(count: int, seed: int) -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "tests" / "oracle"))
    import cursor_data

    return cursor_data.usage_events(count, seed=seed, now=NOW)


def pages_of(events: list[dict[str, Any]], page_size: int) -> list[dict[str, Any]]:
    """The API's own envelope (cursor-api.md §2.4) around each page of events."""
    pages = max(1, -(-len(events) // page_size))
    end = int(NOW.timestamp() * 1000)
    return [{
        "totalUsageEventsCount": len(events),
        "pagination": {"numPages": pages, "currentPage": p, "pageSize": page_size, "hasNextPage": p < pages,
                       "hasPreviousPage": p > 1},
        "usageEvents": events[(p - 1) * page_size: p * page_size],
        "period": {"startDate": end - 30 * 86_400_000, "endDate": end},
    } for p in range(1, pages + 1)]


# -- measuring ------------------------------------------------------------------------------------


def timed(fn, repeat: int) -> tuple[list[float], Any]:
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return runs, result


def oracle_python() -> str | None:
    explicit = os.environ.get("ORACLE_PYTHON")
    if explicit and Path(explicit).exists():
        return explicit
    default = ROOT / ".oracle-venv" / "bin" / "python"
    return str(default) if default.exists() else None


def run_ocean(python: str, resource: dict[str, Any], pages: list[list[Any]], workers: int,
              repeat: int) -> dict[str, Any]:
    job = {"workers": workers, "bench": {"resource": resource, "pages": pages, "repeat": repeat,
                                         "return_entities": True}}
    start = time.perf_counter()
    proc = subprocess.run([python, str(RUNNER)], input=json.dumps(job), capture_output=True, text=True,
                          timeout=3600, cwd=str(ROOT))
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"oracle runner failed:\n{proc.stderr[-3000:]}")
    answer = json.loads(proc.stdout)
    answer["wall_incl_startup"] = wall
    return answer


def rate(records: int, seconds: float) -> str:
    return f"{records / seconds:,.0f}/s" if seconds > 0 else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=1_000, help="events per API page (max 1000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=5, help="runs of our engine on the full set (median)")
    parser.add_argument("--repeat-1k", type=int, default=21, help="runs of our engine on 1,000 records")
    parser.add_argument("--ocean-repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="Ocean's process_in_queue_max_workers (its default is the CPU limit)")
    parser.add_argument("--no-ocean", action="store_true", help="skip port-ocean")
    parser.add_argument("--profile", action="store_true", help="cProfile one run of our engine")
    args = parser.parse_args(argv)

    source = "simulator"
    events = simulator_events(args.events, args.seed)
    if events is None:
        source, events = "local generator", local_events(args.events, args.seed)
    pages = pages_of(events, args.page_size)
    resource = parse_project(RESOURCE_YAML).resources[0]
    leaves = len(list(mapping.iter_leaf_paths(resource.mappings)))

    # ours: the whole pipeline over the raw pages (data_path + selector + mapping + payloads)
    mapping.clear_compiled_cache()
    cold_runs, _ = timed(lambda: mapping.run(resource, pages), 1)
    runs, result = timed(lambda: mapping.run(resource, pages), args.repeat)
    ours = statistics.median(runs)
    one_page = pages_of(events[:1000], 1000)
    runs_1k, result_1k = timed(lambda: mapping.run(resource, one_page), args.repeat_1k)
    ours_1k = statistics.median(runs_1k)

    # where the 1,000-record time goes (same engine, one stage at a time)
    extract_ms = statistics.median(timed(lambda: mapping.extract_items(one_page, resource.data_path), 7)[0]) * 1000
    records = mapping.extract_items(one_page, resource.data_path).records
    compiled = mapping.compile_mapping(resource.mappings, resource.query)
    evaluate_ms = statistics.median(timed(lambda: compiled.evaluate_rows(records, clean=True), 7)[0]) * 1000
    no_gsub = copy.deepcopy(resource)
    no_gsub.mappings["identifier"] = '(.timestamp + "-" + .userEmail + "-" + .model + "-" + .kind)'
    mapping.run(no_gsub, one_page)
    no_gsub_ms = statistics.median(timed(lambda: mapping.run(no_gsub, one_page), 7)[0]) * 1000

    # the runtime guard off (no record checked against jq): what the guard costs. Everything
    # else in this bench runs with it on, as the product does.
    saved_guard = guard.FIRST, guard.RATE
    guard.FIRST, guard.RATE = 0, 0.0
    mapping.clear_compiled_cache()
    mapping.run(resource, one_page)
    unguarded_1k = statistics.median(timed(lambda: mapping.run(resource, one_page), args.repeat_1k)[0])
    unguarded = statistics.median(timed(lambda: mapping.run(resource, pages), args.repeat)[0])
    guard.FIRST, guard.RATE = saved_guard
    mapping.clear_compiled_cache()
    mapping.run(resource, one_page)
    # a freshly compiled mapping checks its first records: what the TUI pays once per edit
    fresh_ms = statistics.median(timed(lambda: (mapping.clear_compiled_cache(), mapping.run(resource, one_page)),
                                       7)[0]) * 1000
    guard.FIRST, guard.RATE = 0, 0.0
    fresh_unguarded_ms = statistics.median(timed(lambda: (mapping.clear_compiled_cache(),
                                                          mapping.run(resource, one_page)), 7)[0]) * 1000
    guard.FIRST, guard.RATE = saved_guard
    mapping.clear_compiled_cache()
    mapping.run(resource, one_page)

    # the same engine with every field in jq: what jqnative buys
    mapping.run(resource, one_page, native=False)
    jq_only_ms = statistics.median(timed(lambda: mapping.run(resource, one_page, native=False), 7)[0]) * 1000

    print(f"mapping benchmark: {len(events):,} Cursor usage events ({source}, seed {args.seed}), "
          f"{len(pages)} pages of {args.page_size}, {leaves} JQ fields; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    compiled.jq_records = 0
    mapping.run(resource, pages)
    print(f"  our engine: {result.kept:,} entities, {len(result.dropped)} dropped; fields compiled to Python "
          f"(builder.engine.jqnative): {compiled.native_fields} of {leaves + 1} incl. the selector; records handed to jq: "
          f"{compiled.jq_records}")

    rows: list[tuple[str, str, str, str]] = []
    rows.append((f"ours  builder.engine.mapping.run, {len(events):,} records (median of {args.repeat})",
                 f"{ours * 1000:,.1f} ms", rate(len(events), ours), ""))
    rows.append(("ours  first run (compiles the mapping)", f"{cold_runs[0] * 1000:,.1f} ms",
                 rate(len(events), cold_runs[0]), ""))
    rows.append((f"ours  1,000 records (median of {args.repeat_1k})", f"{ours_1k * 1000:,.2f} ms",
                 rate(1000, ours_1k), "target < 50 ms: " + ("met" if ours_1k < 0.05 else "MISSED")))
    rows.append(("        of which data_path (+ jq-exact number check)", f"{extract_ms:,.2f} ms", "", ""))
    rows.append(("        of which evaluating the fields (jqnative; jq where it bails)", f"{evaluate_ms:,.2f} ms",
                 "", ""))
    rows.append(("        the same 1,000 with the identifier's gsub removed", f"{no_gsub_ms:,.2f} ms",
                 rate(1000, no_gsub_ms / 1000), "(gsub's share ~%.0f ms)" % (ours_1k * 1000 - no_gsub_ms)))
    rows.append((f"ours  1,000 records, runtime guard off (first {guard.FIRST} + 1/{round(1 / guard.RATE)} "
                 "sampled when on)", f"{unguarded_1k * 1000:,.2f} ms", rate(1000, unguarded_1k),
                 f"guard costs {(ours_1k - unguarded_1k) * 1000:+,.2f} ms ({(ours_1k / unguarded_1k - 1) * 100:+.0f}%)"))
    rows.append((f"ours  {len(events):,} records, runtime guard off", f"{unguarded * 1000:,.1f} ms",
                 rate(len(events), unguarded), f"guard costs {(ours / unguarded - 1) * 100:+.0f}%"))
    rows.append(("ours  1,000 records, mapping compiled anew (the TUI after an edit), guard on / off",
                 f"{fresh_ms:,.1f} ms", rate(1000, fresh_ms / 1000),
                 f"guard off: {fresh_unguarded_ms:,.1f} ms (first records checked: {fresh_ms - fresh_unguarded_ms:+,.1f} ms)"))
    rows.append(("ours  1,000 records with every field in jq (native=False)", f"{jq_only_ms:,.2f} ms",
                 rate(1000, jq_only_ms / 1000), f"jqnative: {jq_only_ms / (ours_1k * 1000):,.1f}x faster"))

    verdicts = []
    python = None if args.no_ocean else oracle_python()
    if python is None and not args.no_ocean:
        print("  port-ocean: oracle venv not found (run scripts/setup-oracle.sh); skipped")
    if python:
        raw_pages = [page["usageEvents"] for page in pages]
        answer = run_ocean(python, resource.to_ocean(), raw_pages, args.workers, args.ocean_repeat)
        n = answer["records"]
        per_page = statistics.median(answer["per_page"])
        one_batch = statistics.median(answer["one_batch"])
        in_process = statistics.median(answer["in_process"])
        startup = statistics.median(answer["pool_startup"])
        same = json.dumps(answer["entities"]) == json.dumps(result.entities)
        print(f"  port-ocean 0.56.2: {answer['entity_count']:,} entities, process_in_queue_max_workers="
              f"{answer['workers']}; identical to ours (values and key order): {'yes' if same else 'NO'}")
        for label, seconds in (
                (f"ocean parse_items per page ({len(pages)} batches, a pool each, as a resync)", per_page),
                ("ocean parse_items, one batch of everything (one pool)", one_batch),
                ("ocean same minus pool start/stop (one_batch - startup)", max(1e-9, one_batch - startup)),
                ("ocean per-item mapping in-process, no pool (1 core)", in_process)):
            rows.append((label, f"{seconds * 1000:,.0f} ms", rate(n, seconds), f"ours {seconds / ours:,.1f}x faster"))
        rows.append(("ocean pool start/stop (parse_items on 1 item)", f"{startup * 1000:,.0f} ms", "", ""))
        rows.append(("ocean subprocess wall time incl. interpreter + imports",
                     f"{answer['wall_incl_startup'] * 1000:,.0f} ms", "", "(not used in ratios)"))
        worst = min(per_page, one_batch, max(1e-9, one_batch - startup), in_process)
        verdicts.append(f"ratio vs Ocean's fastest variant, runtime guard on: {worst / ours:,.1f}x "
                        f"(target >= 20x: {'met' if worst / ours >= 20 else 'MISSED'}); "
                        f"vs a resync's per-page batches: {per_page / ours:,.1f}x")
        if not same:
            verdicts.append("WARNING: entity lists differ from Ocean's; see tests/oracle")

    width = max(len(r[0]) for r in rows)
    print()
    print(f"  {'what':<{width}}  {'time':>11}  {'records/s':>12}  note")
    for label, seconds, per_s, note in rows:
        print(f"  {label:<{width}}  {seconds:>11}  {per_s:>12}  {note}")
    print()
    for verdict in verdicts:
        print("  " + verdict)
    command = "python bench/mapping.py" + ("" if argv is None and len(sys.argv) == 1 else
                                           " " + " ".join(argv if argv is not None else sys.argv[1:]))
    print(f"  command: {command}   (project venv; port-ocean from .oracle-venv or $ORACLE_PYTHON)")

    if args.profile or ours_1k >= 0.05:
        profiler = cProfile.Profile()
        profiler.enable()
        mapping.run(resource, pages)
        profiler.disable()
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(12)
        print("\n  cProfile of one full run (by own time; jq runs inside evaluate):")
        print("\n".join("    " + line for line in buffer.getvalue().splitlines() if line.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
