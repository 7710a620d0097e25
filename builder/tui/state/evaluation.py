"""Evaluating a mapping for the UI: the same result as ``mapping.run``, in small chunks.

jq holds the GIL while it runs, so one call over 1,000 records would freeze the screen for
most of a second even in a worker thread. Evaluating 32 records at a time gives the event loop
a turn between chunks, and lets a newer keystroke cancel a stale evaluation early. The records
extracted by data_path are cached, so editing a field does not re-run data_path over every page.

Plain Python (no Textual); ``tests/app/test_evaluation.py`` checks the chunked result equals
``mapping.run`` exactly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from builder.engine import mapping

CHUNK = 16
#: A response up to this many bytes is cut into records on the UI thread when its resource is shown
#: before any evaluation of it (~1 ms a 200 KB page, ~4 ms the demo's 860 KB of usage events), so
#: the first record is in view in the switch's first frame; a bigger one waits for the evaluation.
EXTRACT_NOW_BYTES = 1_000_000
#: Seconds the worker thread sleeps between chunks: a sleeping thread gives up the GIL, so the
#: event loop handles keys at full speed while a long evaluation runs.
BREATHE = 0.004


def _settings(resource: Any) -> tuple[Any, ...]:
    return (resource.data_path, resource.items_to_parse, resource.items_to_parse_name,
            resource.items_to_parse_top_level_transform)


@dataclass(frozen=True)
class _Cached:
    pages: Sequence[Any]  # held, and compared by identity: a fetch makes a new list
    settings: tuple[Any, ...]
    extraction: mapping.Extraction


class Evaluator:
    """One per Build tab: remembers the last extraction (records after data_path).

    The cache is one immutable object swapped in a single assignment, so a stale worker thread
    finishing late can never pair one key with another extraction.
    """

    def __init__(self, breathe: float = 0.0) -> None:
        self._cached: _Cached | None = None
        self.breathe = breathe

    def extract(self, resource: Any, pages: Sequence[Any]) -> mapping.Extraction:
        cached = self._cached
        settings = _settings(resource)
        if cached is not None and cached.pages is pages and cached.settings == settings:
            return cached.extraction
        extraction = mapping.extract_items(pages, *settings)
        self._cached = _Cached(pages, settings, extraction)
        return extraction

    def cached_records(self, resource: Any, pages: Sequence[Any]) -> list[Any] | None:
        """The records if the cache matches (no evaluation here: safe on the UI thread)."""
        cached = self._cached
        if cached is not None and cached.pages is pages and cached.settings == _settings(resource):
            return cached.extraction.records
        return None

    def records_now(self, resource: Any, pages: Sequence[Any], size: int) -> list[Any] | None:
        """The records, extracted here if need be when the pages (``size`` bytes) are small enough
        to cut on the UI thread (:data:`EXTRACT_NOW_BYTES`); else only a cached extraction's."""
        cached = self.cached_records(resource, pages)
        if cached is not None or size > EXTRACT_NOW_BYTES or not pages:
            return cached
        return self.extract(resource, pages).records

    def run(self, resource: Any, pages: Sequence[Any], cancelled: Callable[[], bool] = lambda: False,
            breathe: bool = True) -> mapping.MappingResult | None:
        """``mapping.run`` chunk by chunk; None when ``cancelled()`` turned true on the way.
        ``breathe=False``: no pause between chunks (on the UI thread, a pause only waits)."""
        extraction = self.extract(resource, pages)
        steps = iter(range(len(extraction.records) + 1))
        pause = self.breathe if breathe else 0.0

        def stop() -> bool:
            if next(steps) and pause:
                time.sleep(pause)
            return cancelled()

        try:
            return mapping.map_items(extraction.records, resource.mappings, resource.query, dropped=extraction.dropped,
                                     pages=extraction.pages, batches=extraction.record_batches,
                                     clean=extraction.clean, chunk=CHUNK, cancelled=stop)
        except mapping.Cancelled:
            return None


def preview_one(resource: Any, record: Any) -> mapping.MappingResult:
    """The selected record alone, mapped exactly as ``map_items`` would, in a millisecond or so
    (the engine's one-record variant: per-field compiled forms, no whole-batch programs)."""
    return mapping.map_items([record], resource.mappings, resource.query, variant="record")
