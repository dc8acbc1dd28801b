"""Fixtures: every contract test runs once per backend against real storage.

SQLite gets a fresh file per test; Redis is one real redis-server per session, and each test
works in its own namespace so tests cannot see each other's keys.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from gateway.state import Store, open_store
from tests.redis_server import RedisServer

BACKENDS = ["sqlite", "redis"]
OpenStore = Callable[..., Store]


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path_factory.mktemp('state')}/state.db"
    server: RedisServer = request.getfixturevalue("redis_server")
    return server.url


@pytest.fixture
def open_test_store(store_url: str) -> Iterator[OpenStore]:
    """Open stores on this test's backend; namespaces are unique to the test unless given."""
    test_ns = f"test-{uuid.uuid4().hex[:8]}:"
    opened: list[Store] = []

    def _open(*, namespace: str = "", timeout: float = 0.25) -> Store:
        store = open_store(store_url, timeout=timeout, namespace=test_ns + namespace)
        opened.append(store)
        return store

    yield _open
    for store in opened:
        store.delete_prefix("")
        store.close()


@pytest.fixture
def store(open_test_store: OpenStore) -> Store:
    return open_test_store()
