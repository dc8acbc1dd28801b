"""The engine's step-up gate with the shipped default policy: challenge, grant, fail closed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.audit import AuditLog
from gateway.config import load_config
from gateway.engine import Engine
from gateway.metrics import Metrics
from gateway.request import RequestInfo, Subject
from gateway.state import open_store
from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parents[3]
NAV = (("sec-fetch-mode", "navigate"), ("accept", "text/html"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Built once (the detector database takes a while); tests re-wire it to their store."""
    d = tmp_path_factory.mktemp("gate")
    cfg = load_config(environ={}, overrides={"certs_dir": str(d),
                                             "policy": {"dir": str(ROOT / "policies")}})
    return Engine.build(cfg, audit=AuditLog([]), metrics=Metrics(), hmac_key=b"k" * 32,
                        store=open_store(f"sqlite://{d}/state.db"))


def engine(built: Engine, store_url: str) -> Engine:
    b = built
    return Engine(b.config, catalog=b.catalog, policies=b.policies, scanner=b.scanner,
                  identifier=b.identifier, pages=b.pages, audit=b.audit, metrics=Metrics(),
                  store=open_store(store_url, timeout=0.25))


def console(headers: tuple[tuple[str, str], ...] = NAV, method: str = "GET") -> RequestInfo:
    return RequestInfo(method=method, scheme="https", host="console.aws.amazon.com", port=443,
                       path="/console/home?x=1", headers=headers)


ALICE = Subject(user="alice", client_ip="10.0.0.1", device_id="fp:1")


def test_cloud_console_navigation_is_sent_to_the_portal_until_a_grant_exists(
        built: Engine, tmp_path: Path) -> None:
    e = engine(built, f"sqlite://{tmp_path}/state.db")
    req = console()
    app = e.classify(req)
    v = e.stepup_gate(req, ALICE, app)
    assert v is not None and v.page is not None and v.page.status == 303
    location = dict(v.page.headers)["Location"]
    assert location.startswith("https://casb.gateway.internal/verify?r=")
    pending = e.mfa.pending(location.rsplit("=", 1)[1])
    assert pending is not None and pending.url == req.url and pending.max_age == 28800
    e.mfa.finish(pending, "totp")
    assert e.stepup_gate(req, ALICE, app) is None
    # Another device of the same user is not covered.
    other = Subject(user="alice", client_ip="10.0.0.1", device_id="fp:2")
    assert e.stepup_gate(req, other, app) is not None


def test_api_calls_get_401_problem_json_and_unrelated_traffic_passes(
        built: Engine, tmp_path: Path) -> None:
    e = engine(built, f"sqlite://{tmp_path}/state.db")
    req = console(headers=(("sec-fetch-mode", "cors"),), method="POST")
    v = e.stepup_gate(req, ALICE, e.classify(req))
    assert v is not None and v.page is not None and v.page.status == 401
    assert json.loads(v.page.body)["portal_url"].startswith("https://casb.gateway.internal/")
    plain = RequestInfo("GET", "https", "example.org", 443, "/", NAV)
    assert e.stepup_gate(plain, ALICE, e.classify(plain)) is None


@pytest.mark.timeout(30)
def test_store_down_fails_closed_for_protected_apps_only(built: Engine) -> None:
    e = engine(built, f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    req = console()
    v = e.stepup_gate(req, ALICE, e.classify(req))
    assert v is not None and v.page is not None and v.page.status == 503
    assert b"temporarily unavailable" in v.page.body
    plain = RequestInfo("GET", "https", "example.org", 443, "/", NAV)
    assert e.stepup_gate(plain, ALICE, e.classify(plain)) is None
    text = e.metrics.registry.get_sample_value("casb_fail_closed_total", {"stage": "stepup"})
    assert text == 1.0


def test_failed_verifications_raise_the_mfa_failures_risk_signal(
        built: Engine, tmp_path: Path) -> None:
    e = engine(built, f"sqlite://{tmp_path}/state.db")
    e.mfa.enroll_totp("alice")
    assert not any(s.kind == "mfa_failures" for s in e.risk.score("alice").signals)
    assert not e.mfa.attempt("alice", "backup", "abcde-fghjk").ok
    (signal,) = [s for s in e.risk.score("alice").signals if s.kind == "mfa_failures"]
    assert signal.reason == "1 failed verification(s) in a row (last: backup)"
    first = signal.weight
    e.mfa.store.delete("mfa:wait:alice")  # past the progressive delay
    assert not e.mfa.attempt("alice", "webauthn", "{}").ok
    (signal,) = [s for s in e.risk.score("alice").signals if s.kind == "mfa_failures"]
    assert signal.weight > first and "2 failed" in signal.reason and "webauthn" in signal.reason
    # A success does not add to it.
    e.mfa.store.delete("mfa:wait:alice")
    codes = e.mfa.new_backup_codes("alice")
    assert e.mfa.attempt("alice", "backup", codes[0]).ok
    assert [s.reason for s in e.risk.score("alice").signals if s.kind == "mfa_failures"] == [
        signal.reason]


def test_with_risk_off_failures_raise_no_signal(built: Engine, tmp_path: Path) -> None:
    b = built
    cfg = b.config.model_copy(update={"risk": b.config.risk.model_copy(update={"enabled": False})})
    e = Engine(cfg, catalog=b.catalog, policies=b.policies, scanner=b.scanner,
               identifier=b.identifier, pages=b.pages, audit=b.audit, metrics=Metrics(),
               store=open_store(f"sqlite://{tmp_path}/state.db"))
    e.mfa.enroll_totp("alice")
    assert not e.mfa.attempt("alice", "backup", "abcde-fghjk").ok
    assert e.risk.score("alice").signals == ()
