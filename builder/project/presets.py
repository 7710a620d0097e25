"""Ready-made projects (``presets/<name>/project.yaml``) and their recorded sample responses.

A preset is data: connection defaults, one resource and blueprint per endpoint, and for each
resource a sample of what the API returns (``samples/<resource>.json``, recorded from the
simulator by ``scripts/record_samples.py``) so the builder can show mappings before any key exists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from builder.project.model import Project, load_project
from builder.project.yamlio import ProjectError

PRESETS_DIR = Path(__file__).resolve().parents[2] / "presets"
PROJECT_FILE = "project.yaml"


def list_presets() -> list[str]:
    if not PRESETS_DIR.is_dir():
        return []
    return sorted(p.name for p in PRESETS_DIR.iterdir() if (p / PROJECT_FILE).is_file())


def preset_path(name: str = "cursor") -> Path:
    path = PRESETS_DIR / name / PROJECT_FILE
    if not path.is_file():
        known = ", ".join(list_presets()) or "none"
        raise ProjectError(f"no preset named {name!r} (presets: {known})")
    return path


def load_preset(name: str = "cursor", *, now: float | None = None) -> Project:
    """The preset as a Project (not bound to a file). With ``now`` (epoch seconds) the literal
    date windows Ocean will send are moved to that instant (see ``refresh_literal_values``)."""
    project = load_project(preset_path(name))
    project.path = None  # saving must never write into the package
    if now is not None:
        refresh_literal_values(project, now)
    return project


def refresh_literal_values(project: Project, now: float) -> list[str]:
    """Recompute the literal fallbacks of computed values: for each ``x-builder.body``/``query`` key
    that also exists literally in ``selector.body``/``query_params``, store its value at ``now``.

    Ocean cannot evaluate JQ at request time, so the deployed integration sends these literals; a
    fresh project should at least start with a window that ends today. Returns the resource names
    that changed.
    """
    from builder.source.client import compute_value

    changed: list[str] = []
    for resource in project.resources:
        for section, key in (("body", "body"), ("query", "query_params")):
            computed = getattr(resource.extensions, section)
            literal = resource.selector.get(key)
            if not computed or not isinstance(literal, dict):
                continue
            for name, expr in computed.items():
                if name in literal:
                    value = compute_value(expr, now)
                    if literal[name] != value:
                        literal[name] = value
                        if resource.name not in changed:
                            changed.append(resource.name)
    return changed


def sample_path(name: str, resource_name: str) -> Path:
    return PRESETS_DIR / name / "samples" / f"{resource_name}.json"


def load_sample(name: str, resource_name: str) -> dict[str, Any]:
    """The whole sample file: ``{"resource", "kind", "recorded": {...}, "pages": [...]}``."""
    path = sample_path(name, resource_name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProjectError(f"preset {name!r} has no recorded sample for {resource_name!r} "
                           "(run scripts/record_samples.py)") from None
    except ValueError as exc:
        raise ProjectError(f"sample {path.name} is not valid JSON: {exc}") from None


def preset_sample(name: str, resource_name: str) -> list[Any]:
    """The recorded response pages of one preset resource (parsed JSON bodies, in order)."""
    return list(load_sample(name, resource_name)["pages"])
