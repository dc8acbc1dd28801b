"""Which SaaS app, tenant and activity? Also enforces tenant restrictions by header injection."""

from __future__ import annotations

from mitmproxy import http

from addons._flow import APP, Holder, request_info
from addons._guard import guarded

JSON_PEEK = 1024 * 1024


class AppId:
    def __init__(self, holder: Holder) -> None:
        self.holder = holder

    @guarded("appid", "request")
    def request(self, flow: http.HTTPFlow) -> None:
        engine = self.holder.engine
        req = request_info(flow)
        raw = flow.request.raw_content
        # Only small identity-encoded bodies are offered for JSON signatures (tenant fields).
        peek = raw if raw and len(raw) <= JSON_PEEK and "content-encoding" not in \
            flow.request.headers else None
        flow.metadata[APP] = engine.classify(req, peek)
        edit = engine.tenant_edit(req.host)
        for name in edit.remove:
            flow.request.headers.pop(name, None)
        for name, value in edit.add:
            flow.request.headers.add(name, value)
