"""The query functions `catalog ls` and the TUI browse with, and persistence in a file."""

from __future__ import annotations

from builder.port.catalog import CatalogStore

from catalog_api import BLUEPRINT, Api


def test_list_functions_page_and_search(api):
    api.bulk("svc", [{"identifier": f"svc-{i:02d}", "title": f"Service {i}", "properties": {"must": "x"}}
                     for i in range(15)])
    store = api.app.store
    assert store.list_blueprints() == [{"identifier": "svc", "title": "Service", "icon": None, "entities": 15,
                                        "updatedAt": store.get_blueprint("svc")["updatedAt"]}]
    page = store.list_entities("svc", limit=5, offset=10)
    assert [e["identifier"] for e in page] == [f"svc-{i:02d}" for i in range(10, 15)]
    assert [e["identifier"] for e in store.list_entities("svc", search="service 1")] == \
        ["svc-01", "svc-10", "svc-11", "svc-12", "svc-13", "svc-14"]
    assert store.count_entities("svc", search="SVC-0") == 10  # case-insensitive
    assert store.list_entities("svc", search="%") == []  # LIKE wildcards are literal


def test_a_file_catalog_persists(tmp_path):
    path = tmp_path / "nested" / "catalog.db"
    api = Api(store=CatalogStore(path))
    api.blueprint(BLUEPRINT)
    api.upsert("svc", {"identifier": "kept", "properties": {"must": "x"}})
    api.app.store.close()
    reopened = CatalogStore(path)
    assert reopened.get_entity("svc", "kept")["properties"] == {"must": "x"}
    assert reopened.count_entities() == 1
    reopened.close()


def test_default_database_follows_xdg_data_home(monkeypatch, tmp_path):
    from builder.port.catalog import default_db_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_db_path() == tmp_path / "cursor-builder" / "catalog.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert str(default_db_path()).endswith(".local/share/cursor-builder/catalog.db")
