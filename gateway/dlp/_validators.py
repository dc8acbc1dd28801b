"""Checksum and structure validators, in python-stdnum style.

Each validator has ``compact()`` (the normalized form: what is hashed and checked), and
``validate()`` that raises a specific :class:`stdnum.exceptions.ValidationError` subclass
(format, length, component, checksum); :meth:`Validator.is_valid` wraps it. python-stdnum
is used wherever it covers the identifier, so its country rules stay the reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.exceptions import (
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.us import ssn as _ssn

__all__ = ["VALIDATORS", "Validator"]


@dataclass(frozen=True, slots=True)
class Validator:
    """A named pair of normalizer and checker used by detectors.yaml's ``validator:``."""

    name: str
    compact: Callable[[str], str]
    validate: Callable[[str], str]

    def is_valid(self, value: str) -> bool:
        """True when ``validate`` accepts the compacted value; never raises on bad input."""
        try:
            self.validate(self.compact(value))
        except ValidationError:
            return False
        return True


def _digits(value: str) -> str:
    return "".join(c for c in value if "0" <= c <= "9")


# (lowest prefix, highest prefix, allowed lengths) per issuer range; prefixes compare as
# integers of the same number of digits. Kept small and explicit: Maestro's very broad
# 6xxx range is left out on purpose, it would accept most Luhn-valid 6-numbers.
_CARD_RANGES: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),  # American Express
    ("300", "305", frozenset(range(14, 20))),  # Diners Club
    ("36", "36", frozenset(range(14, 20))),  # Diners Club
    ("38", "39", frozenset(range(16, 20))),  # Diners Club
    ("6011", "6011", frozenset(range(16, 20))),  # Discover
    ("644", "649", frozenset(range(16, 20))),  # Discover
    ("65", "65", frozenset(range(16, 20))),  # Discover
    ("3528", "3589", frozenset(range(16, 20))),  # JCB
    ("62", "62", frozenset(range(16, 20))),  # UnionPay
    ("2200", "2204", frozenset(range(16, 20))),  # Mir
)


def _validate_card(number: str) -> str:
    """Issuer range and length first (cheap, rejects most look-alikes), then Luhn."""
    if not number.isdigit():
        raise InvalidFormat()
    if not 13 <= len(number) <= 19:
        raise InvalidLength()
    for low, high, lengths in _CARD_RANGES:
        prefix = number[: len(low)]
        if low <= prefix <= high:
            if len(number) not in lengths:
                raise InvalidLength()
            return _luhn.validate(number)
    raise InvalidComponent()


def _validate_ssn(number: str) -> str:
    return _ssn.validate(number)


def _compact_iban(value: str) -> str:
    return _iban.compact(value)


def _validate_iban(number: str) -> str:
    return _iban.validate(number)


_EMAIL = re.compile(r"^([A-Za-z0-9._%+-]{1,64})@([A-Za-z0-9.-]{1,253})$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
# "icon@2x.png", "logo@3x.webp": asset names that look like addresses
_FILE_SUFFIXES = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js", "map", "json", "txt"}
)


def _compact_email(value: str) -> str:
    """Lower-case: mail systems treat the domain (and in practice the local part) that way."""
    return value.strip().lower()


def _validate_email(address: str) -> str:
    """RFC 5321 shape: local part length and dots, DNS label rules, alphabetic TLD."""
    match = _EMAIL.match(address)
    if not match:
        raise InvalidFormat()
    local, domain = match.groups()
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise InvalidFormat()
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InvalidFormat()
    tld = labels[-1]
    if not tld.isalpha() or not 2 <= len(tld) <= 24:
        raise InvalidComponent()
    if tld in _FILE_SUFFIXES:
        raise InvalidComponent()
    return address


def _strip(value: str) -> str:
    return value.strip()


def _validate_mixed_base64(secret: str) -> str:
    """Random base64 secrets mix upper, lower and digits; hex digests and words do not."""
    if not secret or any(not (c.isascii() and (c.isalnum() or c in "+/=")) for c in secret):
        raise InvalidFormat()
    if not (
        any(c.isupper() for c in secret)
        and any(c.islower() for c in secret)
        and any(c.isdigit() for c in secret)
    ):
        raise InvalidComponent()
    return secret


VALIDATORS: Mapping[str, Validator] = MappingProxyType(
    {
        v.name: v
        for v in (
            Validator("luhn", _digits, _validate_card),
            Validator("us_ssn", _digits, _validate_ssn),
            Validator("iban", _compact_iban, _validate_iban),
            Validator("email", _compact_email, _validate_email),
            Validator("mixed_base64", _strip, _validate_mixed_base64),
        )
    }
)
"""Validators by the name detectors.yaml uses."""
