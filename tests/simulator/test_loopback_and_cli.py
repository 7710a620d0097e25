"""The simulator over a real loopback socket with uvicorn, and the ``simulate`` subcommand."""

from __future__ import annotations

import argparse
import socket
import threading

import httpx
import pytest
import uvicorn

from builder.cli import simulate
from builder.simulator import DEMO_API_KEY, create_app
from sim_support import small_config


@pytest.fixture
def served():
    """The app on 127.0.0.1 with an OS-chosen port; the socket listens before uvicorn starts, so
    requests queue in the backlog instead of racing the startup (no polling, no sleeps)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    app = create_app(small_config(team_size=4))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    assert not thread.is_alive()


def test_real_http_round_trip(served):
    with httpx.Client(base_url=served, auth=(DEMO_API_KEY, ""), timeout=10) as client:
        members = client.get("/teams/members")
        assert members.status_code == 200 and len(members.json()["teamMembers"]) == 4
        assert client.get("/teams/members", auth=("wrong", "")).status_code == 401
        csv = client.get("/analytics/ai-code/commits.csv", params={"startDate": "30d"})
        assert csv.status_code == 200 and csv.headers.get("transfer-encoding") == "chunked"
        assert csv.text.startswith("commit_hash,commit_source,")
        etag = client.get("/analytics/team/dau").headers["etag"]
        not_modified = client.get("/analytics/team/dau", headers={"If-None-Match": etag})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert client.delete("/settings/repo-blocklists/repos/repo_101").status_code == 204


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cursor-builder")
    simulate.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["simulate", *argv])


def test_defaults_and_handler():
    args = parse()
    assert (args.host, args.port, args.api_key, args.tier, args.team_size, args.days, args.seed) == \
        ("127.0.0.1", 8765, None, "enterprise", 12, 30, 42)
    assert args.func is simulate.run


def test_options():
    args = parse("--port", "0", "--api-key", "crsr_mine", "--tier", "team", "--team-size", "5", "--days", "9",
                 "--seed", "3")
    assert (args.port, args.api_key, args.tier, args.team_size, args.days, args.seed) == (0, "crsr_mine", "team", 5, 9, 3)


@pytest.mark.parametrize("argv", [["--tier", "pro"], ["--team-size", "0"], ["--days", "x"]])
def test_bad_options_are_rejected_by_the_parser(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        parse(*argv)
    assert exc.value.code == 2


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_refuses_non_loopback_hosts(host, capsys):
    assert simulate.run(parse("--host", host)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "loopback" in err


@pytest.mark.parametrize("host, ok", [("127.0.0.1", True), ("::1", True), ("localhost", True), ("127.0.0.2", True),
                                      ("10.0.0.1", False)])
def test_loopback_detection(host, ok):
    assert simulate.is_loopback(host) is ok


def test_banner_shows_url_key_and_curl():
    text = simulate.banner("127.0.0.1", 8765, DEMO_API_KEY, small_config())
    assert "http://127.0.0.1:8765" in text
    assert f"API key it accepts: {DEMO_API_KEY}" in text
    assert f"curl -u {DEMO_API_KEY}: http://127.0.0.1:8765/teams/members" in text
    assert "[::1]:9" in simulate.banner("::1", 9, "k", small_config())


def test_registered_in_the_main_cli():
    cli = pytest.importorskip("builder.cli")
    parser = cli.build_parser()
    args = parser.parse_args(["simulate", "--host", "0.0.0.0"])
    assert args.func is simulate.run
