"""The vault's errors, under the engine's tree (``CasbError``)::

    CasbError
    └── VaultError                  tokenization or detokenization cannot be done
        ├── KeyProviderError        the key provider refused (wrong PIN, missing key, bad file)
        │   └── KeyUnavailable      the HSM or its token is not reachable right now
        ├── KeyRetired              the token's key version was retired (crypto-shredded)
        └── NotTokenizable          the value has no room for a token of the asked shape
"""

from __future__ import annotations

from gateway.errors import CasbError


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
