"""A small Cursor project and usage-event pages for sync tests (shapes as in reference/cursor-api.md §2.4)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from builder.project.load import parse_project
from builder.project.model import Project

PROJECT_YAML = textwrap.dedent("""\
    version: 1
    integration:
      identifier: cursor-usage
      type: custom
      config:
        baseUrl: https://api.cursor.com
        authType: basic
        username: ${CURSOR_API_KEY}
    port:
      region: local
    portAppConfig:
      createMissingRelatedEntities: true
      enableMergeEntity: true
      entityDeletionThreshold: 0.5
      resources:
      - kind: /teams/members
        selector: {query: 'true', data_path: .teamMembers}
        port:
          entity:
            mappings:
              identifier: .email
              title: .name
              blueprint: '"cursorMember"'
              properties: {email: .email, role: .role}
        x-builder: {name: members}
      - kind: /teams/filtered-usage-events
        selector: {query: '.kind != "ignored"', method: POST, data_path: .usageEvents}
        port:
          entity:
            mappings:
              identifier: .timestamp + "-" + .userEmail
              title: .userEmail + " " + .model
              blueprint: '"cursorUsageEvent"'
              properties:
                timestamp: .timestamp | tonumber / 1000 | todate
                model: .model
                kind: .kind
                input_tokens: .tokenUsage.inputTokens
                charged_cents: .chargedCents
              relations:
                member: .userEmail
                user: .userEmail
        x-builder: {name: usage events}
    blueprints:
    - identifier: cursorMember
      title: Cursor member
      schema:
        properties:
          email: {type: string, format: email, title: Email}
          role: {type: string, title: Role}
        required: [email]
    - identifier: cursorUsageEvent
      title: Cursor usage event
      schema:
        properties:
          timestamp: {type: string, format: date-time, title: Time}
          model: {type: string, title: Model}
          kind: {type: string, title: Kind}
          input_tokens: {type: number, title: Input tokens}
          charged_cents: {type: number, title: Charged (cents)}
        required: [timestamp]
      relations:
        member: {title: Member, target: cursorMember, required: false, many: false}
        user: {title: User, target: _user, required: false, many: false}
    """)

EMAILS = ["alice@northwind.dev", "bob@northwind.dev", "carol@northwind.dev", "dmitri@northwind.dev"]
MODELS = ["claude-4.5-sonnet", "gpt-5", "composer-1"]


def make_project(tmp_path: Path | None = None, text: str = PROJECT_YAML) -> Project:
    project = parse_project(text, "cursor-builder.yaml")
    if tmp_path is not None:
        project.path = tmp_path / "cursor-builder.yaml"
        project.path.write_text(text, encoding="utf-8")
    return project


def usage_event(i: int, *, cents: float | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "timestamp": str(1777900000000 + i * 1000), "userEmail": EMAILS[i % len(EMAILS)],
        "model": MODELS[i % len(MODELS)], "kind": "Usage-based", "maxMode": False, "requestsCosts": 1,
        "isTokenBasedCall": True, "isChargeable": True, "isHeadless": False,
        "tokenUsage": {"inputTokens": 1000 + i, "outputTokens": 10, "cacheWriteTokens": 0, "cacheReadTokens": 0,
                       "totalCents": 1.5},
        "chargedCents": float(i % 7) if cents is None else cents,
    }
    return event


def usage_pages(events: list[dict[str, Any]], per_page: int = 100) -> list[dict[str, Any]]:
    pages = []
    for start in range(0, max(len(events), 1), per_page):
        chunk = events[start:start + per_page]
        pages.append({"totalUsageEventsCount": len(events), "usageEvents": chunk,
                      "pagination": {"currentPage": start // per_page + 1}})
    return pages


def member_pages() -> list[dict[str, Any]]:
    return [{"teamMembers": [{"name": e.split("@")[0].title(), "email": e, "role": "member"} for e in EMAILS]}]


def pages_for(events: list[dict[str, Any]], per_page: int = 100) -> dict[str, list[Any]]:
    return {"members": member_pages(), "usage events": usage_pages(events, per_page)}


# -- a client on the in-process catalog -----------------------------------------------------------


class Sleeps:
    """Injected sleep: records the delays the client asked for and returns at once (no real waiting)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def catalog_client(app: Any, *, sleeps: Sleeps | None = None, transport: Any = None, **kwargs: Any):
    from builder.port.catalog import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, FaultyTransport
    from builder.port.client import LOCAL_BASE_URL, PortClient

    return PortClient(base_url=LOCAL_BASE_URL, client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET,
                      transport=transport or FaultyTransport(app), sleep=sleeps or Sleeps(), **kwargs)


def catalog_entities(app: Any, blueprint: str) -> dict[str, dict[str, Any]]:
    return {e["identifier"]: e for e in app.store.iter_entities(blueprint)}
