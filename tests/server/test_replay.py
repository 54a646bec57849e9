"""Replay, debrief, exports, imports and forks, against a real server (SQLite and PostgreSQL).

The replay's view at every seq, for every perspective, must be exactly what that viewer's
live client held then: the clients of a played session record every frame, the test folds
them as a client does, and compares with the server's route at each seq."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import orjson
import pytest

from game import engine
from game.disclosure import FACILITATOR_VIEW, SPECTATOR_VIEW, Viewer
from game.events import EVENT_ADAPTER
from game.state import SessionState
from game.views import project_state, view
from server import tidy
from tests.server.harness import ROOT, Client, Server
from tests.server.play import Table, seat_up, sync_all

pytestmark = pytest.mark.postgres
MOU = {"consult": "annual", "standby": 1000}


def viewer_of(perspective: str) -> Viewer:
    if perspective == "facilitator":
        return FACILITATOR_VIEW
    return Viewer(role="seat", team=perspective.removeprefix("team:"))


def comparable(state: dict) -> dict:
    parsed = SessionState.model_validate(state)
    return parsed.model_dump(mode="json", exclude={"seq", "at"})


def recorded_views(client: Client, head: int, viewer: Viewer) -> dict[int, dict]:
    """What the client held at each seq: its snapshots, with each projected event folded on
    as a client does (`evolve(strict=False)`); a snapshot replaces what it held. (Projected
    again, as tests/game/test_views.py does: a client's fold counts ids in `counters`, which
    no projection carries.)"""
    held: dict[int, dict] = {}
    state: SessionState | None = None
    seq = 0

    def dump(state: SessionState) -> dict:
        return project_state(state, viewer).model_dump(mode="json", exclude={"seq", "at"})

    for raw in client.raw:
        m = orjson.loads(raw)
        if m["type"] == "snapshot":
            state = SessionState.model_validate(m["view"]["state"])
            seq = m["seq"]
            held[seq] = dump(state)
        elif m["type"] == "events" and state is not None:
            for e in m["events"]:
                for n in range(seq + 1, e["seq"]):
                    held[n] = dump(state)
                engine.evolve(state, EVENT_ADAPTER.validate_python(e), strict=False)
                seq = e["seq"]
                held[seq] = dump(state)
            for n in range(seq + 1, m["last"] + 1):
                held[n] = dump(state)
            seq = max(seq, m["last"])
    assert seq == head, f"the client holds seq {seq}, not {head}"
    return held


async def play(server: Server) -> tuple[Table, dict]:
    """A session of the canary scenario: talk in every kind of channel, a draft, an inject for
    one team, a text tabled, amended, accepted and adopted, two rounds, the end."""
    table = await seat_up(server, "canary")
    f, sg, au, eu = table.f, table.seats["sg"], table.seats["au"], table.seats["eu"]
    marks: dict = {}
    await f.ok({"type": "start"})
    await f.ok({"type": "advance"})  # consultations
    await au.ok({"type": "say", "channel": "floor", "text": "Hello floor"})
    await eu.ok({"type": "say", "channel": "team", "text": "EU-TEAM-TALK <script>x</script>"})
    await au.ok({"type": "open_channel", "teams": ["eu"]})
    await sync_all(table)
    channel = next(e for e in au.events if e["type"] == "channel_opened")["channel"]
    await au.ok({"type": "say", "channel": channel, "text": "AU-EU-PRIVATE"})
    await sg.ok({"type": "save_draft", "item": "mou", "clauses": MOU, "title": "SG draft"})
    await f.ok(
        {"type": "custom_inject", "title": "Leak", "text": "EU-ONLY-NEWS", "audience": ["eu"]}
    )
    await f.ok({"type": "announce", "text": "Ten minutes"})
    await f.ok({"type": "advance"})  # formal: sg, au, eu
    await sg.ok({"type": "table", "item": "mou", "clauses": MOU, "title": "Our MOU"})
    await au.ok({"type": "amend", "proposal": "p1", "clauses": {"consult": "quarterly"}})
    await sync_all(table)
    marks["fork"] = (await table.summary())["seq"]
    await eu.ok({"type": "pass"})
    await sg.ok({"type": "accept_amendment", "amendment": "a1"})
    for team in ("sg", "au"):  # with the EU's, every speaker passed in a row
        await table.seats[team].ok({"type": "pass"})
    await sync_all(table)
    ballot = [e for e in f.events if e["type"] == "ballot_opened"][-1]["ballot"]
    for team in ("sg", "au", "eu"):
        await table.seats[team].ok({"type": "vote", "ballot": ballot, "choice": "yes"})
    await sync_all(table)
    await f.ok({"type": "advance"})  # resolution -> round 2
    await f.ok({"type": "end"})
    await sync_all(table)
    for client in [f, *table.seats.values()]:
        await client.drain(0.3)
    return table, marks


@pytest.fixture(scope="module")
def played(server: Server):
    """Played once per server; the clients are closed, their recorded frames kept."""

    async def run():
        table, marks = await play(server)
        await table.close()
        return table, marks

    return asyncio.run(run())


async def get(server: Server, token: str | None, path: str, **params):
    async with server.http(token) as h:
        return await h.get(path, params=params)


async def test_the_replay_at_every_seq_is_what_each_viewer_saw_live(server, played):
    """Facilitator and every team: at every seq from its first snapshot on, the route's view
    equals the live client's. The public perspective equals the engine's spectator view."""
    table, _ = played
    head = (await table.summary())["seq"]
    s = table.session
    clients = {"facilitator": table.f} | {f"team:{t}": c for t, c in table.seats.items()}
    compared = 0
    async with server.http(table.fac_token) as h:
        for perspective, client in clients.items():
            held = recorded_views(client, head, viewer_of(perspective))
            for seq in range(min(held), head + 1):
                r = await h.get(
                    f"/api/sessions/{s}/replay/view",
                    params={"perspective": perspective, "seq": seq},
                )
                assert r.status_code == 200, r.text
                got = comparable(r.json()["view"]["state"])
                assert got == held[seq], f"{perspective} differs at seq {seq}"
                compared += 1
        log = [
            EVENT_ADAPTER.validate_python(orjson.loads(line)["event"])
            for line in (await h.get(f"/api/sessions/{s}/log")).content.splitlines()
        ]
        for seq in range(1, head + 1):
            r = await h.get(
                f"/api/sessions/{s}/replay/view", params={"perspective": "public", "seq": seq}
            )
            expected = view(engine.fold(log[:seq]), SPECTATOR_VIEW).state
            assert comparable(r.json()["view"]["state"]) == expected.model_dump(
                mode="json", exclude={"seq", "at"}
            )
        r = await h.get(f"/api/sessions/{s}/replay/view", params={"seq": head + 1})
        assert r.status_code == 404
    assert head > 40 and compared > 4 * 35


async def test_the_timeline_is_each_perspectives_projected_log(server, played):
    table, _ = played
    s = table.session
    r = await get(server, table.fac_token, f"/api/sessions/{s}/replay", perspective="team:au")
    body = r.json()
    assert r.status_code == 200 and body["head"] == (await table.summary())["seq"]
    by_seq = {e["seq"]: e for e in body["events"]}
    timeline = [e["seq"] for e in body["events"]]
    # Every event the AU's client received live is in its timeline, as it was received. One
    # nuance: the server projects a committed batch with the state after the batch, so the
    # last voter's sealed vote reached clients open (its ballot closed in the same batch);
    # the timeline projects each event with the state just after it, so that vote is sealed
    # there, and the ballot_closed right after it opens it.
    for e in table.seats["au"].events:
        got = by_seq[e["seq"]]
        if e["type"] == "ballot_cast" and got["choice"] is None and e["choice"] is not None:
            after = by_seq[timeline[timeline.index(e["seq"]) + 1]]
            assert after["type"] == "ballot_closed" and after["votes"][e["team"]] == e["choice"]
            got = {**got, "choice": e["choice"]}
        assert got == e
    text = orjson.dumps(body).decode()
    assert "EU-TEAM-TALK" not in text and "EU-ONLY-NEWS" not in text
    assert "AU-EU-PRIVATE" in text
    full = (
        await get(server, table.fac_token, f"/api/sessions/{s}/replay", perspective="facilitator")
    ).json()
    assert len(full["events"]) == full["head"] and "EU-ONLY-NEWS" in orjson.dumps(full).decode()


async def test_players_replay_their_own_perspective_once_the_log_opens(server):
    table = await seat_up(server, "canary")
    s = table.session
    au = table.tokens["au.1"]
    await table.f.ok({"type": "start"})
    r = await get(server, au, f"/api/sessions/{s}/replay", perspective="team:au")
    assert r.status_code == 403 and r.json()["detail"]["code"] == "forbidden"
    r = await get(server, au, f"/api/sessions/{s}/debrief")
    assert r.status_code == 403
    assert (await get(server, None, f"/api/sessions/{s}/replay")).status_code == 401
    await table.f.ok({"type": "end"})
    r = await get(server, au, f"/api/sessions/{s}/replay", perspective="team:au")
    assert r.status_code == 200
    assert r.json()["perspectives"] == ["public", "team:au"]
    assert (
        await get(server, au, f"/api/sessions/{s}/replay", perspective="public")
    ).status_code == 200
    for other in ("team:eu", "facilitator"):
        r = await get(server, au, f"/api/sessions/{s}/replay", perspective=other)
        assert r.status_code == 403, other
    r = await get(server, au, f"/api/sessions/{s}/replay/view", perspective="team:eu", seq=3)
    assert r.status_code == 403
    r = await get(server, au, f"/api/sessions/{s}/replay/view", perspective="team:au", seq=3)
    assert r.status_code == 200 and "state_hash" not in r.json()
    # Exports and forks are the facilitator's (and researchers').
    assert (await get(server, au, f"/api/sessions/{s}/export/messages.csv")).status_code == 403
    async with server.http(au) as h:
        assert (await h.post(f"/api/sessions/{s}/fork", json={"seq": 2})).status_code == 403
    # Another session's token opens nothing here.
    other = await seat_up(server, "canary", connect=False)
    r = await get(server, other.fac_token, f"/api/sessions/{s}/replay")
    assert r.status_code == 403
    await table.close()


async def test_the_debrief_route_applies_disclosure(server, played):
    table, _ = played
    s = table.session
    full = (await get(server, table.fac_token, f"/api/sessions/{s}/debrief")).json()
    assert full["items"] and full["items"][0]["item"] == "mou"
    assert [v["ballot"] for v in full["votes"]] and full["texts"]
    assert "EU-ONLY-NEWS" in orjson.dumps(full).decode()
    au = (await get(server, table.tokens["au.1"], f"/api/sessions/{s}/debrief")).json()
    text = orjson.dumps(au).decode()
    assert "EU-ONLY-NEWS" not in text and "EU-TEAM-TALK" not in text
    assert au["items"] and set(au["scores"]) == {"sg", "au", "eu"}  # open at the debrief
    assert au["facilitator_notes"] == ""


async def test_exports_tables_codebook_transcripts_and_pseudonyms(server, played):
    table, _ = played
    s = table.session
    codebook = (ROOT / "docs" / "codebook.md").read_text()
    documented = {
        m.group(1): [c for c in re.findall(r"^\| (\w+) \|", m.group(2), re.M) if c != "column"]
        for m in re.finditer(r"^## (\w+)\.csv\n(.*?)(?=^## |\Z)", codebook, re.M | re.S)
    }
    async with server.http(table.fac_token) as h:
        bundle = (await h.get(f"/api/sessions/{s}/export/bundle.zip")).content
        files = zipfile.ZipFile(io.BytesIO(bundle))
        names = set(files.namelist())
        assert {"log.jsonl", "codebook.md", "transcript.md", "transcript.html"} <= names
        tables = {
            n[:-4]: list(csv.DictReader(io.StringIO(files.read(n).decode())))
            for n in names
            if n.endswith(".csv")
        }
        assert set(tables) == set(documented)
        for name in tables:
            header = next(csv.reader(io.StringIO(files.read(f"{name}.csv").decode())))
            assert header == documented[name], name
        messages = tables["messages"]
        assert {m["text"] for m in messages} >= {"Hello floor", "AU-EU-PRIVATE"}
        assert {m["speaker"] for m in messages if m["team"] == "au"} == {"Player au.1"}
        assert [(v["voter"], v["choice"]) for v in tables["votes"]] == [
            ("sg", "yes"),
            ("au", "yes"),
            ("eu", "yes"),
        ]
        assert [p["how"] for p in tables["proposals"]] == ["tabled", "accepted"]
        assert {r["final"] for r in tables["scores"]} == {"True", "False"}
        assert [p["phase"] for p in tables["phases"]][:3] == ["briefing", "consult", "formal"]
        html = files.read("transcript.html").decode()
        assert "EU-TEAM-TALK &lt;script&gt;" in html and "<script>" not in html
        md = files.read("transcript.md").decode()
        assert "AU-EU-PRIVATE" in md and "Player au.1" in md
        assert files.read("log.jsonl") == (await h.get(f"/api/sessions/{s}/log")).content

        anon = zipfile.ZipFile(
            io.BytesIO(
                (
                    await h.get(
                        f"/api/sessions/{s}/export/bundle.zip", params={"pseudonymise": "true"}
                    )
                ).content
            )
        )
        for name in anon.namelist():
            if name != "codebook.md":
                assert b"Player au.1" not in anon.read(name), name
        speakers = {
            r["speaker"] for r in csv.DictReader(io.StringIO(anon.read("messages.csv").decode()))
        }
        assert speakers and all(re.fullmatch(r"Player \d+", x) for x in speakers)
        # The pseudonymised log is a whole log of its own: it replays.
        path = Path(server.folder) / "anon.jsonl"
        path.write_bytes(anon.read("log.jsonl"))
        checked = server.cli("replay", str(path))
        assert checked.returncode == 0, checked.stderr
        r = await h.get(f"/api/sessions/{s}/export/nothing.csv")
        assert r.status_code == 404


def cli_replay(server: Server, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli_replay", *args],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        timeout=60,
    )


async def test_an_export_imports_into_a_fresh_server_to_the_same_state_hash(
    server, played, tmp_path
):
    """`chapter8 import` into a fresh database and `POST /api/imports` into a fresh server
    both give the source's state hash; an imported session replays but is never live."""
    table, _ = played
    s = table.session
    summary = await table.summary()
    log = (await get(server, table.fac_token, f"/api/sessions/{s}/export/log.jsonl")).content
    path = tmp_path / "export.jsonl"
    path.write_bytes(log)

    fresh_env = {**server.env, "CHAPTER8_DATA_DIR": str(tmp_path / "fresh")}
    fresh_env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "server.cli_replay", "import", str(path)],
        cwd=ROOT,
        env=fresh_env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = orjson.loads(done.stdout)
    assert report["state_hash"] == summary["state_hash"]
    assert report["head_hash"] == summary["head_hash"] and report["session"] == s

    # Into the server that holds it: refused.
    async with server.http() as h:
        r = await h.post("/api/imports", content=log)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "duplicate"

    other = Server(tmp_path / "other", Path(server.env["CHAPTER8_SCENARIOS_DIR"]), None, {})
    (tmp_path / "other").mkdir()
    other.start()
    try:
        async with other.http() as h:
            r = await h.post("/api/imports", content=log)
        assert r.status_code == 201, r.text
        imported = r.json()
        assert imported["state_hash"] == summary["state_hash"]
        assert imported["replay_link"].endswith(f"/replay/{s}#{imported['token']}")
        token = imported["token"]
        r = await get(
            other,
            token,
            f"/api/sessions/{s}/replay/view",
            seq=summary["seq"],
            perspective="facilitator",
        )
        assert r.json()["state_hash"] == summary["state_hash"]
        r = await get(other, token, f"/api/sessions/{s}/debrief")
        assert r.status_code == 200 and r.json()["reader"] == "researcher"
        # A record, never live: a summary from its log (tests/server/test_imported.py), no socket.
        assert (await get(other, None, f"/api/sessions/{s}")).json()["imported"] is True
        with pytest.raises(Exception, match="401"):
            await Client.open(other, s, token)
    finally:
        other.stop()


