"""Rules both backends share, so they behave identically (Redis semantics are the reference)."""

from __future__ import annotations

import math
import re

from gateway.errors import StoreError

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_INTEGER = re.compile(rb"-?(?:0|[1-9][0-9]*)")


def check_ttl(ttl: float | None) -> float | None:
    """A TTL must be a positive, finite number of seconds; zero or less is a caller bug."""
    if ttl is not None and not (ttl > 0 and math.isfinite(ttl)):
        raise ValueError(f"ttl must be a positive number of seconds, not {ttl!r}")
    return ttl


def ttl_ms(ttl: float) -> int:
    """Whole milliseconds, at least 1, as Redis ``PX`` wants them."""
    return max(1, math.ceil(ttl * 1000))


def check_amount(amount: int) -> int:
    """Counters are signed 64-bit, as in Redis; a larger step is a caller bug."""
    if not INT64_MIN <= amount <= INT64_MAX:
        raise ValueError(f"amount must fit in a signed 64-bit integer, not {amount!r}")
    return amount


def new_counter_value(current: bytes | None, amount: int) -> int:
    """``current + amount`` as Redis ``INCRBY`` computes it, errors included."""
    if current is None:
        value = 0
    elif _INTEGER.fullmatch(current) and INT64_MIN <= int(current) <= INT64_MAX:
        value = int(current)
    else:
        raise StoreError("value is not an integer or out of range")
    if not INT64_MIN <= value + check_amount(amount) <= INT64_MAX:
        raise StoreError("increment or decrement would overflow")
    return value + amount
