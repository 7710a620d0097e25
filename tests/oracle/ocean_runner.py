"""Differential oracle: map responses with port-ocean itself (run under the oracle venv's python).

NOT a test module (pytest does not collect it; see conftest.py). Usage::

    .oracle-venv/bin/python tests/oracle/ocean_runner.py < job.json

Job on stdin::

    {"cases": [{"resource": {kind, selector, port, ...}, "responses": [<page JSON>, ...]}, ...],
     "env_access": true, "workers": 2}

(``{"bench": {...}}`` instead of ``cases`` times parse_items for bench/mapping.py; see timed_parse.)

Answer on stdout (key order of every entity exactly as Ocean produces it)::

    {"results": [{"entities": [...], "errors": ["..."], "batches": N, "config_error": null}, ...]}

Per case it does what a resync of the Ocean Custom integration does with those HTTP responses:

1. ``data_path`` per response exactly like ``integrations/custom/main.py`` (ocean repo, not on PyPI):
   ``data_path = selector.data_path or "."``; with ``.`` and a non-list response the response is
   the batch as is; otherwise ``entity_processor._search(response, data_path)`` (first output, None
   on error or no output): a list extends the batch, any other non-None value is one item; an
   empty batch is not yielded.
2. ``validate_result`` per batch (Ocean's own; a batch with a non-dict item is dropped whole and
   the error recorded, as ``resync_error_handling`` turns it into an ``OceanAbortException``).
3. ``handle_items_to_parse`` (Ocean's own) when ``port.itemsToParse`` is set.
4. ``await JQEntityProcessor(ocean).parse_items(ResourceConfig.parse_obj(resource), batch,
   parse_all=False)`` per batch; the payload of each passed entity is
   ``e.dict(exclude_unset=True, by_alias=True)``. An exception out of ``parse_items`` (e.g. the
   Entity model rejecting a value) loses that batch, as in a resync.

The Ocean context is initialised once per process (ocean-port.md §6), so batch many cases per run.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from types import SimpleNamespace
from typing import Any


def _init_ocean(env_access: bool = True, workers: int = 2) -> Any:
    from loguru import logger

    logger.remove()  # Ocean logs every misconfigured field as a warning; keep stdout/stderr clean
    from port_ocean.context.ocean import initialize_port_ocean_context, ocean
    from port_ocean.core.handlers.entity_processor.jq_entity_processor import JQEntityProcessor

    if not ocean.initialized:
        config = SimpleNamespace(
            allow_environment_variables_jq_access=env_access,
            process_in_queue_max_workers=workers,
            process_in_queue_timeout=60,
            yield_items_to_parse_batch_size=200,
        )
        app = SimpleNamespace(config=config, integration=SimpleNamespace(entity_processor=None))
        initialize_port_ocean_context(app)  # type: ignore[arg-type]
        app.integration.entity_processor = JQEntityProcessor(ocean)
    return ocean


async def _batches(ocean: Any, resource: dict[str, Any], responses: list[Any], errors: list[str]):
    """Raw batches as the custom integration's resync generator + Ocean's wrapper yield them."""
    from port_ocean.core.integrations.mixins.utils import handle_items_to_parse
    from port_ocean.core.utils.utils import validate_result

    processor = ocean.app.integration.entity_processor
    selector = resource.get("selector") or {}
    port = resource.get("port") or {}
    data_path = selector.get("data_path") or "."
    for response in responses:
        batch = [response]  # every pagination handler yields one raw batch per HTTP response
        if data_path == "." and batch and not isinstance(batch[0], list):
            raw = batch
        else:
            raw = []
            for item in batch:
                extracted = await processor._search(item, data_path)
                if isinstance(extracted, list):
                    raw.extend(extracted)
                elif extracted is not None:
                    raw.append(extracted)
            if not raw:
                continue
        try:
            result = validate_result(raw)
        except Exception as exc:  # RawObjectValidationException → OceanAbortException: batch lost
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        items_to_parse = port.get("itemsToParse")
        if items_to_parse:
            try:
                async for sub in handle_items_to_parse(
                    result,
                    port.get("itemsToParseName", "item"),
                    items_to_parse,
                    port.get("itemsToParseTopLevelTransform", True),
                ):
                    yield sub
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
        else:
            yield result


async def run_case(ocean: Any, case: dict[str, Any]) -> dict[str, Any]:
    from port_ocean.core.handlers.port_app_config.models import ResourceConfig

    out: dict[str, Any] = {"entities": [], "errors": [], "batches": 0, "config_error": None}
    try:
        config = ResourceConfig.parse_obj(case["resource"])
    except Exception as exc:
        out["config_error"] = f"{type(exc).__name__}: {exc}"
        return out
    processor = ocean.app.integration.entity_processor
    async for batch in _batches(ocean, case["resource"], case["responses"], out["errors"]):
        out["batches"] += 1
        try:
            result = await processor.parse_items(config, batch, parse_all=False)
        except Exception as exc:  # e.g. pydantic rejecting an icon: the whole batch is lost
            out["errors"].append(f"batch failed: {type(exc).__name__}: {exc}")
            continue
        out["entities"].extend(e.dict(exclude_unset=True, by_alias=True)
                               for e in result.entity_selector_diff.passed)
        out["errors"].extend(f"{type(err).__name__}: {err}" for err in result.errors)
    return out


async def timed_parse(ocean: Any, resource: dict[str, Any], pages: list[list[Any]], repeat: int,
                      return_entities: bool) -> dict[str, Any]:
    """For bench/mapping.py: ``parse_items`` timings measured in this process, after all imports.

    ``pages`` are already-extracted raw items per page (data_path applied by the caller). Modes:
    per_page = one parse_items per page, as a resync does (a fresh process pool per batch);
    one_batch = one parse_items over everything (one pool); in_process = Ocean's per-item mapping
    function (what the pool workers run) in a plain loop: the mapping cost with no pool at all;
    pool_startup = parse_items on a one-item batch (fork + teardown of the pool, near-zero work).
    """
    from port_ocean.core.handlers.entity_processor.jq_entity_processor_sync import JQEntityProcessorSync
    from port_ocean.core.handlers.port_app_config.models import ResourceConfig

    config = ResourceConfig.parse_obj(resource)
    processor = ocean.app.integration.entity_processor
    items = [item for page in pages for item in page]
    out: dict[str, Any] = {"workers": ocean.config.process_in_queue_max_workers, "records": len(items),
                           "per_page": [], "one_batch": [], "in_process": [], "pool_startup": []}
    entities: list[Any] = []
    for _ in range(repeat):
        start = time.perf_counter()
        found = []
        for page in pages:
            result = await processor.parse_items(config, page, parse_all=False)
            found.extend(result.entity_selector_diff.passed)
        out["per_page"].append(time.perf_counter() - start)
        entities = found
    for _ in range(repeat):
        start = time.perf_counter()
        await processor.parse_items(config, items, parse_all=False)
        out["one_batch"].append(time.perf_counter() - start)
    mappings = config.port.entity.mappings.dict(exclude_unset=True)
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            JQEntityProcessorSync._get_mapped_entity(item, mappings, config.selector.query, False)
        out["in_process"].append(time.perf_counter() - start)
    for _ in range(3):
        start = time.perf_counter()
        await processor.parse_items(config, items[:1], parse_all=False)
        out["pool_startup"].append(time.perf_counter() - start)
    out["entity_count"] = len(entities)
    if return_entities:
        out["entities"] = [e.dict(exclude_unset=True, by_alias=True) for e in entities]
    return out


def main() -> int:
    job = json.load(sys.stdin)
    ocean = _init_ocean(bool(job.get("env_access", True)), int(job.get("workers", 2)))
    if "bench" in job:
        bench = job["bench"]
        answer = asyncio.run(timed_parse(ocean, bench["resource"], bench["pages"], int(bench.get("repeat", 1)),
                                         bool(bench.get("return_entities"))))
        json.dump(answer, sys.stdout, ensure_ascii=False)
        return 0

    async def run_all() -> list[dict[str, Any]]:
        return [await run_case(ocean, case) for case in job["cases"]]

    results = asyncio.run(run_all())
    json.dump({"results": results}, sys.stdout, ensure_ascii=False, allow_nan=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
