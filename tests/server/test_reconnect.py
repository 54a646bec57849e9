"""Reconnecting loses and repeats nothing; a resent command id is applied once."""

from __future__ import annotations

import pytest

from tests.server.conftest import make_server
from tests.server.harness import Client
from tests.server.play import seat_up, sync_all

pytestmark = pytest.mark.postgres
REPLAY_LIMIT = 40


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request, tmp_path_factory):
    env = {"CHAPTER8_REPLAY_LIMIT": str(REPLAY_LIMIT)}
    yield from make_server(request, tmp_path_factory.mktemp(request.param), env)


@pytest.fixture
async def table(server):
    table = await seat_up(server)
    await table.f.ok({"type": "start"})
    await table.f.ok({"type": "advance"})  # briefing -> consultations
    yield table
    await table.close()


async def chatter(table, n: int) -> None:
    """Public, team and private talk: some of it visible to au, some not."""
    sg, eu = table.seats["sg"], table.seats["eu"]
    opened = await eu.ok({"type": "open_channel", "teams": ["sg"]})
    channel = next(e for e in eu.events if e["seq"] == opened["seqs"][-1])["channel"]
    for i in range(n):
        await sg.ok({"type": "say", "channel": "floor", "text": f"floor {i}"})
        await eu.ok({"type": "say", "channel": channel, "text": f"private {i}"})
        await table.f.ok({"type": "announce", "text": f"announcement {i}"})


async def test_reconnect_mid_phase_loses_and_repeats_nothing(server, table):
    witness = await Client.open(server, table.session, table.tokens["au.2"])
    await witness.until(lambda m: m["type"] == "snapshot")
    au = table.seats["au"]
    await au.ok({"type": "say", "channel": "team", "text": "before"})
    await sync_all(table)
    left_at = au.seq
    before = list(au.events)
    await au.close()

    await chatter(table, 5)
    await table.f.ok({"type": "extend", "seconds": 30})
    back = await Client.open(server, table.session, table.tokens["au.1"], since=left_at)
    message = await back.until(lambda m: m["type"] in ("events", "snapshot"))
    assert message["type"] == "events" and message["first"] == left_at + 1
    table.seats["au"] = back
    await sync_all(table)
    await witness.caught_up(back.seq)

    seen = before + back.events
    seqs = [e["seq"] for e in seen]
    assert len(seqs) == len(set(seqs)), "an event was repeated"
    after_join = [e for e in witness.events if e["seq"] > witness.event_seqs[0] - 1]
    assert [e for e in seen if e["seq"] >= after_join[0]["seq"]] == after_join
    assert not back.gaps and not witness.gaps
    # Nothing from the private channel between sg and eu reached au.
    assert not any("private" in e.get("text", "") for e in seen)
    await back.close()
    await witness.close()


async def test_sync_asks_again_mid_connection(table):
    au = table.seats["au"]
    start = au.seq
    await chatter(table, 1)
    await au.caught_up((await table.summary())["seq"])
    await au.send({"type": "sync", "since": start})
    again = await au.until(lambda m: m["type"] == "events" and m["first"] == start + 1)
    assert again["last"] == au.seq


async def test_a_gap_older_than_kept_gets_a_snapshot(server, table):
    au = table.seats["au"]
    left_at = au.seq
    await au.close()
    await chatter(table, REPLAY_LIMIT // 2)
    back = await Client.open(server, table.session, table.tokens["au.1"], since=left_at)
    message = await back.until(lambda m: m["type"] in ("events", "snapshot"))
    assert message["type"] == "snapshot" and message["reason"] == "resync"
    assert message["seq"] == (await table.summary())["seq"]
    await back.close()


async def test_a_resent_command_is_applied_once(server, table):
    au = table.seats["au"]
    frame = {"type": "say", "channel": "floor", "text": "only once"}
    first = await au.ok(frame, cid="same-id")
    seq = (await table.summary())["seq"]
    raw_first = au.raw[-1] if '"accepted"' in au.raw[-1] else None
    again = await au.do(frame, cid="same-id")
    assert again == first
    assert raw_first is None or au.raw[-1] == raw_first
    assert (await table.summary())["seq"] == seq
    # From another connection of the same seat, the same id still gets the first answer.
    other = await Client.open(server, table.session, table.tokens["au.1"])
    assert await other.do(frame, cid="same-id") == first
    assert (await table.summary())["seq"] == seq
    texts = [e["text"] for e in au.events if e.get("type") == "message_posted"]
    assert texts.count("only once") == 1
    await other.close()


async def test_a_resent_rejection_gets_the_same_rejection(table):
    au = table.seats["au"]
    first = await au.do({"type": "vote", "ballot": "b9", "choice": "yes"}, cid="rej-1")
    assert first["type"] == "rejected"
    assert await au.do({"type": "vote", "ballot": "b9", "choice": "yes"}, cid="rej-1") == first
