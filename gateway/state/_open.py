"""Choose the backend from the URL scheme."""

from __future__ import annotations

from ._protocol import Store
from ._redis import RedisStore
from ._sqlite import SQLiteStore
from ._url import SQLITE_SCHEME, mask_url, scheme_of, sqlite_path


def open_store(url: str, *, timeout: float = 0.25, namespace: str = "casb:") -> Store:
    """Open the store named by ``url``; ConfigError (listing accepted schemes) if malformed.

    ``timeout`` bounds each operation's wait (Redis socket and connect timeouts, SQLite busy
    timeout); ``namespace`` prefixes every key so deployments can share one Redis or file.
    Redis connects lazily (call ``ping()`` to check); SQLite opens and creates the file now.
    """
    if scheme_of(url) == SQLITE_SCHEME:
        return SQLiteStore(
            sqlite_path(url), timeout=timeout, namespace=namespace, url=mask_url(url)
        )
    return RedisStore(url, timeout=timeout, namespace=namespace)
