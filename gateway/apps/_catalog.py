"""Classify a request: host -> app, then a few precompiled signatures -> activity and tenant.

Hot path: one cached dict lookup per host gives the owning app and its candidate signatures
(in catalog order); each candidate costs a method set test and one anchored regex. A JSON body
is parsed at most once, and only when a candidate needs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from gateway.errors import CatalogError
from gateway.request import RequestInfo
from gateway.yamlsrc import Source, load_file, validate

from ._model import App, CatalogFile, JsonCondition, Signature, TenantRule

DEFAULT_PATH: Final = Path(__file__).with_name("catalog.yaml")
JSON_BODY_LIMIT: Final = 1024 * 1024
"""Bodies above this are not parsed for JSON conditions (the signature then does not match)."""
_HOST_CACHE_MAX: Final = 8192
_MISSING: Final = object()


@dataclass(frozen=True, slots=True)
class AppContext:
    """What the gateway knows about the app behind a request; policies and events read it."""

    app_id: str | None
    name: str | None
    category: str | None
    risk: int | None
    risk_reasons: tuple[str, ...]
    activity: str
    tenant: str | None
    signature: str | None
    """``<app id>.<signature id>`` of the signature that decided the activity; None: fallback."""


@dataclass(frozen=True, slots=True)
class _Tenant:
    host: re.Pattern[str] | None
    path: re.Pattern[str] | None
    header: str | None
    json_path: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class _Json:
    path: tuple[str, ...]
    equals: object
    regex: re.Pattern[str] | None

    def test(self, doc: object) -> bool:
        value = _dig(doc, self.path)
        if value is _MISSING or value is None:
            return False
        if self.regex is not None:
            return isinstance(value, str) and self.regex.search(value) is not None
        if self.equals is not None:
            return bool(value == self.equals and type(value) is type(self.equals))
        return True


@dataclass(frozen=True, slots=True)
class _Sig:
    order: int
    qualified_id: str
    app: App
    activity: str
    methods: frozenset[str]
    path: re.Pattern[str]
    content_type: re.Pattern[str] | None
    json: _Json | None
    tenant: tuple[_Tenant, ...]
    app_tenant: tuple[_Tenant, ...]

    @property
    def needs_json(self) -> bool:
        return self.json is not None or any(
            t.json_path for t in (*self.tenant, *self.app_tenant)
        )


@dataclass(frozen=True, slots=True)
class _HostEntry:
    app: App | None
    tenant: tuple[_Tenant, ...]
    sigs: tuple[_Sig, ...]


class _Body:
    """The request body parsed as JSON on first use; never raises."""

    __slots__ = ("_body", "_content_type", "_doc", "_parsed")

    def __init__(self, body: bytes | None, content_type: str | None) -> None:
        self._body = body
        self._content_type = content_type
        self._doc: object = None
        self._parsed = False

    def doc(self) -> object:
        if not self._parsed:
            self._parsed = True
            self._doc = _MISSING
            body, ct = self._body, self._content_type
            if body and len(body) <= JSON_BODY_LIMIT and ct and "json" in ct.lower():
                try:
                    self._doc = json.loads(body, object_pairs_hook=_unique_members)
                except (ValueError, RecursionError):
                    # Bad or hostile JSON (a repeated key too: which of its values the app
                    # reads is the app's parser's choice): signatures that need it do not match.
                    self._doc = _MISSING
        return self._doc


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("a repeated key")
    return members


def _dig(doc: object, path: tuple[str, ...]) -> object:
    cur: Any = doc
    for part in path:
        if isinstance(cur, dict):
            if part not in cur:
                return _MISSING
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit():
            i = int(part)
            if i >= len(cur):
                return _MISSING
            cur = cur[i]
        else:
            return _MISSING
    return cur


def _fallback_activity(method: str, content_type: str | None) -> str:
    """The activity when no signature matches: by method, and by body type for writes."""
    if method == "DELETE":
        return "delete"
    if method in ("POST", "PUT", "PATCH"):
        ct = (content_type or "").lower()
        if ct.startswith(("multipart/form-data", "application/octet-stream")):
            return "upload"
        return "post"
    return "browse"


def _norm_host(host: str) -> str:
    return host.lower().rstrip(".")


class _HostIndex[T]:
    """Exact host names and ``*.suffix`` patterns (a suffix also matches itself)."""

    def __init__(self) -> None:
        self.exact: dict[str, list[T]] = {}
        self.suffix: dict[str, list[T]] = {}

    def add(self, pattern: str, value: T) -> None:
        if pattern.startswith("*."):
            self.suffix.setdefault(pattern[2:], []).append(value)
        else:
            self.exact.setdefault(pattern, []).append(value)

    def most_specific(self, host: str) -> list[T]:
        """Exact match first, then the longest matching suffix."""
        if host in self.exact:
            return self.exact[host]
        for suffix in _suffixes(host):
            if suffix in self.suffix:
                return self.suffix[suffix]
        return []

    def all(self, host: str) -> Iterator[T]:
        yield from self.exact.get(host, ())
        for suffix in _suffixes(host):
            yield from self.suffix.get(suffix, ())


def _suffixes(host: str) -> Iterator[str]:
    """``a.b.c`` -> ``a.b.c``, ``b.c``, ``c``: longest first."""
    yield host
    start = host.find(".")
    while start != -1:
        yield host[start + 1 :]
        start = host.find(".", start + 1)


def _compile_tenant(rules: list[TenantRule]) -> tuple[_Tenant, ...]:
    return tuple(
        _Tenant(
            host=re.compile(r.host) if r.host else None,
            path=re.compile(r.path) if r.path else None,
            header=r.header.lower() if r.header else None,
            json_path=tuple(r.json_path.split(".")) if r.json_path else None,
        )
        for r in rules
    )


def _compile_json(cond: JsonCondition | None) -> _Json | None:
    if cond is None:
        return None
    return _Json(
        path=tuple(cond.path.split(".")),
        equals=cond.equals,
        regex=re.compile(cond.regex) if cond.regex else None,
    )


def _resolve_tenant(
    rules: tuple[_Tenant, ...], host: str, req: RequestInfo, body: _Body
) -> str | None:
    for rule in rules:
        value: object = None
        if rule.host is not None:
            m = rule.host.search(host)
            value = m.group("tenant") if m else None
        elif rule.path is not None:
            m = rule.path.match(req.path)
            value = m.group("tenant") if m else None
        elif rule.header is not None:
            value = req.header(rule.header)
        elif rule.json_path is not None:
            doc = body.doc()
            value = None if doc is _MISSING else _dig(doc, rule.json_path)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
            return str(value)
    return None


class Catalog:
    """The SaaS app catalog, compiled for classification. Immutable once built."""

    def __init__(self, apps: list[App]) -> None:
        self.apps: Mapping[str, App] = MappingProxyType({a.id: a for a in apps})
        self._domains: _HostIndex[App] = _HostIndex()
        self._app_tenant: dict[str, tuple[_Tenant, ...]] = {}
        self._app_sigs: dict[str, list[_Sig]] = {}
        self._claimed: _HostIndex[_Sig] = _HostIndex()
        order = 0
        for app in apps:
            for d in app.domains:
                self._domains.add(d, app)
            app_tenant = _compile_tenant(app.tenant)
            self._app_tenant[app.id] = app_tenant
            own: list[_Sig] = []
            for s in app.signatures:
                sig = self._compile(order, app, s, app_tenant)
                order += 1
                if s.hosts is None:
                    own.append(sig)
                else:
                    for h in s.hosts:
                        self._claimed.add(h, sig)
            self._app_sigs[app.id] = own
        self._cache: dict[str, _HostEntry] = {}

    @staticmethod
    def _compile(order: int, app: App, s: Signature, app_tenant: tuple[_Tenant, ...]) -> _Sig:
        return _Sig(
            order=order,
            qualified_id=f"{app.id}.{s.id}",
            app=app,
            activity=s.activity,
            methods=frozenset(s.methods),
            path=re.compile(s.path),
            content_type=re.compile(s.content_type, re.IGNORECASE) if s.content_type else None,
            json=_compile_json(s.json_field),
            tenant=_compile_tenant(s.tenant),
            app_tenant=app_tenant,
        )

    def app_for_host(self, host: str) -> App | None:
        """The app owning ``host``: an exact domain wins, then the longest ``*.`` suffix."""
        found = self._domains.most_specific(_norm_host(host))
        return found[0] if found else None

    def _entry(self, host: str) -> _HostEntry:
        entry = self._cache.get(host)
        if entry is None:
            app = self.app_for_host(host)
            sigs = {id(s): s for s in self._claimed.all(host)}
            if app is not None:
                sigs.update((id(s), s) for s in self._app_sigs[app.id])
            entry = _HostEntry(
                app=app,
                tenant=self._app_tenant[app.id] if app is not None else (),
                sigs=tuple(sorted(sigs.values(), key=lambda s: s.order)),
            )
            if len(self._cache) >= _HOST_CACHE_MAX:
                self._cache.clear()  # bounded: hosts come from clients
            self._cache[host] = entry
        return entry

    def classify(self, req: RequestInfo, body: bytes | None = None) -> AppContext:
        """App, activity and tenant of one request. Never raises on odd input."""
        host = _norm_host(req.host)
        entry = self._entry(host)
        method = req.method.upper()
        path = req.path or "/"
        content_type = req.content_type
        lazy = _Body(body, content_type)
        for sig in entry.sigs:
            if method not in sig.methods:
                continue
            m = sig.path.match(path)
            if m is None:
                continue
            if sig.content_type is not None and (
                content_type is None or sig.content_type.search(content_type) is None
            ):
                continue
            if sig.json is not None:
                doc = lazy.doc()
                if doc is _MISSING or not sig.json.test(doc):
                    continue
            tenant = m.groupdict().get("tenant") or _resolve_tenant(
                (*sig.tenant, *sig.app_tenant), host, req, lazy
            )
            return _context(sig.app, sig.activity, tenant, sig.qualified_id)
        activity = _fallback_activity(method, content_type)
        if entry.app is None:
            return AppContext(None, None, None, None, (), activity, None, None)
        tenant = _resolve_tenant(entry.tenant, host, req, lazy)
        return _context(entry.app, activity, tenant, None)


def _context(app: App, activity: str, tenant: str | None, signature: str | None) -> AppContext:
    return AppContext(
        app_id=app.id,
        name=app.name,
        category=app.category,
        risk=app.risk.score,
        risk_reasons=tuple(app.risk.reasons),
        activity=activity,
        tenant=tenant,
        signature=signature,
    )


def _check_unique(source: Source, parsed: CatalogFile) -> None:
    """Cross-entry rules pydantic cannot see: unique ids, one owner per domain pattern."""
    app_ids: dict[str, int] = {}
    owners: dict[str, str] = {}
    for i, app in enumerate(parsed.apps):
        if app.id in app_ids:
            raise CatalogError(
                f"duplicate app id {app.id!r} (first at apps[{app_ids[app.id]}])",
                file=source.file, line=source.line_of(("apps", i, "id")), field=f"apps[{i}].id",
            )
        app_ids[app.id] = i
        for j, d in enumerate(app.domains):
            if d in owners and owners[d] != app.id:
                raise CatalogError(
                    f"domain {d!r} already belongs to app {owners[d]!r}",
                    file=source.file, line=source.line_of(("apps", i, "domains", j)),
                    field=f"apps[{i}].domains[{j}]",
                )
            owners[d] = app.id
        sig_ids: set[str] = set()
        for j, s in enumerate(app.signatures):
            if s.id in sig_ids:
                raise CatalogError(
                    f"duplicate signature id {s.id!r} in app {app.id!r}",
                    file=source.file, line=source.line_of(("apps", i, "signatures", j, "id")),
                    field=f"apps[{i}].signatures[{j}].id",
                )
            sig_ids.add(s.id)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and compile a catalog (default: the shipped one). Raises :class:`CatalogError`."""
    source = load_file(DEFAULT_PATH if path is None else path, CatalogError)
    parsed = validate(CatalogFile, source, CatalogError)
    _check_unique(source, parsed)
    return Catalog(parsed.apps)
