"""AI Code Tracking API (cursor-api.md §3): commits and changes as JSON pages and streamed CSV.

The JSON envelope is ``{items, totalCount, page, pageSize}`` with no ``hasNextPage``: a client
must compute ``page * pageSize < totalCount`` itself, and the simulator must not make that easier.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from builder.net.asgi import Request, Response
from .common import bad_request, int_value, page_slice
from .dates import DateError, parse_ai_code_date, query_range_ms
from .generator import World

CSV_CHUNK_ROWS = 10_000  # the documented streaming granularity

COMMIT_COLUMNS = (
    ("commit_hash", "commitHash"), ("commit_source", "commitSource"), ("user_id", "userId"),
    ("user_email", "userEmail"), ("repo_name", "repoName"), ("branch_name", "branchName"),
    ("is_primary_branch", "isPrimaryBranch"), ("total_lines_added", "totalLinesAdded"),
    ("total_lines_deleted", "totalLinesDeleted"), ("tab_lines_added", "tabLinesAdded"),
    ("tab_lines_deleted", "tabLinesDeleted"), ("composer_lines_added", "composerLinesAdded"),
    ("composer_lines_deleted", "composerLinesDeleted"), ("non_ai_lines_added", "nonAiLinesAdded"),
    ("non_ai_lines_deleted", "nonAiLinesDeleted"), ("message", "message"), ("commit_ts", "commitTs"),
    ("created_at", "createdAt"),
)
CHANGE_COLUMNS = (
    ("change_id", "changeId"), ("user_id", "userId"), ("user_email", "userEmail"), ("source", "source"),
    ("model", "model"), ("total_lines_added", "totalLinesAdded"), ("total_lines_deleted", "totalLinesDeleted"),
    ("created_at", "createdAt"), ("metadata_json", "metadata"),
)
# Free text and JSON are always quoted in the documented samples; other cells only when needed.
ALWAYS_QUOTED = {"message", "metadata_json"}


def _range(world: World, request: Request) -> tuple[int, int]:
    try:
        return query_range_ms(request.query_get("startDate"), request.query_get("endDate"), world.now,
                              parse_ai_code_date)
    except DateError as exc:
        raise bad_request(str(exc)) from None


def _items(world: World, request: Request, kind: str) -> list[dict]:
    start_ms, end_ms = _range(world, request)
    found = world.commits(start_ms, end_ms) if kind == "commits" else world.changes(start_ms, end_ms)
    user = request.query_get("user")
    if user:
        member = world.team.find(user)
        found = [item for item in found if member is not None and item.member == member.index]
    return [item.payload for item in found]


def _json_page(world: World, request: Request, kind: str) -> Response:
    page = int_value(request.query_get("page"), "page", default=1)
    page_size = int_value(request.query_get("pageSize"), "pageSize", default=100, maximum=1000)
    items = _items(world, request, kind)
    return Response.json({"items": page_slice(items, page, page_size), "totalCount": len(items),
                          "page": page, "pageSize": page_size})


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    else:
        text = str(value)
    if column in ALWAYS_QUOTED or any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv(items: list[dict], columns: tuple[tuple[str, str], ...], filename: str) -> Response:
    header = ",".join(name for name, _ in columns) + "\n"
    lines: Iterable[str] = (",".join(_cell(name, item.get(key)) for name, key in columns) + "\n" for item in items)
    rows = list(lines)
    chunks = [header.encode()] + ["".join(rows[i:i + CSV_CHUNK_ROWS]).encode()
                                  for i in range(0, len(rows), CSV_CHUNK_ROWS)]
    return Response(200, b"".join(chunks), {"content-type": "text/csv; charset=utf-8",
                                            "content-disposition": f'attachment; filename="{filename}"'},
                    chunks=chunks)


def commits(world: World, request: Request) -> Response:
    return _json_page(world, request, "commits")


def changes(world: World, request: Request) -> Response:
    return _json_page(world, request, "changes")


def commits_csv(world: World, request: Request) -> Response:
    return _csv(_items(world, request, "commits"), COMMIT_COLUMNS, "commits.csv")


def changes_csv(world: World, request: Request) -> Response:
    return _csv(_items(world, request, "changes"), CHANGE_COLUMNS, "changes.csv")
