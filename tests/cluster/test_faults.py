"""Faults under the cluster: a process killed, Redis restarted, PostgreSQL stopped. The log
keeps every promise: nothing lost, nothing repeated, nothing half-applied, one order."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed

from tests.cluster.harness import (
    Cluster,
    connect,
    pg_ctl,
    pg_start,
    redis_start,
    redis_stop,
    redis_up,
)
from tests.cluster.party import Party, gather, team_of
from tests.server.harness import Client


async def closed(client: Client, quiet: float = 0.3) -> bool:
    """Read what is waiting; True if the connection is gone."""
    try:
        await client.drain(quiet)
    except ConnectionClosed:
        return True
    return False


def check_log(party: Party, seen: dict[int, list[dict[str, Any]]]) -> None:
    """Every device: no gap, nothing twice; devices of one team saw the very same events."""
    teams: dict[str, list[list[dict[str, Any]]]] = {}
    for n, (seat, _client) in enumerate(party.players):
        events = seen[n]
        seqs = [e["seq"] for e in events]
        assert seqs == sorted(set(seqs)), f"{seat}: an event came twice or out of order"
        teams.setdefault(team_of(seat), []).append(events)
    for team, lists in teams.items():
        assert all(events == lists[0] for events in lists), team


async def full_log(cluster: Cluster, party: Party) -> list[dict[str, Any]]:
    import orjson

    async with cluster.via.http(party.fac_token) as h:
        r = await h.get(f"/api/sessions/{party.session}/log")
        assert r.status_code == 200, r.text
    return [orjson.loads(line) for line in r.text.splitlines()]


async def agree(cluster: Cluster, party: Party, among: list[int]) -> dict[str, Any]:
    """Every live process folds the log to the same state."""
    summaries = [await party.summary(cluster.direct(i)) for i in among]
    assert len({(s["seq"], s["state_hash"], s["head_hash"]) for s in summaries}) == 1, summaries
    return summaries[0]


async def test_kill_9_players_reconnect_elsewhere_and_lose_nothing(cluster: Cluster):
    party = await gather(cluster.via, "brisk", devices=2)
    holder = next(i for i in range(3) if cluster.metric(i, "chapter8_clocks_held") == 1)
    assert sum(cluster.metric(i, "chapter8_clocks_held") for i in range(3)) == 1
    victims = cluster.metric(holder, "chapter8_connections")
    assert victims >= 1

    started = await party.f.ok({"type": "start"})  # the briefing's clock: 4 s
    await party.settle()
    # Every device sends a command, and the process holding the clock dies under them.
    frames: dict[int, tuple[str, dict[str, Any]]] = {}
    for n, (seat, client) in enumerate(party.players):
        cid = f"k{n}-{uuid.uuid4().hex[:6]}"
        frames[n] = (cid, {"type": "say", "channel": "team", "text": f"{seat}/{n} in flight"})
        await client.send({"protocol": 1, "type": "command", "id": cid, "command": frames[n][1]})
    cluster.servers[holder].kill()
    killed_at = time.monotonic()

    chains: dict[int, list[Client]] = {}
    moved = 0
    for n, (seat, client) in enumerate(party.players):
        cid, command = frames[n]
        chains[n] = [client]
        try:
            if not await closed(client, 0.5):
                reply = client.replies.get(cid) or await client.until(
                    lambda m, c=cid: m.get("id") == c
                )
                assert reply["type"] == "accepted", reply
                continue
        except ConnectionClosed:
            pass  # its close came late: it moves too
        # Its connection went with the process: back through the proxy, from where it was.
        moved += 1
        back = await connect(cluster.via, party.session, client.token, since=client.seq)  # type: ignore[attr-defined]
        reply = await back.do(command, cid=cid)  # the same id: applied at most once
        assert reply["type"] == "accepted", reply
        chains[n].append(back)
        party.players[n] = (seat, back)
    if await closed(party.f, 0.3):
        moved += 1
        party.facilitator = await connect(
            cluster.via, party.session, party.fac_token, since=party.f.seq
        )
    assert moved == victims
    assert time.monotonic() - killed_at < 15

    # The briefing's deadline fires once, by a surviving process's clock.
    if not any(e["type"] == "phase_ended" for e in party.f.events):
        await party.f.until(
            lambda m: any(e["type"] == "phase_ended" for e in m.get("events", [])), timeout=20
        )
    last = await party.settle(timeout=20)
    log = await full_log(cluster, party)
    assert [e["seq"] for e in log] == list(range(1, last + 1))
    briefing = [e["event"] for e in log if e["event"]["type"] == "phase_ended"]
    assert [e["reason"] for e in briefing if e["phase"] == "briefing"] == ["deadline"]
    assert briefing[0]["actor"]["role"] == "system"
    due = log[started["seqs"][0] - 1]["event"]["at"] + 4000
    # On time, give or take the lease's move (a second) and a loaded machine.
    assert due <= briefing[0]["at"] < due + 5000
    for n, (seat, _client) in enumerate(party.players):
        text = f"{seat}/{n} in flight"
        assert sum(1 for e in log if e["event"].get("text") == text) == 1, text
    seen = {n: [e for c in clients for e in c.events] for n, clients in chains.items()}
    for clients in chains.values():
        assert all(not c.gaps for c in clients)
    check_log(party, seen)
    await agree(cluster, party, cluster.alive())
    await party.close()


async def test_redis_restarted_mid_session_fan_out_resumes(make_cluster):
    # The safety poll set far out: what brings the processes back together is the fan-out's
    # resubscription (and the clashes), not the poll.
    cluster = make_cluster(3, env={"CHAPTER8_CATCHUP_S": "300"})
    party = await gather(cluster.via, devices=2)
    await party.f.ok({"type": "start"})
    await party.f.ok({"type": "advance"})
    await party.settle()

    try:
        redis_stop()
        # The session goes on without Redis: each command is committed and answered, and its
        # own process hands its events to its own connections at once.
        for n, (seat, client) in enumerate(party.players):
            await client.ok({"type": "say", "channel": "floor", "text": f"{seat}/{n} no redis"})
        await party.f.ok({"type": "announce", "text": "while Redis was away"})
        await asyncio.sleep(0.5)
        assert not redis_up()
    finally:
        redis_start()
    # Back: every process resubscribes, looks at the store, and hands over what it missed.
    last = await party.settle(timeout=15)

    # Notices flow again: the next command reaches every device promptly.
    speaker = party.players[-1][1]
    done = await speaker.ok({"type": "say", "channel": "floor", "text": "after the restart"})
    for client in party.clients():
        await client.caught_up(max(done["seqs"]), timeout=5)
    assert max(done["seqs"]) == last + 1

    seen = {n: client.events for n, (_s, client) in enumerate(party.players)}
    check_log(party, seen)
    for client in party.clients():
        assert not client.gaps
    floors = [
        [e["text"] for e in c.events if e["type"] == "message_posted" and e["channel"] == "floor"]
        for c in party.clients()
    ]
    assert all(f == floors[0] for f in floors) and len(floors[0]) == len(party.players) + 1
    await agree(cluster, party, [0, 1, 2])
    await party.close()


async def test_postgres_stopped_commands_refused_then_the_session_resumes(cluster: Cluster):
    party = await gather(cluster.via, devices=1)
    await party.f.ok({"type": "start"})
    await party.f.ok({"type": "advance"})
    await party.settle()
    before = await agree(cluster, party, [0, 1, 2])
    held = {n: client.seq for n, (_s, client) in enumerate(party.players)}

    frames = {
        n: (
            f"pg-{n}",
            {"type": "say", "channel": "floor", "text": f"{seat} while the store is down"},
        )
        for n, (seat, _c) in enumerate(party.players)
    }
    try:
        pg_ctl("stop")
        for n, (_seat, client) in enumerate(party.players):
            cid, command = frames[n]
            reply = await client.do(command, cid=cid)
            assert reply["type"] == "rejected" and reply["code"] == "unavailable", reply
            assert reply["retry_ms"] and reply["retry_ms"] > 0
            assert "same id" in reply["reason"]
        await asyncio.sleep(1)
        # Nobody saw anything of the refused commands.
        for n, (_seat, client) in enumerate(party.players):
            await client.drain(0.2)
            assert client.seq == held[n]
    finally:
        pg_start()

    # Back: nothing of the refused commands was written...
    deadline = time.monotonic() + 30
    while True:
        try:
            after = await agree(cluster, party, [0, 1, 2])
            break
        except (AssertionError, httpx.HTTPError):
            assert time.monotonic() < deadline, "the processes did not come back"
            await asyncio.sleep(0.5)
    assert (after["seq"], after["head_hash"], after["state_hash"]) == (
        before["seq"],
        before["head_hash"],
        before["state_hash"],
    )
    # ...and the same ids, sent again as the answer said, are applied once.
    for n, (_seat, client) in enumerate(party.players):
        cid, command = frames[n]
        for _ in range(30):
            reply = await client.do(command, cid=cid)
            if reply["type"] == "accepted":
                break
            assert reply["code"] == "unavailable", reply
            await asyncio.sleep(reply["retry_ms"] / 1000)
        assert reply["type"] == "accepted", reply
        assert await client.do(command, cid=cid) == reply
    last = await party.settle()
    log = await full_log(cluster, party)
    assert [e["seq"] for e in log] == list(range(1, last + 1))
    for _cid, command in frames.values():
        assert sum(1 for e in log if e["event"].get("text") == command["text"]) == 1
    for client in party.clients():
        assert not client.gaps
    await agree(cluster, party, [0, 1, 2])
    await party.close()
