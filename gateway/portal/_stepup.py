"""What a request without a valid step-up grant gets: a redirect to the portal for a browser
navigation, 401 problem+json naming the portal for everything else; 503 when the state behind
MFA cannot be reached (fail closed)."""

from __future__ import annotations

import json
from typing import Any

from gateway.apps import AppContext
from gateway.policy import Decision
from gateway.portal._pages import Page, Pages, is_navigation
from gateway.request import RequestInfo

STEPUP_TYPE = "tag:casb-gateway,2026:stepup-required"
COACH_TYPE = "tag:casb-gateway,2026:coach-required"
UNAVAILABLE_TYPE = "tag:casb-gateway,2026:temporarily-unavailable"


def portal_url(host: str, path: str = "/") -> str:
    return f"https://{host}{path}"


def challenge(pages: Pages, decision: Decision, req: RequestInfo, app: AppContext,
              verify_url: str) -> Page:
    """303 to the portal for a navigation, else 401 problem+json naming the portal URL."""
    headers = [("X-Casb-Decision", decision.id), ("Cache-Control", "no-store")]
    if is_navigation(req):
        html = pages.render("redirect.html", decision.id, url=verify_url)
        headers += [("Location", verify_url), ("Content-Type", "text/html; charset=utf-8"),
                    *pages.security_headers()[:1]]
        return Page(303, tuple(headers), html.encode())
    app_name = app.name or req.host
    problem: dict[str, Any] = {
        "type": STEPUP_TYPE,
        "title": "Additional verification required",
        "status": 401,
        "detail": f"Verify your identity at {verify_url} and retry: this {app.activity} to "
                  f"{app_name} needs a recent second factor.",
        "portal_url": verify_url,
        "decision_id": decision.id,
        "rule": decision.rule_id,
        "app": app.app_id,
        "activity": app.activity,
    }
    headers += [("Content-Type", "application/problem+json"),
                ("WWW-Authenticate", f'CASB-StepUp portal="{verify_url}"')]
    return Page(401, tuple(headers), json.dumps(problem).encode())


def coach(pages: Pages, decision: Decision, req: RequestInfo, app: AppContext,
          coach_url: str) -> Page:
    """303 to the coach page for a navigation, else 403 problem+json naming it (a script
    cannot be shown the page; the user acknowledges it in a browser, then the call goes on)."""
    headers = [("X-Casb-Decision", decision.id), ("Cache-Control", "no-store")]
    if is_navigation(req):
        html = pages.render("redirect.html", decision.id, url=coach_url, coach=True)
        headers += [("Location", coach_url), ("Content-Type", "text/html; charset=utf-8"),
                    *pages.security_headers()[:1]]
        return Page(303, tuple(headers), html.encode())
    app_name = app.name or req.host
    problem: dict[str, Any] = {
        "type": COACH_TYPE,
        "title": "Acknowledgement required",
        "status": 403,
        "detail": f"Open {coach_url} in a browser, read the notice about this {app.activity} "
                  f"to {app_name} and continue there, then retry.",
        "portal_url": coach_url,
        "decision_id": decision.id,
        "rule": decision.rule_id,
        "app": app.app_id,
        "activity": app.activity,
    }
    headers += [("Content-Type", "application/problem+json")]
    return Page(403, tuple(headers), json.dumps(problem).encode())


def unavailable(pages: Pages, decision: Decision, req: RequestInfo, app: AppContext, *,
                need: str = "a verified second factor") -> Page:
    """503: the verification state cannot be reached, so a protected app stays closed."""
    headers = [("X-Casb-Decision", decision.id), ("Retry-After", "5")]
    app_name = app.name or req.host
    if is_navigation(req):
        html = pages.render("unavailable.html", decision.id, app_name=app_name, need=need)
        headers += [("Content-Type", "text/html; charset=utf-8"), *pages.security_headers()]
        return Page(503, tuple(headers), html.encode())
    problem = {
        "type": UNAVAILABLE_TYPE,
        "title": "Temporarily unavailable",
        "status": 503,
        "detail": f"{app_name} needs {need} and the gateway cannot check it "
                  "right now. Try again in a moment.",
        "decision_id": decision.id,
        "rule": decision.rule_id,
        "app": app.app_id,
    }
    headers += [("Content-Type", "application/problem+json"), ("Cache-Control", "no-store")]
    return Page(503, tuple(headers), json.dumps(problem).encode())
