"""The shared store for real deployments: Redis (TCP, TLS, unix socket or Sentinel).

Every call is bounded: socket and connect timeouts are the store timeout, and the only retry is
one immediate reconnect after a dropped connection (a Redis restart leaves dead sockets in the
pool), never after a timeout, so a stalled Redis costs a request at most about 2x the timeout.
With Sentinel, a new connection first asks the sentinels in turn for the master, so unreachable
(not refusing) sentinels add up to one timeout each.
Read-modify-write operations are Lua scripts, hence atomic across gateway nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

import redis
from redis import exceptions as rex
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

from gateway.errors import ConfigError, StoreError, StoreUnavailable

from ._common import check_amount, check_ttl, ttl_ms
from ._url import SENTINEL_SCHEME, mask_url, parse_sentinel, password_of, scheme_of

# INCRBY, then the TTL only if this call created the key (an existing expiry is kept).
_INCR = """
local created = redis.call('EXISTS', KEYS[1]) == 0
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value
"""
# ARGV: expect_absent ('1'/'0'), expected, new, ttl in ms or ''.
_CAS = """
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
if ARGV[4] == '' then
  redis.call('SET', KEYS[1], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return 1
"""
# redis-py lets URL query options override keyword arguments; timeouts and retries come from
# the store's timeout setting only, so the URL may carry just these.
URL_OPTIONS = frozenset({
    "db", "password", "client_name",
    "ssl_ca_certs", "ssl_ca_path", "ssl_certfile", "ssl_keyfile", "ssl_cert_reqs",
    "ssl_check_hostname",
})  # fmt: skip
_GLOB_SPECIALS = re.compile(r"([\\*?\[\]])")
_SCAN_COUNT = 500


class RedisStore:
    """A ``Store`` on Redis; one instance is thread-safe (redis-py pools connections)."""

    def __init__(self, url: str, *, timeout: float = 0.25, namespace: str = "casb:") -> None:
        self.url = mask_url(url)
        self._password = password_of(url)
        self._ns = namespace
        self._sentinel: Sentinel | None = None
        self._client = self._make_client(url, timeout)
        self._incr = self._client.register_script(_INCR)
        self._cas = self._client.register_script(_CAS)

    def get(self, key: str) -> bytes | None:
        with self._errors("GET"):
            return cast("bytes | None", self._client.get(self._ns + key))

    def set(
        self, key: str, value: bytes, *, ttl: float | None = None, only_if_absent: bool = False
    ) -> bool:
        ttl = check_ttl(ttl)
        with self._errors("SET"):
            done = self._client.set(
                self._ns + key,
                value,
                px=None if ttl is None else ttl_ms(ttl),
                nx=only_if_absent,
            )
        return bool(done)

    def delete(self, key: str) -> bool:
        with self._errors("DEL"):
            return bool(self._client.delete(self._ns + key))

    def incr(self, key: str, amount: int = 1, *, ttl: float | None = None) -> int:
        ttl = check_ttl(ttl)
        args = [check_amount(amount), "" if ttl is None else ttl_ms(ttl)]
        with self._errors("INCRBY"):
            return int(self._incr(keys=[self._ns + key], args=args))

    def compare_and_set(
        self, key: str, expected: bytes | None, new: bytes, *, ttl: float | None = None
    ) -> bool:
        ttl = check_ttl(ttl)
        args = [
            "1" if expected is None else "0",
            b"" if expected is None else expected,
            new,
            "" if ttl is None else ttl_ms(ttl),
        ]
        with self._errors("compare-and-set"):
            return bool(self._cas(keys=[self._ns + key], args=args))

    def ttl(self, key: str) -> float | None:
        with self._errors("PTTL"):
            ms = int(cast(Any, self._client.pttl(self._ns + key)))
        return None if ms < 0 else ms / 1000  # -2: absent, -1: no expiry

    def keys(self, prefix: str) -> list[str]:
        cut = len(self._ns)
        return sorted({k.decode(errors="replace")[cut:] for k in self._scan(prefix)})

    def delete_prefix(self, prefix: str) -> int:
        """Not atomic: a key written under the prefix while this runs may survive."""
        batch: list[bytes] = []
        deleted = 0
        with self._errors("delete-prefix"):
            for key in self._scan(prefix):
                batch.append(key)
                if len(batch) >= _SCAN_COUNT:
                    deleted += int(cast(Any, self._client.unlink(*batch)))
                    batch.clear()
            if batch:
                deleted += int(cast(Any, self._client.unlink(*batch)))
        return deleted

    def ping(self) -> None:
        with self._errors("PING"):
            self._client.ping()

    def close(self) -> None:
        with self._errors("close"):
            self._client.close()
            self._client.connection_pool.disconnect()
            for sentinel in self._sentinel.sentinels if self._sentinel else ():
                sentinel.close()

    def _scan(self, prefix: str) -> Iterator[bytes]:
        pattern = _GLOB_SPECIALS.sub(r"\\\1", self._ns + prefix) + "*"
        with self._errors("SCAN"):
            yield from cast(
                Iterator[bytes], self._client.scan_iter(match=pattern, count=_SCAN_COUNT)
            )

    def _make_client(self, url: str, timeout: float) -> redis.Redis:
        options: dict[str, Any] = {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "retry": Retry(NoBackoff(), 1, supported_errors=(rex.ConnectionError,)),
        }
        if scheme_of(url) == SENTINEL_SCHEME:
            spec = parse_sentinel(url)
            self._sentinel = Sentinel(  # type: ignore[no-untyped-call]
                list(spec.sentinels),
                sentinel_kwargs=options,
                **options,
            )
            master = self._sentinel.master_for(  # type: ignore[no-untyped-call]
                spec.service_name,
                db=spec.db,
                username=spec.username,
                password=spec.password,
            )
            return cast(redis.Redis, master)
        _check_url(url, self.url)
        try:
            return redis.Redis.from_url(url, **options)
        except ValueError as e:
            raise ConfigError(f"bad Redis store URL {self.url!r}: {e}", field="store") from e

    @contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        """Translate redis-py errors, naming the store without its password."""
        try:
            yield
        except rex.AuthenticationError as e:  # a ConnectionError, but retrying will not help
            raise StoreError(self._message(operation, e)) from e
        except (rex.ConnectionError, rex.TimeoutError) as e:
            raise StoreUnavailable(self._message(operation, e)) from e
        except rex.RedisError as e:
            raise StoreError(self._message(operation, e)) from e

    def _message(self, operation: str, e: Exception) -> str:
        text = str(e) or type(e).__name__
        if self._password:
            text = text.replace(self._password, "***")
        return f"{self.url}: {operation} failed: {text}"


def _check_url(url: str, masked: str) -> None:
    """Refuse what redis-py would silently ignore (a non-numeric db) or let override us."""
    parts = urlsplit(url)

    def bad(why: str) -> ConfigError:
        return ConfigError(f"bad Redis store URL {masked!r}: {why}", field="store")

    if parts.scheme != "unix" and not re.fullmatch(r"/?[0-9]*", parts.path):
        raise bad(f"the path must be a db number, as in /0, not {parts.path!r}")
    unknown = {name for name, _ in parse_qsl(parts.query)} - URL_OPTIONS
    if unknown:
        raise bad(
            f"unknown option(s) {', '.join(sorted(unknown))}; accepted: "
            f"{', '.join(sorted(URL_OPTIONS))} (timeouts come from the store timeout)"
        )
