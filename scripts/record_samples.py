"""Record one sample response per preset resource from the simulator.

    python scripts/record_samples.py [--preset cursor] [--check]

Fixed seed, fixed clock and a small team, so the samples are reproducible and small enough to keep
in the repository. Every page the builder would fetch is recorded (x-builder pagination and the
rolling window applied, clock fixed), with the enterprise tier so that every endpoint answers.
``--check`` records into memory and fails if a committed sample differs (CI's freshness check).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.project.presets import load_preset, sample_path  # noqa: E402
from builder.simulator import SimulatorConfig  # noqa: E402
from builder.source.client import Source  # noqa: E402

NOW = datetime(2026, 5, 5, 12, 0, tzinfo=timezone.utc)
CONFIG = dict(team_size=3, days=14, seed=42, tier="enterprise")


def simulator_config() -> SimulatorConfig:
    return SimulatorConfig(now=NOW, rate_limits=False, **CONFIG)


async def record(preset: str) -> dict[str, dict]:
    project = load_preset(preset)
    out: dict[str, dict] = {}
    async with Source.demo(project, simulator_config(), now=NOW.timestamp()) as source:
        for resource in project.resources:
            result = await source.fetch(resource, compare_ocean=False)
            if result.error:
                raise SystemExit(f"{resource.name}: {result.error}")
            out[resource.name] = {
                "resource": resource.name,
                "kind": resource.kind,
                "recorded": {"source": "cursor-builder simulator", "now": NOW.isoformat(), **CONFIG,
                             "pages": len(result.pages), "stop": result.coverage.stop_reason},
                "pages": result.pages,
            }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="cursor")
    parser.add_argument("--check", action="store_true", help="fail if a committed sample is out of date")
    args = parser.parse_args(argv)
    samples = asyncio.run(record(args.preset))
    stale = []
    for name, sample in samples.items():
        path = sample_path(args.preset, name)
        text = json.dumps(sample, separators=(",", ":"), ensure_ascii=False) + "\n"
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}: "
              f"{sample['recorded']['pages']} page(s)")
    if stale:
        print("out of date: " + ", ".join(stale) + " (run scripts/record_samples.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
