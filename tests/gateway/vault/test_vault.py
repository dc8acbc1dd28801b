"""Tokens out, originals back: formats, determinism, keyed recognition, rotation, retirement."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

from gateway.state import Store
from gateway.vault import (
    FileKeyProvider,
    KeyProviderError,
    KeyRetired,
    TokenSpec,
    Vault,
    VaultError,
)
from gateway.vault._shape import luhn_valid

CARD = "4111 1111 1111 1111"
SSN = "123-45-6789"
AWS = "AKIAIOSFODNN7EXAMPLE"
TENANT = "chatgpt:-"


def digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def tok(vault: Vault, value: str, detector: str, owner: str | None = "alice", **spec: object
        ) -> str:
    token, _ = vault.tokenize(value, detector=detector, spec=TokenSpec(**spec),  # type: ignore[arg-type]
                              tenant=TENANT, owner=owner)
    return token


def test_card_token_keeps_length_and_layout_and_is_luhn_invalid_by_default(vault: Vault) -> None:
    for _ in range(50):
        t = tok(vault, CARD, "credit_card")
        assert len(t) == len(CARD) and [m.start() for m in re.finditer(" ", t)] == [4, 9, 14]
        assert t != CARD and not luhn_valid(digits(t))
        assert vault.detokenize(t, user="alice")[0] == CARD


@pytest.mark.parametrize("fmt", ["ff1", "vault"])
def test_luhn_valid_tokens_pass_the_card_check(vault: Vault, fmt: str) -> None:
    for _ in range(20):
        t = tok(vault, CARD, "credit_card", luhn="valid", format=fmt)
        assert luhn_valid(digits(t))
        assert vault.detokenize(t, user="alice")[0] == CARD


def test_first_six_and_last_four_are_kept(vault: Vault) -> None:
    card = "5500000000000004"  # 19-digit would have more room; 16 digits: 6 free digits
    t = tok(vault, card, "credit_card", preserve="first6_last4", luhn="any")
    assert t[:6] == card[:6] and t[-4:] == card[-4:] and t != card
    assert vault.detokenize(t, user="alice")[0] == card
    t = tok(vault, "4111111111111111", "credit_card", preserve="last4")
    assert t.endswith("1111") and not luhn_valid(t)


def test_a_domain_below_a_million_falls_back_to_a_vault_token(vault: Vault) -> None:
    # 16 digits with first six and last four kept, one digit for Luhn: 10**5 values for FF1
    t, issued = vault.tokenize("4111111111111111", detector="credit_card",
                               spec=TokenSpec(preserve="first6_last4"), tenant=TENANT,
                               owner="alice")
    assert issued.format == "vault"
    assert t[:6] == "411111" and t[-4:] == "1111" and not luhn_valid(t)
    assert vault.detokenize(t, user="alice")[0] == "4111111111111111"


def test_ssn_and_aws_key_tokens_keep_their_shape(vault: Vault) -> None:
    t = tok(vault, SSN, "us_ssn")
    assert re.fullmatch(r"\d{3}-\d{2}-\d{4}", t) and t != SSN
    a = tok(vault, AWS, "aws_access_key_id")
    assert re.fullmatch(r"[0-9A-Z]{20}", a) and a != AWS
    assert vault.detokenize(a, user="alice")[0] == AWS
    v = tok(vault, AWS, "aws_access_key_id", format="vault")
    assert re.fullmatch(r"[A-Z]{12}\d[A-Z]{7}", v)  # each character keeps its class


def test_deterministic_tokens_repeat_per_tenant_and_random_ones_do_not(vault: Vault) -> None:
    for fmt in ("ff1", "vault"):
        a = tok(vault, SSN, "us_ssn", deterministic=True, format=fmt)
        assert tok(vault, SSN, "us_ssn", deterministic=True, format=fmt) == a
        other, _ = vault.tokenize(SSN, detector="us_ssn",
                                  spec=TokenSpec(deterministic=True, format=fmt),  # type: ignore[arg-type]
                                  tenant="claude:acme", owner=None)
        assert other != a
        assert vault.detokenize(a, user="bob")[0] == SSN  # shared by design
    assert len({tok(vault, SSN, "us_ssn") for _ in range(10)}) == 10


def test_random_tokens_detokenize_only_for_their_owner(vault: Vault) -> None:
    t = tok(vault, SSN, "us_ssn", owner="alice")
    with pytest.raises(VaultError, match="another user"):
        vault.detokenize(t, user="bob")
    r = vault.detokenize_text(f"ssn {t}", user="bob")
    assert r.text == f"ssn {t}" and r.left["not_owner"] == 1


def test_detokenize_text_replaces_only_issued_tokens(vault: Vault) -> None:
    t_card = tok(vault, CARD, "credit_card")
    t_ssn = tok(vault, SSN, "us_ssn")
    t_aws = tok(vault, AWS, "aws_access_key_id")
    lookalike = "4000 1234 5678 9010"
    text = (f"Card {t_card}, SSN {t_ssn}. Key: {t_aws}; order 2024-11-23, "
            f"not ours {lookalike} and 123-45-6780.")
    r = vault.detokenize_text(text, user="alice")
    assert r.text == (f"Card {CARD}, SSN {SSN}. Key: {AWS}; order 2024-11-23, "
                      f"not ours {lookalike} and 123-45-6780.")
    assert sorted(d.detector for d in r.done) == ["aws_access_key_id", "credit_card", "us_ssn"]


def test_a_token_reformatted_by_the_app_still_detokenizes_in_its_layout(vault: Vault) -> None:
    t = tok(vault, CARD, "credit_card")
    r = vault.detokenize_text(f"card={t.replace(' ', '')}!", user="alice")
    assert r.text == f"card={CARD.replace(' ', '')}!"
    r = vault.detokenize_text(f"card {t.replace(' ', '-')}", user="alice")
    assert r.text == f"card {CARD.replace(' ', '-')}"


def test_our_own_token_pasted_back_is_not_tokenized_again(vault: Vault) -> None:
    t = tok(vault, SSN, "us_ssn")
    again, issued = vault.tokenize(t, detector="us_ssn", spec=TokenSpec(), tenant=TENANT,
                                   owner="alice")
    assert again == t and issued.reused


def test_vault_token_originals_are_stored_encrypted_with_version_and_ttl(
        vault: Vault, store: Store) -> None:
    t = tok(vault, CARD, "credit_card", format="vault", ttl=3600)
    entries = [store.get(k) for k in store.keys("vault:tok:")]
    assert len(entries) == 1 and entries[0] is not None
    entry = json.loads(entries[0])
    assert entry["f"] == "vault" and entry["v"] == 1 and len(entry["n"]) == 16
    assert digits(CARD) not in entries[0].decode() and "4111" not in entries[0].decode()
    ttl = store.ttl(store.keys("vault:tok:")[0])
    assert ttl is not None and 3500 < ttl <= 3600
    # a fresh nonce each time: the same value twice gives different ciphertexts
    tok(vault, CARD, "credit_card", format="vault")
    cts = {json.loads(store.get(k) or b"{}")["x"] for k in store.keys("vault:tok:")}
    assert len(cts) == 2
    assert vault.detokenize(t, user="alice")[0] == CARD


def test_a_tampered_vault_entry_fails_its_integrity_check(vault: Vault, store: Store) -> None:
    t = tok(vault, CARD, "credit_card", format="vault")
    key = store.keys("vault:tok:")[0]
    entry = json.loads(store.get(key) or b"{}")
    other = tok(vault, SSN, "us_ssn", format="vault")
    other_key = next(k for k in store.keys("vault:tok:") if k != key)
    entry["x"] = json.loads(store.get(other_key) or b"{}")["x"]
    store.set(key, json.dumps(entry).encode())
    with pytest.raises(VaultError, match="integrity"):
        vault.detokenize(t, user="alice")
    assert vault.detokenize(other, user="alice")[0] == SSN


def test_rotation_new_tokens_use_the_new_version_old_ones_still_work(vault: Vault) -> None:
    old = tok(vault, CARD, "credit_card")
    assert vault.rotate() == 2
    new, issued = vault.tokenize(CARD, detector="credit_card", spec=TokenSpec(),
                                 tenant=TENANT, owner="alice")
    assert issued.version == 2
    assert vault.detokenize(old, user="alice")[0] == CARD
    assert vault.detokenize(new, user="alice")[0] == CARD
    assert [(k.version, k.state, k.current) for k in vault.versions()] == [
        (1, "active", False), (2, "active", True)]


def test_a_retired_version_gives_a_clear_error_and_tokens_stay(vault: Vault) -> None:
    old = tok(vault, SSN, "us_ssn")
    with pytest.raises(VaultError, match="current version"):
        vault.retire(1)
    vault.rotate()
    vault.retire(1)
    with pytest.raises(KeyRetired, match="version 1 was retired"):
        vault.detokenize(old, user="alice")
    r = vault.detokenize_text(f"ssn {old}", user="alice")
    assert r.text == f"ssn {old}" and r.left["key_retired"] == 1


def test_another_gateway_process_on_the_same_store_and_key_detokenizes(
        vault: Vault, store: Store, tmp_path: Path) -> None:
    t = tok(vault, CARD, "credit_card")
    other = Vault(store, FileKeyProvider(tmp_path / "kek.key"), cache_seconds=0)
    assert other.detokenize(t, user="alice")[0] == CARD


def test_the_key_file_is_private_and_a_wrong_key_file_is_an_error(
        vault: Vault, store: Store, tmp_path: Path) -> None:
    t = tok(vault, CARD, "credit_card")
    assert stat.S_IMODE((tmp_path / "kek.key").stat().st_mode) == 0o600
    wrong = Vault(store, FileKeyProvider(tmp_path / "other.key"), cache_seconds=0)
    with pytest.raises(KeyProviderError, match="does not unwrap"):
        wrong.detokenize(t, user="alice")
    (tmp_path / "kek.key").chmod(0o644)
    fresh = Vault(store, FileKeyProvider(tmp_path / "kek.key"), cache_seconds=0)
    with pytest.raises(KeyProviderError, match="chmod 600"):
        fresh.detokenize(t, user="alice")
