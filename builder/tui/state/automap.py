"""Auto-map: propose an entity mapping from a record's fields (plain Python, no Textual).

It only adds what is missing, so running it on a hand-tuned mapping never overwrites a JQ the
user wrote. Identifier and title are guessed from common Cursor field names.
"""

from __future__ import annotations

import re
from typing import Any

from builder.engine.jsonpaths import key_segment

IDENTIFIER_KEYS = ("id", "uuid", "event_id", "commitHash", "userId", "email", "userEmail", "name")
TITLE_KEYS = ("name", "title", "email", "userEmail", "repoName", "commitHash")
_PROPERTY_NAME = re.compile(r"[^A-Za-z0-9_]+")


def property_name(*parts: str) -> str:
    """``tokenUsage`` + ``inputTokens`` → ``tokenUsage_inputTokens`` (Port-safe characters)."""
    return "_".join(_PROPERTY_NAME.sub("_", part).strip("_") for part in parts if part) or "value"


def propose(record: dict[str, Any], mappings: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A new mappings dict (the old one plus proposals) and the names of what was added."""
    proposed = dict(mappings)
    added: list[str] = []
    if not proposed.get("identifier"):
        key = next((k for k in IDENTIFIER_KEYS if record.get(k) not in (None, "")), None)
        if key is not None:
            expr = key_segment(key)
            proposed["identifier"] = expr if isinstance(record[key], str) else f"{expr} | tostring"
            added.append("identifier")
    if not proposed.get("title"):
        key = next((k for k in TITLE_KEYS if isinstance(record.get(k), str)), None)
        if key is not None:
            proposed["title"] = key_segment(key)
            added.append("title")
    properties = dict(proposed.get("properties") or {})
    existing_exprs = {str(v).strip() for v in properties.values()}
    for key, value in record.items():
        candidates: list[tuple[str, str]] = []
        if isinstance(value, dict):
            for child_key, child in value.items():
                if not isinstance(child, (dict, list)):
                    candidates.append((property_name(str(key), str(child_key)),
                                       key_segment(str(key)) + key_segment(str(child_key))))
        else:
            candidates.append((property_name(str(key)), key_segment(str(key))))
        for name, expr in candidates:
            if name in properties or expr in existing_exprs:
                continue
            properties[name] = expr
            added.append(f"properties.{name}")
    if properties:
        proposed["properties"] = properties
    return proposed, added
