"""The rehearsal: the unmodified Ocean Custom integration (../shared/reference/ocean-custom, port-ocean[cli]
0.56.2 in the oracle venv) runs once against the embedded catalog and the simulator on loopback; what it
delivers is compared per resource with the builder's preview.

The end-to-end test is the CI proof of the product's first principle: the Cursor preset on the demo, every
resource, delivered == preview (key order included), resync finished, no per-entity error. The negative
control shows that a mapping changed after export is reported as a difference.
"""

from __future__ import annotations

from pathlib import Path

from builder.port.catalog import CatalogStore
from builder.port.catalog.integrations import IntegrationStore
from builder.project.presets import load_preset
from builder.ship.rehearse import RehearsalOptions, installations, rehearse

# ``runtime`` (conftest.py): the real Ocean runtime, or a failure that says how to install it.


def _tree(path: Path) -> dict[str, float]:
    return {str(p.relative_to(path)): p.stat().st_mtime for p in path.rglob("*")}


def test_the_cursor_preset_delivers_exactly_the_preview(runtime, tmp_path):
    project = load_preset("cursor")
    before = _tree(runtime.source)
    db = tmp_path / "catalog.db"
    report = rehearse(project, runtime, RehearsalOptions(demo=True, db=db))
    assert "\n".join(report.lines()).endswith("delivered == preview for every resource"), "\n".join(report.lines())
    assert report.ok
    names = [r.name for run in report.installations for r in run.resources]
    assert sorted(names) == sorted(r.name for r in project.resources)  # all 38, each in one installation
    assert len(report.installations) == len(installations(project))
    for run in report.installations:
        assert run.exit_status == 0 and run.resync_status == "completed"
        assert run.entity_errors == [] and run.extra == []
        for call in ("GET /v1/integration/provision-enabled", "GET /v1/organization", "PATCH /v1/integration/{id}",
                     "PATCH /v1/integration/{id}/resync-state", "POST /v1/blueprints/entities/datasource-entities"):
            assert run.port_calls.get(call), (call, run.port_calls)
        for row in run.resources:
            assert row.status == "equal" and row.sent == row.landed == row.preview, row
    assert sum(r.preview for run in report.installations for r in run.resources) > 5000
    # The reference integration ran unmodified: nothing written into the checkout.
    assert _tree(runtime.source) == before
    # The catalog keeps each integration, its resync state and its kind examples.
    store = CatalogStore(db)
    try:
        rows = {row["identifier"]: row for row in IntegrationStore(store).summary()}
        assert set(rows) == {run.identifier for run in report.installations}
        for row in rows.values():
            assert row["resyncStatus"] == "completed" and row["kindsWithExamples"] > 0 and row["resources"] > 0
    finally:
        store.close()


def test_a_mapping_changed_after_export_is_a_difference(runtime, tmp_path):
    project = load_preset("cursor")
    project.resources = [project.find_resource("members"), project.find_resource("repo-blocklists")]
    edited = project.copy()
    edited.find_resource("members").port["entity"]["mappings"]["title"] = ".name"
    report = rehearse(project, runtime, RehearsalOptions(demo=True, db=tmp_path / "catalog.db",
                                                         preview_project=edited))
    assert not report.ok
    rows = {r.name: r for run in report.installations for r in run.resources}
    assert rows["repo-blocklists"].status == "equal"
    members = rows["members"]
    assert members.status == "differs" and members.sent == members.preview > 0 and members.landed == 0
    assert ".title:" in members.difference and "(+" in members.difference
    assert "does NOT deliver" in report.lines()[-1]


def test_a_second_rehearsal_on_the_same_catalog_reports_the_unchanged_entities_as_equal(runtime, tmp_path):
    # Ocean compares each batch with Port before sending (sync_raw._map_entities_compared_with_port) and
    # sends only what changed: on the second run nothing is sent, and the report must still say equal.
    project = load_preset("cursor")
    project.resources = [project.find_resource("members"), project.find_resource("repo-blocklists")]
    db = tmp_path / "catalog.db"
    first = rehearse(project, runtime, RehearsalOptions(demo=True, db=db))
    assert first.ok, "\n".join(first.lines())
    rows = {r.name: r for run in first.installations for r in run.resources}
    members = rows["members"]
    assert members.sent == members.landed == members.preview > 10 and members.unchanged == 0
    second = rehearse(project, runtime, RehearsalOptions(demo=True, db=db))
    assert second.ok, "\n".join(second.lines())
    again = {r.name: r for run in second.installations for r in run.resources}
    # More than Ocean's MIN_ENTITIES_TO_MAP (10) entities: compared with Port, none changed, none sent.
    assert again["members"].status == "equal" and again["members"].sent == 0
    assert again["members"].unchanged == again["members"].landed == again["members"].preview == members.preview
    # Ten or fewer are always sent again (Ocean skips the comparison for them); equal either way.
    blocklists = again["repo-blocklists"]
    assert blocklists.status == "equal" and blocklists.landed == blocklists.preview == rows["repo-blocklists"].preview
    table = "\n".join(second.lines())
    assert "UNCHANGED" in table and table.endswith("delivered == preview for every resource")
    assert all(run.resync_status == "completed" for run in second.installations)
