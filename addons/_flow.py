"""Translation between mitmproxy flows and the engine's plain data, and the shared holder."""

from __future__ import annotations

from dataclasses import dataclass, field

from mitmproxy import http

from gateway.apps import AppContext
from gateway.engine import Engine
from gateway.portal import Page
from gateway.request import RequestInfo, Subject

SUBJECT = "casb.subject"
APP = "casb.app"
REQUEST_DECISION = "casb.request_decision"


@dataclass
class Holder:
    """The current engine generation. Reload swaps ``engine`` in one assignment."""

    engine: Engine
    ready: bool = False
    notes: dict[str, str] = field(default_factory=dict)


def request_info(flow: http.HTTPFlow) -> RequestInfo:
    r = flow.request
    return RequestInfo(
        method=r.method,
        scheme=r.scheme,
        host=r.pretty_host.lower(),
        port=r.port,
        path=r.path,
        headers=tuple((k.lower(), v) for k, v in r.headers.items(multi=True)),
    )


def subject_of(flow: http.HTTPFlow) -> Subject | None:
    s = flow.metadata.get(SUBJECT)
    return s if isinstance(s, Subject) else None


def app_of(flow: http.HTTPFlow) -> AppContext | None:
    a = flow.metadata.get(APP)
    return a if isinstance(a, AppContext) else None


def context_of(flow: http.HTTPFlow) -> tuple[Subject, AppContext]:
    """Subject and app the earlier hooks attached; their absence is a failure to judge."""
    subject, app = subject_of(flow), app_of(flow)
    if subject is None or app is None:
        raise RuntimeError("identity or app context missing")
    return subject, app


def page_response(page: Page) -> http.Response:
    headers = http.Headers([(k.encode(), v.encode()) for k, v in page.headers])
    return http.Response.make(page.status, page.body, headers)


def set_raw_body(message: http.Message, body: bytes) -> None:
    """Replace the (still encoded) body and keep Content-Length true."""
    message.raw_content = body
    if "transfer-encoding" not in message.headers:
        message.headers["content-length"] = str(len(body))
