"""The bot runner against a real server process: bots-only games of every shipped scenario to
the debrief with no rejected command, each bot a `BotRunner` on its own `Client` (the seats
given to `external` bots, so the log marks them); a command overtaken by a deadline is
re-decided; the runner stops when the seat is taken back; and `chapter8 bot` does the same
from the command line."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from clients.botrunner import BotRunner, BotTable
from clients.bots import make
from clients.bots.base import Bot
from clients.client import Client
from clients.rest import Rest
from game.commands import Advance, Command, Pass, Start
from game.views import View
from tests.clients.botgame import by_seat, concluded, facilitate, line_up, timeouts
from tests.game.scenarios import shipped
from tests.game.tiny import tiny
from tests.server.conftest import write_scenarios
from tests.server.harness import ROOT, Server

SHIPPED = sorted(shipped())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("botrunner")
    scenarios = write_scenarios(tmp / "scenarios")
    # Tiny with 5-second turns: a turn's deadline can fall while a bot thinks.
    base = tiny()
    brisk = tiny(id="brisk_turns", rounds={**base.rounds.model_dump(), "turn_seconds": 5})
    (scenarios / "brisk_turns.json").write_text(brisk.model_dump_json())
    server = Server(tmp, scenarios, None, {})
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def seat_bots(
    server: Server, scenario: str, seed: int, offset: int = 0, **runner_kwargs
) -> tuple[dict, Client, dict[str, BotRunner], dict[str, asyncio.Task]]:
    """A session with the first seat of every team given to an `external` bot, and a runner
    of a strategy (rotating over the teams) on each of those seats, taking turns at one
    `BotTable` as the server's own bots do."""
    async with Rest(server.base) as rest:
        created = await rest.create(scenario, "runner game", seed=seed)
    session, token = created["session"], created["facilitator_token"]
    firsts: dict[str, str] = {}
    for link in created["join_links"]:
        firsts.setdefault(link["team"], link["seat"])
    strategies = line_up(list(firsts), offset)
    runners: dict[str, BotRunner] = {}
    table = BotTable()
    async with Rest(server.base, token) as rest:
        for team, seat in firsts.items():
            handed = await rest.assign(session, seat, f"{strategies[team]} bot", bot="external")
            joined = await rest.join(session, handed["code"])
            client = Client.for_seat(joined, min_backoff=0.02)
            runners[seat] = BotRunner(
                client, strategies[team], seed=f"{seed}:{seat}", table=table, **runner_kwargs
            )
    f = Client.for_token(server.base, session, token)
    await f.start()
    tasks = {seat: asyncio.create_task(r.run()) for seat, r in runners.items()}
    for runner in runners.values():
        await runner.client.until(lambda c: c.viewer is not None and c.seq > 0)
    return created, f, runners, tasks


async def close_all(f: Client, runners: dict[str, BotRunner], tasks) -> None:
    for task in tasks.values():
        task.cancel()
    for runner in runners.values():
        await runner.client.close()
    await f.close()


def no_crash(tasks: dict[str, asyncio.Task]) -> None:
    for seat, task in tasks.items():
        if task.done() and task.exception() is not None:
            raise AssertionError(f"the runner of {seat} failed") from task.exception()


@pytest.mark.parametrize("scenario", SHIPPED)
async def test_a_bots_only_game_of_a_shipped_scenario_reaches_the_debrief(server, scenario):
    """Every team's bot a runner on its own websocket; the facilitator starts and advances
    only when every bot is idle. The session completes by itself, no command of any bot is
    rejected, no turn runs out, every runner stops with `concluded`, and every command of a
    seat in the log is marked as a bot's."""
    offset = SHIPPED.index(scenario)
    created, f, runners, tasks = await seat_bots(server, scenario, seed=7, offset=offset)
    try:

        async def idle() -> bool:
            return all(r.idle_seq == f.seq for r in runners.values())

        await facilitate(f, idle, check=lambda: no_crash(tasks))
        ended = await asyncio.wait_for(asyncio.gather(*tasks.values()), 30)
        assert ended == ["concluded"] * len(runners)
        async with Rest(server.base, created["facilitator_token"]) as rest:
            log = await rest.log(created["session"])
    finally:
        await close_all(f, runners, tasks)

    assert concluded(log)["reason"] == "completed"
    rejected = {seat: r.stats.rejected for seat, r in runners.items() if r.stats.rejected}
    assert rejected == {}
    assert all(r.stats.errors == 0 for r in runners.values())
    assert timeouts(log) == []
    acted = by_seat(log)
    assert set(acted) == set(runners)  # every bot played
    for seat, events in acted.items():
        assert all(e["actor"]["bot"] for e in events), seat
    assert sum(r.stats.accepted for r in runners.values()) == sum(
        r.stats.sent for r in runners.values()
    )
    # A bot spoke, tabled and voted through the server, as in the in-process games.
    kinds = {e["type"] for events in acted.values() for e in events}
    assert {"message_posted", "proposal_tabled", "ballot_cast"} <= kinds


