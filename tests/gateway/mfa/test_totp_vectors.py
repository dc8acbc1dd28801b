"""RFC 6238 (TOTP) and RFC 4226 (HOTP) test vectors through our TOTP code."""

from __future__ import annotations

import base64

import pytest

from gateway.mfa import TotpParams, code_at, hotp, matching_step

SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890" * 6 + b"1234",
}
RFC6238 = [  # time, sha1, sha256, sha512 (8 digits)
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
RFC4226 = ["755224", "287082", "359152", "969429", "338314",
           "254676", "287922", "162583", "399871", "520489"]


def b32(seed: bytes) -> str:
    return base64.b32encode(seed).decode()


@pytest.mark.parametrize(("t", "sha1", "sha256", "sha512"), RFC6238)
def test_rfc6238_vectors_for_every_algorithm_with_8_and_6_digits(
        t: int, sha1: str, sha256: str, sha512: str) -> None:
    for alg, want in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        p8 = TotpParams(alg, 8, 30)  # type: ignore[arg-type]
        assert code_at(p8, b32(SEEDS[alg]), t) == want
        assert matching_step(p8, b32(SEEDS[alg]), want, now=t, window=0) == t // 30
        p6 = TotpParams(alg, 6, 30)  # type: ignore[arg-type]
        assert code_at(p6, b32(SEEDS[alg]), t) == want[2:]  # truncation keeps the low digits
        assert matching_step(p6, b32(SEEDS[alg]), want[2:], now=t, window=0) == t // 30


@pytest.mark.parametrize(("counter", "want"), list(enumerate(RFC4226)))
def test_rfc4226_hotp_vectors(counter: int, want: str) -> None:
    assert hotp(b32(SEEDS["sha1"]), counter) == want


def test_window_accepts_neighbouring_steps_only() -> None:
    p = TotpParams()
    secret = b32(SEEDS["sha1"])
    prev = code_at(p, secret, 1111111111 - 30)
    assert matching_step(p, secret, prev, now=1111111111, window=1) == 1111111111 // 30 - 1
    assert matching_step(p, secret, prev, now=1111111111, window=0) is None
    old = code_at(p, secret, 1111111111 - 90)
    assert matching_step(p, secret, old, now=1111111111, window=1) is None


def test_malformed_codes_never_match() -> None:
    p = TotpParams()
    secret = b32(SEEDS["sha1"])
    for code in ("", "12345", "1234567", "abcdef", "28708\uff12"):
        assert matching_step(p, secret, code, now=59, window=1) is None
