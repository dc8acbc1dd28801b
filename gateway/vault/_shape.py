"""Token shapes: which characters of a value a token replaces, over which alphabet, and Luhn.

A token keeps the value's length and layout: separators and other punctuation stay where they
are, preserved characters (last four, first six and last four) stay as they are, and only the
remaining letters and digits change. Card tokens get a chosen Luhn residue: ``invalid`` tokens
never pass a card check, so they are never mistaken for (or collide with) real cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DIGITS = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOWER = UPPER.lower()
ALPHABETS = {
    "d": DIGITS,
    "u": DIGITS + UPPER,
    "l": DIGITS + LOWER,
    "m": DIGITS + UPPER + LOWER,
}
Preserve = Literal["none", "last4", "first6_last4"]
Luhn = Literal["invalid", "valid", "any"]
INVALID_RESIDUE = 5
"""Luhn sum (mod 10) of ``invalid`` card tokens: never 0, so never a valid card number."""
_DOUBLE = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def is_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the letters and digits of a string are, and which of them a token changes."""

    alnum: tuple[int, ...]
    """Indexes (in the string) of the ASCII letters and digits."""
    free: tuple[int, ...]
    """Indexes into ``alnum`` that the token replaces (not preserved)."""
    check: int | None
    """Index into ``alnum`` of the Luhn-adjusted digit (cards), excluded from ``free``."""

    def preserved(self, text: str) -> str:
        keep = set(range(len(self.alnum))) - set(self.free) - (
            {self.check} if self.check is not None else set())
        return "".join(text[self.alnum[i]] for i in sorted(keep))


def layout(text: str, preserve: Preserve, luhn_fix: bool) -> Layout:
    alnum = tuple(i for i, c in enumerate(text) if is_alnum(c))
    n = len(alnum)
    lo, hi = {"none": (0, 0), "last4": (0, 4), "first6_last4": (6, 4)}[preserve]
    if lo + hi >= n:
        lo, hi = 0, 0 if n <= 4 else min(hi, n - 4)
    free = list(range(lo, n - hi))
    check = None
    if luhn_fix and free:
        check = free.pop()  # the last changed digit carries the chosen Luhn residue
    return Layout(alnum, tuple(free), check)


def alphabet_code(chars: str) -> str:
    """The smallest of our alphabets that holds every character."""
    if all(c in DIGITS for c in chars):
        return "d"
    if all(c in ALPHABETS["u"] for c in chars):
        return "u"
    if all(c in ALPHABETS["l"] for c in chars):
        return "l"
    return "m"


def luhn_sum(digits: str) -> int:
    """Luhn sum mod 10 (0 for a valid number)."""
    total = 0
    for k, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        total += _DOUBLE[d] if k % 2 else d
    return total % 10


def luhn_valid(digits: str) -> bool:
    return digits.isdigit() and luhn_sum(digits) == 0


def fix_luhn(digits: list[str], position: int, residue: int) -> None:
    """Set ``digits[position]`` so that the Luhn sum of the whole is ``residue``."""
    for d in range(10):
        digits[position] = str(d)
        if luhn_sum("".join(digits)) == residue:
            return
    raise AssertionError("a Luhn digit always exists")  # pragma: no cover (doubling is 1:1)


def class_alphabet(c: str) -> str:
    """Random vault tokens keep each character's class: digit, upper or lower case letter."""
    if c in DIGITS:
        return DIGITS
    if c in UPPER:
        return UPPER
    return LOWER
