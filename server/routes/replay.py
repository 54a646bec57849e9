"""Replay, debrief, exports, imports and forks (docs/replay.md).

REST, under `/api/sessions/{session}`: the timeline of a perspective (`/replay`), the view of
a perspective at a seq (`/replay/view`), the debrief (`/debrief`), the export files
(`/export/{file}`) and a fork (`/fork`); `POST /api/imports` takes an export file. Pages:
`/replay` (open an export file), `/replay/{session}` (the viewer), `/debrief/{session}`, and
`/vendor/chart.js` (Chart.js, as npm installed it in node_modules).

Who may ask: the session's facilitator (everything, at any time), a researcher (the token an
import hands out: everything about that imported log), and a seat once the scenario
declassifies the log (the replay and exports of its own perspective rules, see
server/replay.py) or, for the debrief, once the session has ended.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from game.analysis.debrief import debrief, debrief_for
from game.disclosure import FACILITATOR_VIEW, Viewer
from game.hashing import state_hash
from game.state import SessionState
from game.views import redact_scenario, view
from server import links, tidy
from server import replay as rp
from server.deps import Config, Service
from server.export import full_lines
from server.routes.pages import PAGE_HEADERS, STATIC
from server.routes.records import Authorization, book_of, reader_of
from server.store import store as st

ROOT = Path(__file__).resolve().parents[2]
CHART_JS = ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
IMPORT_LIMIT = 64 * 1024 * 1024
"""The largest export file `POST /api/imports` takes, in bytes."""

router = APIRouter(tags=["replay"])
pages = APIRouter(include_in_schema=False)


def _refused(exc: rp.Refused) -> HTTPException:
    return HTTPException(exc.status, exc.detail())


@router.get("/api/sessions/{session}/replay")
async def timeline(
    session: str,
    request: Request,
    service: Service,
    perspective: str = "public",
    authorization: Authorization = None,
) -> Response:
    """The perspective's timeline: every event as that viewer saw it (hidden ones left out),
    with the log's head, the session's status and the perspectives this reader may take."""
    book = await book_of(request, service, session)
    reader = await reader_of(service, session, authorization, book)
    now = await asyncio.to_thread(book.state_at, book.head)
    try:
        rp.check(reader, now, perspective)
    except rp.Refused as exc:
        raise _refused(exc) from None
    events = await asyncio.to_thread(book.timeline, perspective)
    body = {
        "session": session,
        "title": now.title,
        "status": now.status,
        "head": book.head,
        "first_at": book.events[0].at,
        "perspective": perspective,
        "perspectives": rp.allowed(reader, now),
        "teams": [{"id": t.id, "name": t.name} for t in now.scenario.teams],
        "reader": reader.kind,
        "may_fork": reader.whole,
        "imported": reader.kind == "researcher",
        "forked_from": now.forked_from,
        "events": events,
    }
    return Response(orjson.dumps(body), media_type="application/json")


@router.get("/api/sessions/{session}/replay/view")
async def view_at(
    session: str,
    request: Request,
    service: Service,
    seq: int,
    perspective: str = "public",
    authorization: Authorization = None,
) -> Response:
    """What the perspective saw once every event up to `seq` had happened: the engine's
    `view` of the log folded to `seq` (a snapshot's `view`). The facilitator and a researcher
    also get the state hash there."""
    book = await book_of(request, service, session)
    reader = await reader_of(service, session, authorization, book)
    now = await asyncio.to_thread(book.state_at, book.head)
    try:
        viewer = rp.check(reader, now, perspective)
        state = await asyncio.to_thread(book.state_at, seq)
    except rp.Refused as exc:
        raise _refused(exc) from None
    seen = view(state, viewer)
    body: dict[str, Any] = {"seq": seq, "at": state.at, "view": seen.model_dump(mode="json")}
    if reader.whole:
        body["state_hash"] = state_hash(state)
        body["head_hash"] = book.hashes[seq - 1]
    return Response(orjson.dumps(body), media_type="application/json")


@router.get("/api/sessions/{session}/debrief")
async def read_debrief(
    session: str, request: Request, service: Service, authorization: Authorization = None
) -> Response:
    """The debrief (game/analysis/debrief.py) as this reader may see it: the facilitator and
    a researcher at any time, a seat once the session has ended (through `debrief_for`)."""
    book = await book_of(request, service, session)
    reader = await reader_of(service, session, authorization, book)
    now = await asyncio.to_thread(book.state_at, book.head)
    if not reader.whole and now.status != "concluded":
        raise HTTPException(
            403, {"code": "forbidden", "reason": "the debrief opens when the session ends"}
        )
    full = await asyncio.to_thread(book.derived, "debrief", debrief)
    viewer = FACILITATOR_VIEW if reader.whole else Viewer(role="seat", team=reader.team)
    seen = debrief_for(full, now, viewer)
    body = seen.model_dump(mode="json")
    body["reader"] = reader.kind
    body["first_at"] = book.events[0].at
    body["scenario"] = _public_scenario(now, viewer)
    return Response(orjson.dumps(body), media_type="application/json")


def _public_scenario(state: SessionState, viewer: Viewer) -> dict[str, Any]:
    """Names the debrief page needs: teams, regions, items and their issues (redacted as the
    viewer's snapshot would be)."""
    s = redact_scenario(state, viewer)
    return {
        "id": s.id,
        "title": s.title,
        "teams": [{"id": t.id, "name": t.name} for t in s.teams],
        "regions": [{"id": r.id, "name": r.name, "security": r.security} for r in s.regions],
        "agenda": [i.model_dump(mode="json") for i in s.agenda],
        "debrief_questions": list(s.debrief_questions),
    }


@router.get("/api/sessions/{session}/export/{name}")
async def export_file(
    session: str,
    name: str,
    request: Request,
    service: Service,
    pseudonymise: bool = False,
    authorization: Authorization = None,
) -> Response:
    """One export file: `log.jsonl`, `messages.csv`, `proposals.csv`, `utilities.csv`,
    `votes.csv`, `pledges.csv`, `scores.csv`, `security.csv`, `phases.csv`, `codebook.md`,
    `transcript.md`, `transcript.html`, or all of them in `bundle.zip`; `?pseudonymise=true`
    replaces players' names. The facilitator and a researcher only: these hold every
    channel."""
    if name not in tidy.FILES:
        raise HTTPException(404, {"code": "unknown", "reason": f"no export file '{name}'"})
    book = await book_of(request, service, session)
    reader = await reader_of(service, session, authorization, book)
    if not reader.whole:
        raise HTTPException(
            403, {"code": "forbidden", "reason": "exports are the facilitator's and researchers'"}
        )
    stored = await service.store.read(lambda c: list(st.iter_events(c, session)))

    def full_log() -> bytes:
        return b"".join(full_lines(stored))

    events = list(book.events[: len(stored)])
    body = await asyncio.to_thread(tidy.render, name, events, full_log, pseudonymise=pseudonymise)
    suffix = "-pseudonymised" if pseudonymise else ""
    stem, _, ext = name.partition(".")
    filename = f"{session}-{stem}{suffix}.{ext}"
    return Response(
        body,
        media_type=tidy.FILES[name],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


class ForkRequest(BaseModel):
    seq: int = Field(ge=1, description="Carry on from the state after this event.")
    title: str = Field(default="", max_length=200)


@router.post("/api/sessions/{session}/fork", status_code=201)
async def fork_session(
    session: str,
    body: ForkRequest,
    request: Request,
    service: Service,
    config: Config,
    authorization: Authorization = None,
) -> dict[str, Any]:
    """Start a new live session that carries on from `seq` (the facilitator or a researcher).
    Its log starts with the source's events up to `seq` under the new id, its first event
    recording the source, the seq and the state hash there; a session running then starts
    paused. Answers as `POST /api/sessions` does."""
    book = await book_of(request, service, session)
    reader = await reader_of(service, session, authorization, book)
    if not reader.whole:
        raise HTTPException(
            403, {"code": "forbidden", "reason": "only the facilitator or a researcher forks"}
        )
    now = await asyncio.to_thread(book.state_at, book.head)
    at = int(time.time() * 1000)
    try:
        made = await asyncio.to_thread(rp.fork, book, body.seq, body.title, at, now.status)
    except rp.Refused as exc:
        raise _refused(exc) from None
    await service.store.commit(made.batch)
    live = await service.live(made.session)
    base = config.base_url
    return {
        "session": made.session,
        "title": live.state.title,
        "facilitator_token": made.facilitator_token,
        "console_link": links.console_link(base, made.session, made.facilitator_token),
        "websocket": links.websocket_url(base, made.session),
        "join_links": [
            {
                "seat": seat,
                "team": live.state.seats[seat].team,
                "code": code,
                "link": links.join_link(base, made.session, seat, code),
            }
            for seat, code in made.join_codes.items()
        ],
        "forked_from": made.forked_from,
        "status": live.state.status,
        "seq": live.state.seq,
    }


@router.post("/api/imports", status_code=201)
async def import_log(request: Request, service: Service, config: Config) -> dict[str, Any]:
    """Import an export file (the JSON Lines of `chapter8 export` or `/export/log.jsonl`):
    its hash chain is checked and it is folded; the first bad line is refused naming its
    seq (422 `bad_log`). The session keeps its id (409 `duplicate` if this server holds it)
    and is stored as a record to replay, never live. Answers a researcher's token and the
    replay's link (with the token in the fragment)."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > IMPORT_LIMIT:
            raise HTTPException(413, {"code": "too_large", "reason": "the file is too large"})
    at = int(time.time() * 1000)
    try:
        result, kept = await asyncio.to_thread(rp.check_import, bytes(data).splitlines())
        imported = rp.import_batch(result, kept, at)
        await service.store.read(rp.store_import, imported, at)
    except rp.Refused as exc:
        raise _refused(exc) from None
    except IntegrityError:
        raise HTTPException(
            409, {"code": "duplicate", "reason": "this server already holds this session"}
        ) from None
    assert result.state is not None
    return {
        "session": imported.session,
        "title": result.state.title,
        "token": imported.token,
        "replay_link": f"{config.base_url}/replay/{imported.session}#{imported.token}",
        "events": result.events,
        "state_hash": result.state_hash,
        "head_hash": result.head_hash,
        "status": result.state.status,
    }


# --- pages ----------------------------------------------------------------------------------


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type="text/html", headers=PAGE_HEADERS)


@pages.get("/replay")
def replay_upload_page() -> FileResponse:
    """Open an export file in the viewer (researchers)."""
    return _page("replay.html")


@pages.get("/replay/{session}")
def replay_page(session: str) -> FileResponse:
    """The replay viewer (the token is in the fragment, or in the browser's storage)."""
    return _page("replay.html")


@pages.get("/debrief/{session}")
def debrief_page(session: str) -> FileResponse:
    """The debrief: scores, security, texts, votes, outcome spaces, pledges, interventions."""
    return _page("debrief.html")


@pages.get("/vendor/chart.js")
def chart_js() -> Response:
    """Chart.js, as `npm ci` (make node) installed it from package-lock.json."""
    if not CHART_JS.exists():
        raise HTTPException(404, {"code": "unknown", "reason": "run `make node` for Chart.js"})
    return FileResponse(
        CHART_JS,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(pages)
