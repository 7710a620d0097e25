"""Every widget of the preset's Cursor AI Insights page on a small fixed data set, against values
worked out by hand (reference/port-dashboards.md §2 and §4's rendering recipe).

now = Tuesday 2026-05-05 12:00 UTC; "the past 30 days" (rolling) = [2026-04-05 12:00, now];
ISO weeks start on Monday: 03-30 (partial: only Apr 5 12:00 → Apr 6), 04-06, 04-13, 04-20, 04-27,
05-04 (partial: up to now).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from builder.project.presets import load_preset
from builder.see.entities import as_port_reads, group
from builder.see.options import OptionsError, SeeOptions
from builder.see.widgets import PIE_SLICES, compute_page, compute_widget

NOW = datetime(2026, 5, 5, 12, 0, tzinfo=timezone.utc)
PRESET = load_preset()
PAGE = PRESET.dashboards[0]
BLUEPRINTS = {bp["identifier"]: bp for bp in PRESET.blueprints}
WEEKS = ["2026-03-30", "2026-04-06", "2026-04-13", "2026-04-20", "2026-04-27", "2026-05-04"]


def _e(bp: str, ident: str, **props: Any) -> dict[str, Any]:
    return {"identifier": ident, "title": ident, "blueprint": bp, "properties": props, "relations": {}}


USAGE = "cursor_usage_record"
DATA = [
    # record_date, total_accepts, total_rejects, lines added/deleted, model
    _e(USAGE, "u1", record_date="2026-04-05T00:00:00Z", total_accepts=100, total_rejects=0,
       most_used_model="gpt"),  # before the range: only the number charts and the pie see it
    _e(USAGE, "u2", record_date="2026-04-05T13:00:00Z", total_accepts=10, total_rejects=2,
       total_lines_added=50, total_lines_deleted=5, most_used_model="gpt"),  # the partial first week
    _e(USAGE, "u3", record_date="2026-04-07T00:00:00Z", total_accepts=4, total_rejects=4,
       total_lines_added=20, total_lines_deleted=10, most_used_model="claude"),
    _e(USAGE, "u4", record_date="2026-04-08T00:00:00Z", total_accepts=None, total_rejects=6,
       most_used_model=None),  # nulls
    _e(USAGE, "u5", record_date="2026-04-09T00:00:00Z", total_accepts=8, total_rejects=0,
       total_lines_added=40, total_lines_deleted=0, most_used_model="claude"),
    _e(USAGE, "u6", record_date="2026-05-04T00:00:00Z", total_accepts=3, total_rejects=1,
       total_lines_added=7, total_lines_deleted=1, most_used_model="gpt"),
    _e(USAGE, "u7", record_date="2026-05-06T00:00:00Z", total_accepts=1000, most_used_model="auto"),  # after now
    _e("cursor_usage_event", "ev1", timestamp="2026-04-20T10:00:00Z", charged_cents=30),
    _e("cursor_usage_event", "ev2", timestamp="2026-04-21T10:00:00Z", charged_cents=12),
    _e("cursor_usage_event", "ev3", timestamp="2026-04-28T10:00:00Z", charged_cents=None),
    _e("cursor_usage_event", "ev4", timestamp="2026-03-01T10:00:00Z", charged_cents=500),  # outside the range
    _e("cursor_ai_code_change_record", "c1", record_date="2026-04-13T00:00:00Z", tab_changes=6, composer_changes=2),
    _e("cursor_ai_code_change_record", "c2", record_date="2026-04-14T00:00:00Z", tab_changes=2, composer_changes=None),
    _e("cursor_daily_commit_record", "d1", record_date="2026-04-27T00:00:00Z", total_commits=3),
    _e("cursor_daily_commit_record", "d2", record_date="2026-04-29T00:00:00Z", total_commits=2),
    _e("cursor_daily_commit_record", "d3", record_date="2026-05-05T00:00:00Z", total_commits=None),
    _e("cursor_user_usage_record", "ann-1", record_date="2026-05-01T00:00:00Z", email="ann@x.io", total_accepts=3,
       total_rejects=1, total_lines_added=9),
    _e("cursor_user_usage_record", "bob-1", record_date="2026-05-02T00:00:00Z", email="bob@x.io", total_rejects=2),
    _e("cursor_user_usage_record", "cy-1", email="cy@x.io", total_accepts=0, total_rejects=0),  # no date: last
]


def _values(options: SeeOptions | None = None) -> dict[str, Any]:
    entities = as_port_reads(PRESET, group(DATA))
    return {w.id: w for w in compute_page(PAGE, entities, now=NOW, blueprints=BLUEPRINTS,
                                          options=options or SeeOptions())}


def _series(widget: Any) -> dict[str, list[Any]]:
    return {s.name: [v for _, v in s.points] for s in widget.series}


def test_number_widgets() -> None:
    values = _values()
    assert values["totalActiveUsers"].value == 7  # every usage record, no time filter
    assert values["totalAiAccepts"].value == 100 + 10 + 4 + 8 + 3 + 1000  # the null is skipped
    assert values["totalCost"].value == 30 + 12 + 500


def test_line_widgets_bucket_by_iso_week_inside_the_past_30_days() -> None:
    values = _values()
    rate = values["acceptanceRateOverTime"]
    assert [b[:10] for b, _ in rate.series[0].points] == WEEKS
    assert rate.range == ("2026-04-05T12:00:00+00:00", "2026-05-05T12:00:00+00:00")
    assert _series(rate) == {
        "total_accepts": [10, 6, None, None, None, 3],  # week 04-06: (4 + 8) / 2, u4's null skipped
        "total_rejects": [2, 10 / 3, None, None, None, 1],  # (4 + 6 + 0) / 3
        "total_lines_added": [50, 30, None, None, None, 7],  # (20 + 40) / 2, u4 has none
        "total_lines_deleted": [5, 5, None, None, None, 1],
    }
    assert _series(values["dailyCostTrends"]) == {"charged_cents": [None, None, None, 42, None, None]}
    assert _series(values["aiCodeGenerationTrends"]) == {"tab_changes": [None, None, 4, None, None, None],
                                                         "composer_changes": [None, None, 2, None, None, None]}
    assert _series(values["dailyCommitActivity"]) == {"total_commits": [None, None, None, None, 5, None]}  # d3: only a null


def test_pie_and_table() -> None:
    values = _values()
    assert values["aiModelUsageDistribution"].slices == [("gpt", 3), ("claude", 2), ("auto", 1)]
    table = values["userActivityBreakdown"]
    assert table.columns == ["$identifier", "$title", "email", "total_accepts", "total_rejects", "acceptance_rate",
                             "total_lines_added", "record_date"]
    assert table.calculated == ["acceptance_rate"]
    assert [row[0] for row in table.rows] == ["bob-1", "ann-1", "cy-1"]  # record_date desc, no date last
    assert [row[5] for row in table.rows] == [None, 75, 0]  # bob: null / 2 is an error → null


def test_nulls_as_zero_is_one_setting() -> None:
    values = _values(SeeOptions(nulls="zero"))
    assert _series(values["acceptanceRateOverTime"])["total_accepts"] == [10, 4, None, None, None, 3]
    assert ("No value", 1) in values["aiModelUsageDistribution"].slices


def test_time_zone_moves_records_between_weeks() -> None:
    # Monday 2026-04-06 02:00 UTC is Sunday 22:00 in New York: the week before.
    entities = {USAGE: [_e(USAGE, "x", record_date="2026-04-06T02:00:00Z", total_accepts=1)]}
    widget = next(w for w in PAGE["widgets"][0]["widgets"] if w["id"] == "dailyCommitActivity")
    widget = {**widget, "lines": [{**widget["lines"][0], "blueprint": USAGE, "dataset": None,
                                   "properties": ["properties.total_accepts"]}]}
    utc = compute_widget(widget, entities, now=NOW)
    new_york = compute_widget(widget, entities, now=NOW, options=SeeOptions(timezone="America/New_York"))
    assert [v for _, v in utc.series[0].points][:2] == [None, 1]
    assert [v for _, v in new_york.series[0].points][:2] == [1, None]
    assert new_york.series[0].points[0][0] == "2026-03-30T00:00:00-04:00"
    with pytest.raises(OptionsError):
        SeeOptions(timezone="Mars/Olympus")


def test_count_average_and_number_average() -> None:
    entities = {USAGE: [e for e in DATA if e["blueprint"] == USAGE]}
    count_avg = {"type": "line-chart", "id": "c", "blueprint": USAGE, "chartType": "countEntities", "func": "average",
                 "measureTimeBy": "record_date", "timeInterval": "isoWeek", "timeRange": {"preset": "lastMonth"}}
    assert [v for _, v in compute_widget(count_avg, entities, now=NOW).series[0].points] == \
        [1 / 7, 3 / 7, 0, 0, 0, 1 / 7]
    avg = {"type": "entities-number-chart", "id": "n", "blueprint": USAGE, "calculationBy": "property",
           "property": "total_accepts", "func": "average", "averageOf": "total", "unit": "none"}
    assert compute_widget(avg, entities, now=NOW).value == 1125 / 6
    # average per week: 1125 over the weeks from 03-30 (u1) to 05-04 (u7): 6 intervals, partial ones count
    weekly = {**avg, "averageOf": "week", "measureTimeBy": "record_date"}
    assert compute_widget(weekly, entities, now=NOW).value == 1125 / 6
    median = {**avg, "func": "median"}
    assert compute_widget(median, entities, now=NOW).value == 9  # 3 4 8 10 100 1000 → (8 + 10) / 2
    calc_avg = {**avg, "property": "acceptance_rate"}  # a calculation property, computed on read
    read = as_port_reads(PRESET, {USAGE: entities[USAGE]})
    # rates: 100, 10/12, 50, null (null/6 errors), 100, 75, 100 (1000/(1000+null))
    assert compute_widget(calc_avg, read, now=NOW).value == pytest.approx((100 + 1000 / 12 + 50 + 100 + 75 + 100) / 6)


def test_pie_keeps_14_slices_and_folds_the_rest_into_other() -> None:
    entities = {USAGE: [_e(USAGE, f"m{i}-{j}", most_used_model=f"model-{i:02d}") for i in range(16) for j in range(i + 1)]}
    widget = next(w for w in PAGE["widgets"][0]["widgets"] if w["id"] == "aiModelUsageDistribution")
    slices = compute_widget(widget, entities, now=NOW).slices
    assert len(slices) == PIE_SLICES + 1
    assert slices[0] == ("model-15", 16)
    assert slices[-1] == ("Other", 1 + 2)  # model-00 and model-01


@pytest.mark.parametrize("unit, custom, shown", [
    ("custom", "ms", "ms"),
    ("custom", None, ""),  # the page lint flags it; the widget shows no unit rather than null
    ("none", "ms", ""),
    ("$", None, "$"),
])
def test_number_unit_is_always_text(unit: str, custom: str | None, shown: str) -> None:
    entities = {USAGE: [e for e in DATA if e["blueprint"] == USAGE]}
    widget = {"type": "entities-number-chart", "id": "n", "blueprint": USAGE, "calculationBy": "entities",
              "func": "count", "unit": unit, **({"unitCustom": custom} if custom is not None else {})}
    value = compute_widget(widget, entities, now=NOW)
    assert value.unit == shown
    assert value.to_json()["unit"] == shown
