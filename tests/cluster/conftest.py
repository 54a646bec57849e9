"""Fixtures: a cluster of server processes behind nginx, on the real PostgreSQL and Redis.

Whatever a test does to the machine's PostgreSQL or Redis, they are running again when it
ends (the fault tests also restore them in their own `finally`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cluster.harness import Cluster, pg_start, redis_start

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(autouse=True)
def _services_back() -> Iterator[None]:
    try:
        yield
    finally:
        pg_start()
        redis_start()


@pytest.fixture
def make_cluster(tmp_path: Path) -> Iterator[Callable[..., Cluster]]:
    made: list[Cluster] = []

    def make(
        n: int = 3, env: dict[str, str] | None = None, only: dict[int, dict[str, str]] | None = None
    ) -> Cluster:
        cluster = Cluster(tmp_path / f"cluster{len(made)}", n, env, only)
        made.append(cluster)
        return cluster.start()

    try:
        yield make
    finally:
        for cluster in made:
            cluster.close()


@pytest.fixture
def cluster(make_cluster: Callable[..., Cluster]) -> Cluster:
    return make_cluster(3)
