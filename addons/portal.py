"""The portal: the gateway's own pages on ``portal.host``, served through the proxy itself.

As mitmproxy serves its onboarding app (``mitmproxy.addons.asgiapp``), but the ASGI scope also
carries the subject the identity addon established, so the pages know who is asking without
trusting anything the browser says. Requests to the portal host never go upstream.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asgiref.compatibility
from mitmproxy import http
from mitmproxy.addons import asgiapp

from addons._flow import Holder, subject_of
from gateway.portal.app import SUBJECT_EXTENSION, portal_app

logger = logging.getLogger("casb")
_FAILED = http.Response.make(
    503, b"The gateway's pages are unavailable right now.",
    {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"})


class Portal:
    def __init__(self, holder: Holder) -> None:
        self.holder = holder
        self.host = holder.engine.config.portal.host.lower()
        self.app = asgiref.compatibility.guarantee_single_callable(
            portal_app(lambda: holder.engine))

    async def request(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None or flow.error or not flow.live:
            return
        if flow.request.pretty_host.lower() != self.host:
            return
        try:
            await serve(self.app, flow, {SUBJECT_EXTENSION: subject_of(flow)})
        except Exception:
            logger.exception("casb: portal failed")
            flow.response = _FAILED.copy()


async def serve(app: Any, flow: http.HTTPFlow, extensions: dict[str, Any]) -> None:
    """mitmproxy's ``asgiapp.serve``, with our extensions in the scope."""
    scope = asgiapp.make_scope(flow)
    scope["extensions"].update(extensions)
    done = asyncio.Event()
    received = False
    complete = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": flow.request.raw_content or b""}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(event: dict[str, Any]) -> None:
        nonlocal complete
        if event["type"] == "http.response.start":
            flow.response = http.Response.make(event["status"], b"", event.get("headers", []))
            flow.response.decode()
        elif event["type"] == "http.response.body" and flow.response is not None:
            flow.response.content = (flow.response.content or b"") + event.get("body", b"")
            if not event.get("more_body", False):
                complete = True

    try:
        await app(scope, receive, send)
        if not complete:
            raise RuntimeError("the portal sent no complete response")
    finally:
        done.set()
