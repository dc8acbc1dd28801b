"""Risk scores from decaying signals, shared through the store (both backends)."""

from __future__ import annotations

from gateway.config import RiskConfig, RiskResponse
from gateway.risk import RiskEngine, RiskResponseTaken
from tests.conftest import OpenStore

NOON = 1_700_049_600.0  # 2023-11-15 12:00 UTC, inside work hours


class Clock:
    def __init__(self, t: float = NOON) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_a_new_device_and_network_raise_the_score_with_reasons_then_decay(
        open_shared: OpenStore) -> None:
    clock = Clock()
    risk = RiskEngine(open_shared(), RiskConfig(half_life=3600), clock=clock)
    risk.observe("alice", device="fp:1", client_ip="10.0.0.5", app_name=None, app_risk=None)
    assert risk.score("alice").score == 0  # the first device and network are the baseline
    other = RiskEngine(open_shared(), RiskConfig(half_life=3600), clock=clock)
    other.observe("alice", device="fp:2", client_ip="192.0.2.7", app_name=None, app_risk=None)
    s = risk.score("alice")
    assert s.score == 40  # 25 new device + 15 new network
    assert {x.kind for x in s.signals} == {"new_device", "new_network"}
    assert any("192.0.2.0/24" in x.reason for x in s.signals)
    clock.t += 3600
    assert risk.score("alice").score == 20  # half left after one half-life


def test_off_hours_risky_apps_findings_and_mfa_failures_add_up_to_at_most_100(
        open_shared: OpenStore) -> None:
    clock = Clock(NOON + 12 * 3600)  # midnight UTC
    risk = RiskEngine(open_shared(), RiskConfig(), clock=clock)
    risk.observe("bob", device=None, client_ip="", app_name="Pastebin", app_risk=80)
    s = risk.score("bob")
    assert {x.kind for x in s.signals} == {"off_hours", "risky_app"}
    for _ in range(3):
        risk.note("bob", "dlp_findings", "2 sensitive finding(s) in a request")
        risk.note("bob", "mfa_failures", "wrong code")
    s = risk.score("bob")
    assert s.score == min(100, 10 + 15 + 60 + 40)
    assert s.score == 100


def test_uploads_far_above_the_users_own_baseline_are_a_signal(open_shared: OpenStore) -> None:
    clock = Clock()
    risk = RiskEngine(open_shared(), RiskConfig(upload_floor_bytes=1000, upload_factor=5),
                      clock=clock)
    for day in range(7, 0, -1):
        clock.t = NOON - day * 86400
        risk.note_upload("carol", 700)
    clock.t = NOON
    risk.note_upload("carol", 900)
    assert risk.score("carol").score == 0
    risk.note_upload("carol", 3000)  # 3900 today against a 700 a day baseline
    assert [s.kind for s in risk.score("carol").signals] == ["upload_volume"]


def test_thresholds_revoke_grants_and_block_once_with_an_event(open_shared: OpenStore) -> None:
    taken: list[RiskResponseTaken] = []
    revoked: list[str] = []
    cfg = RiskConfig(responses=(RiskResponse(at=50, revoke_grants=True, block_seconds=600),))
    risk = RiskEngine(open_shared(), cfg, on_response=taken.append, revoke=revoked.append,
                      clock=Clock())
    risk.note("dave", "dlp_findings", "card numbers")
    assert risk.respond(risk.score("dave")) == []
    risk.note("dave", "mfa_failures", "wrong codes")
    first = risk.respond(risk.score("dave"))
    assert len(first) == 1 and revoked == ["dave"] and taken == first
    assert 0 < (risk.blocked_for("dave") or 0) <= 600
    assert risk.respond(risk.score("dave")) == []  # once per hold period
    risk.clear("dave")
    assert risk.blocked_for("dave") is None and risk.score("dave").score == 0
