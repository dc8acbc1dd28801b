"""Fixtures shared by the whole suite: one real redis-server per session."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from gateway.state import Store, open_store
from tests.redis_server import RedisServer

OpenStore = Callable[[], Store]


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(params=["sqlite", "redis"])
def open_shared(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenStore]:
    """Opens independent clients of one store, as two gateway processes would, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path_factory.mktemp('state')}/state.db"
    else:
        url = request.getfixturevalue("redis_server").url
    ns = f"t-{uuid.uuid4().hex[:8]}:"
    opened: list[Store] = []

    def _open() -> Store:
        s = open_store(url, timeout=2.0, namespace=ns)
        opened.append(s)
        return s

    yield _open
    if opened:
        opened[0].delete_prefix("")
    for s in opened:
        s.close()
