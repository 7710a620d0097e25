"""Date parameters, parsed the way each Cursor API family does it (cursor-api.md §1.3).

The families disagree on purpose-built details — Admin bodies take epoch-ms numbers, audit logs
take a zoo of shortcuts, AI Code takes ISO/``now``/``Nd``, Analytics resolves everything to whole
UTC days — and a builder has to get each one right, so the simulator must not be lenient where
the real API is not.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Callable

DAY_MS = 86_400_000
MAX_RANGE_DAYS = 30
RANGE_MESSAGE = "Date range cannot exceed 30 days"

_RELATIVE = re.compile(r"^(\d+)([dhs])$")
_DAYS_AGO = re.compile(r"^(\d+)d$")
_DIGITS = re.compile(r"^\d+$")
_YMD = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateError(ValueError):
    """A date parameter the real API would reject with 400."""


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


def day_start_ms(day: date) -> int:
    return to_ms(datetime.combine(day, time(0), tzinfo=timezone.utc))


@lru_cache(maxsize=4096)
def _day_prefix(days_since_epoch: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=days_since_epoch)).isoformat() + "T"


def iso_ms(ms: int) -> str:
    """ISO 8601 with milliseconds and ``Z``, the format every Cursor timestamp string uses."""
    # Arithmetic instead of strftime: the generator formats tens of thousands of these.
    days, rest = divmod(ms, DAY_MS)
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{_day_prefix(days)}{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"


def midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _parse_iso(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


# --- Admin API bodies: epoch milliseconds as JSON numbers -----------------------------------------

def epoch_ms_field(body: dict, name: str, *, required: bool) -> int | None:
    """A body field holding epoch ms; strings are refused because the docs type it as number."""
    if name not in body or body[name] is None:
        if required:
            raise DateError(f"{name} is required (epoch milliseconds)")
        return None
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DateError(f"{name} must be a number (epoch milliseconds)")
    if value < 0:
        raise DateError(f"{name} must be a positive epoch millisecond timestamp")
    return int(value)


def check_ms_range(start_ms: int, end_ms: int, names: tuple[str, str] = ("startDate", "endDate")) -> None:
    if end_ms < start_ms:
        raise DateError(f"{names[0]} must be before {names[1]}")
    # Undocumented, but integrators chunk in 30-day windows "because of the Cursor API limit".
    if end_ms - start_ms > MAX_RANGE_DAYS * DAY_MS:
        raise DateError(RANGE_MESSAGE)


def query_range_ms(start: str | None, end: str | None, now: datetime,
                   parse: Callable[[str, datetime, str], datetime],
                   names: tuple[str, str] = ("startDate", "endDate")) -> tuple[int, int]:
    """A range given in the query string (audit logs, AI Code), each bound read by ``parse``; the
    default is the 7 days up to ``now``."""
    end_at = parse(end, now, names[1]) if end else now
    start_at = parse(start, now, names[0]) if start else now - timedelta(days=7)
    start_ms, end_ms = to_ms(start_at), to_ms(end_at)
    check_ms_range(start_ms, end_ms, names)
    return start_ms, end_ms


# --- GET /teams/audit-logs: startTime / endTime ---------------------------------------------------

def parse_audit_time(value: str, now: datetime, name: str) -> datetime:
    text = value.strip()
    lowered = text.lower()
    if lowered == "now":
        return now
    if lowered == "today":
        return midnight(now)
    if lowered == "yesterday":
        return midnight(now) - timedelta(days=1)
    relative = _RELATIVE.match(lowered)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        delta = {"d": timedelta(days=amount), "h": timedelta(hours=amount), "s": timedelta(seconds=amount)}[unit]
        return now - delta
    if _DIGITS.match(text):
        number = int(text)
        # Ten digits cover unix seconds until 2286; anything longer is milliseconds.
        return from_ms(number if number >= 100_000_000_000 else number * 1000)
    if _YMD.match(text):
        try:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=timezone.utc)
        except ValueError:
            pass
    parsed = _parse_iso(text)
    if parsed is None:
        raise DateError(f"Invalid {name} format: {value!r}")
    return parsed


# --- /analytics/ai-code/*: ISO, now, Nd -----------------------------------------------------------

def parse_ai_code_date(value: str, now: datetime, name: str) -> datetime:
    text = value.strip()
    if text.lower() == "now":
        return now
    relative = _DAYS_AGO.match(text.lower())
    if relative:
        return now - timedelta(days=int(relative.group(1)))
    parsed = _parse_iso(text)
    if parsed is None:
        raise DateError(f"Invalid {name}: expected an ISO date, 'now' or '<N>d', got {value!r}")
    return parsed


# --- /analytics/team/* and /analytics/by-user/*: whole UTC days -----------------------------------

def parse_analytics_day(value: str, today: date, name: str) -> date:
    text = value.strip()
    lowered = text.lower()
    if lowered in ("now", "today"):
        return today
    if lowered == "yesterday":
        return today - timedelta(days=1)
    relative = _DAYS_AGO.match(lowered)
    if relative:
        return today - timedelta(days=int(relative.group(1)))
    # "Time is ignored": the calendar date written in the string wins, whatever the offset.
    head = text[:10]
    if _YMD.match(head) and (len(text) == 10 or text[10] in "Tt "):
        try:
            day = date.fromisoformat(head)
        except ValueError:
            day = None
        if day is not None and (len(text) == 10 or _parse_iso(text) is not None):
            return day
    raise DateError(f"Invalid {name}: use YYYY-MM-DD, an ISO timestamp, now, today, yesterday or <N>d")


def analytics_range(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """Resolve Analytics dates; default is the last 7 days (7 days ago through today)."""
    start_day = parse_analytics_day(start, today, "startDate") if start else today - timedelta(days=7)
    end_day = parse_analytics_day(end, today, "endDate") if end else today
    if end_day < start_day:
        raise DateError("startDate must be before endDate")
    if (end_day - start_day).days > MAX_RANGE_DAYS:
        raise DateError(RANGE_MESSAGE)
    return start_day, end_day
