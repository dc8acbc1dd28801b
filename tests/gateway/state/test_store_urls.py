"""Store URLs: what is accepted, what is refused (and how), and that passwords never leak."""

from __future__ import annotations

import pytest

from gateway.errors import ConfigError
from gateway.state import RedisStore, open_store
from gateway.state._url import mask_url, parse_sentinel


@pytest.mark.parametrize(
    "url",
    ["postgres://db/state", "sqlite", "redis", "http://localhost:6379", "", "/var/lib/casb.db"],
)
def test_an_unknown_scheme_is_refused_with_the_accepted_ones(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store(url)
    for scheme in ("sqlite:///", "redis://", "rediss://", "unix://", "redis+sentinel://"):
        assert scheme in str(caught.value)


def test_a_refused_url_does_not_echo_its_password() -> None:
    with pytest.raises(ConfigError) as caught:
        open_store("mysql://casb:hunter2@db/state")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("url", ["sqlite://host/state.db", "sqlite:", "sqlite:///x.db?mode=ro"])
def test_malformed_sqlite_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match=r"sqlite:///absolute/path\.db"):
        open_store(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("redis://localhost:6379/not-a-db", "db"),
        ("redis://localhost:6379/0?socket_timeout=30", "socket_timeout"),
        ("redis://localhost:6379/0?retry_on_timeout=yes", "retry_on_timeout"),
    ],
)
def test_malformed_redis_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        open_store(url)


@pytest.mark.parametrize(
    "url",
    [
        "redis://localhost:6379/0",
        "redis://:secret@localhost/2",
        "rediss://user:secret@redis.example:6380/0?ssl_ca_certs=/etc/ca.pem",
        "unix:///run/redis/redis.sock?db=1",
        "redis+sentinel://s1:26379,s2/mymaster?db=3",
    ],
)
def test_redis_urls_open_lazily_without_connecting(url: str) -> None:
    store = open_store(url)
    assert isinstance(store, RedisStore)
    assert "secret" not in store.url
    store.close()


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("redis://:pw@h:1/0", "redis://:***@h:1/0"),
        ("rediss://user:p%40ss@h/0", "rediss://user:***@h/0"),
        ("redis://user@h/0", "redis://user@h/0"),
        ("unix:///tmp/r.sock?password=pw&db=1", "unix:///tmp/r.sock?password=***&db=1"),
        ("redis+sentinel://u:pw@a:1,b:2/m", "redis+sentinel://u:***@a:1,b:2/m"),
        ("sqlite:///var/lib/casb/state.db", "sqlite:///var/lib/casb/state.db"),
    ],
)
def test_passwords_are_masked_for_logs(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_a_sentinel_url_names_sentinels_master_db_and_credentials() -> None:
    spec = parse_sentinel("redis+sentinel://app:p%40ss@s1:26380,s2,[::1]:26381/mymaster?db=2")
    assert spec.sentinels == (("s1", 26380), ("s2", 26379), ("::1", 26381))
    assert spec.service_name == "mymaster"
    assert spec.db == 2
    assert (spec.username, spec.password) == ("app", "p@ss")


def test_a_sentinel_url_defaults_to_db_zero_without_credentials() -> None:
    spec = parse_sentinel("redis+sentinel://s1:26379/mymaster")
    assert (spec.db, spec.username, spec.password) == (0, None, None)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("redis+sentinel://s1:26379/", "master's name"),
        ("redis+sentinel://s1:26379", "master's name"),
        ("redis+sentinel://s1:port/mymaster", "host:port"),
        ("redis+sentinel://s1:26379,,s2/mymaster", "host:port"),
        ("redis+sentinel://s1:70000/mymaster", "host:port"),
        ("redis+sentinel://s1/mymaster?db=x", "db must be a number"),
        ("redis+sentinel://s1/mymaster?socket_timeout=9", "unknown option"),
    ],
)
def test_malformed_sentinel_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        open_store(url)
