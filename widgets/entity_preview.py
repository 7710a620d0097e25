"""The entity for the selected record, exactly as Ocean would send it, or why there is none."""

from __future__ import annotations

from typing import Any, Callable, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from widgets.help_data import HelpData
from widgets.json_viewer import JsonViewer


#: A blueprint of the project in view by identifier (``Project.find_blueprint``): given to the widgets
#: that show calculation properties by the pane that composes them.
BlueprintFinder = Callable[[str], "dict[str, Any] | None"]


def calculated_values_for(find_blueprint: BlueprintFinder | None, entity: dict[str, Any]) -> dict[str, Any]:
    """The calculation properties Port would show for ``entity`` (computed on read, never sent),
    from its blueprint; {} when it has none (or no finder was given)."""
    bp_id = entity.get("blueprint")
    blueprint = find_blueprint(bp_id) if find_blueprint is not None and isinstance(bp_id, str) else None
    if not blueprint or not blueprint.get("calculationProperties"):
        return {}
    from builder.port.calculations import calculated_values

    return calculated_values(blueprint, entity)


class EntityPreview(Vertical):
    HELP: ClassVar = HelpData(
        "Entity preview",
        """The entity built from the selected record, byte for byte the payload Ocean's
`JQEntityProcessor` would send to Port (key order included). When the record produces no entity,
the reason is shown instead (selector false, identifier null, …).

**ƒ** lines are the blueprint's calculation properties as Port computes them when the entity is
read (first jq output; an error gives null); they are not part of the payload.

- **ctrl+n / ctrl+b** next / previous record
- The JSON viewer keys work here: fold with **Enter**, search with **/**""",
    )

    DEFAULT_CSS = """
    EntityPreview {
        height: 1fr;
        & > #entity-title { height: 1; padding: 0 1; background: $boost; }
        & > #entity-reason { height: 2; padding: 0 1; color: $warning; display: none; }
        & > #entity-reason.-shown { display: block; }
        & > #entity-calculated { height: auto; max-height: 3; padding: 0 1; color: $text-muted; display: none; }
        & > #entity-calculated.-shown { display: block; }
    }
    """

    _shown_entity: Any = None

    def __init__(self, *, find_blueprint: BlueprintFinder | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.find_blueprint = find_blueprint

    def compose(self) -> ComposeResult:
        yield Static("", id="entity-title")
        yield Static("", id="entity-reason")
        yield Static("", id="entity-calculated")
        yield JsonViewer(id="entity-json")

    def show(self, record: int | None, total: int, entity: dict[str, Any] | None, reason: str | None) -> None:
        title = self.query_one("#entity-title", Static)
        reason_widget = self.query_one("#entity-reason", Static)
        viewer = self.query_one("#entity-json", JsonViewer)
        if record is None or total == 0:
            title.update(Text("Entity · no records yet", style="dim"), layout=False)
            reason_widget.set_class(False, "-shown")
            viewer.clear()
            self._shown_entity = None
            return
        heading = Text.assemble(("Entity", "bold"), f" · record {record + 1} of {total}",
                                ("   ctrl+b ◀  ▶ ctrl+n", "dim"))
        if title.content != heading:  # every keystroke shows the record: repaint only a new heading
            title.update(heading, layout=False)
        if entity is None:
            reason_widget.update(Text(f"No entity for this record: {reason or 'dropped'}"), layout=False)
            reason_widget.set_class(True, "-shown")
            viewer.clear()
        else:
            reason_widget.set_class(False, "-shown")
            if entity != self._shown_entity:  # reloading re-lays-out the viewer: only on change
                viewer.load(entity)
        if entity is None or entity != self._shown_entity:
            self._show_calculated(entity)
        self._shown_entity = entity

    def _show_calculated(self, entity: dict[str, Any] | None) -> None:
        # Port's calculation properties are not in the payload (Ocean never sends them): shown apart.
        calculated = self.query_one("#entity-calculated", Static)
        values = calculated_values_for(self.find_blueprint, entity) if entity else {}
        calculated.set_class(bool(values), "-shown")
        if values:
            import json

            calculated.update(Text.assemble(("ƒ calculated by Port on read (not sent): ", "italic"),
                                            " · ".join(f"{k} = {json.dumps(v)}" for k, v in values.items())),
                              layout=False)
