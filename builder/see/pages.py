"""Port's rules for pages (dashboards) and their widgets (reference/port-dashboards.md §1.2–§1.3).

A page is ``{identifier, type: "dashboard", title, widgets: [one dashboard-widget]}``; the
wrapper holds ``layout`` rows (columns summing to 12, at most 4 per row, each 3–12 wide, height
≥ 400, one column per widget id) and the widgets. Each widget type's fields and enums come from
Port's OpenAPI schema (``def-3``); the references to blueprints and properties are checked against
the project's blueprints, because Port accepts a page whose widgets point at nothing and then
"silently produces an empty or wrong-looking widget".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from builder.port.pages import layout_problems, page_name, page_widgets
from builder.port.rules import short

if TYPE_CHECKING:
    from builder.project.model import Project

NUMBER_UNITS = ("none", "$", "€", "£", "%", "custom")
UNIT_ALIGNMENTS = ("left", "right", "bottom")
TIME_INTERVALS = ("hour", "day", "isoWeek", "month", "quarter")
TIME_PRESETS = ("today", "yesterday", "lastDay", "lastWeek", "last2Weeks", "lastMonth", "last3Months",
                "last6Months", "last12Months", "last2Years", "last3Years")
AVERAGE_OF = ("hour", "day", "week", "month", "total")
LINE_FUNCS = {"aggregatePropertiesValues": ("sum", "average", "min", "max", "median", "last"),
              "countEntities": ("count", "average")}
META_IDS = ("$identifier", "$title", "$icon", "$team", "$blueprint", "$createdAt", "$updatedAt", "$createdBy",
            "$updatedBy")
DATE_META = ("$createdAt", "$updatedAt")

#: Fields each widget type accepts (the schema has additionalProperties: false on these).
_COMMON = {"id", "type", "title", "icon", "description", "emptyStateText", "updatedAt", "updatedBy", "createdAt",
           "createdBy"}
_LINE_KEYS = _COMMON | {"blueprint", "chartType", "xAxisTitle", "yAxisTitle", "timeInterval", "timeRange", "func",
                        "properties", "measureTimeBy", "dataset", "breakdownProperty", "entity"}
_MULTI_LINE_KEYS = _COMMON | {"timeInterval", "timeRange", "lines", "xAxisTitle", "yAxisTitle", "baselines",
                              "nullValueDisplayMode"}
_LINE_ENTRY_KEYS = {"title", "blueprint", "chartType", "func", "properties", "measureTimeBy", "dataset",
                    "breakdownProperty", "entity"}
_PIE_KEYS = _COMMON | {"blueprint", "property", "dataset", "dontAggregateOther", "segmentTableViewConfig"}
_TABLE_KEYS = _COMMON | {"blueprint", "dataset", "excludedFields", "displayMode", "blueprintConfig",
                         "entitiesQueryMode", "entitiesQueryMaxResults"}
WIDGET_TYPES = ("entities-number-chart", "line-chart", "multi-line-chart", "entities-pie-chart",
                "table-entities-explorer")


@dataclass(frozen=True)
class PageProblem:
    where: str  # "cursor_ai_insights/totalCost.unit"
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


class _Check:
    def __init__(self, blueprints: Mapping[str, Mapping[str, Any]] | None) -> None:
        self.blueprints = blueprints
        self.out: list[PageProblem] = []

    def add(self, where: str, message: str, severity: str = "error") -> None:
        self.out.append(PageProblem(where, message, severity))

    # -- what a blueprint holds -------------------------------------------------------------------
    def blueprint(self, where: str, bp: Any) -> Mapping[str, Any] | None:
        if not isinstance(bp, str) or not bp:
            self.add(where, "blueprint is required (a blueprint identifier)")
            return None
        if self.blueprints is None:
            return None
        found = self.blueprints.get(bp)
        if found is None:
            self.add(where, f"blueprint {bp!r} is not defined in this project")
        return found

    @staticmethod
    def kinds(bp: Mapping[str, Any]) -> dict[str, str]:
        """property id → "property" | "calculation" | "mirror" | "aggregation"."""
        out: dict[str, str] = {}
        for section, kind in (("mirrorProperties", "mirror"), ("aggregationProperties", "aggregation"),
                              ("calculationProperties", "calculation")):
            out.update({key: kind for key in (bp.get(section) or {})})
        out.update({key: "property" for key in ((bp.get("schema") or {}).get("properties") or {})})
        return out

    def property(self, where: str, bp: Mapping[str, Any] | None, prop: Any, *, calculated: bool = True,
                 what: str = "property") -> None:
        if not isinstance(prop, str) or not prop:
            self.add(where, f"{what} is required")
            return
        if bp is None or prop in META_IDS:
            return
        kind = self.kinds(bp).get(prop)
        if kind is None:
            self.add(where, f"blueprint {bp['identifier']!r} has no property {prop!r}")
        elif kind == "calculation" and not calculated:
            self.add(where, f"{prop!r} is a calculation property; Port cannot use it here")

    def date_property(self, where: str, bp: Mapping[str, Any] | None, prop: Any) -> None:
        if not isinstance(prop, str) or not prop:
            self.add(where, "measureTimeBy is required (a date-time property, or $createdAt / $updatedAt)")
            return
        if prop in DATE_META or bp is None:
            return
        if prop.startswith("$"):
            self.add(where, f"{prop!r}: the only date meta properties are {', '.join(DATE_META)}")
            return
        spec = ((bp.get("schema") or {}).get("properties") or {}).get(prop)
        if spec is None:
            self.add(where, f"blueprint {bp['identifier']!r} has no property {prop!r}"
                     + (" (calculation properties cannot measure time)" if prop in (bp.get("calculationProperties")
                                                                                     or {}) else ""))
        elif spec.get("format") != "date-time":
            self.add(where, f"{prop!r} is not a date-time property; the chart cannot place entities in time")

    def enum(self, where: str, value: Any, allowed: Iterable[str], *, required: bool = True) -> None:
        allowed = tuple(allowed)
        if value is None and not required:
            return
        if value not in allowed:
            self.add(where, f"{short(value)} is not one of {', '.join(allowed)}")

    def keys(self, where: str, widget: Mapping[str, Any], allowed: set[str]) -> None:
        for key in widget:
            if key not in allowed:
                self.add(f"{where}.{key}", f"{widget.get('type')} does not accept {key!r} (Port answers 422)")

    def dataset(self, where: str, dataset: Any, bp: Mapping[str, Any] | None, *, required: bool = False) -> None:
        if dataset is None:
            if required:
                self.add(where, "dataset is required ({combinator, rules})")
            return
        rules = dataset if isinstance(dataset, list) else dataset.get("rules") if isinstance(dataset, dict) else None
        if not isinstance(rules, list):
            self.add(where, "dataset must be {combinator: and|or, rules: [...]}")
            return
        if isinstance(dataset, dict):
            self.enum(f"{where}.combinator", dataset.get("combinator"), ("and", "or"))
        for index, rule in enumerate(rules):
            self.rule(f"{where}.rules[{index}]", rule, bp)

    def rule(self, where: str, rule: Any, bp: Mapping[str, Any] | None) -> None:
        if not isinstance(rule, dict):
            self.add(where, "each rule must be an object")
            return
        if "rules" in rule:  # a nested query
            self.dataset(where, rule, bp)
            return
        prop = rule.get("property")
        if prop == "$blueprint" and rule.get("operator") == "=":
            value = rule.get("value")
            if bp is not None and value != bp.get("identifier"):
                self.add(where, f"filters blueprint {short(value)} but the widget shows {bp.get('identifier')!r}: "
                         "the widget stays empty")
            elif self.blueprints is not None and value not in self.blueprints:
                self.add(where, f"blueprint {short(value)} is not defined in this project")
            return
        if isinstance(prop, str) and bp is not None and not prop.startswith("$"):
            kind = self.kinds(bp).get(prop)
            if kind is None:
                self.add(where, f"blueprint {bp['identifier']!r} has no property {prop!r}")
            elif kind == "calculation":
                self.add(where, f"{prop!r} is a calculation property; Port cannot filter widgets by one")

    # -- widgets ----------------------------------------------------------------------------------
    def widget(self, where: str, widget: Mapping[str, Any]) -> None:
        kind = widget.get("type")
        if kind == "entities-number-chart":
            self.number(where, widget)
        elif kind == "line-chart":
            self.keys(where, widget, _LINE_KEYS)
            self.enum(f"{where}.timeInterval", widget.get("timeInterval"), TIME_INTERVALS, required=False)
            self.time_range(where, widget)
            self.line(where, widget)
        elif kind == "multi-line-chart":
            self.keys(where, widget, _MULTI_LINE_KEYS)
            if not isinstance(widget.get("title"), str) or not widget.get("title"):
                self.add(f"{where}.title", "a multi-line chart needs a title")
            self.enum(f"{where}.timeInterval", widget.get("timeInterval"), TIME_INTERVALS, required=False)
            self.time_range(where, widget)
            self.enum(f"{where}.nullValueDisplayMode", widget.get("nullValueDisplayMode"), ("zero", "null"),
                      required=False)
            lines = widget.get("lines")
            if not isinstance(lines, list) or not lines:
                self.add(f"{where}.lines", "a multi-line chart needs at least one line")
                return
            for index, line in enumerate(lines):
                at = f"{where}.lines[{index}]"
                if not isinstance(line, dict):
                    self.add(at, "each line must be an object")
                    continue
                self.keys(at, {"type": "a line", **line}, _LINE_ENTRY_KEYS | {"type"})
                if not isinstance(line.get("title"), str):
                    self.add(f"{at}.title", "each line needs a title")
                self.line(at, line)
        elif kind == "entities-pie-chart":
            self.pie(where, widget)
        elif kind == "table-entities-explorer":
            self.table(where, widget)
        else:
            self.add(f"{where}.type", f"widget type {short(kind)} is not one this builder checks or draws "
                     f"({', '.join(WIDGET_TYPES)})", "warning")

    def number(self, where: str, widget: Mapping[str, Any]) -> None:
        self.enum(f"{where}.unit", widget.get("unit"), NUMBER_UNITS)
        if widget.get("unit") == "custom" and not widget.get("unitCustom"):
            self.add(f"{where}.unitCustom", "unit custom needs unitCustom")
        self.enum(f"{where}.unitAlignment", widget.get("unitAlignment"), UNIT_ALIGNMENTS, required=False)
        self.enum(f"{where}.displayFormatting", widget.get("displayFormatting"), ("none", "round", "custom"),
                  required=False)
        by = widget.get("calculationBy", "entities")
        self.enum(f"{where}.calculationBy", by, ("entities", "property"))
        bp = self.blueprint(f"{where}.blueprint", widget.get("blueprint"))
        func = widget.get("func")
        if by == "entities":
            self.enum(f"{where}.func", func, ("count", "average"))
        else:
            self.enum(f"{where}.func", func, ("sum", "average", "min", "max", "median"))
            self.property(f"{where}.property", bp, widget.get("property"))
        if func == "average":
            self.enum(f"{where}.averageOf", widget.get("averageOf"), AVERAGE_OF)
            if widget.get("averageOf") not in (None, "total") and "measureTimeBy" in widget:
                self.date_property(f"{where}.measureTimeBy", bp, widget.get("measureTimeBy"))
        chart = widget.get("chartType")
        self.enum(f"{where}.chartType", chart, ("aggregateByProperty", "displaySingleProperty", "countEntities"),
                  required=False)
        self.dataset(f"{where}.dataset", widget.get("dataset"), bp, required=chart == "aggregateByProperty")

    def time_range(self, where: str, widget: Mapping[str, Any]) -> None:
        found = widget.get("timeRange")
        if found is None:
            return
        if not isinstance(found, dict) or set(found) != {"preset"}:
            self.add(f"{where}.timeRange", "timeRange must be {\"preset\": ...} and nothing else")
            return
        self.enum(f"{where}.timeRange.preset", found["preset"], TIME_PRESETS)
        if found["preset"] in ("last2Years", "last3Years") and widget.get("timeInterval") != "quarter":
            self.add(f"{where}.timeInterval", f"{found['preset']} needs timeInterval quarter")

    def line(self, where: str, line: Mapping[str, Any]) -> None:
        bp = self.blueprint(f"{where}.blueprint", line.get("blueprint"))
        chart = line.get("chartType")
        if chart == "propertiesValueHistory":
            if not line.get("entity"):
                self.add(f"{where}.entity", "a property-history line needs an entity")
        elif chart not in LINE_FUNCS:
            self.add(f"{where}.chartType", f"{short(chart)} is not one of {', '.join(LINE_FUNCS)}, "
                     "propertiesValueHistory")
            return
        else:
            self.enum(f"{where}.func", line.get("func"), LINE_FUNCS[chart])
            self.date_property(f"{where}.measureTimeBy", bp, line.get("measureTimeBy"))
        if chart in ("aggregatePropertiesValues", "propertiesValueHistory"):
            props = line.get("properties")
            if not isinstance(props, list) or not props:
                self.add(f"{where}.properties", "at least one property (\"properties.<id>\") is required")
            else:
                for index, item in enumerate(props):
                    at = f"{where}.properties[{index}]"
                    if not isinstance(item, str) or not item.startswith("properties."):
                        self.add(at, f"{short(item)}: a line's properties are written \"properties.<id>\"")
                        continue
                    self.property(at, bp, item.split(".", 1)[1], calculated=chart == "propertiesValueHistory")
        if line.get("breakdownProperty") is not None:
            self.property(f"{where}.breakdownProperty", bp, line.get("breakdownProperty"), calculated=False)
        self.dataset(f"{where}.dataset", line.get("dataset"), bp)

    def pie(self, where: str, widget: Mapping[str, Any]) -> None:
        self.keys(where, widget, _PIE_KEYS)
        bp = self.blueprint(f"{where}.blueprint", widget.get("blueprint"))
        prop = widget.get("property")
        prefixes = {"property": "property", "calculation-property": "calculation", "mirror-property": "mirror",
                    "aggregation-property": "aggregation"}
        if not isinstance(prop, str) or not prop:
            self.add(f"{where}.property", "property is required (e.g. \"property#model\")")
        elif prop not in ("$identifier", "$title", "$team"):
            prefix, _, name = prop.partition("#")
            if prefix in prefixes and name:
                kind = self.kinds(bp).get(name) if bp is not None else prefixes[prefix]
                if kind is None:
                    self.add(f"{where}.property", f"blueprint {bp['identifier']!r} has no property {name!r}")  # type: ignore[index]
                elif kind != prefixes[prefix]:
                    self.add(f"{where}.property", f"{name!r} is a {kind} property: write \"{_prefix_of(kind)}#{name}\"")
            elif prefix == "relation" and name:
                if bp is not None and name not in (bp.get("relations") or {}):
                    self.add(f"{where}.property", f"blueprint {bp['identifier']!r} has no relation {name!r}")
            elif prefix not in ("scorecard", "scorecard-rule"):
                self.add(f"{where}.property", f"{short(prop)}: write property#<id>, calculation-property#<id>, "
                         "mirror-property#<id>, relation#<id> or $identifier/$title/$team")
        self.dataset(f"{where}.dataset", widget.get("dataset"), bp, required=True)

    def table(self, where: str, widget: Mapping[str, Any]) -> None:
        self.keys(where, widget, _TABLE_KEYS)
        self.enum(f"{where}.displayMode", widget.get("displayMode"), ("tabs", "single", "widget"), required=False)
        bp = self.blueprint(f"{where}.blueprint", widget.get("blueprint")) if "blueprint" in widget else None
        self.dataset(f"{where}.dataset", widget.get("dataset"), bp, required=True)
        config = widget.get("blueprintConfig") or {}
        if not isinstance(config, dict):
            self.add(f"{where}.blueprintConfig", "blueprintConfig must be an object keyed by blueprint")
            return
        for bp_id, settings in config.items():
            at = f"{where}.blueprintConfig.{bp_id}"
            target = self.blueprint(at, bp_id)
            settings = settings if isinstance(settings, dict) else {}
            shown = (settings.get("propertiesSettings") or {})
            for key in ("shown", "order", "hidden"):
                for index, prop in enumerate(shown.get(key) or []):
                    if prop != "FROZEN_RIGHT_COLUMN":
                        self.property(f"{at}.propertiesSettings.{key}[{index}]", target, prop)
            for index, sort in enumerate((settings.get("sortSettings") or {}).get("sortBy") or []):
                self.property(f"{at}.sortSettings.sortBy[{index}].property", target,
                              sort.get("property") if isinstance(sort, dict) else None)
                if isinstance(sort, dict):
                    self.enum(f"{at}.sortSettings.sortBy[{index}].order", sort.get("order"), ("asc", "desc"))
            for index, prop in enumerate((settings.get("groupSettings") or {}).get("groupBy") or []):
                self.property(f"{at}.groupSettings.groupBy[{index}]", target, prop)

    # -- the page ---------------------------------------------------------------------------------
    def page(self, page: Any, index: int) -> None:
        # The wrapper and the layout are Port's server-side rules (builder.port.pages): one copy.
        for where, message in layout_problems(page, index):
            self.add(where, message)
        name = page_name(page, index)
        for position, widget in enumerate(page_widgets(page) or [] if isinstance(page, dict) and
                                          page.get("type") == "dashboard" else []):
            if isinstance(widget, dict):
                wid = widget.get("id")
                self.widget(f"{name}.{wid if isinstance(wid, str) and wid else position}", widget)


def _prefix_of(kind: str) -> str:
    return {"property": "property", "calculation": "calculation-property", "mirror": "mirror-property",
            "aggregation": "aggregation-property"}[kind]


def page_problems(page: Mapping[str, Any], blueprints: Mapping[str, Mapping[str, Any]] | None = None,
                  *, index: int = 0) -> list[PageProblem]:
    """Every problem with one page. ``blueprints`` (id → blueprint) enables the reference checks."""
    check = _Check(blueprints)
    check.page(page, index)
    return check.out


def project_page_problems(project: Project) -> list[PageProblem]:
    blueprints = {bp["identifier"]: bp for bp in project.blueprints}
    out: list[PageProblem] = []
    seen: set[str] = set()
    for index, page in enumerate(getattr(project, "dashboards", None) or []):
        ident = page.get("identifier") if isinstance(page, dict) else None
        if isinstance(ident, str) and ident in seen:
            out.append(PageProblem(ident, "two dashboards share this identifier; the second overwrites the first"))
        seen.add(str(ident))
        out.extend(page_problems(page, blueprints, index=index))
    return out


def page_findings(project: Project) -> list[tuple[str, str, str, str, str]]:
    """(severity, code, message, consequence, fix) for the lint, one per page problem."""
    out = []
    for problem in project_page_problems(project):
        consequence = ("Port refuses the page (422) or draws the widget empty" if problem.severity == "error"
                       else "the Dashboard tab cannot draw it")
        out.append((problem.severity, "dashboard-page", f"{problem.where}: {problem.message}", consequence,
                    "fix the page under dashboards: in the project file (rules: port-dashboards.md §1.2–1.3)"))
    return out
