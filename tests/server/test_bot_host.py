"""Bots the server runs: a seat the facilitator gives to a strategy is played by the server
(through a loopback websocket with the seat's own bot token), on SQLite and PostgreSQL.

Bots-only games of every shipped scenario reach the debrief with no rejected command; a seat
handed to a bot mid-session and handed back is played by the bot (logged as a bot's) and then
by the person (logged as a person's), with the bot gone; hosted bots resume after kill -9 and
a restart; an unknown strategy is refused over REST and over the websocket."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from clients.bots import names
from clients.client import Client
from clients.rest import Rest, RestError
from game.commands import Advance, AssignSeat, Say, Start
from tests.clients.botgame import by_seat, concluded, facilitate, line_up, timeouts
from tests.game.scenarios import shipped
from tests.server.harness import Server
from tests.server.play import seat_up

pytestmark = pytest.mark.postgres
SHIPPED = sorted(shipped())


async def bots_of(server: Server, session: str, token: str) -> list[dict[str, Any]]:
    async with server.http(token) as h:
        r = await h.get(f"/api/sessions/{session}/bots")
        assert r.status_code == 200, r.text
        return r.json()


async def wait_for(predicate, timeout: float = 20, every: float = 0.05) -> Any:
    """Poll an async predicate until it gives something true."""
    deadline = time.monotonic() + timeout
    while True:
        found = await predicate()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(every)


async def give_teams_to_bots(
    server: Server, created: dict[str, Any], offset: int = 0
) -> dict[str, str]:
    """The first seat of every team to a strategy (rotating): seat -> strategy."""
    firsts: dict[str, str] = {}
    for link in created["join_links"]:
        firsts.setdefault(link["team"], link["seat"])
    strategies = line_up(list(firsts), offset)
    given = {}
    async with Rest(server.base, created["facilitator_token"]) as rest:
        for team, seat in firsts.items():
            await rest.assign(created["session"], seat, f"{strategies[team]} bot", strategies[team])
            given[seat] = strategies[team]
    return given


def idle_at(server: Server, created: dict[str, Any], f: Client, seats: dict[str, str]):
    async def idle() -> bool:
        bots = await bots_of(server, created["session"], created["facilitator_token"])
        return len(bots) == len(seats) and all(
            b["running"] and b["idle"] and b["seq"] == f.seq for b in bots
        )

    return idle


@pytest.mark.parametrize("scenario", SHIPPED)
async def test_hosted_bots_play_a_shipped_scenario_to_the_debrief(server, scenario):
    """Every team's seat given to a strategy over REST: the server plays them all; the
    facilitator starts and advances only when every hosted bot is idle. The session completes
    with no rejected command, no turn run out, every seat command logged as a bot's, and
    each hosted bot stopped with `concluded`."""
    created = await server.create(scenario, title="hosted", seed=11)
    session, token = created["session"], created["facilitator_token"]
    seats = await give_teams_to_bots(server, created, SHIPPED.index(scenario))
    f = Client.for_token(server.base, session, token)
    await f.start()
    try:
        # Each bot connects on its own: the console sees its seat connected.
        async def connected() -> bool:
            presence = (await server.summary(session, token))["presence"]["seats"]
            return all(presence[seat] == 1 for seat in seats)

        await wait_for(connected)
        await facilitate(f, idle_at(server, created, f, seats))
    finally:
        await f.close()
    bots = await wait_for(lambda: _all_ended(server, session, token))
    assert {b["seat"]: b["ended"] for b in bots} == dict.fromkeys(seats, "concluded")
    assert {b["seat"]: b["rejected"] for b in bots} == dict.fromkeys(seats, 0)
    assert all(b["errors"] == 0 and b["accepted"] == b["sent"] > 0 for b in bots)
    async with Rest(server.base, token) as rest:
        log = await rest.log(session)
    assert concluded(log)["reason"] == "completed"
    assert timeouts(log) == []
    acted = by_seat(log)
    assert set(acted) == set(seats)
    for events in acted.values():
        assert all(e["actor"]["bot"] for e in events)


async def _all_ended(server: Server, session: str, token: str) -> list[dict[str, Any]] | None:
    bots = await bots_of(server, session, token)
    return bots if all(not b["running"] and b.get("ended") for b in bots) else None


async def test_a_seat_handed_to_a_bot_mid_session_and_handed_back(server):
    """Players in consultations; the facilitator gives au.1 to a bot: the player's socket is
    closed (4003), the server's bot takes the seat (connected, its word on the floor logged as
    a bot's). Then the facilitator gives the seat back to the person: the bot stops and never
    comes back; the person's next command is accepted and logged as a person's."""
    table = await seat_up(server, "tutorial")
    session, token = table.session, table.fac_token
    f, au = table.f, table.seats["au"]
    await f.ok({"type": "start"})
    await f.ok({"type": "advance"})  # consultations
    await au.ok({"type": "say", "channel": "floor", "text": "the person, before"})

    async with Rest(server.base, token) as rest:
        await rest.assign(session, "au.1", "Bot AU", bot="linear")
        with pytest.raises(ConnectionClosed) as closed:
            await au.until(lambda m: False)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4003

        async def bot_spoke() -> list[dict[str, Any]]:
            log = await rest.log(session)
            return [
                e
                for e in by_seat(log).get("au.1", [])
                if e["type"] == "message_posted" and e["actor"]["bot"]
            ]

        spoken = await wait_for(bot_spoke)
        hosted = (await bots_of(server, session, token))[0]
        assert hosted["seat"] == "au.1" and hosted["running"] and hosted["connected"]
        assert (await table.summary())["presence"]["seats"]["au.1"] == 1

        taken = await rest.assign(session, "au.1", "Amina")
        handed_back = max(taken["seqs"])

        async def bot_gone() -> bool:
            bots = await bots_of(server, session, token)
            return bots == []  # the seat is nobody's bot any more

        await wait_for(bot_gone)
        person = Client.for_seat(await rest.join(session, taken["code"]))
        await person.start()
        try:
            reply = await person.do(Say(channel="floor", text="the person, after"))
            await asyncio.sleep(1.5)  # three passes of the host: it starts nothing on au.1
            presence = (await table.summary())["presence"]["seats"]
            assert presence["au.1"] == 1  # the person alone
        finally:
            await person.close()
        log = await rest.log(session)
    await table.close()

    au_events = by_seat(log)["au.1"]
    said = {e["text"]: e["actor"] for e in au_events if e["type"] == "message_posted"}
    assert said["the person, before"]["bot"] is False
    assert said["the person, after"]["bot"] is False
    assert spoken[0]["actor"]["bot"] is True
    assert reply.seqs and min(reply.seqs) > handed_back
    # Nothing of the bot's after the seat went back.
    assert [e["seq"] for e in au_events if e["actor"]["bot"] and e["seq"] > handed_back] == []
    seated = [
        (e["name"], e.get("bot"))
        for e in (line["event"] for line in log)
        if e["type"] == "seat_assigned" and e["seat"] == "au.1"
    ]
    assert seated[-2:] == [("Bot AU", "linear"), ("Amina", None)]


async def test_freeing_a_bots_seat_stops_the_bot(server):
    created = await server.create("tutorial", title="free")
    session, token = created["session"], created["facilitator_token"]
    async with Rest(server.base, token) as rest:
        await rest.assign(session, "eu.1", "Bot EU", bot="chair")

        async def present() -> bool:
            return (await server.summary(session, token))["presence"]["seats"]["eu.1"] == 1

        await wait_for(present)
        await rest.free(session, "eu.1")

        async def absent() -> bool:
            return (await server.summary(session, token))["presence"]["seats"]["eu.1"] == 0

        await wait_for(absent)
        await asyncio.sleep(1.5)
        assert not await present()
        assert await bots_of(server, session, token) == []


async def test_hosted_bots_resume_after_kill_9_and_restart(server):
    """Bots hold every team's seat; mid-game the server is killed (-9) and started again: the
    bots come back by themselves (the seats' assignments are in the log; each gets a fresh
    token), connected, and play the session to its end, logged as bots, with no rejection."""
    created = await server.create("tutorial", title="restart", seed=4)
    session, token = created["session"], created["facilitator_token"]
    seats = await give_teams_to_bots(server, created)
    f = Client.for_token(server.base, session, token, min_backoff=0.05)
    await f.start()
    await f.do(Start())
    await f.do(Advance())  # consultations: every bot says a word on the floor

    async def spoke() -> bool:
        floor = f.state.channels["floor"].messages
        return {m.team for m in floor if m.bot} == {s.split(".")[0] for s in seats}

    await wait_for(spoke)
    before = f.seq
    await f.close()
    tokens_before = await _seat_tokens(server, session)

    server.kill()
    server.start()

    async def back() -> list[dict[str, Any]] | None:
        bots = await bots_of(server, session, token)
        ok = len(bots) == len(seats) and all(b["running"] and b["connected"] for b in bots)
        return bots if ok else None

    await wait_for(back, timeout=30)
    assert (await server.summary(session, token))["presence"]["seats"] == {
        seat: 1 if seat in seats else 0 for seat in (j["seat"] for j in created["join_links"])
    }
    # A fresh seat token per bot: the old ones died with the process's memory.
    assert await _seat_tokens(server, session) == tokens_before + len(seats)

    f = Client.for_token(server.base, session, token)
    await f.start()
    try:
        await facilitate_from(f, idle_at(server, created, f, seats))
    finally:
        await f.close()
    bots = await wait_for(lambda: _all_ended(server, session, token))
    assert {b["seat"]: (b["ended"], b["rejected"]) for b in bots} == dict.fromkeys(
        seats, ("concluded", 0)
    )
    async with Rest(server.base, token) as rest:
        log = await rest.log(session)
    after = [e for s in seats for e in by_seat(log).get(s, []) if e["seq"] > before]
    assert after and all(e["actor"]["bot"] for e in after)
    assert {e["type"] for e in after} >= {"proposal_tabled", "ballot_cast"}
    assert concluded(log)["reason"] == "completed"


async def facilitate_from(f: Client, idle) -> None:
    """`facilitate` for a session already running: advance when idle until it concludes."""
    deadline = time.monotonic() + 120
    while f.state.status != "concluded":
        assert time.monotonic() < deadline
        if await idle():
            await f.do(Advance())
        else:
            await asyncio.sleep(0.02)


async def _seat_tokens(server: Server, session: str) -> int:
    """How many seat tokens the store holds for the session (read from its tables)."""
    from sqlalchemy import create_engine, func, select

    from server.store import tables as t

    url = server.database_url or f"sqlite:///{server.folder / 'data' / 'chapter8.db'}"
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            stmt = select(func.count()).where(
                t.credentials.c.session_id == session, t.credentials.c.kind == "seat"
            )
            return int(c.execute(stmt).scalar() or 0)
    finally:
        engine.dispose()


async def test_strategies_are_listed_and_an_unknown_one_is_refused(server):
    """`GET /api/strategies` lists every registered strategy and `external`; a seat given to
    any other name is refused over REST (422 `bad_command`, naming the known ones) and over the
    websocket (`rejected`, `bad_command`), and the seat stays as it was. A seat given to
    `external` is a bot's that the server does not play."""
    async with server.http() as h:
        listed = (await h.get("/api/strategies")).json()
    assert [s["name"] for s in listed] == [*names(), "external"]
    assert all(s["summary"] for s in listed)
    assert [s["name"] for s in listed if not s["hosted"]] == ["external"]

    table = await seat_up(server, "tutorial")
    session, token = table.session, table.fac_token
    async with Rest(server.base, token) as rest:
        with pytest.raises(RestError) as refused:
            await rest.assign(session, "eu.1", "Bot", bot="cooperative")
        assert refused.value.status == 422 and refused.value.code == "bad_command"
        assert "unknown bot strategy 'cooperative'" in refused.value.reason
        for name in [*names(), "external"]:
            assert name in refused.value.reason
    reply = await table.f.do(AssignSeat(seat="eu.1", name="Bot", bot="cooperative").model_dump())
    assert reply["type"] == "rejected" and reply["code"] == "bad_command"
    assert "cooperative" in reply["reason"] and "boulware" in reply["reason"]
    eu = next(s for s in (await table.summary())["seats"] if s["id"] == "eu.1")
    assert (eu["name"], eu["bot"]) == ("Player eu.1", None)

    await table.f.ok(AssignSeat(seat="eu.1", name="Their bot", bot="external").model_dump())
    await asyncio.sleep(1.2)
    assert await bots_of(server, session, token) == [
        {
            "seat": "eu.1",
            "strategy": "external",
            "running": False,
            "state": "external",
            "reason": "played by a program elsewhere (external)",
        }
    ]
    assert (await table.summary())["presence"]["seats"]["eu.1"] == 0
    await table.close()


async def test_only_the_facilitator_reads_the_bots(server):
    table = await seat_up(server, "tutorial", connect=False)
    async with server.http(table.tokens["au.1"]) as h:
        r = await h.get(f"/api/sessions/{table.session}/bots")
    assert r.status_code == 403
    async with server.http() as h:
        assert (await h.get(f"/api/sessions/{table.session}/bots")).status_code == 401
