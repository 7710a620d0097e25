"""The mapping engine: raw API responses → the exact entities Ocean would send to Port.

Pipeline, with Ocean's semantics (reference/ocean-port.md §2–§3, checked against port-ocean 0.56.2):
``extract`` (data_path, itemsToParse) → ``compiled`` (selector.query and entity.mappings, compiled
once; jqnative's fast path, jq for the rest; the entity's ``shape``; the compile ``cache``) → ``entity``
(Ocean's Entity model) → ``result``.
``pipeline`` ties them together: ``run`` for a resource's pages, ``map_items`` for records.
"""

from __future__ import annotations

from builder.engine.mapping.cache import VARIANTS, clear_compiled_cache, compile_mapping
from builder.engine.mapping.compiled import Cancelled, CompiledMapping, PerFieldMapping
from builder.engine.mapping.entity import lose_failed_batches, to_payload
from builder.engine.mapping.extract import ITEMS_TO_PARSE_BATCH_SIZE, Extraction, deletion_path, extract_items
from builder.engine.mapping.guard import Disagreement
from builder.engine.mapping.pipeline import iter_leaf_paths, map_items, run
from builder.engine.mapping.result import Dropped, FieldStatus, FieldValue, MappingResult
from builder.engine.mapping.shape import Leaf, leaf_name

__all__ = [
    "ITEMS_TO_PARSE_BATCH_SIZE", "VARIANTS", "Cancelled", "CompiledMapping", "Disagreement", "Dropped", "Extraction",
    "FieldStatus", "FieldValue", "Leaf", "MappingResult", "PerFieldMapping", "clear_compiled_cache", "compile_mapping",
    "deletion_path", "extract_items", "iter_leaf_paths", "leaf_name", "lose_failed_batches", "map_items", "run",
    "to_payload",
]
