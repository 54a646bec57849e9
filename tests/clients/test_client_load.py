"""The load generator against a real server: `chapter8 load`, seeded, 2 sessions x 3 players
for a few seconds, plays every kind of move (talk, drafts, formal moves in turn, votes) with
no error of any kind, and its report adds up."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import orjson
import pytest

from tests.server.conftest import write_scenarios
from tests.server.harness import ROOT, Server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("load")
    server = Server(tmp, write_scenarios(tmp / "scenarios"), None, {})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_a_short_seeded_load_run_has_no_errors(server):
    run = subprocess.run(
        [sys.executable, "-m", "server.cli", "load", server.base, "--sessions", "2",
         "--players", "3", "--duration", "3", "--warmup", "0", "--seed", "5",
         "--phase-commands", "25", "--server-pid", str(server.process.pid), "--json"],
        cwd=ROOT, capture_output=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr.decode()[-3000:] + run.stdout.decode()[-2000:]
    report = orjson.loads(run.stdout.strip().splitlines()[-1])
    assert report["errors"] == {} and report["lost"] == 0
    assert report["connections"] == 2 * (3 + 1)
    kinds = report["by_type"]
    assert report["commands"] == sum(kinds.values()) > 30
    assert {"say", "advance", "vote"} <= set(kinds)
    assert set(kinds) & {"pass", "statement", "table", "amend", "cosponsor"}
    assert set(kinds) & {"save_draft", "open_channel"}
    delivered, accepted = report["delivered_ms"], report["accepted_ms"]
    assert delivered["n"] == report["commands"] == accepted["n"]
    assert 0 < accepted["p50"] <= delivered["p50"] <= delivered["p99"] <= delivered["max"]
    # Every command reached every socket of its session: at least one frame per socket each.
    assert report["msg_per_s"] * report["wall_s"] >= report["commands"] * 4
    assert report["server_us_per_cmd"] > 0
