"""One helper so that our hooks never fail open.

mitmproxy logs an exception raised in a hook and forwards the flow as it is. Every hook of ours
goes through :func:`guarded`, which turns an error into the policy's fail verdict (by default
block for flows a content rule covers), a metric and an audit event.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from mitmproxy import http

from addons._flow import Holder, app_of, page_response, request_info, subject_of
from gateway.policy import Action, Direction

logger = logging.getLogger("casb")
Hook = TypeVar("Hook", bound=Callable[..., Any])


class HasHolder(Protocol):
    holder: Holder


_LAST_RESORT = http.Response.make(
    503, b'{"title": "casb-gateway could not check this request", "status": 503}',
    {"Content-Type": "application/problem+json", "Cache-Control": "no-store"},
)


def guarded(stage: str, direction: Direction) -> Callable[[Hook], Hook]:
    """Wrap a ``hook(self, flow)``: any exception becomes the fail verdict, never fail-open."""

    def decorate(hook: Hook) -> Hook:
        @functools.wraps(hook)
        def wrapper(self: HasHolder, flow: http.HTTPFlow) -> None:
            try:
                hook(self, flow)
            except Exception as error:
                fail_flow(self.holder, flow, stage, direction, error)

        return cast(Hook, wrapper)

    return decorate


def fail_flow(holder: Holder, flow: http.HTTPFlow, stage: str, direction: Direction,
              error: BaseException) -> None:
    logger.error("casb: %s hook failed: %s", stage, type(error).__name__,
                 exc_info=(type(error), error, error.__traceback__))
    try:
        req = request_info(flow)
        verdict = holder.engine.fail(stage, error, direction=direction, req=req,
                                     subject=subject_of(flow), app=app_of(flow))
        if verdict.decision.action is Action.BLOCK and verdict.page is not None:
            flow.response = page_response(verdict.page)
    except Exception:
        logger.exception("casb: fail verdict for %s could not be computed; blocking", stage)
        flow.response = _LAST_RESORT.copy()
