"""The SaaS catalog as frozen pydantic models: what ``catalog.yaml`` may say.

Regexes stay strings in the models (so entries round-trip and print as written); the validators
compile them once so a bad pattern fails at load, naming its line, and ``_catalog`` compiles
them again into the lookup tables (``re`` caches, so the second compile is free).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from gateway.request import RequestInfo, make_headers

ACTIVITIES = ("login", "browse", "upload", "download", "share", "post", "prompt", "edit", "delete")
"""What a user does in an app. Policies match on these names."""

CATEGORIES = (
    "ai",
    "cloud_console",
    "code_repository",
    "collaboration",
    "conferencing",
    "crm",
    "file_sharing",
    "identity",
    "messaging",
    "notes",
    "paste",
    "productivity",
    "translation",
    "webmail",
)
"""Fixed app categories, so policies can name a category and be checked at load."""

Activity = Literal["login", "browse", "upload", "download", "share", "post", "prompt", "edit",
                   "delete"]
Category = Literal["ai", "cloud_console", "code_repository", "collaboration", "conferencing",
                   "crm", "file_sharing", "identity", "messaging", "notes", "paste",
                   "productivity", "translation", "webmail"]
Method = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_DOMAIN = re.compile(rf"^(?:\*\.)?{_LABEL}(?:\.{_LABEL})+$")


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as e:
        raise ValueError(f"invalid regular expression {value!r}: {e}") from e
    return value


def _tenant_regex(value: str) -> str:
    _regex(value)
    if "tenant" not in re.compile(value).groupindex:
        raise ValueError(f"regular expression {value!r} has no named group 'tenant'")
    return value


def _domain(value: str) -> str:
    if not _DOMAIN.match(value):
        raise ValueError(
            f"invalid domain pattern {value!r}: use a lower-case host name, or '*.' and a "
            "suffix (which also matches the suffix itself)"
        )
    return value


Regex = Annotated[str, AfterValidator(_regex)]
TenantRegex = Annotated[str, AfterValidator(_tenant_regex)]
Domain = Annotated[str, AfterValidator(_domain)]
Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TenantRule(_Model):
    """One place the tenant may show: exactly one of host, path, header or json."""

    host: TenantRegex | None = None
    """Searched in the lower-cased host, e.g. ``^(?P<tenant>[a-z0-9-]+)\\.slack\\.com$``."""
    path: TenantRegex | None = None
    """Matched at the start of the path (with query)."""
    header: str | None = Field(None, pattern=r"^[A-Za-z0-9-]+$")
    """A request header whose value is the tenant."""
    json_path: str | None = Field(None, alias="json", pattern=r"^[^.\s]+(?:\.[^.\s]+)*$")
    """Dotted path into a JSON body; integer parts index lists (``transactions.0.spaceId``)."""

    @model_validator(mode="after")
    def _exactly_one(self) -> TenantRule:
        given = [k for k in ("host", "path", "header", "json_path") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of host, path, header, json")
        return self


class JsonCondition(_Model):
    """A field of a JSON body: present (not null), equal to a value, or matching a regex."""

    path: str = Field(pattern=r"^[^.\s]+(?:\.[^.\s]+)*$")
    equals: str | int | float | bool | None = None
    regex: Regex | None = None

    @model_validator(mode="after")
    def _one_test(self) -> JsonCondition:
        if self.equals is not None and self.regex is not None:
            raise ValueError("give at most one of equals, regex")
        return self


class Example(_Model):
    """A request that proves a signature: it runs in the test suite."""

    method: Method
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    body: str | dict[str, Any] | list[Any] | None = None
    """A string is sent as UTF-8; a mapping or list is sent as JSON."""
    tenant: str | None = None
    """Expected tenant (match examples only); None means "not checked"."""

    @model_validator(mode="after")
    def _absolute_url(self) -> Example:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be absolute http(s) (got {self.url!r})")
        return self

    def to_request(self) -> tuple[RequestInfo, bytes | None]:
        """The example as the engine sees a request from the addon."""
        parts = urlsplit(self.url)
        headers = dict(self.headers)
        body: bytes | None = None
        if isinstance(self.body, str):
            body = self.body.encode()
        elif self.body is not None:
            body = json.dumps(self.body).encode()
            if not any(k.lower() == "content-type" for k in headers):
                headers["content-type"] = "application/json"
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        port = parts.port or (443 if parts.scheme == "https" else 80)
        req = RequestInfo(
            method=self.method,
            scheme=parts.scheme,
            host=parts.hostname or "",
            port=port,
            path=path,
            headers=make_headers(headers.items()),
        )
        return req, body


class Examples(_Model):
    match: list[Example] = Field(min_length=1)
    no_match: list[Example] = Field(default_factory=list)


class Signature(_Model):
    """Method(s) + host + path regex (+ content type, + JSON field) -> one activity."""

    id: Id
    activity: Activity
    methods: list[Method] = Field(min_length=1)
    hosts: list[Domain] | None = None
    """Host patterns; absent means the app's own domains. A signature may claim shared API
    hosts that no app owns (``www.googleapis.com``, ``graph.microsoft.com``)."""
    path: Regex
    """Matched at the start of the path including its query; a ``tenant`` group is the tenant."""
    content_type: Regex | None = None
    """Searched case-insensitively in the Content-Type header; no header means no match."""
    json_field: JsonCondition | None = Field(None, alias="json")
    tenant: list[TenantRule] = Field(default_factory=list)
    examples: Examples


class Risk(_Model):
    score: int = Field(ge=0, le=100)
    reasons: list[str] = Field(default_factory=list)


class App(_Model):
    """One SaaS app of the catalog."""

    id: Id
    name: str = Field(min_length=1)
    vendor: str = Field(min_length=1)
    category: Category
    audience: Literal["corporate", "personal", "any"] = "any"
    """Whether the host itself says personal or corporate use (``outlook.live.com`` is
    personal); ``any`` when the URL does not tell (Gmail and Workspace mail share hosts)."""
    domains: list[Domain] = Field(min_length=1)
    risk: Risk
    tenant: list[TenantRule] = Field(default_factory=list)
    """Where the tenant shows for every request to this app; signatures may add their own."""
    signatures: list[Signature] = Field(default_factory=list)


class CatalogFile(_Model):
    version: Literal[1]
    apps: list[App] = Field(min_length=1)
