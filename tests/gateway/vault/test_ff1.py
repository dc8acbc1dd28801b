"""FF1 against the NIST SP 800-38G sample vectors, and the properties tokenization relies on."""

from __future__ import annotations

import random

import pytest

from gateway.vault import FF1, DomainTooSmall

K128 = "2B7E151628AED2A6ABF7158809CF4F3C"
K192 = K128 + "EF4359D8D580AA4F"
K256 = K192 + "7F036D6F04FC6A94"
T10 = "39383736353433323130"
T36 = "3737373770717273373737"
DIGITS = "0123456789"
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"

# (sample, key, radix, tweak, plaintext, ciphertext) from NIST's FF1 examples
NIST = [
    (1, K128, 10, "", "0123456789", "2433477484"),
    (2, K128, 10, T10, "0123456789", "6124200773"),
    (3, K128, 36, T36, "0123456789abcdefghi", "a9tv40mll9kdu509eum"),
    (4, K192, 10, "", "0123456789", "2830668132"),
    (5, K192, 10, T10, "0123456789", "2496655549"),
    (6, K192, 36, T36, "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"),
    (7, K256, 10, "", "0123456789", "6657667009"),
    (8, K256, 10, T10, "0123456789", "1001623463"),
    (9, K256, 36, T36, "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"),
]


@pytest.mark.parametrize(("sample", "key", "radix", "tweak", "pt", "ct"), NIST,
                         ids=[f"sample{n[0]}" for n in NIST])
def test_nist_sample_vectors_encrypt_and_decrypt(sample: int, key: str, radix: int, tweak: str,
                                                 pt: str, ct: str) -> None:
    ff1 = FF1(bytes.fromhex(key))
    alphabet = DIGITS if radix == 10 else BASE36
    assert ff1.encrypt_str(pt, alphabet, bytes.fromhex(tweak)) == ct
    assert ff1.decrypt_str(ct, alphabet, bytes.fromhex(tweak)) == pt


def test_round_trip_over_many_lengths_radixes_and_tweaks() -> None:
    rng = random.Random(7)
    ff1 = FF1(bytes(range(32)))
    for radix in (10, 26, 36, 62):
        for n in range(2, 40):
            if radix**n < 1_000_000:
                continue
            x = [rng.randrange(radix) for _ in range(n)]
            tweak = rng.randbytes(rng.randrange(0, 40))
            y = ff1.encrypt(x, radix, tweak)
            assert len(y) == n and all(0 <= d < radix for d in y)
            assert ff1.decrypt(y, radix, tweak) == x


def test_it_is_a_permutation_and_the_tweak_changes_it() -> None:
    ff1 = FF1(bytes(16))
    seen = {ff1.encrypt_str(f"{i:06d}", DIGITS) for i in range(3000)}
    assert len(seen) == 3000
    assert ff1.encrypt_str("123456789", DIGITS, b"a") != ff1.encrypt_str("123456789", DIGITS, b"b")


def test_domains_below_a_million_values_are_refused() -> None:
    ff1 = FF1(bytes(16))
    with pytest.raises(DomainTooSmall):
        ff1.encrypt_str("12345", DIGITS)  # 10**5
    assert len(ff1.encrypt_str("123456", DIGITS)) == 6  # 10**6 is the floor
    with pytest.raises(DomainTooSmall):
        ff1.encrypt_str("abc", BASE36)  # 36**3 = 46656


def test_bad_inputs_are_errors() -> None:
    with pytest.raises(ValueError, match="AES key"):
        FF1(b"short")
    with pytest.raises(ValueError, match="out of range"):
        FF1(bytes(16)).encrypt([1, 2, 3, 4, 5, 6, 10], 10)
