"""Analytics rows for one day, computed from the same member-days every other endpoint serves.

A metric function takes the day and the activities of the members in scope (the whole filtered
team for /analytics/team/*, one member for /analytics/by-user/*) and returns that day's rows;
days without data produce no rows, like a GROUP BY over events would.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Callable, Iterable

from .model import DayActivity

MetricFn = Callable[[date, list[DayActivity]], list[dict]]


def _lines(prefix: dict, green_acc: int, red_acc: int, green_rej: int, red_rej: int) -> dict:
    row = dict(prefix)
    row.update(total_green_lines_accepted=green_acc, total_red_lines_accepted=red_acc,
               total_green_lines_rejected=green_rej, total_red_lines_rejected=red_rej,
               total_green_lines_suggested=green_acc + green_rej, total_red_lines_suggested=red_acc + red_rej,
               total_lines_suggested=green_acc + green_rej + red_acc + red_rej,
               total_lines_accepted=green_acc + red_acc)
    return row


def _sum(tuples: Iterable[tuple[int, ...]]) -> list[int]:
    totals = [0] * 7
    for values in tuples:
        for i, value in enumerate(values):
            totals[i] += value
    return totals


def agent_edits(day: date, acts: list[DayActivity]) -> list[dict]:
    suggested, accepted, rejected, ga, ra, gr, rr = _sum(a.agent for a in acts)
    if not suggested:
        return []
    return [_lines({"event_date": day.isoformat(), "total_suggested_diffs": suggested,
                    "total_accepted_diffs": accepted, "total_rejected_diffs": rejected}, ga, ra, gr, rr)]


def tabs(day: date, acts: list[DayActivity]) -> list[dict]:
    suggestions, accepts, rejects, ga, ra, gr, rr = _sum(a.tab for a in acts)
    if not suggestions:
        return []
    return [_lines({"event_date": day.isoformat(), "total_suggestions": suggestions, "total_accepts": accepts,
                    "total_rejects": rejects}, ga, ra, gr, rr)]


def dau(day: date, acts: list[DayActivity]) -> list[dict]:
    active = [a for a in acts if a.active]
    if not active:
        return []
    cli = sum(1 for a in active if any(e.surface == "cli" for e in a.events)
              or any(c.payload["commitSource"] == "cli" for c in a.commits))
    cloud = sum(1 for a in active if any(e.surface == "cloud" for e in a.events))
    bugbot = sum(1 for a in active if a.reviews)
    return [{"date": day.isoformat(), "dau": len(active), "cli_dau": cli, "cloud_agent_dau": cloud,
             "bugbot_dau": bugbot}]


def client_versions(day: date, acts: list[DayActivity]) -> list[dict]:
    versions = Counter(a.client_version for a in acts if a.active and a.client_version)
    total = sum(versions.values())
    ordered = sorted(versions.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"event_date": day.isoformat(), "client_version": version, "user_count": count,
             "percentage": round(count / total, 3)} for version, count in ordered]


def models(day: date, acts: list[DayActivity]) -> list[dict]:
    messages: Counter[str] = Counter()
    users: dict[str, set[int]] = {}
    for act in acts:
        for event in act.events:
            model = event.payload["model"]
            messages[model] += 1
            users.setdefault(model, set()).add(act.member)
    if not messages:
        return []
    breakdown = {model: {"messages": count, "users": len(users[model])}
                 for model, count in sorted(messages.items(), key=lambda kv: (-kv[1], kv[0]))}
    return [{"date": day.isoformat(), "model_breakdown": breakdown}]


def top_file_extensions(day: date, acts: list[DayActivity]) -> list[dict]:
    merged: dict[str, list[int]] = {}
    for act in acts:
        for ext, stats in act.ext_stats.items():
            into = merged.setdefault(ext, [0, 0, 0, 0, 0])
            for i, value in enumerate(stats):
                into[i] += value
    ranked = sorted(merged.items(), key=lambda kv: (-(kv[1][3] + kv[1][4]), kv[0]))[:5]
    return [{"event_date": day.isoformat(), "file_extension": ext, "total_files": files, "total_accepts": accepts,
             "total_rejects": rejects, "total_lines_suggested": acc_lines + rej_lines,
             "total_lines_accepted": acc_lines, "total_lines_rejected": rej_lines}
            for ext, (files, accepts, rejects, acc_lines, rej_lines) in ranked]


def _usage_rows(day: date, counts: Counter, name_fields: tuple[str, ...]) -> list[dict]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = []
    for key, usage in ordered:
        names = key if isinstance(key, tuple) else (key,)
        row: dict = {"event_date": day.isoformat()}
        row.update(zip(name_fields, names))
        row["usage"] = usage
        rows.append(row)
    return rows


def mcp(day: date, acts: list[DayActivity]) -> list[dict]:
    counts: Counter[tuple[str, str]] = Counter()
    for act in acts:
        for event in act.events:
            for tool, server, calls in event.mcp:
                counts[(tool, server)] += calls
    return _usage_rows(day, counts, ("tool_name", "mcp_server_name"))


def commands(day: date, acts: list[DayActivity]) -> list[dict]:
    return _usage_rows(day, Counter(e.command for a in acts for e in a.events if e.command), ("command_name",))


def plans(day: date, acts: list[DayActivity]) -> list[dict]:
    return _usage_rows(day, Counter(e.plan_model for a in acts for e in a.events if e.plan_model), ("model",))


def skills(day: date, acts: list[DayActivity]) -> list[dict]:
    return _usage_rows(day, Counter(e.skill for a in acts for e in a.events if e.skill), ("skill_name",))


def ask_mode(day: date, acts: list[DayActivity]) -> list[dict]:
    counts = Counter(e.payload["model"] for a in acts for e in a.events if e.mode == "chat")
    return _usage_rows(day, counts, ("model",))


# path segment -> (params.metric, function, also served per user)
METRICS: dict[str, tuple[str, MetricFn, bool]] = {
    "agent-edits": ("agent-edits", agent_edits, True),
    "tabs": ("tabs", tabs, True),
    "dau": ("dau", dau, False),
    "client-versions": ("client-versions", client_versions, True),
    "models": ("models", models, True),
    "top-file-extensions": ("top-files", top_file_extensions, True),
    "mcp": ("mcp", mcp, True),
    "commands": ("commands", commands, True),
    "plans": ("plans", plans, True),
    "skills": ("skills", skills, True),
    "ask-mode": ("ask-mode", ask_mode, True),
}
