"""``action: coach`` in the engine's gate and on the portal's coach page."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.audit import AuditEvent, AuditLog
from gateway.config import load_config
from gateway.engine import Engine
from gateway.metrics import Metrics
from gateway.policy import Action
from gateway.portal.app import CSRF_COOKIE, SUBJECT_EXTENSION, portal_app
from gateway.request import RequestInfo, Subject
from gateway.state import open_store
from tests.redis_server import free_port

NAV = (("sec-fetch-mode", "navigate"), ("accept", "text/html"))
ALICE = Subject(user="alice", client_ip="10.0.0.1", device_id="fp:1")
PACK = """name: coach
rules:
  - id: coach-share
    when: {hosts: [coach.example.org]}
    action: coach
    coach: {message: "Customer files belong on the company share.", justification: true,
            ttl: 600}
  - id: coach-plain
    when: {hosts: [plain.example.org]}
    action: coach
"""


class Events:
    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def __call__(self, event: AuditEvent) -> None:
        self.events.append(event)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    d = tmp_path_factory.mktemp("coach")
    (d / "policies").mkdir()
    (d / "policies" / "coach.yaml").write_text(PACK)
    cfg = load_config(environ={}, overrides={
        "certs_dir": str(d), "policy": {"dir": str(d / "policies"), "packs": ["coach"]}})
    return Engine.build(cfg, audit=AuditLog([]), metrics=Metrics(), hmac_key=b"k" * 32,
                        store=open_store(f"sqlite://{d}/state.db"))


def engine(built: Engine, store_url: str, events: Events | None = None) -> Engine:
    b = built
    return Engine(b.config, catalog=b.catalog, policies=b.policies, scanner=b.scanner,
                  identifier=b.identifier, pages=b.pages,
                  audit=AuditLog([], on_event=events), metrics=Metrics(),
                  store=open_store(store_url, timeout=0.25))


def req(host: str = "coach.example.org", headers: tuple[tuple[str, str], ...] = NAV,
        method: str = "GET") -> RequestInfo:
    return RequestInfo(method=method, scheme="https", host=host, port=443,
                       path="/files/q3?x=1", headers=headers)


def ref_of(location: str) -> str:
    assert location.startswith("https://casb.gateway.internal/coach?r=")
    return location.rsplit("=", 1)[1]


def test_a_navigation_goes_to_the_coach_page_until_acknowledged(
        built: Engine, tmp_path: Path) -> None:
    events = Events()
    e = engine(built, f"sqlite://{tmp_path}/state.db", events)
    r = req()
    app = e.classify(r)
    assert e.gate_needed(r, ALICE, app)
    v = e.stepup_gate(r, ALICE, app)
    assert v is not None and v.page is not None and v.page.status == 303
    pending = e.mfa.coach_pending(ref_of(dict(v.page.headers)["Location"]))
    assert pending is not None and pending.url == r.url and pending.rule == "coach-share"
    assert pending.justification and pending.ttl == 600
    assert pending.message == "Customer files belong on the company share."
    assert pending.decision_id == v.decision.id
    assert events.events[-1].action == "coach" and events.events[-1].request is not None
    assert events.events[-1].request.status == 303
    # The body-time check agrees: without an acknowledgement the flow is stopped.
    verdict = e.judge("request", r, ALICE, app, b"", content_type=None, content_encoding=None)
    assert verdict.decision.action is Action.BLOCK and verdict.page is not None
    e.mfa.acknowledge(pending)
    assert e.mfa.coach_pending(pending.id) is None  # used once
    assert e.stepup_gate(r, ALICE, app) is None
    verdict = e.judge("request", r, ALICE, app, b"", content_type=None, content_encoding=None)
    assert verdict.page is None
    assert verdict.decision.action is Action.COACH and verdict.decision.reason == "acknowledged"
    assert (events.events[-1].action, events.events[-1].reason) == ("coach", "acknowledged")
    # Scoped to the device and the rule; revoking the user's grants ends it too.
    assert e.stepup_gate(r, Subject(user="alice", client_ip="10.0.0.1", device_id="fp:2"),
                         app) is not None
    assert e.stepup_gate(req("plain.example.org"), ALICE, app) is not None
    e.mfa.revoke("alice")
    assert e.stepup_gate(r, ALICE, app) is not None


def test_an_acknowledgement_ages_out_after_the_rules_ttl(built: Engine, tmp_path: Path) -> None:
    e = engine(built, f"sqlite://{tmp_path}/state.db")
    now = [1_000_000.0]
    e.mfa.clock = lambda: now[0]
    r = req()
    v = e.stepup_gate(r, ALICE, e.classify(r))
    assert v is not None and v.page is not None
    pending = e.mfa.coach_pending(ref_of(dict(v.page.headers)["Location"]))
    assert pending is not None
    e.mfa.acknowledge(pending)
    now[0] += 599
    assert e.mfa.acknowledged("alice", "fp:1", "coach-share", ttl=600)
    now[0] += 2
    assert not e.mfa.acknowledged("alice", "fp:1", "coach-share", ttl=600)


def test_api_calls_get_403_problem_json_naming_the_coach_page(
        built: Engine, tmp_path: Path) -> None:
    e = engine(built, f"sqlite://{tmp_path}/state.db")
    r = req(headers=(("sec-fetch-mode", "cors"),), method="POST")
    v = e.stepup_gate(r, ALICE, e.classify(r))
    assert v is not None and v.page is not None and v.page.status == 403
    headers = dict(v.page.headers)
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(v.page.body)
    assert problem["rule"] == "coach-share" and problem["decision_id"] == v.decision.id
    pending = e.mfa.coach_pending(ref_of(problem["portal_url"]))
    assert pending is not None and pending.url == ""  # never back to a POST
    anonymous = Subject(user=None, client_ip="10.0.0.9")
    v = e.stepup_gate(req(), anonymous, e.classify(req()))
    assert v is not None and v.page is not None and v.page.status == 403


@pytest.mark.timeout(30)
def test_store_down_fails_closed_for_coach_rules(built: Engine) -> None:
    e = engine(built, f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    r = req()
    v = e.stepup_gate(r, ALICE, e.classify(r))
    assert v is not None and v.page is not None and v.page.status == 503
    assert b"acknowledgement" in v.page.body
    assert e.metrics.registry.get_sample_value("casb_fail_closed_total",
                                               {"stage": "coach"}) == 1.0
    v = e.stepup_unavailable(r, ALICE, e.classify(r))
    assert v is not None and v.page is not None and v.page.status == 503
    assert not e.gate_needed(req("example.org"), ALICE, e.classify(req("example.org")))


# -- the portal page --------------------------------------------------------------------------
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


Client = httpx.AsyncClient


@pytest.fixture()
def portal(built: Engine, tmp_path: Path) -> tuple[Engine, Events, Callable[..., None]]:
    """The engine, its audit events, and a runner for a test body given a portal client
    (the subject the proxy would pass is alice)."""
    events = Events()
    e = engine(built, f"sqlite://{tmp_path}/state.db", events)
    app = portal_app(lambda: e)

    async def with_subject(scope: dict[str, Any], receive: Any, send: Any) -> None:
        scope.setdefault("extensions", {})[SUBJECT_EXTENSION] = ALICE
        await app(scope, receive, send)

    def run(body: Callable[[Client], Awaitable[None]]) -> None:
        async def main() -> None:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=with_subject),
                                         base_url="https://casb.gateway.internal") as c:
                await body(c)
        # A thread of its own: asyncio.run refuses to start inside a running loop.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, main()).result()

    return e, events, run


def coach_ref(e: Engine) -> str:
    v = e.stepup_gate(req(), ALICE, e.classify(req()))
    assert v is not None and v.page is not None
    return ref_of(dict(v.page.headers)["Location"])


def test_the_coach_page_is_safe_and_continue_needs_csrf_and_a_justification(
        portal: tuple[Engine, Events, Callable[..., None]]) -> None:
    e, events, run = portal
    ref = coach_ref(e)
    run(lambda c: _continue(e, c, events, ref))


async def _continue(e: Engine, c: Client, events: Events, ref: str) -> None:
    page = await c.get(f"/coach?r={ref}")
    assert page.status_code == 200
    assert "Customer files belong on the company share." in page.text
    assert 'for="justification"' in page.text and "coach.example.org" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src" not in csp and "unsafe-inline" not in csp
    assert "form-action 'self' https://coach.example.org" in csp
    assert page.headers["cache-control"] == "no-store"
    pending = e.mfa.coach_pending(ref)
    assert pending is not None and pending.decision_id in page.text
    assert c.cookies.get(CSRF_COOKIE)
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    # No token: refused. No justification, or too long a one: asked again.
    r = await c.post("/coach", data={"r": ref, "choice": "continue", "justification": "x"})
    assert r.status_code == 403
    r = await c.post("/coach", data={"csrf": csrf, "r": ref, "choice": "continue"})
    assert r.status_code == 400 and 'role="alert"' in r.text
    r = await c.post("/coach", data={"csrf": csrf, "r": ref, "choice": "continue",
                                     "justification": "y" * 501})
    assert r.status_code == 400
    assert not e.mfa.acknowledged("alice", "fp:1", "coach-share", ttl=600)
    r = await c.post("/coach", data={"csrf": csrf, "r": ref, "choice": "continue",
                                     "justification": "Quarterly  report\nfor ACME, "
                                                      "card 4111 1111 1111 1111"},
                     follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == req().url
    assert e.mfa.acknowledged("alice", "fp:1", "coach-share", ttl=600)
    (event,) = [ev for ev in events.events if ev.kind == "coach"]
    assert event.action == "acknowledged" and event.decision_id == pending.decision_id
    assert event.rule == "coach-share" and event.detail["justification"] == (
        "Quarterly report for ACME, card 4111 **** **** 1111")  # what a detector finds is masked
    # The reference is used up.
    assert (await c.get(f"/coach?r={ref}")).status_code == 404


def test_cancel_grants_nothing_and_foreign_references_lead_nowhere(
        portal: tuple[Engine, Events, Callable[..., None]]) -> None:
    e, events, run = portal
    ref = coach_ref(e)
    bob = Subject(user="bob", client_ip="10.0.0.2", device_id="fp:9")
    v = e.stepup_gate(req(), bob, e.classify(req()))
    assert v is not None and v.page is not None
    run(lambda c: _cancel(e, c, events, ref, ref_of(dict(v.page.headers)["Location"])))


async def _cancel(e: Engine, c: Client, events: Events, ref: str, bobs: str) -> None:
    page = await c.get(f"/coach?r={ref}")
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    r = await c.post("/coach", data={"csrf": csrf, "r": ref, "choice": "cancel"},
                     follow_redirects=False)
    assert r.status_code == 200 and "Not continued" in r.text
    assert not e.mfa.acknowledged("alice", "fp:1", "coach-share", ttl=600)
    assert [ev.action for ev in events.events if ev.kind == "coach"] == ["cancelled"]
    assert (await c.get(f"/coach?r={ref}")).status_code == 404
    # Someone else's notice is not alice's to acknowledge.
    assert (await c.get(f"/coach?r={bobs}")).status_code == 404
    r = await c.get("/coach?r=https%3A%2F%2Fevil.example%2F")
    assert r.status_code == 404
