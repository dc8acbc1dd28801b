"""The embedded store: one SQLite file shared by threads, processes and restarts.

WAL lets readers run beside the one writer; every operation is its own short transaction
(``BEGIN IMMEDIATE`` when it reads then writes, so two processes cannot interleave a counter).
Expiry is an absolute wall-clock time because monotonic clocks are not shared between
processes or restarts; reads ignore expired rows and writes purge them now and then.
WAL needs a local filesystem: put the file on local disk, not NFS.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gateway.errors import StoreError, StoreUnavailable

from ._common import check_ttl, new_counter_value

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    expires_at REAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_expires_at ON kv (expires_at) WHERE expires_at IS NOT NULL;
"""
# Every read filters out expired rows; the queries are literals (no SQL is built at run time).
_GET = "SELECT value FROM kv WHERE key = :key AND (expires_at IS NULL OR expires_at > :now)"
_GET_WITH_EXPIRY = (
    "SELECT value, expires_at FROM kv WHERE key = :key"
    " AND (expires_at IS NULL OR expires_at > :now)"
)
_PUT = "INSERT OR REPLACE INTO kv VALUES (:key, :value, :expires_at)"
_UPSERT = (
    "INSERT INTO kv VALUES (:key, :value, :expires_at) ON CONFLICT (key) DO UPDATE"
    " SET value = excluded.value, expires_at = excluded.expires_at"
)
_INSERT_IF_ABSENT = _UPSERT + " WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= :now"
_DELETE = "DELETE FROM kv WHERE key = :key AND (expires_at IS NULL OR expires_at > :now)"
# Prefixes are key ranges [low, high) rather than LIKE/GLOB: no wildcard escaping, exact case,
# indexed. With no finite upper bound, high is an empty BLOB: SQLite sorts every TEXT below it.
_KEYS = (
    "SELECT key FROM kv WHERE key >= :low AND key < :high"
    " AND (expires_at IS NULL OR expires_at > :now) ORDER BY key"
)
_DELETE_RANGE_LIVE = (
    "DELETE FROM kv WHERE key >= :low AND key < :high AND (expires_at IS NULL OR expires_at > :now)"
)
_DELETE_RANGE = "DELETE FROM kv WHERE key >= :low AND key < :high"
_PURGE = "DELETE FROM kv WHERE key IN (SELECT key FROM kv WHERE expires_at <= :now LIMIT :batch)"
# SQLite primary result codes that mean "not reachable right now" rather than "broken".
_UNAVAILABLE_CODES = frozenset({
    sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_FULL,
})  # fmt: skip
PURGE_INTERVAL = 60.0
_PURGE_BATCH = 1000


