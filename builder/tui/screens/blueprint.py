"""The Blueprint tab: the blueprint the current resource's entities need, against the project's.

Inference runs over EVERY entity of the last evaluation (``session.results``), never a sample of
one. The pane shows the inferred blueprint, the diff against the project's blueprint, the
decisions left to the user (null-only fields, guessed relation targets, mixed types) and every
problem Port would report for the entities. ``a`` adopts: the inferred types are merged into the
project's blueprint (titles, descriptions and calculated properties the user wrote are kept).
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any, Callable, Iterable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Static, TextArea
from textual.worker import get_current_worker

from builder.ship.schema import (BlueprintDiff, Inferred, compare_blueprints, infer_blueprint, merge_blueprint,
                            validate_result)
from builder.tui.messages import ProjectChanged
from builder.tui.screens.registry import when_pane
from widgets.help_data import HelpData

if TYPE_CHECKING:
    from builder.tui.screens.registry import TabHost
    from builder.tui.state.session import Session


class BlueprintPane(Vertical):
    """Inferred blueprint, diff, decisions and validation for the selected resource."""

    HELP = HelpData("Blueprint", """The Port blueprint the selected resource's entities need, inferred from **all**
its entities: `number` for every number, a `format` only when every value matches. Fields that were
null everywhere are typed string and listed under **Decide**, with relation targets the builder had to
guess.

`required` is yours to decide: a blueprint already in the project keeps its `required` list as it is.
`q` asks for **required proposals**: every field that has a value in every entity is proposed as
required (the diff shows them as changes); `q` again turns the proposals off. A blueprint not yet in
the project always gets proposals.

