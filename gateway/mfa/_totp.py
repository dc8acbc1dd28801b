"""TOTP (RFC 6238) on pyotp: SHA-1/256/512, 6 or 8 digits, a window of steps either side."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pyotp

Algorithm = Literal["sha1", "sha256", "sha512"]
_DIGESTS: dict[str, Callable[..., Any]] = {
    "sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512,
}
SECRET_BYTES = {"sha1": 20, "sha256": 32, "sha512": 64}
"""Key length per algorithm, as RFC 6238's test vectors and RFC 4226 recommend."""


@dataclass(frozen=True, slots=True)
class TotpParams:
    algorithm: Algorithm = "sha1"
    digits: int = 6
    period: int = 30

    def otp(self, secret_b32: str) -> pyotp.TOTP:
        return pyotp.TOTP(secret_b32, digits=self.digits, digest=_DIGESTS[self.algorithm],
                          interval=self.period)


def new_secret(params: TotpParams) -> str:
    """A random base32 secret of the algorithm's natural key length."""
    import base64
    import os

    return base64.b32encode(os.urandom(SECRET_BYTES[params.algorithm])).decode().rstrip("=")


def hotp(secret_b32: str, counter: int, *, digits: int = 6, algorithm: Algorithm = "sha1") -> str:
    """RFC 4226 HOTP value for ``counter``."""
    return pyotp.HOTP(secret_b32, digits=digits, digest=_DIGESTS[algorithm]).at(counter)


def code_at(params: TotpParams, secret_b32: str, for_time: float) -> str:
    return params.otp(secret_b32).at(int(for_time))


def matching_step(params: TotpParams, secret_b32: str, code: str, *, now: float,
                  window: int) -> int | None:
    """The time step whose code equals ``code`` within ``window`` steps of now, or None.

    Every candidate is compared (constant-time each) so timing does not tell which step hit.
    """
    code = code.strip().replace(" ", "")
    if len(code) != params.digits or not (code.isascii() and code.isdigit()):
        return None
    otp = params.otp(secret_b32)
    here = int(now) // params.period
    found: int | None = None
    for step in range(here - window, here + window + 1):
        if hmac.compare_digest(otp.generate_otp(step), code) and found is None:
            found = step
    return found


def provisioning_uri(params: TotpParams, secret_b32: str, *, user: str, issuer: str) -> str:
    return params.otp(secret_b32).provisioning_uri(name=user, issuer_name=issuer)
