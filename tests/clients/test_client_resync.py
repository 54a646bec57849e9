"""The client library against a real server: it keeps its view through a dropped socket, a
lost message and a server restart, with no event lost or repeated, and a command resent after
a reconnect is applied once."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from clients.client import Client
from clients.rest import Rest, join_link
from game.commands import Advance, Announce, Say, Start
from game.events import Ev
from game.protocol import Accepted
from tests.server.conftest import write_scenarios
from tests.server.harness import Server


def start_server(tmp: Path) -> Server:
    server = Server(tmp, write_scenarios(tmp / "scenarios"), None, {})
    server.start()
    return server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("client"))
    try:
        yield server
    finally:
        server.stop()


async def table(server: Server) -> tuple[dict, Client, dict[str, Client]]:
    """A running tutorial session in its consultations: the facilitator and one client per
    seat, each joined through its join link."""
    async with Rest(server.base) as rest:
        created = await rest.create("tutorial", "client test", seed=11)
    f = Client.for_token(server.base, created["session"], created["facilitator_token"])
    await f.start()
    seats = {}
    for link in created["join_links"]:
        seat = await join_link(link["link"], name=f"Player {link['seat']}")
        seats[link["seat"]] = Client.for_seat(seat, min_backoff=0.02)
        await seats[link["seat"]].start()
    await f.do(Start())
    await f.do(Advance())  # briefing -> consultations
    return created, f, seats


async def fresh_view(server: Server, session: str, token: str) -> Client:
    client = Client.for_token(server.base, session, token)
    await client.start()
    return client


async def record(client: Client, into: list[Ev]) -> None:
    async for update in client.events():
        if not hasattr(update, "view"):
            into.append(update)  # type: ignore[arg-type]


async def settle(clients: list[Client], f: Client) -> None:
    """Every client holds the facilitator's seq."""
    for client in clients:
        await client.until(lambda c: c.seq >= f.seq, timeout=20)


async def test_view_survives_dropped_sockets_with_no_event_lost_or_repeated(server):
    created, f, seats = await table(server)
    au = seats["au.1"]
    seen: list[Ev] = []
    recorder = asyncio.create_task(record(au, seen))
    first_seq = au.seq
    talkers = [seats["sg.1"], seats["eu.1"], seats["au.2"]]
    for n in range(30):
        speaker = talkers[n % 3]
        await speaker.send(Say(channel="floor", text=f"point {n}"), wait_events=False)
        await speaker.send(Say(channel="team", text=f"aside {n}"), wait_events=False)
        if n % 7 == 3:
            await au.until(lambda c: c.connected)
            await au.drop()  # the network fails under it, mid-stream
    await au.send(Say(channel="team", text="back"))
    await settle(list(seats.values()), f)
    recorder.cancel()

    assert au.stats.connects == 5
    seqs = [e.seq for e in seen]
    assert seqs == sorted(set(seqs)), "an event repeated or out of order"
    # Exactly what the AU may see of the log since it connected: every floor message, its
    # own team's, and nothing of the other teams' channels.
    async with Rest(server.base, created["facilitator_token"]) as rest:
        log = [line["event"] for line in await rest.log(created["session"])]
    visible = [
        e["seq"]
        for e in log
        if e["seq"] > first_seq
        and not (
            e["type"] == "message_posted" and e["channel"] not in ("floor",) and e["team"] != "au"
        )
    ]
    assert seqs == visible
    fresh = await fresh_view(server, created["session"], au.token)
    assert au.comparable() == fresh.comparable()
    assert au.view.seq == fresh.view.seq == f.seq
    for client in [fresh, f, *seats.values()]:
        await client.close()


async def test_a_lost_events_message_is_noticed_and_mended_with_sync(server):
    created, f, seats = await table(server)
    eu = seats["eu.1"]
    original = eu._on_message
    dropped = []

    def lossy(message):  # lose the first `events` message after this point
        if message.get("type") == "events" and not dropped:
            dropped.append(message["first"])
            return False
        return original(message)

    eu._on_message = lossy  # type: ignore[method-assign]
    await seats["sg.1"].do(Say(channel="floor", text="one"))
    await seats["sg.1"].do(Say(channel="floor", text="two"))
    await settle([eu], f)
    assert dropped and eu.stats.gaps >= 1
    messages = [m.text for m in eu.state.channels["floor"].messages]
    assert messages[-2:] == ["one", "two"]
    fresh = await fresh_view(server, created["session"], eu.token)
    assert eu.comparable() == fresh.comparable()
    for client in [fresh, f, *seats.values()]:
        await client.close()


async def test_a_command_resent_after_reconnect_is_applied_once(server):
    created, f, seats = await table(server)
    sg = seats["sg.1"]
    before = f.seq
    # The server applies the command and answers, but the answer never reaches the client:
    # it stops reading, and its socket dies with the reply unread in the kernel's buffer.
    sg._ws.transport.pause_reading()  # type: ignore[union-attr]
    reply = sg.submit(Say(channel="floor", text="only once"), id="once-1")
    await f.until(lambda c: c.seq > before, timeout=10)
    assert not reply.done()
    await sg.drop()
    answer = await asyncio.wait_for(reply, 20)
    assert isinstance(answer, Accepted)
    assert sg.stats.resent == 1
    await settle([sg], f)
    async with Rest(server.base, created["facilitator_token"]) as rest:
        log = [line["event"] for line in await rest.log(created["session"])]
    said = [e for e in log if e["type"] == "message_posted" and e["text"] == "only once"]
    assert len(said) == 1 and answer.seqs == [said[0]["seq"]]
    assert [m.text for m in sg.state.channels["floor"].messages].count("only once") == 1
    for client in [f, *seats.values()]:
        await client.close()


async def test_the_client_rides_out_a_server_restart(tmp_path):
    server = start_server(tmp_path)
    try:
        created, f, seats = await table(server)
        au = seats["au.1"]
        await seats["sg.1"].do(Say(channel="floor", text="before"))
        await settle([au], f)
        os.kill(server.process.pid, signal.SIGKILL)  # type: ignore[union-attr]
        server.process.wait(10)  # type: ignore[union-attr]
        # Commands issued while the server is down wait and go out on the next connection.
        waiting = f.submit(Announce(text="after the restart"))
        await asyncio.sleep(0.3)
        server.start()
        assert isinstance(await asyncio.wait_for(waiting, 30), Accepted)
        await seats["eu.1"].do(Say(channel="floor", text="after"), timeout=30)
        await settle(list(seats.values()), f)
        floor = [m.text for m in au.state.channels["floor"].messages]
        assert floor[-2:] == ["before", "after"]
        assert au.state.feed[-1].text == "after the restart"
        fresh = await fresh_view(server, created["session"], au.token)
        assert au.comparable() == fresh.comparable()
        for client in [fresh, f, *seats.values()]:
            await client.close()
    finally:
        server.stop()
