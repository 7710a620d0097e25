"""Where the requests go: base URL, auth type, credentials (masked, memory only), TLS verify."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from widgets.help_data import HelpData

#: Ocean Custom's authType values (spec.yaml) with the setting that carries the secret.
AUTH_TYPES: list[tuple[str, str]] = [
    ("basic (Cursor)", "basic"),
    ("bearer token", "bearer_token"),
    ("API key header", "api_key"),
    ("none", "none"),
]


def mask(secret: str) -> str:
    """Never more than the last four characters, so a screenshot cannot leak a key."""
    if not secret:
        return ""
    return "••••" + secret[-4:] if len(secret) > 8 else "••••"


class ConnectionPanel(Vertical):
    HELP: ClassVar = HelpData(
        "Connection",
        """Where requests go and how they authenticate (Ocean Custom's `baseUrl`, `authType`,
`verifySsl`). Cursor uses **basic** auth with the API key as the user name.

The key comes from **$CURSOR_API_KEY** or is typed here. A typed key stays in memory for this
session: it is never written to the project file, exports or screenshots (the project stores
`${CURSOR_API_KEY}`). **Test connection** (ctrl+t) calls `/teams/members` and an Enterprise-only
endpoint and says what it reached.

In the demo (`--demo`) requests go to the built-in simulator, in-process (**sends to**); the
base URL stays what the exports and the deployed integration use.""",
    )

    DEFAULT_CSS = """
    ConnectionPanel {
        height: auto;
        & Input { height: 1; border: none; padding: 0 1; background: $boost; margin: 0 0 1 0; }
        & Input:focus { border: none; background: $primary 25%; }
        & Select { margin: 0 0 0 0; }
        & .caption { color: $text-muted; height: 1; }
        & Checkbox { border: none; padding: 0; height: 1; margin: 0; background: transparent; }
        & Button { width: 100%; min-width: 10; height: 1; border: none; margin: 1 0 0 0; }
        & #connection-result { height: auto; padding: 0 0 0 0; }
        & #sends-to { color: $accent; height: auto; padding: 0 1; margin: 0 0 1 0; }
    }
    """

    @dataclass
    class Changed(Message):
        base_url: str
        auth_type: str
        verify_tls: bool

    @dataclass
    class KeyTyped(Message):
        key: str

    class TestRequested(Message):
        pass

    def __init__(self, *, demo: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.demo = demo
        self._loading = False
        # What the panel last showed from the project: Select and Checkbox post Changed messages
        # for programmatic values too (at mount, before the project is loaded, and after load()),
        # and such an echo must never be taken for a user's choice that rewrites the project.
        self._shown: dict[str, object] | None = None

    def compose(self) -> ComposeResult:
        if self.demo:
            # Say what the requests reach: the base URL below is what the exports and the deployed
            # integration use, not where the demo sends.
            yield Label("sends to", classes="caption")
            yield Static("simulator (in-process)", id="sends-to")
        yield Label("base URL (in the exports)" if self.demo else "base URL", classes="caption", id="base-url-caption")
        yield Input(id="base-url", placeholder="https://api.cursor.com")
        yield Label("auth", classes="caption")
        yield Select(AUTH_TYPES, id="auth-type", allow_blank=False, value="basic", compact=True)
        yield Label("API key", classes="caption", id="key-caption")
        yield Input(id="api-key", password=True, placeholder="$CURSOR_API_KEY")
        yield Checkbox("verify TLS", True, id="verify-tls", compact=True)
        yield Button("test connection", id="test-connection", variant="primary", compact=True)
        yield Static("", id="connection-result")

    def load(self, base_url: str, auth_type: str, verify_tls: bool, key_source: str) -> None:
        """Show the project's settings; ``key_source`` says where the key comes from (masked)."""
        self._loading = True
        values = {value for _, value in AUTH_TYPES}
        shown_auth = auth_type if auth_type in values else "none"
        self._shown = {"base-url": base_url, "auth-type": shown_auth, "verify-tls": verify_tls}
        try:
            self.query_one("#base-url", Input).value = base_url
            self.query_one("#auth-type", Select).value = shown_auth
            self.query_one("#verify-tls", Checkbox).value = verify_tls
            self.query_one("#api-key", Input).placeholder = key_source
        finally:
            self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def show_result(self, text: Text | str) -> None:
        self.query_one("#connection-result", Static).update(text)

    def _changed(self, widget: str | None = None, value: object = None) -> None:
        if self._loading or self._shown is None:
            return
        if widget is not None:
            if self._shown.get(widget) == value:
                return  # an echo of what load() put there
            self._shown[widget] = value
        auth = self.query_one("#auth-type", Select).value
        self.post_message(self.Changed(self.query_one("#base-url", Input).value.strip(),
                                       str(auth) if auth is not Select.BLANK else "none",
                                       self.query_one("#verify-tls", Checkbox).value))

    @on(Input.Changed, "#base-url")
    def _base_url(self, event: Input.Changed) -> None:
        event.stop()
        self._changed("base-url", event.value)

    @on(Select.Changed, "#auth-type")
    def _auth(self, event: Select.Changed) -> None:
        event.stop()
        self._changed("auth-type", event.value)

    @on(Checkbox.Changed, "#verify-tls")
    def _verify(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._changed("verify-tls", event.value)

    @on(Input.Changed, "#api-key")
    def _key(self, event: Input.Changed) -> None:
        event.stop()
        if not self._loading:
            self.post_message(self.KeyTyped(event.value.strip()))

    @on(Button.Pressed, "#test-connection")
    def _test(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.TestRequested())
