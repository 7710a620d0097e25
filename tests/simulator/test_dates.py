"""Date parameters per API family (cursor-api.md §1.3), as tables."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from builder.simulator.dates import (DateError, analytics_range, iso_ms, parse_ai_code_date,
                                     parse_analytics_day, parse_audit_time)

NOW = datetime(2026, 5, 4, 12, 30, 15, tzinfo=timezone.utc)
TODAY = NOW.date()
MIDNIGHT = datetime(2026, 5, 4, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("now", NOW),
    ("today", MIDNIGHT),
    ("yesterday", MIDNIGHT - timedelta(days=1)),
    ("7d", NOW - timedelta(days=7)),
    ("5h", NOW - timedelta(hours=5)),
    ("300s", NOW - timedelta(seconds=300)),
    ("2024-01-15T12:00:00Z", datetime(2024, 1, 15, 12, tzinfo=timezone.utc)),
    ("2024-01-15T10:00:00-05:00", datetime(2024, 1, 15, 15, tzinfo=timezone.utc)),
    ("2024-01-15", datetime(2024, 1, 15, tzinfo=timezone.utc)),
    ("1705315200", datetime(2024, 1, 15, 10, 40, tzinfo=timezone.utc)),
    ("1705315200000", datetime(2024, 1, 15, 10, 40, tzinfo=timezone.utc)),
])
def test_audit_log_time_formats(text, expected):
    assert parse_audit_time(text, NOW, "startTime") == expected


@pytest.mark.parametrize("text", ["last week", "7w", "2024-13-01", "", "-5d"])
def test_audit_log_rejects_unknown_formats(text):
    with pytest.raises(DateError):
        parse_audit_time(text, NOW, "startTime")


@pytest.mark.parametrize("text, expected", [
    ("now", NOW),
    ("7d", NOW - timedelta(days=7)),
    ("0d", NOW),
    ("2026-05-01", datetime(2026, 5, 1, tzinfo=timezone.utc)),
    ("2026-05-01T08:15:00Z", datetime(2026, 5, 1, 8, 15, tzinfo=timezone.utc)),
])
def test_ai_code_date_formats(text, expected):
    assert parse_ai_code_date(text, NOW, "startDate") == expected


@pytest.mark.parametrize("text", ["today", "yesterday", "5h", "1705315200"])
def test_ai_code_rejects_formats_it_does_not_document(text):
    with pytest.raises(DateError):
        parse_ai_code_date(text, NOW, "startDate")


@pytest.mark.parametrize("text, expected", [
    ("2026-04-20", date(2026, 4, 20)),
    ("2026-04-20T23:59:00Z", date(2026, 4, 20)),  # time ignored
    ("2026-04-20T01:00:00+09:00", date(2026, 4, 20)),  # the written day, not the UTC conversion
    ("now", TODAY),
    ("today", TODAY),
    ("yesterday", TODAY - timedelta(days=1)),
    ("30d", TODAY - timedelta(days=30)),
])
def test_analytics_day_formats(text, expected):
    assert parse_analytics_day(text, TODAY, "startDate") == expected


@pytest.mark.parametrize("text", ["5h", "1705315200", "2026/04/20", "tomorrow"])
def test_analytics_rejects_other_formats(text):
    with pytest.raises(DateError):
        parse_analytics_day(text, TODAY, "startDate")


def test_analytics_defaults_to_last_seven_days():
    assert analytics_range(None, None, TODAY) == (TODAY - timedelta(days=7), TODAY)


@pytest.mark.parametrize("start, end, ok", [
    ("30d", "today", True),
    ("31d", "today", False),
    ("2026-04-04", "2026-05-04", True),
    ("2026-04-03", "2026-05-04", False),
    ("today", "7d", False),
])
def test_analytics_range_limit(start, end, ok):
    if ok:
        analytics_range(start, end, TODAY)
    else:
        with pytest.raises(DateError):
            analytics_range(start, end, TODAY)


def test_iso_ms_has_milliseconds_and_z():
    assert iso_ms(1777895616090) == "2026-05-04T11:53:36.090Z"
