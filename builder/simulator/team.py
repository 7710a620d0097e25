"""The simulated team: members, their habits, billing cycle, groups, blocklists, service accounts.

Built once per simulator from the seed. The only mutable parts are the ones the Admin API can
change (member removal, spend limits, repo blocklists), and those never rewrite generated history.
"""

from __future__ import annotations

import hashlib
import random
import string
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from . import catalog
from .dates import DAY_MS, day_start_ms, iso_ms, to_ms
from .rng import Rng, Weighted

_ALNUM = string.ascii_letters + string.digits
TEAM_DEFAULT_LIMIT_DOLLARS = 50


def encoded_id(rng: random.Random, prefix: str, length: int = 26) -> str:
    return prefix + "".join(rng.choice(_ALNUM) for _ in range(length))


@dataclass
class Profile:
    """How one person works; the day generator reads it, nothing else does."""

    persona: str
    intensity: float
    weekday_active: float
    on_demand_share: float
    token_based_share: float
    models: Weighted[str]
    extensions: Weighted[str]
    repos: tuple[str, ...]
    uses_cli: bool
    uses_cloud: bool
    uses_bugbot: bool
    uses_auto: bool
    uses_api_key: bool
    privacy_mode: bool
    upgrade_lag_days: int
    mcp_tools: tuple[tuple[str, str], ...]
    work_start_hour: int
    ip: str
    tab_accept_rate: float
    agent_accept_rate: float


@dataclass
class Member:
    index: int
    id: str  # encoded ``user_…`` id used by members/spend/ai-code/analytics
    numeric_id: int  # the internal number daily-usage-data exposes as ``userId``
    name: str
    email: str
    role: str
    joined_ms: int
    removed_ms: int | None
    profile: Profile
    hard_limit_override_dollars: int = 0
    monthly_limit_dollars: int | None = None
    group: int | None = None
    group_joined_ms: int = 0

    @property
    def is_removed(self) -> bool:
        return self.removed_ms is not None

    def member_between(self, start_ms: int, end_ms: int) -> bool:
        """Was this person on the team at some point of [start_ms, end_ms]?"""
        return self.joined_ms <= end_ms and (self.removed_ms is None or self.removed_ms >= start_ms)

    def effective_limit_dollars(self) -> int:
        if self.hard_limit_override_dollars:
            return self.hard_limit_override_dollars
        if self.monthly_limit_dollars is not None:
            return self.monthly_limit_dollars
        return TEAM_DEFAULT_LIMIT_DOLLARS


@dataclass
class BillingGroup:
    index: int
    id: str
    name: str
    directory_group_id: str | None
    created_ms: int
    updated_ms: int


@dataclass
class ServiceAccount:
    id: str
    name: str
    email: str


@dataclass
class Team:
    team_id: int
    members: list[Member]
    billing_anchor_day: int
    groups: list[BillingGroup]
    service_account: ServiceAccount
    automations: tuple[str, ...]
    blocklists: list[dict] = field(default_factory=list)
    next_blocklist_id: int = 0
    # (epoch ms, event) written by API mutations, e.g. a spend limit set through the Admin API
    runtime_audit: list[tuple[int, dict]] = field(default_factory=list)

    def log(self, ts_ms: int, actor: Member, event_type: str, data: dict) -> None:
        digest = hashlib.sha1(f"{len(self.runtime_audit)}/{event_type}/{ts_ms}".encode()).hexdigest()
        self.runtime_audit.append((ts_ms, {
            "event_id": "evt_" + digest[:16], "timestamp": iso_ms(ts_ms), "ip_address": actor.profile.ip,
            "user_email": actor.email, "event_type": event_type, "event_data": data,
            "application_type": catalog.audit_application_type(event_type)}))

    # --- lookups --------------------------------------------------------------------------------

    def find(self, ident: str | int) -> Member | None:
        """A member by email (case-insensitive), ``user_…`` id or numeric id, removed ones included."""
        text = str(ident).strip()
        for member in self.members:
            if text.lower() == member.email.lower() or text == member.id or text == str(member.numeric_id):
                return member
        return None

    def current_members(self) -> list[Member]:
        return [m for m in self.members if not m.is_removed]

    # --- billing cycle --------------------------------------------------------------------------

    def cycle_bounds(self, moment: datetime) -> tuple[datetime, datetime]:
        """The monthly cycle containing ``moment``: starts on the anchor day at 00:00 UTC."""
        year, month = moment.year, moment.month
        start = datetime(year, month, self.billing_anchor_day, tzinfo=timezone.utc)
        if start > moment:
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
            start = datetime(year, month, self.billing_anchor_day, tzinfo=timezone.utc)
        end_year, end_month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return start, datetime(end_year, end_month, self.billing_anchor_day, tzinfo=timezone.utc)


def _pick_persona(rng: random.Random, index: int) -> str:
    names = list(catalog.PERSONAS)
    return names[(index + rng.randrange(len(names))) % len(names)] if index else "backend"