async def test_bots_of_one_team_take_turns_at_their_table(server):
    """Both seats of the AU played by bots of the same strategy, on one `BotTable` with the
    other teams' bots: each ballot gets the AU's vote once (the second bot decides on a view
    with the first's vote in it) and no command is rejected, where two bots deciding on the
    same view would both vote."""
    async with Rest(server.base) as rest:
        created = await rest.create("tutorial", "two bots, one team", seed=8)
    session, token = created["session"], created["facilitator_token"]
    table = BotTable()
    runners: dict[str, BotRunner] = {}
    async with Rest(server.base, token) as rest:
        for link in created["join_links"]:
            seat = link["seat"]
            handed = await rest.assign(session, seat, "linear bot", bot="external")
            client = Client.for_seat(await rest.join(session, handed["code"]), min_backoff=0.02)
            runners[seat] = BotRunner(client, "linear", seed=seat, table=table)
    assert {"au.1", "au.2"} <= set(runners)
    f = Client.for_token(server.base, session, token)
    await f.start()
    tasks = {seat: asyncio.create_task(r.run()) for seat, r in runners.items()}
    try:

        async def idle() -> bool:
            return all(r.idle_seq == f.seq for r in runners.values())

        await facilitate(f, idle, check=lambda: no_crash(tasks))
        async with Rest(server.base, token) as rest:
            log = await rest.log(session)
    finally:
        await close_all(f, runners, tasks)
    assert {s: r.stats.rejected for s, r in runners.items() if r.stats.rejected} == {}
    casts = [e["event"] for e in log if e["event"]["type"] == "ballot_cast"]
    au = [e for e in casts if e["team"] == "au"]
    assert au and len(au) == len({e["ballot"] for e in au})
    assert {e["actor"]["seat"] for e in au} <= {"au.1", "au.2"}
    assert concluded(log)["reason"] == "completed"


class LateOnItsTurn(Bot):
    """`linear`, except that the first time it holds the floor it thinks past the turn's
    deadline (blocking, so its view cannot move meanwhile) before passing."""

    name = "late"

    def __init__(self, deadline_of) -> None:
        self.inner = make("linear")
        self.deadline_of = deadline_of
        self.late = False
        self.asked_after: list[int] = []
        """The seq of each view it was asked with after its late pass."""

    def decide(self, view: View, rng: random.Random) -> Command | None:
        phase = view.phase
        mine = phase is not None and phase.kind == "formal" and phase.holder == view.viewer.team
        if mine and not self.late:
            self.late = True
            due = self.deadline_of(view)
            time.sleep(max(0.0, (due / 1000 - time.time())) + 0.5)
            return Pass()
        if self.late:
            self.asked_after.append(view.seq)
        return self.inner.decide(view, rng)


