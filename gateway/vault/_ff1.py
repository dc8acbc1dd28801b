"""FF1 format-preserving encryption (NIST SP 800-38G, Algorithms 7-9) on ``cryptography``'s AES.

No maintained PyPI package implements FF1 with a track record (the well-known ``ff3`` is FF3
only, ``pyffx`` is not NIST FF1), so this is a direct transcription of the standard, tested
against all nine NIST sample vectors. FF3 and FF3-1 are deliberately absent (withdrawn).

The PRF is AES-CBC-MAC with a zero IV; the state after the fixed first block ``P`` is computed
once per (radix, length, tweak length), so each Feistel round costs one or two AES block
encryptions plus integer arithmetic.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["FF1", "MIN_DOMAIN", "DomainTooSmall"]

MIN_DOMAIN = 1_000_000
"""SP 800-38G Rev. 1: radix ** minlen must be at least one million."""
_ROUNDS = 10
_MAX_LEN = 2**32 - 1


class DomainTooSmall(ValueError):
    """radix ** length is below one million: FF1 is not safe there (use a vault token)."""


@lru_cache(maxsize=4096)
def _byte_len(radix: int, v: int) -> int:
    # b = ceil(ceil(v * log2(radix)) / 8), computed exactly with integers
    bits: int = (radix**v - 1).bit_length()
    return (bits + 7) // 8


class FF1:
    """FF1 under one AES key (16, 24 or 32 bytes). Thread-safe: no mutable state is shared."""

    __slots__ = ("_cipher",)

    def __init__(self, key: bytes) -> None:
        if len(key) not in (16, 24, 32):
            raise ValueError("FF1 needs an AES key of 16, 24 or 32 bytes")
        self._cipher = Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305 (PRF building block)

    # -- numeral lists --------------------------------------------------------------------
    def encrypt(self, numerals: list[int], radix: int, tweak: bytes = b"") -> list[int]:
        return self._run(numerals, radix, tweak, decrypt=False)

    def decrypt(self, numerals: list[int], radix: int, tweak: bytes = b"") -> list[int]:
        return self._run(numerals, radix, tweak, decrypt=True)

    # -- strings over an alphabet ---------------------------------------------------------
    def encrypt_str(self, text: str, alphabet: str, tweak: bytes = b"") -> str:
        index = {c: i for i, c in enumerate(alphabet)}
        out = self.encrypt([index[c] for c in text], len(alphabet), tweak)
        return "".join(alphabet[i] for i in out)

    def decrypt_str(self, text: str, alphabet: str, tweak: bytes = b"") -> str:
        index = {c: i for i, c in enumerate(alphabet)}
        out = self.decrypt([index[c] for c in text], len(alphabet), tweak)
        return "".join(alphabet[i] for i in out)

    # -- the algorithm --------------------------------------------------------------------
    def _run(self, x: list[int], radix: int, tweak: bytes, *, decrypt: bool) -> list[int]:
        n, t = len(x), len(tweak)
        if not 2 <= radix <= 2**16:
            raise ValueError(f"radix must be in [2, 65536], got {radix}")
        if n < 2 or n > _MAX_LEN:
            raise ValueError("FF1 needs at least two numerals")
        if radix**n < MIN_DOMAIN:
            raise DomainTooSmall(f"radix {radix} ** length {n} is below {MIN_DOMAIN}")
        if any(not 0 <= d < radix for d in x):
            raise ValueError("numeral out of range for the radix")
        u = n // 2
        v = n - u
        b = _byte_len(radix, v)
        d = 4 * ((b + 3) // 4) + 4
        p = (bytes([1, 2, 1]) + radix.to_bytes(3, "big") + bytes([10, u % 256])
             + n.to_bytes(4, "big") + t.to_bytes(4, "big"))
        enc = self._cipher.encryptor()
        h0 = int.from_bytes(enc.update(p), "big")
        pad = bytes((-t - b - 1) % 16)
        prefix = tweak + pad
        mod_u, mod_v = radix**u, radix**v
        a = _num(x[:u], radix)
        bb = _num(x[u:], radix)
        rounds = range(_ROUNDS - 1, -1, -1) if decrypt else range(_ROUNDS)
        for i in rounds:
            # Q = T || 0^pad || [i]^1 || [NUM(B)]^b  (B is A when decrypting)
            half = a if decrypt else bb
            q = prefix + bytes([i]) + half.to_bytes(b, "big")
            y = h0
            for k in range(0, len(q), 16):
                y = int.from_bytes(
                    enc.update((y ^ int.from_bytes(q[k:k + 16], "big")).to_bytes(16, "big")),
                    "big")
            r = y.to_bytes(16, "big")
            s = r
            j = 1
            while len(s) < d:
                s += enc.update((y ^ j).to_bytes(16, "big"))
                j += 1
            yy = int.from_bytes(s[:d], "big")
            modulus = mod_u if i % 2 == 0 else mod_v
            if decrypt:
                c = (bb - yy) % modulus
                bb, a = a, c
            else:
                c = (a + yy) % modulus
                a, bb = bb, c
        return _str(a, radix, u) + _str(bb, radix, v)


def _num(digits: list[int], radix: int) -> int:
    out = 0
    for dgt in digits:
        out = out * radix + dgt
    return out


def _str(value: int, radix: int, length: int) -> list[int]:
    out = [0] * length
    for k in range(length - 1, -1, -1):
        value, out[k] = divmod(value, radix)
    return out