The diff says what adopting would change in the project's blueprint; **Problems** lists what Port
would reject, per record. Keys: `a` adopt into the project, `r` refresh, `q` required proposals.""")

    BINDINGS = [
        Binding("a", "adopt", "Adopt", id="blueprint.adopt", tooltip="Write the inferred blueprint into the project"),
        Binding("r", "refresh", "Refresh", id="blueprint.refresh", tooltip="Infer again from the latest entities"),
        Binding("q", "propose_required", "Propose required", id="blueprint.propose-required",
                tooltip="Propose `required` for every field present in every entity (q again: keep the project's)"),
    ]

    DEFAULT_CSS = """
    BlueprintPane { height: 1fr; }
    BlueprintPane #bp-summary { height: auto; padding: 0 1; }
    BlueprintPane #bp-body { height: 1fr; }
    BlueprintPane #bp-json { width: 1fr; border: none; }
    BlueprintPane #bp-side { width: 1fr; border-left: vkey $foreground 15%; }
    BlueprintPane #bp-diff, BlueprintPane #bp-decide { height: auto; max-height: 8; padding: 0 1; overflow-y: auto; }
    BlueprintPane .bp-title { height: 1; text-style: bold; color: $accent; padding: 0 1; }
    BlueprintPane #bp-problems { height: 1fr; min-height: 6; }
    """

    def __init__(self, session: Session, *, id: str | None = "blueprint-pane") -> None:
        super().__init__(id=id)
        self.session = session
        self._ready = False
        self.inferred: Inferred | None = None
        self.diff: BlueprintDiff | None = None
        self.problems: list[Any] = []
        self.resource_name: str | None = None
        #: Whether to propose `required` for always-present fields of a blueprint the project has
        #: (issue #14 bug 11: otherwise its `required` list is the user's and stays as it is).
        self.propose_required = False
        self._generation = 0  # of refresh_blueprint: only the newest inference is shown

    def compose(self) -> ComposeResult:
        yield Static("", id="bp-summary")
        with Horizontal(id="bp-body"):
            yield TextArea("", read_only=True, show_line_numbers=True, id="bp-json", soft_wrap=False)
            with Vertical(id="bp-side"):
                yield Static("Diff against the project", classes="bp-title")
                yield Static("", id="bp-diff")
                yield Static("Decide", classes="bp-title")
                yield Static("", id="bp-decide")
                yield Static("Problems Port would report", classes="bp-title")
                yield DataTable(id="bp-problems", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#bp-problems", DataTable).add_columns("record", "field", "problem", "identifier")
        self._ready = True
        self.refresh_blueprint()
        # After the first refresh the pane is on screen; focusing it earlier is a no-op.
        self.call_after_refresh(self.query_one("#bp-problems", DataTable).focus)

    # The app calls these hooks right after mounting the pane too, possibly before on_mount has
    # run (children not composed yet): on_mount does the first refresh, so skip until then.
    def on_tab_shown(self) -> None:
        if not self._ready:
            return
        self.refresh_blueprint()
        # Focus inside the pane so its keys (a, r) work at once.
        self.query_one("#bp-problems", DataTable).focus()

    def on_results_updated(self) -> None:
        if self._ready:
            self.refresh_blueprint()

    # -- content -------------------------------------------------------------------------------
    def _existing(self, identifier: str | None) -> dict[str, Any] | None:
        return self.session.project.find_blueprint(identifier) if identifier else None

    def refresh_blueprint(self) -> None:
        session = self.session
        resource = session.resource
        result = session.result
        summary = self.query_one("#bp-summary", Static)
        area = self.query_one("#bp-json", TextArea)
        table = self.query_one("#bp-problems", DataTable)
        table.clear()
        self.inferred, self.diff, self.problems = None, None, []
        self.resource_name = resource.name if resource else None
        self._generation += 1  # whatever an older inference finds is no longer shown
        if resource is None or result is None:
            what = "Select a resource" if resource is None else f"{resource.name}: no entities yet"
            summary.update(f"{what}. Send its request in the Build tab (ctrl+r); the blueprint is inferred from "
                           "every entity.")
            area.load_text("")
            self.query_one("#bp-diff", Static).update("")
            self.query_one("#bp-decide", Static).update("")
            return
        project = session.project
        known = [str(b.get("identifier")) for b in project.blueprints]
        existing = self._existing(resource.blueprint_literal)
        summary.update(f"{resource.name}: inferring the blueprint from {len(result.entities)} entities…")
        self._infer(self._generation, result, resource.copy(), known, copy.deepcopy(existing),
                    list(session.results.values()), self.propose_required)

    class Found(Message):
        """What one ``refresh_blueprint`` found (computed in a thread)."""

        def __init__(self, generation: int, inferred: Inferred, diff: BlueprintDiff, problems: list[Any],
                     existing: bool) -> None:
            super().__init__()
            self.generation, self.inferred, self.diff, self.problems, self.existing = (generation, inferred, diff,
                                                                                     problems, existing)

    @work(thread=True, exclusive=True, group="blueprint-infer", description="infer blueprints")
    def _infer(self, generation: int, result: Any, resource: Any, known: list[str], existing: dict[str, Any] | None,
               others: list[Any], propose_required: bool) -> None:
        # Inference and validation walk every entity (20,000 on a large team): off the event loop.
        ids: dict[str, set[str]] = {}
        for other in others:  # entities mapped for other resources: relation targets
            for entity in getattr(other, "entities", []):
                if isinstance(entity.get("blueprint"), str) and isinstance(entity.get("identifier"), str):
                    ids.setdefault(entity["blueprint"], set()).add(entity["identifier"])
        inferred = infer_blueprint(result, resource, known_blueprints=known, existing=existing, known_identifiers=ids,
                                   propose_required=True if propose_required else None)
        diff = compare_blueprints(inferred, existing)
        problems = validate_result(result, existing or inferred.blueprint, known_blueprints=known)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Found(generation, inferred, diff, problems, existing is not None))

    def on_blueprint_pane_found(self, message: BlueprintPane.Found) -> None:
        resource = self.session.resource
        if message.generation != self._generation or resource is None:
            return  # a newer refresh is on its way
        self.inferred, self.diff, self.problems = message.inferred, message.diff, message.problems
        self.query_one("#bp-json", TextArea).load_text(json.dumps(self.inferred.blueprint, indent=2,
                                                                  ensure_ascii=False))
        if not message.existing:
            diff_text = f"{self.inferred.identifier} is not in the project: adopting adds it."
        elif self.diff.is_empty:
            diff_text = "No changes: the project's blueprint fits these entities."
        else:
            diff_text = "\n".join(self.diff.lines())
        self.query_one("#bp-diff", Static).update(diff_text)
        self.query_one("#bp-decide", Static).update("\n".join(f"• {n}" for n in self.inferred.notes) or "Nothing.")
        table = self.query_one("#bp-problems", DataTable)
        table.clear()
        for problem in self.problems[:500]:  # a table of thousands helps no one; the count says the rest
            table.add_row(str(problem.index + 1), problem.field, problem.message, str(problem.identifier)[:40])
        against = "the project's blueprint" if message.existing else "the inferred blueprint"
        self.query_one("#bp-summary", Static).update(
            f"{resource.name} → blueprint {self.inferred.identifier} · inferred from "
            f"{self.inferred.samples} entities · {len(self.diff.added)} added, {len(self.diff.removed)} "
            f"removed, {len(self.diff.changed)} changed · {len(self.problems)} problem(s) against "
            f"{against} · a adopt · q required proposals {'on' if self.propose_required else 'off'}")

    # -- actions -------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.refresh_blueprint()

    def action_propose_required(self) -> None:
        self.propose_required = not self.propose_required
        self.notify("Proposing required for every field present in every entity" if self.propose_required else
                    "Required as the project has it (no proposals)", timeout=3)
        self.refresh_blueprint()

    def action_adopt(self) -> None:
        if self.inferred is None:
            busy = any(w.group == "blueprint-infer" and w.is_running for w in self.workers)
            self.notify("The blueprint is still being inferred: press a again in a moment." if busy else
                        "Nothing to adopt: send the resource's request first.", severity="warning")
            return
        project = self.session.project
        existing = self._existing(self.inferred.identifier)
        merged = merge_blueprint(existing, self.inferred)
        if existing is None:
            project.blueprints.append(merged)
        else:
            project.blueprints[project.blueprints.index(existing)] = merged
        self.post_message(ProjectChanged())  # the Build tab shows the project again
        left = f"; decide: {len(self.inferred.notes)} note(s)" if self.inferred.notes else ""
        self.notify(f"Adopted blueprint {self.inferred.identifier} (not saved yet){left}", timeout=4)
        self.refresh_blueprint()


def create_pane(app: TabHost) -> BlueprintPane:
    return BlueprintPane(app.session)


def commands(app: TabHost) -> Iterable[tuple[str, str, Callable[[], Any]]]:
    yield ("Blueprint: adopt the inferred blueprint", "Write the blueprint inferred from the entities into the project",
           lambda: when_pane(app, BlueprintPane, "blueprint", lambda pane: pane.action_adopt()))
    yield ("Blueprint: propose required fields (on/off)",
           "Propose `required` for every field present in every entity; again to keep the project's list",
           lambda: when_pane(app, BlueprintPane, "blueprint", lambda pane: pane.action_propose_required()))
