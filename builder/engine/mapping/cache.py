"""The compile cache: one compiled mapping per (mapping, selector, environment, fast path, variant).

The TUI re-runs a mapping after every edit and the CLI per page; compiling costs more than mapping a
page, so each distinct mapping compiles once. The variant is part of the key: a one-record preview
never hands its ``PerFieldMapping`` to a batch run.
"""

from __future__ import annotations

import json
from typing import Any

from builder.engine import jqrt
from builder.engine.mapping.compiled import CompiledMapping, PerFieldMapping


#: ``variant`` of compile_mapping / map_items: "batch" for many records, "record" for the one in view
VARIANTS: dict[str, type[CompiledMapping]] = {"batch": CompiledMapping, "record": PerFieldMapping}

_compiled_cache: dict[str, CompiledMapping] = {}


def _cache_key(mappings: dict[str, Any], query: str, env_access: bool, native: bool, variant: str) -> str:
    # The environment `env` reads is part of what a compiled mapping computes (jqrt.install_environment).
    return json.dumps([mappings, query, jqrt.environment_prefix(env_access), native, variant], sort_keys=False,
                      default=str)


def compile_mapping(mappings: dict[str, Any], query: str, env_access: bool = True, *, native: bool = True,
                    variant: str = "batch") -> CompiledMapping:
    """Cached by content, so re-running after an unrelated edit costs no compile. ``native``: the
    fast path on (off: every field in jq). ``variant``: a key of ``VARIANTS``; each has its own
    cache entry, so a one-record preview never hands its variant to a batch run."""
    key = _cache_key(mappings, query, env_access, native, variant)
    found = _compiled_cache.get(key)
    if found is None:
        if len(_compiled_cache) > 256:
            _compiled_cache.clear()
        found = VARIANTS[variant](mappings, query, env_access, native=native)
        _compiled_cache[key] = found
    return found


def clear_compiled_cache() -> None:
    _compiled_cache.clear()
