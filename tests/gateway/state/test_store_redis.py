"""Redis specifics: connection forms, and failing fast (never hanging) when Redis is in trouble."""

from __future__ import annotations

import datetime
import ipaddress
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway.errors import StoreError, StoreUnavailable
from gateway.state import RedisStore, Store, open_store
from tests.redis_server import RedisServer, free_port

TIMEOUT = 0.25
FAST = 1.5  # generous bound for "about the timeout", so a loaded machine does not flake
Connect = Callable[..., Store]


@pytest.fixture
def own_server() -> Iterator[RedisServer]:
    """A private server for tests that break it, so the shared one stays healthy."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def connect() -> Iterator[Connect]:
    """``open_store`` with the store timeout; everything opened is cleaned and closed after."""
    opened: list[Store] = []

    def _connect(url: str, **options: Any) -> Store:
        store = open_store(url, **{"timeout": TIMEOUT, **options})
        opened.append(store)
        return store

    yield _connect
    for store in opened:
        store.close()


def elapsed_while_failing(store: Store, expected: type[StoreError]) -> float:
    start = time.monotonic()
    with pytest.raises(expected):
        store.get("k")
    return time.monotonic() - start


def test_open_store_picks_redis_for_redis_urls(redis_server: RedisServer, connect: Connect) -> None:
    assert isinstance(connect(redis_server.url), RedisStore)


def test_a_unix_socket_url_works(redis_server: RedisServer, connect: Connect) -> None:
    store = connect(redis_server.unix_url, namespace="unix:")
    assert store.set("k", b"v", ttl=5)
    assert store.get("k") == b"v"
    assert store.delete_prefix("") == 1


def test_the_namespace_is_a_plain_key_prefix_in_redis(
    redis_server: RedisServer, connect: Connect
) -> None:
    """Deployments sharing a Redis can see exactly which keys are whose."""
    store = connect(redis_server.url, namespace="team-a:")
    store.set("session:1", b"v")
    assert redis_server.command("EXISTS", "team-a:session:1") == b":1\r\n"
    assert store.delete_prefix("") == 1


def test_glob_characters_in_the_namespace_match_only_themselves(
    redis_server: RedisServer, connect: Connect
) -> None:
    weird = connect(redis_server.url, namespace="n*[s]?:")
    plain = connect(redis_server.url, namespace="nx[s]!:")
    plain.set("k", b"other deployment")
    weird.set("k", b"mine")
    assert weird.keys("") == ["k"]
    assert weird.delete_prefix("") == 1
    assert plain.get("k") == b"other deployment"
    assert plain.delete_prefix("") == 1


def test_a_stopped_server_raises_unavailable_at_once(
    own_server: RedisServer, connect: Connect
) -> None:
    store = connect(own_server.url)
    store.set("k", b"v")
    own_server.stop()
    assert elapsed_while_failing(store, StoreUnavailable) < FAST
    with pytest.raises(StoreUnavailable):
        store.ping()


def test_a_paused_server_raises_unavailable_within_the_timeout(
    own_server: RedisServer, connect: Connect
) -> None:
    store = connect(own_server.url)
    store.ping()
    own_server.command("CLIENT", "PAUSE", "2000", "ALL")
    assert elapsed_while_failing(store, StoreUnavailable) < FAST


def test_the_store_recovers_after_redis_restarts(own_server: RedisServer, connect: Connect) -> None:
    """Pooled sockets die with the server; one immediate reconnect hides that from callers."""
    store = connect(own_server.url)
    store.set("k", b"v")
    own_server.restart()  # no persistence: the value is gone, but the store must work
    assert store.get("k") is None
    assert store.set("k", b"again")


def test_errors_name_the_store_without_its_password(connect: Connect) -> None:
    port = free_port()
    store = connect(f"redis://user:s3cr3t@127.0.0.1:{port}/0")
    assert store.url == f"redis://user:***@127.0.0.1:{port}/0"
    with pytest.raises(StoreUnavailable) as caught:
        store.ping()
    assert "s3cr3t" not in str(caught.value)
    assert f"redis://user:***@127.0.0.1:{port}/0" in str(caught.value)


def test_a_wrong_password_is_a_store_error_without_the_password(
    redis_server: RedisServer, connect: Connect
) -> None:
    store = connect(redis_server.url.replace("redis://", "redis://casb:wr0ng-pass@"))
    with pytest.raises(StoreError) as caught:
        store.get("k")
    assert "wr0ng-pass" not in str(caught.value)


def test_a_sentinel_url_finds_the_master_past_a_dead_sentinel(
    redis_server: RedisServer, connect: Connect
) -> None:
    with RedisServer(sentinel_for=redis_server, master_name="mymaster") as sentinel:
        dead, alive = f"127.0.0.1:{free_port()}", f"127.0.0.1:{sentinel.port}"
        store = connect(f"redis+sentinel://{dead},{alive}/mymaster?db=0", namespace="sentinel:")
        assert store.set("k", b"via sentinel")
        assert connect(redis_server.url, namespace="sentinel:").get("k") == b"via sentinel"
        assert store.delete_prefix("") == 1


def test_no_reachable_sentinel_is_unavailable_quickly(connect: Connect) -> None:
    store = connect(f"redis+sentinel://127.0.0.1:{free_port()}/mymaster")
    assert elapsed_while_failing(store, StoreUnavailable) < FAST


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own CA, good for one test session."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "casb test redis")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "redis.crt", directory / "redis.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_a_rediss_url_speaks_verified_tls(tmp_path: Path, connect: Connect) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with RedisServer(tls_files=(cert, key)) as server:
        store = connect(f"{server.tls_url}?ssl_ca_certs={cert}", namespace="tls:")
        assert store.set("k", b"over tls")
        assert store.get("k") == b"over tls"
        untrusted = connect(server.tls_url)  # the system CAs do not know this certificate
        with pytest.raises(StoreUnavailable):
            untrusted.get("k")
