"""Lint rules that read the deployment plan and Port's native Cursor integration.

Called from ``builder.ship.lint`` once per resource, after its own rules: a resource the plan
cannot serve gets one ``deploy-plan`` error (unless an earlier rule already raised an error for
it), and a resource whose Cursor endpoint the native integration also reads gets a
``native-integration`` finding that says how the native mapping differs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from builder.ship.deploy_plan import DeployPlan

if TYPE_CHECKING:
    from builder.project.model import Resource

Add = Callable[[str, "str | None", str, str, str, str], None]


def resource_findings(plan: DeployPlan, resource: Resource, has_error: bool, add: Add) -> None:
    planned = next((r for r in plan.resources if r.name == resource.name), None)
    if planned is None:
        return
    if planned.problems and not has_error:
        add("error", resource.name, "deploy-plan",
            f"Ocean cannot express this request: {'; '.join(planned.problems)}; the deployment plan puts it in "
            f"installation {planned.installation} with the closest setting",
            f"the deployed integration gets {planned.closest}", planned.alternative or "")
    comparison = planned.native
    if comparison is None or comparison.native is None:
        return
    severity = "warning" if comparison.dropped or comparison.collided or any(
        "errors whenever" in d for d in comparison.differences) \
        else "info"
    add(severity, resource.name, "native-integration",
        f"Port's native Cursor integration also reads {comparison.native.endpoint} (kind {comparison.native.kind}, "
        f"blueprint {comparison.native.blueprint}); its published mapping differs: "
        + "; ".join(comparison.differences[:3]),
        "moving this resource to the native integration changes its entities and identifiers"
        + (f" and drops {comparison.dropped} of {comparison.checked} sampled records" if comparison.dropped else ""),
        "keep this resource here, or use the native kind with a string-safe identifier such as "
        '((.userId | tostring) + "-" + .day)' if "userId" in comparison.native.identifier else
        "keep this resource here, or switch to the native kind and adapt dashboards to its blueprint")
