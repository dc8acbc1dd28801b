"""Step-up MFA: TOTP, WebAuthn, backup and e-mail codes; grants and limits in the store."""

from pathlib import Path

from gateway import ca
from gateway.config import GatewayConfig
from gateway.errors import DeliveryError, Locked, TooSoon, WebAuthnRefused
from gateway.mfa._crypto import Sealer
from gateway.mfa._email import mask_address
from gateway.mfa._service import (
    BACKUP_CODES,
    METHOD_STRENGTH,
    Attempt,
    Grant,
    Method,
    MfaService,
    PendingCoach,
    PendingStepUp,
    Status,
    Strength,
    UserRecord,
)
from gateway.mfa._totp import TotpParams, code_at, hotp, matching_step, new_secret
from gateway.mfa._webauthn import RelyingParty
from gateway.state import Store


def mfa_key(config: GatewayConfig) -> bytes:
    """The AES key sealing factor secrets: ``mfa.key_file`` or ``<certs_dir>/mfa.key`` (0600)."""
    path = config.mfa.key_file or Path(config.certs_dir) / "mfa.key"
    return ca.load_or_create_key(path)


def mfa_service(config: GatewayConfig, store: Store) -> MfaService:
    return MfaService(store, config.mfa, Sealer(mfa_key(config)),
                      issuer=config.portal.brand_name, rp_id=config.portal.host.lower())


__all__ = [
    "BACKUP_CODES",
    "METHOD_STRENGTH",
    "Attempt",
    "DeliveryError",
    "Grant",
    "Locked",
    "Method",
    "MfaService",
    "PendingCoach",
    "PendingStepUp",
    "RelyingParty",
    "Sealer",
    "Status",
    "Strength",
    "TooSoon",
    "TotpParams",
    "UserRecord",
    "WebAuthnRefused",
    "code_at",
    "hotp",
    "mask_address",
    "matching_step",
    "mfa_key",
    "mfa_service",
    "new_secret",
]
