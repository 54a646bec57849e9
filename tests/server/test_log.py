"""The log: JSONL export with its hash chain, `chapter8 export` and `chapter8 replay`."""

from __future__ import annotations

import orjson
import pytest

from tests.server.play import seat_up, sync_all

pytestmark = pytest.mark.postgres


async def played(server):
    table = await seat_up(server)
    await table.f.ok({"type": "start"})
    await table.f.ok({"type": "advance"})
    await table.seats["au"].ok({"type": "say", "channel": "floor", "text": "on the record"})
    await table.seats["eu"].ok({"type": "say", "channel": "team", "text": "between us"})
    await sync_all(table)
    return table


async def test_export_replays_to_the_live_state(server, tmp_path):
    table = await played(server)
    summary = await table.summary()
    result = server.cli("export", table.session, "--out", str(tmp_path / "log.jsonl"))
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "log.jsonl").read_bytes().splitlines()
    assert len(lines) == summary["seq"]
    assert orjson.loads(lines[-1])["hash"] == summary["head_hash"]
    async with server.http(table.fac_token) as h:
        rest = (await h.get(f"/api/sessions/{table.session}/log")).content
    assert rest.splitlines() == lines

    checked = server.cli("replay", str(tmp_path / "log.jsonl"))
    assert checked.returncode == 0, checked.stderr
    report = orjson.loads(checked.stdout)
    assert report["state_hash"] == summary["state_hash"]
    assert report["events"] == summary["seq"] and set(report["scores"]) == {"sg", "au", "eu"}
    await table.close()


async def test_replay_names_the_first_bad_seq(server, tmp_path):
    table = await played(server)
    lines = server.cli("export", table.session).stdout.splitlines()
    tampered = [orjson.loads(line) for line in lines]
    target = next(t for t in tampered if t["event"]["type"] == "message_posted")
    target["event"]["text"] = "off the record"
    path = tmp_path / "tampered.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(t) for t in tampered))
    checked = server.cli("replay", str(path))
    assert checked.returncode == 1
    assert f"first bad seq: {target['seq']}" in checked.stderr.decode()

    dropped = tmp_path / "dropped.jsonl"
    dropped.write_bytes(b"\n".join(lines[:3] + lines[4:]))
    checked = server.cli("replay", str(dropped))
    assert checked.returncode == 1 and "first bad seq: 4" in checked.stderr.decode()
    await table.close()


async def test_players_get_the_log_only_once_declassified(server):
    table = await played(server)
    async with server.http(table.tokens["au.1"]) as h:
        r = await h.get(f"/api/sessions/{table.session}/log")
    assert r.status_code == 403 and r.json()["detail"]["code"] == "forbidden"
    await table.f.ok({"type": "end"})
    async with server.http(table.tokens["au.1"]) as h:
        r = await h.get(f"/api/sessions/{table.session}/log")
    assert r.status_code == 200
    events = [orjson.loads(line) for line in r.content.splitlines()]
    assert events[-1]["event"]["type"] == "session_concluded"
    assert all("hash" not in e for e in events)
    # Team channels stay closed to other teams even after the debrief (the default).
    assert not any(e["event"].get("text") == "between us" for e in events)
    await table.close()
