"""Tokenization: FF1 format-preserving tokens and vault tokens, keys behind a provider (HSM).

Typical use::

    vault = open_vault(config.vault, store, certs_dir=config.certs_dir)
    token, issued = vault.tokenize("4111 1111 1111 1111", detector="credit_card",
                                   spec=TokenSpec(), tenant="chatgpt:-", owner="alice")
    result = vault.detokenize_text(f"your card {token}", user="alice")
"""

from __future__ import annotations

from gateway.errors import KeyProviderError, KeyRetired, KeyUnavailable, NotTokenizable, VaultError

from ._body import detokenize_body, detokenized_detail, tokenize_body, tokenized_detail
from ._ff1 import FF1, MIN_DOMAIN, DomainTooSmall
from ._keys import FileKeyProvider, KeyProvider, Pkcs11KeyProvider
from ._open import open_vault, provider_for
from ._vault import (
    Detokenized,
    DetokenizeResult,
    Issued,
    KeyVersion,
    TokenSpec,
    Vault,
    check_provider,
    transform_fn,
)

__all__ = [
    "FF1",
    "MIN_DOMAIN",
    "DetokenizeResult",
    "Detokenized",
    "DomainTooSmall",
    "FileKeyProvider",
    "Issued",
    "KeyProvider",
    "KeyProviderError",
    "KeyRetired",
    "KeyUnavailable",
    "KeyVersion",
    "NotTokenizable",
    "Pkcs11KeyProvider",
    "TokenSpec",
    "Vault",
    "VaultError",
    "check_provider",
    "detokenize_body",
    "detokenized_detail",
    "open_vault",
    "provider_for",
    "tokenize_body",
    "tokenized_detail",
    "transform_fn",
]
