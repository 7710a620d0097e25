"""Admin API read endpoints (cursor-api.md §2.1–§2.5): members, daily usage, spend, events, audit log.

Each handler keeps its endpoint's own envelope and pagination keys; the differences between them
are the point (§1.4, §7.6).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from builder.net.asgi import Request, Response
from . import catalog
from .model import DayActivity, UsageEvent
from .common import bad_request, int_value, json_body, page_info, page_slice, split_list, total_pages
from .dates import (DAY_MS, DateError, check_ms_range, day_start_ms, epoch_ms_field, from_ms,
                    parse_audit_time, query_range_ms, to_ms)
from .generator import SpendTotals, World, cents
from .team import Member, member_active_on

HOSTING_TYPES = ("CLOUD", "SELF_HOSTED", "SELF_HOSTED_POOL", "SELF_HOSTED_MACHINE")


def members(world: World, request: Request) -> Response:
    return Response.json({"teamMembers": [
        {"id": m.id, "name": m.name, "email": m.email, "role": m.role, "isRemoved": m.is_removed}
        for m in world.team.members
    ]})


# --- POST /teams/daily-usage-data ---------------------------------------------------------------

def daily_user_id(member: Member, style: str) -> int | str | None:
    """``userId`` as Cursor documents it (a number), or as Airbyte's schema types it (§9 [3P]): a string,
    null for rows whose user has left the team [INV]."""
    if style == "number":
        return member.numeric_id
    return None if member.is_removed else str(member.numeric_id)


def daily_row(member: Member, activity: DayActivity, user_id_style: str = "number") -> dict:
    events = activity.events
    modes = Counter(e.mode for e in events)
    kinds = Counter(e.payload["kind"] for e in events)
    models = Counter(e.payload["model"] for e in events)
    suggested, accepted, rejected, green_acc, red_acc, green_rej, red_rej = activity.agent
    shown, tab_accepts, _, tab_green, tab_red, _, _ = activity.tab
    return {
        "userId": daily_user_id(member, user_id_style),
        "day": activity.day.isoformat(),
        "date": day_start_ms(activity.day),
        "email": member.email,
        "isActive": activity.active,
        # Lines the AI proposed in agent diffs plus the ones Tab wrote; accepted = agent diffs kept.
        "totalLinesAdded": green_acc + green_rej + tab_green,
        "totalLinesDeleted": red_acc + red_rej + tab_red,
        "acceptedLinesAdded": green_acc,
        "acceptedLinesDeleted": red_acc,
        "totalApplies": suggested,
        "totalAccepts": accepted,
        "totalRejects": rejected,
        "totalTabsShown": shown,
        "totalTabsAccepted": tab_accepts,
        "composerRequests": modes["composer"],
        "chatRequests": modes["chat"],
        "agentRequests": modes["agent"],
        "cmdkUsages": modes["cmdk"],
        "subscriptionIncludedReqs": kinds["Included in Business"] + kinds["Errored, Not Charged"],
        "apiKeyReqs": kinds["User API Key"],
        "usageBasedReqs": kinds["Usage-based"],
        "bugbotUsages": len(activity.reviews),
        "mostUsedModel": min(models.items(), key=lambda kv: (-kv[1], kv[0]))[0] if models else None,
        "applyMostUsedExtension": activity.apply_ext,
        "tabMostUsedExtension": activity.tab_ext,
        "clientVersion": activity.client_version,
    }


def daily_usage(world: World, request: Request) -> Response:
    body = json_body(request)
    try:
        start_ms = epoch_ms_field(body, "startDate", required=True)
        end_ms = epoch_ms_field(body, "endDate", required=True)
        assert start_ms is not None and end_ms is not None
        check_ms_range(start_ms, end_ms)
    except DateError as exc:
        raise bad_request(str(exc)) from None
    first, last = from_ms(start_ms).date(), min(from_ms(end_ms).date(), world.today)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)] if first <= last else []
    paginated = body.get("page") is not None and body.get("pageSize") is not None
    envelope: dict = {}
    if paginated:
        page = int_value(body.get("page"), "page", default=1)
        page_size = int_value(body.get("pageSize"), "pageSize", default=100)
        # Everyone who was on the team during the range, in id order; later joiners are excluded.
        users = sorted((m for m in world.team.members if m.member_between(start_ms, end_ms)),
                       key=lambda m: m.numeric_id)
        chosen = page_slice(users, page, page_size)
        # One row per member per day of membership, idle days included as zeros and nulls.
        rows = [daily_row(m, world.activity(m, day), world.config.daily_user_id) for day in days for m in chosen if member_active_on(m, day)]
        envelope = {"pagination": page_info(page, page_size, len(users), "totalUsers")}
    else:
        ordered = sorted(world.team.members, key=lambda m: m.numeric_id)
        rows = [daily_row(m, act, world.config.daily_user_id) for day in days for m in ordered if (act := world.activity(m, day)).active]
    return Response.json({"data": rows, "period": {"startDate": start_ms, "endDate": end_ms}, **envelope})


# --- POST /teams/spend --------------------------------------------------------------------------

def spend(world: World, request: Request) -> Response:
    body = json_body(request)
    search = body.get("searchTerm")
    if search is not None and not isinstance(search, str):
        raise bad_request("searchTerm must be a string")
    sort_by = body.get("sortBy") or "date"
    direction = body.get("sortDirection") or "desc"
    if sort_by not in ("amount", "date", "user"):
        raise bad_request("sortBy must be one of amount, date, user")
    if direction not in ("asc", "desc"):
        raise bad_request("sortDirection must be asc or desc")
    page = int_value(body.get("page"), "page", default=1)
    page_size = int_value(body.get("pageSize"), "pageSize", default=100)
    cycle_start, cycle_end = world.cycle()
    start_ms = to_ms(cycle_start)
    people = [m for m in world.team.current_members()
              if not search or search.lower() in m.name.lower() or search.lower() in m.email.lower()]
    totals = {m.index: world.spend(m, start_ms, world.now_ms + 1) for m in people}
    keys = {
        "amount": lambda m: (totals[m.index].spend_cents, totals[m.index].overall_cents, m.email),
        "date": lambda m: (m.joined_ms, m.email),
        "user": lambda m: (m.name.lower(), m.email),
    }
    people.sort(key=keys[sort_by], reverse=direction == "desc")
    rows = []
    for m in page_slice(people, page, page_size):
        t = totals[m.index]
        rows.append({"userId": m.id, "name": m.name, "email": m.email, "role": m.role,
                     "spendCents": t.spend_cents, "overallSpendCents": t.overall_cents,
                     "fastPremiumRequests": t.fast_premium_requests,
                     "hardLimitOverrideDollars": m.hard_limit_override_dollars,
                     "monthlyLimitDollars": m.monthly_limit_dollars,
                     "effectivePerUserLimitDollars": m.effective_limit_dollars(),
                     **_spend_extras(world, m, t, cycle_end)})
    return Response.json({"teamMemberSpend": rows, "subscriptionCycleStart": start_ms,
                          "totalMembers": len(people), "totalPages": total_pages(len(people), page_size)})


def _percent(cents_used: float) -> float:
    return round(cents_used / catalog.INCLUDED_CENTS_PER_CYCLE * 100, 2)


def _spend_extras(world: World, member: Member, totals: SpendTotals, cycle_end: datetime) -> dict:
    """The row fields third parties see (§9, Airbyte's schema [3P]); values are the simulator's reading."""
    api, auto = _percent(totals.included_api_cents), _percent(totals.included_auto_cents)
    # A sign-up promotion on some members, expiring at the end of the cycle.
    promo = to_ms(cycle_end) if member.index % 5 == 3 else None
    return {"removedAt": None,  # the list holds current members only
            "billingTier": "enterprise" if world.config.tier == "enterprise" else "teams",
            "apiPercentUsed": api, "autoPercentUsed": auto, "totalPercentUsed": round(api + auto, 2),
            "includedSpendCents": cents(totals.overall_cents - totals.spend_cents),
            "usagePromoExpiresAt": promo}


# --- POST /teams/filtered-usage-events ------------------------------------------------------------

def _optional_str(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value


def usage_events(world: World, request: Request) -> Response:
    body = json_body(request)
    try:
        start_ms = epoch_ms_field(body, "startDate", required=False)
        end_ms = epoch_ms_field(body, "endDate", required=False)
        end_ms = world.now_ms if end_ms is None else end_ms
        start_ms = end_ms - 7 * DAY_MS if start_ms is None else start_ms
        check_ms_range(start_ms, end_ms)
    except DateError as exc:
        raise bad_request(str(exc)) from None
    page = int_value(body.get("page"), "page", default=1)
    page_size = int_value(body.get("pageSize"), "pageSize", default=100, maximum=1000)
    user_id = body.get("userId")
    if user_id is not None and (isinstance(user_id, bool) or not isinstance(user_id, (int, float))):
        raise bad_request("userId must be a number")
    email = _optional_str(body, "email")
    service_account = _optional_str(body, "serviceAccountId")
    cloud_agent = _optional_str(body, "cloudAgentId")
    automation = _optional_str(body, "automationId")
    hosting = body.get("hostingType")
    if hosting is not None and hosting not in HOSTING_TYPES:
        # Documented on purpose: a typo must not look like zero self-hosted spend.
        raise bad_request(f"Invalid hostingType {hosting!r}; expected one of {', '.join(HOSTING_TYPES)}")

    def wanted(event: UsageEvent) -> bool:
        payload = event.payload
        if user_id is not None:
            member = world.team.members[event.member] if event.member is not None else None
            if member is None or member.numeric_id != int(user_id):
                return False
        if email is not None and payload["userEmail"].lower() != email.lower():
            return False
        if service_account is not None and payload.get("serviceAccountId") != service_account:
            return False
        for key, value in (("cloudAgentId", cloud_agent), ("automationId", automation)):
            if value is not None and (key not in payload or (value != "*" and payload[key] != value)):
                return False
        if hosting is not None:
            if event.hosting is None:
                return False
            if hosting == "SELF_HOSTED" and not event.hosting.startswith("SELF_HOSTED"):
                return False
            if hosting != "SELF_HOSTED" and event.hosting != hosting:
                return False
        return True

    events = [e for e in world.usage_events(start_ms, end_ms) if wanted(e)]
    pages = total_pages(len(events), page_size)
    return Response.json({
        "totalUsageEventsCount": len(events),
        "pagination": {"numPages": pages, "currentPage": page, "pageSize": page_size,
                       "hasNextPage": page < pages, "hasPreviousPage": page > 1},
        "usageEvents": [e.payload for e in page_slice(events, page, page_size)],
        "period": {"startDate": start_ms, "endDate": end_ms},
    })


# --- GET /teams/audit-logs ----------------------------------------------------------------------

def audit_logs(world: World, request: Request) -> Response:
    try:
        start_ms, end_ms = query_range_ms(request.query_get("startTime"), request.query_get("endTime"), world.now,
                                          parse_audit_time, ("startTime", "endTime"))
    except DateError as exc:
        raise bad_request(str(exc)) from None
    page = int_value(request.query_get("page"), "page", default=1)
    page_size = int_value(request.query_get("pageSize"), "pageSize", default=100, maximum=500)
    types = split_list(request.query_all("eventTypes"))
    unknown = [t for t in types if t not in catalog.AUDIT_EVENT_TYPES]
    if unknown:
        raise bad_request(f"Invalid event types: {', '.join(unknown)}")
    users = split_list(request.query_all("users"))
    if len(users) > page_size:
        raise bad_request(f"Too many users: at most {page_size} (pageSize) per request")
    emails = set()
    for ident in users:
        member = world.team.find(ident)
        if member is None:
            raise bad_request("Some users are not in the team")
        emails.add(member.email)
    search = (request.query_get("search") or "").strip().lower()

    def wanted(event: dict) -> bool:
        if types and event["event_type"] not in types:
            return False
        if emails and event["user_email"] not in emails:
            return False
        if search:
            haystack = f"{event['user_email']} {event['event_type']} {event['ip_address']} {event['event_data']}"
            return search in haystack.lower()
        return True

    events = [e for e in world.audit_events(start_ms, end_ms) if wanted(e)]
    return Response.json({
        "events": page_slice(events, page, page_size),
        "pagination": page_info(page, page_size, len(events), "totalCount"),
        "params": {"teamId": world.team.team_id, "startDate": start_ms, "endDate": end_ms},
    })
