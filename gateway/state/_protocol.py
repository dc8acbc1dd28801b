"""The one store protocol every engine component codes against.

Both backends pass the same test suite, so callers never need to know which one is running.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Store(Protocol):
    """Namespaced bytes-by-key storage with expiry, atomic counters and compare-and-set.

    Keys are ``str`` and values ``bytes``. The namespace given to ``open_store`` prefixes every
    key and is invisible here. ``ttl`` arguments are seconds (> 0); a write without ``ttl``
    stores the value without expiry, replacing any earlier expiry, as Redis ``SET`` does.
    Failures raise ``StoreUnavailable`` (cannot reach it within the budget) or ``StoreError``.
    """

    url: str
    """The store's URL with any password masked, for logs and messages."""

    def get(self, key: str) -> bytes | None:
        """The value, or None if absent or expired."""
        ...

    def set(
        self, key: str, value: bytes, *, ttl: float | None = None, only_if_absent: bool = False
    ) -> bool:
        """Store ``value``; False only when ``only_if_absent`` and a live value exists."""
        ...

    def delete(self, key: str) -> bool:
        """Remove the key; True if a live value was removed."""
        ...

    def incr(self, key: str, amount: int = 1, *, ttl: float | None = None) -> int:
        """Atomically add ``amount`` (a missing key counts as 0) and return the new value.

        ``ttl`` applies only when this call creates the key; an existing expiry is kept, so a
        fixed window counter expires at the end of its window however often it is hit.
        Raises StoreError if the stored value is not a 64-bit integer or would overflow.
        """
        ...

    def compare_and_set(
        self, key: str, expected: bytes | None, new: bytes, *, ttl: float | None = None
    ) -> bool:
        """Atomically write ``new`` if the current value equals ``expected`` (None: absent)."""
        ...

    def ttl(self, key: str) -> float | None:
        """Remaining seconds to live; None if the key is absent or never expires."""
        ...

    def keys(self, prefix: str) -> list[str]:
        """The live keys starting with ``prefix`` (taken literally, no glob), sorted."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with ``prefix``; returns how many live keys went."""
        ...

    def ping(self) -> None:
        """Check the store answers; raises StoreUnavailable if it does not."""
        ...

    def close(self) -> None:
        """Release connections; the store must not be used afterwards."""
        ...