async def test_one_tampered_event_fails_the_import_naming_its_seq(server, played, tmp_path):
    table, _ = played
    s = table.session
    lines = (await get(server, table.fac_token, f"/api/sessions/{s}/log")).content.splitlines()
    rows = [orjson.loads(line) for line in lines]
    target = next(r for r in rows if r["event"]["type"] == "message_posted")
    target["event"]["text"] = "something else"
    tampered = b"\n".join(orjson.dumps(r) for r in rows)
    async with server.http() as h:
        r = await h.post("/api/imports", content=tampered)
    assert r.status_code == 422
    assert r.json()["detail"]["code"] == "bad_log" and r.json()["detail"]["seq"] == target["seq"]
    path = tmp_path / "tampered.jsonl"
    path.write_bytes(tampered)
    done = cli_replay(server, "import", str(path))
    assert done.returncode == 1
    assert f"first bad seq: {target['seq']}" in done.stderr.decode()


async def test_a_fork_carries_on_from_a_moment(server, played):
    """From a seq in the formal session (a turn's clock running), a new session starts
    paused, its log recording the source, the seq and the state hash there; folding it gives
    the source's state then; resumed, it plays on."""
    table, marks = played
    s, seq = table.session, marks["fork"]
    source = (
        await get(
            server,
            table.fac_token,
            f"/api/sessions/{s}/replay/view",
            seq=seq,
            perspective="facilitator",
        )
    ).json()
    async with server.http(table.fac_token) as h:
        r = await h.post(f"/api/sessions/{s}/fork", json={"seq": seq, "title": "What if"})
        assert r.status_code == 201, r.text
        forked = r.json()
        head = (await table.summary())["seq"]
        r = await h.post(f"/api/sessions/{s}/fork", json={"seq": head})
        assert r.status_code == 409  # it had ended by then
    new = forked["session"]
    assert forked["forked_from"]["session"] == s and forked["forked_from"]["seq"] == seq
    assert forked["forked_from"]["state_hash"] == source["state_hash"]
    assert forked["status"] == "paused" and forked["seq"] == seq + 1
    token = forked["facilitator_token"]
    log = [
        EVENT_ADAPTER.validate_python(orjson.loads(line)["event"])
        for line in (await get(server, token, f"/api/sessions/{new}/log")).content.splitlines()
    ]
    assert log[0].session == new and log[0].forked_from["seq"] == seq
    assert log[-1].type == "session_paused"
    mine = project_state(engine.fold(log[:seq]), FACILITATOR_VIEW).model_dump(
        mode="json", exclude={"session", "title", "forked_from"}
    )
    theirs = SessionState.model_validate(source["view"]["state"]).model_dump(
        mode="json", exclude={"session", "title", "forked_from"}
    )
    assert mine == theirs
    # The fork is live: players join with its links and carry on from the amendment.
    fac = await Client.open(server, new, token)
    await fac.until(lambda m: m["type"] == "snapshot")
    await fac.ok({"type": "resume"})
    eu_link = next(j for j in forked["join_links"] if j["seat"] == "eu.1")
    joined = await server.join(new, eu_link["code"])
    eu = await Client.open(server, new, joined["token"])
    await eu.until(lambda m: m["type"] == "snapshot")
    assert eu.view["phase"]["holder"] == "eu"
    await eu.ok({"type": "pass"})
    await eu.close()
    await fac.close()


async def test_chapter8_export_all_writes_every_file(server, played, tmp_path):
    table, _ = played
    out = tmp_path / "export"
    done = cli_replay(server, "export-all", table.session, "--out", str(out), "--pseudonymise")
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.iterdir()}
    assert names == {n for n in tidy.FILES if n != "bundle.zip"}
    speakers = {
        r["speaker"] for r in csv.DictReader(io.StringIO((out / "messages.csv").read_text()))
    }
    assert speakers and all(re.fullmatch(r"Player \d+", x) for x in speakers)
    assert "Player au.1" not in (out / "transcript.html").read_text()
    checked = server.cli("replay", str(out / "log.jsonl"))
    assert checked.returncode == 0, checked.stderr
    missing = cli_replay(server, "export-all", "nosuchsession", "--out", str(tmp_path / "x"))
    assert missing.returncode == 1
