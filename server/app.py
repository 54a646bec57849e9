"""The FastAPI application: built by `create_app(settings)`, its resources opened and closed
by the lifespan (store and migrations, fan-out, the session service and its reload)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from server import ws
from server.bothost import BotHost
from server.catalog import Catalog
from server.fanout import Fanout, InProcessFanout
from server.fanout_redis import RedisFanout
from server.metrics import Metrics
from server.routes import bots as bot_routes
from server.routes import health, pages, replay, scenarios, seats, sessions
from server.service.sessions import SessionService
from server.settings import Settings
from server.store.database import migrate, open_engine
from server.store.store import Store

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    on_ready: Callable[[SessionService], Awaitable[object]] | None = None,
) -> FastAPI:
    """The app. `on_ready` runs once the service has reloaded its sessions (the CLI prints
    the URL and the demo links there)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = open_engine(settings)
        await asyncio.to_thread(migrate, engine)
        store = Store(engine, asyncio.get_running_loop())
        fanout: Fanout = (
            RedisFanout(settings.redis_url, prefix=settings.redis_prefix)
            if settings.redis_url
            else InProcessFanout()
        )
        service = SessionService(
            settings, store, fanout, Catalog(settings.scenarios_dir), Metrics()
        )
        app.state.settings = settings
        app.state.service = service
        await service.start()
        bots = BotHost(service, settings)  # plays the seats given to bots (server/bothost.py)
        app.state.bots = bots
        await bots.start()
        if on_ready is not None:
            await on_ready(service)
        try:
            yield
        finally:
            await bots.stop()
            await service.stop()
            store.close()

    app = FastAPI(
        title="Chapter VIII",
        summary="Multilateral negotiation role-play: the UN, the Security Council and regional "
        "organisations under Chapter VIII of the Charter.",
        version="1",
        lifespan=lifespan,
    )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # A person's reason, never the input echoed (it may hold a token or a join code).
        where = [".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in exc.errors()[:3]]
        return JSONResponse({"detail": {"code": "bad_request", "reason": "; ".join(where)}}, 422)

    app.include_router(health.router)
    app.include_router(scenarios.router)
    app.include_router(sessions.router)
    app.include_router(seats.router)
    app.include_router(bot_routes.router)
    app.include_router(ws.router)
    pages.install(app)
    replay.install(app)
    return app
