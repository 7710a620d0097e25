"""Small modal dialogs: a one-line prompt, the unsaved-changes guard, and F1 help."""

from __future__ import annotations

from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class PromptScreen(ModalScreen[str | None]):
    """Ask for one value; ``check`` returns an error message for a value it refuses."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, value: str = "", *, hint: str = "",
                 check: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.hint = hint
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(self.value, id="prompt-input")
            yield Static(self.hint, id="prompt-error", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", variant="primary", id="ok", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        value = self.query_one("#prompt-input", Input).value.strip()
        error = self.check(value) if self.check else None
        if error:
            widget = self.query_one("#prompt-error", Static)
            widget.update(error)
            widget.add_class("-error")
            return
        self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class UnsavedScreen(ModalScreen[str | None]):
    """Quit with unsaved changes: "save", "discard", or None to stay."""

    BINDINGS = [Binding("escape", "stay", "Stay", id="dialog.stay")]

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Unsaved changes", classes="dialog-title")
            yield Static(f"The project has changes that are not in {self.target}.")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save and quit", variant="primary", id="save", compact=True)
                yield Button("Quit without saving", variant="error", id="discard", compact=True)
                yield Button("Stay", id="stay", compact=True)

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "stay" else event.button.id)

    def action_stay(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """F1: what the focused widget is for and its keys, then the app's main keys."""

    BINDINGS = [Binding("escape,f1,q", "close", "Close", id="dialog.close-help")]

    def __init__(self, title: str, markdown: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.help_title = title
        self.markdown = markdown
        self.keys = keys

    def compose(self) -> ComposeResult:
        # Imported here: Markdown (markdown-it) is a twentieth of the TUI's imports, and only F1 shows it.
        from textual.widgets import Markdown

        keys = "\n".join(f"| `{key}` | {text} |" for key, text in self.keys)
        body = (f"# {self.help_title}\n\n{self.markdown}\n\n## Keys everywhere\n\n| key | action |\n|---|---|\n{keys}\n\n"
                "Every action is also in the command palette (**ctrl+p**).")
        with Vertical(classes="dialog help-dialog"):
            with VerticalScroll():
                yield Markdown(body)
            yield Static("Esc closes", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
