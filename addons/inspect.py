"""DLP and enforcement: hand the body to the engine, apply block / redact / audit / allow."""

from __future__ import annotations

from mitmproxy import http

from addons._flow import (
    REQUEST_DECISION,
    Holder,
    context_of,
    page_response,
    request_info,
    set_raw_body,
)
from addons._guard import guarded
from addons.stream import STREAMED
from gateway.policy import Action


class Inspect:
    def __init__(self, holder: Holder) -> None:
        self.holder = holder

    @guarded("inspect", "request")
    def request(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None:  # already answered (by a failing earlier hook)
            return
        if "request" in flow.metadata.get(STREAMED, ()):
            return  # judged chunk by chunk as it streamed (addons/stream.py)
        subject, app = context_of(flow)
        r = flow.request
        verdict = self.holder.engine.judge(
            "request", request_info(flow), subject, app, r.raw_content,
            content_type=r.headers.get("content-type"),
            content_encoding=r.headers.get("content-encoding"),
        )
        if verdict.decision.action is Action.BLOCK and verdict.page is not None:
            flow.response = page_response(verdict.page)
            return
        flow.metadata[REQUEST_DECISION] = verdict.decision.id
        if verdict.body is not None:
            set_raw_body(r, verdict.body)

    @guarded("inspect", "response")
    def response(self, flow: http.HTTPFlow) -> None:
        resp = flow.response
        if resp is None or REQUEST_DECISION not in flow.metadata \
                or "response" in flow.metadata.get(STREAMED, ()):
            return  # our own block page, or a flow we did not judge on the way out
        subject, app = context_of(flow)
        verdict = self.holder.engine.judge(
            "response", request_info(flow), subject, app, resp.raw_content,
            content_type=resp.headers.get("content-type"),
            content_encoding=resp.headers.get("content-encoding"),
            status=resp.status_code,
        )
        if verdict.decision.action is Action.BLOCK and verdict.page is not None:
            flow.response = page_response(verdict.page)
        elif verdict.body is not None:
            set_raw_body(resp, verdict.body)
