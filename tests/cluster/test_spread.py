"""Players of one session spread over three processes behind nginx see the same events in the
same order, and every process ends with the same state."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.cluster.harness import Cluster, connect
from tests.cluster.party import gather, team_of
from tests.server.harness import ROOT


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One cluster for this module's tests: they leave it as they found it."""
    made = Cluster(tmp_path_factory.mktemp("spread"), 3).start()
    try:
        yield made
    finally:
        made.close()


async def test_players_on_three_processes_see_the_same_log(cluster: Cluster):
    party = await gather(cluster.via, devices=2)
    # nginx shares the connections out: every process serves some of this session's players.
    spread = [cluster.metric(i, "chapter8_connections") for i in range(3)]
    assert sum(spread) == len(party.clients()) and all(n >= 1 for n in spread), spread

    await party.f.ok({"type": "start"})
    await party.f.ok({"type": "advance"})  # briefing -> consultations
    sg, eu = party.of("sg.1")[0], party.of("eu.1")[0]
    opened = await eu.ok({"type": "open_channel", "teams": ["sg"]})
    private = next(e for e in eu.events if e["seq"] == opened["seqs"][-1])["channel"]

    async def talk(n: int, seat: str, client) -> None:  # type: ignore[no-untyped-def]
        for i in range(4):
            channel = "team" if seat.startswith("au") and (n + i) % 2 else "floor"
            if client is sg and i % 2:
                channel = private
            await client.ok({"type": "say", "channel": channel, "text": f"{seat}/{n} says {i}"})

    async def chair() -> None:
        for i in range(4):
            await party.f.ok({"type": "announce", "text": f"note {i}"})

    # Every device talks while the others do, through whichever process it landed on.
    await asyncio.gather(
        chair(), *(talk(n, seat, client) for n, (seat, client) in enumerate(party.players))
    )
    last = await party.settle()

    for client in party.clients():
        assert not client.gaps, client.gaps
        assert client.event_seqs == sorted(set(client.event_seqs)), "an event came twice"
        assert client.seq == last
    # Devices of one team: the very same events, byte for byte, in the same order.
    teams: dict[str, list[list[dict]]] = {}
    for seat, client in party.players:
        teams.setdefault(team_of(seat), []).append(client.events)
    for team, seen in teams.items():
        assert all(events == seen[0] for events in seen), team
    # Everyone: the floor's messages in one order.
    floors = [
        [e["text"] for e in c.events if e["type"] == "message_posted" and e["channel"] == "floor"]
        for c in party.clients()
    ]
    assert floors[0] and all(f == floors[0] for f in floors)
    # And not a word of the private channel outside sg and eu.
    for seat, client in party.players:
        if team_of(seat) not in ("sg", "eu"):
            assert not any(e.get("channel") == private for e in client.events)

    # Each process folded the same log to the same state.
    summaries = [await party.summary(cluster.direct(i)) for i in range(3)]
    assert len({(s["seq"], s["state_hash"], s["head_hash"]) for s in summaries}) == 1
    assert summaries[0]["seq"] == last
    await party.close()


async def test_a_command_id_answered_on_one_process_is_answered_the_same_on_another(
    cluster: Cluster,
):
    party = await gather(cluster.via, devices=1, connect_all=False)
    token = party.tokens["eu.1"][0]
    here = await connect(cluster.direct(0), party.session, token)
    there = await connect(cluster.direct(1), party.session, token)
    facilitator = await connect(cluster.direct(2), party.session, party.fac_token)
    await facilitator.ok({"type": "start"})
    await facilitator.ok({"type": "advance"})
    frame = {"type": "say", "channel": "floor", "text": "said once"}
    first = await here.ok(frame, cid="once")
    seq = await party.seq()
    # The same id through another process: the first answer, and nothing applied again.
    assert await there.do(frame, cid="once") == first
    assert await party.seq() == seq
    # A rejection too: recorded by one process, repeated by the other.
    bad = {"type": "vote", "ballot": "b9", "choice": "yes"}
    refused = await there.do(bad, cid="refused")
    assert refused["type"] == "rejected"
    assert await here.do(bad, cid="refused") == refused
    # And the same id sent to two processes at once is applied once.
    race = {"type": "say", "channel": "floor", "text": "raced"}
    a, b = await asyncio.gather(here.do(race, cid="race"), there.do(race, cid="race"))
    assert a == b and a["type"] == "accepted"
    last = await party.seq()
    for client in (here, there, facilitator):
        await client.caught_up(last)
        texts = [e.get("text") for e in client.events]
        assert texts.count("said once") == 1 and texts.count("raced") == 1
    for client in (here, there, facilitator):
        await client.close()


async def test_a_seat_given_away_on_one_process_closes_its_sockets_on_the_others(
    cluster: Cluster,
):
    party = await gather(cluster.via, devices=1, connect_all=False)
    token = party.tokens["au.2"][0]
    sockets = [await connect(cluster.direct(i), party.session, token) for i in (1, 2)]
    facilitator = await connect(cluster.direct(0), party.session, party.fac_token)
    await facilitator.ok({"type": "assign_seat", "seat": "au.2", "name": "Someone else"})
    for client in sockets:
        with pytest.raises(ConnectionClosed) as closed:
            await client.until(lambda m: False, timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4003
    # The old token opens nothing any more, on any process.
    for i in range(3):
        with pytest.raises(InvalidStatus):
            await connect(cluster.direct(i), party.session, token)
    await facilitator.close()


async def test_the_facilitator_sees_the_players_of_every_process(cluster: Cluster):
    party = await gather(cluster.via, devices=1, connect_all=False)
    facilitator = await connect(cluster.direct(0), party.session, party.fac_token)
    seats = list(party.tokens)
    players = {
        seat: await connect(cluster.direct(i % 3), party.session, party.tokens[seat][0])
        for i, seat in enumerate(seats)
    }

    async def presence_until(predicate: Any) -> dict[str, Any]:
        while True:
            message = await facilitator.until(lambda m: m["type"] == "presence", timeout=10)
            if predicate(message):
                return message

    everyone = await presence_until(lambda m: all(m["seats"][s] == 1 for s in seats))
    assert everyone["facilitators"] == 1
    # The summary, from any process, counts them all too.
    for i in range(3):
        summary = await party.summary(cluster.direct(i))
        assert summary["presence"]["seats"] == {s: 1 for s in seats}, i
    # A player leaving another process shows at once.
    leaving = seats[2]  # on process 2
    await players[leaving].close()
    gone = await presence_until(lambda m: m["seats"][leaving] == 0)
    assert all(gone["seats"][s] == 1 for s in seats if s != leaving)
    for seat, client in players.items():
        if seat != leaving:
            await client.close()
    await facilitator.close()


async def test_the_proxy_serves_the_ui(cluster: Cluster):
    async with httpx.AsyncClient(base_url=cluster.proxy.base, timeout=10) as h:
        page = await h.get("/")  # a page: from a server process, with its headers
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        style = await h.get("/static/css/app.css")  # a static file: from nginx itself
        assert style.status_code == 200
        assert style.content == (ROOT / "static" / "css" / "app.css").read_bytes()
        assert style.headers["cache-control"] == "no-cache"