async def test_a_command_overtaken_by_a_deadline_is_decided_again(server):
    """A bot whose turn ran out while it thought gets `not_your_turn`; the runner asks it
    again with the view the rejection came after (the turn's timeout already in it), and the
    game goes on to the end with no other rejection."""
    from game import engine

    created, f, runners, tasks = await seat_bots(server, "brisk_turns", seed=5)
    seat = next(s for s in runners if s.startswith("au"))
    late = LateOnItsTurn(lambda v: engine.next_deadline(v.state))
    runners[seat].bot = late
    try:

        async def idle() -> bool:
            return all(r.idle_seq == f.seq for r in runners.values())

        await facilitate(f, idle, check=lambda: no_crash(tasks))
        async with Rest(server.base, created["facilitator_token"]) as rest:
            log = await rest.log(created["session"])
    finally:
        await close_all(f, runners, tasks)

    assert late.late
    refused = runners[seat].stats.rejected
    assert [r.code for r in refused] == ["not_your_turn"]
    out = [e["event"] for e in log if e["event"]["type"] == "passed" and e["event"]["timeout"]]
    assert [e["team"] for e in out] == ["au"]
    # Asked again with a view that already had the turn's timeout (sent before the rejection).
    assert late.asked_after and late.asked_after[0] >= out[0]["seq"]
    others = {s: r.stats.rejected for s, r in runners.items() if s != seat and r.stats.rejected}
    assert others == {}
    assert concluded(log)["reason"] == "completed"


async def test_the_runner_stops_when_the_seat_is_taken_back(server):
    """Mid-session the facilitator gives the bot's seat to a person: the runner returns
    `revoked` (close code 4003) and sends nothing more."""
    created, f, runners, tasks = await seat_bots(server, "tutorial", seed=3)
    session, token = created["session"], created["facilitator_token"]
    seat = next(s for s in runners if s.startswith("au"))
    try:
        await f.do(Start())
        await f.do(Advance())  # consultations: every bot says a word on the floor
        await wait_for(lambda: runners[seat].stats.accepted >= 1)
        async with Rest(server.base, token) as rest:
            taken = await rest.assign(session, seat, "Amina")
        assert await asyncio.wait_for(tasks[seat], 10) == "revoked"
        sent = runners[seat].stats.sent
        assert runners[seat].client.closed is not None
        assert runners[seat].client.closed.code == 4003
        await asyncio.sleep(0.3)
        assert runners[seat].stats.sent == sent
        assert taken["link"].endswith("#" + taken["code"])
    finally:
        await close_all(f, runners, tasks)


async def wait_for(predicate, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def chapter8(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


async def test_chapter8_bot_and_seat_commands(server, tmp_path: Path):
    """From the command line: the facilitator gives a seat to an `external` bot
    (`chapter8 seat assign`), `chapter8 bot --join LINK` plays it (its message logged as a
    bot's), and `chapter8 seat free` takes it back: the bot stops and exits 0. An unknown
    strategy is refused with the known ones."""
    async with Rest(server.base) as rest:
        created = await rest.create("tutorial", "cli", seed=2)
    session, token = created["session"], created["facilitator_token"]
    env = {**os.environ, "CHAPTER8_FACILITATOR_TOKEN": token}
    refused = await asyncio.to_thread(
        chapter8, "seat", "assign", session, "eu.1", server.base, "--bot", "nobody", env=env
    )
    assert refused.returncode == 1
    assert "unknown bot strategy 'nobody'" in refused.stderr and "boulware" in refused.stderr
    given = await asyncio.to_thread(
        chapter8, "seat", "assign", session, "eu.1", server.base, "--bot", "external", env=env
    )
    assert given.returncode == 0, given.stderr
    link = json.loads(given.stdout)["link"]
    f = Client.for_token(server.base, session, token)
    await f.start()
    await f.do(Start())
    await f.do(Advance())  # consultations
    out = open(tmp_path / "bot.out", "w+")  # noqa: SIM115
    bot = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "bot", "--join", link, "--strategy", "conceder"],
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        await f.until(
            lambda c: any(m.team == "eu" and m.bot for m in c.state.channels["floor"].messages),
            timeout=30,
        )
        freed = await asyncio.to_thread(
            chapter8, "seat", "free", session, "eu.1", server.base, env=env
        )
        assert freed.returncode == 0, freed.stderr
        assert await asyncio.to_thread(bot.wait, 30) == 0
    finally:
        if bot.poll() is None:
            bot.kill()
        await f.close()
    out.seek(0)
    printed = out.read()
    assert "conceder plays seat eu.1 (eu)" in printed
    assert "stopped: revoked" in printed and "0 rejected" in printed
    async with Rest(server.base, token) as rest:
        log = await rest.log(session)
    said = [e for e in by_seat(log).get("eu.1", []) if e["type"] == "message_posted"]
    assert said and all(e["actor"]["bot"] for e in said)
