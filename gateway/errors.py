"""The engine's exception tree. Code catches specific classes, never bare Exception.

    CasbError
    ├── ConfigError            a file or value is wrong; names file, line and field
    │   ├── PolicyError
    │   ├── CatalogError
    │   └── DetectorError
    ├── StoreError             the state store failed
    │   └── StoreUnavailable   it cannot be reached within the budget
    ├── ContentError           a body cannot be inspected
    │   ├── DecodeError        corrupt or unsupported content encoding
    │   └── LimitExceeded      size, ratio, depth or time budget exhausted (bombs)
    ├── ScanError              the scanner itself failed
    ├── AuditError             an audit event could not be written
    ├── VaultError             tokenization or detokenization cannot be done
    │   ├── KeyProviderError   the key provider refused (wrong PIN, missing key, bad file)
    │   │   └── KeyUnavailable the HSM or its token is not reachable right now
    │   ├── KeyRetired         the token's key version was retired (crypto-shredded)
    │   └── NotTokenizable     the value has no room for a token of the asked shape
    └── MfaError               a second-factor operation cannot go on
        ├── Locked             too many failures; the account is locked for a while
        ├── TooSoon            an attempt inside the progressive delay after a failure
        ├── WebAuthnRefused    a registration or assertion that does not verify
        └── DeliveryError      the SMTP server could not be reached or refused a code
"""

from __future__ import annotations


class CasbError(Exception):
    """Base of every error the engine raises on purpose."""


class ConfigError(CasbError):
    """Invalid configuration. ``str()`` is the message shown to the operator."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        where = ""
        if file:
            where = file + (f":{line}" if line else "")
        if field:
            where = f"{where}: {field}" if where else field
        super().__init__(f"{where}: {message}" if where else message)


class PolicyError(ConfigError):
    """A policy file or pack is invalid."""


class CatalogError(ConfigError):
    """The SaaS app catalog is invalid."""


class DetectorError(ConfigError):
    """A DLP detector entry is invalid or does not compile."""


class StoreError(CasbError):
    """The state store failed."""


class StoreUnavailable(StoreError):
    """The state store cannot be reached within the configured budget."""


class ContentError(CasbError):
    """A body cannot be inspected; ``reason`` is a short machine label for events and metrics."""

    reason = "unscannable"


class DecodeError(ContentError):
    """Corrupt data or an encoding we do not decode."""

    reason = "decode_error"


class LimitExceeded(ContentError):
    """A size, ratio, depth or time budget ran out while decoding (for example a bomb)."""

    reason = "limit_exceeded"

    def __init__(self, message: str, *, limit: str) -> None:
        self.limit = limit
        super().__init__(message)


class ScanError(CasbError):
    """The scanner failed on content it should have handled."""


class AuditError(CasbError):
    """An audit event could not be written to a sink."""


class VaultError(CasbError):
    """Tokenization or detokenization failed; ``reason`` is a short label for metrics."""

    reason = "vault_error"


class KeyProviderError(VaultError):
    reason = "key_provider"


class KeyUnavailable(KeyProviderError):
    reason = "key_unavailable"


class KeyRetired(VaultError):
    reason = "key_retired"


class NotTokenizable(VaultError):
    reason = "not_tokenizable"


class MfaError(CasbError):
    """A second-factor operation cannot go on."""


class Locked(MfaError):
    """The account is locked after too many failures; ``retry_after`` seconds remain."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"locked for {retry_after:.0f}s")


class TooSoon(MfaError):
    """An attempt came before the progressive delay after the last failure ran out."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"retry in {retry_after:.1f}s")


class WebAuthnRefused(MfaError):
    """A registration or assertion that does not verify; the message says why."""


class DeliveryError(MfaError):
    """The SMTP server could not be reached or refused the message."""
