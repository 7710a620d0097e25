"""The one setting for what Port leaves open about widget values (reference/port-dashboards.md §5).

Port documents what each widget computes but not: the time zone of line-chart buckets (q1), whether
"the past 30 days" is rolling or aligned to days (q2), and how null or missing values enter value
aggregations and pie charts (q3, q5). The Dashboard tab, ``cursor-builder dashboard`` and their
tests all read these choices from :class:`SeeOptions`; the defaults are ours:

* ``timezone="UTC"``: buckets start at 00:00 UTC, ISO weeks on Monday 00:00 UTC (the seed stores
  ``record_date`` as ``…T00:00:00Z``, so any other zone would move days into the previous one).
* ``time_range="rolling"``: ``lastMonth`` is ``[now − 30×24 h, now]``; the first bucket is partial
  and is shown (averages in it are over the entities that fall in the range). ``"days"`` starts the
  range at 00:00 of the first day instead.
* ``nulls="skip"``: sum / average / min / max / median ignore entities whose property is null or
  missing (``average`` divides by the entities that have a value), ``count`` counts them, and a pie
  leaves them out. ``"zero"`` counts a missing number as 0 and gives pies a "No value" slice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIME_RANGES = ("rolling", "days")
NULLS = ("skip", "zero")


class OptionsError(ValueError):
    """A setting the user gave that cannot be used (one line, says what to do)."""


@dataclass(frozen=True)
class SeeOptions:
    timezone: str = "UTC"
    time_range: str = "rolling"
    nulls: str = "skip"

    def __post_init__(self) -> None:
        if self.time_range not in TIME_RANGES:
            raise OptionsError(f"time range {self.time_range!r}: use one of {', '.join(TIME_RANGES)}")
        if self.nulls not in NULLS:
            raise OptionsError(f"nulls {self.nulls!r}: use one of {', '.join(NULLS)}")
        self.zone  # noqa: B018 - fail early on an unknown zone

    @property
    def zone(self) -> tzinfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise OptionsError(f"unknown time zone {self.timezone!r}: use an IANA name such as UTC or "
                               "Europe/Paris") from None

    def with_(self, **changes: str) -> SeeOptions:
        return replace(self, **changes)

    def describe(self) -> str:
        return f"time zone {self.timezone}, {self.time_range} range, nulls {self.nulls}"


DEFAULT_OPTIONS = SeeOptions()
