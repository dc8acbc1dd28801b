"""The store contract: every test here runs against SQLite and Redis, with identical results."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from gateway.errors import StoreError
from gateway.state import Store

OpenStore = Callable[..., Store]  # the open_test_store fixture

SHORT_TTL = 0.3
PAST_TTL = 0.45  # sleep this long to be sure a SHORT_TTL key has expired


def run_in_threads(count: int, work: Callable[[], None]) -> None:
    """Start all threads at once (a barrier) so they really contend."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def target() -> None:
        barrier.wait()
        try:
            work()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=target) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_store_satisfies_the_protocol(store: Store) -> None:
    assert isinstance(store, Store)


# -- get / set / delete ---------------------------------------------------------------------


def test_missing_key_reads_as_none(store: Store) -> None:
    assert store.get("nothing-here") is None


def test_set_stores_arbitrary_bytes(store: Store) -> None:
    value = bytes(range(256))
    assert store.set("blob", value) is True
    assert store.get("blob") == value


def test_empty_value_is_a_value_not_an_absence(store: Store) -> None:
    store.set("empty", b"")
    assert store.get("empty") == b""
    assert store.set("empty", b"x", only_if_absent=True) is False


def test_unicode_keys_round_trip(store: Store) -> None:
    store.set("user:zoë/ü€", b"1")
    assert store.get("user:zoë/ü€") == b"1"
    assert store.keys("user:") == ["user:zoë/ü€"]


def test_set_overwrites_the_value_and_drops_an_earlier_ttl(store: Store) -> None:
    store.set("k", b"old", ttl=60)
    store.set("k", b"new")
    assert store.get("k") == b"new"
    assert store.ttl("k") is None


def test_value_expires_after_its_ttl(store: Store) -> None:
    store.set("session", b"alice", ttl=SHORT_TTL)
    assert store.get("session") == b"alice"
    time.sleep(PAST_TTL)
    assert store.get("session") is None
    assert store.ttl("session") is None


def test_only_if_absent_writes_once(store: Store) -> None:
    assert store.set("nonce", b"first", only_if_absent=True) is True
    assert store.set("nonce", b"second", only_if_absent=True) is False
    assert store.get("nonce") == b"first"


def test_only_if_absent_succeeds_once_the_old_value_expired(store: Store) -> None:
    store.set("lock", b"a", ttl=SHORT_TTL)
    assert store.set("lock", b"b", only_if_absent=True) is False
    time.sleep(PAST_TTL)
    assert store.set("lock", b"b", only_if_absent=True) is True
    assert store.get("lock") == b"b"


def test_delete_reports_whether_a_value_was_there(store: Store) -> None:
    store.set("k", b"v")
    assert store.delete("k") is True
    assert store.delete("k") is False
    assert store.get("k") is None


def test_ttl_must_be_positive(store: Store) -> None:
    for bad in (0, -1, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="ttl"):
            store.set("k", b"v", ttl=bad)
        with pytest.raises(ValueError, match="ttl"):
            store.incr("n", ttl=bad)
    assert store.get("k") is None
    assert store.get("n") is None


# -- ttl() ----------------------------------------------------------------------------------


def test_ttl_is_none_for_absent_keys_and_keys_without_expiry(store: Store) -> None:
    assert store.ttl("absent") is None
    store.set("forever", b"v")
    assert store.ttl("forever") is None


def test_ttl_counts_down_the_remaining_seconds(store: Store) -> None:
    store.set("k", b"v", ttl=10)
    first = store.ttl("k")
    assert first is not None and 9.0 < first <= 10.0
    time.sleep(0.1)
    second = store.ttl("k")
    assert second is not None and second < first


# -- incr -----------------------------------------------------------------------------------


def test_incr_counts_from_zero_and_accepts_any_step(store: Store) -> None:
    assert store.incr("hits") == 1
    assert store.incr("hits", 5) == 6
    assert store.incr("hits", -10) == -4
    assert store.get("hits") == b"-4"  # counters are decimal bytes, readable with get()


def test_incr_works_on_a_value_written_as_decimal_bytes(store: Store) -> None:
    store.set("n", b"41")
    assert store.incr("n") == 42


def test_incr_ttl_applies_only_when_the_key_is_created(store: Store) -> None:
    """A fixed window: hitting the counter again must not push its expiry back."""
    store.incr("window", ttl=SHORT_TTL)
    time.sleep(0.1)
    assert store.incr("window", ttl=60) == 2
    remaining = store.ttl("window")
    assert remaining is not None and remaining < SHORT_TTL
    time.sleep(PAST_TTL - 0.1)
    assert store.get("window") is None
    assert store.incr("window", ttl=60) == 1  # a new window


def test_incr_keeps_a_key_without_expiry_without_expiry(store: Store) -> None:
    store.incr("total")
    store.incr("total", ttl=60)
    assert store.ttl("total") is None


def test_incr_of_a_non_integer_value_is_a_store_error(store: Store) -> None:
    for bad in (b"abc", b"1.5", b" 1", b"1_000", b""):
        store.set("n", bad)
        with pytest.raises(StoreError):
            store.incr("n")
        assert store.get("n") == bad  # left untouched


