"""Every app-level action as data: key, binding id, footer label, palette title and help.

The App's BINDINGS and the command palette are both generated from :data:`ACTIONS`, so an action
cannot have a key without a palette entry or the other way round. Users can rebind any of them by
id with ``App.set_keymap({"builder.send": "ctrl+j"})``.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Action:
    id: str  # binding id, "builder.<name>"
    action: str  # the App action it runs
    key: str | None  # None: palette only
    label: str  # short, for the footer
    title: str  # for the palette
    help: str  # one line: what it does
    footer: bool = False
    priority: bool = False  # fires even when the focused widget would use the key


ACTIONS: list[Action] = [
    Action("builder.send", "send", "ctrl+r", "Send", "Send request",
           "Send the selected resource's request and map every page", footer=True, priority=True),
    Action("builder.save", "save", "ctrl+s", "Save", "Save project",
           "Write the project file (secrets stay ${ENV} references)", footer=True, priority=True),
    Action("builder.next-record", "record(1)", "ctrl+n", "Next rec", "Next record",
           "Show the values and entity of the next record", footer=True, priority=True),
    Action("builder.previous-record", "record(-1)", "ctrl+b", "Prev rec", "Previous record",
           "Show the values and entity of the previous record", priority=True),
    Action("builder.help", "help", "f1", "Help", "Help for the focused widget",
           "Explain the focused widget and its keys", footer=True, priority=True),
    Action("builder.rename", "rename", "f2", "Rename", "Rename",
           "Rename the focused property, or the selected resource"),
    Action("builder.add-property", "add_property", "f4", "Add prop", "Add property",
           "Add a property to the mapping"),
    Action("builder.auto-map", "auto_map", "f6", "Auto-map", "Auto-map",
           "Propose properties from the selected record's fields (keeps what you wrote)"),
    Action("builder.delete-property", "delete_property", "f8", "Del prop", "Delete property",
           "Delete the focused property from the mapping"),
    Action("builder.test-connection", "test_connection", "ctrl+t", "Test conn", "Test connection",
           "Call Cursor and say what was reached and whether Enterprise endpoints are available"),
    Action("builder.toggle-response", "toggle_response", "f3", "Response", "Show response / mapping",
           "Switch the middle between the response and the mapping (small terminals show one at a time)"),
    Action("builder.next-page", "page(1)", None, "Next page", "Next page", "Show the next fetched page"),
    Action("builder.previous-page", "page(-1)", None, "Prev page", "Previous page",
           "Show the previous fetched page"),
    Action("builder.first-failing", "first_failing", None, "First failing", "Go to first failing record",
           "Select the first record where the focused field fails or is null"),
    Action("builder.add-resource", "add_resource", None, "Add resource", "Add resource",
           "Add a resource (an endpoint with its own mapping)"),
    Action("builder.duplicate-resource", "duplicate_resource", None, "Duplicate", "Duplicate resource",
           "Copy the selected resource"),
    Action("builder.rename-resource", "rename_resource", None, "Rename resource", "Rename resource",
           "Rename the selected resource"),
    Action("builder.remove-resource", "remove_resource", None, "Remove resource", "Remove resource",
           "Remove the selected resource from the project"),
    Action("builder.focus-resources", "focus('resources')", None, "Resources", "Focus resources",
           "Move the focus to the resource list"),
    Action("builder.focus-mapping", "focus('mapping')", None, "Mapping", "Focus mapping",
           "Move the focus to the mapping fields"),
    Action("builder.focus-response", "focus('response')", None, "Response", "Focus response",
           "Move the focus to the response JSON"),
    Action("builder.focus-data-path", "focus('data_path')", None, "data_path", "Edit data_path",
           "Move the focus to the data_path field"),
    Action("builder.show-entities", "show_bottom('entities')", None, "Entities", "Show all entities",
           "Show the table of every entity"),
    Action("builder.show-dropped", "show_bottom('dropped')", None, "Dropped", "Show dropped records",
           "Show the records that produce no entity, and why"),
    Action("builder.show-request", "show_io('request')", None, "Request", "Edit request details",
           "Query params, headers, body, computed values and pagination"),
    Action("builder.copy-curl", "copy_curl", "f7", "curl", "Copy request as curl",
           "Copy the request in view as a curl command (the key as $CURSOR_API_KEY, never its value)"),
    Action("builder.show-history", "show_history", "f5", "History", "Show request history",
           "Every request sent from this project (secrets masked); Enter replays one"),
    Action("builder.sort-entities", "sort_entities", None, "Sort", "Sort entities",
           "Sort the Entities table by the next column (s; S flips the direction)"),
    Action("builder.filter-entities", "filter_entities", None, "Filter", "Filter entities",
           "Show only the entities with a text in some value (/ in the Entities table)"),
    Action("builder.open-project", "open_project", None, "Open", "Open project…",
           "Open another project file (YAML)"),
    Action("builder.save-as", "save_as", None, "Save as", "Save project as…",
           "Write the project to another file"),
    Action("builder.quit", "quit", "ctrl+q", "Quit", "Quit", "Leave the builder (asks when there are unsaved "
           "changes)", footer=True, priority=True),
]


def bindings() -> list[Binding]:
    return [Binding(a.key, a.action, a.label, show=a.footer, id=a.id, tooltip=a.help, priority=a.priority)
            for a in ACTIONS if a.key]