def _profile(rng: random.Random, index: int) -> Profile:
    persona = _pick_persona(rng, index)
    spec = catalog.PERSONAS[persona]
    heavy = rng.random() < 0.25
    tools = tuple(rng.sample(catalog.MCP_TOOLS, k=rng.randint(1, 3)))
    return Profile(
        persona=persona,
        intensity=round(rng.uniform(1.1, 1.6) if heavy else rng.uniform(0.35, 1.0), 3),
        weekday_active=round(rng.uniform(0.6, 0.95), 3),
        on_demand_share=round(rng.uniform(0.15, 0.4) if heavy else rng.choice((0.0, 0.0, 0.03, 0.08)), 3),
        token_based_share=round(rng.uniform(0.8, 1.0), 3),
        models=Weighted.of(spec["models"]),
        extensions=Weighted.of(spec["ext"]),
        repos=tuple(rng.sample(catalog.PERSONA_REPOS[persona], k=2)),
        uses_cli=rng.random() < 0.35,
        uses_cloud=rng.random() < 0.4,
        uses_bugbot=rng.random() < 0.6,
        uses_auto=rng.random() < 0.3,
        uses_api_key=False,
        privacy_mode=rng.random() < 0.15,
        upgrade_lag_days=rng.randint(0, 12),
        mcp_tools=tools,
        work_start_hour=rng.randint(6, 11),
        ip=f"{rng.choice(('198.51.100', '203.0.113', '192.0.2'))}.{rng.randint(2, 254)}",
        tab_accept_rate=round(rng.uniform(0.25, 0.55), 3),
        agent_accept_rate=round(rng.uniform(0.55, 0.9), 3),
    )


def build_team(seed: int, size: int, days: int, now: datetime) -> Team:
    rng = Rng(f"{seed}/team")
    now_ms = to_ms(now)
    today = now.date()
    if size <= min(len(catalog.FIRST_NAMES), len(catalog.LAST_NAMES)):
        # Distinct first and last names keep a small demo team easy to tell apart.
        names = list(zip(rng.sample(catalog.FIRST_NAMES, k=size), rng.sample(catalog.LAST_NAMES, k=size)))
    else:
        names = rng.sample([(first, last) for first in catalog.FIRST_NAMES for last in catalog.LAST_NAMES], k=size)
    numeric = rng.randint(1_000, 90_000)
    members: list[Member] = []
    group_count = min(len(catalog.GROUP_NAMES), size // 3)
    for index, (first, last) in enumerate(names):
        numeric += rng.randint(1, 40)
        joined_day = today - timedelta(days=rng.randint(days + 30, days + 700))
        joined_ms = day_start_ms(joined_day) + rng.randint(8, 18) * 3_600_000 + rng.randint(0, 3_599_999)
        role = "owner" if index == 0 or (index == 1 and size >= 8) else "member"
        if index == 2 and size >= 10:
            role = "free-owner"
        profile = _profile(rng, index)
        members.append(Member(index=index, id=encoded_id(rng, "user_"), numeric_id=numeric,
                              name=f"{first} {last}", email=f"{first}.{last}@{catalog.TEAM_DOMAIN}".lower(),
                              role=role, joined_ms=joined_ms, removed_ms=None, profile=profile))
    # A late joiner and a leaver inside the window exercise the membership rules of daily usage.
    if size >= 4:
        joiner = members[size - 2]
        joined_day = today - timedelta(days=rng.randint(2, max(2, days // 3)))
        joiner.joined_ms = day_start_ms(joined_day) + rng.randint(9, 16) * 3_600_000
    if size >= 5:
        leaver = members[size - 1]
        leaver.removed_ms = now_ms - rng.randint(3, max(3, days // 2)) * DAY_MS - rng.randint(0, 8) * 3_600_000
    if size >= 3:
        members[1 if size > 3 else 0].profile.uses_api_key = True
    for member in members:
        member.monthly_limit_dollars = rng.choice((None, None, None, 100, 150, 200))
        member.hard_limit_override_dollars = 100 if rng.random() < 0.1 else 0
        if group_count:
            slot = member.index % (group_count + 1)
            member.group = slot if slot < group_count else None
            member.group_joined_ms = member.joined_ms
    groups = [
        BillingGroup(index=i, id=encoded_id(rng, "group_"), name=name,
                     directory_group_id=(f"dir_group_{encoded_id(rng, '', 12).lower()}" if i == 2 else None),
                     created_ms=now_ms - rng.randint(200, 400) * DAY_MS,
                     updated_ms=now_ms - rng.randint(20, 150) * DAY_MS)
        for i, name in enumerate(catalog.GROUP_NAMES[:group_count])
    ]
    service_account = ServiceAccount(id=encoded_id(rng, "sa_", 10).lower(), name="Nightly CI Agent",
                                     email=f"ci-agent@{catalog.TEAM_DOMAIN}")
    automations = tuple(new_uuid(rng) for _ in range(2))
    team = Team(team_id=rng.randint(1_000, 99_999), members=members, billing_anchor_day=rng.randint(1, 28),
                groups=groups, service_account=service_account, automations=automations)
    team.blocklists = [
        {"id": "repo_101", "url": f"https://github.com/{catalog.TEAM_ORG}/secrets-vault", "patterns": ["*"]},
        {"id": "repo_102", "url": f"https://github.com/{catalog.TEAM_ORG}/payments-api",
         "patterns": ["*.env", "config/*", "**/*.secret"]},
    ]
    team.next_blocklist_id = 103
    return team


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def member_active_on(member: Member, day: date) -> bool:
    start = day_start_ms(day)
    return member.member_between(start, start + DAY_MS - 1)
