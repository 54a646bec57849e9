"""Pseudonymised exports carry no player's name anywhere: not in the structured fields, and not
inside what people wrote (messages, statements, announcements, injects, titles, notes), where
each name becomes the same pseudonym as in the structured fields. The plain exports keep
everything as written. Against a real server, on SQLite and PostgreSQL (docs/replay.md).
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.server.harness import ROOT, Client, Server
from tests.server.play import Table, sync_all

pytestmark = pytest.mark.postgres

NAMES = {"sg.1": "Ann Lee", "au.1": "Ann", "au.2": "Quillon  Marsh", "eu.1": "Béatrice Okafor"}
"""Seat -> the name given on joining: `Ann` is a word of `Ann Lee`; `Quillon  Marsh` has two
spaces, written with one in the texts."""
MOU = {"consult": "annual", "standby": 1000}
FLOOR = "Thank you, ann lee. As ANN said, Annex I suits us; Quillon Marsh agrees."
TEAM = "Béatrice Okafor here: Ann's point on the annual review stands."


async def play(server: Server) -> Table:
    """Names written everywhere a person writes: messages in every kind of channel, a channel's
    title, a draft, a tabled text, an amendment's note, a statement, an announcement, an
    inject and the session's title."""
    created = await server.create("tiny", title="Ann Lee's class")
    table = Table(server, created["session"], created)
    for link in created["join_links"]:
        joined = await server.join(table.session, link["code"], name=NAMES[link["seat"]])
        table.tokens[link["seat"]] = joined["token"]
    table.facilitator = await Client.open(server, table.session, table.fac_token)
    for seat in ("sg.1", "au.1", "eu.1"):
        table.seats[seat[:2]] = await Client.open(server, table.session, table.tokens[seat])
    f, sg, au, eu = table.f, table.seats["sg"], table.seats["au"], table.seats["eu"]
    await f.ok({"type": "start"})
    await f.ok({"type": "advance"})  # consultations
    await au.ok({"type": "say", "channel": "floor", "text": FLOOR})
    await eu.ok({"type": "say", "channel": "team", "text": TEAM})
    await au.ok({"type": "open_channel", "teams": ["eu"], "title": "Ann and QUILLON MARSH"})
    await sync_all(table)
    channel = next(e for e in au.events if e["type"] == "channel_opened")["channel"]
    await eu.ok({"type": "say", "channel": channel, "text": "Only between us, Ann."})
    await sg.ok({"type": "save_draft", "item": "mou", "clauses": MOU, "title": "Draft for Ann"})
    await f.ok({"type": "announce", "text": "Quillon Marsh, please rejoin the floor."})
    news = {"title": "For Ann Lee", "text": "Béatrice  Okafor called.", "audience": ["eu"]}
    await f.ok({"type": "custom_inject", **news})
    await f.ok({"type": "say", "channel": "floor", "text": "Thank you, Béatrice Okafor."})
    await f.ok({"type": "advance"})  # formal: sg, au, eu in turn
    await sg.ok({"type": "table", "item": "mou", "clauses": MOU, "title": "Ann Lee's MOU"})
    amend = {"type": "amend", "proposal": "p1", "clauses": {"consult": "quarterly"}}
    await au.ok({**amend, "note": "as Béatrice Okafor asked"})
    await eu.ok({"type": "statement", "text": "Ann Lee speaks for the Secretary-General."})
    await f.ok({"type": "end"})
    await sync_all(table)
    await table.close()
    return table


@pytest.fixture(scope="module")
def played(server: Server) -> Table:
    return asyncio.run(play(server))


def named(text: str) -> list[str]:
    """Every player's name written in `text` as a word, in any case, with any spaces, and the
    distinctive words of names anywhere ("Ann" alone is in "annual"): none may be left."""
    found = [
        name
        for name in NAMES.values()
        if re.search(r"(?<!\w)" + r"\s+".join(name.split()) + r"(?!\w)", text, re.I)
    ]
    return found + [w for w in ("lee", "quillon", "marsh", "okafor") if w in text.casefold()]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def files_of(server: Server, table: Table, pseudonymise: bool) -> dict[str, bytes]:
    params = {"pseudonymise": "true"} if pseudonymise else {}
    async with server.http(table.fac_token) as h:
        r = await h.get(f"/api/sessions/{table.session}/export/bundle.zip", params=params)
    assert r.status_code == 200, r.text
    z = zipfile.ZipFile(io.BytesIO(r.content))
    return {name: z.read(name) for name in z.namelist()}


def log_events(log: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line)["event"] for line in log.splitlines()]


