"""Store URLs: which schemes exist, how they parse, and how they appear in logs (masked)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from gateway.errors import ConfigError

ACCEPTED = (
    "sqlite:///absolute/path.db, sqlite:relative/path.db, "
    "redis://[user:password@]host:port/db, rediss://... (TLS), unix:///path/redis.sock, "
    "redis+sentinel://[user:password@]host1:26379,host2:26379/master-name?db=0"
)
REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})
SENTINEL_SCHEME = "redis+sentinel"
SQLITE_SCHEME = "sqlite"
_MASK = "***"


def scheme_of(url: str) -> str:
    """The URL's scheme, lower-cased; ConfigError naming the accepted ones if unknown."""
    scheme, sep, _ = url.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in REDIS_SCHEMES | {SENTINEL_SCHEME, SQLITE_SCHEME}:
        raise ConfigError(
            f"unsupported store URL {mask_url(url)!r}; accepted: {ACCEPTED}", field="store"
        )
    return scheme


def mask_url(url: str) -> str:
    """The URL with the userinfo password and any ``password`` query values replaced."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    masked = url
    userinfo, at, hosts = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        after_netloc = url.partition("://")[2][len(parts.netloc) :]
        masked = f"{parts.scheme}://{userinfo.partition(':')[0]}:{_MASK}@{hosts}{after_netloc}"
    if "password" in parts.query:
        base, _, rest = masked.partition("?")
        query, hash_, fragment = rest.partition("#")
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, _MASK if "password" in k else v) for k, v in pairs], safe="*")
        masked = f"{base}?{query}{hash_}{fragment}"
    return masked


def password_of(url: str) -> str | None:
    """The raw password, so error messages can be scrubbed of it."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


def sqlite_path(url: str) -> Path:
    """``sqlite:///abs/path.db`` -> /abs/path.db; ``sqlite:rel/path.db`` -> rel/path.db."""
    parts = urlsplit(url)
    if parts.netloc or parts.query or parts.fragment or not parts.path:
        raise ConfigError(
            f"bad SQLite store URL {mask_url(url)!r}: expected sqlite:///absolute/path.db "
            "or sqlite:relative/path.db",
            field="store",
        )
    return Path(unquote(parts.path))


@dataclass(frozen=True, slots=True)
class SentinelURL:
    """A parsed ``redis+sentinel://`` URL."""

    sentinels: tuple[tuple[str, int], ...]
    service_name: str
    db: int
    username: str | None
    password: str | None


def parse_sentinel(url: str) -> SentinelURL:
    """Parse ``redis+sentinel://[user:pass@]h1:26379,h2:26379/master?db=0``."""
    parts = urlsplit(url)

    def bad(why: str) -> ConfigError:
        return ConfigError(f"bad Sentinel store URL {mask_url(url)!r}: {why}", field="store")

    userinfo, _, hostlist = parts.netloc.rpartition("@")
    sentinels = []
    for item in hostlist.split(","):
        host, colon, port = item.strip().rpartition(":")
        if not colon:
            host, port = port, "26379"
        host = host.strip("[]")  # IPv6 literal
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise bad(f"{item!r} is not host:port")
        sentinels.append((host, int(port)))
    service_name = unquote(parts.path.strip("/"))
    if not service_name or "/" in service_name:
        raise bad("the path must be the master's name, as in /mymaster")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = set(options) - {"db"}
    if unknown:
        raise bad(f"unknown option(s) {', '.join(sorted(unknown))}; accepted: db")
    db = options.get("db", "0")
    if not db.isdigit():
        raise bad(f"db must be a number, not {db!r}")
    username, _, password = userinfo.partition(":")
    return SentinelURL(
        sentinels=tuple(sentinels),
        service_name=service_name,
        db=int(db),
        username=unquote(username) or None,
        password=unquote(password) or None,
    )
