"""Port's search rules (``{combinator, rules: [{property, operator, value}]}``) over entity documents.

Only the operators a sync and a person browsing need; anything else is a 422 that names it, so a
test never passes against a rule the catalog silently ignored.
"""

from __future__ import annotations

from typing import Any, Mapping

OPERATORS = frozenset({
    "=", "!=", "in", "notIn", "contains", "doesNotContains", "containsAny", "beginsWith", "endsWith",
    "isEmpty", "isNotEmpty", ">", ">=", "<", "<=",
})
_META = {"$identifier": "identifier", "$title": "title", "$blueprint": "blueprint", "$team": "team",
         "$icon": "icon", "$createdAt": "createdAt", "$updatedAt": "updatedAt", "$datasource": "$datasource"}


class QueryError(ValueError):
    pass


def check_query(query: Any) -> None:
    """Raise QueryError when the rules use something this catalog cannot evaluate."""
    if query is None:
        return
    if not isinstance(query, dict):
        raise QueryError("query must be an object {combinator, rules}")
    if "rules" in query:
        if query.get("combinator", "and") not in ("and", "or"):
            raise QueryError(f"combinator {query.get('combinator')!r} must be 'and' or 'or'")
        if not isinstance(query["rules"], list):
            raise QueryError("rules must be a list")
        for rule in query["rules"]:
            check_query(rule)
        return
    operator = query.get("operator")
    if operator not in OPERATORS:
        raise QueryError(f"operator {operator!r} is not supported by the embedded catalog "
                         f"(supported: {', '.join(sorted(OPERATORS))})")
    if not isinstance(query.get("property"), str):
        raise QueryError("each rule needs a property")


def _value_of(entity: Mapping[str, Any], prop: str) -> Any:
    if prop in _META:
        return entity.get(_META[prop])
    if prop.startswith("$"):
        raise QueryError(f"property {prop!r} is not supported by the embedded catalog")
    return (entity.get("properties") or {}).get(prop)


def matches(entity: Mapping[str, Any], query: Any) -> bool:
    if query is None:
        return True
    if "rules" in query:
        results = (matches(entity, rule) for rule in query["rules"])
        return any(results) if query.get("combinator", "and") == "or" else all(results)
    value = _value_of(entity, query["property"])
    operator = query["operator"]
    wanted = query.get("value")
    if operator == "=":
        return value == wanted or (isinstance(value, list) and wanted in value)
    if operator == "!=":
        return not (value == wanted or (isinstance(value, list) and wanted in value))
    if operator == "in":
        return value in (wanted or []) or (isinstance(value, list) and any(v in (wanted or []) for v in value))
    if operator == "notIn":
        return value not in (wanted or [])
    if operator == "isEmpty":
        return value in (None, "", [], {})
    if operator == "isNotEmpty":
        return value not in (None, "", [], {})
    if operator in ("contains", "doesNotContains"):
        found = isinstance(value, str) and isinstance(wanted, str) and wanted in value or (
            isinstance(value, list) and wanted in value)
        return found if operator == "contains" else not found
    if operator == "containsAny":
        return isinstance(value, list) and any(v in value for v in (wanted or []))
    if operator == "beginsWith":
        return isinstance(value, str) and value.startswith(str(wanted))
    if operator == "endsWith":
        return isinstance(value, str) and value.endswith(str(wanted))
    try:
        if operator == ">":
            return value is not None and value > wanted
        if operator == ">=":
            return value is not None and value >= wanted
        if operator == "<":
            return value is not None and value < wanted
        if operator == "<=":
            return value is not None and value <= wanted
    except TypeError:
        return False
    return False


def identifier_subset(query: Any) -> list[str] | None:
    """The identifiers a top-level ``and`` query restricts to (``$identifier`` ``=``/``in``), if any.

    Lets the store fetch those rows by key instead of scanning a blueprint of 100,000 entities
    for every plan chunk.
    """
    if not isinstance(query, dict):
        return None
    rules = query.get("rules") if query.get("combinator", "and") == "and" else None
    for rule in rules or []:
        if isinstance(rule, dict) and rule.get("property") == "$identifier":
            if rule.get("operator") == "in" and isinstance(rule.get("value"), list):
                return [v for v in rule["value"] if isinstance(v, str)]
            if rule.get("operator") == "=" and isinstance(rule.get("value"), str):
                return [rule["value"]]
    return None


def blueprint_of(query: Any) -> str | None:
    """The blueprint a top-level ``and`` query pins with ``$blueprint =``."""
    if not isinstance(query, dict) or query.get("combinator", "and") != "and":
        return None
    for rule in query.get("rules") or []:
        if isinstance(rule, dict) and rule.get("property") == "$blueprint" and rule.get("operator") == "=":
            return rule.get("value")
    return None
