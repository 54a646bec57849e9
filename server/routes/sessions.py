"""Sessions: create one, read its summary, download its log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, Field

from game import disclosure
from server import links
from server.deps import Config, MaybePrincipal, Service
from server.export import full_lines, projected_lines
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
async def read_session(session: str, service: Service, principal: MaybePrincipal) -> dict[str, Any]:
    """The session's public summary. The facilitator also gets the state hash, the chain's
    head, the next deadline and who is connected."""
    live = await _live(service, session)
    viewer = (
        principal.viewer
        if principal is not None and principal.session == session
        else disclosure.SPECTATOR_VIEW
    )
    return await live.call(lambda: live.summary(viewer))


@router.get("/{session}/log", response_class=Response)
async def read_log(session: str, service: Service, principal: MaybePrincipal) -> Response:
    """The event log as JSON Lines. The facilitator gets every event with its hash; a player
    gets its own projection once the scenario declassifies the log."""
    live = await _live(service, session)
    if principal is None:
        raise HTTPException(401, {"code": "unauthorized", "reason": "a bearer token is needed"})
    if principal.session != session:
        raise HTTPException(403, {"code": "forbidden", "reason": "not a token of this session"})
    events = await service.store.read(lambda c: list(st.iter_events(c, session)))
    if principal.kind == "facilitator":
        body = b"".join(full_lines(events))
    else:
        state = live.state
        if not disclosure.opened(state, state.scenario.declassify.log):
            raise HTTPException(
                403, {"code": "forbidden", "reason": "the log is not declassified yet"}
            )
        body = b"".join(projected_lines(events, principal.viewer, state))
    return Response(body, media_type="application/x-ndjson")


async def _live(service: Service, session: str):  # type: ignore[no-untyped-def]
    try:
        return await service.live(session)
    except NotFound:
        raise HTTPException(404, {"code": "unknown", "reason": "no such session"}) from None
