"""SQLite specifics: a file that survives restarts and that several processes share safely."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.errors import StoreError, StoreUnavailable
from gateway.state import SQLiteStore, open_store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def store(db: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(db)
    yield store
    store.close()


def rows_in(db: Path) -> int:
    with sqlite3.connect(db) as con:
        count: int = con.execute("SELECT count(*) FROM kv").fetchone()[0]
    con.close()
    return count


def increment_many(url: str, times: int) -> None:
    """Runs in a child process: a separate interpreter with its own store."""
    store = open_store(url, timeout=5)
    for _ in range(times):
        store.incr("shared-counter")
    store.close()


def test_open_store_accepts_an_absolute_path(db: Path) -> None:
    store = open_store(f"sqlite://{db}")  # sqlite:// + /abs/path = sqlite:///abs/path
    assert isinstance(store, SQLiteStore)
    assert store.url == f"sqlite://{db}"
    store.close()
    assert db.exists()


def test_open_store_accepts_a_path_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "var").mkdir()
    store = open_store("sqlite:var/state.db")
    store.set("k", b"v")
    store.close()
    assert (tmp_path / "var" / "state.db").exists()


def test_values_survive_a_restart_and_expired_ones_do_not(db: Path) -> None:
    first = SQLiteStore(db)
    first.set("kept", b"v")
    first.incr("count", 3)
    first.set("fleeting", b"v", ttl=0.2)
    first.close()
    time.sleep(0.3)

    second = SQLiteStore(db)
    assert second.get("kept") == b"v"
    assert second.incr("count") == 4
    assert second.get("fleeting") is None
    assert rows_in(db) == 2  # opening purged the expired row from the file
    second.close()


def test_the_file_is_in_wal_mode(store: SQLiteStore, db: Path) -> None:
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_two_processes_incrementing_the_same_file_lose_nothing(db: Path) -> None:
    url = f"sqlite://{db}"
    SQLiteStore(db).close()  # create the schema once, before the race
    spawn = multiprocessing.get_context("spawn")  # fork is unsafe in a threaded test process
    workers = [spawn.Process(target=increment_many, args=(url, 300)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    store = SQLiteStore(db)
    assert store.get("shared-counter") == b"600"
    store.close()


def test_a_long_writer_elsewhere_makes_writes_unavailable_but_reads_still_work(
    store: SQLiteStore, db: Path
) -> None:
    store.set("k", b"v")
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # e.g. a CLI command stuck mid-transaction
    try:
        start = time.monotonic()
        with pytest.raises(StoreUnavailable, match="locked"):
            store.incr("n")
        assert time.monotonic() - start < 1.5
        assert store.get("k") == b"v"  # WAL: readers are never blocked by the writer
    finally:
        other.rollback()
        other.close()
    assert store.incr("n") == 1


def test_expired_rows_are_purged_from_the_file(store: SQLiteStore, db: Path) -> None:
    for i in range(5):
        store.set(f"short:{i}", b"v", ttl=0.1)
    store.set("long", b"v")
    time.sleep(0.2)
    assert store.purge_expired() == 5
    assert rows_in(db) == 1


def test_an_empty_namespace_and_prefix_list_every_key(db: Path) -> None:
    store = SQLiteStore(db, namespace="")
    for key in ("", "a", "\U0010ffff", "\U0010ffff\U0010ffffz"):
        store.set(key, b"v")
    assert store.keys("") == ["", "a", "\U0010ffff", "\U0010ffff\U0010ffffz"]
    assert store.keys("\U0010ffff") == ["\U0010ffff", "\U0010ffff\U0010ffffz"]
    assert store.delete_prefix("") == 4
    store.close()


def test_a_missing_directory_is_unavailable_with_the_path_in_the_message(
    tmp_path: Path,
) -> None:
    with pytest.raises(StoreUnavailable, match="no-such-dir"):
        open_store(f"sqlite://{tmp_path}/no-such-dir/state.db")


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError) as caught:
        SQLiteStore(junk)
    assert not isinstance(caught.value, StoreUnavailable)


def test_a_closed_store_refuses_work(db: Path) -> None:
    store = SQLiteStore(db)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.get("k")
