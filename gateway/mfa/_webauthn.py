"""WebAuthn ceremonies on the ``webauthn`` package, with the portal host as relying party.

Pure functions: options out, verified facts in. The service keeps challenges (single use, TTL)
and credentials (per user, with their sign counters) in the store.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Literal

import webauthn
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from gateway.errors import WebAuthnRefused

UserVerification = Literal["required", "preferred", "discouraged"]
MAX_CREDENTIAL_JSON = 64 * 1024


@dataclass(frozen=True, slots=True)
class RelyingParty:
    id: str
    name: str
    user_verification: UserVerification = "preferred"

    @property
    def origin(self) -> str:
        return f"https://{self.id}"

    @property
    def require_uv(self) -> bool:
        return self.user_verification == "required"


def b64url(data: bytes) -> str:
    return bytes_to_base64url(data)


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _parse(credential_json: str) -> dict[str, Any]:
    if len(credential_json) > MAX_CREDENTIAL_JSON:
        raise WebAuthnRefused("credential too large")
    try:
        data = json.loads(credential_json)
    except ValueError as e:
        raise WebAuthnRefused("credential is not JSON") from e
    if not isinstance(data, dict):
        raise WebAuthnRefused("credential is not a JSON object")
    return data


def credential_id(credential_json: str) -> str:
    """The credential id (base64url) the browser says it used."""
    cid = _parse(credential_json).get("id")
    if not isinstance(cid, str) or not cid:
        raise WebAuthnRefused("credential has no id")
    return cid


def client_challenge(credential_json: str) -> bytes:
    """The challenge the browser signed, read from ``response.clientDataJSON``.

    Only a key to look the challenge up in the store; verification compares it again.
    """
    response = _parse(credential_json).get("response")
    raw = response.get("clientDataJSON") if isinstance(response, dict) else None
    if not isinstance(raw, str):
        raise WebAuthnRefused("credential has no clientDataJSON")
    try:
        client = json.loads(from_b64url(raw))
        challenge = from_b64url(str(client["challenge"]))
    except (ValueError, KeyError, TypeError, binascii.Error) as e:
        raise WebAuthnRefused("unreadable clientDataJSON") from e
    if not challenge:
        raise WebAuthnRefused("empty challenge")
    return challenge


def registration_options(rp: RelyingParty, *, user: str, user_handle: bytes,
                         exclude: list[str], timeout_ms: int) -> tuple[bytes, str]:
    """(challenge, options JSON for ``navigator.credentials.create``)."""
    options = webauthn.generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_name=user, user_id=user_handle,
        timeout=timeout_ms,
        exclude_credentials=[PublicKeyCredentialDescriptor(id=from_b64url(c)) for c in exclude],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement(rp.user_verification)),
    )
    return options.challenge, webauthn.options_to_json(options)


def authentication_options(rp: RelyingParty, *, allow: list[str],
                           timeout_ms: int) -> tuple[bytes, str]:
    """(challenge, options JSON for ``navigator.credentials.get``)."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.id, timeout=timeout_ms,
        allow_credentials=[PublicKeyCredentialDescriptor(id=from_b64url(c)) for c in allow],
        user_verification=UserVerificationRequirement(rp.user_verification),
    )
    return options.challenge, webauthn.options_to_json(options)


def verify_registration(rp: RelyingParty, credential_json: str,
                        challenge: bytes) -> dict[str, Any]:
    """A new credential's stored form, or WebAuthnRefused."""
    _parse(credential_json)
    try:
        v = webauthn.verify_registration_response(
            credential=credential_json, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=rp.origin, require_user_verification=rp.require_uv)
    except (WebAuthnException, ValueError, KeyError, TypeError) as e:
        raise WebAuthnRefused(f"registration refused: {e}") from e
    return {"id": b64url(v.credential_id), "public_key": b64url(v.credential_public_key),
            "sign_count": v.sign_count, "aaguid": v.aaguid, "user_verified": v.user_verified}


def verify_assertion(rp: RelyingParty, credential_json: str, challenge: bytes,
                     stored: dict[str, Any]) -> int:
    """The authenticator's new sign count, or WebAuthnRefused (bad signature, wrong origin or
    RP, missing user verification when required, a counter that did not go up)."""
    try:
        v = webauthn.verify_authentication_response(
            credential=credential_json, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=rp.origin, credential_public_key=from_b64url(stored["public_key"]),
            credential_current_sign_count=int(stored["sign_count"]),
            require_user_verification=rp.require_uv)
    except (WebAuthnException, ValueError, KeyError, TypeError) as e:
        raise WebAuthnRefused(f"assertion refused: {e}") from e
    return v.new_sign_count
