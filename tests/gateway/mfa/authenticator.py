"""A software WebAuthn authenticator (ES256, "none" attestation) acting as a browser would.

It answers the portal's options JSON with the JSON ``navigator.credentials`` would produce, so
the service's verification (the ``webauthn`` package) runs on real signatures. Its counter and
flags can be set to produce the bad cases: a counter that goes back, no user verification.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftAuthenticator:
    def __init__(self, *, origin: str = "https://casb.gateway.internal",
                 user_verified: bool = True) -> None:
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0
        self.user_verified = user_verified

    def _cose_key(self) -> bytes:
        n = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: n.x.to_bytes(32, "big"),
                            -3: n.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge,
                           "origin": origin or self.origin, "crossOrigin": False}).encode()

    def _flags(self) -> int:
        return UP | (UV if self.user_verified else 0)

    def create(self, options_json: str, *, origin: str | None = None) -> str:
        o: dict[str, Any] = json.loads(options_json)
        rp_hash = hashlib.sha256(o["rp"]["id"].encode()).digest()
        attested = (bytes(16) + struct.pack(">H", len(self.credential_id))
                    + self.credential_id + self._cose_key())
        auth_data = rp_hash + bytes([self._flags() | AT]) + struct.pack(">I", self.counter) \
            + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client = self._client_data("webauthn.create", o["challenge"], origin)
        return json.dumps({
            "id": b64url(self.credential_id), "rawId": b64url(self.credential_id),
            "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": b64url(client),
                         "attestationObject": b64url(attestation)},
        })

    def get(self, options_json: str, *, origin: str | None = None,
            counter: int | None = None) -> str:
        """Sign the challenge; the counter goes up by one unless ``counter`` is given."""
        o: dict[str, Any] = json.loads(options_json)
        self.counter = self.counter + 1 if counter is None else counter
        rp_hash = hashlib.sha256(o["rpId"].encode()).digest()
        auth_data = rp_hash + bytes([self._flags()]) + struct.pack(">I", self.counter)
        client = self._client_data("webauthn.get", o["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        return json.dumps({
            "id": b64url(self.credential_id), "rawId": b64url(self.credential_id),
            "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": b64url(client),
                         "authenticatorData": b64url(auth_data),
                         "signature": b64url(signature)},
        })
