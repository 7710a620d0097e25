"""Rehearse the real deployment: the unmodified Ocean Custom integration against the embedded catalog.

``rehearse(project, runtime)`` serves the catalog (a local Port) and, with ``demo``, the Cursor
simulator on loopback; creates the project's blueprints and installs its integration (the exported
port-app-config) through Port's own API; runs ``ocean sail --once`` from an Ocean Custom source
checkout with exactly the exported Docker environment (only the Port URL and credentials, the API's
base URL and the event listener point at the local stand-ins); and compares, per resource, what
Ocean fetched, sent and what landed with the builder's preview of the same deployment
(:mod:`builder.ship.rehearse_report`). Every server and process it starts is stopped on the way out,
also on Ctrl+C.

Ocean's ``sail`` binds its own HTTP server to 0.0.0.0 (``port_ocean/run.py``); the launcher below
only rebinds it to 127.0.0.1 — nothing of Ocean's behaviour changes.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import quote

import httpx

from builder.port.catalog import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, CatalogApp, CatalogStore
from builder.project.model import Project
from builder.project.yamlio import ProjectError
from builder.ship.export import docker_command, docker_env
from builder.ship.export.settings import config_env_name, deployment
from builder.ship.ocean_process import free_port, run_ocean
from builder.ship.rehearse_progress import Cancel, RehearsalError, RehearsalProgress
from builder.ship.rehearse_report import Installation, RehearsalReport, Recorder, compare_installation

if TYPE_CHECKING:
    from builder.net.asgi import ASGIApp
    from builder.port.client import PortClient

ROOT = Path(__file__).resolve().parents[2]
#: Where the tests (and a checkout of this repository) find the reference integration and its venv.
REFERENCE_OCEAN_SOURCE = ROOT.parent / "shared" / "reference" / "ocean-custom"
DEFAULT_OCEAN_PYTHON = ROOT / ".oracle-venv" / "bin" / "python"

#: Called with a snapshot of the run at each step, resource and line of Ocean's log (from the rehearsal's thread).
Progress = Callable[[RehearsalProgress], Any]


@dataclass(frozen=True)
class OceanRuntime:
    """An Ocean Custom source checkout and a Python ≥ 3.12 that has ``port-ocean[cli]``."""

    source: Path
    python: Path

    @classmethod
    def find(cls, source: str | Path | None = None, python: str | Path | None = None) -> OceanRuntime:
        """The given paths, else ``$ORACLE_PYTHON`` / this checkout's ``.oracle-venv`` and the reference
        integration beside the repository; raises :class:`RehearsalError` saying what is missing."""
        src = Path(source).expanduser() if source else REFERENCE_OCEAN_SOURCE
        py = Path(python or os.environ.get("ORACLE_PYTHON") or DEFAULT_OCEAN_PYTHON).expanduser()
        if not (src / "main.py").is_file() or not (src / ".port" / "spec.yaml").is_file():
            raise RehearsalError(f"{src} is not an Ocean Custom integration checkout (no main.py and "
                                 ".port/spec.yaml): pass --ocean-source DIR (port-labs/ocean integrations/custom)")
        if not py.exists():
            raise RehearsalError(f"no Python at {py}: create one with port-ocean[cli] (bash scripts/setup-oracle.sh) "
                                 "or pass --ocean-python")
        check = subprocess.run([str(py), "-c", "import port_ocean.cli.cli"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RehearsalError(f"{py} cannot import port_ocean.cli: install port-ocean[cli]==0.56.2 into it "
                                 "(bash scripts/setup-oracle.sh)")
        return cls(src.resolve(), py)

    @classmethod
    def available(cls) -> OceanRuntime | None:
        """The default runtime when it is there (the TUI offers the rehearsal only then)."""
        try:
            return cls.find()
        except RehearsalError:
            return None


# -- loopback servers --------------------------------------------------------------------------


class LoopbackServer:
    """An ASGI app served by uvicorn on 127.0.0.1 in a background thread (``with`` stops it)."""

    def __init__(self, app: ASGIApp) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                     lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, name=f"loopback-{self.port}", daemon=True)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        while not self._server.started:  # uvicorn sets it once it listens (or the thread dies)
            if not self._thread.is_alive():
                raise RehearsalError(f"cannot serve on 127.0.0.1:{self.port}; try again (the port was taken)")
            self._thread.join(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.should_exit = True
        self._thread.join(10)


# -- Ocean's environment -----------------------------------------------------------------------


def ocean_environment(project: Project, *, port_url: str, api_url: str | None,
                      secrets: Mapping[str, str]) -> dict[str, str]:
    """The exported Docker environment with the secrets' values (``secrets``: variable → value), and
    only Port's URL, the API's base URL (``api_url``, when the simulator stands in) and the event
    listener (ONCE) pointed at the rehearsal."""
    try:
        entries = docker_env(project, reveal_secrets=True, env=secrets)
    except ProjectError as exc:
        raise RehearsalError(str(exc)) from None
    env = {name: str(value) for name, value, _ in entries}
    env["OCEAN__PORT__BASE_URL"] = port_url
    env["OCEAN__EVENT_LISTENER"] = json.dumps({"type": "ONCE"}, separators=(",", ":"))
    if api_url is not None:
        env[config_env_name("baseUrl")] = api_url
    return env


def rehearsal_secrets(project: Project, *, demo_key: str | None, env: Mapping[str, str]) -> dict[str, str]:
    """Values for the variables the export reads: the local catalog's well-known credentials for
    Port, the simulator's demo key (``demo_key``) or the user's environment for the API."""
    dep = deployment(project)
    out: dict[str, str] = {}
    for credential, local in ((dep.client_id, LOCAL_CLIENT_ID), (dep.client_secret, LOCAL_CLIENT_SECRET)):
        if credential.env:
            out[credential.env] = local
    for name in dep.env_vars_needed():
        if name in out:
            continue
        value = demo_key if demo_key is not None else env.get(name)
        if not value:
            raise RehearsalError(f"{name} is not set: export it (the deployed integration reads it), or use --demo")
        out[name] = value
    return out


def docker_rehearsal(project: Project, *, port_url: str, api_url: str | None) -> str:
    """The exported Docker command pointed at a local catalog (and simulator), with ``--network host``
    so the container reaches their loopback addresses; secrets stay ``"$VAR"`` references."""
    text = docker_command(project)
    dep = deployment(project)
    replace = {"OCEAN__PORT__BASE_URL": port_url,
               "OCEAN__EVENT_LISTENER": json.dumps({"type": "ONCE"}, separators=(",", ":"))}
    if api_url is not None:
        replace[config_env_name("baseUrl")] = api_url
    if dep.client_id.env:
        replace["OCEAN__PORT__CLIENT_ID"] = LOCAL_CLIENT_ID
    if dep.client_secret.env:
        replace["OCEAN__PORT__CLIENT_SECRET"] = LOCAL_CLIENT_SECRET
    import shlex

    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        for name, value in replace.items():
            if stripped.startswith(f"-e {name}="):
                line = line[:line.index("-e ")] + f"-e {name}={shlex.quote(value)}" + (" \\" if line.endswith("\\")
                                                                                         else "")
        if stripped.startswith("docker run "):
            line = "docker run -i --rm --network host --platform=linux/amd64 \\"
        if stripped.startswith(": \"${PORT_CLIENT"):
            continue  # the local catalog's credentials are written literally
        lines.append(line)
    return "\n".join(lines) + "\n"


# -- installations -----------------------------------------------------------------------------


def installations(project: Project) -> list[tuple[str, Project]]:
    """(integration identifier, project holding that installation's settings and resources), one per
    installation of the export's deployment plan: Ocean Custom has one pagination setting per
    installation, so resources that page differently run in separate installations."""
    from builder.ship.deploy_plan import installation_project, plan_deployment

    out = []
    for installation in plan_deployment(project).installations:
        if installation.resources:
            sub = installation_project(project, installation)
            out.append((str(sub.integration["identifier"]), sub))
    return out


# -- the run -----------------------------------------------------------------------------------


@dataclass
class RehearsalOptions:
    demo: bool = True
    db: str | Path = ":memory:"
    timeout: float = 900.0
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    #: The project to preview against (default: the one installed). A different one shows what
    #: the deployment no longer matches (a mapping edited after export).
    preview_project: Project | None = None
    #: Set from any thread to stop the run: Ocean's process group is killed at once.
    cancel: Cancel | None = None


async def _install(port_url: str, identifier: str, project: Project) -> str:
    """Blueprints (staged, as Ocean creates them) and the integration with its port-app-config,
    through Port's own API — what a user does in Port's UI before deploying. Returns what it did."""
    from builder.port.client import PortClient
    from builder.port.outcomes import PortError

    async with PortClient(base_url=port_url, client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET,
                          integration_identifier=identifier) as port:
        try:
            system = await _missing_system_blueprints(port, project)
            report = await port.apply_blueprints(system + project.blueprints)
            if report.errors:
                name, message = next(iter(report.errors.items()))
                raise RehearsalError(f"blueprint {name} was refused by the catalog: {message}")
            config = project.app_config_dict()
            path = f"/v1/integration/{quote(identifier, safe='')}"
            existing = await port.request("GET", path)
            if existing.status_code == 404:
                _expect(await port.request("POST", "/v1/integration", json={
                    "installationId": identifier, "installationAppType": "custom", "changelogDestination": {},
                    "config": config}))
                return f"installed integration {identifier} ({len(config['resources'])} resources)"
            _expect(existing)
            _expect(await port.request("PATCH", f"{path}/config", json={"config": config}))
            return f"updated the mapping of integration {identifier} ({len(config['resources'])} resources)"
        except PortError as exc:
            raise RehearsalError(f"the local catalog refused the installation: {exc.message}") from None


def _expect(response: httpx.Response) -> None:
    if response.status_code not in (200, 201):
        try:
            message = str(response.json().get("message") or "")
        except ValueError:
            message = response.text[:200]
        raise RehearsalError(f"the local catalog refused {response.request.method} {response.request.url.path}: "
                             f"{response.status_code} {message}".strip())


#: Port's own blueprints, present in every organisation; the catalog starts without them.
SYSTEM_BLUEPRINTS = {
    "_user": {"identifier": "_user", "title": "User", "icon": "User", "schema": {"properties": {}}},
    "_team": {"identifier": "_team", "title": "Team", "icon": "Team", "schema": {"properties": {}}},
}


async def _missing_system_blueprints(port: PortClient, project: Project) -> list[dict[str, Any]]:
    """The Port system blueprints the project's relations point at (``_user``, ``_team``) that the
    catalog lacks, so Ocean's relations land as they would in Port (an existing one is kept as is)."""
    own = {bp.get("identifier") for bp in project.blueprints}
    targets = {rel.get("target") for bp in project.blueprints for rel in (bp.get("relations") or {}).values()
               if isinstance(rel, dict)}
    return [SYSTEM_BLUEPRINTS[identifier] for identifier in sorted(t for t in targets
                                                                    if t in SYSTEM_BLUEPRINTS and t not in own)
            if await port.get_blueprint(identifier) is None]


def deployed_project(project: Project, secrets: Mapping[str, str]) -> Project:
    """The project with ``integration.config`` replaced by the settings the export deploys, their
    values resolved (in memory only): what the preview must fetch with to show what Ocean gets."""
    from builder.ship.export.settings import resolve

    out = project.copy()
    settings = deployment(project).settings
    try:
        out.integration["config"] = {s.key: resolve(s, secrets) for s in settings}
    except KeyError as exc:
        raise RehearsalError(f"{exc.args[0]} is not set: export it, or use --demo") from None
    return out


def rehearse(project: Project, runtime: OceanRuntime, options: RehearsalOptions | None = None,
             progress: Progress | None = None) -> RehearsalReport:
    """Run every installation of the project's deployment once with the real Ocean and compare.
    Raises :class:`~builder.ship.rehearse_progress.RehearsalCancelled` when ``options.cancel`` is set (everything started is stopped)."""
    import asyncio

    from builder.simulator import DEMO_API_KEY, SimulatorConfig, create_app as create_simulator

    options = options or RehearsalOptions()
    cancel = options.cancel or Cancel()
    state = RehearsalProgress()

    def tell() -> None:
        if progress is not None:
            progress(state.snapshot())

    def ocean_line(line: str) -> None:
        state.ocean_line(line)
        tell()

    store = CatalogStore(options.db)
    catalog = CatalogApp(store)
    port_recorder = Recorder(catalog)
    # One instant for the simulator and the preview's own simulator: the same data, separate rate limits.
    sim_config = SimulatorConfig(now=datetime.datetime.now(datetime.timezone.utc)) if options.demo else None
    api_recorder = Recorder(create_simulator(sim_config)) if sim_config is not None else None
    report = RehearsalReport(demo=options.demo)
    work = Path(tempfile.mkdtemp(prefix="cursor-builder-rehearse-"))
    planned = installations(project)
    try:
        with LoopbackServer(port_recorder) as port_server:
            api_server = LoopbackServer(api_recorder).__enter__() if api_recorder is not None else None
            try:
                state.installations = len(planned)
                state.step("starting", f"local catalog at {port_server.url}"
                           + (f", simulator at {api_server.url}" if api_server else ""))
                tell()
                for number, (identifier, installed) in enumerate(planned, 1):
                    cancel.check()
                    state.begin_installation(identifier, number, len(planned), [r.kind for r in installed.resources])
                    tell()
                    state.step("installing", asyncio.run(_install(port_server.url, identifier, installed)))
                    tell()
                    secrets = rehearsal_secrets(installed, demo_key=DEMO_API_KEY if options.demo else None,
                                                env=options.env)
                    env = ocean_environment(installed, port_url=port_server.url,
                                            api_url=api_server.url if api_server else None, secrets=secrets)
                    port_recorder.reset()
                    if api_recorder is not None:
                        api_recorder.reset()
                    started = datetime.datetime.now(datetime.timezone.utc)
                    state.step("ocean", f"running Ocean for {identifier} (ocean sail --once, {runtime.source})")
                    tell()
                    log_path = work / f"ocean-{identifier}.log"
                    status = run_ocean(runtime.python, runtime.source, env, timeout=options.timeout,
                                       log_path=log_path, on_line=ocean_line, cancel=cancel)
                    state.step("comparing", f"Ocean exited with status {status}; comparing with the preview")
                    tell()
                    preview = deployed_project(_preview_subject(installed, options, identifier), secrets)
                    run = Installation(identifier=identifier, exit_status=status, log_path=str(log_path),
                                       started=started.isoformat())
                    asyncio.run(compare_installation(run, preview, store, catalog, port_recorder, api_recorder,
                                                     sim_config, options.env, cancelled=cancel.check))
                    report.installations.append(run)
                state.step("done", "delivered == preview for every resource" if report.ok
                           else "the deployment does NOT deliver what the preview shows")
                tell()
            finally:
                if api_server is not None:
                    api_server.__exit__(None, None, None)
    finally:
        store.close()
    return report


def _preview_subject(installed: Project, options: RehearsalOptions, identifier: str) -> Project:
    if options.preview_project is None:
        return installed
    for candidate_id, candidate in installations(options.preview_project):
        if candidate_id == identifier:
            return candidate
    return options.preview_project

