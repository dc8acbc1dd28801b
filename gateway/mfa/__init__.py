"""Step-up MFA: TOTP and backup codes, grants and brute-force limits in the state store."""

from pathlib import Path

from gateway import ca
from gateway.config import GatewayConfig
from gateway.mfa._crypto import Sealer
from gateway.mfa._service import (
    BACKUP_CODES,
    METHOD_STRENGTH,
    Attempt,
    Grant,
    Locked,
    Method,
    MfaService,
    PendingStepUp,
    Status,
    Strength,
    TooSoon,
    UserRecord,
)
from gateway.mfa._totp import TotpParams, code_at, hotp, matching_step, new_secret
from gateway.state import Store


def mfa_key(config: GatewayConfig) -> bytes:
    """The AES key sealing factor secrets: ``mfa.key_file`` or ``<certs_dir>/mfa.key`` (0600)."""
    path = config.mfa.key_file or Path(config.certs_dir) / "mfa.key"
    return ca.load_or_create_key(path)


def mfa_service(config: GatewayConfig, store: Store) -> MfaService:
    return MfaService(store, config.mfa, Sealer(mfa_key(config)),
                      issuer=config.portal.brand_name)


__all__ = [
    "BACKUP_CODES",
    "METHOD_STRENGTH",
    "Attempt",
    "Grant",
    "Locked",
    "Method",
    "MfaService",
    "PendingStepUp",
    "Sealer",
    "Status",
    "Strength",
    "TooSoon",
    "TotpParams",
    "UserRecord",
    "code_at",
    "hotp",
    "matching_step",
    "mfa_key",
    "mfa_service",
    "new_secret",
]
