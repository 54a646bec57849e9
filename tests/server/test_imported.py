"""An imported session (`POST /api/imports` or `chapter8 import`) answers what a researcher
reads of any session: its summary, its log, the exports, the replay and the debrief, with the
researcher's token where the facilitator's would be needed (docs/replay.md). It is still never
live: no socket. Against a real server, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.server.harness import ROOT, Client, Server
from tests.server.play import seat_up, sync_all

pytestmark = pytest.mark.postgres


@dataclass
class Source:
    """A session played on another server: its export and how that server summed it up."""

    session: str
    log: bytes
    public: dict[str, Any]
    facilitator: dict[str, Any]


@dataclass
class Imported:
    source: Source
    token: str
    how: str


async def play_one(server: Server, text: str) -> Source:
    table = await seat_up(server, "tiny")
    await table.f.ok({"type": "start"})
    await table.f.ok({"type": "advance"})  # consultations
    await table.seats["au"].ok({"type": "say", "channel": "floor", "text": text})
    await table.seats["eu"].ok({"type": "say", "channel": "team", "text": "EU among ourselves"})
    await table.f.ok({"type": "end"})
    await sync_all(table)
    await table.close()
    async with server.http(table.fac_token) as h:
        log = (await h.get(f"/api/sessions/{table.session}/log")).content
    async with server.http() as h:
        public = (await h.get(f"/api/sessions/{table.session}")).json()
    return Source(table.session, log, public, await table.summary())


def cli_import(server: Server, path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli_replay", "import", str(path)],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return orjson.loads(done.stdout)


@pytest.fixture(scope="module")
def imported(server: Server, tmp_path_factory: pytest.TempPathFactory) -> list[Imported]:
    """Two sessions played on a SQLite server of their own, imported into `server`: one with
    `POST /api/imports`, one with `chapter8 import`."""
    folder = tmp_path_factory.mktemp("source")
    source = Server(folder, Path(server.env["CHAPTER8_SCENARIOS_DIR"]), None, {})
    source.start()
    try:
        first, second = asyncio.run(_play_two(source))
    finally:
        source.stop()

    async def by_rest() -> str:
        async with server.http() as h:
            r = await h.post("/api/imports", content=first.log)
        assert r.status_code == 201, r.text
        return r.json()["token"]

    path = folder / "second.jsonl"
    path.write_bytes(second.log)
    by_cli = cli_import(server, path)["replay_link"].rsplit("#", 1)[1]
    return [Imported(first, asyncio.run(by_rest()), "rest"), Imported(second, by_cli, "cli")]


async def _play_two(server: Server) -> tuple[Source, Source]:
    return await play_one(server, "First session"), await play_one(server, "Second session")


async def get(server: Server, token: str | None, path: str, **params: Any):
    async with server.http(token) as h:
        return await h.get(path, params=params)


async def test_an_imported_sessions_summary_is_the_one_its_server_gave(server, imported):
    """Anyone gets the public summary (as the source server gave it, marked `imported`); the
    researcher also gets the state hash and chain head, as the facilitator did."""
    for record in imported:
        source, s = record.source, record.source.session
        r = await get(server, None, f"/api/sessions/{s}")
        assert r.status_code == 200, (record.how, r.text)
        public = r.json()
        assert public.pop("imported") is True
        assert public == source.public and "state_hash" not in public
        full = (await get(server, record.token, f"/api/sessions/{s}")).json()
        assert full["state_hash"] == source.facilitator["state_hash"]
        assert full["head_hash"] == source.facilitator["head_hash"]
        assert full["imported"] is True and full["status"] == "concluded"
        # Another session's token reads the public summary, as for a live session.
        other = imported[1 - imported.index(record)].token
        assert "state_hash" not in (await get(server, other, f"/api/sessions/{s}")).json()
        assert (await get(server, "not-a-token", f"/api/sessions/{s}")).status_code == 401
    assert (await get(server, None, "/api/sessions/nosuchsession")).status_code == 404


async def test_an_imported_sessions_log_is_the_file_imported(server, imported):
    for record in imported:
        s = record.source.session
        r = await get(server, record.token, f"/api/sessions/{s}/log")
        assert r.status_code == 200, (record.how, r.text)
        assert r.content == record.source.log
        assert r.headers["content-type"].startswith("application/x-ndjson")
        assert (await get(server, None, f"/api/sessions/{s}/log")).status_code == 401
        assert (await get(server, "not-a-token", f"/api/sessions/{s}/log")).status_code == 401
        other = imported[1 - imported.index(record)].token
        r = await get(server, other, f"/api/sessions/{s}/log")
        assert r.status_code == 403 and r.json()["detail"]["code"] == "forbidden"


async def test_an_imported_session_exports_replays_and_debriefs(server, imported):
    for record in imported:
        s, token = record.source.session, record.token
        r = await get(server, token, f"/api/sessions/{s}/export/log.jsonl")
        assert r.status_code == 200 and r.content == record.source.log
        bundle = await get(server, token, f"/api/sessions/{s}/export/bundle.zip")
        assert zipfile.ZipFile(io.BytesIO(bundle.content)).read("log.jsonl") == record.source.log
        r = await get(server, token, f"/api/sessions/{s}/export/messages.csv", pseudonymise="true")
        assert r.status_code == 200 and b"Player au.1" not in r.content
        assert (await get(server, None, f"/api/sessions/{s}/export/log.jsonl")).status_code == 401
        timeline = (await get(server, token, f"/api/sessions/{s}/replay")).json()
        assert timeline["imported"] is True and timeline["reader"] == "researcher"
        head = record.source.facilitator["seq"]
        r = await get(
            server, token, f"/api/sessions/{s}/replay/view", seq=head, perspective="facilitator"
        )
        assert r.json()["state_hash"] == record.source.facilitator["state_hash"]
        r = await get(server, token, f"/api/sessions/{s}/debrief")
        assert r.status_code == 200 and r.json()["reader"] == "researcher"


async def test_an_imported_session_is_never_live(server, imported):
    for record in imported:
        with pytest.raises(Exception, match="401"):
            await Client.open(server, record.source.session, record.token)
