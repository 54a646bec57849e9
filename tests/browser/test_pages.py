"""The pages and the console's routes over plain HTTP: pages carry no secret and a strict CSP,
static files revalidate, and the QR code and "view as" routes are the facilitator's only."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.browser


def test_pages_are_served_with_a_csp(server):
    for path in ("/", "/join/abc/au.1", "/play/abc", "/console/abc"):
        r = httpx.get(server.base + path, timeout=10)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-cache"
    r = httpx.get(server.base + "/static/js/net.js", timeout=10)
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert r.headers["cache-control"] == "no-cache"
    assert httpx.get(server.base + "/static/nope.js", timeout=10).status_code == 404


def test_qr_and_view_as_are_the_facilitators(server):
    created = httpx.post(
        f"{server.base}/api/sessions", json={"scenario": "tutorial"}, timeout=10
    ).json()
    session, fac = created["session"], created["facilitator_token"]
    link = next(j for j in created["join_links"] if j["seat"] == "au.1")
    joined = httpx.post(
        f"{server.base}/api/sessions/{session}/join", json={"code": link["code"]}, timeout=10
    ).json()
    player = joined["token"]
    qr = f"{server.base}/api/sessions/{session}/seats/au.1/qr"

    def post(token, code):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(qr, json={"code": code}, headers=headers, timeout=10)

    ok = post(fac, link["code"])
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("image/svg+xml")
    assert ok.content.lstrip().startswith(b"<svg") and b"xmlns" in ok.content[:200]
    assert post(None, link["code"]).status_code == 401
    assert post(player, link["code"]).status_code == 403
    assert post(fac, "not-a-code").status_code == 404
    other = next(j for j in created["join_links"] if j["seat"] == "eu.1")
    assert post(fac, other["code"]).status_code == 404, "a code opens its own seat only"

    view = f"{server.base}/api/sessions/{session}/view"
    as_eu = httpx.get(
        view, params={"team": "eu"}, headers={"Authorization": f"Bearer {fac}"}, timeout=10
    )
    assert as_eu.status_code == 200
    body = as_eu.json()
    assert body["viewer"] == {"role": "seat", "team": "eu", "seat": None}
    briefs = {t["id"]: t["brief"] for t in body["state"]["scenario"]["teams"]}
    assert briefs["eu"] and not briefs["au"] and not briefs["sg"]
    assert (
        httpx.get(
            view, params={"team": "eu"}, headers={"Authorization": f"Bearer {player}"}, timeout=10
        ).status_code
        == 403
    )
    assert (
        httpx.get(
            view, params={"team": "zz"}, headers={"Authorization": f"Bearer {fac}"}, timeout=10
        ).status_code
        == 404
    )
