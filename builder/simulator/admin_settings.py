"""Admin API write endpoints and settings (cursor-api.md §2.6–§2.9).

Writes change the in-memory team (a removed member shows ``isRemoved: true`` and leaves the spend
list, a new spend limit shows up in ``/teams/spend``, blocklists are stored) so that a builder
can exercise a round trip; generated history is never rewritten.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from typing import Any

from builder.net.asgi import Request, Response
from .common import ApiError, bad_request, json_body, not_found
from .dates import iso_ms, to_ms
from .generator import World, cents
from .team import Member

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- spend limits -------------------------------------------------------------------------------

def _limit_error(message: str) -> ApiError:
    return ApiError(400, {"outcome": "error", "message": message})


def _validate_limit(world: World, entry: Any) -> tuple[Member, int | None]:
    """Check one {userEmail, spendLimitDollars}; raises the endpoint's own error body."""
    if not isinstance(entry, dict):
        raise _limit_error("Each update must be an object")
    email = entry.get("userEmail")
    if not isinstance(email, str) or not _EMAIL.match(email):
        raise _limit_error("Invalid email format")
    if "spendLimitDollars" not in entry:
        raise _limit_error("spendLimitDollars is required")
    limit = entry["spendLimitDollars"]
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, float)):
            raise _limit_error("spendLimitDollars must be an integer or null")
        if isinstance(limit, float) and not limit.is_integer():
            raise _limit_error("spendLimitDollars must be a whole number of dollars")
        if limit < 0:
            raise _limit_error("spendLimitDollars must not be negative")
        limit = int(limit)
    member = world.team.find(email)
    if member is None or member.is_removed:
        raise _limit_error(f"User {email} is not a member of this team")
    return member, limit


def _apply_limit(world: World, member: Member, limit: int | None) -> bool:
    if member.monthly_limit_dollars == limit:
        return False
    member.monthly_limit_dollars = limit
    world.team.log(world.now_ms, _admin(world), "user_spend_limit",
                   {"email": member.email, "spend_limit_dollars": limit})
    return True


def _admin(world: World) -> Member:
    return next(m for m in world.team.members if m.role == "owner" and not m.is_removed)


def set_spend_limit(world: World, request: Request) -> Response:
    member, limit = _validate_limit(world, json_body(request))
    _apply_limit(world, member, limit)
    message = (f"Spend limit removed for user {member.email}" if limit is None
               else f"Spend limit set to ${limit} for user {member.email}")
    return Response.json({"outcome": "success", "message": message})


def set_spend_limits(world: World, request: Request) -> Response:
    updates = json_body(request).get("updates")
    if not isinstance(updates, list) or not 1 <= len(updates) <= 100:
        raise bad_request("updates must be an array of 1 to 100 entries")
    results = []
    counts = {"updated": 0, "unchanged": 0, "failed": 0}
    for entry in updates:
        email = entry.get("userEmail") if isinstance(entry, dict) else None
        try:
            member, limit = _validate_limit(world, entry)
        except ApiError as exc:
            counts["failed"] += 1
            results.append({"userEmail": email, "status": "failed", "error": exc.payload["message"]})
            continue
        status = "updated" if _apply_limit(world, member, limit) else "unchanged"
        counts[status] += 1
        results.append({"userEmail": member.email, "status": status})
    return Response.json({"requestedCount": len(updates), "updatedCount": counts["updated"],
                          "unchangedCount": counts["unchanged"], "failedCount": counts["failed"],
                          "results": results})


# --- POST /teams/remove-member ------------------------------------------------------------------

def _remove_error(message: str) -> ApiError:
    return ApiError(400, {"error": message})


def remove_member(world: World, request: Request) -> Response:
    body = json_body(request)
    user_id, email = body.get("userId"), body.get("email")
    if user_id is not None and email is not None:
        raise _remove_error("Only one of userId or email should be provided, not both")
    if user_id is None and email is None:
        raise _remove_error("Either userId or email must be provided")
    if user_id is not None:
        member = next((m for m in world.team.members if m.id == user_id), None)
    else:
        member = next((m for m in world.team.members if isinstance(email, str) and m.email == email.lower()), None)
    if member is None or member.is_removed:
        raise _remove_error("User is not a member of this team")
    remaining = [m for m in world.team.current_members() if m is not member]
    if not any(m.role in ("owner", "free-owner") for m in remaining):
        raise _remove_error("At least one admin must remain on the team")
    if not any(m.role != "free-owner" for m in remaining):
        raise _remove_error("At least one paid member must remain on the team")
    cycle_start, _ = world.cycle()
    used = world.spend(member, to_ms(cycle_start), world.now_ms + 1)
    has_usage = used.overall_cents > 0 or any(
        world.activity(member, day).events for day in world.days_for_ms(to_ms(cycle_start), world.now_ms))
    member.removed_ms = world.now_ms
    world.team.log(world.now_ms, _admin(world), "remove_user", {"email": member.email})
    return Response.json({"success": True, "userId": member.id, "hasBillingCycleUsage": has_usage})


