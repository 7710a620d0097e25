"""The port-app-config (mapping) YAML exactly as Ocean reads it.

Written verbatim from the project (keys, casing and order as the user wrote them, ``x-builder``
removed): the preview runs this same mapping, so rewriting anything here would make the deployed
integration differ from what the user saw. Casing mistakes are the lint's job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from builder.project.yamlio import dump

if TYPE_CHECKING:
    from builder.project.model import Project


def port_app_config_yaml(project: Project) -> str:
    identifier = (project.integration or {}).get("identifier") or "<integration identifier>"
    header = (
        f"# port-app-config (mapping) for the Ocean Custom integration {identifier!s}.\n"
        "# Ocean reads it from Port, not from a file or env var: paste it in Port (Data sources → the\n"
        "# integration → Mapping) or PATCH /v1/integration/<identifier>/config with {\"config\": <this as JSON>}.\n"
    )
    return header + dump(project.app_config_dict())
