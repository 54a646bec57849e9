"""Sessions: create one, read its summary, download its log (a live session's, or an
imported one's from its stored log: server/routes/records.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from game import disclosure
from game.disclosure import Viewer
from game.state import SessionState
from server import links
from server.deps import Config, Service, optional_principal
from server.export import full_lines, projected_lines
from server.routes import records
from server.routes.records import Authorization
from server.service.sessions import NotFound
from server.store import store as st

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


class CreateSession(BaseModel):
    scenario: str = Field(description="A scenario id from /api/scenarios.")
    title: str = Field(default="", max_length=200)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)


class JoinLink(BaseModel):
    seat: str
    team: str
    link: str
    code: str


class CreatedSession(BaseModel):
    session: str
    title: str
    facilitator_token: str = Field(description="Keep it: it is shown once.")
    console_link: str
    websocket: str
    join_links: list[JoinLink]


@router.post("", status_code=201)
async def create_session(body: CreateSession, service: Service, config: Config) -> CreatedSession:
    """Create a session from a scenario. Answers the facilitator's token and one join link per
    seat; the secrets are in the links' fragments."""
    scenario = service.catalog.get(body.scenario)
    if scenario is None:
        raise HTTPException(404, {"code": "unknown", "reason": "no such scenario"})
    title = body.title or scenario.title
    created = await service.create(body.scenario, title, body.seed)
    live = await service.live(created.session)
    base = config.base_url
    return CreatedSession(
        session=created.session,
        title=title,
        facilitator_token=created.facilitator_token,
        console_link=links.console_link(base, created.session, created.facilitator_token),
        websocket=links.websocket_url(base, created.session),
        join_links=[
            JoinLink(
                seat=seat,
                team=live.state.seats[seat].team,
                code=code,
                link=links.join_link(base, created.session, seat, code),
            )
            for seat, code in created.join_codes.items()
        ],
    )


@router.get("/{session}")
async def read_session(
    session: str, request: Request, service: Service, authorization: Authorization = None
) -> dict[str, Any]:
    """The session's public summary. The facilitator also gets the state hash, the chain's
    head, the next deadline and who is connected. An imported session answers from its log,
    marked `imported`, its researcher getting the state hash and the chain's head."""
    if await service.is_record(session):
        return await records.record_summary(request, service, session, authorization)
    principal = await optional_principal(service, authorization)
    live = await _live(service, session)
    viewer = (
        principal.viewer
        if principal is not None and principal.session == session
        else disclosure.SPECTATOR_VIEW
    )
    return await live.call(lambda: live.summary(viewer))


@router.get("/{session}/log", response_class=Response)
async def read_log(
    session: str, request: Request, service: Service, authorization: Authorization = None
) -> Response:
    """The event log as JSON Lines. The facilitator (or, of an imported session, the
    researcher) gets every event with its hash; a player gets its own projection once the
    scenario declassifies the log."""
    if await service.is_record(session):
        return await _record_log(request, service, session, authorization)
    principal = await optional_principal(service, authorization)
    live = await _live(service, session)
    if principal is None:
        raise HTTPException(401, {"code": "unauthorized", "reason": "a bearer token is needed"})
    if principal.session != session:
        raise HTTPException(403, {"code": "forbidden", "reason": "not a token of this session"})
    events = await service.store.read(lambda c: list(st.iter_events(c, session)))
    if principal.kind == "facilitator":
        return _jsonl(full_lines(events))
    state = live.state
    _check_declassified(state)
    return _jsonl(projected_lines(events, principal.viewer, state))


async def _record_log(
    request: Request, service: Service, session: str, authorization: str | None
) -> Response:
    """An imported session's log, under the same rules as a live one's."""
    book = await records.book_of(request, service, session)
    reader = await records.reader_of(service, session, authorization, book)
    events = await service.store.read(lambda c: list(st.iter_events(c, session)))
    if reader.whole:
        return _jsonl(full_lines(events))
    state = await asyncio.to_thread(book.state_at, book.head)
    _check_declassified(state)
    return _jsonl(projected_lines(events, Viewer(role="seat", team=reader.team), state))


def _check_declassified(state: SessionState) -> None:
    if not disclosure.opened(state, state.scenario.declassify.log):
        raise HTTPException(403, {"code": "forbidden", "reason": "the log is not declassified yet"})


def _jsonl(lines: Iterable[bytes]) -> Response:
    return Response(b"".join(lines), media_type="application/x-ndjson")


async def _live(service: Service, session: str):  # type: ignore[no-untyped-def]
    try:
        return await service.live(session)
    except NotFound:
        raise HTTPException(404, {"code": "unknown", "reason": "no such session"}) from None
