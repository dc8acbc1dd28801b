"""First match wins, monitor rules never change the outcome, and every decision explains itself."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.apps import AppContext
from gateway.dlp import Confidence, Finding
from gateway.policy import Action, Facts, Pack, PolicySet, Settings
from gateway.request import Subject


def policy(rules: list[dict[str, Any]], tenants: dict[str, list[str]] | None = None,
           **settings: Any) -> PolicySet:
    pack = Pack.model_validate({"name": "t", "rules": rules})
    return PolicySet([("t", r) for r in pack.rules], Settings(**settings),
                     {k: frozenset(v) for k, v in (tenants or {}).items()}, ["t"])


def app(app_id: str | None = "google_drive", category: str | None = "file_sharing",
        activity: str = "upload", tenant: str | None = None, risk: int = 50) -> AppContext:
    return AppContext(app_id=app_id, name=app_id, category=category, risk=risk,
                      risk_reasons=(), activity=activity, tenant=tenant, signature=None)


def card(conf: Confidence = Confidence.HIGH) -> Finding:
    return Finding(detector="credit_card", name="Payment card", category="financial",
                   confidence=conf, location="body", masked="4111********1111", hmac="00",
                   context=False, validator="luhn")


def facts(a: AppContext | None = None, findings: tuple[Finding, ...] = (), *,
          user: str = "alice", groups: frozenset[str] = frozenset(),
          direction: str = "request", unscannable: str | None = None,
          host: str = "www.googleapis.com") -> Facts:
    return Facts(subject=Subject(user=user, groups=groups, client_ip="10.0.0.1"),
                 app=a or app(), direction=direction, method="POST", host=host,  # type: ignore[arg-type]
                 body_size=100, scanned=True, findings=findings, unscannable=unscannable)


BLOCK_CARDS = {"id": "block-cards", "action": "block",
               "when": {"categories": ["file_sharing"], "tenant": "not_allowed",
                        "detectors": {"ids": ["credit_card"]}}}
AUDIT_ANY = {"id": "audit-any", "action": "audit", "when": {"detectors": {}}}


def test_first_matching_rule_wins_and_names_itself() -> None:
    d = policy([BLOCK_CARDS, AUDIT_ANY]).evaluate(facts(findings=(card(),)))
    assert (d.action, d.rule_id, d.reason) == (Action.BLOCK, "block-cards", "rule")


def test_no_match_falls_to_the_default_action() -> None:
    d = policy([BLOCK_CARDS], default_action="audit").evaluate(facts())
    assert (d.action, d.rule_id, d.reason) == (Action.AUDIT, None, "default")


def test_an_allow_listed_tenant_is_not_blocked_but_other_tenants_are() -> None:
    p = policy([BLOCK_CARDS, AUDIT_ANY], tenants={"google_drive": ["example.com"]})
    ours = p.evaluate(facts(app(tenant="example.com"), (card(),)))
    theirs = p.evaluate(facts(app(tenant="gmail.com"), (card(),)))
    unknown = p.evaluate(facts(app(tenant=None), (card(),)))
    assert (ours.action, theirs.action, unknown.action) == (
        Action.AUDIT, Action.BLOCK, Action.BLOCK)


def test_a_low_confidence_finding_does_not_meet_a_medium_threshold() -> None:
    d = policy([BLOCK_CARDS]).evaluate(facts(findings=(card(Confidence.LOW),)))
    assert d.action is Action.ALLOW


def test_monitor_rule_records_what_it_would_do_and_evaluation_goes_on() -> None:
    monitor = {**BLOCK_CARDS, "id": "try-block", "mode": "monitor"}
    d = policy([monitor, AUDIT_ANY]).evaluate(facts(findings=(card(),)))
    assert d.action is Action.AUDIT and d.rule_id == "audit-any"
    assert [(h.rule_id, h.action) for h in d.monitored] == [("try-block", Action.BLOCK)]


def test_unscannable_content_gets_the_rules_unscannable_verdict() -> None:
    p = policy([BLOCK_CARDS, {**AUDIT_ANY, "unscannable": "skip"}])
    d = p.evaluate(facts(unscannable="limit_exceeded:ratio"))
    assert (d.action, d.reason, d.rule_id) == (Action.BLOCK, "unscannable", "block-cards")
    other = p.evaluate(facts(app("example", "ai"), unscannable="decode_error:gzip"))
    assert other.action is Action.ALLOW  # only the skip-on-unscannable audit rule applied


def test_group_and_exclusion_conditions() -> None:
    rule = {"id": "finance-only", "action": "block",
            "when": {"groups": ["finance"], "exclude_users": ["cfo"]}}
    p = policy([rule])
    assert p.evaluate(facts(groups=frozenset({"finance"}))).action is Action.BLOCK
    assert p.evaluate(facts(groups=frozenset({"finance"}), user="cfo")).action is Action.ALLOW
    assert p.evaluate(facts(groups=frozenset({"staff"}))).action is Action.ALLOW


def test_response_rules_do_not_apply_to_requests_unless_direction_any() -> None:
    rule = {"id": "dl", "action": "block", "when": {"direction": "response"}}
    p = policy([rule])
    assert p.evaluate(facts(direction="request")).action is Action.ALLOW
    assert p.evaluate(facts(direction="response")).action is Action.BLOCK


@pytest.mark.parametrize(("host", "pattern", "hit"), [
    ("example.com", "*.example.com", True),
    ("a.b.example.com", "*.example.com", True),
    ("evilexample.com", "*.example.com", False),
    ("example.com.evil.net", "example.com", False),
])
def test_host_patterns_match_whole_labels(host: str, pattern: str, hit: bool) -> None:
    rule = {"id": "h", "action": "block", "when": {"hosts": [pattern]}}
    assert (policy([rule]).evaluate(facts(host=host)).action is Action.BLOCK) is hit


def test_redact_names_only_the_detectors_its_rule_matched() -> None:
    email = Finding(detector="email", name="E-mail", category="pii",
                    confidence=Confidence.HIGH, location="body", masked="j***@x.com",
                    hmac="01", context=False, validator=None)
    rule = {"id": "r", "action": "redact", "when": {"detectors": {"ids": ["credit_card"]}}}
    d = policy([rule]).evaluate(facts(findings=(card(), email)))
    assert d.redact_detectors == frozenset({"credit_card"})


def test_needs_content_only_when_a_content_rule_could_apply() -> None:
    p = policy([BLOCK_CARDS])
    assert p.needs_content(facts(app()))
    assert not p.needs_content(facts(app("chatgpt", "ai")))


def test_on_error_blocks_covered_flows_and_unknown_context_but_not_others() -> None:
    p = policy([BLOCK_CARDS])
    assert p.on_error(facts(app())) is Action.BLOCK
    assert p.on_error(facts(app("chatgpt", "ai"))) is Action.ALLOW
    assert p.on_error(None) is Action.BLOCK
    assert policy([BLOCK_CARDS], on_error="allow").on_error(None) is Action.ALLOW


def test_explain_traces_each_condition_of_each_rule() -> None:
    d = policy([BLOCK_CARDS, AUDIT_ANY]).evaluate(
        facts(app("chatgpt", "ai"), (card(),)), explain=True)
    text = "\n".join(d.trace)
    assert "rule t/block-cards" in text
    assert "categories: 'ai' in ['file_sharing'] -> no" in text
    assert "=> matched: audit" in text
