"""Each dashboard widget's values, computed from entities with Port's semantics
(reference/port-dashboards.md §2, §4 "Terminal rendering recipe").

* number: ``count`` / ``average`` of entities, or ``sum|average|min|max|median`` of a property, over
  every entity of the blueprint that matches ``dataset`` (no time filter);
* line: per bucket (hour, day, ISO week from Monday, month, quarter) of ``measureTimeBy`` inside the
  time range, one series per property (``aggregatePropertiesValues``) or the entity count
  (``countEntities``; ``average`` divides by 60/24/7/30/90 as Port does);
* pie: entities per value of ``property``, the 14 largest slices and the rest as ``Other``;
* table: one row per entity in the ``shown`` columns (in ``order``), calculation properties included.

``entities`` are as Port's read API returns them: calculation and mirror properties merged into
``properties`` (``builder.see.entities``). Where Port is silent, :class:`SeeOptions` decides.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping, Sequence

from builder.port.catalog import query as rules_query
from builder.see.options import DEFAULT_OPTIONS, SeeOptions

PIE_SLICES = 14
OTHER = "Other"
NO_VALUE = "No value"
#: Port's divisor for a countEntities ``average`` per interval (yes, hour ÷ 60).
COUNT_AVERAGE_DIVISOR = {"hour": 60, "day": 24, "isoWeek": 7, "month": 30, "quarter": 90}
#: Time-range presets in days (rolling); ``today``/``yesterday`` are calendar days in the zone.
PRESET_DAYS = {"lastDay": 1, "lastWeek": 7, "last2Weeks": 14, "lastMonth": 30, "last3Months": 90,
               "last6Months": 180, "last12Months": 365, "last2Years": 730, "last3Years": 1095}
_META = {"$identifier": "identifier", "$title": "title", "$icon": "icon", "$team": "team",
         "$blueprint": "blueprint", "$createdAt": "createdAt", "$updatedAt": "updatedAt"}

Entities = Mapping[str, Sequence[Mapping[str, Any]]]  # blueprint → entities (Port's read shape)


@dataclass
class Series:
    name: str
    points: list[tuple[str, float | None]]  # (bucket start, ISO 8601 in the zone; value or None = no data)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "points": [{"bucket": b, "value": v} for b, v in self.points]}


@dataclass
class WidgetValue:
    """What one widget shows. ``kind``: number | line | pie | table | unsupported."""

    id: str
    type: str
    title: str
    kind: str
    size: int = 12  # layout width (of 12)
    row: int = 0
    value: float | None = None
    unit: str = ""
    series: list[Series] = field(default_factory=list)
    range: tuple[str, str] | None = None
    slices: list[tuple[str, int]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    calculated: list[str] = field(default_factory=list)  # which columns are calculation properties
    rows: list[list[Any]] = field(default_factory=list)
    entities: int = 0  # how many entities the widget read
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title, "kind": self.kind,
                               "entities": self.entities}
        if self.kind == "number":
            out.update(value=self.value, unit=self.unit)
        elif self.kind == "line":
            out["range"] = list(self.range) if self.range else None
            out["series"] = [s.to_json() for s in self.series]
        elif self.kind == "pie":
            out["slices"] = [{"label": label, "count": count} for label, count in self.slices]
        elif self.kind == "table":
            out.update(columns=self.columns, calculated=self.calculated, rows=self.rows)
        if self.note:
            out["note"] = self.note
        return out


# -- reading entities ----------------------------------------------------------------------------

def value_of(entity: Mapping[str, Any], prop: str) -> Any:
    if prop in _META:
        return entity.get(_META[prop])
    if prop.startswith("properties."):
        prop = prop.split(".", 1)[1]
    return (entity.get("properties") or {}).get(prop)


def parse_time(value: Any) -> datetime | None:
    """A date-time property as an aware datetime (ISO 8601 text or epoch ms); None if unreadable."""
    if isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, timezone.utc)
    return None


def select(entities: Entities, blueprint: object, dataset: Any) -> tuple[list[Mapping[str, Any]], str | None]:
    """The blueprint's entities that match ``dataset`` (and a note when a rule cannot be evaluated)."""
    found = list(entities.get(blueprint, ())) if isinstance(blueprint, str) else \
        [e for group in entities.values() for e in group]
    query = {"combinator": "and", "rules": dataset} if isinstance(dataset, list) else dataset
    if not query:
        return found, None
    try:
        rules_query.check_query(query)
    except rules_query.QueryError as exc:
        return found, f"dataset not applied here: {exc}"
    return [e for e in found if rules_query.matches(e, query)], None


