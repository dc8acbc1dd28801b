"""Keep traffic inspectable: strip HTTP/3 offers, count what we cannot see into."""

from __future__ import annotations

from mitmproxy import http, tls

from addons._flow import Holder
from addons._guard import guarded
from gateway.altsvc import strip_h3


class Hardening:
    def __init__(self, holder: Holder) -> None:
        self.holder = holder

    @guarded("hardening", "response")
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        resp = flow.response
        if resp is None:
            return
        values = resp.headers.get_all("alt-svc")
        if not values:
            return
        kept: list[str] = []
        removed = 0
        for v in values:
            new, n = strip_h3(v)
            removed += n
            if new:
                kept.append(new)
        if removed:
            resp.headers.set_all("alt-svc", kept)
            self.holder.engine.metrics.uninspected.labels("alt_svc_h3_stripped").inc(removed)

    def tls_failed_client(self, data: tls.TlsData) -> None:
        # The client refused our certificate (pinning, or the CA is not trusted): nothing of
        # this connection is inspected. It never reaches the origin through us either.
        self.holder.engine.metrics.uninspected.labels("client_tls_failed").inc()

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        if data.ignore_connection:
            self.holder.engine.metrics.uninspected.labels("tls_passthrough").inc()
