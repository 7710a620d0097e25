"""One member's working day: usage events, accepted AI changes, commits and Bugbot reviews.

Every (member, day) has its own random stream, so any day can be generated alone (lazily) and
always comes out the same. Counters such as daily-usage rows and analytics aggregates are derived
from the generated items rather than drawn separately, which is what keeps the endpoints
consistent with each other. A whole day is drawn first and then cut at "now" and at the member's
join/removal time, so history does not change when "now" moves on.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from . import catalog
from .dates import DAY_MS, day_start_ms, iso_ms
from .rng import Rng, Weighted
from .team import Member, Profile, encoded_id, member_active_on, new_uuid

HOUR_MS = 3_600_000
MODES = Weighted.of({"agent": 0.58, "chat": 0.18, "composer": 0.06, "cmdk": 0.18})
HOSTINGS = Weighted.of({"CLOUD": 0.7, "SELF_HOSTED_POOL": 0.2, "SELF_HOSTED_MACHINE": 0.1})
INTENTS = Weighted.of({"Write Code": 0.6, "Ask": 0.28, "Plan": 0.12})
COMPLEXITIES = Weighted.of({"low": 0.35, "medium": 0.45, "high": 0.2})
SEVERITIES = Weighted.of({"high": 0.2, "medium": 0.45, "low": 0.35})
NOT_CHARGED = ("Errored, Not Charged", "User API Key")


@dataclass(slots=True)
class UsageEvent:
    ts_ms: int
    member: int | None  # None for service-account events
    mode: str
    surface: str  # ide | cli | cloud
    hosting: str | None
    payload: dict
    mcp: tuple[tuple[str, str, int], ...] = ()
    command: str | None = None
    skill: str | None = None
    plan_model: str | None = None


@dataclass(slots=True)
class Stamped:
    """A change, commit or review: its API payload plus the instant used for range filters."""

    ts_ms: int
    member: int
    payload: dict
    extra: Any = None


@dataclass(slots=True)
class Conversation:
    id: str
    ts_ms: int
    intent: str
    subcategory: str
    complexity: str
    category: str
    guidance: str
    work_type: str


@dataclass
class DayActivity:
    member: int
    day: date
    events: list[UsageEvent] = field(default_factory=list)
    changes: list[Stamped] = field(default_factory=list)
    commits: list[Stamped] = field(default_factory=list)
    reviews: list[Stamped] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    client_version: str | None = None
    # suggested, accepted, rejected diffs; green/red lines accepted; green/red lines rejected
    agent: tuple[int, int, int, int, int, int, int] = (0, 0, 0, 0, 0, 0, 0)
    # suggestions, accepts, rejects; green/red lines accepted; green/red lines rejected
    tab: tuple[int, int, int, int, int, int, int] = (0, 0, 0, 0, 0, 0, 0)
    # extension -> [distinct files, accepts, rejects, lines accepted, lines rejected]
    ext_stats: dict[str, list] = field(default_factory=dict)
    apply_ext: str | None = None
    tab_ext: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.events or self.tab[1] or self.agent[0])

    @property
    def first_ts(self) -> int | None:
        stamps = [e.ts_ms for e in self.events] + [c.ts_ms for c in self.changes]
        return min(stamps) if stamps else None


@dataclass(frozen=True)
class DayContext:
    seed: int
    now_ms: int
    first_day: date
    today: date
    automations: tuple[str, ...]


def _file_name(rng: Rng, ext: str) -> str:
    folder = rng.choice(catalog.DIRS.get(ext, ("src",)))
    stem = rng.choice(catalog.FILE_STEMS)
    return f"{folder}/{stem}.{ext}"


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
                    files.append((ext, _file_name(rng, ext), rng.randint(2, 60), rng.randint(0, 20)))
                diffs.append((ts + rng.randint(5, 120) * 1000, model, rng.random() < profile.agent_accept_rate, files))

    # --- Tab completions: accepted completions in one file burst share a changeId -----------------
    tabs = []
    for _ in range(round(rng.uniform(3, 12) * profile.intensity)):
        ext = rng.weighted(profile.extensions)
        accepts = rng.randint(1, 5)
        tabs.append((moment(), ext, _file_name(rng, ext), accepts * rng.choice((1, 1, 2, 2, 3)),
                     rng.choice((0, 0, 0, 1, 2)), accepts))

    activity = DayActivity(member.index, day)
    activity.events = sorted((e for e in events if lo <= e.ts_ms <= hi), key=lambda e: e.ts_ms)
    kept_conversations = {e.payload.get("conversationId") for e in activity.events}
    activity.conversations = [c for c in conversations if c.id in kept_conversations]
    _changes_and_stats(ctx, member, day, activity, diffs, tabs, lo, hi)
    _commits(ctx, rng, member, day, activity, moment, lo, hi)
    _reviews(ctx, rng, member, day, activity, moment, lo, hi)
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


def _change_payload(member: Member, change_id: str, source: str, model: str | None, ts: int,
                    files: list[tuple[str, str, int, int]]) -> dict:
    metadata = []
    for ext, name, added, deleted in files:
        entry: dict[str, Any] = {} if member.profile.privacy_mode else {"fileName": name}
        entry.update(fileExtension=ext, linesAdded=added, linesDeleted=deleted)
        metadata.append(entry)
    return {"changeId": change_id, "userId": member.id, "userEmail": member.email, "source": source,
            "model": model, "totalLinesAdded": sum(f[2] for f in files),
            "totalLinesDeleted": sum(f[3] for f in files), "createdAt": iso_ms(ts), "metadata": metadata}


def _changes_and_stats(ctx: DayContext, member: Member, day: date, activity: DayActivity, diffs: list,
                       tabs: list, lo: int, hi: int) -> None:
    # Unique as long as a member accepts < 10k changes a day and the team has < 1000 members.
    base = (day.toordinal() - 730_000) * 10_000_000 + member.index * 10_000
    ext_stats: dict[str, list] = {}
    files_seen: dict[str, set] = {}
    apply_exts: Counter[str] = Counter()
    tab_exts: Counter[str] = Counter()
    agent = [0] * 7
    changes: list[Stamped] = []
    for seq, (ts, model, accepted, files) in enumerate(diffs):
        if not lo <= ts <= hi:
            continue
        added, deleted = sum(f[2] for f in files), sum(f[3] for f in files)
        agent[0] += 1
        for ext, name, f_added, f_deleted in files:
            stats = ext_stats.setdefault(ext, [0, 0, 0, 0, 0])
            files_seen.setdefault(ext, set()).add(name)
            stats[1 if accepted else 2] += 1
            stats[3 if accepted else 4] += f_added + f_deleted
            apply_exts[ext] += 1
        if accepted:
            agent[1] += 1
            agent[3] += added
            agent[4] += deleted
            changes.append(Stamped(ts, member.index, _change_payload(member, str(base + seq), "COMPOSER", model,
                                                                     ts, files)))
        else:
            agent[2] += 1
            agent[5] += added
            agent[6] += deleted
    tab_accepts = tab_added = tab_deleted = 0
    for seq, (ts, ext, name, added, deleted, accepts) in enumerate(tabs, start=len(diffs)):
        if not lo <= ts <= hi:
            continue
        tab_accepts += accepts
        tab_added += added
        tab_deleted += deleted
        stats = ext_stats.setdefault(ext, [0, 0, 0, 0, 0])
        files_seen.setdefault(ext, set()).add(name)
        stats[1] += accepts
        stats[3] += added + deleted
        tab_exts[ext] += accepts
        changes.append(Stamped(ts, member.index, _change_payload(member, str(base + seq), "TAB", None, ts,
                                                                 [(ext, name, added, deleted)])))
    rate = member.profile.tab_accept_rate
    tab_rejects = round(tab_accepts * (1 - rate) / rate)
    green_rej = round(tab_rejects * tab_added / tab_accepts) if tab_accepts else 0
    red_rej = round(tab_rejects * tab_deleted / tab_accepts) if tab_accepts else 0
    for ext, stats in ext_stats.items():
        stats[0] = len(files_seen[ext])
    activity.changes = sorted(changes, key=lambda c: c.ts_ms)
    activity.agent = tuple(agent)  # type: ignore[assignment]
    activity.tab = (tab_accepts + tab_rejects, tab_accepts, tab_rejects, tab_added, tab_deleted, green_rej, red_rej)
    activity.ext_stats = ext_stats
    activity.apply_ext = _most_common(apply_exts)
    activity.tab_ext = _most_common(tab_exts)


def _most_common(counter: Counter[str]) -> str | None:
    if not counter:
        return None
    return "." + min(counter.items(), key=lambda item: (-item[1], item[0]))[0]


def _commits(ctx: DayContext, rng: Rng, member: Member, day: date, activity: DayActivity,
             moment, lo: int, hi: int) -> None:
    profile = member.profile
    tab_add = activity.tab[3]
    tab_del = activity.tab[4]
    comp_add, comp_del = activity.agent[3], activity.agent[4]
    count = rng.choice((0, 1, 1, 2, 2, 3, 4))  # drawn even when idle to keep the stream aligned
    if not activity.active:
        count = 0
    weights = [rng.uniform(0.2, 1.0) for _ in range(count)]
    committed = rng.uniform(0.5, 0.95)
    commits: list[Stamped] = []
    for k in range(count):
        share = committed * weights[k] / sum(weights)
        ts = moment()
        surface_roll = rng.random()
        source = ("cloud" if profile.uses_cloud and surface_roll < 0.1
                  else "cli" if profile.uses_cli and surface_roll < 0.25 else "ide")
        t_add, t_del = int(tab_add * share), int(tab_del * share)
        c_add, c_del = int(comp_add * share), int(comp_del * share)
        human_add = 0 if source == "cloud" else rng.randint(0, 150)
        human_del = 0 if source == "cloud" else rng.randint(0, 60)
        total_add, total_del = t_add + c_add + human_add, t_del + c_del + human_del
        if rng.random() < 0.08:  # AI lines reworked before committing: fewer lines than AI wrote
            total_add = max(0, t_add + c_add - rng.randint(1, max(1, (t_add + c_add) // 2)))
        hidden_repo = (profile.privacy_mode and rng.random() < 0.5) or rng.random() < 0.02
        repo = None if hidden_repo else f"{catalog.TEAM_ORG}/{rng.choice(profile.repos)}"
        branch = None if repo is None else ("main" if rng.random() < 0.45
                                            else f"feat/{rng.choice(catalog.BRANCH_TOPICS)}")
        unknown_non_ai = rng.random() < 0.03
        created = ts + rng.randint(5, 90) * 1000
        payload = {
            "commitHash": hashlib.sha1(f"{ctx.seed}/{member.index}/{day}/{k}".encode()).hexdigest(),
            "userId": member.id, "userEmail": member.email, "repoName": repo, "branchName": branch,
            "isPrimaryBranch": None if branch is None else branch == "main", "commitSource": source,
            "totalLinesAdded": total_add, "totalLinesDeleted": total_del,
            "tabLinesAdded": t_add, "tabLinesDeleted": t_del,
            "composerLinesAdded": c_add, "composerLinesDeleted": c_del,
            "nonAiLinesAdded": None if unknown_non_ai else max(0, total_add - t_add - c_add),
            "nonAiLinesDeleted": None if unknown_non_ai else max(0, total_del - t_del - c_del),
            "message": None if rng.random() < 0.03 else rng.choice(catalog.COMMIT_MESSAGES),
            "commitTs": None if rng.random() < 0.02 else iso_ms(ts),
            "createdAt": iso_ms(created),
        }
        commits.append(Stamped(created, member.index, payload))
        if rng.random() < 0.04:  # amended: same hash and commitTs, ingested again later
            amended = dict(payload)
            later = created + rng.randint(2, 60) * 60_000
            amended["totalLinesAdded"] = total_add + rng.randint(1, 12)
            if amended["nonAiLinesAdded"] is not None:
                amended["nonAiLinesAdded"] = max(0, amended["totalLinesAdded"] - t_add - c_add)
            amended["createdAt"] = iso_ms(later)
            commits.append(Stamped(later, member.index, amended))
    activity.commits = sorted((c for c in commits if lo <= c.ts_ms <= hi), key=lambda c: c.ts_ms)


def _reviews(ctx: DayContext, rng: Rng, member: Member, day: date, activity: DayActivity,
             moment, lo: int, hi: int) -> None:
    profile = member.profile
    roll = rng.random()
    if not (profile.uses_bugbot and activity.active and day.weekday() < 5 and roll < 0.35):
        return
    repo_name = rng.choice(profile.repos)
    repo = f"github.com/{catalog.TEAM_ORG}/{repo_name}"
    pr_number = (day.toordinal() * 131 + member.index * 17) % 8_000 + 200
    state_roll = random.Random(f"{ctx.seed}/pr/{repo}/{pr_number}").random()
    state = "merged" if state_roll < 0.7 else "open" if state_roll < 0.9 else "closed"
    node_id = "R_kgDO" + encoded_id(random.Random(f"{ctx.seed}/repo/{repo}"), "", 6)
    reviews = []
    for _ in range(rng.randint(1, 2)):
        ts = moment()
        dry_run = rng.random() < 0.1
        bugs = []
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 4))):
            severity = rng.weighted(SEVERITIES)
            if dry_run:
                file = _file_name(rng, rng.weighted(profile.extensions))
                line = rng.randint(1, 400)
                bugs.append({"comment_id": None, "resolution_status": None, "severity": severity,
                             "title": "Possible unhandled error path", "description": "An exception can escape "
                             "the retry loop without being logged.",
                             "locations": [{"file": file, "start_line": line, "end_line": line + rng.randint(0, 8)}]})
            else:
                bugs.append({"comment_id": str(rng.randint(2_100_000_000, 2_199_999_999)),
                             "resolution_status": "resolved" if rng.random() < 0.55 else "unresolved",
                             "severity": severity})
        payload = {"request_id": new_uuid(rng), "timestamp": iso_ms(ts), "repo": repo, "repo_node_id": node_id,
                   "pr_number": pr_number, "commit_sha": hashlib.sha1(f"{ctx.seed}/{repo}/{ts}".encode()).hexdigest(),
                   "bugs_found": len(bugs), "cost_cents": None if dry_run else round(rng.uniform(15, 90), 2),
                   "dry_run": dry_run, "publication_status": "dry_run" if dry_run else "posted", "bugs": bugs}
        reviews.append(Stamped(ts, member.index, payload, extra=state))
    activity.reviews = sorted((r for r in reviews if lo <= r.ts_ms <= hi), key=lambda r: r.ts_ms)
