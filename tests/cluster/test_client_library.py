"""The Python client library (clients/client.py) through the cluster: its players keep talking
while the processes behind the proxy are killed and restarted one after another, and each
ends holding the same view as a fresh connection, every command applied once."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from clients.client import Client
from game.commands import Advance, Say, Start
from game.protocol import Accepted
from tests.cluster.harness import Cluster
from tests.cluster.party import gather

SAYS = 12


async def test_library_players_ride_out_processes_killed_and_restarted(cluster: Cluster):
    party = await gather(cluster.via, devices=2, connect_all=False)
    base = cluster.proxy.base

    def client(token: str) -> Client:
        return Client.for_token(base, party.session, token, max_backoff=0.5)

    facilitator = client(party.fac_token)
    players = [(seat, client(token)) for seat, tokens in party.tokens.items() for token in tokens]
    for c in [facilitator, *(c for _s, c in players)]:
        await c.start()
    await facilitator.do(Start())
    await facilitator.do(Advance())

    replies: dict[str, list[Any]] = {}

    async def talk(n: int, seat: str, c: Client) -> None:
        for i in range(SAYS):
            reply = await c.send(Say(channel="floor", text=f"{seat}/{n} line {i}"), timeout=60)
            replies.setdefault(f"{seat}/{n}", []).append(reply)
            await asyncio.sleep(0.05)

    async def havoc() -> None:
        # Each process in turn: killed (kill -9), then started again on its port.
        for i in range(3):
            await asyncio.sleep(0.4)
            server = cluster.servers[i]
            server.kill()
            await asyncio.sleep(0.3)
            await asyncio.to_thread(server.start)

    await asyncio.gather(havoc(), *(talk(n, s, c) for n, (s, c) in enumerate(players)))

    for answers in replies.values():
        assert len(answers) == SAYS and all(isinstance(r, Accepted) for r in answers), answers
    # Every replica went down and came back in turn: the proxy serves at once, whatever the
    # players' sockets are doing (nginx marks no replica unavailable, deploy/nginx/nginx.conf).
    async with cluster.via.http(party.fac_token) as h:
        answer = await h.get(f"/api/sessions/{party.session}/log")
    assert answer.status_code == 200, answer.text
    log = [orjson.loads(line) for line in answer.text.splitlines()]
    last = log[-1]["seq"]
    assert [e["seq"] for e in log] == list(range(1, last + 1))
    said = [e["event"]["text"] for e in log if e["event"]["type"] == "message_posted"]
    assert len(said) == len(set(said)) == SAYS * len(players)

    # Every device ends where the log ends, with the view a fresh connection would get.
    for c in [facilitator, *(c for _s, c in players)]:
        await c.until(lambda c: c.seq >= last, 30)
    for seat, c in players:
        fresh = client(party.tokens[seat][0])
        await fresh.start()
        await fresh.until(lambda f: f.seq >= last, 30)
        assert c.comparable() == fresh.comparable(), seat
        await fresh.close()
    for c in [facilitator, *(c for _s, c in players)]:
        assert not c.errors
        await c.close()
