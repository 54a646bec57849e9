"""Clocks fire once across the cluster, and move when their holder dies; a process that hears
no notices at all still follows the session, by its poll of the store."""

from __future__ import annotations

import time
from typing import Any

import orjson

from tests.cluster.harness import Cluster, connect, wait_for
from tests.cluster.party import gather


def ended(client: Any, phase: str) -> bool:
    return any(e["type"] == "phase_ended" and e["phase"] == phase for e in client.events)


async def test_a_clock_fires_once_and_moves_when_its_holder_dies(cluster: Cluster):
    party = await gather(cluster.via, "brisk", devices=2)
    held = [cluster.metric(i, "chapter8_clocks_held") for i in range(3)]
    assert sorted(held) == [0, 0, 1], held
    holder = held.index(1)
    # Every process has the session loaded (its players are spread): each has an alarm.
    assert all(cluster.metric(i, "chapter8_sessions_live") == 1 for i in range(3))

    witness = await connect(cluster.direct((holder + 1) % 3), party.session, party.fac_token)
    await party.f.ok({"type": "start"})  # briefing: 4 s, then consultations: 4 s
    while not ended(witness, "briefing"):
        await witness.recv(10)
    cluster.servers[holder].kill()
    killed = time.monotonic()
    # The consultations' deadline falls 4 s after they opened: a survivor takes the lease
    # (its holder's connection to PostgreSQL died with it) and fires it.
    while not ended(witness, "consult"):
        await witness.recv(15)
    assert time.monotonic() - killed < 10
    survivors = cluster.alive()
    await wait_for(lambda: sum(cluster.metric(i, "chapter8_clocks_held") for i in survivors) == 1)

    async with cluster.direct(survivors[0]).http(party.fac_token) as h:
        text = (await h.get(f"/api/sessions/{party.session}/log")).text
    log = [orjson.loads(line)["event"] for line in text.splitlines()]
    endings = [(e["phase"], e["reason"]) for e in log if e["type"] == "phase_ended"]
    assert endings[:2] == [("briefing", "deadline"), ("consult", "deadline")]
    assert len([e for e in endings if e[0] in ("briefing", "consult")]) == 2
    started = {e["phase"]: e for e in log if e["type"] == "phase_started"}
    consult_end = next(e for e in log if e["type"] == "phase_ended" and e["phase"] == "consult")
    due = started["consult"]["at"] + started["consult"]["duration_ms"]
    assert due <= consult_end["at"] < due + 5000
    await witness.close()


async def test_a_process_without_redis_follows_by_polling(make_cluster):
    # Process 1 has no Redis at all: it learns of process 0's commits only from its poll.
    cluster = make_cluster(
        2,
        env={"CHAPTER8_CATCHUP_S": "0.5"},
        only={1: {"REDIS_URL": ""}},
    )
    party = await gather(cluster.via, devices=1, connect_all=False)
    party.facilitator = await connect(cluster.direct(0), party.session, party.fac_token)
    deaf = await connect(cluster.direct(1), party.session, party.tokens["eu.1"][0])
    loud = await connect(cluster.direct(0), party.session, party.tokens["sg.1"][0])
    await party.f.ok({"type": "start"})
    await party.f.ok({"type": "advance"})
    for i in range(3):
        done = await loud.ok({"type": "say", "channel": "floor", "text": f"heard {i}"})
        began = time.monotonic()
        await deaf.caught_up(max(done["seqs"]), timeout=5)
        assert time.monotonic() - began < 3
    # And the other way: process 0 hears process 1's commit by its own poll too (process 1
    # publishes no notice).
    done = await deaf.ok({"type": "say", "channel": "floor", "text": "from the deaf one"})
    await loud.caught_up(max(done["seqs"]), timeout=5)
    assert not deaf.gaps and not loud.gaps
    assert [e.get("text") for e in deaf.events if e["type"] == "message_posted"] == [
        e.get("text") for e in loud.events if e["type"] == "message_posted"
    ]
    for client in (deaf, loud, party.f):
        await client.close()


async def test_a_process_stops_following_a_session_nobody_uses_there(make_cluster):
    cluster = make_cluster(2, env={"CHAPTER8_IDLE_S": "1", "CHAPTER8_CATCHUP_S": "0.5"})
    party = await gather(cluster.direct(0), devices=1, connect_all=False)
    player = await connect(cluster.direct(0), party.session, party.tokens["sg.1"][0])
    # Process 1 loads the session for one look, then nobody uses it there.
    assert (await party.summary(cluster.direct(1)))["id"] == party.session
    assert cluster.metric(1, "chapter8_sessions_live") == 1
    assert cluster.metric(0, "chapter8_clocks_held") == 1  # the creator fires the clock
    await wait_for(lambda: cluster.metric(1, "chapter8_sessions_live") == 0, timeout=10)
    # Process 0 keeps it (a connection, and the clock); process 1 serves it again on demand.
    assert cluster.metric(0, "chapter8_sessions_live") == 1
    again = await connect(cluster.direct(1), party.session, party.tokens["eu.1"][0])
    await player.ok({"type": "say", "channel": "team", "text": "still here"})
    facilitator = await connect(cluster.direct(1), party.session, party.fac_token)
    await facilitator.ok({"type": "start"})
    await player.caught_up(await party.seq())
    assert not player.gaps and not again.gaps
    for client in (player, again, facilitator):
        await client.close()


async def test_a_clock_moves_to_the_process_where_the_players_are(make_cluster):
    cluster = make_cluster(2, env={"CHAPTER8_IDLE_S": "1", "CHAPTER8_CATCHUP_S": "0.5"})
    party = await gather(cluster.direct(0), "brisk", devices=1, connect_all=False)
    assert cluster.metric(0, "chapter8_clocks_held") == 1  # the creator
    # Everyone plays on process 1: process 0 hands the clock over and lets the session go.
    party.facilitator = await connect(cluster.direct(1), party.session, party.fac_token)
    player = await connect(cluster.direct(1), party.session, party.tokens["au.1"][0])
    await wait_for(lambda: cluster.metric(1, "chapter8_clocks_held") == 1, timeout=15)
    assert cluster.metric(0, "chapter8_clocks_held") == 0
    assert cluster.metric(0, "chapter8_sessions_live") == 0
    # The clock fires, from process 1.
    await party.f.ok({"type": "start"})
    while not ended(player, "briefing"):
        await player.recv(10)
    assert cluster.metric(0, "chapter8_sessions_live") == 0
    for client in (player, party.f):
        await client.close()
