"""Analytics API metrics (cursor-api.md §4.1 table rows backed by metrics.py, and §4.2 by-user).

Team-level: ``{data: [...], params: {metric, teamId, startDate, endDate}}``. By-user: ``data`` is an
object keyed by email, plus ``pagination`` (``totalUsers``) and ``params.userMappings``.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from builder.net.asgi import Request, Response
from .common import bad_request, int_value, page_info, page_slice, split_list
from .dates import DAY_MS, DateError, analytics_range, day_start_ms
from .generator import World
from .metrics import METRICS
from .team import Member

Handler = Callable[[World, Request], Response]


def day_range(world: World, request: Request) -> tuple[date, date]:
    try:
        return analytics_range(request.query_get("startDate"), request.query_get("endDate"), world.today)
    except DateError as exc:
        raise bad_request(str(exc)) from None


def selected_users(world: World, request: Request) -> list[Member] | None:
    """Members named in ``users`` (emails and/or ``user_…`` ids), or None when not filtering."""
    idents = split_list(request.query_all("users"))
    if not idents:
        return None
    chosen: list[Member] = []
    for ident in idents:
        member = world.team.find(ident)
        if member is None:
            raise bad_request("Some users are not in the team")
        if member not in chosen:
            chosen.append(member)
    return chosen


def base_params(world: World, metric: str, first: date, last: date) -> dict:
    return {"metric": metric, "teamId": world.team.team_id, "startDate": first.isoformat(),
            "endDate": last.isoformat()}


def members_during(world: World, first: date, last: date) -> list[Member]:
    start_ms, end_ms = day_start_ms(first), day_start_ms(last) + DAY_MS - 1
    return [m for m in world.team.members if m.member_between(start_ms, end_ms)]


def team_metric(path: str) -> Handler:
    metric, fn, _ = METRICS[path]

    def handler(world: World, request: Request) -> Response:
        first, last = day_range(world, request)
        people = selected_users(world, request) or world.team.members
        rows: list[dict] = []
        for day in world.data_days(first, last):
            rows.extend(fn(day, [world.activity(m, day) for m in people]))
        return Response.json({"data": rows, "params": base_params(world, metric, first, last)})

    return handler


def user_page(world: World, request: Request, first: date, last: date,
              default_size: int = 100) -> tuple[list[Member], dict, int, int]:
    """The paginated user set of a by-user endpoint: members in the range, by email."""
    page = int_value(request.query_get("page"), "page", default=1)
    page_size = int_value(request.query_get("pageSize"), "pageSize", default=default_size, maximum=500)
    chosen = selected_users(world, request)
    people = chosen if chosen is not None else members_during(world, first, last)
    people = sorted(people, key=lambda m: m.email)
    return page_slice(people, page, page_size), page_info(page, page_size, len(people), "totalUsers"), page, page_size


def by_user_metric(path: str) -> Handler:
    metric, fn, _ = METRICS[path]

    def handler(world: World, request: Request) -> Response:
        first, last = day_range(world, request)
        people, pagination, page, page_size = user_page(world, request, first, last)
        data = {}
        for member in people:
            rows: list[dict] = []
            for day in world.data_days(first, last):
                rows.extend(fn(day, [world.activity(member, day)]))
            data[member.email] = rows
        params = base_params(world, metric, first, last)
        params.update(page=page, pageSize=page_size,
                      userMappings=[{"id": m.id, "email": m.email} for m in people])
        return Response.json({"data": data, "pagination": pagination, "params": params})

    return handler


def metric_handlers() -> tuple[dict[str, Handler], dict[str, Handler]]:
    """(team-level, by-user) handlers keyed by path segment."""
    team = {path: team_metric(path) for path in METRICS}
    by_user = {path: by_user_metric(path) for path, (_, _, per_user) in METRICS.items() if per_user}
    return team, by_user

