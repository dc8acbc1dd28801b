"""The state store: one protocol, Redis for shared deployments, SQLite as the embedded default.

Sessions, counters, nonces and tokens live here so that several gateway processes (and the
``casb`` command) see the same state. Pick a backend with ``open_store(url)``.
"""

from ._open import open_store
from ._protocol import Store
from ._redis import RedisStore
from ._sqlite import SQLiteStore

__all__ = ["RedisStore", "SQLiteStore", "Store", "open_store"]
