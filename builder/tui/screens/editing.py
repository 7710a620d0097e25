"""Editing the project's resources and mapping properties: the App's actions for them.

A mixin of :class:`builder.tui.app.BuilderApp` (actions are looked up by name on the App), kept apart
from the App's shell. Each action edits ``session.project`` and reloads the Build tab; dialogs
ask for names and refuse ones already taken.
"""

from __future__ import annotations

from typing import Any, Callable

from builder.project.model import Resource, load_project
from builder.project.yamlio import ProjectError
from builder.tui.state.automap import propose
from builder.tui.screens.dialogs import PromptScreen
from widgets.mapping_table import MappingTable


class EditingActions:
    """Resource add/duplicate/rename/remove, property add/rename/delete, auto-map."""

    session: Any  # provided by the App

    def focused_mapping_row(self) -> Any:
        try:
            return self.build_pane.query_one(MappingTable).focused_row
        except Exception:
            return None

    def _reload_build(self) -> None:
        self.project_changed(from_build=True)
        pane = self.build_pane
        pane.refresh_resources()
        pane.select_resource(self.session.selected)

    def _name_check(self, current: str | None = None) -> Callable[[str], str | None]:
        names = set(self.session.project.resource_names()) - {current}

        def check(value: str) -> str | None:
            if not value:
                return "a name is required"
            if value in names:
                return f"{value!r} is already used by another resource"
            return None

        return check

    def action_add_resource(self) -> None:
        def added(kind: str | None) -> None:
            if not kind:
                return
            kind = kind if kind.startswith("/") else "/" + kind
            # `.id`, not `.id | tostring`: with no data_path yet the records have no id, and a null
            # identifier is dropped and reported, where tostring would make every identifier "null".
            resource = Resource(kind, {"query": "true"}, {"entity": {"mappings": {
                "identifier": ".id", "title": ".name", "blueprint": '"cursorItem"', "properties": {}}}})
            resource.extensions.name = self.session.project.unique_name(kind.strip("/").split("/")[-1] or "resource")
            self.session.project.resources.append(resource)
            self.session.selected = len(self.session.project.resources) - 1
            self._reload_build()

        self.push_screen(PromptScreen("Add a resource: endpoint path (Ocean's kind)", "/teams/members",
                                      hint="e.g. /teams/members, /teams/daily-usage-data"), added)

    def action_duplicate_resource(self) -> None:
        resource = self.session.resource
        if resource is None:
            return
        copy = resource.copy()
        copy.extensions.name = self.session.project.unique_name(resource.name + "-copy")
        self.session.project.resources.insert(self.session.selected + 1, copy)
        self.session.selected += 1
        self._reload_build()

    def action_rename_resource(self) -> None:
        resource = self.session.resource
        if resource is None:
            return

        def renamed(name: str | None) -> None:
            if name and name != resource.name:
                self.session.rename(resource, name)
                self._reload_build()

        self.push_screen(PromptScreen("Rename resource", resource.name, check=self._name_check(resource.name)),
                         renamed)

    def action_remove_resource(self) -> None:
        resource = self.session.resource
        if resource is None:
            return
        self.session.project.resources.remove(resource)
        self.session.forget(resource.name)
        self.session.selected = max(0, self.session.selected - 1)
        self.notify(f"Removed {resource.name} (not saved yet)", timeout=3)
        self._reload_build()

    def action_rename(self) -> None:
        row = self.focused_mapping_row()
        if row is not None and row.path[0] in ("properties", "relations") and len(row.path) == 2:
            self._rename_property(row.path)
        else:
            self.action_rename_resource()

    def _group(self, path: tuple[Any, ...]) -> dict[str, Any]:
        resource = self.session.resource
        assert resource is not None
        return resource.mappings.setdefault(path[0], {})

    def _rename_property(self, path: tuple[Any, ...]) -> None:
        group = self._group(path)
        old = path[1]

        def check(value: str) -> str | None:
            return None if value and (value == old or value not in group) else f"{value!r} already exists"

        def renamed(name: str | None) -> None:
            if name and name != old:
                # Rebuild the dict to keep the property where it was: key order is part of the output.
                items = [(name if key == old else key, value) for key, value in group.items()]
                group.clear()
                group.update(items)
                self._reload_build()

        noun = "property" if path[0] == "properties" else "relation"
        self.push_screen(PromptScreen(f"Rename {noun}", str(old), check=check), renamed)

    def action_add_property(self) -> None:
        if self.session.resource is None:
            return
        group = self._group(("properties",))

        def added(name: str | None) -> None:
            if name:
                group[name] = "." + name
                self._reload_build()
                self.build_pane.query_one(MappingTable).focus_field(("properties", name))

        self.push_screen(PromptScreen("Add property: name", "", hint="its JQ starts as .<name>",
                                      check=lambda v: None if v and v not in group else "a new, unused name"), added)

    def action_delete_property(self) -> None:
        row = self.focused_mapping_row()
        if row is None or row.path[0] not in ("properties", "relations"):
            self.bell()
            return
        self._group(row.path).pop(row.path[1], None)
        self.notify(f"Deleted {row.name_}", timeout=3)
        self._reload_build()

    def action_auto_map(self) -> None:
        resource = self.session.resource
        result = self.session.result
        if resource is None or result is None or not result.records:
            self.notify("Auto-map needs records: send the request (ctrl+r) and set the data_path first.",
                        severity="warning")
            return
        record = result.records[min(self.session.record, len(result.records) - 1)]
        proposed, added = propose(record, resource.mappings)
        if not added:
            self.notify("Auto-map: every field of this record is already mapped.", timeout=3)
            return
        resource.mappings.clear()
        resource.mappings.update(proposed)
        self.notify(f"Auto-map added {len(added)} field{'s' if len(added) != 1 else ''}.", timeout=3)
        self._reload_build()

    def action_open_project(self) -> None:
        if self.session.dirty:
            self.notify("The project has unsaved changes: save them (ctrl+s) before opening another.",
                        severity="warning")
            return

        def opened(path: str | None) -> None:
            if not path:
                return
            try:
                project = load_project(path)
            except ProjectError as exc:  # bad YAML, missing file: one line, where it is
                self.notify(str(exc), title="Not opened", severity="error", timeout=8)
                return
            session = self.session
            session.project = project
            session.install_environment()
            session.runs.clear()
            session.results.clear()
            session.statuses.clear()
            session.selected = session.record = 0
            self._reload_build()
            self.dirty = False  # reloading is not an edit
            self.build_pane.load_connection()
            self.notify(f"Opened {path}", timeout=3)

        self.push_screen(PromptScreen("Open project file", str(self.session.project.path or "")), opened)

    def action_save_as(self) -> None:
        def chosen(path: str | None) -> None:
            if path:
                self.action_save(path)

        self.push_screen(PromptScreen("Save project as", str(self.session.project.path or "cursor-builder.yaml"),
                                      hint="secrets are written as ${ENV} references only"), chosen)
