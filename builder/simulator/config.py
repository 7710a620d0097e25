"""Configuration of one simulated Cursor team.

Everything that makes two simulator instances differ lives here, so that a test can build exactly
the server it needs (small team, fixed clock, no rate limits, a burst of 503s) and the demo can use
the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

# Shaped like a real 2026 key (``crsr_`` + 64 chars) so that key validation in the builder treats it
# like one; the ``demo`` infix makes it obvious in any log that it is not a real secret.
DEMO_API_KEY = "crsr_demo_65b587d34942cda725d5249fab6643963849b6e94090b56ab1f960"

TIERS = ("team", "enterprise")


@dataclass
class FaultConfig:
    """Misbehaviour to inject, drawn from a seeded random stream so that a run is reproducible.

    Rates are probabilities per request (0..1). ``paths`` limits the faults to path prefixes
    (empty = every route) so a test can break one endpoint and keep the others healthy.
    """

    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500,)
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    truncate_rate: float = 0.0
    non_json_rate: float = 0.0
    non_json_status: int = 502
    burst: int = 0  # the first N requests fail with burst_status (more via app.faults.trigger_burst)
    burst_status: int = 503
    paths: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("error_rate", "truncate_rate", "non_json_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"FaultConfig.{name} must be between 0 and 1, got {value!r}")
        if self.latency_ms < 0 or self.latency_jitter_ms < 0:
            raise ValueError("FaultConfig latency must not be negative")
        if self.burst < 0:
            raise ValueError("FaultConfig.burst must not be negative")
        if not self.error_statuses or any(not 500 <= s <= 599 for s in self.error_statuses):
            raise ValueError("FaultConfig.error_statuses must be 5xx codes")

    @property
    def active(self) -> bool:
        return bool(self.error_rate or self.latency_ms or self.latency_jitter_ms or self.truncate_rate
                    or self.non_json_rate or self.burst)


@dataclass
class SimulatorConfig:
    """One simulated team. ``now`` fixes the end of the generated history (tests pass one)."""

    api_key: str = DEMO_API_KEY
    tier: str = "enterprise"
    team_size: int = 12
    days: int = 30
    seed: int = 42
    now: datetime | None = None
    # What a team-tier key gets on /analytics/*: integrators observed 401, the docs' table says 403.
    analytics_denied_status: int = 401
    rate_limits: bool = True
    faults: FaultConfig = field(default_factory=FaultConfig)
    # Per-group overrides of the documented per-minute limits, e.g. {"admin": 2}; see limits.GROUPS.
    rate_limit_overrides: dict[str, int] = field(default_factory=dict)
    # Monotonic seconds for the rate-limit window; tests inject a fake clock instead of sleeping.
    clock: Callable[[], float] | None = None
    # Older docs used a separate Analytics key; when set it is accepted on /analytics/team|by-user.
    analytics_api_key: str | None = None
    conversation_insights_enabled: bool = True
    accept_bearer: bool = True
    # daily-usage-data userId: "number" as Cursor documents it, or "string" (null for removed members) as
    # Airbyte's schema types it (cursor-api.md §9) — mappings must survive both.
    daily_user_id: str = "number"

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {self.tier!r}")
        if self.team_size < 1:
            raise ValueError("team_size must be at least 1")
        if not 1 <= self.days <= 366:
            raise ValueError("days must be between 1 and 366")
        if self.analytics_denied_status not in (401, 403):
            raise ValueError("analytics_denied_status must be 401 or 403")
        if self.daily_user_id not in ("number", "string"):
            raise ValueError("daily_user_id must be 'number' or 'string'")
        if not self.api_key:
            raise ValueError("api_key must not be empty")
        from .limits import GROUPS  # local import: limits imports nothing from here at module level

        unknown = set(self.rate_limit_overrides) - set(GROUPS)
        if unknown:
            raise ValueError(f"unknown rate-limit groups {sorted(unknown)}; known: {sorted(GROUPS)}")

    def resolved_now(self) -> datetime:
        """The simulated present: the configured instant (as UTC) or the current hour."""
        if self.now is None:
            return datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        if self.now.tzinfo is None:
            return self.now.replace(tzinfo=timezone.utc)
        return self.now.astimezone(timezone.utc)
