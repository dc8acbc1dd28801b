"""Allow-lists: known-safe values a policy does not count, without disabling a detector.

They are matched in the scanner, the one place that sees a value in clear; a finding only
carries the names of the lists its value is on (:attr:`Finding.allowed`), and the policy
drops a finding from a rule whose list it is on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["TEST_VALUES", "AllowList"]

_SEPARATORS = re.compile(r"[\s.\-]+")


def fold(value: str) -> str:
    """A value as compared: separators and case do not make another value of it."""
    return _SEPARATORS.sub("", value).casefold()


TEST_VALUES = frozenset(map(fold, (
    # payment processors' published test cards (Stripe, Adyen, Braintree, PayPal, Visa)
    "4242 4242 4242 4242", "4000 0566 5566 5556", "4111 1111 1111 1111",
    "4012 8888 8888 1881", "4222 2222 2222 2", "4000 0000 0000 0002", "4000 0000 0000 9995",
    "4000 0025 0000 3155", "4000 0000 0000 0077", "4917 6100 0000 0000",
    "5555 5555 5555 4444", "5200 8282 8282 8210", "5105 1051 0510 5100",
    "2223 0031 2200 3222", "5431 1111 1111 1111", "5454 5454 5454 5454",
    "3782 822463 10005", "3714 496353 98431", "3787 344936 71000",
    "6011 1111 1111 1117", "6011 0009 9013 9424", "6011 0004 0000 0000",
    "3056 9300 0902 0004", "3622 720627 1667", "3566 0020 2036 0505", "3530 1113 3330 0000",
    "6200 0000 0000 0005",
    # documentation placeholders of US SSNs (the Woolworth wallet card, SSA's example)
    "078-05-1120", "219-09-9999",
    # IBANs printed in the ECBS/SWIFT registry and banks' documentation
    "GB82 WEST 1234 5698 7654 32", "GB29 NWBK 6016 1331 9268 19",
    "DE89 3704 0044 0532 0130 00", "FR14 2004 1010 0505 0001 3M02 606",
    "NL91 ABNA 0417 1643 00", "ES91 2100 0418 4502 0005 1332", "IT60 X054 2811 1010 0000 0123 456",
    "CH93 0076 2011 6238 5295 7", "BE68 5390 0754 7034",
    # cloud providers' documentation keys
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
)))
"""Published test data (``test_values: true``): it is in every tutorial, and a team that
tests payments or cloud code sends it all day."""


@dataclass(frozen=True, slots=True)
class AllowList:
    """Values, whole-value patterns and, optionally, :data:`TEST_VALUES` one rule ignores."""

    name: str
    values: frozenset[str] = frozenset()
    """Folded (:func:`fold`)."""
    patterns: tuple[re.Pattern[str], ...] = ()
    test_values: bool = False

    @classmethod
    def of(cls, name: str, *, values: Iterable[str] = (), patterns: Iterable[str] = (),
           test_values: bool = False) -> AllowList:
        """Raises re.error for a pattern that does not compile."""
        return cls(name, frozenset(map(fold, values)), tuple(map(re.compile, patterns)),
                   test_values)

    def allows(self, value: str, normalized: str) -> bool:
        """Whether a value (as found, and as its detector normalizes it) is on the list."""
        folded = fold(value)
        if folded in self.values or (self.test_values and folded in TEST_VALUES):
            return True
        return any(p.fullmatch(value) or p.fullmatch(normalized) for p in self.patterns)
