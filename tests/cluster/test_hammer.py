"""Four processes hammering one session at once: the database's key decides every clash, and
the log comes out gapless, chained, with every accepted command in it exactly once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson

from tests.cluster.harness import connect
from tests.cluster.party import gather
from tests.server.harness import Client

PER_PLAYER = 40


async def hammer(client: Client, seat: str, n: int) -> dict[str, dict[str, Any]]:
    """Send every command at once, then answer each `unavailable` by sending the same id
    again; returns the final answer per text."""
    frames = {
        f"{seat}-{i}-{uuid.uuid4().hex[:4]}": {
            "type": "say",
            "channel": "floor",
            "text": f"{seat} hammer {i}",
        }
        for i in range(n)
    }
    for cid, command in frames.items():
        await client.send({"protocol": 1, "type": "command", "id": cid, "command": command})
    answers: dict[str, dict[str, Any]] = {}
    pending = set(frames)
    for _attempt in range(20):
        while pending - set(client.replies):
            await client.recv(30)
        again = [cid for cid in pending if client.replies[cid]["type"] != "accepted"]
        for cid in pending - set(again):
            answers[frames[cid]["text"]] = client.replies[cid]
        for cid in again:
            assert client.replies[cid]["code"] == "unavailable", client.replies[cid]
            del client.replies[cid]
            message = {"protocol": 1, "type": "command", "id": cid, "command": frames[cid]}
            await client.send(message)
        pending = set(again)
        if not pending:
            return answers
        await asyncio.sleep(0.05)
    raise AssertionError(f"{seat}: {len(pending)} commands never accepted")


async def test_four_processes_hammering_one_session(make_cluster):
    cluster = make_cluster(4)
    party = await gather(cluster.via, devices=1, connect_all=False)
    # The facilitator and one player on each process, straight to it.
    party.facilitator = await connect(cluster.direct(0), party.session, party.fac_token)
    seats = list(party.tokens)
    assert len(seats) == 4
    for i, seat in enumerate(seats):
        client = await connect(cluster.direct(i), party.session, party.tokens[seat][0])
        party.players.append((seat, client))
    await party.f.ok({"type": "start"})
    await party.f.ok({"type": "advance"})
    await party.settle()
    start_seq = await party.seq()

    results = await asyncio.gather(
        *(hammer(client, seat, PER_PLAYER) for seat, client in party.players)
    )
    last = await party.settle(timeout=30)
    clashes = sum(cluster.metric(i, "chapter8_clashes_total") for i in range(4))
    assert clashes > 0, "the processes never wrote at the same time: no test of a clash"

    async with cluster.via.http(party.fac_token) as h:
        text = (await h.get(f"/api/sessions/{party.session}/log")).text
    log = [orjson.loads(line) for line in text.splitlines()]
    # Gapless, and the chain whole (the CLI's replay checks every link and folds the log).
    assert [e["seq"] for e in log] == list(range(1, last + 1))
    exported = cluster.folder / "hammer.jsonl"
    exported.write_text(text)
    replayed = cluster.servers[0].cli("replay", str(exported))
    assert replayed.returncode == 0, replayed.stdout.decode() + replayed.stderr.decode()
    # No lost update: every command accepted, its event in the log once, where its answer says.
    said = {e["event"]["text"]: e["seq"] for e in log if e["event"]["type"] == "message_posted"}
    assert len(said) == 4 * PER_PLAYER == last - start_seq
    for answers in results:
        assert len(answers) == PER_PLAYER
        for text_, reply in answers.items():
            assert reply["type"] == "accepted" and said[text_] in reply["seqs"], (text_, reply)
    # Each player saw the same floor, in the log's order, and every process agrees.
    floor = [e["event"]["text"] for e in log if e["event"]["type"] == "message_posted"]
    for client in party.clients():
        assert not client.gaps
        seen = [e["text"] for e in client.events if e["type"] == "message_posted"]
        assert seen == floor
    summaries = [await party.summary(cluster.direct(i)) for i in range(4)]
    assert len({(s["seq"], s["state_hash"], s["head_hash"]) for s in summaries}) == 1
    await party.close()
