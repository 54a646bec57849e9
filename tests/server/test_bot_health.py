"""A hosted bot's health, for the facilitator (`GET /api/sessions/{id}/bots`) and for the
operator (`chapter8_bots` by state and `chapter8_bot_failures_total` at /metrics), on SQLite
and PostgreSQL.

A seat given to a strategy shows its bot `running`, connected, its `seq` following the log
and `acted_seq` once it moved; freed, the seat is no bot's (gone from the list) and its bot
counts as stopped. A bot whose connection the server refuses (a process told to reach itself
at a wrong address) shows `failed`, why in words (no traceback), and when it tries again; the
failure is counted. Only the session's facilitator reads the health: a seat's token, another
session's facilitator and a forged token are refused."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from clients.client import Client
from clients.rest import Rest
from game.commands import Advance, Announce, Start
from tests.server.conftest import write_scenarios
from tests.server.harness import Server, free_port
from tests.server.play import seat_up
from tests.server.test_bot_host import bots_of, wait_for

pytestmark = pytest.mark.postgres

STATES = ("connecting", "running", "failed", "stopped", "concluded")


async def metrics(server: Server) -> dict[tuple[str, str], float]:
    """/metrics as {(sample name, state label or ""): value}."""
    async with server.http() as h:
        r = await h.get("/metrics")
    assert r.status_code == 200
    return {
        (sample.name, sample.labels.get("state", "")): sample.value
        for family in text_string_to_metric_families(r.text)
        for sample in family.samples
    }


async def bot_counts(server: Server) -> dict[str, float]:
    found = await metrics(server)
    return {state: found[("chapter8_bots", state)] for state in STATES}


async def failures(server: Server) -> float:
    return (await metrics(server))[("chapter8_bot_failures_total", "")]


async def test_a_hosted_bots_health_from_seat_to_free(server):
    """A seat given to `linear`: its bot runs, connected; its seq follows the session's as the
    facilitator starts it, and once it said its word on the floor `acted_seq` names the seq its
    command made. The gauge counts it running. Freed, the seat is nobody's bot (it leaves the
    list), and the gauge moves it from running to stopped; no failure is counted."""
    created = await server.create("tutorial", title="health")
    session, token = created["session"], created["facilitator_token"]
    before = await bot_counts(server)
    failed_before = await failures(server)
    f = Client.for_token(server.base, session, token)
    await f.start()
    try:
        async with Rest(server.base, token) as rest:
            await rest.assign(session, "au.1", "Bot AU", bot="linear")

            async def running() -> dict[str, Any] | None:
                bots = await bots_of(server, session, token)
                up = len(bots) == 1 and bots[0]["state"] == "running" and bots[0]["connected"]
                return bots[0] if up else None

            bot = await wait_for(running)
            assert bot["seat"] == "au.1" and bot["strategy"] == "linear"
            assert bot["running"] is True and bot["reason"] is None
            assert bot["error"] is None and bot["failures"] == 0
            assert bot["acted_seq"] is None  # nothing to do in the lobby
            seen = bot["seq"]
            assert isinstance(seen, int) and seen <= f.seq
            counts = await bot_counts(server)
            assert counts["running"] == before["running"] + 1

            await f.do(Start())
            await f.do(Advance())  # consultations: the bot says a word on the floor

            async def acted() -> dict[str, Any] | None:
                bot = (await bots_of(server, session, token))[0]
                moved = bot["acted_seq"] is not None and bot["seq"] == f.seq
                return bot if moved else None

            bot = await wait_for(acted)
            assert bot["state"] == "running"
            assert seen < bot["acted_seq"] <= bot["seq"]
            floor = f.state.channels["floor"].messages
            assert any(m.team == "au" and m.bot for m in floor)
            # The facilitator moves the log on: the bot's seq follows.
            await f.do(Announce(text="five more minutes"))
            head = f.seq
            assert head > bot["seq"]

            async def caught_up() -> bool:
                return (await bots_of(server, session, token))[0]["seq"] == head

            await wait_for(caught_up)

            await rest.free(session, "au.1")

            async def gone() -> bool:
                return await bots_of(server, session, token) == []

            await wait_for(gone)
    finally:
        await f.close()

    async def stopped() -> dict[str, float] | None:
        counts = await bot_counts(server)
        return counts if counts["stopped"] == before["stopped"] + 1 else None

    counts = await wait_for(stopped)
    assert counts["running"] == before["running"]
    assert counts["failed"] == before["failed"]
    assert await failures(server) == failed_before


async def test_only_the_facilitator_reads_a_bots_health(server):
    """The health route answers the session's facilitator only: a seat's token of the very
    session 403, another session's facilitator 403, a forged token 401, none 401."""
    table = await seat_up(server, "tutorial", connect=False)
    other = await server.create("tutorial", title="another")
    async with Rest(server.base, table.fac_token) as rest:
        await rest.assign(table.session, "eu.1", "Bot EU", bot="chair")
    path = f"/api/sessions/{table.session}/bots"
    for token, status in (
        (table.tokens["au.1"], 403),
        (other["facilitator_token"], 403),
        ("forged-" + table.fac_token[::-1], 401),
        (None, 401),
    ):
        async with server.http(token) as h:
            r = await h.get(path)
        assert r.status_code == status, (token, r.text)
        assert "chair" not in r.text and "eu.1" not in r.text
    assert [b["seat"] for b in await bots_of(server, table.session, table.fac_token)] == ["eu.1"]


