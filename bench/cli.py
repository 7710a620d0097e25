"""Whole-process CLI: ``cursor-builder preview --format json`` vs port-ocean's whole process, and memory.

    python bench/cli.py                      # 20,000 events vs port-ocean, then 200,000 events (ours)
    python bench/cli.py --events 20000 --big 0 --runs 3
    python bench/cli.py --no-ocean           # ours only

Data: one raw ``/teams/filtered-usage-events`` response (the API's envelope around N events from
the simulator's generator, as bench/mapping.py) written to a temp folder; the mapping is the Cursor
preset's ``usage-events`` resource. Ours: the installed console script in a fresh process, stdout
to a file, wall time from spawn to exit and CPU time (user + system, the worker processes
included: on a loaded machine the figure to compare, as the wall time depends on the load);
memory in a separate run: the peak of the summed RSS of the process and its workers, sampled
every 20 ms. port-ocean: a fresh oracle-venv process (tests/oracle/ocean_runner.py) that reads
the same response as JSON, maps it with ``JQEntityProcessor.parse_items`` as a resync does and
writes its entities as JSON; same timing.
The two entity lists are compared (key order included) before any figure is printed.
Targets (issue #13): ours ≥ 20× port-ocean at 20,000 events; 200,000 events ≤ 8 s and ≤ 350 MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.mapping import local_events, oracle_python, pages_of, simulator_events  # noqa: E402

PRESET = ROOT / "presets" / "cursor" / "project.yaml"
RESOURCE = "usage-events"
RUNNER = ROOT / "tests" / "oracle" / "ocean_runner.py"


def events(count: int, seed: int) -> list[dict[str, Any]]:
    found = simulator_events(count, seed)
    return found if found is not None else local_events(count, seed)


def write_response(folder: Path, count: int, seed: int) -> Path:
    path = folder / f"usage-events-{count}.json"
    if not path.exists():
        page = pages_of(events(count, seed), count)[0]
        path.write_text(json.dumps(page), encoding="utf-8")
    return path


def cli() -> list[str]:
    script = Path(sys.executable).with_name("cursor-builder")
    return [str(script)] if script.exists() else [sys.executable, "-m", "builder"]


@dataclass
class Timed:
    wall: float  # seconds from spawn to exit
    cpu: float  # user + system seconds of the process and the workers it waited for: what load does not change
    stderr: str


def timed_process(command: list[str], stdin: Path | None, stdout: Path) -> Timed:
    """One child process, from spawn to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdout, "wb") as out, open(stdin or os.devnull, "rb") as inp:
        start = time.perf_counter()
        proc = subprocess.run(command, stdin=inp, stdout=out, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"{command[0]} failed ({proc.returncode}): {proc.stderr.decode()[-400:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Timed(wall, cpu, proc.stderr.decode(errors="replace"))


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (the worker processes count too)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def peak_rss(command: list[str], stdout: Path) -> float:
    """Peak of the summed RSS (MiB) of the command's process tree, sampled every 20 ms."""
    peak = 0
    with open(stdout, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kib(proc.pid))
            time.sleep(0.02)
    if proc.returncode:
        raise SystemExit(f"{command[0]} failed ({proc.returncode})")
    return peak / 1024


def ours(response: Path, out: Path, runs: int) -> tuple[list[Timed], float]:
    command = [*cli(), "preview", str(PRESET), "-r", RESOURCE, "--response", str(response), "--format", "json"]
    timed = [timed_process([*command, "-v"], None, out) for _ in range(runs)]  # -v: streamed? how many processes?
    return timed, peak_rss(command, out)


def _how(timed: list[Timed]) -> str:
    """The median CPU seconds, and how many processes mapped (the preview picks it by the load)."""
    found = re.findall(r"\((\d+) process", " ".join(t.stderr for t in timed))
    processes = "/".join(sorted(set(found))) or "?"
    return f"CPU {statistics.median(t.cpu for t in timed):.2f} s, {processes} process(es)"


def ocean(python: str, response: Path, folder: Path, runs: int) -> tuple[list[float], list[Any]]:
    from builder.project.load import load_project

    mapped = load_project(PRESET).find_resource(RESOURCE).to_ocean()
    # the job holds the response as the raw text it was fetched as: the runner parses it, as Ocean does
    job = folder / "ocean-job.json"
    job.write_text('{"workers": 2, "cases": [{"resource": ' + json.dumps(mapped) + ', "responses": ['
                   + response.read_text(encoding="utf-8") + "]}]}", encoding="utf-8")
    out = folder / "ocean-out.json"
    walls = [timed_process([python, str(RUNNER)], job, out).wall for _ in range(runs)]
    return walls, json.loads(out.read_text())["results"][0]["entities"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=200_000, help="events for the memory run (0: skip)")
    parser.add_argument("--runs", type=int, default=3, help="runs of ours per size (median)")
    parser.add_argument("--ocean-runs", type=int, default=1)
    parser.add_argument("--no-ocean", action="store_true")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "cursor-builder-bench",
                        help="folder for the generated responses (kept between runs)")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"cli benchmark: preset {RESOURCE}, one raw response per size; {os.cpu_count()} CPUs, "
          f"python {sys.version.split()[0]}; load {os.getloadavg()[0]:.2f}")
    rows: list[tuple[str, str, str, str]] = []

    response = write_response(args.data, args.events, args.seed)
    out = args.data / "ours.json"
    timed, rss = ours(response, out, args.runs)
    mine = statistics.median(t.wall for t in timed)
    rows.append((f"ours, {args.events:,} events (median of {args.runs})", f"{mine:.2f} s", f"{rss:.0f} MiB",
                 _how(timed)))
    python = None if args.no_ocean else oracle_python()
    if python:
        ocean_walls, theirs = ocean(python, response, args.data, args.ocean_runs)
        entities = json.loads(out.read_text())["entities"]
        same = entities == theirs and all(list(a) == list(b) for a, b in zip(entities, theirs))
        if not same:
            raise SystemExit(f"entities differ from port-ocean's ({len(entities)} vs {len(theirs)}): no figures")
        theirs_wall = statistics.median(ocean_walls)
        rows.append((f"port-ocean whole process, {args.events:,} events", f"{theirs_wall:.2f} s", "",
                     f"ours {theirs_wall / mine:.1f}x faster (target >= 20x); {len(entities):,} identical entities"))
    elif not args.no_ocean:
        rows.append(("port-ocean", "skipped", "", "no oracle venv (scripts/setup-oracle.sh)"))

    if args.big:
        big = write_response(args.data, args.big, args.seed)
        timed, rss = ours(big, args.data / "ours-big.json", max(1, args.runs // 2))
        wall = statistics.median(t.wall for t in timed)
        verdict = "met" if wall <= 8 and rss <= 350 else "MISSED"
        rows.append((f"ours, {args.big:,} events", f"{wall:.2f} s", f"{rss:.0f} MiB",
                     f"target <= 8 s, <= 350 MiB: {verdict}; file {big.stat().st_size / 2**20:.0f} MiB; "
                     + _how(timed)))

    width = max(len(row[0]) for row in rows)
    for name, wall_text, rss_text, note in rows:
        print(f"  {name:<{width}}  {wall_text:>8}  {rss_text:>8}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
