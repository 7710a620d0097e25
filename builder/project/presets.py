"""Ready-made projects (``presets/<name>/project.yaml``) and their recorded sample responses.

A preset is data: connection defaults, one resource and blueprint per endpoint, and for each
resource a sample of what the API returns (``samples/<resource>.json``, recorded from the
simulator by ``scripts/record_samples.py``) so the builder can show mappings before any key exists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from builder.project.load import load_project
from builder.project.model import Project
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


def load_preset(name: str = "cursor") -> Project:
    """The preset as a Project (not bound to a file). Its literal date windows are those recorded;
    ``builder.source.request.refresh_literal_values`` moves them to a given instant."""
    project = load_project(preset_path(name), cached=True)  # package data: its parse is kept (#13)
    project.path = None  # saving must never write into the package
    return project



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
