"""Build the vault the configuration describes."""

from __future__ import annotations

from pathlib import Path

from gateway.config import VaultConfig
from gateway.state import Store

from ._keys import FileKeyProvider, KeyProvider, Pkcs11KeyProvider
from ._vault import Vault


def provider_for(cfg: VaultConfig, certs_dir: Path) -> KeyProvider:
    if cfg.key_provider == "pkcs11":
        p = cfg.pkcs11
        assert p is not None  # the config model requires it
        return Pkcs11KeyProvider(p.module, p.token_label, p.pin.get_secret_value(),
                                 key_label=p.key_label, create_key=p.create_key,
                                 retry_after=p.retry_after)
    return FileKeyProvider(cfg.key_file or certs_dir / "vault-kek.key")


def open_vault(cfg: VaultConfig, store: Store, *, certs_dir: Path) -> Vault:
    """The vault; nothing is contacted yet (an HSM that is down now may be back later)."""
    return Vault(store, provider_for(cfg, certs_dir), cache_seconds=cfg.data_key_cache_seconds,
                 owner_only=cfg.owner_only)
