"""Allow-lists: known-safe values a rule does not count, from a policy file to a decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.apps import AppContext
from gateway.dlp import AllowList, Scanner, load_detectors
from gateway.policy import Action, Facts, Vocabulary, load_policies
from gateway.request import Subject

PACK = """\
name: team
allow:
  test_values: true
rules:
  - id: block-cards
    when:
      detectors:
        ids: [credit_card, aws_access_key_id, email_address]
        min_confidence: low
        allow:
          values: ["5105-1051-0510-5100x", "AKIAQ3EGRZ4OSPX7MN2D"]
          patterns: ['[a-z.]+@corp\\.example']
    action: block
  - id: audit-rest
    when: {detectors: {min_confidence: low}}
    action: audit
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scanner, object]:
    directory: Path = tmp_path_factory.mktemp("policies")
    (directory / "team.yaml").write_text(PACK)
    detectors = load_detectors()
    vocab = Vocabulary(apps=set(), detectors={d.id for d in detectors},
                       detector_categories=frozenset({"financial", "pii", "credentials",
                                                      "health", "network"}))
    policies = load_policies(directory, ["team"], vocab)
    scanner = Scanner.build(detectors, hmac_key=b"k" * 32).with_allow(policies.policy.allow)
    return scanner, policies.policy


def _decide(setup: tuple[Scanner, object], text: str) -> tuple[Action, str | None]:
    scanner, policy = setup
    result = scanner.scan_body(text.encode(), content_type="text/plain", content_encoding=None)
    facts = Facts(subject=Subject(user="alice"), app=AppContext(
        app_id=None, name=None, category=None, risk=None, risk_reasons=(), activity="post",
        tenant=None, signature=None), direction="request", method="POST", host="x.example",
        body_size=len(text), scanned=True, findings=result.findings)
    decision = policy.evaluate(facts)  # type: ignore[attr-defined]
    return decision.action, decision.rule_id


@pytest.mark.parametrize(("text", "decided"), [
    # the pack's published test data: no rule of the pack counts it
    ("use the test card 4242 4242 4242 4242 in staging", (Action.ALLOW, None)),
    ("the test card 5555-5555-5555-4444 again", (Action.ALLOW, None)),
    # the rule's own value and pattern: that rule passes, the next one audits
    ("our sandbox key AKIAQ3EGRZ4OSPX7MN2D", (Action.AUDIT, "audit-rest")),
    ("write to jane.roe@corp.example", (Action.AUDIT, "audit-rest")),
])
def test_allow_listed_values_do_not_count_for_the_rule(
        setup: tuple[Scanner, object], text: str, decided: tuple[Action, str | None]) -> None:
    assert _decide(setup, text) == decided


@pytest.mark.parametrize("text", [
    "card 4000 0000 0000 0101 please",  # a valid card that is no published test card
    "key AKIAQ3EGRZ4OSPX7MN2E",
    "write to jane.roe@corp.example.org",  # the pattern must match the whole value
    "card 4242 4242 4242 4242 and card 4000 0000 0000 0101",  # one real value is enough
])
def test_other_values_still_count(setup: tuple[Scanner, object], text: str) -> None:
    assert _decide(setup, text) == (Action.BLOCK, "block-cards")


def test_a_finding_names_the_lists_its_value_is_on_and_never_holds_the_value() -> None:
    lists = [AllowList.of("p/r", values=["4111-1111-1111-1111"]), AllowList.of("p/s")]
    scanner = Scanner.build(load_detectors(), hmac_key=b"k" * 32).with_allow(lists)
    [finding] = scanner.scan_body(b"card 4111 1111 1111 1111", content_type="text/plain",
                                  content_encoding=None).findings
    assert finding.allowed == frozenset({"p/r"})
    assert "4111 1111 1111 1111" not in repr(finding)


def test_separators_and_case_do_not_make_another_value() -> None:
    listed = AllowList.of("p/r", values=["gb82 west 1234 5698 7654 32"])
    assert listed.allows("GB82WEST12345698765432", "GB82WEST12345698765432")
    assert listed.allows("GB82-WEST-1234-5698-7654-32", "GB82WEST12345698765432")
    assert not listed.allows("GB33BUKB20201555555555", "GB33BUKB20201555555555")


def test_a_rewrite_leaves_the_values_on_the_deciding_rules_list() -> None:
    # a redact (or tokenize) rule that fires for one value does not rewrite a listed one
    lists = [AllowList.of("p/r", test_values=True)]
    scanner = Scanner.build(load_detectors(), hmac_key=b"k" * 32).with_allow(lists)
    body = b"test card 4242 4242 4242 4242, real card 4000 0000 0000 0101"
    out = scanner.redact(body, content_type="text/plain", content_encoding=None, allowed="p/r")
    assert out == b"test card 4242 4242 4242 4242, real card 4000 **** **** 0101"
    everything = scanner.redact(body, content_type="text/plain", content_encoding=None)
    assert b"4242 4242 4242 4242" not in everything
