"""The request a resource makes, before pagination: as the deployed integration builds it (``mode="ocean"``)
or with the builder's ``x-builder`` extensions (``mode="builder"``: request-time JQ values, per-resource
pagination). Also the literal fallbacks of computed values, which is what Ocean sends instead.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

from builder.engine import jqrt
from builder.project.model import Project, Resource
from builder.project.yamlio import ProjectError
from builder.source.pagination import PaginationError, PaginationSettings, builder_settings, ocean_settings

USER_AGENT = "Port-Ocean-HTTP-Integration/1.0"
Mode = Literal["builder", "ocean"]


class SourceError(ProjectError):
    """A resource that cannot be requested as configured (one line, no traceback)."""


@dataclass
class RequestPlan:
    """What one resource's requests look like in one mode, before pagination."""

    method: str
    kind: str
    params: dict[Any, Any]
    headers: dict[str, str]
    body: Any
    settings: PaginationSettings
    notes: list[str] = field(default_factory=list)


def compute_value(expr: str, now: float) -> Any:
    """An ``x-builder`` computed value: JQ on null with ``$now`` (and ``now``) = epoch seconds."""
    try:
        program = jqrt.compile_with(expr, {"now": now})
        return program.input_value(None).first()
    except StopIteration:
        raise SourceError(f"computed value `{expr}` gives no output") from None
    except Exception as exc:
        raise SourceError(f"computed value `{expr}` failed: {jqrt.clean_message(str(exc))}") from None


def refresh_literal_values(project: Project, now: float) -> list[str]:
    """Recompute the literal fallbacks of computed values: for each ``x-builder.body``/``query`` key
    that also exists literally in ``selector.body``/``query_params``, store its value at ``now``.

    Ocean cannot evaluate JQ at request time, so the deployed integration sends these literals; a
    fresh project should at least start with a window that ends today. Returns the resource names
    that changed.
    """
    changed: list[str] = []
    # The same expression at the same instant is the same value: compiled once (jq compiles its
    # builtins with every program, ~1.2 ms; the Cursor preset has 2 expressions for 6 values).
    values: dict[str, Any] = {}
    for resource in project.resources:
        for section, key in (("body", "body"), ("query", "query_params")):
            computed = getattr(resource.extensions, section)
            literal = resource.selector.get(key)
            if not computed or not isinstance(literal, dict):
                continue
            for name, expr in computed.items():
                if name in literal:
                    if expr not in values:
                        values[expr] = compute_value(expr, now)
                    value = copy.deepcopy(values[expr])  # one object per literal, as computed
                    if literal[name] != value:
                        literal[name] = value
                        if resource.name not in changed:
                            changed.append(resource.name)
    return changed


def plan_request(resource: Resource, config: dict[str, Any], now: float, mode: Mode) -> RequestPlan:
    """What ``resource``'s requests look like in ``mode``, from the integration settings ``config``
    (env references resolved) with computed values at ``now``."""
    selector = resource.selector
    params = dict(selector.get("query_params") or {})
    headers = {"User-Agent": USER_AGENT, **{str(k): str(v) for k, v in (selector.get("headers") or {}).items()}}
    body = selector.get("body")
    notes: list[str] = []
    ext = resource.extensions
    try:
        if mode == "ocean":
            settings = ocean_settings(config)
            if not ext.is_empty:
                notes.append("x-builder extensions are ignored by Ocean: it sends the literal body/query_params "
                             "and uses the integration-level pagination")
        else:
            settings = builder_settings(config, ext.pagination)
            if ext.query:
                params.update({key: compute_value(expr, now) for key, expr in ext.query.items()})
            if ext.body:
                if body is not None and not isinstance(body, dict):
                    notes.append("selector.body is not an object; the computed x-builder.body replaces it")
                    body = None
                body = {**(body or {}), **{key: compute_value(expr, now) for key, expr in ext.body.items()}}
    except PaginationError as exc:
        raise SourceError(str(exc)) from None
    if isinstance(selector.get("body"), str) and mode == "ocean":
        notes.append("selector.body is a string: Ocean sends it as a JSON string, not an object (nothing "
                     "evaluates JQ in it)")
    notes.extend(settings.warnings)
    return RequestPlan(resource.method, resource.kind, params, headers, body, settings, notes)