def _numbers(entities: Iterable[Mapping[str, Any]], prop: str, options: SeeOptions) -> list[float]:
    out: list[float] = []
    for entity in entities:
        value = value_of(entity, prop)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(value)
        elif value is None and options.nulls == "zero":
            out.append(0)
    return out


def aggregate(func: str, values: list[float]) -> float | None:
    """sum / average / min / max / median / last over the values (None: nothing to aggregate)."""
    if not values:
        return 0 if func == "sum" else None
    if func == "sum":
        return sum(values)
    if func == "average":
        return sum(values) / len(values)
    if func == "min":
        return min(values)
    if func == "max":
        return max(values)
    if func == "median":
        return statistics.median(values)  # an even count: the mean of the two middle values
    if func == "last":
        return values[-1]
    raise ValueError(func)


# -- number ---------------------------------------------------------------------------------------

def _intervals(moments: list[datetime], unit: str, options: SeeOptions) -> int:
    """Intervals covered from the first to the last moment; a partial interval counts as a full one."""
    if not moments:
        return 0
    starts = {bucket_start(m, "isoWeek" if unit == "week" else unit, options) for m in moments}
    first, last = min(starts), max(starts)
    count, current = 1, first
    while current < last:
        current = next_bucket(current, "isoWeek" if unit == "week" else unit)
        count += 1
    return count


def number(widget: Mapping[str, Any], entities: Entities, options: SeeOptions) -> WidgetValue:
    out = _base(widget, "number")
    chosen, out.note = select(entities, widget.get("blueprint"), widget.get("dataset"))
    out.entities = len(chosen)
    # A custom unit without unitCustom (the page lint says so) shows no unit, like Port: "" not None.
    custom = widget.get("unitCustom")
    out.unit = ("" if custom is None else str(custom)) if widget.get("unit") == "custom" else \
        ("" if widget.get("unit") in (None, "none") else str(widget.get("unit")))
    func = widget.get("func")
    if widget.get("calculationBy", "entities") == "entities":
        total = float(len(chosen))
        values: list[float] = []
    else:
        values = _numbers(chosen, str(widget.get("property")), options)
        total = sum(values)
    if func == "count":
        out.value = len(chosen)
    elif func == "average":
        average_of = widget.get("averageOf", "total")
        if average_of == "total":
            denominator = len(chosen) if widget.get("calculationBy", "entities") == "entities" else len(values)
        else:
            measure = str(widget.get("measureTimeBy") or "$createdAt")
            moments = [m for m in (parse_time(value_of(e, measure)) for e in chosen) if m is not None]
            denominator = _intervals(moments, average_of, options)
        out.value = total / denominator if denominator else None
    else:
        out.value = aggregate(str(func), values)
    return out


# -- line -----------------------------------------------------------------------------------------

def bucket_start(moment: datetime, interval: str, options: SeeOptions) -> datetime:
    local = moment.astimezone(options.zone)
    if interval == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "day":
        return day
    if interval == "isoWeek":
        return _midnight(day - timedelta(days=day.weekday()), options)
    if interval == "month":
        return day.replace(day=1)
    if interval == "quarter":
        return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
    raise ValueError(interval)


def _midnight(moment: datetime, options: SeeOptions) -> datetime:
    # Re-attach the zone so a week that spans a DST change still starts at local midnight.
    return datetime(moment.year, moment.month, moment.day, tzinfo=options.zone)


