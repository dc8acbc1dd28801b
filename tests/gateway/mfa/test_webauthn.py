"""WebAuthn on both store backends: real ES256 signatures from a software authenticator,
verified by the ``webauthn`` package; challenges, counters and credentials in the store."""

from __future__ import annotations

import json
import os

import pyotp
import pytest

from gateway.config import MfaConfig
from gateway.mfa import MfaService, Sealer
from tests.conftest import OpenStore
from tests.gateway.mfa.authenticator import SoftAuthenticator

KEY = os.urandom(32)
RP = "casb.gateway.internal"


def service(open_shared: OpenStore, **webauthn: object) -> MfaService:
    config = MfaConfig(failure_delay=0, webauthn=webauthn)  # type: ignore[arg-type]
    return MfaService(open_shared(), config, Sealer(KEY), issuer="Example", rp_id=RP)


def enrolled(s: MfaService, user: str = "alice") -> SoftAuthenticator:
    key = SoftAuthenticator()
    invite = s.invite(user)
    created = key.create(s.webauthn_options(user, "register"))
    assert s.attempt(user, "webauthn", created, invite_code=invite).ok
    return key


def test_registration_uses_the_portal_as_relying_party_and_stores_the_credential(
        open_shared: OpenStore) -> None:
    s = service(open_shared)
    options = json.loads(s.webauthn_options("alice", "register"))
    assert options["rp"]["id"] == RP
    assert options["user"]["name"] == "alice" and options["user"]["id"] != "alice"
    key = enrolled(s)
    rec = s.record("alice")
    assert rec.methods == ("webauthn",)
    (cred,) = rec.webauthn
    assert cred["sign_count"] == 0 and cred["public_key"]
    # The next registration options exclude the credential already there.
    again = json.loads(s.webauthn_options("alice", "register"))
    assert [c["id"] for c in again["excludeCredentials"]] == [cred["id"]]
    assert key.credential_id


def test_an_assertion_gives_a_phishing_resistant_grant_and_totp_never_does(
        open_shared: OpenStore) -> None:
    s = service(open_shared)
    key = enrolled(s)
    assert s.attempt("alice", "webauthn", key.get(s.webauthn_options("alice", "authenticate"))).ok
    p = s.new_pending(url="", user="alice", device="fp:1", scope="strong", max_age=600,
                      strength="phishing_resistant", decision_id="d", app_name="Strong")
    s.finish(p, "webauthn")
    assert s.valid_grant("alice", "fp:1", "strong", max_age=600, strength="phishing_resistant")
    s.revoke("alice")
    s.finish(p, "totp")
    assert s.valid_grant("alice", "fp:1", "strong", max_age=600, strength="any")
    assert not s.valid_grant("alice", "fp:1", "strong", max_age=600,
                             strength="phishing_resistant")


def test_a_challenge_is_single_use_even_across_two_gateways(open_shared: OpenStore) -> None:
    a, b = service(open_shared), service(open_shared)
    key = enrolled(a)
    options = a.webauthn_options("alice", "authenticate")
    first = key.get(options)
    assert b.attempt("alice", "webauthn", first).ok
    replay = a.attempt("alice", "webauthn", first)
    assert not replay.ok and "challenge" in (replay.reason or "")
    # A fresh signature (higher counter) over the used challenge is refused as well.
    again = b.attempt("alice", "webauthn", key.get(options))
    assert not again.ok and "challenge" in (again.reason or "")
    # A challenge the gateway never issued, or issued for registration, is refused.
    reg_options = a.webauthn_options("alice", "register")
    forged = json.loads(reg_options)
    forged["rpId"] = RP
    assert not a.attempt("alice", "webauthn", key.get(json.dumps(forged))).ok
    assert b.attempt("alice", "webauthn", key.get(b.webauthn_options("alice", "authenticate"))).ok


def test_challenges_expire_with_their_ttl(open_shared: OpenStore) -> None:
    s = service(open_shared, challenge_ttl=45)
    s.webauthn_options("alice", "register")
    (key,) = s.store.keys("mfa:wac:alice:register:")
    ttl = s.store.ttl(key)
    assert ttl is not None and 0 < ttl <= 45