class SQLiteStore:
    """A ``Store`` on one SQLite file; safe to share between threads and processes."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 0.25,
        namespace: str = "casb:",
        url: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.url = url or f"sqlite:{self.path}"
        self._timeout = timeout
        self._ns = namespace
        self._idle: list[sqlite3.Connection] = []  # a pool: a connection is used by one thread
        self._lock = threading.Lock()
        self._closed = False
        self._next_purge = 0.0
        with self._connection() as con:
            con.executescript(_SCHEMA)
        self._maybe_purge()

    # -- the protocol -----------------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        with self._connection() as con:
            row = con.execute(_GET, self._args(key)).fetchone()
        return None if row is None else bytes(row[0])

    def set(
        self, key: str, value: bytes, *, ttl: float | None = None, only_if_absent: bool = False
    ) -> bool:
        args = self._args(key, value=bytes(value), expires_at=self._expiry(ttl))
        sql = _INSERT_IF_ABSENT if only_if_absent else _UPSERT  # one atomic statement either way
        with self._connection() as con:
            written = con.execute(sql, args).rowcount > 0
        self._maybe_purge()
        return written

    def delete(self, key: str) -> bool:
        with self._connection() as con:
            return con.execute(_DELETE, self._args(key)).rowcount > 0

    def incr(self, key: str, amount: int = 1, *, ttl: float | None = None) -> int:
        expires_at = self._expiry(ttl)
        with self._transaction() as con:
            row = con.execute(_GET_WITH_EXPIRY, self._args(key)).fetchone()
            current, kept = (None, expires_at) if row is None else (bytes(row[0]), row[1])
            value = new_counter_value(current, amount)
            con.execute(_PUT, self._args(key, value=str(value).encode(), expires_at=kept))
        self._maybe_purge()
        return value

    def compare_and_set(
        self, key: str, expected: bytes | None, new: bytes, *, ttl: float | None = None
    ) -> bool:
        expires_at = self._expiry(ttl)
        with self._transaction() as con:
            row = con.execute(_GET, self._args(key)).fetchone()
            current = None if row is None else bytes(row[0])
            if current != expected:
                return False
            con.execute(_PUT, self._args(key, value=bytes(new), expires_at=expires_at))
        self._maybe_purge()
        return True

    def ttl(self, key: str) -> float | None:
        now = time.time()
        with self._connection() as con:
            row = con.execute(_GET_WITH_EXPIRY, {"key": self._ns + key, "now": now}).fetchone()
        if row is None or row[1] is None:
            return None
        return max(0.0, float(row[1]) - now)

    def keys(self, prefix: str) -> list[str]:
        with self._connection() as con:
            rows = con.execute(_KEYS, self._prefix_range(prefix)).fetchall()
        return [str(row[0])[len(self._ns) :] for row in rows]

    def delete_prefix(self, prefix: str) -> int:
        args = self._prefix_range(prefix)
        with self._transaction() as con:
            live = con.execute(_DELETE_RANGE_LIVE, args).rowcount
            con.execute(_DELETE_RANGE, args)
        return live

    def ping(self) -> None:
        with self._connection() as con:
            con.execute("SELECT 1 FROM kv LIMIT 1").fetchall()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for con in idle:
            con.close()

    def purge_expired(self) -> int:
        """Delete expired rows in small batches so no transaction holds the lock for long."""
        total = 0
        while True:
            with self._connection() as con:
                n = con.execute(_PURGE, {"now": time.time(), "batch": _PURGE_BATCH}).rowcount
            total += n
            if n < _PURGE_BATCH:
                return total

    # -- plumbing ---------------------------------------------------------------------------

    def _args(self, key: str, **extra: object) -> dict[str, object]:
        return {"key": self._ns + key, "now": time.time(), **extra}

    def _expiry(self, ttl: float | None) -> float | None:
        ttl = check_ttl(ttl)
        return None if ttl is None else time.time() + ttl

    def _prefix_range(self, prefix: str) -> dict[str, object]:
        low = self._ns + prefix
        high = _successor(low)
        return {"low": low, "high": b"" if high is None else high, "now": time.time()}

    def _maybe_purge(self) -> None:
        """Purging is housekeeping: if the file is busy, the next interval will do it."""
        now = time.monotonic()
        if now >= self._next_purge:
            self._next_purge = now + PURGE_INTERVAL
            with contextlib.suppress(StoreUnavailable):
                self.purge_expired()

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """Borrow a pooled connection (autocommit: each statement its own transaction)."""
        try:
            with self._lock:
                if self._closed:
                    raise StoreError(f"{self.url}: the store is closed")
                con = self._idle.pop() if self._idle else None
            if con is None:
                con = self._connect()
            try:
                yield con
            finally:
                with self._lock:
                    if self._closed or con.in_transaction:
                        con.close()
                    else:
                        self._idle.append(con)
        except sqlite3.Error as e:
            raise self._translate(e) from e

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front, so read-modify-write cannot interleave."""
        with self._connection() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            con.commit()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(
            self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        try:
            con.execute("PRAGMA journal_mode = WAL")
            # Durable across a crash of the process; a power cut may lose the last commits,
            # which is acceptable for sessions, counters and nonces.
            con.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error:
            con.close()
            raise
        return con

    def _translate(self, e: sqlite3.Error) -> StoreError:
        code = getattr(e, "sqlite_errorcode", None)
        if code is None:  # no code (rare): an OperationalError is still about the file's state
            unavailable = isinstance(e, sqlite3.OperationalError)
        else:
            unavailable = code & 0xFF in _UNAVAILABLE_CODES
        return (StoreUnavailable if unavailable else StoreError)(f"{self.url}: {e}")


def _successor(s: str) -> str | None:
    """The smallest string greater than every string that starts with ``s`` (None: none)."""
    chars = list(s)
    while chars:
        last = ord(chars.pop()) + 1
        if last == 0xD800:  # surrogates cannot be encoded; skip them
            last = 0xE000
        if last <= 0x10FFFF:
            return "".join(chars) + chr(last)
    return None