def pseudonym_of_seats(log: bytes) -> dict[str, str]:
    return {e["seat"]: e["name"] for e in log_events(log) if e["type"] == "seat_assigned"}


async def test_pseudonymised_exports_hold_no_name_anywhere(server, played):
    files = await files_of(server, played, pseudonymise=True)
    assert set(files) >= {"log.jsonl", "messages.csv", "transcript.md", "transcript.html"}
    for name, body in files.items():
        assert named(body.decode()) == [], name
    # Every one of these was written with names in it, and is still there, pseudonymised.
    transcript = files["transcript.md"].decode()
    for kept in ("Annex I", "annual review", "speaks for the Secretary-General", "please rejoin"):
        assert kept in transcript, kept


async def test_a_name_in_text_becomes_the_pseudonym_of_the_structured_fields(server, played):
    """Longest name first, whole words, any case, any spaces; the same pseudonym in the log's
    seats, the messages' speakers and the texts, across files."""
    files = await files_of(server, played, pseudonymise=True)
    p = {NAMES[seat]: alias for seat, alias in pseudonym_of_seats(files["log.jsonl"]).items()}
    assert sorted(p.values()) == ["Player 1", "Player 2", "Player 3", "Player 4"]
    ann_lee, ann, quillon, beatrice = (p[NAMES[s]] for s in ("sg.1", "au.1", "au.2", "eu.1"))
    floor = f"Thank you, {ann_lee}. As {ann} said, Annex I suits us; {quillon} agrees."
    team = f"{beatrice} here: {ann}'s point on the annual review stands."
    messages = rows(files["messages.csv"].decode())
    assert [(m["speaker"], m["text"]) for m in messages][:2] == [(ann, floor), (beatrice, team)]
    assert ("Facilitator", f"Thank you, {beatrice}.") in [
        (m["speaker"], m["text"]) for m in messages
    ]
    events = log_events(files["log.jsonl"])
    texts = [e.get("text") for e in events if e["type"] == "message_posted"]
    assert texts[:2] == [floor, team]
    assert events[0]["title"] == f"{ann_lee}'s class"
    assert [e["title"] for e in events if e["type"] == "proposal_tabled"] == [f"{ann_lee}'s MOU"]
    assert [r["title"] for r in rows(files["proposals.csv"].decode())][:1] == [f"{ann_lee}'s MOU"]
    md, page = files["transcript.md"].decode(), files["transcript.html"].decode()
    assert floor in md and f"{ann} (African Union)" in md
    assert f"{beatrice} here: {ann}&#x27;s point" in page


async def test_the_pseudonymised_log_has_a_chain_of_its_own(server, played):
    """It checks and replays; its hashes are its own from the first event it rewrote."""
    plain = (await files_of(server, played, pseudonymise=False))["log.jsonl"]
    anon = (await files_of(server, played, pseudonymise=True))["log.jsonl"]
    path = Path(server.folder) / f"anon-{played.session}.jsonl"
    path.write_bytes(anon)
    checked = server.cli("replay", str(path))
    assert checked.returncode == 0, checked.stderr
    source = (await played.summary())["state_hash"]
    assert orjson.loads(checked.stdout)["state_hash"] != source
    hashes = [
        (orjson.loads(a)["hash"], orjson.loads(b)["hash"])
        for a, b in zip(plain.splitlines(), anon.splitlines(), strict=True)
    ]
    assert all(a != b for a, b in hashes)  # the session's title carries a name: seq 1 on


async def test_the_plain_exports_keep_every_name_as_written(server, played):
    files = await files_of(server, played, pseudonymise=False)
    async with server.http(played.fac_token) as h:
        assert files["log.jsonl"] == (await h.get(f"/api/sessions/{played.session}/log")).content
    messages = rows(files["messages.csv"].decode())
    assert [(m["speaker"], m["text"]) for m in messages][:2] == [
        ("Ann", FLOOR),
        (NAMES["eu.1"], TEAM),
    ]
    assert FLOOR in files["transcript.md"].decode()
    assert "Ann Lee&#x27;s MOU" in files["transcript.html"].decode()


async def test_export_all_pseudonymises_every_file(server, played, tmp_path):
    out = tmp_path / "anon"
    args = ["export-all", played.session, "--out", str(out), "--pseudonymise"]
    done = subprocess.run(
        [sys.executable, "-m", "server.cli_replay", *args],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    bundle = await files_of(server, played, pseudonymise=True)
    for path in out.iterdir():
        assert named(path.read_text()) == [], path.name
        assert path.read_bytes() == bundle[path.name], path.name
