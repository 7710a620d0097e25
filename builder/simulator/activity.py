"""One member's working day: usage events, accepted AI changes, commits and Bugbot reviews.

Every (member, day) has its own random stream, so any day can be generated alone (lazily) and
always comes out the same. Counters such as daily-usage rows and analytics aggregates are derived
from the generated items rather than drawn separately, which is what keeps the endpoints
consistent with each other. A whole day is drawn first and then cut at "now" and at the member's
join/removal time, so history does not change when "now" moves on.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from . import catalog
from . import code_items
from .dates import DAY_MS, day_start_ms
from .model import Conversation, DayActivity, DayContext, UsageEvent
from .rng import Rng, Weighted
from .team import Member, Profile, encoded_id, member_active_on, new_uuid

HOUR_MS = 3_600_000
MODES = Weighted.of({"agent": 0.58, "chat": 0.18, "composer": 0.06, "cmdk": 0.18})
HOSTINGS = Weighted.of({"CLOUD": 0.7, "SELF_HOSTED_POOL": 0.2, "SELF_HOSTED_MACHINE": 0.1})
INTENTS = Weighted.of({"Write Code": 0.6, "Ask": 0.28, "Plan": 0.12})
COMPLEXITIES = Weighted.of({"low": 0.35, "medium": 0.45, "high": 0.2})
NOT_CHARGED = ("Errored, Not Charged", "User API Key")


def build_event(rng: Rng, *, ts: int, email: str, model: str, kind: str, mode: str, surface: str,
                conversation: str | None, cloud_agent: str | None = None, automation: str | None = None,
                service_account: tuple[str, str] | None = None, max_mode: bool = False,
                token_based: bool = True) -> dict:
    """One usage event in the documented field order; optional fields are omitted, never null."""
    payload: dict[str, Any] = {"timestamp": str(ts), "userEmail": email}
    if service_account:
        payload["serviceAccountId"], payload["serviceAccountName"] = service_account
    if cloud_agent:
        payload["cloudAgentId"] = cloud_agent
    if automation:
        payload["automationId"] = automation
    if conversation:
        payload["conversationId"] = conversation
    payload.update(model=model, kind=kind, maxMode=max_mode)
    price_in, price_out, price_write, price_read, first_party = catalog.MODELS[model]
    fee: float | None = None
    usage: dict[str, Any] | None = None
    if token_based:
        scale = 2 if max_mode else 1
        tokens_in = rng.randint(400, 12_000) * scale
        tokens_out = rng.randint(80, 4_000) * scale
        cache_write = rng.randint(0, 16_000) * scale if price_write else 0
        cache_read = rng.randint(0, 60_000)
        # dollars per million tokens -> cents: tokens * price / 1e6 * 100
        total = round((tokens_in * price_in + tokens_out * price_out + cache_write * price_write
                       + cache_read * price_read) / 10_000, 5)
        discount = 10 if rng.random() < 0.03 else 0
        usage = {"inputTokens": tokens_in, "outputTokens": tokens_out, "cacheWriteTokens": cache_write,
                 "cacheReadTokens": cache_read, "totalCents": total}
        if discount:
            usage["discountPercentOff"] = discount
        requests_costs = round(max(0.1, total / catalog.CENTS_PER_REQUEST), 1)
        if kind in NOT_CHARGED:
            charged: float = 0
        else:
            if not first_party:
                fee = round((tokens_in + tokens_out + cache_write + cache_read)
                            * catalog.TOKEN_RATE_PER_MTOK / 10_000, 6)
            charged = round(total * (100 - discount) / 100 + (fee or 0), 6)
    else:
        requests_costs = 2.0 if max_mode else (0.5 if mode == "cmdk" else 1.0)
        charged = 0 if kind in NOT_CHARGED else round(requests_costs * catalog.CENTS_PER_REQUEST, 6)
    payload.update(requestsCosts=requests_costs, isTokenBasedCall=token_based,
                   isChargeable=kind == "Usage-based", isHeadless=surface == "cloud")
    if usage is not None:
        payload["tokenUsage"] = usage
    payload["chargedCents"] = charged
    if fee is not None:
        payload["cursorTokenFee"] = fee
    return payload


def _kind(rng: Rng, profile: Profile) -> str:
    api_roll, error_roll, demand_roll = rng.random(), rng.random(), rng.random()
    if profile.uses_api_key and api_roll < 0.4:
        return "User API Key"
    if error_roll < 0.012:
        return "Errored, Not Charged"
    return "Usage-based" if demand_roll < profile.on_demand_share else "Included in Business"


def client_version(ctx: DayContext, profile: Profile, day: date) -> str:
    version = catalog.CLIENT_RELEASES[0][0]
    for name, days_ago in catalog.CLIENT_RELEASES:
        if ctx.today - timedelta(days=days_ago - profile.upgrade_lag_days) <= day:
            version = name
    return version


def generate_day(ctx: DayContext, member: Member, day: date) -> DayActivity:
    if day < ctx.first_day or day > ctx.today or not member_active_on(member, day):
        return DayActivity(member.index, day)
    profile = member.profile
    rng = Rng(f"{ctx.seed}/day/{member.index}/{day.isoformat()}")
    chance = profile.weekday_active if day.weekday() < 5 else profile.weekday_active * 0.15
    if rng.random() >= chance:
        return DayActivity(member.index, day)
    start = day_start_ms(day)
    lo = max(start, member.joined_ms)
    hi = min(start + DAY_MS - 1, ctx.now_ms, member.removed_ms if member.removed_ms is not None else ctx.now_ms)
    work_start = start + profile.work_start_hour * HOUR_MS

    def moment() -> int:
        return work_start + rng.randint(0, 10 * HOUR_MS)

    # --- conversations and usage events --------------------------------------------------------
    n_events = max(1, round(rng.uniform(3, 20) * profile.intensity))
    conversations = [_conversation(rng, moment()) for _ in range(max(1, round(n_events / rng.uniform(3, 6))))]
    events: list[UsageEvent] = []
    diffs: list[tuple[int, str | None, bool, list[tuple[str, str, int, int]]]] = []
    for _ in range(n_events):
        mode = rng.weighted(MODES)
        surface, hosting, cloud_agent, automation = "ide", None, None, None
        surface_roll, cli_roll = rng.random(), rng.random()
        if mode == "agent" and profile.uses_cloud and surface_roll < 0.1:
            surface = "cloud"
            hosting = rng.weighted(HOSTINGS)
            cloud_agent = "bc_" + encoded_id(rng, "", 20).lower()
            automation = rng.choice(ctx.automations) if rng.random() < 0.3 else None
        elif mode == "agent" and profile.uses_cli and cli_roll < 0.15:
            surface = "cli"
        conversation: Conversation | None = None
        if surface == "cloud":
            conversation = _conversation(rng, moment(), intent="Write Code")
            conversations.append(conversation)
            ts = conversation.ts_ms
        elif mode != "cmdk":
            conversation = conversations[rng.randrange(len(conversations))]
            ts = conversation.ts_ms + rng.randint(0, 90 * 60_000)
        else:
            ts = moment()
        model = rng.weighted(profile.models)
        max_mode = model.startswith("claude-4.5-o") or rng.random() < 0.04
        token_based = rng.random() < profile.token_based_share
        payload = build_event(rng, ts=ts, email=member.email, model=model, kind=_kind(rng, profile), mode=mode,
                              surface=surface, conversation=conversation.id if conversation else None,
                              cloud_agent=cloud_agent, automation=automation, max_mode=max_mode,
                              token_based=token_based)
        event = UsageEvent(ts, member.index, mode, surface, hosting, payload)
        if mode == "agent":
            mcp_roll, command_roll, skill_roll, plan_roll = (rng.random() for _ in range(4))
            if mcp_roll < 0.35:
                tool, server = rng.choice(profile.mcp_tools)
                event.mcp = ((tool, server, rng.randint(1, 4)),)
            event.command = rng.choice(catalog.COMMANDS) if command_roll < 0.1 else None
            event.skill = rng.choice(catalog.SKILLS) if skill_roll < 0.08 else None
            event.plan_model = ("default" if profile.uses_auto else model) if plan_roll < 0.07 else None
        events.append(event)
        if mode in ("agent", "composer"):
            for _ in range(1 if mode == "composer" else rng.randint(0, 1)):
                files = []
                for _ in range(rng.randint(1, 3)):
                    ext = rng.weighted(profile.extensions)
                    files.append((ext, code_items.file_name(rng, ext), rng.randint(2, 60), rng.randint(0, 20)))
                diffs.append((ts + rng.randint(5, 120) * 1000, model, rng.random() < profile.agent_accept_rate, files))

    # --- Tab completions: accepted completions in one file burst share a changeId -----------------
    tabs = []
    for _ in range(round(rng.uniform(3, 12) * profile.intensity)):
        ext = rng.weighted(profile.extensions)
        accepts = rng.randint(1, 5)
        tabs.append((moment(), ext, code_items.file_name(rng, ext), accepts * rng.choice((1, 1, 2, 2, 3)),
                     rng.choice((0, 0, 0, 1, 2)), accepts))

    activity = DayActivity(member.index, day)
    activity.events = sorted((e for e in events if lo <= e.ts_ms <= hi), key=lambda e: e.ts_ms)
    kept_conversations = {e.payload.get("conversationId") for e in activity.events}
    activity.conversations = [c for c in conversations if c.id in kept_conversations]
    code_items.changes_and_stats(member, day, activity, diffs, tabs, lo, hi)
    code_items.commits(ctx, rng, member, day, activity, moment, lo, hi)
    code_items.reviews(ctx, rng, member, day, activity, moment, lo, hi)
    if activity.active:
        activity.client_version = client_version(ctx, profile, day)
    return activity


def _conversation(rng: Rng, ts: int, intent: str | None = None) -> Conversation:
    intent = intent or rng.weighted(INTENTS)
    return Conversation(id=new_uuid(rng), ts_ms=ts, intent=intent,
                        subcategory=rng.choice(catalog.INTENTS[intent][1]),
                        complexity=rng.weighted(COMPLEXITIES),
                        category=rng.choice(catalog.CATEGORIES), guidance=rng.choice(catalog.GUIDANCE_LEVELS),
                        work_type=rng.choice(catalog.WORK_TYPES))
