"""``action: coach``: its parameters, and the pre-body check that lets the gate skip the store."""

from __future__ import annotations

import pydantic
import pytest

from gateway.policy import Action, Coach, Rule
from tests.gateway.policy.test_evaluate import app, facts, policy

COACH = {"id": "coach-drive", "action": "coach", "when": {"hosts": ["coach.example.org"]},
         "coach": {"message": "Use the company share for customer files.",
                   "justification": True, "ttl": 600}}


def test_coach_parameters_and_their_defaults() -> None:
    r = Rule.model_validate(COACH)
    assert r.action is Action.COACH
    assert r.coach_params == Coach(message="Use the company share for customer files.",
                                   justification=True, ttl=600)
    bare = Rule.model_validate({"id": "c", "action": "coach"})
    assert bare.coach_params == Coach(message="", justification=False, ttl=3600)


@pytest.mark.parametrize("rule", [
    {"id": "c", "action": "block", "coach": {"message": "x"}},  # params need action: coach
    {"id": "c", "action": "coach", "coach": {"ttl": 10}},  # shorter than a minute
    {"id": "c", "action": "coach", "coach": {"ttl": 31 * 86400}},
    {"id": "c", "action": "coach", "coach": {"message": "x", "extra": 1}},
    {"id": "c", "action": "coach", "coach": {"justification": "maybe"}},
])
def test_misplaced_or_out_of_range_coach_parameters_are_refused(rule: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        Rule.model_validate(rule)


def test_a_coach_rule_is_a_gate_rule_before_the_body_is_known() -> None:
    p = policy([COACH])
    assert p.stepup_possible(facts(host="coach.example.org"))
    assert not p.stepup_possible(facts(host="www.googleapis.com"))
    d = p.evaluate(facts(app(), host="coach.example.org"))
    assert d.action is Action.COACH and d.rule_id == "coach-drive"
    assert d.rule is not None and d.rule.coach_params.ttl == 600
