"""MFA state on both backends, with two independent store clients standing for two gateways."""

from __future__ import annotations

import os

import pyotp
import pytest

from gateway.config import MfaConfig
from gateway.mfa import Locked, MfaService, Sealer, TooSoon
from tests.conftest import OpenStore

KEY = os.urandom(32)


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def service(open_shared: OpenStore, clock: Clock, **cfg: object) -> MfaService:
    config = MfaConfig(**{"failure_delay": 0, **cfg})  # type: ignore[arg-type]
    return MfaService(open_shared(), config, Sealer(KEY), issuer="Example", clock=clock)


def test_a_totp_code_is_accepted_once_only_even_across_two_gateways(
        open_shared: OpenStore) -> None:
    clock = Clock()
    a, b = service(open_shared, clock), service(open_shared, clock)
    totp = pyotp.parse_uri(a.enroll_totp("alice"))
    code = totp.at(clock.t)
    assert a.attempt("alice", "totp", code).ok
    assert not b.attempt("alice", "totp", code).ok  # replay on the other node
    clock.t += 30
    assert b.attempt("alice", "totp", totp.at(clock.t)).ok


def test_the_secret_is_sealed_at_rest_and_bound_to_its_user(open_shared: OpenStore) -> None:
    s = service(open_shared, Clock())
    secret = pyotp.parse_uri(s.enroll_totp("alice")).secret
    raw = s.store.get("mfa:u:alice") or b""
    assert secret.encode() not in raw
    # The same sealed value copied to another user's record does not open.
    s.store.set("mfa:u:mallory", raw)
    with pytest.raises(Exception, match="does not open"):
        s.attempt("mallory", "totp", "123456")


def test_backup_codes_are_ten_single_use_and_stored_hashed(open_shared: OpenStore) -> None:
    s = service(open_shared, Clock())
    s.enroll_totp("alice")
    codes = s.new_backup_codes("alice")
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = " ".join(s.store.keys("mfa:bk:"))
    assert not any(c.replace("-", "") in stored for c in codes)
    other = service(open_shared, Clock())
    assert other.attempt("alice", "backup", codes[3].upper()).ok
    assert not s.attempt("alice", "backup", codes[3]).ok
    assert s.backup_codes_left("alice") == 9
    s.new_backup_codes("alice")
    assert not s.attempt("alice", "backup", codes[4]).ok  # old codes die with a new set


def test_failures_lock_the_account_across_restarts_and_success_resets_them(
        open_shared: OpenStore) -> None:
    clock = Clock()
    s = service(open_shared, clock, max_failures=3, lockout_seconds=60)
    totp = pyotp.parse_uri(s.enroll_totp("alice"))
    assert s.attempt("alice", "totp", "000000").failures == 1
    assert s.attempt("alice", "totp", "000001").failures == 2
    assert s.attempt("alice", "totp", totp.at(clock.t)).ok
    assert s.failures("alice") == 0  # reset on success
    for i in range(2):
        assert not s.attempt("alice", "totp", f"00000{i}").locked
    assert s.attempt("alice", "totp", "000009").locked
    restarted = service(open_shared, clock, max_failures=3, lockout_seconds=60)
    clock.t += 30
    with pytest.raises(Locked) as e:
        restarted.attempt("alice", "totp", totp.at(clock.t))
    assert 0 < e.value.retry_after <= 60


def test_failures_bring_a_progressive_delay(open_shared: OpenStore) -> None:
    s = service(open_shared, Clock(), failure_delay=0.5, max_failure_delay=4)
    s.enroll_totp("alice")
    first = s.attempt("alice", "totp", "000000")
    assert first.delay == 0.5
    with pytest.raises(TooSoon):
        s.attempt("alice", "totp", "000000")
    s.store.delete("mfa:wait:alice")
    assert s.attempt("alice", "totp", "000000").delay == 1.0


def test_max_failures_can_never_exceed_100() -> None:
    with pytest.raises(ValueError, match="less than or equal to 100"):
        MfaConfig(max_failures=101)


def test_first_enrollment_needs_the_invite_code_once(open_shared: OpenStore) -> None:
    clock = Clock()
    s = service(open_shared, clock)
    assert s.may_enroll("bob") == "needs_invite"
    invite = s.invite("bob")
    secret, uri = s.begin_totp("bob")
    assert uri.startswith("otpauth://totp/") and secret in uri
    code = pyotp.TOTP(secret).at(clock.t)
    assert not s.attempt("bob", "totp", code, invite_code="wrong-code").ok
    assert s.attempt("bob", "totp", code, invite_code=invite).ok
    assert s.may_enroll("bob") == "enrolled" and not s.invited("bob")


def test_grants_are_scoped_aged_strength_checked_and_revoked_everywhere(
        open_shared: OpenStore) -> None:
    clock = Clock()
    a, b = service(open_shared, clock), service(open_shared, clock)
    a.grant("alice", "fp:1", "*", method="totp", max_age=3600)
    assert b.valid_grant("alice", "fp:1", "*", max_age=3600, strength="any")
    assert not b.valid_grant("alice", "fp:2", "*", max_age=3600, strength="any")
    assert not b.valid_grant("alice", "fp:1", "aws_console", max_age=3600, strength="any")
    assert not b.valid_grant("alice", "fp:1", "*", max_age=3600, strength="phishing_resistant")
    clock.t += 600
    assert not b.valid_grant("alice", "fp:1", "*", max_age=300, strength="any")
    assert b.valid_grant("alice", "fp:1", "*", max_age=3600, strength="any")
    b.revoke("alice")
    assert not a.valid_grant("alice", "fp:1", "*", max_age=3600, strength="any")
    a.grant("alice", "fp:1", "*", method="totp", max_age=3600)
    assert b.valid_grant("alice", "fp:1", "*", max_age=3600, strength="any")


def test_the_way_back_is_a_stored_reference_bound_to_its_user(open_shared: OpenStore) -> None:
    s = service(open_shared, Clock())
    p = s.new_pending(url="https://console.aws.amazon.com/x", user="alice", device="fp:1",
                      scope="*", strength="any", max_age=60, decision_id="d1", app_name="AWS")
    got = service(open_shared, Clock()).pending(p.id)
    assert got == p
    assert s.pending("https://evil.example/") is None
    assert s.pending("x" * 100) is None


def test_status_and_reset(open_shared: OpenStore) -> None:
    s = service(open_shared, Clock())
    s.enroll_totp("alice")
    s.new_backup_codes("alice")
    s.grant("alice", "fp:1", "*", method="totp", max_age=60)
    st = s.status("alice")
    assert st.methods == ("totp",) and st.backup_codes_left == 10 and st.grants == ("fp%3A1:%2A",)
    s.reset("alice")
    st = s.status("alice")
    assert st.methods == () and st.backup_codes_left == 0 and st.grants == ()
