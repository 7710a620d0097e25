"""Where a sync writes: the one resolution of the Port target (Port EU / US or the embedded catalog).

The CLI and the TUI share it, so the credentials, the region and the project's ``port.baseUrl`` are
read the same way in both (issue #11 row 4).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import httpx

from builder.port.client import LOCAL_BASE_URL, PortClient
from builder.project.model import PORT_BASE_URLS, Project, resolve_value
from builder.project.yamlio import ProjectError

if TYPE_CHECKING:
    from builder.port.catalog import CatalogStore


@dataclass
class Target:
    client: PortClient
    kind: str  # port | local
    description: str
    reason: str = ""  # why this target when the user did not choose
    store: CatalogStore | None = None  # for a local target

    async def aclose(self) -> None:
        await self.client.aclose()
        if self.store is not None:
            self.store.close()


def port_credentials(project: Project, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    client_id = resolve_value(project.port.get("clientId"), env) or env.get("PORT_CLIENT_ID")
    client_secret = resolve_value(project.port.get("clientSecret"), env) or env.get("PORT_CLIENT_SECRET")
    return client_id or None, client_secret or None


def port_target(project: Project, region: str | None = None) -> tuple[str, str]:
    """(region, base URL) of the Port a sync writes to — the one resolution the CLI and the TUI share.

    The project's ``port.baseUrl`` (a proxy, a self-hosted catalog) wins unless the caller picked a
    region other than the project's own: the TUI always passes its selected region, and sending the
    credentials to api.port.io while the project names another host would leak them (issue #11 row 4).
    """
    own = str(project.port.get("region") or "eu").lower()
    region_name = (region or own).lower()
    if region_name not in PORT_BASE_URLS:
        raise ProjectError(f"unknown Port region {region_name!r}: use eu or us")
    base_url = project.port.get("baseUrl")
    if base_url and region_name == (own if own in PORT_BASE_URLS else "eu"):
        return region_name, str(base_url)
    return region_name, PORT_BASE_URLS[region_name]


def default_target(project: Project, env: Mapping[str, str] | None = None, *, demo: bool = False) -> tuple[str, str]:
    """(``"port"`` | ``"local"``, why) when the user did not choose."""
    env = os.environ if env is None else env
    client_id, client_secret = port_credentials(project, env)
    if demo:
        return "local", "demo mode syncs to the local catalog"
    if str(project.port.get("region", "")).lower() == "local":
        return "local", "the project's port.region is local"
    if not (client_id and client_secret):
        return "local", "no Port credentials (PORT_CLIENT_ID / PORT_CLIENT_SECRET) are set"
    return "port", ""


def open_target(project: Project, *, target: str | None = None, region: str | None = None,
                db: str | Path | None = None, env: Mapping[str, str] | None = None, demo: bool = False,
                transport: httpx.AsyncBaseTransport | None = None, dry_run: bool = False,
                **client_kwargs: Any) -> Target:
    """A client for Port (``target="port"``) or the embedded catalog (``"local"``).

    Default: local in demo mode, when the project says ``port.region: local``, or when no Port
    credentials are set; Port otherwise. The local catalog lives in ``db`` (default
    :func:`builder.port.catalog.default_db_path`) and is served in-process — no server needed.
    """
    env = os.environ if env is None else env
    identifier = str(project.integration.get("identifier") or "cursor-usage")
    kind = str(project.integration.get("type") or "custom")
    client_id, client_secret = port_credentials(project, env)
    reason = ""
    if target is None:
        target, reason = default_target(project, env, demo=demo)
    if target == "local":
        from builder.port.catalog import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, CatalogStore, create_app, default_db_path

        from builder.port.catalog.store import CatalogFileError

        path = Path(db).expanduser() if db is not None else default_db_path()
        try:
            if dry_run and not path.exists():
                # A dry run writes nothing, not even an empty database: compare with an empty catalog.
                if db is not None and not path.parent.is_dir():
                    CatalogStore(path, create_parents=False)  # raises the one-line reason, creates nothing
                store = CatalogStore(":memory:")
            else:
                # An explicit --db must name a file in an existing folder; the default one is ours to create.
                store = CatalogStore(path, create_parents=db is None)
        except CatalogFileError as exc:
            raise ProjectError(str(exc)) from None
        app = create_app(store)
        client = PortClient(base_url=LOCAL_BASE_URL, client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET,
                            transport=transport or httpx.ASGITransport(app=app), integration_identifier=identifier,
                            integration_type=kind, **client_kwargs)
        return Target(client, "local", f"local catalog ({path})", reason, store)
    if target != "port":
        raise ProjectError(f"unknown sync target {target!r}: use port or local")
    if not (client_id and client_secret):
        raise ProjectError("syncing to Port needs credentials: set PORT_CLIENT_ID and PORT_CLIENT_SECRET "
                           "(or use --target local)")
    region_name, base_url = port_target(project, region)
    client = PortClient(base_url=str(base_url), client_id=client_id, client_secret=client_secret,
                        transport=transport, integration_identifier=identifier, integration_type=kind,
                        **client_kwargs)
    return Target(client, "port", f"Port {region_name.upper()} ({client.base_url})", reason)
