"""``pages.json``: the project's dashboards as Port page definitions (``POST /v1/pages`` bodies).

The same list form as Ocean's ``.port/resources/pages.json``; each item can be sent to Port as it
is (``setup-port.sh`` does, after the blueprints). Deterministic: key order as in the project.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from builder.project.model import Project


def dashboards_json(project: Project, **_: Any) -> str:
    pages = list(getattr(project, "dashboards", None) or [])
    return json.dumps(pages, indent=2, ensure_ascii=False) + "\n"
