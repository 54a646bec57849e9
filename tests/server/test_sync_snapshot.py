"""`sync` with `snapshot: true` answers a fresh snapshot, whatever `since` says: the browser
asks for one after events whose consequences it does not re-derive."""

from __future__ import annotations

import pytest

from tests.server.play import seat_up, sync_all

pytestmark = pytest.mark.postgres


async def test_sync_with_snapshot_answers_a_fresh_snapshot(server):
    table = await seat_up(server)
    f, au = table.f, table.seats["au"]
    await f.ok({"type": "start"})
    await f.ok({"type": "advance"})
    await au.ok({"type": "say", "channel": "team", "text": "ours"})
    await sync_all(table)
    await au.send({"protocol": 1, "type": "sync", "since": 1, "snapshot": True})
    snapshot = await au.until(lambda m: m["type"] == "snapshot")
    assert snapshot["reason"] == "resync"
    assert snapshot["seq"] == (await table.summary())["seq"]
    assert snapshot["view"]["viewer"]["team"] == "au"
    assert snapshot["view"]["phase"]["kind"] == "consultations"
    # Events committed after the snapshot follow it without a gap.
    await f.ok({"type": "announce", "text": "after"})
    message = await au.until(lambda m: m["type"] == "events")
    assert message["first"] == snapshot["seq"] + 1
    # A snapshot flag that is not a boolean is refused, and nothing else happens.
    await au.send({"protocol": 1, "type": "sync", "since": 1, "snapshot": "yes"})
    refused = await au.until(lambda m: m["type"] == "rejected")
    assert refused["code"] == "bad_message"
    await table.close()
