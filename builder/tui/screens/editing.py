"""Editing the project's resources and mapping properties: what the App's actions for them do.

A plain object the App owns (its ``action_*`` methods delegate here), given what it uses: the
session, the Build pane, the App's dialogs and notifications (:class:`~builder.tui.screens.surface.Surface`)
and callbacks for "edited", "opened (nothing unsaved)" and "save as". Each edit changes
``session.project`` and reloads the Build tab; dialogs ask for names and refuse ones already taken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from builder.project.load import load_project
from builder.project.model import Resource
from builder.project.yamlio import ProjectError
from builder.tui.state.automap import propose
from builder.tui.screens.dialogs import PromptScreen
from widgets.mapping_table import MappingTable

if TYPE_CHECKING:
    from builder.tui.screens.build import BuildPane
    from builder.tui.screens.surface import Surface
    from builder.tui.state.session import Session


class EditingActions:
    """Resource add/duplicate/rename/remove, property add/rename/delete, auto-map."""

    def __init__(self, session: Session, *, surface: Surface, build_pane: Callable[[], BuildPane],
                 changed: Callable[[], None], opened: Callable[[], None], save: Callable[[str], bool]) -> None:
        self.session = session
        self._surface = surface
        self._build_pane = build_pane  # looked up when used: the pane is composed after the App
        self._changed = changed  # the project was edited (from the Build tab's side: unsaved)
        self._opened = opened  # another project was opened: nothing unsaved
        self._save = save

    def focused_mapping_row(self) -> Any:
        try:
            return self._build_pane().query_one(MappingTable).focused_row
        except Exception:
            return None

    def _reload_build(self) -> None:
        self._changed()
        self._build_pane().reload()  # at once: add_property focuses the new row right after

    def _name_check(self, current: str | None = None) -> Callable[[str], str | None]:
        names = set(self.session.project.resource_names()) - {current}

        def check(value: str) -> str | None:
            if not value:
                return "a name is required"
            if value in names:
                return f"{value!r} is already used by another resource"
            return None

        return check

    def add_resource(self) -> None:
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

        self._surface.push_screen(PromptScreen("Add a resource: endpoint path (Ocean's kind)", "/teams/members",
                                      hint="e.g. /teams/members, /teams/daily-usage-data"), added)

    def duplicate_resource(self) -> None:
        resource = self.session.resource
        if resource is None:
            return
        copy = resource.copy()
        copy.extensions.name = self.session.project.unique_name(resource.name + "-copy")
        self.session.project.resources.insert(self.session.selected + 1, copy)
        self.session.selected += 1
        self._reload_build()

    def rename_resource(self) -> None:
        resource = self.session.resource
        if resource is None:
            return

        def renamed(name: str | None) -> None:
            if name and name != resource.name:
                self.session.rename(resource, name)
                self._reload_build()

        self._surface.push_screen(PromptScreen("Rename resource", resource.name, check=self._name_check(resource.name)),
                         renamed)

    def remove_resource(self) -> None:
        resource = self.session.resource
        if resource is None:
            return
        self.session.project.resources.remove(resource)
        self.session.forget(resource.name)
        self.session.selected = max(0, self.session.selected - 1)
        self._surface.notify(f"Removed {resource.name} (not saved yet)", timeout=3)
        self._reload_build()

    def rename(self) -> None:
        row = self.focused_mapping_row()
        if row is not None and row.path[0] in ("properties", "relations") and len(row.path) == 2:
            self._rename_property(row.path)
        else:
            self.rename_resource()

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
        self._surface.push_screen(PromptScreen(f"Rename {noun}", str(old), check=check), renamed)

    def add_property(self) -> None:
        if self.session.resource is None:
            return
        group = self._group(("properties",))

        def added(name: str | None) -> None:
            if name:
                group[name] = "." + name
                self._reload_build()
                self._build_pane().query_one(MappingTable).focus_field(("properties", name))

        self._surface.push_screen(PromptScreen("Add property: name", "", hint="its JQ starts as .<name>",
                                      check=lambda v: None if v and v not in group else "a new, unused name"), added)

    def delete_property(self) -> None:
        row = self.focused_mapping_row()
        if row is None or row.path[0] not in ("properties", "relations"):
            self._surface.bell()
            return
        self._group(row.path).pop(row.path[1], None)
        self._surface.notify(f"Deleted {row.name_}", timeout=3)
        self._reload_build()

    def auto_map(self) -> None:
        resource = self.session.resource
        result = self.session.result
        if resource is None or result is None or not result.records:
            self._surface.notify("Auto-map needs records: send the request (ctrl+r) and set the data_path first.",
                        severity="warning")
            return
        record = result.records[min(self.session.record, len(result.records) - 1)]
        proposed, added = propose(record, resource.mappings)
        if not added:
            self._surface.notify("Auto-map: every field of this record is already mapped.", timeout=3)
            return
        resource.mappings.clear()
        resource.mappings.update(proposed)
        self._surface.notify(f"Auto-map added {len(added)} field{'s' if len(added) != 1 else ''}.", timeout=3)
        self._reload_build()

    def open_project(self) -> None:
        if self.session.dirty:
            self._surface.notify("The project has unsaved changes: save them (ctrl+s) before opening another.",
                        severity="warning")
            return

        def opened(path: str | None) -> None:
            if not path:
                return
            try:
                project = load_project(path)
            except ProjectError as exc:  # bad YAML, missing file: one line, where it is
                self._surface.notify(str(exc), title="Not opened", severity="error", timeout=8)
                return
            session = self.session
            session.project = project
            session.install_environment()
            session.runs.clear()
            session.results.clear()
            session.statuses.clear()
            session.selected = session.record = 0
            self._reload_build()
            self._opened()  # reloading is not an edit
            self._build_pane().load_connection()
            self._surface.notify(f"Opened {path}", timeout=3)

        self._surface.push_screen(PromptScreen("Open project file", str(self.session.project.path or "")), opened)

    def save_as(self) -> None:
        def chosen(path: str | None) -> None:
            if path:
                self._save(path)

        self._surface.push_screen(PromptScreen("Save project as", str(self.session.project.path or "cursor-builder.yaml"),
                                      hint="secrets are written as ${ENV} references only"), chosen)
