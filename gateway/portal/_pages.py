"""Block pages (HTML for navigations) and RFC 9457 problem+json for API and XHR clients."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from gateway.apps import AppContext
from gateway.audit import summarize
from gateway.policy import Decision
from gateway.request import RequestInfo

_TEMPLATES = Path(__file__).parent / "templates"
PROBLEM_TYPE = "tag:casb-gateway,2026:blocked"


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    accent: str
    support: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def is_navigation(req: RequestInfo) -> bool:
    """A top-level browser navigation gets a page; everything else gets problem+json.

    Browsers send ``Sec-Fetch-Mode: navigate``; without fetch metadata (old clients) we fall back
    to an Accept header that prefers HTML.
    """
    mode = req.header("sec-fetch-mode")
    if mode is not None:
        return mode == "navigate"
    accept = req.header("accept") or ""
    return "text/html" in accept


class Pages:
    """Renders the gateway's pages with a CSP that allows no script and only our own style."""

    def __init__(self, brand: Brand) -> None:
        self.brand = brand
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_TEMPLATES),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
        )
        self._css = self._env.get_template("style.css").render(accent=brand.accent)
        digest = base64.b64encode(hashlib.sha256(self._css.encode()).digest()).decode()
        self.csp = (f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'self' data:; "
                    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

    def security_headers(self) -> list[tuple[str, str]]:
        return [
            ("Content-Security-Policy", self.csp),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"),
        ]

    def render(self, template: str, decision_id: str, **context: Any) -> str:
        brand = {"name": self.brand.name, "support": self.brand.support}
        return self._env.get_template(template).render(
            css=self._css, brand=brand, decision_id=decision_id, **context)

    def blocked(
        self, decision: Decision, req: RequestInfo, app: AppContext,
        *, unscannable: str | None = None,
    ) -> Page:
        """The block answer for this request: a page or problem+json, with the decision id."""
        findings = summarize(decision.findings)
        app_name = app.name or req.host
        activity = app.activity
        headers = [("X-Casb-Decision", decision.id)]
        if is_navigation(req):
            html = self.render(
                "block.html", decision.id, app_name=app_name, host=req.host, activity=activity,
                message=decision.message, reason=decision.reason, unscannable=unscannable,
                findings=findings, rule=decision.rule_id, tenant=app.tenant,
            )
            headers += [("Content-Type", "text/html; charset=utf-8"), *self.security_headers()]
            return Page(403, tuple(headers), html.encode())
        detail = decision.message or f"This {activity} to {app_name} is not allowed by policy."
        problem: dict[str, Any] = {
            "type": PROBLEM_TYPE,
            "title": "Blocked by security policy",
            "status": 403,
            "detail": detail,
            "decision_id": decision.id,
            "rule": decision.rule_id,
            "reason": decision.reason,
            "app": app.app_id,
            "activity": activity,
            "findings": [
                {"detector": f.detector, "count": f.count, "masked": f.masked}
                for f in findings
            ],
        }
        if unscannable:
            problem["unscannable"] = unscannable
        headers += [("Content-Type", "application/problem+json"), ("Cache-Control", "no-store")]
        return Page(403, tuple(headers), json.dumps(problem).encode())
