"""Stages 1 and 2 of Ocean's pipeline: responses (pages) → records, by ``data_path`` and ``itemsToParse``.

Ocean's semantics (reference/ocean-port.md §2, checked against port-ocean 0.56.2): ``data_path``
per page, first JQ output only: a list gives its elements, any other non-null value one item, null
nothing. A page whose items are not all objects is rejected as a whole, as Ocean's
``validate_result`` aborts that batch. ``itemsToParse`` expands each item into
``{...item without the path, <name>: element}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from builder.engine import jqrt
from builder.engine.jsonpaths import json_type_phrase
from builder.engine.mapping.result import Dropped

ITEMS_TO_PARSE_BATCH_SIZE = 200  # Ocean's yield_items_to_parse_batch_size default


@dataclass
class Extraction:
    records: list[Any]
    dropped: list[Dropped]
    pages: int
    record_pages: list[int]
    # Ocean's parse_items batch of each record: its page, or (page, parent item, chunk of 200)
    # with itemsToParse. An entity Ocean's Entity model rejects loses its whole batch.
    record_batches: list[Any] = field(default_factory=list)
    # Every record came out of jq (or jqrt.normal_form): numbers as jq hands them back. False when
    # a page was taken as it is (data_path '.' on an object), which costs jqnative a check per record.
    clean: bool = True


def extract_items(responses: Sequence[Any], data_path: str | None, items_to_parse: str | None = None,
                  items_to_parse_name: str = "item", top_level_transform: bool = True,
                  env_access: bool = True, page_params: Sequence[dict[str, str]] | None = None) -> Extraction:
    """Apply data_path to each response (page) and itemsToParse to each item, as Ocean does.

    ``page_params``: for a kind with a path parameter (``/teams/{team_id}/members``), the values
    each page was fetched with; Ocean injects them as ``__<name>`` into every item data_path finds.
    """
    records: list[Any] = []
    record_pages: list[int] = []
    record_batches: list[Any] = []
    dropped: list[Dropped] = []
    path = data_path or "."
    clean = True
    for page, response in enumerate(responses):
        # Ocean's custom integration: with the default data_path '.', an object response is
        # one item as it is (no JQ run), a list response is searched like any other path.
        if path == "." and not isinstance(response, list):
            items = [response]
            clean = False
        else:
            outcome = jqrt.first(path, response, env_access)
            if outcome.status == "error":
                dropped.append(Dropped("data_path", f"data_path {path!r} failed: {outcome.error}", page=page))
                continue
            value = outcome.value
            if value is None:
                dropped.append(Dropped("data_path", f"data_path {path!r} gave "
                                       f"{'no output' if outcome.status == 'empty' else 'null'}: no items",
                                       page=page))
                continue
            items = value if isinstance(value, list) else [value]
            params = page_params[page] if page_params and page < len(page_params) else None
            if params:
                # Ocean's main.py injects after data_path (and not on the '.'-object shortcut above).
                for item in items:
                    if isinstance(item, dict):
                        item.update({f"__{name}": str(val) for name, val in params.items()})
        bad = next((i for i, item in enumerate(items) if not isinstance(item, dict)), None)
        if bad is not None:
            # validate_result rejects the whole batch (and disables deletions for that resync).
            reason = (f"page {page + 1}: item {bad} is {json_type_phrase(items[bad])}, not an object; Ocean rejects "
                      f"this page's {len(items)} items as a whole")
            for item in items:
                dropped.append(Dropped("not_object", reason, page=page, item=item))
            continue
        if items_to_parse:
            sizes: list[int] = []
            expanded, drops = _expand_items(items, items_to_parse, items_to_parse_name, top_level_transform,
                                            page, env_access, sizes)
            dropped.extend(drops)
            items = expanded
            # handle_items_to_parse yields each parent's elements in batches of
            # yield_items_to_parse_batch_size (200); a batch never spans two parents.
            for parent, size in enumerate(sizes):
                record_batches.extend((page, parent, i // ITEMS_TO_PARSE_BATCH_SIZE) for i in range(size))
        else:
            record_batches.extend([page] * len(items))
        records.extend(items)
        record_pages.extend([page] * len(items))
    return Extraction(records, dropped, len(responses), record_pages, record_batches, clean)


def _expand_items(items: list[dict[str, Any]], items_to_parse: str, name: str, top_level_transform: bool,
                  page: int, env_access: bool, sizes: list[int] | None = None) -> tuple[list[Any], list[Dropped]]:
    out: list[Any] = []
    drops: list[Dropped] = []
    delete_target = deletion_path(items_to_parse) or "."
    transform = f". | del({delete_target})"
    starts: list[int] = []  # where each parent's elements begin in ``out``
    for item in items:
        starts.append(len(out))
        parsed = jqrt.first_value(items_to_parse, item, env_access)
        parent = item
        if top_level_transform:
            parent = jqrt.first_value(transform, item, env_access)
            if parent is None:
                drops.append(Dropped("items_to_parse", f"top-level transform {transform!r} returned null; "
                                     "Ocean skips the item", page=page, item=item))
                continue
        if not isinstance(parsed, list):
            drops.append(Dropped("items_to_parse", f"itemsToParse {items_to_parse!r} gave "
                                 f"{json_type_phrase(parsed)}, expected an array; Ocean skips the item",
                                 page=page, item=item))
            continue
        for element in parsed:
            merged = dict(parent)
            merged[name] = element
            out.append(merged)
    if sizes is not None:  # elements per parent (0 for a skipped one)
        sizes.extend(end - start for start, end in zip(starts, starts[1:] + [len(out)]))
    return out, drops


def deletion_path(expr: str) -> str | None:
    """Ocean's ``extract_jq_deletion_path_revised``: the simple path ``del()`` removes from the parent."""
    text = expr.strip()
    if text.startswith("("):
        found = re.match(r"\((.*?)\)", text, re.DOTALL)
        if not found:
            return None
        chain = found.group(1).strip()
    else:
        chain = text
    for segment in chain.split("|"):
        segment = segment.strip()
        if re.match(r"^\.\s+as\s+\$\w+", segment):
            continue
        if segment == "." or segment.startswith("$"):
            continue
        found = re.match(r"(\.[\w]+|\.\[[^\]]+\])(\.[\w]+|\[[^\]]+\]|\.\[[^\]]+\])*", segment)
        if found:
            return found.group(0).strip()
    return None