def next_bucket(start: datetime, interval: str) -> datetime:
    if interval == "hour":
        return start + timedelta(hours=1)
    if interval in ("day", "isoWeek"):
        days = 1 if interval == "day" else 7
        following = start.replace(tzinfo=None) + timedelta(days=days)
        return following.replace(tzinfo=start.tzinfo)
    months = 1 if interval == "month" else 3
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1)


def time_range(preset: str, now: datetime, options: SeeOptions) -> tuple[datetime, datetime]:
    local_now = now.astimezone(options.zone)
    today = _midnight(local_now, options)
    if preset == "today":
        return today, local_now
    if preset == "yesterday":
        return _midnight(today - timedelta(days=1), options), today
    days = PRESET_DAYS.get(preset, 30)
    start = local_now - timedelta(days=days)
    if options.time_range == "days":
        start = _midnight(start, options)
    return start, local_now


def line(widget: Mapping[str, Any], entities: Entities, now: datetime, options: SeeOptions) -> WidgetValue:
    out = _base(widget, "line")
    interval = str(widget.get("timeInterval") or "isoWeek")
    start, end = time_range(str((widget.get("timeRange") or {}).get("preset") or "lastMonth"), now, options)
    out.range = (start.isoformat(), end.isoformat())
    buckets: list[datetime] = []
    current = bucket_start(start, interval, options)
    while current <= end:
        buckets.append(current)
        current = next_bucket(current, interval)
    lines = widget.get("lines") if widget.get("type") == "multi-line-chart" else [widget]
    notes = []
    for entry in lines or []:
        chosen, note = select(entities, entry.get("blueprint"), entry.get("dataset"))
        if note:
            notes.append(note)
        measure = str(entry.get("measureTimeBy") or "$createdAt")
        placed: dict[datetime, list[Mapping[str, Any]]] = {b: [] for b in buckets}
        for entity in chosen:
            moment = parse_time(value_of(entity, measure))
            if moment is None or not start <= moment <= end:
                continue
            placed.setdefault(bucket_start(moment, interval, options), []).append(entity)
            out.entities += 1
        func = str(entry.get("func"))
        if entry.get("chartType") == "countEntities":
            divisor = COUNT_AVERAGE_DIVISOR.get(interval, 1) if func == "average" else 1
            out.series.append(Series(str(entry.get("title") or widget.get("title") or "count"),
                                     [(b.isoformat(), len(placed[b]) / divisor) for b in buckets]))
            continue
        for prop in entry.get("properties") or []:
            name = str(prop).split(".", 1)[-1]
            points = []
            for b in buckets:
                values = _numbers(placed[b], name, options)
                points.append((b.isoformat(), aggregate(func, values) if values else None))
            out.series.append(Series(name, points))
    out.note = "; ".join(notes) or None
    return out


# -- pie and table --------------------------------------------------------------------------------

