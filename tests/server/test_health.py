"""Health, readiness (database and Redis), metrics, the scenario catalogue and OpenAPI."""

from __future__ import annotations

import os

import httpx
import pytest

from tests.server.conftest import make_server
from tests.server.play import seat_up

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
REDIS = os.environ.get("CHAPTER8_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request, tmp_path_factory):
    yield from make_server(request, tmp_path_factory.mktemp(request.param), {"REDIS_URL": REDIS})


async def test_health_and_readiness(server):
    async with server.http() as h:
        assert (await h.get("/healthz")).json() == {"ok": True}
        ready = await h.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    assert ready.json()["degraded"] == []


@pytest.fixture(scope="module")
def redisless(tmp_path_factory):
    request = type("Param", (), {"param": "sqlite"})()
    nowhere = {"REDIS_URL": "redis://127.0.0.1:1/0"}  # nothing listens on port 1
    yield from make_server(request, tmp_path_factory.mktemp("redisless"), nowhere)


async def test_without_redis_the_process_is_ready_but_degraded(redisless):
    """Fan-out falls back to polling the database, so a lost Redis degrades, not stops."""
    async with redisless.http() as h:
        ready = await h.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["redis"] != "ok"
    assert ready.json()["degraded"] == ["redis"]


async def test_metrics_count_commands_and_rejections(server):
    table = await seat_up(server)
    await table.f.ok({"type": "start"})
    await table.seats["au"].do({"type": "end"})
    async with server.http() as h:
        text = (await h.get("/metrics")).text
    assert 'chapter8_commands_total{type="start"}' in text
    assert 'chapter8_rejections_total{code="not_allowed"}' in text
    assert "chapter8_command_seconds_bucket" in text
    assert "chapter8_connections 4.0" in text
    assert "chapter8_sessions_live" in text
    await table.close()


async def test_scenarios_show_public_parts_only(server):
    async with server.http() as h:
        listed = (await h.get("/api/scenarios")).json()
        canary = (await h.get("/api/scenarios/canary")).text
        missing = await h.get("/api/scenarios/nope")
    assert {"tiny", "quick", "canary"} <= {s["id"] for s in listed}
    assert "CANARY" not in canary and "injects" in canary
    assert missing.status_code == 404


def test_openapi_is_served(server):
    spec = httpx.get(f"{server.base}/openapi.json").json()
    assert "/api/sessions/{session}/join" in spec["paths"]
    assert httpx.get(f"{server.base}/docs").status_code == 200