# --- repo blocklists ----------------------------------------------------------------------------

def list_blocklists(world: World, request: Request) -> Response:
    return Response.json({"repos": world.team.blocklists})


def upsert_blocklists(world: World, request: Request) -> Response:
    repos = json_body(request).get("repos")
    if not isinstance(repos, list) or not repos:
        raise bad_request("repos must be a non-empty array")
    for repo in repos:
        if (not isinstance(repo, dict) or not isinstance(repo.get("url"), str) or not repo["url"].strip()
                or not isinstance(repo.get("patterns"), list)
                or not all(isinstance(p, str) and p for p in repo["patterns"])):
            raise bad_request("Each repo needs a url string and a patterns array of strings")
    team = world.team
    upserted = []
    for repo in repos:
        existing = next((r for r in team.blocklists if r["url"] == repo["url"]), None)
        if existing is None:
            existing = {"id": f"repo_{team.next_blocklist_id}", "url": repo["url"], "patterns": []}
            team.next_blocklist_id += 1
            team.blocklists.append(existing)
        existing["patterns"] = list(repo["patterns"])  # replaces, as documented
        upserted.append(existing)
    return Response.json({"repos": upserted})


def delete_blocklist(world: World, request: Request) -> Response:
    repo_id = request.path_params["repoId"]
    before = len(world.team.blocklists)
    world.team.blocklists = [r for r in world.team.blocklists if r["id"] != repo_id]
    if len(world.team.blocklists) == before:
        raise not_found()
    return Response(204)


# --- billing groups -----------------------------------------------------------------------------

def _billing_cycle(world: World, request: Request) -> tuple[datetime, datetime]:
    value = request.query_get("billingCycle")
    if not value:
        return world.cycle()
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise bad_request("billingCycle must be an ISO date (YYYY-MM-DD)") from None
    return world.cycle(datetime.combine(day, time(12), tzinfo=timezone.utc))


def _group_json(world: World, index: int | None, cycle: tuple[datetime, datetime], detailed: bool) -> dict:
    team = world.team
    start_ms, end_ms = to_ms(cycle[0]), min(to_ms(cycle[1]), world.now_ms + 1)
    people = [m for m in team.members if m.group == index]
    group_daily: dict[date, float] = {}
    current: list[dict[str, Any]] = []
    former: list[dict[str, Any]] = []
    total = 0.0
    for m in people:
        spent = world.spend(m, start_ms, end_ms) if start_ms < end_ms else None
        amount = spent.overall_cents if spent else 0
        total += amount
        entry: dict[str, Any] = {"userId": m.id, "name": m.name, "email": m.email,
                                 "joinedAt": iso_ms(m.group_joined_ms),
                                 "leftAt": iso_ms(m.removed_ms) if m.removed_ms is not None else None,
                                 "spendCents": amount}
        for day, value in (spent.daily.items() if spent else ()):
            group_daily[day] = group_daily.get(day, 0.0) + value
        if detailed and m.removed_ms is None:
            entry["dailySpend"] = [{"date": d.isoformat(), "spendCents": v} for d, v in sorted(spent.daily.items())] \
                if spent else []
        (former if m.removed_ms is not None else current).append(entry)
    if index is None:
        first_join = min(m.joined_ms for m in team.members)
        group_id, name, directory, created, updated = "group_unassigned", "Unassigned", None, first_join, first_join
    else:
        group = team.groups[index]
        group_id, name, directory = group.id, group.name, group.directory_group_id
        created, updated = group.created_ms, group.updated_ms
    return {"id": group_id, "name": name, "type": "BILLING", "directoryGroupId": directory,
            "memberCount": len(current), "createdAt": iso_ms(created), "updatedAt": iso_ms(updated),
            "spendCents": cents(total), "currentMembers": current, "formerMembers": former,
            "dailySpend": [{"date": d.isoformat(), "spendCents": cents(v)} for d, v in sorted(group_daily.items())]}


def _cycle_json(cycle: tuple[datetime, datetime]) -> dict:
    return {"cycleStart": iso_ms(to_ms(cycle[0])), "cycleEnd": iso_ms(to_ms(cycle[1]))}


def list_groups(world: World, request: Request) -> Response:
    cycle = _billing_cycle(world, request)
    return Response.json({
        "groups": [_group_json(world, g.index, cycle, detailed=False) for g in world.team.groups],
        "unassignedGroup": _group_json(world, None, cycle, detailed=False),
        "billingCycle": _cycle_json(cycle),
    })


def get_group(world: World, request: Request) -> Response:
    group_id = request.path_params["groupId"]
    cycle = _billing_cycle(world, request)
    if group_id == "group_unassigned":
        index = None
    else:
        index = next((g.index for g in world.team.groups if g.id == group_id), -1)
        if index == -1:
            raise not_found()
    return Response.json({"group": _group_json(world, index, cycle, detailed=True), "billingCycle": _cycle_json(cycle)})

