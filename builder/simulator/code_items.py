"""Code-side items of a member-day: accepted AI changes, commits and Bugbot reviews.

Derived from the day's agent diffs and Tab bursts, so that commit attribution, change metadata,
daily-usage line counts and analytics line totals all come from the same numbers.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from datetime import date
from typing import Any, Callable

from . import catalog
from .dates import iso_ms
from .model import DayActivity, DayContext, Stamped
from .rng import Rng, Weighted
from .team import Member, encoded_id, new_uuid

SEVERITIES = Weighted.of({"high": 0.2, "medium": 0.45, "low": 0.35})


def file_name(rng: Rng, ext: str) -> str:
    folder = rng.choice(catalog.DIRS.get(ext, ("src",)))
    stem = rng.choice(catalog.FILE_STEMS)
    return f"{folder}/{stem}.{ext}"


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


def changes_and_stats(member: Member, day: date, activity: DayActivity, diffs: list,
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


def commits(ctx: DayContext, rng: Rng, member: Member, day: date, activity: DayActivity,
             moment: Callable[[], int], lo: int, hi: int) -> None:
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
            amended_add = total_add + rng.randint(1, 12)
            amended["totalLinesAdded"] = amended_add
            if amended["nonAiLinesAdded"] is not None:
                amended["nonAiLinesAdded"] = max(0, amended_add - t_add - c_add)
            amended["createdAt"] = iso_ms(later)
            commits.append(Stamped(later, member.index, amended))
    activity.commits = sorted((c for c in commits if lo <= c.ts_ms <= hi), key=lambda c: c.ts_ms)


def reviews(ctx: DayContext, rng: Rng, member: Member, day: date, activity: DayActivity,
             moment: Callable[[], int], lo: int, hi: int) -> None:
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
                file = file_name(rng, rng.weighted(profile.extensions))
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
