"""The request's details as small YAML editors, plus the request exactly as it was last sent.

Sections map one-to-one onto the project file: Ocean's ``selector.query_params``, ``headers``,
``body``, and the builder's ``x-builder`` extensions (values computed at request time, pagination
in the body). A section that does not parse keeps its last good value and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Label, Static

from builder.project.printable import printable, printable_json
from widgets.deferred import ComposedAfterFirstPaint
from widgets.help_data import HelpData

SECTIONS: list[tuple[str, str, str]] = [
    ("query_params", "query params", "selector.query_params: literal query string values"),
    ("headers", "headers", "selector.headers: extra request headers"),
    ("body", "body", "selector.body: the literal JSON body (POST)"),
    ("x-query", "computed query (x-builder)", "JQ run at request time, $now = epoch seconds"),
    ("x-body", "computed body (x-builder)", "JQ run at request time, e.g. startDate: ($now - 30*86400) * 1000 | floor"),
    ("x-pagination", "pagination (x-builder)", "type, in: query|body, pageParam, sizeParam, pageSize, stop, maxPages …"),
]


def to_yaml(value: Any) -> str:
    if value in (None, {}, []):
        return ""
    import yaml  # here: the panel is filled after the first frame, which need not wait for PyYAML

    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=False).rstrip()


class RequestPanel(ComposedAfterFirstPaint, VerticalScroll):
    HELP: ClassVar = HelpData(
        "Request details",
        """Each box is YAML for one part of the request:

- **query params**, **headers**, **body**: Ocean's own `selector` keys, sent as written
- **computed query / body** (`x-builder`): JQ evaluated when the request is sent, with `$now`
  (epoch seconds) bound; for Cursor's millisecond dates, e.g. `startDate: (($now - 7*86400) * 1000 | floor)`
- **pagination** (`x-builder`): per-resource pagination, also in a POST body

The deployed Ocean integration does not run `x-builder` values; the lint says what it does instead.
**As sent** shows the last request after computation, with secrets masked.""",
    )

    DEFAULT_CSS = """
    RequestPanel {
        height: 1fr;
        & > Label { color: $text-muted; margin: 1 0 0 0; }
        & > Label.first { margin: 0; }
        & > TextArea { height: auto; min-height: 2; max-height: 10; border: none; padding: 0 1; }
        & > .section-error { color: $error; height: auto; display: none; }
        & > .section-error.-shown { display: block; }
        & > #as-sent { height: auto; color: $text-muted; padding: 0 1; }
        & > #about { height: auto; color: $text-muted; padding: 0 1 1 1; display: none; }
        & > #about.-shown { display: block; }
    }
    """

    @dataclass
    class Edited(Message):
        section: str  # one of SECTIONS' keys
        value: dict[str, Any] | None
        owner: object  # what was loaded (the resource): an edit only applies to that

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Text each area got from load(): TextArea reports load_text() as a change, later than it
        # happens, so only text that differs from it is a user edit.
        self._loaded: dict[str, str] = {}
        self._owner: object = None

    def compose(self) -> ComposeResult:
        if not self.children_ready:
            return  # its tab is not shown at start: composed after the first paint (widgets.deferred)
        from textual.widgets import TextArea  # here: the first frame need not wait for its import (#13)

        yield Static("", id="about")
        for index, (key, title, hint) in enumerate(SECTIONS):
            yield Label(Text.assemble((title, "bold"), "  ", (hint, "dim italic")),
                        classes="first" if index == 0 else "")
            yield TextArea("", id=f"section-{key}", soft_wrap=True, show_line_numbers=False, compact=True)
            yield Static("", id=f"error-{key}", classes="section-error")
        yield Label(Text("as sent", style="bold"))
        yield Static(Text("not sent yet", style="dim"), id="as-sent")

    def load(self, sections: dict[str, Any], owner: object = None, about: str | None = None) -> None:
        """``about``: the resource's ``x-builder.description``, why it is mapped the way it is."""
        self._owner = owner
        if self.later(self.load, sections, owner, about):
            return
        about_widget = self.query_one("#about", Static)
        about_widget.update(Text(about or "", style="italic"))
        about_widget.set_class(bool(about), "-shown")
        for key, _, _ in SECTIONS:
            area: Any = self.query_one(f"#section-{key}")  # a TextArea
            text = to_yaml(sections.get(key))
            self._loaded[key] = text
            if area.text != text:
                area.load_text(text)
            self._error(key, "")

    def show_sent(self, method: str, url: str, headers: dict[str, Any], body: Any) -> None:
        if self.later(self.show_sent, method, url, headers, body):
            return
        text = Text()
        text.append(f"{method} {url}\n", style="bold")
        for name, value in headers.items():
            text.append(f"{printable(name)}: {printable(value)}\n", style="dim")
        if body is not None:
            text.append(printable_json(body, indent=2))
        self.query_one("#as-sent", Static).update(text)

    def _error(self, key: str, message: str) -> None:
        widget = self.query_one(f"#error-{key}", Static)
        widget.update(message)
        widget.set_class(bool(message), "-shown")

    def on_text_area_changed(self, event: Any) -> None:
        """A section's TextArea.Changed (by its handler name: TextArea is imported with the children)."""
        event.stop()
        if not event.text_area.id:
            return
        key = event.text_area.id.removeprefix("section-")
        text = event.text_area.text
        if text == self._loaded.get(key):
            return
        self._loaded[key] = text
        import yaml

        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            self._error(key, f"not valid YAML{where}: {getattr(exc, 'problem', None) or 'cannot parse'}; "
                             "the last valid value is kept")
            return
        if value is not None and not isinstance(value, dict):
            self._error(key, "expected key: value lines (a mapping); the last valid value is kept")
            return
        self._error(key, "")
        self.post_message(self.Edited(key, value, self._owner))
