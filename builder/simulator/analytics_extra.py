"""The Analytics endpoints with their own shapes: leaderboard, Bugbot, conversation insights."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from builder.net.asgi import Request, Response
from . import catalog
from .analytics import base_params, day_range, selected_users
from .common import ApiError, bad_request, int_value, page_info, page_slice, split_list
from .dates import from_ms, iso_ms, day_start_ms
from .generator import World
from .team import Member


# --- /analytics/team/leaderboard ----------------------------------------------------------------

def _board(world: World, members: list[Member], first: date, last: date, kind: str) -> list[dict]:
    entries = []
    for member in members:
        totals = [0] * 7
        for day in world.data_days(first, last):
            values = getattr(world.activity(member, day), kind)
            totals = [a + b for a, b in zip(totals, values)]
        # tab: suggestions shown / accepted; agent: diffs suggested / accepted
        suggested_count, accepts, _, green_acc, red_acc, green_rej, red_rej = totals
        lines_accepted = green_acc + red_acc
        lines_suggested = lines_accepted + green_rej + red_rej
        if not suggested_count:
            continue
        entry: dict[str, Any] = {"email": member.email, "user_id": member.id,
                                 "profile_picture_url": f"https://cursor.com/avatars/{member.id}.png",
                                 "total_accepts": accepts,
                                 "total_lines_accepted": lines_accepted, "total_lines_suggested": lines_suggested,
                                 "line_acceptance_ratio": lines_accepted / lines_suggested if lines_suggested else 0}
        if kind == "tab":
            entry["accept_ratio"] = accepts / suggested_count
        entries.append(entry)
    entries.sort(key=lambda e: (-e["total_lines_accepted"], e["email"]))
    for rank, entry in enumerate(entries, start=1):
        entry["rank"] = rank  # team-wide, kept when the caller filters users
    return entries


def leaderboard(world: World, request: Request) -> Response:
    first, last = day_range(world, request)
    page = int_value(request.query_get("page"), "page", default=1)
    page_size = int_value(request.query_get("pageSize"), "pageSize", default=10, maximum=500)
    chosen = selected_users(world, request)
    boards = {}
    sizes = []
    for name, kind in (("tab_leaderboard", "tab"), ("agent_leaderboard", "agent")):
        entries = _board(world, world.team.members, first, last, kind)
        shown = [e for e in entries if chosen is None or e["email"] in {m.email for m in chosen}]
        sizes.append(len(shown))
        boards[name] = {"data": page_slice(shown, page, page_size), "total_users": len(entries)}
    params = base_params(world, "leaderboard", first, last)
    params.update(page=page, pageSize=page_size)
    return Response.json({"data": boards, "pagination": page_info(page, page_size, max(sizes), "totalUsers"),
                          "params": params})


# --- /analytics/team/bugbot and /bugbot-reviews -------------------------------------------------

def _normal_repo(value: str) -> str:
    text = value.strip().lower()
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text.removesuffix("/").removesuffix(".git")


def _bugbot_page(request: Request) -> tuple[int, int]:
    page = int_value(request.query_get("page"), "page", default=1)
    return page, int_value(request.query_get("pageSize"), "pageSize", default=100, maximum=250)


def bugbot(world: World, request: Request) -> Response:
    first, last = day_range(world, request)
    pr_state = request.query_get("prState") or "merged"
    if pr_state not in ("merged", "all"):
        raise bad_request("prState must be merged or all")
    repo = request.query_get("repo")
    page, page_size = _bugbot_page(request)
    prs: dict[tuple[str, int], list] = {}
    for review in world.reviews(first, last):
        payload = review.payload
        if repo and payload["repo"] != _normal_repo(repo):
            continue
        if pr_state == "merged" and review.extra != "merged":
            continue
        prs.setdefault((payload["repo"], payload["pr_number"]), []).append(review)
    rows = []
    for (repo_name, number), reviews in prs.items():
        bugs = [bug for r in reviews for bug in r.payload["bugs"]]
        resolved = [bug for bug in bugs if bug["resolution_status"] == "resolved"]
        latest = max(r.ts_ms for r in reviews)
        rows.append({"repo": repo_name, "pr_number": number,
                     "timestamp": iso_ms(day_start_ms(from_ms(latest).date())), "reviews": len(reviews),
                     "issues": _severity(bugs), "issues_resolved": _severity(resolved), "_sort": latest})
    rows.sort(key=lambda r: (-r["_sort"], r["repo"], r["pr_number"]))
    for row in rows:
        del row["_sort"]
    params = base_params(world, "bugbot", first, last)
    if repo:
        params["repo"] = _normal_repo(repo)
    params.update(prState=pr_state, page=page, pageSize=page_size)
    return Response.json({"data": page_slice(rows, page, page_size),
                          "pagination": page_info(page, page_size, len(rows), "totalItems"), "params": params})


def _severity(bugs: list[dict]) -> dict:
    counts = Counter(bug["severity"] for bug in bugs)
    return {"total": len(bugs), "by_severity": {"high": counts["high"], "medium": counts["medium"],
                                                "low": counts["low"]}}


def bugbot_reviews(world: World, request: Request) -> Response:
    first, last = day_range(world, request)
    repo = request.query_get("repo")
    pr_text = request.query_get("prNumber")
    dry_text = request.query_get("dryRun")
    pr_number = int_value(pr_text, "prNumber", default=0) if pr_text else None
    if dry_text is not None and dry_text.lower() not in ("true", "false"):
        raise bad_request("dryRun must be true or false")
    dry_run = None if dry_text is None else dry_text.lower() == "true"
    page, page_size = _bugbot_page(request)
    rows = [r.payload for r in world.reviews(first, last)
            if (not repo or r.payload["repo"] == _normal_repo(repo))
            and (pr_number is None or r.payload["pr_number"] == pr_number)
            and (dry_run is None or r.payload["dry_run"] == dry_run)]
    params = base_params(world, "bugbot-reviews", first, last)
    if repo:
        params["repo"] = _normal_repo(repo)
    if pr_number is not None:
        params["prNumber"] = pr_number
    if dry_run is not None:
        params["dryRun"] = dry_run
    params.update(page=page, pageSize=page_size)
    return Response.json({"data": page_slice(rows, page, page_size),
                          "pagination": page_info(page, page_size, len(rows), "totalItems"), "params": params})


# --- /analytics/team/conversation-insights -----------------------------------------------------

# include value -> (field name in rows, Conversation attribute)
INSIGHTS = {"intents": ("intent", "intent"), "complexity": ("complexity", "complexity"),
            "categories": ("category", "category"), "guidanceLevels": ("guidanceLevel", "guidance"),
            "workTypes": ("workType", "work_type")}


def conversation_insights(world: World, request: Request) -> Response:
    if not world.config.conversation_insights_enabled:
        raise ApiError(401, {"error": "Unauthorized", "message": "Conversation Insights is disabled for this team"})
    include = split_list(request.query_all("include"))
    if not include:
        raise bad_request(f"include is required; use one or more of {', '.join(INSIGHTS)}")
    unknown = [value for value in include if value not in INSIGHTS]
    if unknown:
        raise bad_request(f"Invalid include values: {', '.join(unknown)}")
    first, last = day_range(world, request)
    people = selected_users(world, request) or world.team.members
    conversations = [(day, conv) for day in world.data_days(first, last) for m in people
                     for conv in world.activity(m, day).conversations]
    data = {}
    for value in include:
        field, attr = INSIGHTS[value]
        totals = Counter(getattr(conv, attr) for _, conv in conversations)
        per_day = Counter((day, getattr(conv, attr)) for day, conv in conversations)
        distribution = [{field: key, "count": count} for key, count in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
        block: dict = {"distribution": distribution}
        if value == "intents":
            block["topValues"] = distribution[:5]
        block["timeSeries"] = [{"date": day.isoformat(), field: key, "count": count}
                               for (day, key), count in sorted(per_day.items())]
        if value == "intents":
            block["subcategories"] = {
                bucket: [{"subcategory": sub, "count": count} for sub, count in sorted(
                    Counter(c.subcategory for _, c in conversations if c.intent == intent).items(),
                    key=lambda kv: (-kv[1], kv[0]))]
                for intent, (bucket, _) in catalog.INTENTS.items()}
        data[value] = block
    params = base_params(world, "conversation-insights", first, last)
    params["include"] = include
    return Response.json({"data": data, "params": params})
