"""Realistic Cursor API responses for the differential tests and the mapping benchmark.

Two sources, same shapes:

* ``simulated_responses()`` asks the project's simulator (``builder.simulator.create_app``) over
  ``httpx.ASGITransport`` when it exists, exactly as the integration would call the API;
* the local generators below are the fallback, written field by field from cursor-api.md
  §2.2 (daily-usage-data), §2.4 (filtered-usage-events), §3.1 (ai-code commits) and §3.3 (ai-code
  changes): types, optional fields omitted (never null), nullable fields as real nulls, envelopes
  with their own pagination keys. Deterministic for a seed.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta, timezone
from typing import Any

NOW = datetime(2026, 5, 5, 12, 0, tzinfo=timezone.utc)
DAY_MS = 86_400_000

EMAILS = ("alice@northwind.dev", "bob@northwind.dev", "carol.iyer@northwind.dev", "dmitri@northwind.dev",
          "elena.rossi@northwind.dev", "farah@northwind.dev", "goran.novak@northwind.dev", "hana@northwind.dev")
# model -> (input, output, cache write, cache read) dollars per million tokens, first-party?
MODELS = {
    "claude-4.5-sonnet": (3.0, 15.0, 3.75, 0.30, False),
    "claude-4.5-opus": (5.0, 25.0, 6.25, 0.50, False),
    "gpt-5": (1.25, 10.0, 0.0, 0.125, False),
    "gpt-5-codex": (1.25, 10.0, 0.0, 0.125, False),
    "composer-1": (1.25, 10.0, 0.0, 0.125, True),
    "grok-code-fast-1": (0.20, 1.50, 0.0, 0.02, True),
}
KINDS = ("Included in Business", "Included in Business", "Included in Business", "Usage-based",
         "Errored, Not Charged", "User API Key")
REPOS = ("northwind/payments-api", "northwind/web-app", "northwind/infra", None)
EXTENSIONS = ("ts", "tsx", "py", "go", "yaml", "md")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _user_id(email: str) -> str:
    return "user_" + hashlib.sha1(email.encode()).hexdigest()[:26]


# -- §2.4 POST /teams/filtered-usage-events ------------------------------------------------------

def usage_event(rng: random.Random, ts_ms: int) -> dict[str, Any]:
    """One usage event in the documented field order; optional fields omitted, never null."""
    email = rng.choice(EMAILS)
    event: dict[str, Any] = {"timestamp": str(ts_ms), "userEmail": email}
    roll = rng.random()
    if roll < 0.04:
        event["serviceAccountId"] = "sa_" + hashlib.sha1(str(ts_ms).encode()).hexdigest()[:20]
        event["serviceAccountName"] = "ci-bot"
    if roll < 0.08:
        event["cloudAgentId"] = "bc-" + hashlib.md5(str(ts_ms).encode()).hexdigest()[:16]
    if rng.random() < 0.7:
        digest = hashlib.md5(f"{email}{ts_ms // 3_600_000}".encode()).hexdigest()
        event["conversationId"] = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    model = rng.choice(tuple(MODELS))
    kind = rng.choice(KINDS)
    max_mode = rng.random() < 0.08
    token_based = rng.random() < 0.85
    event.update(model=model, kind=kind, maxMode=max_mode)
    price_in, price_out, price_write, price_read, first_party = MODELS[model]
    usage = None
    fee = None
    if token_based:
        scale = 2 if max_mode else 1
        tin, tout = rng.randint(400, 12_000) * scale, rng.randint(80, 4_000) * scale
        cwrite = rng.randint(0, 16_000) * scale if price_write else 0
        cread = rng.randint(0, 60_000)
        total = round((tin * price_in + tout * price_out + cwrite * price_write + cread * price_read) / 10_000, 5)
        usage = {"inputTokens": tin, "outputTokens": tout, "cacheWriteTokens": cwrite, "cacheReadTokens": cread,
                 "totalCents": total}
        if rng.random() < 0.03:
            usage["discountPercentOff"] = 10
        costs = round(max(0.1, total / 4.0), 1)
        if kind in ("Errored, Not Charged", "User API Key"):
            charged: float = 0
        else:
            if not first_party:
                fee = round((tin + tout + cwrite + cread) * 0.25 / 10_000, 6)
            charged = round(total + (fee or 0), 6)
    else:
        costs = 2.0 if max_mode else 1.0
        charged = 0 if kind in ("Errored, Not Charged", "User API Key") else round(costs * 4.0, 6)
    event.update(requestsCosts=costs, isTokenBasedCall=token_based, isChargeable=kind == "Usage-based",
                 isHeadless="cloudAgentId" in event)
    if usage is not None:
        event["tokenUsage"] = usage
    event["chargedCents"] = charged
    if fee is not None:
        event["cursorTokenFee"] = fee
    return event


def usage_events(count: int, seed: int = 7, now: datetime = NOW) -> list[dict[str, Any]]:
    """``count`` events over the 30 days before ``now``, newest first (as the API sorts them)."""
    rng = random.Random(seed)
    end = _ms(now)
    stamps = sorted((end - rng.randint(0, 30 * DAY_MS) for _ in range(count)), reverse=True)
    return [usage_event(rng, ts) for ts in stamps]


def usage_event_pages(count: int, page_size: int = 100, seed: int = 7, now: datetime = NOW) -> list[dict[str, Any]]:
    events = usage_events(count, seed, now)
    pages = max(1, -(-len(events) // page_size))
    start = _ms(now) - 30 * DAY_MS
    out = []
    for page in range(1, pages + 1):
        out.append({
            "totalUsageEventsCount": len(events),
            "pagination": {"numPages": pages, "currentPage": page, "pageSize": page_size,
                           "hasNextPage": page < pages, "hasPreviousPage": page > 1},
            "usageEvents": events[(page - 1) * page_size: page * page_size],
            "period": {"startDate": start, "endDate": _ms(now)},
        })
    return out


# -- §2.2 POST /teams/daily-usage-data (paginated mode: a row per member per day) ---------------

def daily_usage_pages(days: int = 3, seed: int = 11, now: datetime = NOW, page_size: int = 500) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    today = datetime(now.year, now.month, now.day, tzinfo=timezone.utc)
    rows = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        for index, email in enumerate(EMAILS):
            active = rng.random() < 0.75
            row: dict[str, Any] = {"userId": 4101 + index, "day": day.strftime("%Y-%m-%d"), "date": _ms(day),
                                   "email": email, "isActive": active}
            if active:
                added = rng.randint(20, 900)
                accepted = rng.randint(0, added)
                row.update(totalLinesAdded=added, totalLinesDeleted=rng.randint(0, added // 2),
                           acceptedLinesAdded=accepted, acceptedLinesDeleted=rng.randint(0, accepted // 3),
                           totalApplies=rng.randint(0, 40), totalAccepts=rng.randint(0, 30),
                           totalRejects=rng.randint(0, 8), totalTabsShown=rng.randint(0, 400),
                           totalTabsAccepted=rng.randint(0, 150), composerRequests=rng.randint(0, 3),
                           chatRequests=rng.randint(0, 12), agentRequests=rng.randint(0, 60),
                           cmdkUsages=rng.randint(0, 8), subscriptionIncludedReqs=rng.randint(0, 70),
                           apiKeyReqs=0, usageBasedReqs=rng.randint(0, 10), bugbotUsages=rng.randint(0, 2),
                           mostUsedModel=rng.choice(tuple(MODELS)),
                           applyMostUsedExtension="." + rng.choice(EXTENSIONS),
                           tabMostUsedExtension="." + rng.choice(EXTENSIONS), clientVersion="2.3.14")
            else:
                row.update({key: 0 for key in (
                    "totalLinesAdded", "totalLinesDeleted", "acceptedLinesAdded", "acceptedLinesDeleted",
                    "totalApplies", "totalAccepts", "totalRejects", "totalTabsShown", "totalTabsAccepted",
                    "composerRequests", "chatRequests", "agentRequests", "cmdkUsages", "subscriptionIncludedReqs",
                    "apiKeyReqs", "usageBasedReqs", "bugbotUsages")})
                row.update(mostUsedModel=None, applyMostUsedExtension=None, tabMostUsedExtension=None,
                           clientVersion=None)
            rows.append(row)
    pages = max(1, -(-len(rows) // page_size))
    start = _ms(today - timedelta(days=days - 1))
    return [{
        "data": rows[(page - 1) * page_size: page * page_size],
        "period": {"startDate": start, "endDate": _ms(today) + DAY_MS - 1},
        "pagination": {"page": page, "pageSize": page_size, "totalUsers": len(EMAILS), "totalPages": pages,
                       "hasNextPage": page < pages, "hasPreviousPage": page > 1},
    } for page in range(1, pages + 1)]


# -- §3.1 GET /analytics/ai-code/commits ----------------------------------------------------------

def commit_pages(count: int = 40, seed: int = 13, now: datetime = NOW, page_size: int = 25) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    items = []
    for _ in range(count):
        email = rng.choice(EMAILS)
        ts = _ms(now) - rng.randint(0, 7 * DAY_MS)
        repo = rng.choice(REPOS)
        tab_add, comp_add = rng.randint(0, 60), rng.randint(0, 200)
        total_add = tab_add + comp_add + rng.randint(0, 80)
        tab_del, comp_del = rng.randint(0, 10), rng.randint(0, 40)
        total_del = tab_del + comp_del + rng.randint(0, 20)
        primary = None if repo is None else rng.random() < 0.6
        items.append({
            "commitHash": hashlib.sha1(f"{email}{ts}".encode()).hexdigest(),
            "userId": _user_id(email), "userEmail": email,
            "repoName": repo, "branchName": None if repo is None else ("main" if primary else "feat/refunds"),
            "isPrimaryBranch": primary, "commitSource": rng.choice(("ide", "ide", "cli", "cloud")),
            "totalLinesAdded": total_add, "totalLinesDeleted": total_del,
            "tabLinesAdded": tab_add, "tabLinesDeleted": tab_del,
            "composerLinesAdded": comp_add, "composerLinesDeleted": comp_del,
            "nonAiLinesAdded": max(0, total_add - tab_add - comp_add) if rng.random() > 0.05 else None,
            "nonAiLinesDeleted": max(0, total_del - tab_del - comp_del),
            "message": rng.choice(("Add idempotency keys to refund handler", "fix: handle empty cart ✓",
                                   "Überarbeitung der Suche", None)),
            "commitTs": None if rng.random() < 0.05 else _iso(ts - 29_000),
            "createdAt": _iso(ts),
        })
    pages = max(1, -(-count // page_size))
    return [{"items": items[(p - 1) * page_size: p * page_size], "totalCount": count, "page": p,
             "pageSize": page_size} for p in range(1, pages + 1)]


# -- §3.3 GET /analytics/ai-code/changes ----------------------------------------------------------

def change_pages(count: int = 40, seed: int = 17, now: datetime = NOW, page_size: int = 25) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    items = []
    for index in range(count):
        email = rng.choice(EMAILS)
        ts = _ms(now) - rng.randint(0, 7 * DAY_MS)
        source = rng.choice(("TAB", "COMPOSER"))
        files = []
        for _ in range(rng.randint(1, 3)):
            ext = rng.choice(EXTENSIONS)
            entry: dict[str, Any] = {}
            if rng.random() > 0.2:  # privacy mode drops fileName
                entry["fileName"] = f"src/mod{rng.randint(1, 9)}/file.{ext}"
            entry.update(fileExtension=ext, linesAdded=rng.randint(0, 40), linesDeleted=rng.randint(0, 10))
            files.append(entry)
        items.append({
            "changeId": str(812004417 + index), "userId": _user_id(email), "userEmail": email,
            "source": source, "model": None if source == "TAB" else rng.choice(tuple(MODELS)),
            "totalLinesAdded": sum(f["linesAdded"] for f in files),
            "totalLinesDeleted": sum(f["linesDeleted"] for f in files),
            "createdAt": _iso(ts), "metadata": files,
        })
    pages = max(1, -(-count // page_size))
    return [{"items": items[(p - 1) * page_size: p * page_size], "totalCount": count, "page": p,
             "pageSize": page_size} for p in range(1, pages + 1)]


def local_responses() -> dict[str, list[Any]]:
    return {
        "/teams/daily-usage-data": daily_usage_pages(),
        "/teams/filtered-usage-events": usage_event_pages(250, page_size=100),
        "/analytics/ai-code/commits": commit_pages(),
        "/analytics/ai-code/changes": change_pages(),
    }


# -- the project's simulator, when it exists -----------------------------------------------------

def simulated_responses(seed: int = 42, now: datetime = NOW) -> dict[str, list[Any]] | None:
    """The four endpoints' pages from ``builder.simulator`` (None when it is not there or fails)."""
    try:
        import asyncio

        import httpx
        from builder.simulator import SimulatorConfig, create_app  # type: ignore[attr-defined]
    except Exception:
        return None

    async def fetch() -> dict[str, list[Any]]:
        config = SimulatorConfig(seed=seed, now=now)
        try:
            config.rate_limits = False
        except Exception:
            pass
        app = create_app(config)
        start, end = _ms(now) - 29 * DAY_MS, _ms(now)
        auth = httpx.BasicAuth(config.api_key, "")
        out: dict[str, list[Any]] = {}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cursor.sim",
                                     auth=auth) as client:
            async def pages(method: str, path: str, *, body: dict | None = None, params: dict | None = None,
                            more: Any, limit: int = 5) -> list[Any]:
                found = []
                for page in range(1, limit + 1):
                    if body is not None:
                        response = await client.request(method, path, json={**body, "page": page})
                    else:
                        response = await client.request(method, path, params={**(params or {}), "page": page})
                    response.raise_for_status()
                    found.append(response.json())
                    if not more(found[-1]):
                        break
                return found

            out["/teams/daily-usage-data"] = await pages(
                "POST", "/teams/daily-usage-data", body={"startDate": end - 2 * DAY_MS, "endDate": end,
                                                        "pageSize": 500},
                more=lambda r: (r.get("pagination") or {}).get("hasNextPage"))
            out["/teams/filtered-usage-events"] = await pages(
                "POST", "/teams/filtered-usage-events", body={"startDate": start, "endDate": end, "pageSize": 100},
                more=lambda r: (r.get("pagination") or {}).get("hasNextPage"), limit=3)
            for path in ("/analytics/ai-code/commits", "/analytics/ai-code/changes"):
                out[path] = await pages("GET", path, params={"startDate": "7d", "endDate": "now", "pageSize": 50},
                                        more=lambda r: r.get("page", 1) * r.get("pageSize", 1) < r.get("totalCount", 0),
                                        limit=3)
        return out

    try:
        return asyncio.run(fetch())
    except Exception:
        return None


def realistic_responses() -> tuple[str, dict[str, list[Any]]]:
    """("simulator" | "local", {kind: pages}) — the simulator when it is available."""
    found = simulated_responses()
    if found and all(found.values()):
        return "simulator", found
    return "local", local_responses()
