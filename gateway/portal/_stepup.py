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


def resume_url(req: RequestInfo) -> str:
    """Where the portal sends the user back once done: the page itself for a GET or HEAD
    navigation; nowhere for a form post (never replayed) or a script's call."""
    return req.url if is_navigation(req) and req.method in ("GET", "HEAD") else ""


def _to_portal(pages: Pages, decision: Decision, req: RequestInfo, app: AppContext, url: str,
               *, status: int, problem: dict[str, Any], coach: bool = False,
               headers: tuple[tuple[str, str], ...] = ()) -> Page:
    """303 to ``url`` on the portal for a navigation, else problem+json (``status``) naming it."""
    out = [("X-Casb-Decision", decision.id), ("Cache-Control", "no-store")]
    if is_navigation(req):
        html = pages.render("redirect.html", decision.id, url=url, coach=coach)
        out += [("Location", url), ("Content-Type", "text/html; charset=utf-8"),
                *pages.security_headers()[:1]]
        return Page(303, tuple(out), html.encode())
    body = {**problem, "status": status, "portal_url": url, "decision_id": decision.id,
            "rule": decision.rule_id, "app": app.app_id, "activity": app.activity}
    out += [("Content-Type", "application/problem+json"), *headers]
    return Page(status, tuple(out), json.dumps(body).encode())


def challenge(pages: Pages, decision: Decision, req: RequestInfo, app: AppContext,
              verify_url: str) -> Page:
    """303 to the portal for a navigation, else 401 problem+json naming the portal URL."""
    return _to_portal(
        pages, decision, req, app, verify_url, status=401,
        problem={"type": STEPUP_TYPE, "title": "Additional verification required",
                 "detail": f"Verify your identity at {verify_url} and retry: this "
                           f"{app.activity} to {app.name or req.host} needs a recent second "
                           "factor."},
        headers=(("WWW-Authenticate", f'CASB-StepUp portal="{verify_url}"'),))


def coach(pages: Pages, decision: Decision, req: RequestInfo, app: AppContext,
          coach_url: str) -> Page:
    """303 to the coach page for a navigation, else 403 problem+json naming it (a script
    cannot be shown the page; the user acknowledges it in a browser, then the call goes on)."""
    return _to_portal(
        pages, decision, req, app, coach_url, status=403, coach=True,
        problem={"type": COACH_TYPE, "title": "Acknowledgement required",
                 "detail": f"Open {coach_url} in a browser, read the notice about this "
                           f"{app.activity} to {app.name or req.host} and continue there, "
                           "then retry."})


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
