"""kill -9 mid-session: the session goes on from its log, same state, clocks included."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.server.harness import Client
from tests.server.play import seat_up, sync_all

pytestmark = pytest.mark.postgres


async def test_kill_restart_same_state_and_clocks(server):
    table = await seat_up(server, "quick")
    au = table.seats["au"]
    await au.ok({"type": "say", "channel": "floor", "text": "before the crash"}, cid="pre-crash")
    started = await table.f.ok({"type": "start"})
    started_at = time.monotonic()
    await sync_all(table)
    before = await table.summary()
    assert before["phase"] == "briefing" and before["next_deadline"] is not None
    au_seq = au.seq
    await table.close()

    server.kill()
    server.start()

    after = await table.summary()
    assert time.monotonic() - started_at < 5.5, "the restart took too long for this test"
    assert (after["seq"], after["state_hash"], after["head_hash"]) == (
        before["seq"],
        before["state_hash"],
        before["head_hash"],
    )
    assert after["next_deadline"] == before["next_deadline"]

    # The briefing's deadline (6 s) still fires, once, by the restarted server's clock.
    au = await Client.open(server, table.session, table.tokens["au.1"], since=au_seq)
    ended = await au.until(
        lambda m: m["type"] == "events" and any(e["type"] == "phase_ended" for e in m["events"]),
        timeout=15,
    )
    event = next(e for e in ended["events"] if e["type"] == "phase_ended")
    assert event["reason"] == "deadline" and event["actor"]["role"] == "system"
    assert event["at"] >= before["next_deadline"]
    assert (await table.summary())["phase"] == "consult"

    # The session goes on; a command id answered before the crash keeps its answer.
    frame = {"type": "say", "channel": "floor", "text": "before the crash"}
    replayed = await au.do(frame, cid="pre-crash")
    assert replayed["type"] == "accepted" and replayed["seqs"][0] < started["seqs"][0]
    await au.ok({"type": "say", "channel": "floor", "text": "after the crash"})
    async with server.http(table.fac_token) as h:
        log = (await h.get(f"/api/sessions/{table.session}/log")).text
    assert log.count('"phase_ended"') == 1
    assert log.count("before the crash") == 1
    await asyncio.sleep(0)
    await au.close()
