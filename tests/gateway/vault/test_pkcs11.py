"""The PKCS#11 key provider on a real SoftHSM2 token: the KEK never leaves it."""

from __future__ import annotations

import time

import pkcs11
import pytest
from pkcs11 import Attribute, KeyType, ObjectClass

from gateway.state import Store
from gateway.vault import (
    KeyProviderError,
    KeyUnavailable,
    Pkcs11KeyProvider,
    TokenSpec,
    Vault,
    check_provider,
)
from tests.gateway.vault.conftest import SOFTHSM_MODULE, SoftHsm

CARD = "4111 1111 1111 1111"


def provider(hsm: SoftHsm, pin: str | None = None, retry_after: float = 0.0
             ) -> Pkcs11KeyProvider:
    return Pkcs11KeyProvider(SOFTHSM_MODULE, hsm.label, pin or hsm.pin,
                             key_label="casb-test-kek", retry_after=retry_after)


def test_data_keys_wrap_and_unwrap_under_a_non_extractable_kek(softhsm: SoftHsm) -> None:
    p = provider(softhsm)
    check_provider(p)
    dk, wrapped = p.new_data_key()
    assert len(dk) == 32 and wrapped != dk and len(wrapped) == 40  # RFC 3394 wrap
    assert p.unwrap(wrapped) == dk
    p.close()
    lib = pkcs11.lib(str(SOFTHSM_MODULE))
    with lib.get_token(token_label=softhsm.label).open(user_pin=softhsm.pin) as s:
        kek = s.get_key(label="casb-test-kek", key_type=KeyType.AES,
                        object_class=ObjectClass.SECRET_KEY)
        assert kek[Attribute.EXTRACTABLE] is False and kek[Attribute.SENSITIVE] is True
        with pytest.raises(pkcs11.AttributeSensitive):
            kek[Attribute.VALUE]


def test_a_wrong_pin_is_a_clear_error(softhsm: SoftHsm) -> None:
    with pytest.raises(KeyProviderError, match="refused the PIN"):
        provider(softhsm, pin="0000").new_data_key()


def test_vault_on_the_hsm_fails_while_the_token_is_gone_and_recovers_without_restart(
        softhsm: SoftHsm, store: Store) -> None:
    p = provider(softhsm)
    vault = Vault(store, p, cache_seconds=0)
    token, _ = vault.tokenize(CARD, detector="credit_card", spec=TokenSpec(),
                              tenant="t:-", owner="alice")
    softhsm.remove()
    try:
        with pytest.raises(KeyUnavailable):
            vault.tokenize(CARD, detector="credit_card", spec=TokenSpec(), tenant="t:-",
                           owner="alice")
        r = vault.detokenize_text(f"card {token}", user="alice")
        assert r.text == f"card {token}" and r.left["key_unavailable"] == 1
    finally:
        softhsm.restore()
    time.sleep(0.05)
    assert vault.detokenize(token, user="alice")[0] == CARD
    p.close()


def test_failures_are_not_retried_in_a_loop(softhsm: SoftHsm) -> None:
    p = provider(softhsm, pin="0000", retry_after=60)
    with pytest.raises(KeyProviderError) as first:
        p.new_data_key()
    with pytest.raises(KeyProviderError, match="refused the PIN") as second:
        p.new_data_key()
    # the remembered failure, not a second login attempt (HSMs lock users out after a few)
    assert second.value is first.value
