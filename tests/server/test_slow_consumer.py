"""A client that stops reading is disconnected (4008) instead of growing the server's memory,
while a client that reads promptly but pipelines thousands of commands is not; everyone else
carries on, and the dropped client reconnects with `since` and misses nothing."""

from __future__ import annotations

import psutil
import pytest
from websockets.exceptions import ConnectionClosed

from tests.server.conftest import make_server
from tests.server.harness import Client
from tests.server.play import seat_up

pytestmark = pytest.mark.postgres

SEND_QUEUE = 64
PIPELINE = 1000
WAVES = 150
WAVE = 20
FLOOD = PIPELINE + WAVES * WAVE
TEXT = "x" * 3900


def announce(cid: str) -> dict:
    return {"type": "command", "id": cid, "command": {"type": "announce", "text": TEXT}}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request, tmp_path_factory):
    env = {
        "CHAPTER8_SEND_QUEUE": str(SEND_QUEUE),
        "CHAPTER8_RATE_PER_S": "100000",
        "CHAPTER8_RATE_BURST": "100000",
    }
    yield from make_server(request, tmp_path_factory.mktemp(request.param), env)


async def test_a_slow_consumer_is_dropped_and_a_fast_pipeliner_is_not(server):
    table = await seat_up(server, connect=False)
    process = psutil.Process(server.process.pid)
    f = await Client.open(server, table.session, table.fac_token, max_queue=None)
    slow = await Client.open(server, table.session, table.tokens["eu.1"], max_queue=1)
    rss_before = process.memory_info().rss
    # The facilitator pipelines PIPELINE commands at once and reads everything: the
    # session's writer answers hundreds of them in one turn, far more messages than SEND_QUEUE,
    # and that must not count as reading slowly.
    for n in range(PIPELINE):
        await f.send(announce(f"p{n}"))
    await f.until(lambda m: m.get("id") == f"p{PIPELINE - 1}", timeout=120)
    assert all(f.replies[f"p{n}"]["type"] == "accepted" for n in range(PIPELINE))
    # Then it goes on in waves, each a turn of the writer and one more send queued for the
    # slow client, which reads nothing: the loopback buffers fill and its sends pile up.
    for wave in range(WAVES):
        for n in range(WAVE):
            await f.send(announce(f"w{wave}-{n}"))
        await f.until(lambda m, wave=wave: m.get("id") == f"w{wave}-{WAVE - 1}", timeout=60)

    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await slow.recv(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4008
    summary = await table.summary()
    assert summary["presence"]["seats"]["eu.1"] == 0 and summary["presence"]["facilitators"] == 1
    async with server.http() as h:
        metrics = (await h.get("/metrics")).text
    assert "chapter8_slow_consumers_total 1.0" in metrics

    # Memory: the slow client could hold at most SEND_QUEUE sends before it was dropped
    # (above). What the server grew by is the flood itself (the state's feed, the replay
    # buffer, snapshots of a state that holds 15 MB of text): a sanity bound only.
    grown = process.memory_info().rss - rss_before
    assert grown < 400 * 2**20, grown

    # The dropped client reconnects with since and misses nothing; the facilitator was never
    # dropped and still works.
    back = await Client.open(
        server, table.session, table.tokens["eu.1"], since=slow.seq, max_size=None
    )
    await back.caught_up(summary["seq"], timeout=30)
    assert not back.gaps
    await f.ok({"type": "announce", "text": "still here"})
    await back.close()
    await f.close()