def pie(widget: Mapping[str, Any], entities: Entities, options: SeeOptions) -> WidgetValue:
    out = _base(widget, "pie")
    chosen, out.note = select(entities, widget.get("blueprint"), widget.get("dataset"))
    out.entities = len(chosen)
    prop = str(widget.get("property") or "")
    key = prop if prop.startswith("$") else prop.partition("#")[2]
    counts: dict[str, int] = {}
    for entity in chosen:
        value = value_of(entity, key) if not prop.startswith("relation#") else \
            (entity.get("relations") or {}).get(key)
        if value is None or value == []:
            if options.nulls == "skip":
                continue
            label = NO_VALUE
        else:
            label = value if isinstance(value, str) else _label(value)
        counts[label] = counts.get(label, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if len(ordered) > PIE_SLICES and not widget.get("dontAggregateOther"):
        rest = sum(count for _, count in ordered[PIE_SLICES:])
        ordered = ordered[:PIE_SLICES] + [(OTHER, rest)]
    out.slices = ordered
    return out


def _label(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def table(widget: Mapping[str, Any], entities: Entities, blueprints: Mapping[str, Mapping[str, Any]],
          options: SeeOptions) -> WidgetValue:
    out = _base(widget, "table")
    config = widget.get("blueprintConfig") or {}
    bp_id = widget.get("blueprint") or (next(iter(config)) if config else None)
    chosen, out.note = select(entities, bp_id, widget.get("dataset"))
    settings = config.get(bp_id) or {} if isinstance(bp_id, str) else {}
    filtered = (settings.get("filterSettings") or {}).get("filterBy")
    if filtered and filtered.get("rules"):
        chosen, _ = select({"_": chosen}, "_", filtered)
    props = settings.get("propertiesSettings") or {}
    shown = list(props.get("shown") or ["$title", "$updatedAt", "$createdAt"])
    order = [c for c in props.get("order") or [] if c in shown]
    out.columns = order + [c for c in shown if c not in order]
    calcs = (blueprints.get(bp_id) or {}).get("calculationProperties") or {} if isinstance(bp_id, str) else {}
    out.calculated = [c for c in out.columns if c in calcs]
    rows = list(chosen)
    for sort in reversed((settings.get("sortSettings") or {}).get("sortBy") or []):
        prop, descending = str(sort.get("property")), sort.get("order") == "desc"
        present = [e for e in rows if value_of(e, prop) is not None]
        missing = [e for e in rows if value_of(e, prop) is None]
        present.sort(key=lambda e: _sort_key(value_of(e, prop)), reverse=descending)
        rows = present + missing  # entities without the value go last either way
    out.entities = len(rows)
    out.rows = [[value_of(e, c) for c in out.columns] for e in rows]
    return out


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value))


# -- the page -------------------------------------------------------------------------------------

def _base(widget: Mapping[str, Any], kind: str) -> WidgetValue:
    return WidgetValue(str(widget.get("id")), str(widget.get("type")), str(widget.get("title") or widget.get("id")),
                       kind)


def compute_widget(widget: Mapping[str, Any], entities: Entities, *, now: datetime,
                   blueprints: Mapping[str, Mapping[str, Any]] | None = None,
                   options: SeeOptions = DEFAULT_OPTIONS) -> WidgetValue:
    kind = widget.get("type")
    if kind == "entities-number-chart":
        return number(widget, entities, options)
    if kind in ("line-chart", "multi-line-chart"):
        if widget.get("chartType") == "propertiesValueHistory" or any(
                (entry or {}).get("chartType") == "propertiesValueHistory" for entry in widget.get("lines") or []):
            found = _base(widget, "unsupported")
            found.note = "property-history lines need Port's stored history; not drawn here"
            return found
        return line(widget, entities, now, options)
    if kind == "entities-pie-chart":
        return pie(widget, entities, options)
    if kind == "table-entities-explorer":
        return table(widget, entities, blueprints or {}, options)
    found = _base(widget, "unsupported")
    found.note = f"widget type {kind!r} is not drawn here"
    return found


def compute_page(page: Mapping[str, Any], entities: Entities, *, now: datetime,
                 blueprints: Mapping[str, Mapping[str, Any]] | None = None,
                 options: SeeOptions = DEFAULT_OPTIONS) -> list[WidgetValue]:
    """Every widget of a dashboard page, in layout order (row by row), with its layout width."""
    wrapper = (page.get("widgets") or [{}])[0]
    by_id = {w.get("id"): w for w in wrapper.get("widgets") or [] if isinstance(w, dict)}
    out: list[WidgetValue] = []
    placed: set[Any] = set()
    for row_index, row in enumerate(wrapper.get("layout") or []):
        for column in row.get("columns") or []:
            widget = by_id.get(column.get("id"))
            if widget is None:
                continue
            value = compute_widget(widget, entities, now=now, blueprints=blueprints, options=options)
            value.size, value.row = int(column.get("size") or 12), row_index
            out.append(value)
            placed.add(column.get("id"))
    last = len(wrapper.get("layout") or [])
    for wid, widget in by_id.items():
        if wid not in placed:
            value = compute_widget(widget, entities, now=now, blueprints=blueprints, options=options)
            value.row = last
            last += 1
            out.append(value)
    return out


def format_number(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if not unit:
        return text
    return f"{unit}{text}" if unit in ("$", "€", "£") else f"{text} {unit}" if unit != "%" else f"{text}%"
