"""Fixtures: a real server per test module, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.scenario_files import load_scenario
from tests.game.canaries import with_canaries
from tests.game.tiny import tiny
from tests.server.harness import Database, Server

BACKENDS = ["sqlite", "postgres"]
ROOT = Path(__file__).resolve().parents[2]


def write_scenarios(folder: Path) -> Path:
    """The scenarios the tests play: tiny, a quick-clocked tiny, tiny with canaries, and the
    shipped tutorial."""
    folder.mkdir(parents=True, exist_ok=True)
    base = tiny()
    quick_phases = [p.model_dump() for p in base.rounds.phases]
    quick_phases[0]["duration_s"] = 6
    quick = tiny(id="quick", rounds={**base.rounds.model_dump(), "phases": quick_phases})
    canary = with_canaries(tiny()).model_copy(update={"id": "canary"})
    tutorial = load_scenario(ROOT / "scenarios" / "tutorial.yaml")
    for scenario in (base, quick, canary, tutorial):
        (folder / f"{scenario.id}.json").write_text(scenario.model_dump_json())
    return folder


def make_server(
    request: pytest.FixtureRequest, tmp: Path, env: dict[str, str] | None = None
) -> Iterator[Server]:
    database = Database() if request.param == "postgres" else None
    server = Server(tmp, write_scenarios(tmp / "scenarios"), database and database.url, env or {})
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if database is not None:
            database.drop()


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    yield from make_server(request, tmp_path_factory.mktemp(request.param))
