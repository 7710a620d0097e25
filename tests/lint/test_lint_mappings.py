"""Lint catches what the preview catches: broken JQ in any field, a blueprint that is not a JQ
string, an empty base URL, an identifier that comes out as "null", a mapping that reads the
environment, a processing mode in which Ocean would not run the mapping."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from builder.engine import jqrt
from builder.ship.lint import _run, lint_project, render_text
from builder.ship.lint_mappings import code_of, reads_environment
from builder.project.load import parse_project
from builder.project.yamlio import dump
from builder.source.request import compute_value

from test_lint_rules import ITEMS, NOW, base, cfg, lint, sel


def mappings(**values: Any) -> Callable[[dict], None]:
    return lambda d: d["portAppConfig"]["resources"][0]["port"]["entity"]["mappings"].update(values)


def props(**values: Any) -> Callable[[dict], None]:
    return lambda d: d["portAppConfig"]["resources"][0]["port"]["entity"]["mappings"]["properties"].update(values)


def integration(**values: Any) -> Callable[[dict], None]:
    return lambda d: d["integration"].update(values)


BROKEN = ".a |"
CASES: list[tuple[str, list[Callable[[dict], None]], str, str]] = [
    # id, changes, code, text the message must contain
    ("identifier", [mappings(identifier=BROKEN)], "invalid-jq", "identifier does not compile"),
    ("title", [mappings(title=BROKEN)], "invalid-jq", "title does not compile"),
    ("blueprint", [mappings(blueprint=BROKEN)], "invalid-jq", "blueprint does not compile"),
    ("icon", [mappings(icon=BROKEN)], "invalid-jq", "icon does not compile"),
    ("team", [mappings(team=BROKEN)], "invalid-jq", "team does not compile"),
    ("property", [props(n=BROKEN)], "invalid-jq", "properties.n does not compile"),
    ("relation", [mappings(relations={"owner": BROKEN})], "invalid-jq", "relations.owner does not compile"),
    ("search-relation", [mappings(relations={"owner": {"combinator": '"and"', "rules": [
        {"property": '"$identifier"', "operator": '"="', "value": BROKEN}]}})],
     "invalid-jq", "relations.owner.rules[0].value does not compile"),
    ("selector", [sel(query=BROKEN)], "invalid-jq", "selector.query does not compile"),
    ("items-to-parse", [lambda d: d["portAppConfig"]["resources"][0]["port"].update(itemsToParse=BROKEN)],
     "invalid-jq", "itemsToParse does not compile"),
    ("bool-literal", [props(n=True)], "invalid-jq", "properties.n does not compile"),
    ("empty-field", [props(n="")], "invalid-jq", "properties.n does not compile"),
    ("blueprint-number", [mappings(blueprint=5)], "blueprint-not-string", "blueprint is a number"),
    ("blueprint-object", [mappings(blueprint={"a": 1})], "blueprint-not-string", "not a JQ string"),
    ("base-url-empty", [cfg(baseUrl="")], "base-url-empty", "baseUrl is empty"),
    ("base-url-blank", [cfg(baseUrl="  ")], "base-url-empty", "baseUrl is empty"),
    # no response given: the lint maps the preset's recorded sample of the same endpoint
    ("identifier-null-literal", [sel(data_path=".teamMembers"), mappings(identifier='"null"')], "identifier-null",
     'the string "null"'),
    ("identifier-null-tostring", [sel(data_path=".teamMembers"), mappings(identifier=".missing | tostring")],
     "identifier-null", "preset"),
    ("env", [props(n="env")], "reads-environment", "properties.n reads the environment"),
    ("env-field", [props(n="env.CURSOR_API_KEY")], "reads-environment", "env"),
    ("dollar-env", [props(n="$ENV")], "reads-environment", "$ENV"),
    ("dollar-env-index", [props(n='$ENV["PORT_CLIENT_SECRET"]')], "reads-environment", "properties.n"),
    ("env-in-interpolation", [mappings(title='"key: \\(env.CURSOR_API_KEY)"')], "reads-environment", "title"),
    ("env-in-selector", [sel(query='env.X == "1"')], "reads-environment", "selector.query"),
    ("processing-mode", [integration(processingMode="dsp")], "processing-mode", "ocean-core"),
]


@pytest.mark.parametrize("case_id,changes,code,text", CASES, ids=[c[0] for c in CASES])
def test_lint_finds_it(case_id: str, changes: list[Callable[[dict], None]], code: str, text: str) -> None:
    findings = [f for f in lint(changes) if f.code == code]
    assert findings, f"{case_id}: no {code} finding"
    assert findings[0].severity == "error"
    assert any(text in f.message for f in findings), [f.message for f in findings]
    assert findings[0].consequence and findings[0].fix


def test_the_identifier_null_rule_uses_the_given_response() -> None:
    pages = [{"items": [{"id": "a", "n": 1}, {"n": 2}]}]
    findings = [f for f in lint([mappings(identifier=".id | tostring")], pages) if f.code == "identifier-null"]
    assert findings and "record 1" in findings[0].message and "given response" in findings[0].message


def test_a_clean_project_has_none_of_these() -> None:
    codes = {f.code for f in lint([], ITEMS)}
    assert not codes & {"invalid-jq", "blueprint-not-string", "base-url-empty", "identifier-null",
                        "reads-environment", "processing-mode"}


@pytest.mark.parametrize("expr,reads", [
    ("env", True), ("env.X", True), ("$ENV", True), ('$ENV["X"]', True), ('"\\(env.X)"', True),
    ("env | keys", True), ('.a + "\\(.b) \\($ENV.X)"', True),
    (".env", False), ('"env"', False), ('"my env var"', False), ("{env: 1}", False), (".environment", False),
    ('.a # env in a comment', False), ("$envelope", False), ('"\\(.a) env"', False),
])
def test_reading_the_environment_is_told_from_code(expr: str, reads: bool) -> None:
    assert reads_environment(expr) is reads, code_of(expr)


def test_lint_and_the_request_builder_run_computed_values_alike() -> None:
    """One jq entry point: ``now`` is ``$now`` in both (issue #12: lint used the wall clock)."""
    for expr in ("now", "$now", "(now - 86400) * 1000 | floor", "[now, $now] | add"):
        assert _run(expr, 913600.0) == compute_value(expr, 913600.0)
    assert _run("now", 913600.0) == 913600


def test_computed_values_never_read_this_machines_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARKER_SECRET", "do-not-send")
    token = jqrt.install_environment({})
    try:
        assert compute_value("env.MARKER_SECRET", 0.0) is None
    finally:
        jqrt.restore_environment(token)


def project_of(changes: list[Callable[[dict], None]]) -> Any:
    data = copy.deepcopy(base())
    for change in changes:
        change(data)
    return parse_project(dump(data), "case.yaml")


@pytest.mark.parametrize("changes,pinned", [
    ([], ["OCEAN__PROCESSING_MODE=ocean-core", "allowEnvironmentVariablesJqAccess: false"]),
    ([integration(processingMode="ocean-core")], ["OCEAN__PROCESSING_MODE=ocean-core",
                                                  "allowEnvironmentVariablesJqAccess: false"]),
    ([integration(allowEnvironmentVariablesJqAccess=True)], ["OCEAN__PROCESSING_MODE=ocean-core"]),
    ([integration(processingMode="dsp")], ["allowEnvironmentVariablesJqAccess: false"]),  # an error says it
], ids=["unset", "set-to-ocean-core", "env-opted-in", "dsp"])
def test_the_text_lint_says_why_the_export_pins_what_it_pins(changes: list[Callable[[dict], None]],
                                                             pinned: list[str]) -> None:
    """Issue #10 item 5: even when the project sets no processing mode, the lint says why the export
    pins ocean-core (port-ocean 0.56.2 defaults to dsp and skips the mapping); a pin is not a finding,
    so a clean project still has none."""
    project = project_of(changes)
    findings = lint_project(project, results=None, samples=None, now=NOW)
    text = render_text(findings, project)
    pins = [line for line in text.splitlines() if line.startswith("pinned by the export: ")]
    assert [next(p for p in pinned if p in line) for line in pins] == pinned
    if any("OCEAN__PROCESSING_MODE" in p for p in pinned):
        assert "defaults to `dsp`" in text and "skips its own JQ mapping" in text
    if not changes:
        assert text.startswith("no findings: ")
    assert render_text(findings) == render_text(findings, None)  # without a project: the findings only
    assert "pinned by the export" not in render_text(findings)
