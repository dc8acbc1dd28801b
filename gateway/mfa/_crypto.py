"""Factor secrets sealed at rest with AES-256-GCM; the record they belong to is the AAD."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.errors import StoreError

_NONCE = 12


class Sealer:
    """Encrypts small secrets (TOTP keys) and makes keyed hashes (backup and invite codes).

    The AAD names the purpose and the user, so a sealed value copied to another user's record
    does not open. Two sub-keys are derived from the one configured key.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the MFA key must be at least 32 bytes")
        self._aead = AESGCM(hashlib.sha256(b"casb-mfa-seal\0" + key).digest())
        self._mac = hashlib.sha256(b"casb-mfa-mac\0" + key).digest()

    def seal(self, plaintext: bytes, *, purpose: str, user: str) -> str:
        nonce = os.urandom(_NONCE)
        ct = self._aead.encrypt(nonce, plaintext, f"{purpose}\0{user}".encode())
        return base64.b64encode(nonce + ct).decode()

    def open(self, sealed: str, *, purpose: str, user: str) -> bytes:
        try:
            raw = base64.b64decode(sealed, validate=True)
            return self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], f"{purpose}\0{user}".encode())
        except (InvalidTag, ValueError) as e:
            raise StoreError(f"a sealed {purpose} secret does not open (wrong key?)") from e

    def digest(self, value: str, *, purpose: str, user: str) -> str:
        """Keyed hash of a short code: stored instead of the code, compared in constant time."""
        msg = f"{purpose}\0{user}\0{value}".encode()
        return hmac.new(self._mac, msg, hashlib.sha256).hexdigest()

    def token(self, *parts: str) -> str:
        """An HMAC over ``parts`` (CSRF tokens)."""
        msg = "\0".join(parts).encode()
        return hmac.new(self._mac, b"token\0" + msg, hashlib.sha256).hexdigest()