def test_a_sign_counter_that_does_not_go_up_is_rejected(open_shared: OpenStore) -> None:
    s = service(open_shared)
    key = enrolled(s)
    assert s.attempt("alice", "webauthn",
                     key.get(s.webauthn_options("alice", "authenticate"), counter=5)).ok
    assert s.record("alice").webauthn[0]["sign_count"] == 5
    for stale in (5, 3):  # the same count again, then one that went back: a cloned key?
        a = s.attempt("alice", "webauthn",
                      key.get(s.webauthn_options("alice", "authenticate"), counter=stale))
        assert not a.ok and "sign count" in (a.reason or "")
    assert s.record("alice").webauthn[0]["sign_count"] == 5
    assert s.failures("alice") == 2
    assert s.attempt("alice", "webauthn",
                     key.get(s.webauthn_options("alice", "authenticate"), counter=6)).ok


def test_the_stored_counter_is_checked_again_when_two_gateways_race(
        open_shared: OpenStore) -> None:
    a, b = service(open_shared), service(open_shared)
    key = enrolled(a)
    # Two assertions with the same counter, each on its own challenge, verified by two
    # gateways that both read the stored counter before either wrote it.
    one = key.get(a.webauthn_options("alice", "authenticate"), counter=7)
    two = key.get(b.webauthn_options("alice", "authenticate"), counter=7)
    before = b.record("alice")  # what b read before a wrote the new counter
    assert a.attempt("alice", "webauthn", one).ok
    # b verifies against the counter it read earlier (0): the library passes the signature,
    # the compare-and-set on the stored record does not.
    b.record = lambda user: before  # type: ignore[method-assign]
    second = b.attempt("alice", "webauthn", two)
    assert not second.ok and "did not go above 7" in (second.reason or "")


def test_the_wrong_origin_or_relying_party_is_refused(open_shared: OpenStore) -> None:
    s = service(open_shared)
    key = enrolled(s)
    phished = key.get(s.webauthn_options("alice", "authenticate"),
                      origin="https://casb.gateway.internal.evil.example")
    a = s.attempt("alice", "webauthn", phished)
    assert not a.ok and "origin" in (a.reason or "").lower()
    other_rp = json.loads(s.webauthn_options("alice", "authenticate"))
    other_rp["rpId"] = "evil.example"
    assert not s.attempt("alice", "webauthn", key.get(json.dumps(other_rp))).ok
    # A credential of another user (or none at all) is not accepted for alice.
    stranger = SoftAuthenticator()
    assert not s.attempt("alice", "webauthn",
                         stranger.get(s.webauthn_options("alice", "authenticate"))).ok
    assert not s.attempt("alice", "webauthn", "{not json").ok


@pytest.mark.parametrize("uv", ["required", "preferred"])
def test_user_verification_is_enforced_when_configured(open_shared: OpenStore, uv: str) -> None:
    s = service(open_shared, user_verification=uv)
    options = json.loads(s.webauthn_options("alice", "register"))
    assert options["authenticatorSelection"]["userVerification"] == uv
    touch_only = SoftAuthenticator(user_verified=False)
    invite = s.invite("alice")
    created = touch_only.create(s.webauthn_options("alice", "register"))
    registered = s.attempt("alice", "webauthn", created, invite_code=invite)
    assert registered.ok is (uv == "preferred")
    if uv == "required":
        assert "verif" in (registered.reason or "").lower()
        # The same kind of authenticator with a PIN or biometric is accepted.
        enrolled(s)
    else:
        a = s.attempt("alice", "webauthn",
                      touch_only.get(s.webauthn_options("alice", "authenticate")))
        assert a.ok


def test_an_enrolled_user_adds_a_key_only_with_a_current_code(open_shared: OpenStore) -> None:
    s = service(open_shared)
    totp = pyotp.parse_uri(s.enroll_totp("alice"))
    key = SoftAuthenticator()
    # Without a code (or with a wrong one) the credential is not stored.
    no = s.add_webauthn("alice", key.create(s.webauthn_options("alice", "register")),
                        code="000000" if totp.now() != "000000" else "111111")
    assert not no.ok and s.record("alice").webauthn == []
    # Registering through the first-enrollment path is not possible once enrolled either.
    assert not s.attempt("alice", "webauthn",
                         key.create(s.webauthn_options("alice", "register"))).ok
    s.unlock("alice")
    yes = s.add_webauthn("alice", key.create(s.webauthn_options("alice", "register")),
                         code=totp.now())
    assert yes.ok and s.record("alice").methods == ("totp", "webauthn")
