"""The response of the page in view: the JSON body (or what went wrong) and the headers.

Two thin widgets for the Build screen's Response and Headers tabs; the status line (status,
elapsed, size, page i/N) sits in the request bar above them so it stays visible on every tab.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from widgets.help_data import HelpData
from widgets.json_viewer import JsonViewer


class ResponseBody(Vertical):
    HELP: ClassVar = HelpData(
        "Response",
        """The body of the page in view, pretty-printed and highlighted. When a request fails the
reason is shown here in plain words (bad key, Enterprise-only endpoint, rate limit, timeout,
a body that is not JSON) with what to do next.

- **[ ]** previous / next page
- **/** search, **Enter** fold, **p** use the array at the cursor as data_path""",
    )

    BINDINGS: ClassVar = [
        Binding("left_square_bracket", "page(-1)", "Prev page", id="response.previous-page"),
        Binding("right_square_bracket", "page(1)", "Next page", id="response.next-page"),
    ]

    DEFAULT_CSS = """
    ResponseBody {
        height: 1fr;
        & > #response-error {
            height: auto; max-height: 12; padding: 0 1; margin: 0 0 1 0;
            border-left: thick $error; background: $error 10%; display: none;
        }
        & > #response-error.-shown { display: block; }
        & > #response-empty { color: $text-muted; padding: 1 2; height: auto; }
    }
    """

    class PageRequested(Message):
        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def compose(self) -> ComposeResult:
        yield Static("", id="response-error")
        yield Static(Text("Nothing sent yet: press ctrl+r (send) to fetch this resource.", style="dim"),
                     id="response-empty")
        yield JsonViewer(id="response-json")

    @property
    def viewer(self) -> JsonViewer:
        return self.query_one("#response-json", JsonViewer)

    def show(self, data: Any, *, error: str | None = None, text: str | None = None, note: str = "") -> None:
        """A parsed body (``data``), or an ``error`` with the raw ``text`` when it was not JSON."""
        self.query_one("#response-empty").display = False
        box = self.query_one("#response-error", Static)
        if error:
            message = Text(error, style="bold")
            if text and text.strip()[:80] not in error:
                message.append("\nbody: ", style="dim italic")
                message.append(text[:400] + ("…" if len(text) > 400 else ""), style="dim")
            box.update(message)
        box.set_class(bool(error), "-shown")
        if data is None:
            self.viewer.clear(note)
        else:
            self.viewer.load(data)

    def reset(self, message: str | None = None) -> None:
        empty = self.query_one("#response-empty", Static)
        empty.display = True
        if message:
            empty.update(Text(message, style="dim"))
        self.query_one("#response-error", Static).set_class(False, "-shown")
        self.viewer.clear()

    def action_page(self, step: int) -> None:
        self.post_message(self.PageRequested(step))


class ResponseHeaders(DataTable):
    HELP: ClassVar = HelpData("Response headers", "The HTTP headers of the page in view (rate-limit and "
                              "Retry-After headers explain a 429).")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def show(self, headers: dict[str, Any]) -> None:
        self.clear(columns=True)
        self.add_columns("header", "value")
        self.add_rows([[name, str(value)] for name, value in headers.items()])