@pytest.fixture(scope="module")
def misdirected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server told that it reaches itself at a path where no websocket is served: every
    bot it starts is refused at the upgrade (HTTP 403)."""
    tmp = tmp_path_factory.mktemp("misdirected")
    yield from bots_sent_to(tmp, lambda srv: f"{srv.base}/nowhere")


async def test_a_failing_bot_says_why_and_is_counted(misdirected):
    """The bot's connection is refused: the seat's bot shows `failed`, the reason in words
    (the refusal and its HTTP status, nothing like a traceback), the failures so far and when
    it tries again; the gauge counts it failed and the failures counter moves. Freed, it is
    stopped, not failed, and never starts again."""
    server = misdirected
    created = await server.create("tutorial", title="misdirected")
    session, token = created["session"], created["facilitator_token"]
    async with Rest(server.base, token) as rest:
        await rest.assign(session, "sg.1", "Bot SG", bot="conceder")

        async def failed() -> dict[str, Any] | None:
            bots = await bots_of(server, session, token)
            return bots[0] if bots and bots[0]["state"] == "failed" else None

        bot = await wait_for(failed)
        assert bot["seat"] == "sg.1" and bot["strategy"] == "conceder"
        assert bot["running"] is False and bot["connected"] is False
        assert bot["reason"] == "the server refused its connection (HTTP 403)"
        assert bot["error"] == bot["reason"]
        assert bot["failures"] >= 1
        assert 0 <= bot["retry_in_s"] <= 30
        text = str(bot)
        assert "Traceback" not in text and token not in text

        async def counted_failed() -> bool:
            return (await bot_counts(server))["failed"] == 1

        await wait_for(counted_failed)
        assert await failures(server) >= 1

        await rest.free(session, "sg.1")
        assert await bots_of(server, session, token) == []

        async def stopped() -> dict[str, float] | None:
            counts = await bot_counts(server)
            return counts if counts["failed"] == 0 and counts["stopped"] == 1 else None

        await wait_for(stopped)
        counted = await failures(server)
        await asyncio.sleep(2.5)  # past its next start: it does not try again
        assert await failures(server) == counted
        assert (await bot_counts(server))["connecting"] == 0


@pytest.fixture(scope="module")
def unreachable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server told that it reaches itself at a port where nothing listens: every bot it
    starts keeps trying to connect."""
    port = free_port()
    yield from bots_sent_to(
        tmp_path_factory.mktemp("unreachable"), lambda _: f"http://127.0.0.1:{port}"
    )


def bots_sent_to(tmp: Path, url: Callable[[Server], str]) -> Iterator[Server]:
    """A SQLite server of its own whose bots connect to `url(server)` instead of itself."""
    srv = Server(tmp, write_scenarios(tmp / "scenarios"), None, {})
    srv.env["CHAPTER8_BOT_URL"] = url(srv)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


async def test_a_bot_that_cannot_reach_the_server_says_so(unreachable):
    """Nothing answers where the bot connects: it stays `connecting` (it retries, as a player's
    browser would), and the reason says how many attempts failed and why, in words."""
    server = unreachable
    created = await server.create("tutorial", title="unreachable")
    session, token = created["session"], created["facilitator_token"]
    async with Rest(server.base, token) as rest:
        await rest.assign(session, "sg.1", "Bot SG", bot="linear")

        async def retried() -> dict[str, Any] | None:
            bots = await bots_of(server, session, token)
            tried = re.match(
                r"connecting to the server: (\d+) attempts failed, the latest: ",
                (bots[0]["reason"] or "") if bots else "",
            )
            return bots[0] if tried and int(tried.group(1)) >= 2 else None

        bot = await wait_for(retried)
        assert bot["state"] == "connecting" and bot["connected"] is False
        assert "could not reach the server" in bot["reason"]
        assert "Traceback" not in str(bot) and token not in str(bot)
