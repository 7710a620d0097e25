"""The page rules (reference/port-dashboards.md §1.2–§1.3) on the preset's page and on broken ones."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from builder.project.presets import load_preset
from builder.see.pages import page_problems, project_page_problems
from builder.ship.lint import lint_project

PRESET = load_preset()
BLUEPRINTS = {bp["identifier"]: bp for bp in PRESET.blueprints}
PAGE = PRESET.dashboards[0]


def _widget(page: dict[str, Any], wid: str) -> dict[str, Any]:
    return next(w for w in page["widgets"][0]["widgets"] if w["id"] == wid)


def test_preset_ships_the_nine_widget_page_and_it_passes() -> None:
    assert PAGE["identifier"] == "cursor_ai_insights"
    widgets = PAGE["widgets"][0]["widgets"]
    assert len(widgets) == 9
    assert sorted(w["type"] for w in widgets).count("multi-line-chart") == 4
    assert project_page_problems(PRESET) == []
    assert not [f for f in lint_project(PRESET) if f.code == "dashboard-page"]


def _set(wid: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(page: dict[str, Any]) -> None:
        _widget(page, wid)[key] = value
    return edit


def _row_sizes(page: dict[str, Any]) -> None:
    page["widgets"][0]["layout"][0]["columns"][0]["size"] = 6


def _drop_column(page: dict[str, Any]) -> None:
    page["widgets"][0]["layout"][3]["columns"] = [{"id": "nowhere", "size": 12}]


def _low_row(page: dict[str, Any]) -> None:
    page["widgets"][0]["layout"][0]["height"] = 300


def _line(page: dict[str, Any]) -> None:
    _widget(page, "acceptanceRateOverTime")["lines"][0]["properties"] = ["properties.acceptance_rate"]


def _measure(page: dict[str, Any]) -> None:
    _widget(page, "aiCodeGenerationTrends")["lines"][0]["measureTimeBy"] = "tab_changes"


def _calc_filter(page: dict[str, Any]) -> None:
    _widget(page, "userActivityBreakdown")["dataset"]["rules"].append(
        {"property": "acceptance_rate", "operator": ">", "value": 50})


def _shown(page: dict[str, Any]) -> None:
    config = _widget(page, "userActivityBreakdown")["blueprintConfig"]["cursor_user_usage_record"]
    config["propertiesSettings"]["shown"].append("no_such_column")


def _wrong_bp_rule(page: dict[str, Any]) -> None:
    _widget(page, "totalAiAccepts")["dataset"]["rules"][0]["value"] = "cursor_member"


# (edit, where, words in the message)
BROKEN = [
    (_set("totalAiAccepts", "unit", "USD"), "cursor_ai_insights/totalAiAccepts.unit", "not one of"),
    (_set("totalAiAccepts", "property", "total_acceptz"), "cursor_ai_insights/totalAiAccepts.property", "no property"),
    (_set("totalAiAccepts", "func", "count"), "cursor_ai_insights/totalAiAccepts.func", "not one of"),
    (_set("totalActiveUsers", "blueprint", "nope"), "cursor_ai_insights/totalActiveUsers.blueprint", "not defined"),
    (_set("aiModelUsageDistribution", "property", "most_used_model"),
     "cursor_ai_insights/aiModelUsageDistribution.property", "write property#<id>"),
    (_set("aiModelUsageDistribution", "property", "property#acceptance_rate"),
     "cursor_ai_insights/aiModelUsageDistribution.property", "calculation-property#acceptance_rate"),
    (_set("aiModelUsageDistribution", "colors", {}), "cursor_ai_insights/aiModelUsageDistribution.colors",
     "does not accept"),
    (_set("dailyCostTrends", "timeRange", {"preset": "lastMonth", "timeZone": "UTC"}),
     "cursor_ai_insights/dailyCostTrends.timeRange", "nothing else"),
    (_set("dailyCostTrends", "timeInterval", "week"), "cursor_ai_insights/dailyCostTrends.timeInterval", "not one of"),
    (_row_sizes, "cursor_ai_insights/layout[0].columns", "sum to 14"),
    (_drop_column, "cursor_ai_insights/layout", "has no column"),
    (_low_row, "cursor_ai_insights/layout[0].height", "at least 400"),
    (_line, "cursor_ai_insights/acceptanceRateOverTime.lines[0].properties[0]", "calculation property"),
    (_measure, "cursor_ai_insights/aiCodeGenerationTrends.lines[0].measureTimeBy", "not a date-time"),
    (_calc_filter, "cursor_ai_insights/userActivityBreakdown.dataset.rules[1]", "cannot filter"),
    (_shown, "cursor_ai_insights/userActivityBreakdown.blueprintConfig.cursor_user_usage_record"
             ".propertiesSettings.shown[8]", "no property"),
    (_wrong_bp_rule, "cursor_ai_insights/totalAiAccepts.dataset.rules[0]", "stays empty"),
]


@pytest.mark.parametrize("edit, where, words", BROKEN)
def test_broken_pages_are_reported(edit: Callable[[dict[str, Any]], None], where: str, words: str) -> None:
    page = copy.deepcopy(PAGE)
    edit(page)
    found = page_problems(page, BLUEPRINTS)
    assert [p for p in found if p.where == where.replace("/", ".") and words in p.message], found


def test_lint_reports_page_problems() -> None:
    project = PRESET.copy()
    _set("totalAiAccepts", "unit", "USD")(project.dashboards[0])
    findings = [f for f in lint_project(project) if f.code == "dashboard-page"]
    assert [f.severity for f in findings] == ["error"]
    assert "totalAiAccepts.unit" in findings[0].message
