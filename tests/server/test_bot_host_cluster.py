"""Bots the server runs, on several processes (one PostgreSQL database, Redis, nginx in
front): each hosted bot runs in exactly one process, the holder of its session's clock lease,
and when that process dies (kill -9) another takes the lease and the bots with it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clients.client import Client
from clients.rest import Rest
from game.commands import Advance, Start
from tests.clients.botgame import by_seat
from tests.cluster.harness import Cluster

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    made = Cluster(tmp_path / "cluster", 2)
    try:
        yield made.start()
    finally:
        made.close()


def hosted_where(cluster: Cluster, session: str, token: str) -> dict[int, set[str]]:
    """Per live process, the seats whose bot it runs now."""
    out: dict[int, set[str]] = {}
    for i in cluster.alive():
        r = httpx.get(
            f"{cluster.servers[i].base}/api/sessions/{session}/bots",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert r.status_code == 200, r.text
        out[i] = {b["seat"] for b in r.json() if b["running"] and b.get("connected")}
    return out


async def until(predicate, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := await asyncio.to_thread(predicate)):
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.1)
    return found


async def test_a_hosted_bot_runs_in_one_process_and_moves_when_it_dies(cluster):
    async with Rest(cluster.via.base) as rest:
        created = await rest.create("tutorial", "cluster bots", seed=9)
    session, token = created["session"], created["facilitator_token"]
    seats = {"au.1": "linear", "eu.1": "boulware", "sg.1": "chair"}
    # Given through one process; the other learns it from the log.
    async with Rest(cluster.servers[1].base, token) as rest:
        for seat, strategy in seats.items():
            await rest.assign(session, seat, f"{strategy} bot", bot=strategy)

    def placed() -> dict[int, set[str]] | None:
        where = hosted_where(cluster, session, token)
        return where if sorted(s for v in where.values() for s in v) == sorted(seats) else None

    where = await until(placed)
    # Exactly one process runs them all (the holder of the session's clock), and it stays so.
    holder = next(i for i, v in where.items() if v)
    assert where[holder] == set(seats) and all(not v for i, v in where.items() if i != holder)
    for _ in range(10):
        again = hosted_where(cluster, session, token)
        assert again[holder] == set(seats)
        assert all(not v for i, v in again.items() if i != holder)
        await asyncio.sleep(0.2)

    cluster.servers[holder].kill()
    survivor = next(i for i in cluster.alive())

    def moved() -> bool:
        return hosted_where(cluster, session, token).get(survivor) == set(seats)

    await until(moved, timeout=30)
    # They play there: every bot says its word in the consultations.
    f = Client.for_token(cluster.servers[survivor].base, session, token)
    await f.start()
    try:
        await f.do(Start())
        await f.do(Advance())

        async def spoke() -> bool:
            floor = f.state.channels["floor"].messages
            return {m.team for m in floor if m.bot} == {"au", "eu", "sg"}

        deadline = time.monotonic() + 20
        while not await spoke():
            assert time.monotonic() < deadline, "the moved bots did not play"
            await asyncio.sleep(0.05)
    finally:
        await f.close()
    async with Rest(cluster.servers[survivor].base, token) as rest:
        log = await rest.log(session)
    for seat in seats:
        said = [e for e in by_seat(log).get(seat, []) if e["type"] == "message_posted"]
        assert len(said) == 1 and said[0]["actor"]["bot"] is True  # once: no bot ran twice


async def test_any_process_tells_the_facilitator_how_the_bots_are_doing(cluster):
    """The console's requests land on any process behind the proxy: the one that does not
    play the session's bots answers with their health as the player shares it (running,
    connected, the seq seen), marked `process: "another"`, never a bare "elsewhere"."""
    async with Rest(cluster.via.base) as rest:
        created = await rest.create("tutorial", "cluster bot health", seed=3)
    session, token = created["session"], created["facilitator_token"]
    async with Rest(cluster.servers[0].base, token) as rest:
        await rest.assign(session, "au.1", "linear bot", bot="linear")

    def placed() -> dict[int, set[str]] | None:
        where = hosted_where(cluster, session, token)
        return where if any(where.values()) else None

    holder = next(i for i, v in (await until(placed)).items() if v)
    other = 1 - holder

    def shared() -> dict[str, Any] | None:
        r = httpx.get(
            f"{cluster.servers[other].base}/api/sessions/{session}/bots",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert r.status_code == 200, r.text
        (bot,) = r.json()
        return bot if bot.get("process") == "another" else None

    bot = await until(shared)
    assert bot["seat"] == "au.1" and bot["strategy"] == "linear"
    assert bot["state"] == "running" and bot["connected"] is True and bot["running"] is False
    assert isinstance(bot["seq"], int) and bot["seq"] >= 1
