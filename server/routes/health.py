"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from server.deps import Service
from server.store import store as st

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, bool]:
    """The process is up."""
    return {"ok": True}


@router.get("/readyz")
async def readyz(service: Service) -> JSONResponse:
    """The process can serve when the database answers. Redis (when REDIS_URL is set) is
    reported but does not make the process unready: without it the other processes' commits
    still arrive, by polling the database, only later — so it is `degraded`, not down."""
    checks: dict[str, str] = {}
    try:
        await service.store.read(st.ping)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = type(exc).__name__
    if service.settings.redis_url:
        checks["redis"] = await _redis(service.settings.redis_url)
    ok = checks["database"] == "ok"
    degraded = sorted(k for k, v in checks.items() if v != "ok" and k != "database")
    body = {"ok": ok, "checks": checks, "degraded": degraded}
    return JSONResponse(body, status_code=200 if ok else 503)


async def _redis(url: str) -> str:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
        return "ok"
    except Exception as exc:
        return type(exc).__name__
    finally:
        await client.aclose()


@router.get("/metrics", response_class=Response)
def metrics(service: Service) -> Response:
    """Prometheus metrics."""
    return Response(service.metrics.render(), media_type="text/plain; version=0.0.4")
