"""The browser UI: its pages and static files, and the two routes only the facilitator's console
uses (a join link's QR code, and a session as one team sees it).

The pages are plain HTML and ES modules from `static/`, served as they are. A page never
carries a secret: join codes and the facilitator's token travel in the link's fragment (`#...`),
which the browser keeps to itself, and the pages move them into the browser's storage.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from starlette.staticfiles import StaticFiles

from game.disclosure import Viewer
from game.views import view
from server import auth, links
from server.deps import Config, MaybePrincipal, Service, facilitator_of
from server.routes.sessions import _live
from server.store import store as st

STATIC = Path(__file__).resolve().parents[2] / "static"

# Scripts and styles come from this server only; the socket goes back to it; QR codes are
# blob: images. No page may be framed (a join link's page would be a clickjacking target).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/sessions/{session}", tags=["console"])


class Static(StaticFiles):
    """`static/` with revalidation on every load: a class never runs yesterday's script."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type="text/html", headers=PAGE_HEADERS)


@router.get("/")
def home() -> FileResponse:
    """The facilitator's start page: pick a scenario, create a session."""
    return _page("index.html")


@router.get("/join/{session}/{seat}")
def join_page(session: str, seat: str) -> FileResponse:
    """A join link: the lobby, then the players' room (the join code is in the fragment)."""
    return _page("player.html")


@router.get("/play/{session}")
def play_page(session: str) -> FileResponse:
    """The players' room once joined (the seat token is in the browser's storage)."""
    return _page("player.html")


@router.get("/console/{session}")
def console_page(session: str) -> FileResponse:
    """The facilitator's console (the token is in the fragment, then in storage)."""
    return _page("console.html")


class QrRequest(BaseModel):
    code: str = Field(min_length=1, max_length=100, description="A live join code of the seat.")


@api.post("/seats/{seat}/qr", response_class=Response)
async def join_qr(
    session: str,
    seat: str,
    body: QrRequest,
    service: Service,
    config: Config,
    principal: MaybePrincipal,
) -> Response:
    """The seat's join link as an SVG QR code, for a projector (facilitator only). The code is
    posted, never put in a URL, and must still open this seat."""
    await _live(service, session)
    facilitator_of(principal, session)
    row = await service.store.read(st.credential, auth.digest(body.code))
    if row is None or row["kind"] != "join" or row["session_id"] != session or row["seat"] != seat:
        raise HTTPException(404, {"code": "unknown", "reason": "not a live join code of this seat"})
    import segno

    qr = segno.make(links.join_link(config.base_url, session, seat, body.code), error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=8, border=2, dark="#000", light="#fff", xmldecl=False)
    return Response(
        out.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


@api.get("/view")
async def view_as(
    session: str, team: str, service: Service, principal: MaybePrincipal
) -> dict[str, Any]:
    """The session exactly as one team's seats see it now (facilitator only): the console's
    "view as team X" shows this, projected by the engine, not re-derived in the browser."""
    live = await _live(service, session)
    facilitator_of(principal, session)
    if team not in live.state.teams:
        raise HTTPException(404, {"code": "unknown", "reason": "no such team"})
    viewer = Viewer(role="seat", team=team)
    return await live.call(lambda: view(live.state, viewer).model_dump(mode="json"))


def install(app: FastAPI) -> None:
    """Register the pages, the console's routes and `/static` on the app."""
    app.include_router(router)
    app.include_router(api)
    app.mount("/static", Static(directory=STATIC), name="static")
