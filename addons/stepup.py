"""Step-up: a flow a ``stepup`` rule covers needs a valid grant, or it goes to the portal.

The store calls (grant, risk) run in a worker thread, bounded by ``mfa.budget``: past it, a
step-up-protected flow fails closed with 503 while other flows go on to their policy.
"""

from __future__ import annotations

import asyncio
import logging

from mitmproxy import http

from addons._flow import Holder, app_of, page_response, request_info, subject_of
from addons._guard import fail_flow

logger = logging.getLogger("casb")


class StepUp:
    def __init__(self, holder: Holder) -> None:
        self.holder = holder

    async def request(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None:
            return
        try:
            await self._check(flow)
        except Exception as error:
            fail_flow(self.holder, flow, "stepup", "request", error)

    async def _check(self, flow: http.HTTPFlow) -> None:
        subject, app = subject_of(flow), app_of(flow)
        if subject is None or app is None:
            return  # the inspect addon fails this flow with the policy's on_error verdict
        engine = self.holder.engine
        req = request_info(flow)
        if not engine.gate_needed(req, subject, app):
            return
        try:
            verdict = await asyncio.wait_for(
                asyncio.to_thread(engine.stepup_gate, req, subject, app),
                timeout=engine.config.mfa.budget)
        except TimeoutError:
            verdict = engine.stepup_unavailable(req, subject, app)
        if verdict is not None and verdict.page is not None:
            flow.response = page_response(verdict.page)
