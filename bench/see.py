"""Figures for issue #15: calculation properties per entity (fast path vs jq) and one dashboard
computed over the entities of the preset's samples (scaled). Prints numbers; asserts nothing.

    .venv/bin/python bench/see.py
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from builder.engine import jqrt, mapping
from builder.port.calculations import calculated_values, calculation_input, calculation_properties
from builder.project.presets import load_preset, preset_sample
from builder.see.entities import as_port_reads, group
from builder.see.widgets import compute_page

SCALE = 20


def main() -> None:
    project = load_preset()
    blueprint = project.find_blueprint("cursor_user_usage_record")
    entities = mapping.run(project.find_resource("daily-usage"), preset_sample("cursor", "daily-usage")).entities
    entities = [dict(e, identifier=f"{e['identifier']}-{i}") for i, e in enumerate(entities * SCALE)]
    start = time.perf_counter()
    for entity in entities:
        calculated_values(blueprint, entity)
    fast = (time.perf_counter() - start) / len(entities)
    calcs = calculation_properties(blueprint)
    start = time.perf_counter()
    for entity in entities:
        data = calculation_input(entity, blueprint)
        for spec in calcs.values():
            jqrt.first(spec["calculation"], data, env_access=False)
    slow = (time.perf_counter() - start) / len(entities)
    print(f"calculation properties: {fast * 1e6:.0f} µs per entity (jq only: {slow * 1e6:.0f} µs, "
          f"{slow / fast:.1f}x) over {len(entities)} entities")
    everything = []
    for resource in project.resources:
        everything += mapping.run(resource, preset_sample("cursor", resource.name)).entities * SCALE
    for index, entity in enumerate(everything):
        entity["identifier"] = f"{entity.get('identifier')}-{index}"
    start = time.perf_counter()
    reads = as_port_reads(project, group(everything))
    read_time = time.perf_counter() - start
    start = time.perf_counter()
    compute_page(project.dashboards[0], reads, now=datetime(2026, 5, 5, 12, tzinfo=timezone.utc),
                 blueprints={b["identifier"]: b for b in project.blueprints})
    page_time = time.perf_counter() - start
    print(f"dashboard: {len(everything)} entities read as Port returns them in {read_time * 1000:.0f} ms, "
          f"nine widgets computed in {page_time * 1000:.0f} ms")


if __name__ == "__main__":
    main()
