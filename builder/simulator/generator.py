"""The simulated world: a team plus its lazily generated, cached history up to "now".

Endpoints ask the world for items in a time range; the world generates only the (member, day)
pairs the range touches and keeps them, so the first request over 30 days pays once and the
rest are lookups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from . import catalog
from .activity import build_event, generate_day
from .model import DayActivity, DayContext, Stamped, UsageEvent
from .config import SimulatorConfig
from .dates import DAY_MS, day_start_ms, from_ms, iso_ms, to_ms
from .rng import Rng
from .team import Member, Team, build_team, encoded_id, new_uuid

HOUR_MS = 3_600_000


def cents(value: float) -> float | int:
    """Fractional cents as the API prints them since 2026-06-04; whole amounts stay integers."""
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() else rounded


@dataclass
class SpendTotals:
    spend_cents: float = 0.0  # on-demand (Usage-based) only
    overall_cents: float = 0.0  # everything charged, included usage too
    fast_premium_requests: int = 0
    # Included usage split by pool (§9's apiPercentUsed / autoPercentUsed): third-party models draw on the
    # API pool, Cursor's own models (composer, grok-code) on the Auto pool.
    included_api_cents: float = 0.0
    included_auto_cents: float = 0.0
    daily: dict[date, float] = field(default_factory=dict)


class World:
    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.now: datetime = config.resolved_now()
        self.now_ms = to_ms(self.now)
        self.today = self.now.date()
        self.first_day = self.today - timedelta(days=config.days - 1)
        self.team: Team = build_team(config.seed, config.team_size, config.days, self.now)
        self.ctx = DayContext(config.seed, self.now_ms, self.first_day, self.today, self.team.automations)
        # Removals that are part of the seeded history; API removals are logged as they happen.
        self._seeded_removals = {m.index: m.removed_ms for m in self.team.members if m.removed_ms is not None}
        self._days: dict[tuple[int, date], DayActivity] = {}
        self._service_days: dict[date, list[UsageEvent]] = {}
        self._audit_days: dict[date, list[tuple[int, dict]]] = {}

    # --- days -----------------------------------------------------------------------------------

    def activity(self, member: Member, day: date) -> DayActivity:
        key = (member.index, day)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = generate_day(self.ctx, member, day)
        return found

    def data_days(self, first: date, last: date) -> list[date]:
        """Days of [first, last] that can hold data (inside the generated window)."""
        first, last = max(first, self.first_day), min(last, self.today)
        return [first + timedelta(days=i) for i in range((last - first).days + 1)] if first <= last else []

    def days_for_ms(self, start_ms: int, end_ms: int) -> list[date]:
        return self.data_days(from_ms(start_ms).date(), from_ms(end_ms).date())

    # --- items in time ranges (newest first, like the API) --------------------------------------

    def usage_events(self, start_ms: int, end_ms: int) -> list[UsageEvent]:
        found: list[UsageEvent] = []
        for day in self.days_for_ms(start_ms, end_ms):
            for member in self.team.members:
                found.extend(e for e in self.activity(member, day).events if start_ms <= e.ts_ms <= end_ms)
            found.extend(e for e in self.service_account_events(day) if start_ms <= e.ts_ms <= end_ms)
        return sorted(found, key=lambda e: -e.ts_ms)

    def _stamped(self, attr: str, start_ms: int, end_ms: int) -> list[Stamped]:
        found: list[Stamped] = []
        for day in self.days_for_ms(start_ms, end_ms):
            for member in self.team.members:
                found.extend(s for s in getattr(self.activity(member, day), attr) if start_ms <= s.ts_ms <= end_ms)
        return sorted(found, key=lambda s: -s.ts_ms)

    def changes(self, start_ms: int, end_ms: int) -> list[Stamped]:
        return self._stamped("changes", start_ms, end_ms)

    def commits(self, start_ms: int, end_ms: int) -> list[Stamped]:
        return self._stamped("commits", start_ms, end_ms)

    def reviews(self, first: date, last: date) -> list[Stamped]:
        return self._stamped("reviews", day_start_ms(first), day_start_ms(last) + DAY_MS - 1)

    def service_account_events(self, day: date) -> list[UsageEvent]:
        """Nightly CI agent runs: headless cloud-agent events that belong to no member."""
        found = self._service_days.get(day)
        if found is not None:
            return found
        rng = Rng(f"{self.config.seed}/service/{day.isoformat()}")
        account = self.team.service_account
        events = []
        runs = rng.randint(1, 3) if day.weekday() < 5 else 0
        for _ in range(runs):
            agent_id = "bc_" + encoded_id(rng, "", 20).lower()
            conversation = new_uuid(rng)
            hosting = rng.choice(("CLOUD", "SELF_HOSTED_POOL"))
            run_start = day_start_ms(day) + rng.randint(1, 4) * HOUR_MS
            for step in range(rng.randint(2, 5)):
                ts = run_start + step * rng.randint(20, 200) * 1000
                model = rng.choice(("claude-4.5-sonnet", "gpt-5-codex"))
                payload = build_event(rng, ts=ts, email=account.email, model=model, kind="Usage-based",
                                      mode="agent", surface="cloud", conversation=conversation,
                                      cloud_agent=agent_id, automation=self.team.automations[0],
                                      service_account=(account.id, account.name))
                events.append(UsageEvent(ts, None, "agent", "cloud", hosting, payload))
        found = self._service_days[day] = [e for e in events if e.ts_ms <= self.now_ms]
        return found

    # --- spend --------------------------------------------------------------------------------

    def cycle(self, moment: datetime | None = None) -> tuple[datetime, datetime]:
        return self.team.cycle_bounds(moment or self.now)

    def spend(self, member: Member, start_ms: int, end_ms: int) -> SpendTotals:
        """Charges of ``member`` in [start_ms, end_ms), summed from the same events the API lists."""
        totals = SpendTotals()
        for day in self.days_for_ms(start_ms, end_ms - 1):
            day_total = 0.0
            for event in self.activity(member, day).events:
                if not start_ms <= event.ts_ms < end_ms:
                    continue
                charged = event.payload["chargedCents"]
                day_total += charged
                if event.payload["kind"] == "Usage-based":
                    totals.spend_cents += charged
                    totals.fast_premium_requests += 1
                elif catalog.MODELS[event.payload["model"]][4]:
                    totals.included_auto_cents += charged
                else:
                    totals.included_api_cents += charged
            totals.overall_cents += day_total
            if day_total:
                totals.daily[day] = cents(day_total)
        totals.spend_cents = cents(totals.spend_cents)
        totals.overall_cents = cents(totals.overall_cents)
        totals.included_api_cents = cents(totals.included_api_cents)
        totals.included_auto_cents = cents(totals.included_auto_cents)
        return totals

    # --- audit log ----------------------------------------------------------------------------

    def audit_events(self, start_ms: int, end_ms: int) -> list[dict]:
        found: list[tuple[int, dict]] = []
        for day in self.days_for_ms(start_ms, end_ms):
            found.extend(item for item in self._audit_day(day) if start_ms <= item[0] <= end_ms)
        found.extend(item for item in self.team.runtime_audit if start_ms <= item[0] <= end_ms)
        # Newest first; runtime events share the frozen "now", so later writes sort before earlier ones.
        order = sorted(range(len(found)), key=lambda i: (-found[i][0], -i))
        return [found[i][1] for i in order]

    def _audit_day(self, day: date) -> list[tuple[int, dict]]:
        cached = self._audit_days.get(day)
        if cached is not None:
            return cached
        rng = Rng(f"{self.config.seed}/audit/{day.isoformat()}")
        start = day_start_ms(day)
        items: list[tuple[int, dict]] = []
        owner = next(m for m in self.team.members if m.role == "owner")

        def add(ts: int, member_email: str, ip: str, event_type: str, data: dict) -> None:
            event = {"event_id": encoded_id(rng, "evt_", 16), "timestamp": iso_ms(ts), "ip_address": ip,
                     "user_email": member_email, "event_type": event_type, "event_data": data,
                     "application_type": catalog.audit_application_type(event_type)}
            if ts <= self.now_ms:
                items.append((ts, event))

        for member in self.team.members:
            activity = self.activity(member, day)
            login_roll, logout_roll, gap = rng.random(), rng.random(), rng.randint(1, 30)
            if not activity.active or login_roll > 0.9:
                continue
            first = activity.first_ts or start
            ip = member.profile.ip
            add(max(start, first - gap * 60_000), member.email, ip, "login",
                {"ip_address": ip, "user_agent": f"Cursor/{activity.client_version}"})
            if logout_roll < 0.15:
                add(first + 9 * HOUR_MS, member.email, ip, "logout", {"ip_address": ip})
        for member in self.team.members:
            if _same_day(member.joined_ms, day):
                add(member.joined_ms - 60_000, owner.email, owner.profile.ip, "add_user",
                    {"email": member.email, "method": "manual"})
        for index, removed_ms in self._seeded_removals.items():
            if _same_day(removed_ms, day):
                add(removed_ms, owner.email, owner.profile.ip, "remove_user",
                    {"email": self.team.members[index].email})
        for _ in range(rng.choice((0, 0, 1, 1, 2)) if day.weekday() < 5 else 0):
            event_type = rng.choice(catalog.AUDIT_ADMIN_EVENTS)
            add(start + rng.randint(9 * HOUR_MS, 18 * HOUR_MS), owner.email, owner.profile.ip, event_type,
                _admin_event_data(rng, event_type, self.team))
        # The 2026 event types draw from their own stream so the older events of a seed stay as they were.
        rng = Rng(f"{self.config.seed}/audit-apps/{day.isoformat()}")
        for member in self.team.members:
            activity = self.activity(member, day)
            if activity.active and any(e.mcp for e in activity.events) and rng.random() < 0.3:
                first_mcp = min(e.ts_ms for e in activity.events if e.mcp)
                add(first_mcp - 5_000, member.email, member.profile.ip, "mcp_authentication",
                    {"server_name": next(e.mcp[0][1] for e in activity.events if e.mcp), "result": "success"})
        if day.weekday() < 5 and rng.random() < 0.35:
            event_type = rng.choice(catalog.GROK_BOT_EVENTS)
            add(start + rng.randint(8 * HOUR_MS, 19 * HOUR_MS), owner.email, owner.profile.ip, event_type,
                _grok_event_data(rng, event_type, self.team))
        if rng.random() < 0.1:
            member = rng.choice(self.team.members)
            if self.activity(member, day).active:
                add(start + rng.randint(9 * HOUR_MS, 17 * HOUR_MS), member.email, member.profile.ip,
                    "slack_account_link", {"slack_workspace": f"{catalog.TEAM_ORG}.slack.com", "action": "linked"})
        items.sort(key=lambda item: item[0])
        self._audit_days[day] = items
        return items


def _same_day(ms: int, day: date) -> bool:
    return from_ms(ms).date() == day


def _grok_event_data(rng: Rng, event_type: str, team: Team) -> dict:
    if event_type == "grok_bot_access_changed":
        return {"email": rng.choice(team.members).email, "access": rng.choice(("granted", "revoked"))}
    if event_type == "grok_bot_routine":
        return {"routine": rng.choice(catalog.GROK_ROUTINES), "action": rng.choice(("created", "updated"))}
    if event_type == "grok_bot_team_setup_manifest":
        return {"manifest_version": rng.randint(1, 4)}
    return {"bot_name": "Grok", "channel": rng.choice(("#eng", "#platform", "#incidents"))}


def _admin_event_data(rng: Rng, event_type: str, team: Team) -> dict:
    repo = rng.choice(("payments-api", "web-app", "infra", "warehouse"))
    if event_type == "team_settings":
        setting = rng.choice(("usage_based_pricing", "default_model", "auto_run_mode"))
        return {"setting": setting, "old_value": "disabled", "new_value": "enabled"}
    if event_type == "mcp_server_config":
        return {"server_name": rng.choice(catalog.MCP_TOOLS)[1], "action": rng.choice(("added", "updated"))}
    if event_type == "team_api_key":
        return {"action": "created", "key_name": "Port Ocean integration"}
    if event_type == "user_api_key":
        return {"action": "created", "email": rng.choice(team.members).email}
    if event_type == "privacy_mode":
        return {"enabled": True}
    if event_type == "team_rule":
        return {"rule_name": "no-secrets-in-code", "action": rng.choice(("created", "updated"))}
    if event_type == "team_repo":
        return {"repo_url": f"https://github.com/{catalog.TEAM_ORG}/{repo}", "action": "added"}
    return {"repo": f"github.com/{catalog.TEAM_ORG}/{repo}", "enabled": True}  # bugbot_repo_settings
