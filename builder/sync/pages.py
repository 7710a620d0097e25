"""Create or update the project's dashboards (Port pages) after the blueprints their widgets read.

Ocean creates pages only on first install and never updates them; Port's client has no update.
So a sync does its own get → create (``POST /v1/pages``) or patch (``PATCH /v1/pages/{id}``), and
leaves a page that already says the same alone: running it twice changes nothing. A page that
fails is reported and does not fail the entity sync (like Ocean, which logs and continues).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping
from urllib.parse import quote

from builder.port.catalog.pages import same_page

if TYPE_CHECKING:
    import httpx

if TYPE_CHECKING:
    from builder.port.client import PortClient


@dataclass(frozen=True)
class PageOutcome:
    identifier: str
    action: str  # created | updated | unchanged | failed
    error: str | None = None

    def __str__(self) -> str:
        return f"page {self.identifier}: {self.action}" + (f" ({self.error})" if self.error else "")


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
        return str(body.get("message") or body.get("error") or response.status_code)
    except Exception:  # a non-JSON error page
        return f"HTTP {response.status_code}"


async def apply_page(client: PortClient, page: Mapping[str, Any]) -> PageOutcome:
    identifier = str(page.get("identifier"))
    path = f"/v1/pages/{quote(identifier, safe='')}"
    try:
        found = await client.request("GET", path)
        if found.status_code == 404:
            created = await client.request("POST", "/v1/pages", json=dict(page))
            if created.status_code in (200, 201):
                return PageOutcome(identifier, "created")
            return PageOutcome(identifier, "failed", f"POST /v1/pages: {created.status_code} {_message(created)}")
        if found.status_code != 200:
            return PageOutcome(identifier, "failed", f"GET {path}: {found.status_code} {_message(found)}")
        if same_page(page, (found.json() or {}).get("page")):
            return PageOutcome(identifier, "unchanged")
        patched = await client.request("PATCH", path, json=dict(page))
        if patched.status_code == 200:
            return PageOutcome(identifier, "updated")
        return PageOutcome(identifier, "failed", f"PATCH {path}: {patched.status_code} {_message(patched)}")
    except Exception as exc:  # the network: a page never stops the sync
        return PageOutcome(identifier, "failed", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


async def apply_pages(client: PortClient, pages: Iterable[Mapping[str, Any]]) -> list[PageOutcome]:
    return [await apply_page(client, page) for page in pages if isinstance(page, Mapping)]