def test_incr_beyond_64_bits_is_a_store_error(store: Store) -> None:
    store.set("n", str(2**63 - 1).encode())
    with pytest.raises(StoreError):
        store.incr("n")
    assert store.get("n") == str(2**63 - 1).encode()
    with pytest.raises(ValueError, match="64-bit"):
        store.incr("other", 2**63)
    assert store.get("other") is None


def test_concurrent_increments_are_never_lost(store: Store) -> None:
    def work() -> None:
        for _ in range(250):
            store.incr("counter")

    run_in_threads(4, work)
    assert store.get("counter") == b"1000"


# -- compare_and_set ------------------------------------------------------------------------


def test_compare_and_set_with_expected_none_means_only_if_absent(store: Store) -> None:
    assert store.compare_and_set("k", None, b"first") is True
    assert store.compare_and_set("k", None, b"second") is False
    assert store.get("k") == b"first"


def test_compare_and_set_replaces_only_the_expected_value(store: Store) -> None:
    store.set("k", b"v1")
    assert store.compare_and_set("k", b"v0", b"v2") is False
    assert store.compare_and_set("k", b"v1", b"v2") is True
    assert store.get("k") == b"v2"


def test_compare_and_set_on_an_absent_key_with_an_expected_value_fails(store: Store) -> None:
    assert store.compare_and_set("k", b"", b"v") is False
    assert store.get("k") is None


def test_compare_and_set_sees_expired_values_as_absent(store: Store) -> None:
    store.set("k", b"old", ttl=SHORT_TTL)
    time.sleep(PAST_TTL)
    assert store.compare_and_set("k", b"old", b"new") is False
    assert store.compare_and_set("k", None, b"new") is True


def test_compare_and_set_ttl_is_that_of_the_new_value(store: Store) -> None:
    store.set("k", b"v1", ttl=60)
    assert store.compare_and_set("k", b"v1", b"v2", ttl=5)
    remaining = store.ttl("k")
    assert remaining is not None and 4 < remaining <= 5
    assert store.compare_and_set("k", b"v2", b"v3")
    assert store.ttl("k") is None


def test_concurrent_compare_and_set_loops_lose_no_update(store: Store) -> None:
    threads, per_thread = 8, 40

    def work() -> None:
        for _ in range(per_thread):
            while True:
                current = store.get("cas")
                new = str(int(current or b"0") + 1).encode()
                if store.compare_and_set("cas", current, new):
                    break

    run_in_threads(threads, work)
    assert store.get("cas") == str(threads * per_thread).encode()


# -- keys / delete_prefix -------------------------------------------------------------------

GLOBBY_KEYS = ["a*b", "a?c", "a[1]", "a\\d", "a]", "ab", "aXb", "b*"]


def test_keys_lists_a_prefix_sorted(store: Store) -> None:
    for key in ("user:2", "user:1", "users", "other"):
        store.set(key, b"v")
    assert store.keys("user:") == ["user:1", "user:2"]
    assert store.keys("user") == ["user:1", "user:2", "users"]
    assert store.keys("") == ["other", "user:1", "user:2", "users"]
    assert store.keys("nobody") == []


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("a*", ["a*b"]),
        ("a?", ["a?c"]),
        ("a[", ["a[1]"]),
        ("a\\", ["a\\d"]),
        ("a]", ["a]"]),
        ("a", sorted(GLOBBY_KEYS[:-1])),
    ],
)
def test_keys_takes_glob_characters_literally(
    store: Store, prefix: str, expected: list[str]
) -> None:
    for key in GLOBBY_KEYS:
        store.set(key, b"v")
    assert store.keys(prefix) == expected


def test_keys_hides_expired_keys(store: Store) -> None:
    store.set("p:short", b"v", ttl=SHORT_TTL)
    store.set("p:long", b"v")
    time.sleep(PAST_TTL)
    assert store.keys("p:") == ["p:long"]


def test_delete_prefix_deletes_exactly_the_prefix(store: Store) -> None:
    for key in GLOBBY_KEYS:
        store.set(key, b"v")
    assert store.delete_prefix("a*") == 1
    assert store.delete_prefix("a[") == 1
    assert store.keys("") == sorted(set(GLOBBY_KEYS) - {"a*b", "a[1]"})
    assert store.delete_prefix("a") == 5
    assert store.keys("") == ["b*"]
    assert store.delete_prefix("zzz") == 0


def test_delete_prefix_handles_many_keys(store: Store) -> None:
    for i in range(1200):
        store.set(f"bulk:{i}", b"v")
    assert store.delete_prefix("bulk:") == 1200
    assert store.keys("bulk:") == []


# -- namespaces and health ------------------------------------------------------------------


def test_namespaces_keep_deployments_apart(open_test_store: OpenStore) -> None:
    blue, green = open_test_store(namespace="blue:"), open_test_store(namespace="green:")
    blue.set("k", b"blue")
    green.set("k", b"green")
    assert blue.get("k") == b"blue"
    assert green.keys("") == ["k"]
    assert blue.delete_prefix("") == 1
    assert green.get("k") == b"green"


def test_ping_answers_when_the_store_is_up(store: Store) -> None:
    store.ping()


def test_url_is_shown_for_logs(store: Store) -> None:
    assert store.url.startswith(("sqlite:", "redis:"))
