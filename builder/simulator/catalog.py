"""Vocabulary of the simulated team: names, models and their prices, languages, repos, tools.

Plain data so that the generator reads like a description of a team and a reviewer can check the
realism of the values in one place.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Alice", "Bob", "Carol", "Dmitri", "Elena", "Farah", "Goran", "Hana", "Ivan", "Jia", "Kofi", "Lena",
    "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Victor", "Wen", "Ximena",
    "Yusuf", "Zara", "Amara", "Bruno", "Chloe", "Diego", "Esther", "Felix", "Greta", "Hiro", "Ines",
    "Jonas", "Kira", "Luca", "Maya", "Nils", "Olga", "Pablo", "Rhea", "Sami", "Tomas", "Vera", "Will",
)
LAST_NAMES = (
    "Ng", "Ruiz", "Iyer", "Petrov", "Rossi", "Haddad", "Novak", "Sato", "Horvat", "Chen", "Mensah", "Berg",
    "Silva", "Karimi", "Okafor", "Shah", "Murphy", "Lopez", "Lund", "Aziz", "Rao", "Dubois", "Zhang",
    "Garcia", "Demir", "Ahmed", "Keller", "Costa", "Martin", "Fischer", "Kowalski", "Tanaka", "Moreau",
    "Jensen", "Reyes", "Nakamura", "Brennan", "Varga", "Schmidt", "Olsen", "Yilmaz", "Park", "Walsh",
)

TEAM_DOMAIN = "northwind.dev"
TEAM_ORG = "northwind"

# model -> (input, output, cache write, cache read) dollars per million tokens, first-party?
MODELS: dict[str, tuple[float, float, float, float, bool]] = {
    "claude-4.5-sonnet": (3.0, 15.0, 3.75, 0.30, False),
    "claude-4.5-opus": (5.0, 25.0, 6.25, 0.50, False),
    "claude-4.5-haiku": (1.0, 5.0, 1.25, 0.10, False),
    "gpt-5": (1.25, 10.0, 0.0, 0.125, False),
    "gpt-5-codex": (1.25, 10.0, 0.0, 0.125, False),
    "gemini-2.5-pro": (1.25, 10.0, 0.0, 0.31, False),
    "composer-1": (1.25, 10.0, 0.0, 0.125, True),
    "grok-code-fast-1": (0.20, 1.50, 0.0, 0.02, True),
}
# Cursor Token Rate on third-party models, dollars per million tokens.
TOKEN_RATE_PER_MTOK = 0.25
CENTS_PER_REQUEST = 4.0  # request-based billing: one request unit = $0.04
INCLUDED_CENTS_PER_CYCLE = 2000  # $20 of included usage per member and cycle: the base of the *PercentUsed fields

# Personas decide languages and model taste; weights are relative.
PERSONAS = {
    "frontend": {"ext": {"tsx": 5, "ts": 4, "css": 1, "json": 1, "md": 1},
                 "models": {"claude-4.5-sonnet": 5, "composer-1": 3, "gpt-5": 2, "grok-code-fast-1": 1}},
    "backend": {"ext": {"py": 5, "sql": 1, "yaml": 1, "toml": 1, "md": 1},
                "models": {"gpt-5": 4, "claude-4.5-sonnet": 4, "gpt-5-codex": 2, "claude-4.5-opus": 1}},
    "platform": {"ext": {"go": 5, "yaml": 3, "tf": 2, "sh": 1, "md": 1},
                 "models": {"claude-4.5-sonnet": 4, "gpt-5-codex": 3, "composer-1": 2, "gemini-2.5-pro": 1}},
    "mobile": {"ext": {"kt": 4, "swift": 4, "ts": 1, "json": 1},
               "models": {"claude-4.5-sonnet": 4, "gpt-5": 3, "claude-4.5-haiku": 2}},
    "data": {"ext": {"py": 5, "ipynb": 2, "sql": 3, "yaml": 1},
             "models": {"gpt-5": 4, "claude-4.5-opus": 2, "gemini-2.5-pro": 2, "claude-4.5-sonnet": 2}},
}
PERSONA_REPOS = {
    "frontend": ("web-app", "design-system", "marketing-site"),
    "backend": ("payments-api", "orders-service", "auth-service"),
    "platform": ("infra", "deploy-tools", "observability"),
    "mobile": ("ios-app", "android-app", "design-system"),
    "data": ("warehouse", "ml-pipelines", "orders-service"),
}
DIRS = {
    "tsx": ("src/components", "src/pages", "src/features/checkout"),
    "ts": ("src/lib", "src/api", "src/hooks"),
    "css": ("src/styles",), "json": ("config", "src/i18n"), "md": ("docs",),
    "py": ("app/services", "app/api", "tests"), "sql": ("migrations", "models"),
    "yaml": ("deploy", ".github/workflows", "charts/app"), "toml": ("config",),
    "go": ("internal/server", "cmd/deployctl", "pkg/metrics"), "tf": ("terraform/modules", "terraform/envs"),
    "sh": ("scripts",), "kt": ("app/src/main/kotlin",), "swift": ("App/Sources",), "ipynb": ("notebooks",),
}
FILE_STEMS = ("handler", "client", "utils", "index", "service", "models", "routes", "config", "store",
              "validators", "retry", "cache", "view", "settings", "schema", "report")

# Client versions by release: (version, days before "now" it came out). Users upgrade with a lag.
CLIENT_RELEASES = (("2.1.50", 75), ("2.2.14", 52), ("2.2.20", 40), ("2.3.8", 21), ("2.3.14", 9), ("2.3.21", 2))

COMMIT_MESSAGES = (
    "Add idempotency keys to refund handler", "Fix race in cache invalidation", "Refactor: extract analytics client",
    "Bump dependencies", "Add retries with jitter to webhook sender", "Handle empty pagination pages",
    "Improve error messages for invalid config", "Add tests for order totals", "Remove dead feature flag",
    "Speed up CI by caching node_modules", "Add dark mode toggle", "Migrate to structured logging",
    "Fix timezone bug in daily report", "Document deployment runbook", "Tighten input validation",
)
BRANCH_TOPICS = ("checkout-v2", "retry-policy", "flaky-tests", "billing-export", "auth-refresh", "perf-pass")

MCP_TOOLS = (("read_file", "filesystem"), ("search_code", "sourcegraph"), ("get_issue", "linear"),
             ("query", "postgres"), ("search_web", "brave-search"), ("list_pull_requests", "github"))
COMMANDS = ("explain", "refactor", "write-tests", "fix-lint", "review", "commit")
SKILLS = ("react-best-practices", "commit-message-helper", "usage-billing", "create-skill", "sql-style")

AUDIT_ADMIN_EVENTS = ("team_settings", "mcp_server_config", "team_api_key", "privacy_mode", "team_rule",
                      "team_repo", "bugbot_repo_settings", "update_user_role", "user_api_key")
AUDIT_EVENT_TYPES = (
    "login", "logout", "add_user", "remove_user", "update_user_role", "team_settings", "mcp_server_config",
    "team_api_key", "user_api_key", "privacy_mode", "user_spend_limit", "team_rule", "team_repo", "team_hook",
    "team_command", "create_directory_group", "delete_directory_group", "update_directory_group",
    "update_directory_group_permissions", "add_user_to_directory_group", "remove_user_from_directory_group",
    "bugbot_installation", "bugbot_installation_settings", "bugbot_repo_settings", "bugbot_team_rule",
    "bugbot_team_settings", "bugbot_bulk_repo_update",
    # Added 2026 (cursor-api.md §9): the Grok bot, MCP sign-ins and Slack account links.
    *("grok_bot_created", "grok_bot_access_changed", "grok_bot_team_setup_manifest", "grok_bot_routine",
      "mcp_authentication", "slack_account_link"),
)
#: Every audit event carries application_type (§9): "cursor" | "grok_bot" | "". Which events get the
#: empty value is not documented [INV]: here the membership events an admin records for someone else.
AUDIT_APPLICATION_EMPTY = ("add_user", "remove_user")
GROK_BOT_EVENTS = ("grok_bot_created", "grok_bot_access_changed", "grok_bot_team_setup_manifest", "grok_bot_routine")
GROK_ROUTINES = ("daily-standup-digest", "weekly-dependency-report", "triage-new-issues")


def audit_application_type(event_type: str) -> str:
    if event_type.startswith("grok_bot_"):
        return "grok_bot"
    return "" if event_type in AUDIT_APPLICATION_EMPTY else "cursor"

INTENTS = {"Write Code": ("writeCode", ("feature", "bugfix", "refactor", "tests")),
           "Ask": ("askMode", ("error_fix", "explain_code", "how_to")),
           "Plan": ("planMode", ("implementation", "architecture"))}
COMPLEXITIES = ("low", "medium", "high")
CATEGORIES = ("New Features", "Bug Fixing & Debugging", "Refactoring", "Testing", "Documentation",
              "DevOps & Infrastructure")
GUIDANCE_LEVELS = ("low", "medium", "high")
WORK_TYPES = ("new_feature", "bug", "refactor", "test", "docs", "chore")

GROUP_NAMES = ("Platform", "Product Engineering", "Data")
