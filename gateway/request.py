"""Plain data that the addons hand to the engine: who is asking, and what they send."""

from __future__ import annotations

from dataclasses import dataclass, field

Headers = tuple[tuple[str, str], ...]
"""Header pairs in wire order, names lower-cased. Repeated names stay repeated."""


def make_headers(pairs: object) -> Headers:
    """Normalise an iterable of (name, value) pairs to :data:`Headers`."""
    return tuple((str(k).lower(), str(v)) for k, v in pairs)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """One HTTP request as the engine sees it (no body: bodies are passed separately)."""

    method: str
    scheme: str
    host: str
    port: int
    path: str
    headers: Headers = ()

    def header(self, name: str) -> str | None:
        """First value of header ``name`` (case-insensitive), or None."""
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    @property
    def content_type(self) -> str | None:
        return self.header("content-type")

    @property
    def url(self) -> str:
        default = 443 if self.scheme == "https" else 80
        netloc = self.host if self.port == default else f"{self.host}:{self.port}"
        if ":" in self.host and not self.host.startswith("["):
            netloc = f"[{self.host}]" if self.port == default else f"[{self.host}]:{self.port}"
        return f"{self.scheme}://{netloc}{self.path}"

    @property
    def path_only(self) -> str:
        """The path without its query string (queries may carry secrets; events keep paths)."""
        return self.path.split("?", 1)[0]


@dataclass(frozen=True, slots=True)
class Subject:
    """Who is behind a flow. ``user`` is None when identity is unknown."""

    user: str | None
    groups: frozenset[str] = field(default_factory=frozenset)
    client_ip: str = ""
    device_id: str | None = None
    source: str = "none"
    """How the user was established: ``proxyauth``, ``ipmap`` or ``none``."""
